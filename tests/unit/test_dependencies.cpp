// Resource attributes and template sections: DependsOn (construct and resource level),
// removal policies, Condition, Metadata, Outputs and Parameters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {

const json& resource(const json& doc, const CfnElement& element) { return doc.at("Resources").at(element.logical_id()); }

json ids(std::vector<const CfnElement*> elements) {
    std::vector<std::string> out;
    for (const auto* e : elements) out.push_back(e->logical_id());
    std::sort(out.begin(), out.end());
    return out;
}

OutputProps output(Value value, std::string description = {}, std::string export_name = {},
                   const CfnCondition* condition = nullptr) {
    return OutputProps{std::move(value), std::move(description), std::move(export_name), condition};
}

} // namespace

TEST_CASE("add_dependency gives every resource below a construct a DependsOn on every resource below the other",
          "[dependencies]") {
    App app;
    auto& stack = make<Stack>(app, "Deps");
    auto& backend = make<Construct>(stack, "Backend");
    auto& queue = make<CfnResource>(backend, "Queue", "AWS::SQS::Queue");
    auto& topic = make<CfnResource>(backend, "Topic", "AWS::SNS::Topic");
    auto& backend_logs = make<Construct>(backend, "Logs");
    auto& backend_log_group = make<CfnResource>(backend_logs, "Resource", "AWS::Logs::LogGroup");
    auto& frontend = make<Construct>(stack, "Frontend");
    auto& bucket = make<CfnResource>(frontend, "Bucket", "AWS::S3::Bucket");
    auto& web = make<Construct>(frontend, "Web");
    auto& web_logs = make<CfnResource>(web, "Logs", "AWS::Logs::LogGroup");
    // Refs and GetAtts already order these two: no DependsOn for them (cfn-lint W3005).
    auto& subscription =
        make<CfnResource>(frontend, "Subscription", "AWS::SNS::Subscription",
                          Map{{"TopicArn", topic.ref()}, {"Protocol", "sqs"}, {"Endpoint", queue.get_att("Arn")}});
    auto& unrelated = make<CfnResource>(stack, "Unrelated", "AWS::SQS::Queue");

    frontend.add_dependency(backend);
    frontend.add_dependency(backend);   // twice: recorded once
    bucket.add_depends_on(queue);       // explicit, and implied by the construct dependency
    web.add_dependency(backend_logs);   // implied again, by a deeper scope
    CHECK(frontend.dependencies().size() == 1);

    const json doc = unit::template_of(unit::synth_and_emit(app, "dependencies-construct"));
    const json all_backend = ids({&queue, &topic, &backend_log_group});
    CHECK(resource(doc, bucket)["DependsOn"] == all_backend);
    CHECK(resource(doc, web_logs)["DependsOn"] == all_backend);
    CHECK(resource(doc, subscription)["DependsOn"] == ids({&backend_log_group}));
    CHECK_FALSE(resource(doc, unrelated).contains("DependsOn"));
    CHECK_FALSE(resource(doc, queue).contains("DependsOn"));
    // Sorted and without duplicates.
    const auto depends_on = resource(doc, bucket)["DependsOn"].get<std::vector<std::string>>();
    CHECK(std::is_sorted(depends_on.begin(), depends_on.end()));
    CHECK(std::adjacent_find(depends_on.begin(), depends_on.end()) == depends_on.end());
    // Attribute order in the JSON text: Type, Properties, DependsOn, ..., Metadata.
    const auto ordered = nlohmann::ordered_json::parse(app.synth().file("Deps.template.json"));
    std::vector<std::string> keys;
    for (const auto& [key, value] : ordered["Resources"][subscription.logical_id()].items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"Type", "Properties", "DependsOn", "Metadata"});
}

TEST_CASE("add_depends_on writes an explicit DependsOn, unless a reference already implies it", "[dependencies]") {
    App app;
    auto& stack = make<Stack>(app, "DependsOn");
    auto& first = make<CfnResource>(stack, "First", "AWS::SQS::Queue");
    auto& second = make<CfnResource>(stack, "Second", "AWS::SQS::Queue");
    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic");
    auto& third = make<CfnResource>(stack, "Third", "AWS::SNS::Subscription",
                                    Map{{"TopicArn", topic.ref()}, {"Protocol", "sqs"}, {"Endpoint", first.get_att("Arn")}});
    second.add_depends_on(first);
    second.add_depends_on(first);
    third.add_depends_on(second);
    third.add_depends_on(first); // implied by the GetAtt
    third.add_depends_on(topic); // implied by the Ref
    CHECK(second.depends_on().size() == 1);
    CHECK_THROWS_AS(first.add_depends_on(first), ConstructError);

    const json doc = unit::template_of(unit::synth_and_emit(app, "dependencies-explicit"));
    CHECK(doc["Resources"]["Second"]["DependsOn"] == json::array({"First"}));
    CHECK(doc["Resources"]["Third"]["DependsOn"] == json::array({"Second"}));
    CHECK_FALSE(doc["Resources"]["First"].contains("DependsOn"));
}

