// typed_services: three services the ContainerManager does not use (SQS, S3, DynamoDB), written
// with the typed resources, in three stacks that reference each other.
//
//   typed_services_example OUTDIR
//
// - Messaging: an upload queue with a dead-letter queue (RedrivePolicy from the DLQ's ARN).
// - Storage: a bucket that notifies the upload queue of new objects (the queue's ARN crosses
//   stacks as an export and an import) and the queue policy that lets the bucket send.
// - Catalog: a DynamoDB table with a stream, tagged with the bucket's name and the queue's URL
//   (two more imports), and an output of the table's stream ARN.
// Exit codes: 0 success, 2 a synthesis failure (message on stderr).

#include <iostream>

#include <leafsynth/cfn/dynamodb.hpp>
#include <leafsynth/cfn/s3.hpp>
#include <leafsynth/cfn/sqs.hpp>
#include <leafsynth/app.hpp>
#include <leafsynth/cfn_output.hpp>
#include <leafsynth/fn.hpp>
#include <leafsynth/stack.hpp>
#include <leafsynth/tags.hpp>

namespace ls = leafsynth;
namespace dynamodb = leafsynth::cfn::dynamodb;
namespace s3 = leafsynth::cfn::s3;
namespace sqs = leafsynth::cfn::sqs;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: typed_services_example OUTDIR\n";
        return 2;
    }
    try {
        ls::App app;
        const ls::Environment env{.account = "123456789012", .region = "us-west-2"};

        auto& messaging = ls::make<ls::Stack>(app, "Messaging", ls::StackProps{.env = env});
        auto& dlq = ls::make<sqs::CfnQueue>(messaging, "UploadsDlq",
                                            sqs::CfnQueueProps{.message_retention_period = 1209600});
        auto& queue = ls::make<sqs::CfnQueue>(messaging, "Uploads", sqs::CfnQueueProps{
            .redrive_policy = ls::Map{{"deadLetterTargetArn", dlq.attr_arn()}, {"maxReceiveCount", 5}},
            .visibility_timeout = 60});

        auto& storage = ls::make<ls::Stack>(app, "Storage", ls::StackProps{.env = env});
        using Bucket = s3::CfnBucket;
        auto& bucket = ls::make<Bucket>(storage, "Inbox", s3::CfnBucketProps{
            .notification_configuration = Bucket::NotificationConfigurationProperty{
                .queue_configurations = {Bucket::QueueConfigurationProperty{.event = "s3:ObjectCreated:*",
                                                                            .queue = queue.attr_arn()}}},
            .public_access_block_configuration = Bucket::PublicAccessBlockConfigurationProperty{
                .block_public_acls = true,
                .block_public_policy = true,
                .ignore_public_acls = true,
                .restrict_public_buckets = true}});
        // S3 checks that it may send to the queue when the notification is set up: the policy first.
        auto& policy = ls::make<sqs::CfnQueuePolicy>(storage, "InboxMayNotify", sqs::CfnQueuePolicyProps{
            .policy_document = ls::Map{
                {"Version", "2012-10-17"},
                {"Statement", ls::List{ls::Map{
                                  {"Effect", "Allow"},
                                  {"Principal", ls::Map{{"Service", "s3.amazonaws.com"}}},
                                  {"Action", "sqs:SendMessage"},
                                  {"Resource", queue.attr_arn()},
                                  {"Condition", ls::Map{{"ArnLike", ls::Map{{"aws:SourceArn", ls::Fn::sub(
                                                                               "arn:${AWS::Partition}:s3:::*")}}}}}}}}},
            .queues = {queue.ref()}});
        bucket.add_depends_on(policy);

        auto& catalog = ls::make<ls::Stack>(app, "Catalog", ls::StackProps{.env = env});
        using Table = dynamodb::CfnTable;
        auto& table = ls::make<Table>(catalog, "Objects", dynamodb::CfnTableProps{
            .attribute_definitions = {Table::AttributeDefinitionProperty{.attribute_name = "key", .attribute_type = "S"}},
            .billing_mode = "PAY_PER_REQUEST",
            .key_schema = {Table::KeySchemaProperty{.attribute_name = "key", .key_type = "HASH"}},
            .point_in_time_recovery_specification =
                Table::PointInTimeRecoverySpecificationProperty{.point_in_time_recovery_enabled = true},
            .stream_specification = Table::StreamSpecificationProperty{.stream_view_type = "NEW_IMAGE"},
            .tags = {ls::cfn::Tag{.key = "SourceBucket", .value = bucket.ref()},
                     ls::cfn::Tag{.key = "UploadsQueue", .value = queue.attr_queue_url()}}});
        table.apply_removal_policy(ls::RemovalPolicy::Retain);
        ls::make<ls::CfnOutput>(catalog, "StreamArn", ls::OutputProps{.value = table.attr_stream_arn()});

        ls::Tags::of(app).add("Project", "typed-services");
        ls::write_assembly(app.synth(), argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "typed_services_example: error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
