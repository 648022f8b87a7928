// References between stacks: each way a value can travel, and the errors.
#include <catch2/catch.hpp>

#include "leafsynth/leafsynth.hpp"
#include "leafsynth/nested_stack.hpp"
#include "multi_region_app.hpp"
#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {
StackProps in(const std::string& name, const std::string& region) { return StackProps{name, {}, {{}, region}}; }

CfnResource& topic(Construct& scope, const std::string& id) {
    return make<CfnResource>(scope, id, "AWS::SNS::Topic");
}
CfnResource& param(Construct& scope, const std::string& id, Value v) {
    return make<CfnResource>(scope, id, "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", std::move(v)}});
}
} // namespace

TEST_CASE("a reference within one stack is a plain Ref or Fn::GetAtt") {
    App app;
    auto& s = make<Stack>(app, "One", in("One", "eu-west-1"));
    auto& t = topic(s, "Topic");
    param(s, "Name", t.get_att("TopicName"));
    Assembly a = unit::synth_and_emit(app, "refs-same-stack");
    json tpl = unit::template_of(a);
    CHECK(tpl["Resources"]["Name"]["Properties"]["Value"] == json::parse(R"({"Fn::GetAtt":["Topic","TopicName"]})"));
    CHECK_FALSE(tpl.contains("Outputs"));
}

TEST_CASE("same account and region: an export, Fn::ImportValue, and a stack dependency") {
    App app;
    auto& producer = make<Stack>(app, "Producer", in("Producer", "eu-west-1"));
    auto& consumer = make<Stack>(app, "Consumer", in("Consumer", "eu-west-1"));
    auto& t = topic(producer, "Topic");
    param(consumer, "Arn", t.ref());
    param(consumer, "Name", t.get_att("TopicName"));
    param(consumer, "ArnAgain", t.ref()); // one export serves every use
    Assembly a = unit::synth_and_emit(app, "refs-export");
    json p = unit::template_of(a, "Producer");
    json c = unit::template_of(a, "Consumer");
    CHECK(p["Outputs"]["ExportTopicRef"] == json::parse(R"({"Value":{"Ref":"Topic"},"Export":{"Name":"Producer:TopicRef"}})"));
    CHECK(p["Outputs"]["ExportTopicTopicName"]["Export"]["Name"] == "Producer:TopicTopicName");
    CHECK(p["Outputs"].size() == 2);
    CHECK(c["Resources"]["Arn"]["Properties"]["Value"] == json::parse(R"({"Fn::ImportValue":"Producer:TopicRef"})"));
    CHECK(c["Resources"]["ArnAgain"]["Properties"]["Value"] == c["Resources"]["Arn"]["Properties"]["Value"]);
    REQUIRE(a.stacks.size() == 2);
    CHECK(a.stacks[0].name == "Producer");
    CHECK(a.stacks[1].name == "Consumer");
    CHECK(a.stacks[1].dependencies == std::vector<std::string>{"Producer"});
    json manifest = unit::parse_json(a.file("manifest.json"));
    auto deps = manifest["artifacts"]["Consumer"]["dependencies"];
    CHECK(std::find(deps.begin(), deps.end(), "Producer") != deps.end());
}

