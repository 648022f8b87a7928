// custom_app: defines a stack with leafsynth's public API and writes its template.
//
//   custom_app OUTDIR
//
// The stack: a versioned, encrypted S3 bucket whose policy denies any request not made over TLS,
// a parameter choosing the environment, a condition on it, and the bucket's ARN exported.
// Exit codes: 0 success, 2 bad usage or a synthesis failure (message on stderr).

#include <iostream>
#include <string>

#include <leafsynth/leafsynth.hpp>

namespace ls = leafsynth;

class DataBucketStack : public ls::Stack {
public:
    DataBucketStack(ls::Construct& scope, std::string id, ls::StackProps props)
        : ls::Stack(scope, std::move(id), std::move(props)) {
        ls::ParameterProps env_props;
        env_props.type = "String";
        env_props.default_value = "dev";
        env_props.allowed_values = {"dev", "prod"};
        env_props.description = "Deployment environment; prod keeps old object versions for a year";
        auto& environment = ls::make<ls::CfnParameter>(*this, "Environment", env_props);

        auto& is_prod = ls::make<ls::CfnCondition>(*this, "IsProd", ls::Fn::equals(environment.ref(), "prod"));

        auto& bucket = ls::make<ls::CfnResource>(
            *this, "Bucket", "AWS::S3::Bucket",
            ls::Map{
                {"VersioningConfiguration", ls::Map{{"Status", "Enabled"}}},
                {"BucketEncryption",
                 ls::Map{{"ServerSideEncryptionConfiguration",
                          ls::List{ls::Map{{"ServerSideEncryptionByDefault", ls::Map{{"SSEAlgorithm", "AES256"}}}}}}}},
                {"PublicAccessBlockConfiguration", ls::Map{{"BlockPublicAcls", true},
                                                           {"BlockPublicPolicy", true},
                                                           {"IgnorePublicAcls", true},
                                                           {"RestrictPublicBuckets", true}}},
                {"LifecycleConfiguration",
                 ls::Map{{"Rules", ls::List{ls::Map{
                                       {"Id", "ExpireOldVersions"},
                                       {"Status", "Enabled"},
                                       {"NoncurrentVersionExpiration",
                                        ls::Map{{"NoncurrentDays", ls::Fn::if_(is_prod, 365, 30)}}}}}}}},
            });
        bucket.apply_removal_policy(ls::RemovalPolicy::Retain);

        // Deny every request that does not use TLS; the ARNs come from the bucket's handle.
        ls::Map deny_insecure{
            {"Sid", "DenyInsecureTransport"},
            {"Effect", "Deny"},
            {"Principal", ls::Map{{"AWS", "*"}}},
            {"Action", "s3:*"},
            {"Resource", ls::List{bucket.get_att("Arn"), ls::Fn::join("", ls::List{bucket.get_att("Arn"), "/*"})}},
            {"Condition", ls::Map{{"Bool", ls::Map{{"aws:SecureTransport", "false"}}}}},
        };
        ls::make<ls::CfnResource>(
            bucket, "Policy", "AWS::S3::BucketPolicy",
            ls::Map{{"Bucket", bucket.ref()},
                    {"PolicyDocument", ls::Map{{"Version", "2012-10-17"}, {"Statement", ls::List{deny_insecure}}}}});

        ls::make<ls::CfnOutput>(*this, "BucketArn",
                                ls::OutputProps{bucket.get_att("Arn"), "ARN of the data bucket",
                                                stack_name() + "-BucketArn", nullptr});

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
                                  ls::StackProps{"CustomAppData", "custom_app example: a TLS-only versioned bucket",
                                                 ls::Environment{{}, "us-east-1"}});
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
