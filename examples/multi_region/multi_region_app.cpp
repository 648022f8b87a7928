#include "multi_region_app.hpp"

namespace multi_region {

using namespace leafsynth;

void build(App& app, const std::string& main_region, const std::string& account) {
    Environment main{account, main_region};
    Environment edge_env{account, "us-east-1"};

    // Shared: an alerts topic and a data bucket, in the main region.
    auto& shared = make<Stack>(app, "Shared", StackProps{"Shared", "Shared resources of the multi-region example", main});
    auto& alerts = make<CfnResource>(shared, "Alerts", "AWS::SNS::Topic", Map{{"DisplayName", "alerts"}});
    auto& data = make<CfnResource>(shared, "Data", "AWS::S3::Bucket",
                                   Map{{"VersioningConfiguration", Map{{"Status", "Enabled"}}}});
    data.apply_removal_policy(RemovalPolicy::Retain);

    // Edge (us-east-1): an audit log group; records where the alerts go (a main-region value).
    auto& edge = make<Stack>(app, "Edge", StackProps{"Edge", "Edge resources pinned to us-east-1", edge_env});
    auto& audit = make<CfnResource>(edge, "Audit", "AWS::Logs::LogGroup", Map{{"RetentionInDays", 7}});
    audit.apply_removal_policy(RemovalPolicy::Destroy);
    make<CfnResource>(edge, "AlertsTopicArn", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", alerts.ref()}, {"Description", "Shared alerts topic"}});

    // Service (main region): uses Edge (cross-region, the other direction) and Shared (same region).
    auto& service = make<Stack>(app, "Service", StackProps{"Service", "The service of the multi-region example", main});
    auto& jobs = make<CfnResource>(service, "Jobs", "AWS::SQS::Queue", Map{{"VisibilityTimeout", 120}});
    make<CfnResource>(service, "AuditLogGroupArn", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", audit.get_att("Arn")}});
    make<CfnResource>(service, "DataBucketName", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", data.ref()}});

    // Nested: Storage holds an archive bucket; Workers uses the parent's queue, the sibling's
    // bucket and Shared's topic.
    auto& storage = make<NestedStack>(service, "Storage", StackProps{{}, "Archive storage", {}});
    auto& archive = make<CfnResource>(storage, "Archive", "AWS::S3::Bucket",
                                      Map{{"LifecycleConfiguration",
                                           Map{{"Rules", List{Map{{"Status", "Enabled"}, {"ExpirationInDays", 30}}}}}}});
    auto& workers = make<NestedStack>(service, "Workers", StackProps{{}, "Workers of the service", {}});
    auto& work = make<CfnResource>(workers, "Work", "AWS::SQS::Queue",
                                   Map{{"RedrivePolicy", Map{{"deadLetterTargetArn", jobs.get_att("Arn")},
                                                             {"maxReceiveCount", 5}}}});
    make<CfnResource>(workers, "ArchiveBucketName", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", archive.ref()}});
    make<CfnResource>(workers, "AlertsTopic", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", alerts.ref()}});
    // The parent reads a value of a nested stack.
    make<CfnOutput>(service, "WorkQueueUrl", OutputProps{work.ref(), "URL of the work queue", {}, nullptr});
    // An explicit ordering between siblings.
    workers.add_dependency(storage);

    Tags::of(app).add("Project", "leafsynth-multi-region");
}

} // namespace multi_region
