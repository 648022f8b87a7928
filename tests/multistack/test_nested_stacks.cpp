// Nested stacks: their own template, a readable logical id, parameters and outputs wired automatically.
#include <catch2/catch.hpp>

#include "leafsynth/leafsynth.hpp"
#include "leafsynth/nested_stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {
CfnResource& queue(Construct& scope, const std::string& id) { return make<CfnResource>(scope, id, "AWS::SQS::Queue"); }
CfnResource& param(Construct& scope, const std::string& id, Value v) {
    return make<CfnResource>(scope, id, "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", std::move(v)}});
}
json nested(const Assembly& a, const std::string& artifact) {
    return unit::parse_json(a.file(artifact + ".nested.template.json"));
}
} // namespace

TEST_CASE("a nested stack is an AWS::CloudFormation::Stack named <Id>NestedStack pointing at its template asset") {
    App app;
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {"123456789012", "eu-west-1"}});
    auto& volumes = make<NestedStack>(parent, "Volumes");
    queue(volumes, "Q");
    Assembly a = unit::synth_and_emit(app, "nested-basic");
    json p = unit::template_of(a, "Parent");
    REQUIRE(p["Resources"].contains("VolumesNestedStack"));
    json r = p["Resources"]["VolumesNestedStack"];
    CHECK(r["Type"] == "AWS::CloudFormation::Stack");
    CHECK(r["Metadata"]["aws:cdk:path"] == "Parent/Volumes.NestedStackResource");
    const std::string& text = a.file("Parent.Volumes.nested.template.json");
    std::string hash = sha256_hex(text);
    CHECK(r["Properties"]["TemplateURL"] ==
          json{{"Fn::Sub", "https://s3.eu-west-1.${AWS::URLSuffix}/cdk-hnb659fds-assets-123456789012-eu-west-1/" + hash + ".json"}});
    CHECK_FALSE(r["Properties"].contains("Parameters"));
    // The nested template is a file asset of the top-level stack.
    json assets = unit::parse_json(a.file("Parent.assets.json"));
    REQUIRE(assets["files"].contains(hash));
    CHECK(assets["files"][hash]["source"]["path"] == "Parent.Volumes.nested.template.json");
    // Summaries list the nested stack under its parent.
    REQUIRE(a.stacks.size() == 2);
    CHECK(a.stacks[1].parent == "Parent");
    CHECK(a.stacks[1].template_file == "Parent.Volumes.nested.template.json");
}

TEST_CASE("a nested stack deeper in the construct tree keeps a readable id from its path") {
    App app;
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {{}, "eu-west-1"}});
    auto& group = make<Construct>(parent, "Group");
    queue(make<NestedStack>(group, "Inner-Part"), "Q");
    Assembly a = unit::synth_and_emit(app, "nested-deep-path");
    CHECK(unit::template_of(a, "Parent")["Resources"].contains("GroupInnerPartNestedStack"));
}

TEST_CASE("parent -> nested, nested -> parent and sibling -> sibling references use Parameters and Outputs") {
    App app;
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {{}, "eu-west-1"}});
    auto& jobs = queue(parent, "Jobs");
    auto& producer = make<NestedStack>(parent, "Producer");
    auto& made = queue(producer, "Made");
    auto& consumer = make<NestedStack>(parent, "Consumer");
    param(consumer, "FromParent", jobs.get_att("Arn"));
    param(consumer, "FromSibling", made.ref());
    param(parent, "FromChild", made.get_att("QueueName"));
    Assembly a = unit::synth_and_emit(app, "nested-wiring");
    json p = unit::template_of(a, "Parent");
    json prod = nested(a, "Parent.Producer");
    json cons = nested(a, "Parent.Consumer");

    CHECK(prod["Outputs"]["MadeRef"]["Value"] == json::parse(R"({"Ref":"Made"})"));
    CHECK(prod["Outputs"]["MadeQueueName"]["Value"] == json::parse(R"({"Fn::GetAtt":["Made","QueueName"]})"));
    CHECK(p["Resources"]["FromChild"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::GetAtt":["ProducerNestedStack","Outputs.MadeQueueName"]})"));

    CHECK(cons["Parameters"]["JobsArn"] == json::parse(R"({"Type":"String"})"));
    CHECK(cons["Resources"]["FromParent"]["Properties"]["Value"] == json::parse(R"({"Ref":"JobsArn"})"));
    CHECK(cons["Resources"]["FromSibling"]["Properties"]["Value"] == json::parse(R"({"Ref":"ProducerMadeRef"})"));
    CHECK(p["Resources"]["ConsumerNestedStack"]["Properties"]["Parameters"] ==
          json::parse(R"({"JobsArn":{"Fn::GetAtt":["Jobs","Arn"]},
                          "ProducerMadeRef":{"Fn::GetAtt":["ProducerNestedStack","Outputs.MadeRef"]}})"));
}

