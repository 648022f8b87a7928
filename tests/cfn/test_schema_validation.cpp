// The synth-time schema check (src/cfn/validate.cpp): each kind of finding on a small bad app,
// each one line with the construct path, the property path and how to fix it; intrinsics accepted
// where their result fits; types outside AWS:: unchecked.
#include <catch2/catch.hpp>

#include <leafsynth/cfn/s3.hpp>
#include <leafsynth/cfn/sqs.hpp>

#include <string>
#include <vector>

#include "cfn/schema.hpp"
#include "findings.hpp"
#include "support.hpp"

using namespace leafsynth;
namespace sqs = leafsynth::cfn::sqs;

TEST_CASE("each kind of schema finding, with the construct path and the property path", "[cfn][validation]") {
    App app;
    auto& stack = make<Stack>(app, "Bad");
    auto& queue = make<sqs::CfnQueue>(stack, "Queue");
    // an unknown type
    make<CfnResource>(stack, "Typo", "AWS::SQS::Queu");
    // an unknown property, a wrong type, a string where a list goes
    make<CfnResource>(stack, "Raw", "AWS::SQS::Queue", Map{{"VisibiltyTimeout", 30}, {"DelaySeconds", "soon"}});
    make<CfnResource>(stack, "Policy", "AWS::SQS::QueuePolicy", Map{{"Queues", queue.ref()}});
    // a key a property type does not have, a missing required property inside a list item
    make<CfnResource>(stack, "Bucket", "AWS::S3::Bucket",
                      Map{{"LifecycleConfiguration", Map{{"Rules", List{Map{{"Statuss", "Enabled"}, {"Id", "r"}}}}}}});
    // an attribute the type does not have
    make<CfnOutput>(stack, "Arn", OutputProps{.value = queue.get_att("Arnn")});
    make<CfnResource>(stack, "Topic", "AWS::SNS::Topic", Map{{"DisplayName", queue.get_att("Arnn")}});

    const auto all = findings(app);
    CHECK(the_finding(all, "Bad/Typo: ") ==
          "Bad/Typo: unknown resource type AWS::SQS::Queu (@aws-cdk/aws-service-spec 0.1.180 does not have it); "
          "did you mean AWS::SQS::Queue?");
    CHECK(the_finding(all, "VisibiltyTimeout") ==
          "Bad/Raw: Properties.VisibiltyTimeout: AWS::SQS::Queue has no property VisibiltyTimeout; did you mean "
          "VisibilityTimeout?");
    CHECK(the_finding(all, "DelaySeconds") ==
          "Bad/Raw: Properties.DelaySeconds: expects an integer, got the string 'soon'");
    CHECK(the_finding(all, "Bad/Policy: Properties.Queues") ==
          "Bad/Policy: Properties.Queues: expects a list, but the intrinsic gives a string");
    CHECK(the_finding(all, "PolicyDocument") ==
          "Bad/Policy: Properties.PolicyDocument: AWS::SQS::QueuePolicy requires PolicyDocument, which is not set");
    CHECK(the_finding(all, "Statuss") ==
          "Bad/Bucket: Properties.LifecycleConfiguration.Rules.0.Statuss: AWS::S3::Bucket.Rule has no property "
          "Statuss; did you mean Status?");
    CHECK(the_finding(all, "requires Status") ==
          "Bad/Bucket: Properties.LifecycleConfiguration.Rules.0.Status: AWS::S3::Bucket.Rule requires Status, "
          "which is not set");
    CHECK(the_finding(all, "Bad/Topic: ") ==
          "Bad/Topic: Properties.DisplayName: Fn::GetAtt of Bad/Queue (AWS::SQS::Queue) attribute Arnn, which "
          "AWS::SQS::Queue does not have; did you mean Arn?");
    CHECK(the_finding(all, "Bad/Arn: ") ==
          "Bad/Arn: Value: Fn::GetAtt of Bad/Queue (AWS::SQS::Queue) attribute Arnn, which AWS::SQS::Queue does not "
          "have; did you mean Arn?");
    CHECK(all.size() == 9);
}

