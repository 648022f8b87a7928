#include "deploy/bootstrap_stack.hpp"

#include "leafsynth/app.hpp"
#include "leafsynth/aws/iam.hpp"
#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth::deploy {

namespace {

using aws::iam::aws_managed_policy_arn;
using aws::iam::policy_document;
using aws::iam::PolicyStatement;
using aws::iam::service_principal;

constexpr const char* kAccount = "${AWS::AccountId}";
constexpr const char* kRegion = "${AWS::Region}";

/// `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`: anyone in the account the account lets assume it.
Value account_principal() { return Map{{"AWS", Fn::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}}; }

Value trust_policy(Value principal) {
    return policy_document({PolicyStatement{.actions = {"sts:AssumeRole", "sts:TagSession"},
                                            .resources = {},
                                            .conditions = {},
                                            .principal = std::move(principal),
                                            .effect = "Allow",
                                            .sid = ""}});
}

/// The tag `cdk bootstrap` puts on each role (`aws-cdk:bootstrap-role`), which CDK's CLI reads.
List role_tags(const std::string& role) { return {Map{{"Key", "aws-cdk:bootstrap-role"}, {"Value", role}}}; }

/// A bootstrap role assumed from the account, named by the contract.
CfnResource& bootstrap_role(Stack& stack, const std::string& id, const std::string& role, Map extra = {}) {
    Map props = std::move(extra);
    props["RoleName"] = Fn::sub(bootstrap::role_name(role, kAccount, kRegion));
    props["AssumeRolePolicyDocument"] = trust_policy(account_principal());
    props["Tags"] = role_tags(role);
    return make<CfnResource>(stack, id, "AWS::IAM::Role", std::move(props));
}

PolicyStatement allow(std::vector<std::string> actions, List resources) {
    return PolicyStatement{.actions = std::move(actions),
                           .resources = std::move(resources),
                           .conditions = {},
                           .principal = nullptr,
                           .effect = "Allow",
                           .sid = ""};
}

} // namespace