TEST_CASE("add_dependency across stacks orders the stacks instead of writing DependsOn", "[dependencies]") {
    App app;
    auto& consumer = make<Stack>(app, "DepsConsumer");
    auto& producer = make<Stack>(app, "DepsProducer");
    auto& consumer_queue = make<CfnResource>(consumer, "Queue", "AWS::SQS::Queue");
    auto& producer_topic = make<CfnResource>(producer, "Topic", "AWS::SNS::Topic");
    consumer_queue.add_dependency(producer_topic);

    const Assembly assembly = unit::synth_and_emit(app, "dependencies-stacks");
    REQUIRE(assembly.stacks.size() == 2);
    CHECK(assembly.stacks[0].name == "DepsProducer");
    CHECK(assembly.stacks[1].name == "DepsConsumer");
    CHECK(assembly.stacks[1].dependencies == std::vector<std::string>{"DepsProducer"});
    CHECK(assembly.stacks[0].dependencies.empty());
    CHECK_FALSE(unit::template_of(assembly, "DepsConsumer")["Resources"]["Queue"].contains("DependsOn"));
}

TEST_CASE("removal policies set DeletionPolicy and UpdateReplacePolicy", "[dependencies][removal]") {
    App app;
    auto& stack = make<Stack>(app, "Removal");
    auto& destroyed = make<CfnResource>(stack, "Destroyed", "AWS::SQS::Queue");
    auto& retained = make<CfnResource>(stack, "Retained", "AWS::SNS::Topic");
    auto& snapshot = make<CfnResource>(stack, "Snapshotted", "AWS::EC2::Volume",
                                       Map{{"AvailabilityZone", Fn::select(0, Fn::get_azs())}, {"Size", 10}});
    auto& kept = make<CfnResource>(stack, "Kept", "AWS::Logs::LogGroup");
    auto& plain = make<CfnResource>(stack, "Plain", "AWS::SQS::Queue");
    destroyed.apply_removal_policy(RemovalPolicy::Destroy);
    retained.apply_removal_policy(RemovalPolicy::Retain);
    snapshot.apply_removal_policy(RemovalPolicy::Snapshot);
    kept.apply_removal_policy(RemovalPolicy::RetainOnUpdateOrDelete);
    CHECK(kept.removal_policy() == RemovalPolicy::RetainOnUpdateOrDelete);
    CHECK_FALSE(plain.removal_policy().has_value());

    const json doc = unit::template_of(unit::synth_and_emit(app, "removal-policies"));
    auto policies = [&](const CfnResource& r) {
        const json& j = resource(doc, r);
        return std::make_pair(j.value("DeletionPolicy", std::string("-")), j.value("UpdateReplacePolicy", std::string("-")));
    };
    CHECK(policies(destroyed) == std::make_pair(std::string("Delete"), std::string("Delete")));
    CHECK(policies(retained) == std::make_pair(std::string("Retain"), std::string("Retain")));
    CHECK(policies(snapshot) == std::make_pair(std::string("Snapshot"), std::string("Snapshot")));
    CHECK(policies(kept) == std::make_pair(std::string("RetainExceptOnCreate"), std::string("Retain")));
    CHECK(policies(plain) == std::make_pair(std::string("-"), std::string("-")));
}

TEST_CASE("a resource's Condition and Metadata", "[dependencies]") {
    App app;
    auto& stack = make<Stack>(app, "Attributes");
    auto& stage = make<CfnParameter>(stack, "Stage", ParameterProps{});
    auto& is_prod = make<CfnCondition>(stack, "IsProd", Fn::equals(stage.ref(), "prod"));
    auto& group = make<Construct>(stack, "Alarms");
    auto& topic = make<CfnResource>(group, "Topic", "AWS::SNS::Topic");
    topic.set_condition(is_prod);
    topic.add_metadata("Purpose", "alarms");
    topic.add_metadata("Owners", List{"ops", "dev"});
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    CHECK(topic.condition() == &is_prod);
    CHECK(queue.condition() == nullptr);

    const json doc = unit::template_of(unit::synth_and_emit(app, "resource-attributes"));
    CHECK(resource(doc, topic)["Condition"] == "IsProd");
    CHECK(resource(doc, topic)["Metadata"] ==
          json::parse(R"({"Owners": ["ops", "dev"], "Purpose": "alarms", "aws:cdk:path": "Attributes/Alarms/Topic"})"));
    CHECK_FALSE(resource(doc, queue).contains("Condition"));
    CHECK(resource(doc, queue)["Metadata"] == json::parse(R"({"aws:cdk:path": "Attributes/Queue"})"));
    CHECK(doc["Conditions"]["IsProd"] == json::parse(R"({"Fn::Equals": [{"Ref": "Stage"}, "prod"]})"));
}

