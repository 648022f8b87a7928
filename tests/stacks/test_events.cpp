// EventBridge constructs: rules, Lambda targets with their permission (named as aws-cdk-lib names
// it), SNS targets with a text input, topic policies, and the rule checks.
#include <catch2/catch.hpp>

#include "leafsynth/aws/events.hpp"
#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/aws/sns.hpp"
#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/leafsynth.hpp"
#include "leafsynth/nested_stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::aws;
using unit::json;

namespace {
StackProps in_region(const std::string& name) { return StackProps{name, {}, {{}, "us-west-2"}}; }

lambda::Function& function(Construct& scope, const std::string& id) {
    lambda::FunctionProps p;
    p.code_dir = containermanager::default_lambda_dir() / "break_crash_loop";
    p.handler = "main.lambda_handler";
    return make<lambda::Function>(scope, id, p);
}

events::RuleProps pattern(std::string name = {}) {
    events::RuleProps p;
    if (!name.empty()) p.rule_name = name;
    p.event_pattern = Map{{"source", List{"aws.ecs"}}};
    return p;
}
} // namespace

TEST_CASE("the permission for a Lambda target has the logical id aws-cdk-lib gives it") {
    // Same construct paths as the AWS CDK app: the permission's id must be the same.
    App app;
    auto& parent = make<Stack>(app, "ContainerManager-MinecraftJavaExample-Stack",
                               in_region("ContainerManager-MinecraftJavaExample-Stack"));
    auto& nested = make<NestedStack>(parent, "WatchdogNestedStack");
    auto& fn = function(nested, "BreakCrashLoop");
    auto& rule = make<events::Rule>(nested, "RuleBreakCrashLoop", pattern());
    CfnResource& permission = rule.add_lambda_target(fn);
    CHECK(permission.logical_id() ==
          "RuleBreakCrashLoopAllowEventRuleContainerManagerMinecraftJavaExampleStackWatchdogNestedStackBreakCrashLoopEC80BB480738F1D8");
    Assembly a = unit::synth_and_emit(app, "events-permission-id");
    json t = unit::parse_json(a.file("ContainerManager-MinecraftJavaExample-Stack.WatchdogNestedStack.nested.template.json"));
    json p = t["Resources"][permission.logical_id()]["Properties"];
    CHECK(p["Principal"] == "events.amazonaws.com");
    CHECK(p["Action"] == "lambda:InvokeFunction");
    CHECK(p["FunctionName"] == json::parse(R"({"Fn::GetAtt":["BreakCrashLoop81F563D6","Arn"]})"));
    CHECK(p["SourceArn"] == json::parse(R"({"Fn::GetAtt":["RuleBreakCrashLoopE9FC8982","Arn"]})"));
}

TEST_CASE("targets are numbered in order, SNS targets get a text as a JSON string") {
    App app;
    auto& s = make<Stack>(app, "Events", in_region("Events"));
    auto& topic = make<sns::Topic>(s, "Topic");
    events::allow_events_to_publish(topic);
    auto& fn = function(s, "Fn");
    events::RuleProps props = pattern("my-rule");
    props.description = "d";
    props.enabled = false;
    auto& rule = make<events::Rule>(s, "Rule", props);
    rule.add_lambda_target(fn);
    rule.add_sns_target(topic.arn(), events::input_from_text("It's \"up\"!"));
    rule.add_target("arn:aws:sqs:us-west-2:123456789012:q");
    CHECK(rule.targets().size() == 3);
    Assembly a = unit::synth_and_emit(app, "events-targets");
    json t = unit::template_of(a);
    json r = t["Resources"][make_unique_id({"Rule", "Resource"})]["Properties"];
    CHECK(r["Name"] == "my-rule");
    CHECK(r["Description"] == "d");
    CHECK(r["State"] == "DISABLED");
    CHECK(r["EventPattern"] == json::parse(R"({"source":["aws.ecs"]})"));
    REQUIRE(r["Targets"].size() == 3);
    CHECK(r["Targets"][0]["Id"] == "Target0");
    CHECK_FALSE(r["Targets"][0].contains("Input"));
    CHECK(r["Targets"][1]["Id"] == "Target1");
    const std::string topic_id = make_unique_id({"Topic", "Resource"});
    CHECK(r["Targets"][1]["Arn"] == json{{"Ref", topic_id}});
    CHECK(r["Targets"][1]["Input"] == "\"It's \\\"up\\\"!\"");
    CHECK(unit::parse_json(r["Targets"][1]["Input"].get<std::string>()) == "It's \"up\"!");
    CHECK(r["Targets"][2] == json::parse(R"({"Arn":"arn:aws:sqs:us-west-2:123456789012:q","Id":"Target2"})"));

    // The topic lets EventBridge publish, still over TLS only.
    json policy;
    for (auto& [id, res] : t["Resources"].items())
        if (res["Type"] == "AWS::SNS::TopicPolicy") policy = res["Properties"]["PolicyDocument"]["Statement"];
    REQUIRE(policy.size() == 2);
    CHECK(policy[0]["Effect"] == "Deny");
    json allow = json::parse(R"({"Action":"sns:Publish","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"}})");
    allow["Resource"] = json{{"Ref", topic_id}};
    CHECK(policy[1] == allow);
}

TEST_CASE("a text input holding a reference becomes an Fn::Join") {
    App app;
    auto& s = make<Stack>(app, "Events", in_region("Events"));
    auto& topic = make<sns::Topic>(s, "Topic");
    Value input = events::input_from_text(Fn::join("", List{"Topic ", topic.topic_name(), " is up"}));
    CHECK(input == Fn::join("", List{"\"Topic ", topic.topic_name(), " is up\""}));
}

TEST_CASE("rule checks: pattern required, name rules, at most 5 targets") {
    App app;
    auto& s = make<Stack>(app, "Events", in_region("Events"));
    make<events::Rule>(s, "NoPattern", events::RuleProps{});
    make<events::Rule>(s, "BadName", pattern("has space"));
    make<events::Rule>(s, "LongName", pattern(std::string(65, 'a')));
    auto& many = make<events::Rule>(s, "Many", pattern());
    for (int i = 0; i < 6; ++i) many.add_target("arn:aws:sns:us-west-2:123456789012:t" + std::to_string(i));
    make<events::Rule>(s, "Fine", pattern(std::string(64, 'a')));
    try {
        app.synth();
        FAIL("synth should fail");
    } catch (const ValidationError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("Events/NoPattern") && Catch::Contains("no event pattern"));
        CHECK_THAT(what, Catch::Contains("Events/BadName") && Catch::Contains("rule name 'has space'"));
        CHECK_THAT(what, Catch::Contains("Events/LongName") && Catch::Contains("65 characters"));
        CHECK_THAT(what, Catch::Contains("Events/Many") && Catch::Contains("6 targets"));
        CHECK_THAT(what, !Catch::Contains("Events/Fine"));
    }
}
