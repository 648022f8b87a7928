// custom_app: defines a stack with leafsynth's typed resources and writes its template.
//
//   custom_app OUTDIR
//
// The stack: a versioned, encrypted S3 bucket whose policy denies any request not made over TLS,
// a parameter choosing the environment, a condition on it, and the bucket's ARN exported.
// Exit codes: 0 success, 2 bad usage or a synthesis failure (message on stderr).

#include <iostream>
#include <string>

#include <leafsynth/cfn/s3.hpp>
#include <leafsynth/app.hpp>
#include <leafsynth/cfn_condition.hpp>
#include <leafsynth/cfn_output.hpp>
#include <leafsynth/cfn_parameter.hpp>
#include <leafsynth/fn.hpp>
#include <leafsynth/stack.hpp>
#include <leafsynth/tags.hpp>

namespace ls = leafsynth;
namespace s3 = leafsynth::cfn::s3;
using Bucket = s3::CfnBucket;

class DataBucketStack : public ls::Stack {
public:
    DataBucketStack(ls::Construct& scope, std::string id, ls::StackProps props)
        : ls::Stack(scope, std::move(id), std::move(props)) {
        auto& environment = ls::make<ls::CfnParameter>(
            *this, "Environment",
            ls::ParameterProps{.type = "String",
                               .default_value = "dev",
                               .description = "Deployment environment; prod keeps old object versions for a year",
                               .allowed_values = {"dev", "prod"}});
        auto& is_prod = ls::make<ls::CfnCondition>(*this, "IsProd", ls::Fn::equals(environment.ref(), "prod"));

        auto& bucket = ls::make<Bucket>(*this, "Bucket", s3::CfnBucketProps{
            .bucket_encryption = Bucket::BucketEncryptionProperty{
                .server_side_encryption_configuration = {Bucket::ServerSideEncryptionRuleProperty{
                    .server_side_encryption_by_default = Bucket::ServerSideEncryptionByDefaultProperty{
                        .sse_algorithm = "AES256"}}}},
            .lifecycle_configuration = Bucket::LifecycleConfigurationProperty{
                .rules = {Bucket::RuleProperty{
                    .id = "ExpireOldVersions",
                    .noncurrent_version_expiration = Bucket::NoncurrentVersionExpirationProperty{
                        .noncurrent_days = ls::Fn::if_(is_prod, 365, 30)},
                    .status = "Enabled"}}},
            .public_access_block_configuration = Bucket::PublicAccessBlockConfigurationProperty{
                .block_public_acls = true,
                .block_public_policy = true,
                .ignore_public_acls = true,
                .restrict_public_buckets = true},
            .versioning_configuration = Bucket::VersioningConfigurationProperty{.status = "Enabled"}});
        bucket.apply_removal_policy(ls::RemovalPolicy::Retain);

        // Deny every request that does not use TLS; the ARNs come from the bucket's handle. A
        // policy document is free-form JSON in the schema, so it is a Map.
        ls::Map deny_insecure{
            {"Sid", "DenyInsecureTransport"},
            {"Effect", "Deny"},
            {"Principal", ls::Map{{"AWS", "*"}}},
            {"Action", "s3:*"},
            {"Resource", ls::List{bucket.attr_arn(), ls::Fn::join("", ls::List{bucket.attr_arn(), "/*"})}},
            {"Condition", ls::Map{{"Bool", ls::Map{{"aws:SecureTransport", "false"}}}}},
        };
        ls::make<s3::CfnBucketPolicy>(bucket, "Policy", s3::CfnBucketPolicyProps{
            .bucket = bucket.ref(),
            .policy_document = ls::Map{{"Version", "2012-10-17"}, {"Statement", ls::List{deny_insecure}}}});

        ls::make<ls::CfnOutput>(*this, "BucketArn",
                                ls::OutputProps{.value = bucket.attr_arn(),
                                                .description = "ARN of the data bucket",
                                                .export_name = stack_name() + "-BucketArn"});

        ls::Tags::of(*this).add("Project", "custom-app");
    }
};

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: custom_app OUTDIR\n";
        return 2;
    }
    try {
        ls::App app;
        ls::make<DataBucketStack>(app, "CustomAppData",
                                  ls::StackProps{.stack_name = "CustomAppData",
                                                 .description = "custom_app example: a TLS-only versioned bucket",
                                                 .env = {.region = "us-east-1"}});
        ls::Assembly assembly = app.synth();
        ls::write_assembly(assembly, argv[1]);
        for (const auto& s : assembly.stacks)
            std::cout << s.name << ": " << s.resources << " resources in " << argv[1] << "/" << s.template_file
                      << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "custom_app: error: " << e.what() << "\n";
        return 2;
    }
}
