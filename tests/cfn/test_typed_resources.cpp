// The typed resources (include/leafsynth/cfn/): props built with designated initializers render
// as the CloudFormation properties they name, nested property types and lists included;
// attributes and refs cross stacks as any handle does; tags given in props join Tags::of(); what
// a Field takes is checked by the compiler.
#include <catch2/catch.hpp>

#include <leafsynth/cfn/dynamodb.hpp>
#include <leafsynth/cfn/lambda.hpp>
#include <leafsynth/cfn/s3.hpp>
#include <leafsynth/cfn/sqs.hpp>
#include <leafsynth/cfn/ssm.hpp>

#include <type_traits>

#include "support.hpp"

using namespace leafsynth;
using unit::json;
namespace s3 = leafsynth::cfn::s3;
namespace sqs = leafsynth::cfn::sqs;
namespace dynamodb = leafsynth::cfn::dynamodb;
namespace lambda = leafsynth::cfn::lambda;
namespace ssm = leafsynth::cfn::ssm;

namespace {

const json& resource(const json& t, const std::string& id) { return t.at("Resources").at(id); }

// What compiles is what the schema allows.
static_assert(std::is_convertible_v<int, cfn::Field<std::int64_t>>);
static_assert(!std::is_convertible_v<const char*, cfn::Field<std::int64_t>>);
static_assert(!std::is_convertible_v<double, cfn::Field<std::int64_t>>);
static_assert(!std::is_convertible_v<bool, cfn::Field<std::int64_t>>);
static_assert(std::is_convertible_v<bool, cfn::Field<bool>>);
static_assert(!std::is_convertible_v<const char*, cfn::Field<bool>>);
static_assert(!std::is_convertible_v<int, cfn::Field<bool>>);
static_assert(std::is_convertible_v<const char*, cfn::Field<std::string>>);
static_assert(!std::is_convertible_v<int, cfn::Field<std::string>>);
static_assert(std::is_convertible_v<Value, cfn::Field<std::string>>); // an intrinsic may stand anywhere
static_assert(std::is_convertible_v<Value, cfn::Field<std::int64_t>>);
static_assert(!std::is_convertible_v<sqs::CfnQueueProps, cfn::Field<s3::CfnBucket::LifecycleConfigurationProperty>>);
static_assert(std::is_aggregate_v<sqs::CfnQueueProps>);
static_assert(std::is_aggregate_v<s3::CfnBucket::RuleProperty>);
static_assert(std::is_base_of_v<CfnResource, sqs::CfnQueue>);

} // namespace

TEST_CASE("typed SQS queues: props become properties, attributes cross stacks as exports and imports", "[cfn][typed]") {
    App app;
    auto& stack = make<Stack>(app, "Queues", StackProps{.env = {.region = "us-west-2"}});
    auto& other_stack = make<Stack>(app, "Consumers", StackProps{.env = {.region = "us-west-2"}});
    auto& dlq = make<sqs::CfnQueue>(stack, "Dlq", sqs::CfnQueueProps{.message_retention_period = 1209600});
    auto& queue = make<sqs::CfnQueue>(stack, "Queue", sqs::CfnQueueProps{
        .redrive_policy = Map{{"deadLetterTargetArn", dlq.attr_arn()}, {"maxReceiveCount", 5}},
        .visibility_timeout = 60});
    // (an output of an imported value would be cfn-lint W6001: the URL goes into a parameter)
    make<ssm::CfnParameter>(other_stack, "QueueUrl", ssm::CfnParameterProps{.type = "String", .value = queue.attr_queue_url()});
    make<sqs::CfnQueuePolicy>(other_stack, "MayNotify", sqs::CfnQueuePolicyProps{
        .policy_document = Map{{"Version", "2012-10-17"},
                               {"Statement", List{Map{{"Effect", "Allow"},
                                                      {"Principal", Map{{"Service", "sns.amazonaws.com"}}},
                                                      {"Action", "sqs:SendMessage"},
                                                      {"Resource", queue.attr_arn()}}}}},
        .queues = {queue.ref()}});
    CHECK(std::string(sqs::CfnQueue::kType) == "AWS::SQS::Queue");
    CHECK(queue.type() == "AWS::SQS::Queue");

    const Assembly assembly = unit::synth_and_emit(app, "typed-sqs");
    const json q = unit::template_of(assembly, "Queues");
    CHECK(resource(q, "Dlq") == json{{"Type", "AWS::SQS::Queue"},
                                     {"Properties", {{"MessageRetentionPeriod", 1209600}}},
                                     {"Metadata", {{"aws:cdk:path", "Queues/Dlq"}}}});
    CHECK(resource(q, "Queue")["Properties"] ==
          json{{"RedrivePolicy", {{"deadLetterTargetArn", {{"Fn::GetAtt", {"Dlq", "Arn"}}}}, {"maxReceiveCount", 5}}},
               {"VisibilityTimeout", 60}});
    // The URL leaves the stack as an export the other stack imports.
    bool exported = false;
    for (const auto& [name, output] : q["Outputs"].items())
        if (output["Value"] == json{{"Fn::GetAtt", {"Queue", "QueueUrl"}}} && output.contains("Export")) exported = true;
    CHECK(exported);
    const json c = unit::template_of(assembly, "Consumers");
    CHECK(resource(c, "QueueUrl")["Properties"]["Value"].contains("Fn::ImportValue"));
    const json& policy = resource(c, "MayNotify")["Properties"];
    CHECK(policy["Queues"].at(0).contains("Fn::ImportValue"));
    CHECK(policy["PolicyDocument"]["Statement"].at(0)["Resource"].contains("Fn::ImportValue"));
}