TEST_CASE("intrinsics are accepted where their result fits, and JSON, unions and custom types are free", "[cfn][validation]") {
    App app;
    auto& stack = make<Stack>(app, "Good");
    auto& queue = make<sqs::CfnQueue>(stack, "Queue", sqs::CfnQueueProps{
        // a string that reads as a number, an Fn::Sub where an integer goes (CloudFormation converts)
        .delay_seconds = Value("5"),
        .redrive_allow_policy = Value("{\"redrivePermission\":\"allowAll\"}"), // a union: JSON or a string
        .visibility_timeout = Fn::sub("${AWS::NoValue}")});
    make<CfnResource>(stack, "Policy", "AWS::SQS::QueuePolicy",
                      Map{{"Queues", Fn::split(",", Fn::join(",", List{queue.ref()}))},
                          {"PolicyDocument", Map{{"Anything", List{1, "two"}}}}});
    make<CfnResource>(stack, "Custom", "Custom::Anything", Map{{"ServiceToken", queue.get_att("Arn")}, {"X", 1}});
    make<CfnResource>(stack, "Raw", "AWS::SNS::Topic", Map{{"DisplayName", Map{{"Fn::GetAtt", List{"Queue", "Arn"}}}}});
    CHECK(findings(app).empty());
}

TEST_CASE("the schema data: lookups, tags, attributes, create-only flags", "[cfn][schema]") {
    using namespace leafsynth::cfn::detail;
    const ResourceSchema* q = find_schema("AWS::SQS::Queue");
    REQUIRE(q);
    CHECK(q->tag_property == "Tags");
    CHECK(q->tag_variant == "standard");
    CHECK(q->attributes.count("QueueUrl") == 1);
    CHECK(q->properties.at("FifoQueue").replaces);
    CHECK_FALSE(q->properties.at("VisibilityTimeout").replaces);
    CHECK(find_schema("AWS::SQS::Queu") == nullptr);
    CHECK(find_schema("AWS::SSM::Parameter")->tag_variant == "map");
    CHECK(find_schema("AWS::AutoScaling::AutoScalingGroup")->tag_variant == "asg");
    CHECK(find_schema("AWS::EFS::FileSystem")->tag_property == "FileSystemTags");
    CHECK(schema_types().size() > 1500);
    CHECK(find_schema("AWS::S3::Bucket")->structs.at("Rule").at("Status").required);
}

TEST_CASE("an override passes what the schema does not know, deliberately", "[cfn][validation]") {
    App app;
    auto& stack = make<Stack>(app, "Deliberate", StackProps{.env = {.region = "us-west-2"}});
    // a property newer than the pinned specification, and a required one given by an override
    auto& queue = make<sqs::CfnQueue>(stack, "Queue");
    queue.add_property_override("FutureSetting", "on");
    auto& policy = make<CfnResource>(stack, "Policy", "AWS::SQS::QueuePolicy", Map{{"Queues", List{queue.ref()}}});
    policy.add_property_override("PolicyDocument", Map{{"Version", "2012-10-17"}, {"Statement", List{}}});
    // the same two without overrides are findings
    make<CfnResource>(stack, "Unknown", "AWS::SQS::Queue", Map{{"FutureSetting", "on"}});
    make<CfnResource>(stack, "NoDocument", "AWS::SQS::QueuePolicy", Map{{"Queues", List{queue.ref()}}});
    const auto all = findings(app);
    CHECK(all.size() == 2);
    the_finding(all, "Deliberate/Unknown: Properties.FutureSetting: AWS::SQS::Queue has no property FutureSetting");
    the_finding(all, "Deliberate/NoDocument: Properties.PolicyDocument: AWS::SQS::QueuePolicy requires PolicyDocument");
}