TEST_CASE("references through two levels of nesting and from another top-level stack") {
    App app;
    auto& shared = make<Stack>(app, "Shared", StackProps{"Shared", {}, {{}, "eu-west-1"}});
    auto& topic = make<CfnResource>(shared, "Topic", "AWS::SNS::Topic");
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {{}, "eu-west-1"}});
    auto& outer = make<NestedStack>(parent, "Outer");
    auto& inner = make<NestedStack>(outer, "Inner");
    auto& deep = queue(inner, "Deep");
    param(inner, "Topic", topic.ref());
    param(parent, "DeepArn", deep.get_att("Arn"));
    Assembly a = unit::synth_and_emit(app, "nested-two-levels");
    json p = unit::template_of(a, "Parent");
    json o = nested(a, "Parent.Outer");
    json i = nested(a, "Parent.OuterInner");
    // Up two levels: Inner output -> Outer output -> Parent GetAtt.
    CHECK(i["Outputs"]["DeepArn"]["Value"] == json::parse(R"({"Fn::GetAtt":["Deep","Arn"]})"));
    CHECK(o["Outputs"]["InnerDeepArn"]["Value"] == json::parse(R"({"Fn::GetAtt":["InnerNestedStack","Outputs.DeepArn"]})"));
    CHECK(p["Resources"]["DeepArn"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::GetAtt":["OuterNestedStack","Outputs.InnerDeepArn"]})"));
    // Down from another stack: import in Parent, then a parameter at each level.
    CHECK(p["Resources"]["OuterNestedStack"]["Properties"]["Parameters"]["TopicRef"] ==
          json::parse(R"({"Fn::ImportValue":"Shared:TopicRef"})"));
    CHECK(o["Resources"]["InnerNestedStack"]["Properties"]["Parameters"]["TopicRef"] == json::parse(R"({"Ref":"TopicRef"})"));
    CHECK(i["Resources"]["Topic"]["Properties"]["Value"] == json::parse(R"({"Ref":"TopicRef"})"));
    CHECK(a.stacks.front().name == "Shared");
}

TEST_CASE("add_dependency between constructs of sibling nested stacks orders their stack resources") {
    App app;
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {{}, "eu-west-1"}});
    auto& first = make<NestedStack>(parent, "First");
    auto& second = make<NestedStack>(parent, "Second");
    auto& a1 = queue(first, "A");
    auto& b1 = queue(second, "B");
    b1.add_dependency(a1);
    Assembly a = unit::synth_and_emit(app, "nested-dependency");
    json p = unit::template_of(a, "Parent");
    CHECK(p["Resources"]["SecondNestedStack"]["DependsOn"] == json::parse(R"(["FirstNestedStack"])"));
}

TEST_CASE("a nested stack cannot have its own region") {
    App app;
    auto& parent = make<Stack>(app, "Parent", StackProps{"Parent", {}, {{}, "eu-west-1"}});
    auto& n = make<NestedStack>(parent, "Elsewhere", StackProps{{}, {}, {{}, "us-east-1"}});
    queue(n, "Q");
    try {
        app.synth();
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        REQUIRE(e.messages().size() == 1);
        CHECK_THAT(e.messages()[0], Catch::StartsWith("Parent/Elsewhere: ") && Catch::Contains("deploys with its parent"));
    }
}