TEST_CASE("Outputs with Description, Export and Condition", "[dependencies][outputs]") {
    App app;
    auto& stack = make<Stack>(app, "Outputs");
    auto& stage = make<CfnParameter>(stack, "Stage", ParameterProps{});
    auto& is_prod = make<CfnCondition>(stack, "IsProd", Fn::equals(stage.ref(), "prod"));
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    make<CfnOutput>(stack, "QueueUrl", output(queue.ref(), "The queue's URL", "outputs-queue-url"));
    make<CfnOutput>(stack, "QueueArn", output(queue.get_att("Arn")));
    make<CfnOutput>(stack, "ProdOnly", output(Fn::sub("${AWS::StackName}-prod"), "", "", &is_prod));

    const json doc = unit::template_of(unit::synth_and_emit(app, "outputs"));
    CHECK(doc["Outputs"]["QueueUrl"] == json::parse(R"({"Description": "The queue's URL", "Value": {"Ref": "Queue"},
                                                          "Export": {"Name": "outputs-queue-url"}})"));
    CHECK(doc["Outputs"]["QueueArn"] == json::parse(R"({"Value": {"Fn::GetAtt": ["Queue", "Arn"]}})"));
    CHECK(doc["Outputs"]["ProdOnly"] ==
          json::parse(R"({"Value": {"Fn::Sub": "${AWS::StackName}-prod"}, "Condition": "IsProd"})"));
    // Key order as CloudFormation documents it.
    const auto ordered = nlohmann::ordered_json::parse(app.synth().file("Outputs.template.json"));
    std::vector<std::string> keys;
    for (const auto& [key, value] : ordered["Outputs"]["QueueUrl"].items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"Description", "Value", "Export"});
    // import_value() of an exported output.
    App other;
    auto& producer = make<Stack>(other, "Producer");
    auto& out = make<CfnOutput>(producer, "Url", output("x", "", "shared-url"));
    CHECK(out.import_value() == Fn::import_value("shared-url"));
}

TEST_CASE("Parameters with every option", "[dependencies][parameters]") {
    App app;
    auto& stack = make<Stack>(app, "Parameters");
    ParameterProps count;
    count.type = "Number";
    count.default_value = 3;
    count.description = "How many";
    count.min_value = 1;
    count.max_value = 10;
    count.constraint_description = "between 1 and 10";
    ParameterProps name;
    name.default_value = "jobs";
    name.allowed_pattern = "^[a-z]+$";
    name.min_length = 1;
    name.max_length = 20;
    ParameterProps secret;
    secret.no_echo = true;
    ParameterProps stage;
    stage.default_value = "dev";
    stage.allowed_values = {"dev", "prod"};
    ParameterProps vpc;
    vpc.type = "AWS::EC2::VPC::Id";
    auto& count_param = make<CfnParameter>(stack, "Count", count);
    auto& name_param = make<CfnParameter>(stack, "QueueName", name);
    auto& secret_param = make<CfnParameter>(stack, "Secret", secret);
    auto& stage_param = make<CfnParameter>(stack, "Stage", stage);
    auto& vpc_param = make<CfnParameter>(stack, "Vpc", vpc);
    make<CfnResource>(stack, "Queue", "AWS::SQS::Queue",
                      Map{{"QueueName", Fn::join("-", List{name_param.ref(), stage_param.ref()})}});
    make<CfnOutput>(stack, "CountValue", output(count_param.ref()));
    make<CfnResource>(stack, "Group", "AWS::EC2::SecurityGroup",
                      Map{{"GroupDescription", "parameters test"}, {"VpcId", vpc_param.ref()}});
    make<CfnResource>(stack, "SecretParameter", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", secret_param.ref()}});

    const json doc = unit::template_of(unit::synth_and_emit(app, "parameters"));
    CHECK(doc["Parameters"]["Count"] == json::parse(R"({"Type": "Number", "Default": 3, "ConstraintDescription": "between 1 and 10",
        "Description": "How many", "MaxValue": 10.0, "MinValue": 1.0})"));
    CHECK(doc["Parameters"]["QueueName"] ==
          json::parse(R"({"Type": "String", "Default": "jobs", "AllowedPattern": "^[a-z]+$", "MaxLength": 20, "MinLength": 1})"));
    CHECK(doc["Parameters"]["Secret"] == json::parse(R"({"Type": "String", "NoEcho": true})"));
    CHECK(doc["Parameters"]["Stage"] == json::parse(R"({"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]})"));
    CHECK(doc["Parameters"]["Vpc"] == json::parse(R"({"Type": "AWS::EC2::VPC::Id"})"));
    CHECK(doc["Outputs"]["CountValue"]["Value"] == json::parse(R"({"Ref": "Count"})"));
}