BootstrapStack::BootstrapStack(Construct& scope, BootstrapStackProps props)
    : Stack(scope, std::string(bootstrap::kToolkitStackName),
            StackProps{.stack_name = std::string(bootstrap::kToolkitStackName),
                       .description = "leafsynth bootstrap: the asset bucket and repository, roles and version "
                                      "parameter that leafsynth deploy and the AWS CDK CLI (qualifier " +
                                      std::string(bootstrap::kQualifier) + ") use in this environment",
                       .env = {}}) {
    // --- file assets: encrypted, private, TLS only, versioned, old versions expire ----------------
    auto& bucket = make<CfnResource>(*this, "StagingBucket", "AWS::S3::Bucket",
        Map{{"BucketName", Fn::sub(bootstrap::assets_bucket_name(kAccount, kRegion))},
            {"BucketEncryption",
             Map{{"ServerSideEncryptionConfiguration",
                  List{Map{{"ServerSideEncryptionByDefault", Map{{"SSEAlgorithm", "AES256"}}}}}}}},
            {"PublicAccessBlockConfiguration", Map{{"BlockPublicAcls", true},
                                                   {"BlockPublicPolicy", true},
                                                   {"IgnorePublicAcls", true},
                                                   {"RestrictPublicBuckets", true}}},
            {"OwnershipControls", Map{{"Rules", List{Map{{"ObjectOwnership", "BucketOwnerEnforced"}}}}}},
            {"VersioningConfiguration", Map{{"Status", "Enabled"}}},
            {"LifecycleConfiguration",
             Map{{"Rules", List{Map{{"Id", "CleanupOldVersions"},
                                    {"Status", "Enabled"},
                                    {"NoncurrentVersionExpiration",
                                     Map{{"NoncurrentDays", static_cast<std::int64_t>(props.noncurrent_version_days)}}}},
                                Map{{"Id", "AbortIncompleteUploads"},
                                    {"Status", "Enabled"},
                                    {"AbortIncompleteMultipartUpload", Map{{"DaysAfterInitiation", 1}}}}}}}}});
    bucket.apply_removal_policy(RemovalPolicy::Retain); // assets of deployed stacks live here
    const Value bucket_arn = bucket.get_att("Arn");
    const Value objects_arn = Fn::join("", List{bucket_arn, "/*"});

    make<CfnResource>(*this, "StagingBucketPolicy", "AWS::S3::BucketPolicy",
                    Map{{"Bucket", bucket.ref()},
                        {"PolicyDocument",
                         policy_document({PolicyStatement{.actions = {"s3:*"},
                                                          .resources = {bucket_arn, objects_arn},
                                                          .conditions = Map{{"Bool", Map{{"aws:SecureTransport", "false"}}}},
                                                          .principal = Map{{"AWS", "*"}},
                                                          .effect = "Deny",
                                                          .sid = "AllowSSLRequestsOnly"}})}});

    // --- image assets ------------------------------------------------------------------------------
    auto& repository = make<CfnResource>(*this, "ContainerAssetsRepository", "AWS::ECR::Repository",
        Map{{"RepositoryName", Fn::sub(bootstrap::container_assets_repository_name(kAccount, kRegion))},
            {"ImageTagMutability", "IMMUTABLE"},
            {"ImageScanningConfiguration", Map{{"ScanOnPush", true}}},
            {"EncryptionConfiguration", Map{{"EncryptionType", "AES256"}}}});
    repository.apply_removal_policy(RemovalPolicy::Retain);

    // --- roles -------------------------------------------------------------------------------------
    auto& file_publishing = bootstrap_role(*this, "FilePublishingRole", "file-publishing");
    auto& image_publishing = bootstrap_role(*this, "ImagePublishingRole", "image-publishing");
    bootstrap_role(*this, "LookupRole", "lookup",
                   Map{{"ManagedPolicyArns", List{aws_managed_policy_arn("ReadOnlyAccess")}},
                       {"Policies", List{Map{{"PolicyName", "LookupRolePolicy"},
                                             {"PolicyDocument",
                                              policy_document({PolicyStatement{.actions = {"kms:Decrypt"},
                                                                               .resources = {"*"},
                                                                               .conditions = {},
                                                                               .principal = nullptr,
                                                                               .effect = "Deny",
                                                                               .sid = "DontReadSecrets"}})}}}}});

    make<CfnResource>(*this, "FilePublishingRoleDefaultPolicy", "AWS::IAM::Policy",
        Map{{"PolicyName", Fn::sub(bootstrap::role_name("file-publishing", kAccount, kRegion) + "-default-policy")},
            {"Roles", List{file_publishing.ref()}},
            {"PolicyDocument",
             policy_document({allow({"s3:Abort*", "s3:DeleteObject*", "s3:GetBucket*", "s3:GetEncryptionConfiguration",
                                     "s3:GetObject*", "s3:List*", "s3:PutObject*"},
                                    {bucket_arn, objects_arn})})}});
    make<CfnResource>(*this, "ImagePublishingRoleDefaultPolicy", "AWS::IAM::Policy",
        Map{{"PolicyName", Fn::sub(bootstrap::role_name("image-publishing", kAccount, kRegion) + "-default-policy")},
            {"Roles", List{image_publishing.ref()}},
            {"PolicyDocument",
             policy_document({allow({"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                     "ecr:CompleteLayerUpload", "ecr:DescribeImages", "ecr:DescribeRepositories",
                                     "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                                     "ecr:UploadLayerPart"},
                                    {repository.get_att("Arn")}),
                              allow({"ecr:GetAuthorizationToken"}, {"*"})})}});

    // CloudFormation acts with this role; what it may create is what the deploying account allows.
    make<CfnResource>(*this, "CloudFormationExecutionRole", "AWS::IAM::Role",
        Map{{"RoleName", Fn::sub(bootstrap::role_name("cfn-exec", kAccount, kRegion))},
            {"AssumeRolePolicyDocument", trust_policy(service_principal("cloudformation.amazonaws.com"))},
            {"ManagedPolicyArns", List{aws_managed_policy_arn("AdministratorAccess")}},
            {"Tags", role_tags("cfn-exec")}});

    // The deploy role: change sets and stack reads, templates from the bucket, passing the
    // execution role, reading the bootstrap version.
    const Value execution_role_arn =
        Fn::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + bootstrap::role_name("cfn-exec", kAccount, kRegion));
    bootstrap_role(
        *this, "DeploymentActionRole", "deploy",
        Map{{"Policies",
             List{Map{{"PolicyName", "default"},
                      {"PolicyDocument",
                       policy_document(
                           {allow({"cloudformation:CancelUpdateStack", "cloudformation:ContinueUpdateRollback",
                                   "cloudformation:CreateChangeSet", "cloudformation:CreateStack",
                                   "cloudformation:DeleteChangeSet", "cloudformation:DeleteStack",
                                   "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                                   "cloudformation:DescribeStackResources", "cloudformation:DescribeStacks",
                                   "cloudformation:ExecuteChangeSet", "cloudformation:GetTemplate",
                                   "cloudformation:GetTemplateSummary", "cloudformation:ListExports",
                                   "cloudformation:ListImports", "cloudformation:ListStackResources",
                                   "cloudformation:UpdateStack", "cloudformation:UpdateTerminationProtection"},
                                  {"*"}),
                            allow({"iam:PassRole"}, {execution_role_arn}),
                            allow({"s3:GetBucket*", "s3:GetObject*", "s3:List*"}, {bucket_arn, objects_arn}),
                            allow({"ssm:GetParameter", "ssm:GetParameters"},
                                  {Fn::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter" +
                                           std::string(bootstrap::kVersionParameter))})})}}}}});

    // --- the version the contract promises -----------------------------------------------------------
    auto& version = make<CfnResource>(*this, "CdkBootstrapVersion", "AWS::SSM::Parameter",
                                     Map{{"Type", "String"},
                                         {"Name", std::string(bootstrap::kVersionParameter)},
                                         {"Value", std::to_string(bootstrap::kToolkitVersion)}});

    make<CfnOutput>(*this, "BucketName",
                  OutputProps{.value = bucket.ref(),
                              .description = "The file asset bucket",
                              .export_name = "",
                              .condition = nullptr});
    make<CfnOutput>(*this, "BucketDomainName",
                  OutputProps{.value = Fn::sub("${StagingBucket}.s3.${AWS::Region}.${AWS::URLSuffix}"),
                              .description = "The file asset bucket's regional domain name",
                              .export_name = "",
                              .condition = nullptr});
    make<CfnOutput>(*this, "ImageRepositoryName",
                  OutputProps{.value = repository.ref(),
                              .description = "The image asset repository",
                              .export_name = "",
                              .condition = nullptr});
    make<CfnOutput>(*this, "BootstrapVersion",
                  OutputProps{.value = version.get_att("Value"),
                              .description = "The bootstrap contract version of this environment",
                              .export_name = "",
                              .condition = nullptr});
}

std::string bootstrap_template_json(const BootstrapStackProps& props) {
    App app;
    const auto& stack = own<BootstrapStack>(app, props);
    const Assembly assembly = app.synth();
    return assembly.file(stack.template_file());
}

} // namespace leafsynth::deploy