TEST_CASE("different regions: an SSM parameter written by the producer, read through an SSM-typed template parameter") {
    App app;
    auto& producer = make<Stack>(app, "Producer", in("Producer", "eu-west-1"));
    auto& consumer = make<Stack>(app, "Consumer", in("Consumer", "us-east-1"));
    auto& t = topic(producer, "Topic");
    param(consumer, "Arn", t.ref());
    Assembly a = unit::synth_and_emit(app, "refs-cross-region");
    json p = unit::template_of(a, "Producer");
    json c = unit::template_of(a, "Consumer");
    CHECK(c["Resources"]["Arn"]["Properties"]["Value"] == json::parse(R"({"Ref":"CrossRegionProducerTopicRef"})"));
    CHECK(c["Parameters"]["CrossRegionProducerTopicRef"] ==
          json::parse(R"J({"Type":"AWS::SSM::Parameter::Value<String>","Default":"/leafsynth/Consumer/Producer/TopicRef",
                          "Description":"Written by Producer (eu-west-1)"})J"));
    json writer;
    for (auto& [id, r] : p["Resources"].items())
        if (r["Type"] == "Custom::LeafsynthCrossRegionParameters") writer = r;
    REQUIRE(writer.is_object());
    CHECK(writer["Properties"]["Region"] == "us-east-1");
    CHECK(writer["Properties"]["Parameters"] ==
          json::parse(R"({"/leafsynth/Consumer/Producer/TopicRef":{"Ref":"Topic"}})"));
    // Least privilege: only this producer's parameters, only in the consumer's region.
    bool scoped = false;
    for (auto& [id, r] : p["Resources"].items()) {
        if (r["Type"] != "AWS::IAM::Policy") continue;
        auto statement = r["Properties"]["PolicyDocument"]["Statement"][0];
        CHECK(statement["Resource"] ==
              json::parse(R"([{"Fn::Sub":"arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/leafsynth/*/Producer/*"}])"));
        // Before deleting, the writer reads who wrote each parameter: a read-only call without resource scope.
        CHECK(r["Properties"]["PolicyDocument"]["Statement"][1] ==
              json::parse(R"({"Effect":"Allow","Action":"ssm:DescribeParameters","Resource":"*"})"));
        scoped = true;
    }
    CHECK(scoped);
    CHECK_FALSE(p.contains("Outputs")); // no export: nothing can lock the producer
    CHECK(a.stacks[1].dependencies == std::vector<std::string>{"Producer"});
}

TEST_CASE("cross-region writers: one resource per consumer region, whatever the number of consumer stacks") {
    App app;
    auto& producer = make<Stack>(app, "Producer", in("Producer", "eu-west-1"));
    auto& t = topic(producer, "Topic");
    // 600 consumers in us-east-1 and one in ap-south-1: one writer resource per consumer per region
    // would put the producer over CloudFormation's 500 resources.
    for (int i = 0; i < 600; ++i) param(make<Stack>(app, "East" + std::to_string(i), in("East" + std::to_string(i), "us-east-1")), "Arn", t.ref());
    param(make<Stack>(app, "South", in("South", "ap-south-1")), "Arn", t.get_att("TopicName"));
    Assembly a = unit::synth_and_emit(app, "refs-cross-region-many");
    json p = unit::template_of(a, "Producer");
    std::map<std::string, json> writers; // region -> resource
    for (auto& [id, r] : p["Resources"].items())
        if (r["Type"] == "Custom::LeafsynthCrossRegionParameters") writers[r["Properties"]["Region"]] = r;
    REQUIRE(writers.size() == 2);
    const json& east = writers["us-east-1"]["Properties"]["Parameters"];
    CHECK(east.size() == 600);
    CHECK(east["/leafsynth/East0/Producer/TopicRef"] == json::parse(R"({"Ref":"Topic"})"));
    CHECK(east["/leafsynth/East599/Producer/TopicRef"] == json::parse(R"({"Ref":"Topic"})"));
    CHECK(writers["ap-south-1"]["Properties"]["Parameters"] ==
          json::parse(R"({"/leafsynth/South/Producer/TopicTopicName":{"Fn::GetAtt":["Topic","TopicName"]}})"));
    // The policy: one wildcard per region (a list of 600 ARNs would exceed an inline policy's size).
    std::vector<json> policies;
    for (auto& [id, r] : p["Resources"].items())
        if (r["Type"] == "AWS::IAM::Policy") policies.push_back(r["Properties"]["PolicyDocument"]["Statement"][0]["Resource"]);
    REQUIRE(policies.size() == 1);
    CHECK(policies[0] == json::parse(R"([{"Fn::Sub":"arn:${AWS::Partition}:ssm:ap-south-1:${AWS::AccountId}:parameter/leafsynth/*/Producer/*"},
                                        {"Fn::Sub":"arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/leafsynth/*/Producer/*"}])"));
    CHECK(p["Resources"].size() < 10);
}

TEST_CASE("a reference needs both stacks to have a region, and one account") {
    App app;
    auto& producer = make<Stack>(app, "Producer", in("Producer", ""));
    auto& consumer = make<Stack>(app, "Consumer", in("Consumer", "us-east-1"));
    param(consumer, "Arn", topic(producer, "Topic").ref());
    auto& other = make<Stack>(app, "OtherAccount", StackProps{"OtherAccount", {}, {"111111111111", "us-east-1"}});
    auto& mine = make<Stack>(app, "MyAccount", StackProps{"MyAccount", {}, {"222222222222", "us-east-1"}});
    param(mine, "Arn", topic(other, "Topic").ref());
    try {
        app.synth();
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        REQUIRE(e.messages().size() == 2);
        CHECK_THAT(e.messages()[0], Catch::Contains("Consumer/Arn") && Catch::Contains("has no region"));
        CHECK_THAT(e.messages()[1], Catch::Contains("MyAccount/Arn") && Catch::Contains("between accounts"));
    }
}

TEST_CASE("a reference into another app is an error naming both paths") {
    App app1, app2;
    auto& s1 = make<Stack>(app1, "A", in("A", "us-east-1"));
    auto& s2 = make<Stack>(app2, "B", in("B", "us-east-1"));
    param(s2, "Arn", topic(s1, "Topic").ref());
    try {
        app2.synth();
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        REQUIRE(e.messages().size() == 1);
        CHECK_THAT(e.messages()[0], Catch::StartsWith("B/Arn: ") && Catch::Contains("'A/Topic'") &&
                                        Catch::Contains("another app"));
    }
}

TEST_CASE("a cycle between stacks names the chain and the references that form it") {
    App app;
    auto& a = make<Stack>(app, "Alpha", in("Alpha", "us-east-1"));
    auto& b = make<Stack>(app, "Beta", in("Beta", "us-east-1"));
    auto& ta = topic(a, "TopicA");
    auto& tb = topic(b, "TopicB");
    param(a, "UsesB", tb.ref());
    param(b, "UsesA", ta.ref());
    try {
        app.synth();
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        std::string all;
        for (const auto& m : e.messages()) all += m + "\n";
        CHECK_THAT(all, Catch::Contains("cycle"));
        CHECK_THAT(all, Catch::Contains("Alpha depends on Beta (Alpha/UsesB -> Beta/TopicB)"));
        CHECK_THAT(all, Catch::Contains("Beta depends on Alpha (Beta/UsesA -> Alpha/TopicA)"));
    }
}

TEST_CASE("explicit stack dependencies order stacks, and ls prints that order") {
    App app;
    auto& last = make<Stack>(app, "Last", in("Last", "us-east-1"));
    auto& first = make<Stack>(app, "First", StackProps{"First", {}, {"123456789012", "eu-west-1"}});
    auto& middle = make<Stack>(app, "Middle", in("Middle", "us-east-1"));
    topic(last, "T");
    topic(first, "T");
    topic(middle, "T");
    last.add_dependency(middle);
    middle.add_dependency(first);
    Assembly a = unit::synth_and_emit(app, "stack-order");
    CHECK(deployment_listing(a) ==
          "First\teu-west-1\t123456789012\t-\nMiddle\tus-east-1\t-\tFirst\nLast\tus-east-1\t-\tMiddle\n");
}

TEST_CASE("the multi-region example: deployment order, both directions across regions, one region when main is us-east-1") {
    {
        App app;
        multi_region::build(app, "us-west-2", "123456789012");
        Assembly a = unit::synth_and_emit(app, "multi-region-us-west-2");
        CHECK(deployment_listing(a) == "Shared\tus-west-2\t123456789012\t-\n"
                                       "Edge\tus-east-1\t123456789012\tShared\n"
                                       "Service\tus-west-2\t123456789012\tEdge,Shared\n");
        json edge = unit::template_of(a, "Edge");
        json service = unit::template_of(a, "Service");
        CHECK(edge["Parameters"]["CrossRegionSharedAlertsRef"]["Default"] == "/leafsynth/Edge/Shared/AlertsRef");
        CHECK(edge["Resources"]["AlertsTopicArn"]["Properties"]["Value"] ==
              json::parse(R"({"Ref":"CrossRegionSharedAlertsRef"})"));
        CHECK(service["Parameters"]["CrossRegionEdgeAuditArn"]["Default"] == "/leafsynth/Service/Edge/AuditArn");
        CHECK(service["Resources"]["AuditLogGroupArn"]["Properties"]["Value"] ==
              json::parse(R"({"Ref":"CrossRegionEdgeAuditArn"})"));
        CHECK(service["Resources"]["DataBucketName"]["Properties"]["Value"] ==
              json::parse(R"({"Fn::ImportValue":"Shared:DataRef"})"));
    }
    {
        App app;
        multi_region::build(app, "us-east-1", "123456789012");
        Assembly a = unit::synth_and_emit(app, "multi-region-us-east-1");
        for (const auto& f : a.files) CHECK(f.contents.find("LeafsynthCrossRegion") == std::string::npos);
        json edge = unit::template_of(a, "Edge");
        CHECK(edge["Resources"]["AlertsTopicArn"]["Properties"]["Value"] ==
              json::parse(R"({"Fn::ImportValue":"Shared:AlertsRef"})"));
    }
}

TEST_CASE("an export the producer already declares for a value is reused by consumers") {
    App app;
    auto& producer = make<Stack>(app, "Producer", StackProps{"Producer", {}, {{}, "eu-west-1"}});
    auto& consumer = make<Stack>(app, "Consumer", StackProps{"Consumer", {}, {{}, "eu-west-1"}});
    auto& t = make<CfnResource>(producer, "Topic", "AWS::SNS::Topic");
    make<CfnOutput>(producer, "TopicArn", OutputProps{t.ref(), "kept for leaves", "Producer-TopicArn", nullptr});
    make<CfnResource>(consumer, "Arn", "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", t.ref()}});
    Assembly a = unit::synth_and_emit(app, "refs-declared-export");
    json p = unit::template_of(a, "Producer");
    CHECK(p["Outputs"].size() == 1);
    CHECK(unit::template_of(a, "Consumer")["Resources"]["Arn"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::ImportValue":"Producer-TopicArn"})"));
}