TEST_CASE("nested property types, lists, maps and tags render in CloudFormation's names", "[cfn][typed]") {
    App app;
    auto& stack = make<Stack>(app, "Data");
    auto& bucket = make<s3::CfnBucket>(stack, "Bucket", s3::CfnBucketProps{
        .lifecycle_configuration = s3::CfnBucket::LifecycleConfigurationProperty{
            .rules = {s3::CfnBucket::RuleProperty{.expiration_in_days = 30, .id = "expire", .status = "Enabled"}}},
        .tags = {cfn::Tag{.key = "Owner", .value = "data"}},
        .versioning_configuration = s3::CfnBucket::VersioningConfigurationProperty{.status = "Enabled"}});
    auto& table = make<dynamodb::CfnTable>(stack, "Table", dynamodb::CfnTableProps{
        .attribute_definitions = {dynamodb::CfnTable::AttributeDefinitionProperty{.attribute_name = "pk", .attribute_type = "S"}},
        .billing_mode = "PAY_PER_REQUEST",
        .key_schema = {dynamodb::CfnTable::KeySchemaProperty{.attribute_name = "pk", .key_type = "HASH"}}});
    make<lambda::CfnFunction>(stack, "Fn", lambda::CfnFunctionProps{
        .code = lambda::CfnFunction::CodeProperty{.zip_file = "def handler(e, c): return 1"},
        .environment = lambda::CfnFunction::EnvironmentProperty{
            .variables = {{"BUCKET", bucket.ref()}, {"TABLE", table.attr_arn()}}},
        .handler = "index.handler",
        .role = "arn:aws:iam::123456789012:role/fn",
        .runtime = "python3.12"});
    Tags::of(app).add("Project", "leafsynth");

    const json t = unit::template_of(unit::synth_and_emit(app, "typed-nested"));
    const json& b = resource(t, "Bucket")["Properties"];
    CHECK(b["LifecycleConfiguration"] ==
          json{{"Rules", {{{"ExpirationInDays", 30}, {"Id", "expire"}, {"Status", "Enabled"}}}}});
    CHECK(b["VersioningConfiguration"] == json{{"Status", "Enabled"}});
    // Tags from the props are initial tags, merged with Tags::of() and sorted.
    CHECK(b["Tags"] == json{{{"Key", "Owner"}, {"Value", "data"}}, {{"Key", "Project"}, {"Value", "leafsynth"}}});
    const json& d = resource(t, "Table")["Properties"];
    CHECK(d["KeySchema"] == json{{{"AttributeName", "pk"}, {"KeyType", "HASH"}}});
    CHECK(d["BillingMode"] == "PAY_PER_REQUEST");
    const json& f = resource(t, "Fn")["Properties"];
    CHECK(f["Environment"] == json{{"Variables", {{"BUCKET", {{"Ref", "Bucket"}}}, {"TABLE", {{"Fn::GetAtt", {"Table", "Arn"}}}}}}});
    CHECK(f["Code"] == json{{"ZipFile", "def handler(e, c): return 1"}});
    // Unset members are left out.
    CHECK_FALSE(f.contains("MemorySize"));
    CHECK_FALSE(b.contains("BucketName"));
}

TEST_CASE("a typed resource with no props, and intrinsics where the schema wants a list", "[cfn][typed]") {
    App app;
    auto& stack = make<Stack>(app, "Bare");
    auto& queue = make<sqs::CfnQueue>(stack, "Queue");
    make<sqs::CfnQueuePolicy>(stack, "Policy", sqs::CfnQueuePolicyProps{
        .policy_document = Map{{"Version", "2012-10-17"},
                               {"Statement", List{Map{{"Effect", "Allow"},
                                                      {"Principal", Map{{"Service", "sns.amazonaws.com"}}},
                                                      {"Action", "sqs:SendMessage"},
                                                      {"Resource", queue.attr_arn()}}}}},
        .queues = {queue.ref()}});
    const json t = unit::template_of(unit::synth_and_emit(app, "typed-bare"));
    CHECK_FALSE(resource(t, "Queue").contains("Properties"));
    CHECK(resource(t, "Policy")["Properties"]["Queues"] == json{{{"Ref", "Queue"}}});
}
