// Tags: Tags::of() as an aspect, priorities, removal, type filters, and each tag format.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "leafsynth/aws/ec2.hpp"
#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {

TagProps props_with_priority(int priority) {
    TagProps p;
    p.priority = priority;
    return p;
}

TagProps including(std::vector<std::string> types) {
    TagProps p;
    p.include_resource_types = std::move(types);
    return p;
}

TagProps excluding(std::vector<std::string> types) {
    TagProps p;
    p.exclude_resource_types = std::move(types);
    return p;
}

/// `[{"Key": k, "Value": v}, ...]` from pairs, in the order given.
json standard_tags(const std::vector<std::pair<std::string, std::string>>& tags) {
    json out = json::array();
    for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
    return out;
}

/// The same as a leafsynth value, for resource properties.
Value tag_list(const std::vector<std::pair<std::string, std::string>>& tags) {
    List out;
    for (const auto& [k, v] : tags) out.push_back(Map{{"Key", k}, {"Value", v}});
    return out;
}

const json& properties(const json& doc, const std::string& id) { return doc.at("Resources").at(id).at("Properties"); }

/// A queue subscribed to a topic; the subscription type takes no tags.
struct Messaging {
    CfnResource& topic;
    CfnResource& queue;
    CfnResource& subscription;
};

Messaging messaging(Construct& scope, const std::string& prefix) {
    auto& topic = make<CfnResource>(scope, prefix + "Topic", "AWS::SNS::Topic");
    auto& queue = make<CfnResource>(scope, prefix + "Queue", "AWS::SQS::Queue");
    auto& subscription =
        make<CfnResource>(scope, prefix + "Subscription", "AWS::SNS::Subscription",
                          Map{{"TopicArn", topic.ref()}, {"Protocol", "sqs"}, {"Endpoint", queue.get_att("Arn")}});
    return {topic, queue, subscription};
}

} // namespace

TEST_CASE("Tags::of(app) reaches every taggable resource of every stack, and only those", "[tags]") {
    App app;
    auto& first = make<Stack>(app, "TagsFirst");
    messaging(first, "");
    auto& second = make<Stack>(app, "TagsSecond");
    auto& group = make<Construct>(second, "Storage");
    auto& bucket = make<CfnResource>(group, "Bucket", "AWS::S3::Bucket");
    make<CfnResource>(
        group, "BucketPolicy", "AWS::S3::BucketPolicy",
        Map{{"Bucket", bucket.ref()},
            {"PolicyDocument",
             Map{{"Version", "2012-10-17"},
                 {"Statement", List{Map{{"Effect", "Deny"},
                                        {"Principal", Map{{"AWS", "*"}}},
                                        {"Action", "s3:*"},
                                        {"Resource", Fn::sub("${Storage}/*", Map{{"Storage", bucket.get_att("Arn")}})},
                                        {"Condition", Map{{"Bool", Map{{"aws:SecureTransport", "false"}}}}}}}}}}});
    make<CfnResource>(second, "Logs", "AWS::Logs::LogGroup", Map{{"RetentionInDays", 7}});

    Tags::of(app).add("Project", "leafsynth");
    Tags::of(second).add("Team", "storage");

    const Assembly assembly = unit::synth_and_emit(app, "tags-reach");
    const json a = unit::template_of(assembly, "TagsFirst");
    const json b = unit::template_of(assembly, "TagsSecond");
    CHECK(properties(a, "Topic")["Tags"] == standard_tags({{"Project", "leafsynth"}}));
    CHECK(properties(a, "Queue")["Tags"] == standard_tags({{"Project", "leafsynth"}}));
    CHECK_FALSE(properties(a, "Subscription").contains("Tags"));
    const std::string bucket_id = make_unique_id({"Storage", "Bucket"});
    CHECK(properties(b, bucket_id)["Tags"] == standard_tags({{"Project", "leafsynth"}, {"Team", "storage"}}));
    CHECK(properties(b, "Logs")["Tags"] == standard_tags({{"Project", "leafsynth"}, {"Team", "storage"}}));
    CHECK_FALSE(properties(b, make_unique_id({"Storage", "BucketPolicy"})).contains("Tags"));
    // Tags are rendered with the other properties.
    CHECK(properties(b, "Logs")["RetentionInDays"] == 7);
}

TEST_CASE("a resource type whose schema takes no tags keeps its given Tags untouched", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsUntouched");
    // A custom resource has no schema: Tags::of() leaves it alone, and its Tags are data.
    auto& custom = make<CfnResource>(stack, "Custom", "Custom::Thing",
                                     Map{{"ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:f"},
                                         {"Tags", tag_list({{"zeta", "1"}, {"Alpha", "2"}})}});
    Tags::of(app).add("Project", "leafsynth");
    CHECK(custom.tags() == nullptr);
    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-untouched"));
    CHECK(properties(doc, "Custom")["Tags"] == standard_tags({{"zeta", "1"}, {"Alpha", "2"}}));
}

TEST_CASE("every type the schemas give tags is tagged, where and how its schema says", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsFromSchemas");
    // Types leafsynth never used before the schemas: a REST API (a Key/Value list under Tags), an
    // SSM parameter (a map), and a Route 53 hosted zone (a list under HostedZoneTags).
    auto& api = make<CfnResource>(stack, "Api", "AWS::ApiGateway::RestApi",
                                  Map{{"Name", "api"}, {"Tags", tag_list({{"zeta", "1"}})}});
    make<CfnResource>(stack, "Param", "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", "v"}});
    make<CfnResource>(stack, "Zone", "AWS::Route53::HostedZone", Map{{"Name", "example.com"}});
    Tags::of(app).add("Project", "leafsynth");
    REQUIRE(api.tags() != nullptr);
    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-from-schemas"));
    CHECK(properties(doc, "Api")["Tags"] == standard_tags({{"Project", "leafsynth"}, {"zeta", "1"}}));
    CHECK(properties(doc, "Param")["Tags"] == json{{"Project", "leafsynth"}});
    CHECK(properties(doc, "Zone")["HostedZoneTags"] == standard_tags({{"Project", "leafsynth"}}));
}

TEST_CASE("tag priority: the higher wins, on equal priority the deeper scope wins", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsPriority");
    auto& group = make<Construct>(stack, "Group");
    auto& inner = make<CfnResource>(group, "Queue", "AWS::SQS::Queue");
    auto& outer = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic");

    // Added deepest first: the order of add() calls does not matter, aspects apply parents first.
    Tags::of(group).add("Owner", "group");
    Tags::of(stack).add("Owner", "stack");
    Tags::of(app).add("Owner", "app");
    // A higher priority at the app beats the default priority (100) further down.
    Tags::of(stack).add("Env", "stack");
    Tags::of(app).add("Env", "app", props_with_priority(300));
    // A lower priority deeper down loses.
    Tags::of(app).add("CostCenter", "app");
    Tags::of(group).add("CostCenter", "group", props_with_priority(99));

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-priority"));
    CHECK(properties(doc, inner.logical_id())["Tags"] ==
          standard_tags({{"CostCenter", "app"}, {"Env", "app"}, {"Owner", "group"}}));
    CHECK(properties(doc, outer.logical_id())["Tags"] ==
          standard_tags({{"CostCenter", "app"}, {"Env", "app"}, {"Owner", "stack"}}));
}

TEST_CASE("Tags::remove removes by priority, and a resource without tags has no Tags property", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsRemove");
    auto& group = make<Construct>(stack, "Group");
    auto& queue = make<CfnResource>(group, "Queue", "AWS::SQS::Queue");
    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic");

    Tags::of(app).add("Temp", "x");                               // 100, removed by the stack (200)
    Tags::of(stack).remove("Temp");
    Tags::of(app).add("Keep", "x", props_with_priority(250));     // survives a default removal (200)
    Tags::of(stack).remove("Keep");
    Tags::of(app).remove("Late", props_with_priority(150));       // beats a deeper add at 100
    Tags::of(group).add("Late", "y");
    Tags::of(app).remove("Back", props_with_priority(150));       // a deeper add at the same priority wins
    Tags::of(group).add("Back", "y", props_with_priority(150));
    Tags::of(app).add("OnlyTopic", "x");                          // removed from queues only
    Tags::of(app).remove("OnlyTopic", including({"AWS::SQS::Queue"}));

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-remove"));
    CHECK(properties(doc, queue.logical_id())["Tags"] == standard_tags({{"Back", "y"}, {"Keep", "x"}}));
    CHECK(properties(doc, topic.logical_id())["Tags"] == standard_tags({{"Keep", "x"}, {"OnlyTopic", "x"}}));

    App bare;
    auto& bare_stack = make<Stack>(bare, "TagsRemoveAll");
    make<CfnResource>(bare_stack, "Queue", "AWS::SQS::Queue");
    Tags::of(bare).add("Gone", "x");
    Tags::of(bare_stack).remove("Gone");
    const json bare_doc = unit::template_of(unit::synth_and_emit(bare, "tags-remove-all"));
    CHECK_FALSE(bare_doc["Resources"]["Queue"].contains("Properties"));
}

TEST_CASE("include_resource_types and exclude_resource_types filter what a tag reaches", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsFilter");
    auto m = messaging(stack, "");
    auto& logs = make<CfnResource>(stack, "Logs", "AWS::Logs::LogGroup");
    Tags::of(stack).add("QueuesOnly", "1", including({"AWS::SQS::Queue"}));
    Tags::of(stack).add("NotQueues", "1", excluding({"AWS::SQS::Queue"}));
    TagProps both = including({"AWS::SQS::Queue", "AWS::SNS::Topic"});
    both.exclude_resource_types = {"AWS::SNS::Topic"};
    Tags::of(stack).add("IncludeThenExclude", "1", both);

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-filter"));
    CHECK(properties(doc, m.queue.logical_id())["Tags"] ==
          standard_tags({{"IncludeThenExclude", "1"}, {"QueuesOnly", "1"}}));
    CHECK(properties(doc, m.topic.logical_id())["Tags"] == standard_tags({{"NotQueues", "1"}}));
    CHECK(properties(doc, logs.logical_id())["Tags"] == standard_tags({{"NotQueues", "1"}}));
    CHECK_FALSE(properties(doc, m.subscription.logical_id()).contains("Tags"));
}

TEST_CASE("Auto Scaling groups take tags with PropagateAtLaunch", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsAsg");
    auto& launch_template = make<CfnResource>(
        stack, "LaunchTemplate", "AWS::EC2::LaunchTemplate",
        Map{{"LaunchTemplateData", Map{{"InstanceType", "t3.micro"}}}});
    auto& asg = make<CfnResource>(
        stack, "Asg", "AWS::AutoScaling::AutoScalingGroup",
        Map{{"MinSize", "0"},
            {"MaxSize", "1"},
            {"AvailabilityZones", Fn::get_azs()},
            {"LaunchTemplate", Map{{"LaunchTemplateId", launch_template.ref()},
                                   {"Version", launch_template.get_att("LatestVersionNumber")}}},
            // Initial tags keep their PropagateAtLaunch.
            {"Tags", List{Map{{"Key", "Given"}, {"Value", "g"}, {"PropagateAtLaunch", false}}}}});
    REQUIRE(asg.tags() != nullptr);
    CHECK(asg.tags()->format() == TagType::AutoScalingGroup);
    REQUIRE(launch_template.tags() != nullptr);
    CHECK(launch_template.tags()->format() == TagType::LaunchTemplate);

    Tags::of(stack).add("Name", "web");
    TagProps not_launched;
    not_launched.apply_to_launched_instances = false;
    Tags::of(stack).add("Billing", "team", not_launched);

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-asg"));
    CHECK(properties(doc, "Asg")["Tags"] == json::parse(R"([
        {"Key": "Billing", "PropagateAtLaunch": false, "Value": "team"},
        {"Key": "Given", "PropagateAtLaunch": false, "Value": "g"},
        {"Key": "Name", "PropagateAtLaunch": true, "Value": "web"}])"));
    // The launch template takes them as its own TagSpecifications (PropagateAtLaunch is the ASG's).
    CHECK_FALSE(properties(doc, "LaunchTemplate").contains("Tags"));
    CHECK(properties(doc, "LaunchTemplate")["TagSpecifications"] == json::parse(R"([
        {"ResourceType": "launch-template", "Tags": [{"Key": "Billing", "Value": "team"}, {"Key": "Name", "Value": "web"}]}])"));
}

TEST_CASE("launch templates: given TagSpecifications are initial tags, other resource types there are refused", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsLaunchTemplate");
    make<CfnResource>(stack, "LaunchTemplate", "AWS::EC2::LaunchTemplate",
                      Map{{"LaunchTemplateData", Map{{"InstanceType", "t3.micro"}}},
                          {"TagSpecifications", List{Map{{"ResourceType", "launch-template"},
                                                         {"Tags", tag_list({{"Env", "initial"}, {"Given", "g"}})}}}}});
    Tags::of(stack).add("Env", "prod");
    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-launch-template"));
    CHECK(properties(doc, "LaunchTemplate")["TagSpecifications"] == json::parse(R"([
        {"ResourceType": "launch-template", "Tags": [{"Key": "Env", "Value": "prod"}, {"Key": "Given", "Value": "g"}]}])"));
    // Tags do not reach into LaunchTemplateData of an L1: only the L2 LaunchTemplate writes those.
    CHECK_FALSE(properties(doc, "LaunchTemplate")["LaunchTemplateData"].contains("TagSpecifications"));

    App other;
    auto& s2 = make<Stack>(other, "TagsLaunchTemplateWrong");
    try {
        make<CfnResource>(s2, "LaunchTemplate", "AWS::EC2::LaunchTemplate",
                          Map{{"LaunchTemplateData", Map{{"InstanceType", "t3.micro"}}},
                              {"TagSpecifications", List{Map{{"ResourceType", "instance"}, {"Tags", tag_list({{"A", "1"}})}}}}});
        FAIL("expected a ConstructError");
    } catch (const ConstructError& e) {
        const std::string message = e.what();
        CHECK(message.find("TagsLaunchTemplateWrong/LaunchTemplate") != std::string::npos);
        CHECK(message.find("LaunchTemplateData.TagSpecifications") != std::string::npos);
    }
}

TEST_CASE("the L2 launch template gives its tags to the instances and volumes it launches", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsLaunchTemplateL2");
    aws::ec2::LaunchTemplateProps props;
    props.instance_type = "t3.micro";
    props.image_id = "ami-12345678";
    props.instance_name_tag = "web-server";
    make<aws::ec2::LaunchTemplate>(stack, "Template", std::move(props));
    aws::ec2::LaunchTemplateProps bare;
    bare.instance_type = "t3.micro";
    bare.image_id = "ami-12345678";
    make<aws::ec2::LaunchTemplate>(stack, "Untagged", std::move(bare));
    Tags::of(stack).add("CostCenter", "games");
    TagProps not_templates;
    not_templates.exclude_resource_types = {"AWS::EC2::LaunchTemplate"};
    Tags::of(stack).add("NotHere", "x", not_templates);

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-launch-template-l2"));
    const json tags = json::parse(R"([{"Key": "CostCenter", "Value": "games"}, {"Key": "Name", "Value": "web-server"}])");
    json p;
    for (const auto& [id, r] : doc["Resources"].items())
        if (r["Type"] == "AWS::EC2::LaunchTemplate" && id.rfind("Template", 0) == 0) p = r["Properties"];
    REQUIRE(p.is_object());
    CHECK(p["TagSpecifications"] == json::array({{{"ResourceType", "launch-template"}, {"Tags", tags}}}));
    CHECK(p["LaunchTemplateData"]["TagSpecifications"] ==
          json::array({{{"ResourceType", "instance"}, {"Tags", tags}}, {{"ResourceType", "volume"}, {"Tags", tags}}}));
    // Without the name tag, the stack's tag alone.
    json u;
    for (const auto& [id, r] : doc["Resources"].items())
        if (r["Type"] == "AWS::EC2::LaunchTemplate" && id.rfind("Untagged", 0) == 0) u = r["Properties"];
    REQUIRE(u.is_object());
    const json cost = json::parse(R"([{"Key": "CostCenter", "Value": "games"}])");
    CHECK(u["LaunchTemplateData"]["TagSpecifications"] ==
          json::array({{{"ResourceType", "instance"}, {"Tags", cost}}, {{"ResourceType", "volume"}, {"Tags", cost}}}));
}

TEST_CASE("SSM parameters take tags as a map", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsSsm");
    auto& parameter = make<CfnResource>(stack, "Parameter", "AWS::SSM::Parameter",
                                        Map{{"Type", "String"},
                                            {"Value", "v"},
                                            {"Tags", Map{{"Given", "g"}, {"Env", "initial"}}}});
    REQUIRE(parameter.tags() != nullptr);
    CHECK(parameter.tags()->format() == TagType::Map);
    Tags::of(app).add("Env", "prod");
    Tags::of(app).add("Project", "leafsynth");

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-ssm"));
    CHECK(properties(doc, "Parameter")["Tags"] == json::parse(R"({"Env": "prod", "Given": "g", "Project": "leafsynth"})"));
    CHECK(properties(doc, "Parameter")["Value"] == "v");
}

TEST_CASE("hosted zones and EFS write their tags under their own property names", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsProperties");
    auto& zone = make<CfnResource>(stack, "Zone", "AWS::Route53::HostedZone", Map{{"Name", "example.com"}});
    auto& fs = make<CfnResource>(stack, "FileSystem", "AWS::EFS::FileSystem", Map{{"Encrypted", true}});
    make<CfnResource>(stack, "AccessPoint", "AWS::EFS::AccessPoint", Map{{"FileSystemId", fs.ref()}});
    REQUIRE(zone.tags() != nullptr);
    CHECK(zone.tags()->property() == "HostedZoneTags");
    Tags::of(stack).add("Project", "leafsynth");

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-properties"));
    const json expected = standard_tags({{"Project", "leafsynth"}});
    CHECK(properties(doc, "Zone")["HostedZoneTags"] == expected);
    CHECK_FALSE(properties(doc, "Zone").contains("Tags"));
    CHECK(properties(doc, "FileSystem")["FileSystemTags"] == expected);
    CHECK_FALSE(properties(doc, "FileSystem").contains("Tags"));
    CHECK(properties(doc, "AccessPoint")["AccessPointTags"] == expected);
}

TEST_CASE("tags given in the properties are initial tags that Tags::of() overrides", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsInitial");
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue",
                                    Map{{"Tags", tag_list({{"Env", "initial"}, {"Keep", "mine"}, {"Owner", "props"}})},
                                        {"DelaySeconds", 5}});
    make<CfnResource>(stack, "Zone", "AWS::Route53::HostedZone",
                      Map{{"Name", "example.com"}, {"HostedZoneTags", tag_list({{"Given", "g"}})}});
    // The tag property leaves the properties: the tag manager renders it.
    CHECK_FALSE(queue.properties().count("Tags"));
    REQUIRE(queue.tags() != nullptr);
    CHECK(queue.tags()->tag_values() ==
          std::map<std::string, std::string>{{"Env", "initial"}, {"Keep", "mine"}, {"Owner", "props"}});

    Tags::of(stack).add("Env", "override");
    Tags::of(stack).add("Owner", "weak", props_with_priority(10)); // below the initial priority (50)

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-initial"));
    CHECK(properties(doc, "Queue")["Tags"] ==
          standard_tags({{"Env", "override"}, {"Keep", "mine"}, {"Owner", "props"}}));
    CHECK(properties(doc, "Queue")["DelaySeconds"] == 5);
    CHECK(properties(doc, "Zone")["HostedZoneTags"] == standard_tags({{"Env", "override"}, {"Given", "g"}, {"Owner", "weak"}}));
}

TEST_CASE("tag keys are sorted as CDK sorts them (case-insensitive, lower case first)", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsSorted");
    make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    for (const char* key : {"b", "Z1", "aa", "A", "B", "_x", "a"}) Tags::of(stack).add(key, std::string("v") + key);
    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-sorted"));
    std::vector<std::string> keys;
    for (const auto& tag : properties(doc, "Queue")["Tags"]) keys.push_back(tag["Key"]);
    CHECK(keys == std::vector<std::string>{"_x", "a", "A", "aa", "b", "B", "Z1"});
}

TEST_CASE("TagManager merges by priority and renders each format", "[tags]") {
    CHECK(TagManager::format_of("AWS::SQS::Queue") == std::make_pair(TagType::Standard, std::string("Tags")));
    CHECK(TagManager::format_of("AWS::EFS::FileSystem") == std::make_pair(TagType::Standard, std::string("FileSystemTags")));
    CHECK(TagManager::format_of("AWS::Route53::HostedZone").second == "HostedZoneTags");
    CHECK(TagManager::format_of("AWS::AutoScaling::AutoScalingGroup").first == TagType::AutoScalingGroup);
    CHECK(TagManager::format_of("AWS::SSM::Parameter").first == TagType::Map);
    CHECK(TagManager::format_of("AWS::SNS::Subscription").first == TagType::NotTaggable);

    TagManager tags(TagType::Standard, "Tags");
    CHECK_FALSE(tags.has_tags());
    tags.set_tag("k", "low", 10);
    tags.set_tag("k", "high", 200);
    tags.set_tag("k", "ignored", 100);
    CHECK(tags.tag_values() == std::map<std::string, std::string>{{"k", "high"}});
    tags.remove_tag("k", 150); // lower than the tag: kept
    CHECK(tags.has_tags());
    tags.remove_tag("k", 200); // equal: removed
    CHECK_FALSE(tags.has_tags());
    tags.set_tag("k", "again", 199); // lower than the removal: stays removed
    CHECK_FALSE(tags.has_tags());
    tags.set_tag("k", "back", 200);
    CHECK(tags.tag_values() == std::map<std::string, std::string>{{"k", "back"}});

    TagManager asg(TagType::AutoScalingGroup, "Tags");
    asg.set_tag("Name", "web", 100, false);
    const Value rendered = asg.render();
    REQUIRE(rendered.is_list());
    CHECK(rendered.as_list().at(0) == Value(Map{{"Key", "Name"}, {"Value", "web"}, {"PropagateAtLaunch", false}}));

    TagManager map(TagType::Map, "Tags");
    map.set_tag("b", "2", 100);
    map.set_tag("a", "1", 100);
    CHECK(map.render() == Value(Map{{"a", "1"}, {"b", "2"}}));
}

TEST_CASE("TagManager::visit_values: the values render() writes, in its order when one is a reference", "[tags]") {
    auto visited = [](const TagManager& tags) {
        std::vector<Value> values;
        tags.visit_values([&](const Value& v) { values.push_back(v); });
        return values;
    };
    TagManager plain(TagType::Standard, "Tags");
    CHECK(visited(plain).empty());
    plain.set_tag("b", "2", 100);
    plain.set_tag("a", "1", 100);
    plain.set_tag("gone", "x", 100);
    plain.remove_tag("gone", 200);
    std::vector<Value> values = visited(plain);
    std::sort(values.begin(), values.end(), [](const Value& x, const Value& y) { return x.as_string() < y.as_string(); });
    CHECK(values == std::vector<Value>{Value("1"), Value("2")});

    // With a reference among them, in render()'s order (keys sorted as CDK sorts them).
    App app;
    auto& stack = make<Stack>(app, "VisitTags");
    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic");
    TagManager mixed(TagType::AutoScalingGroup, "Tags");
    mixed.set_tag("b", "2", 100);
    mixed.set_tag_value("B", topic.ref(), 100);
    mixed.set_tag("a", "1", 100);
    std::vector<Value> in_render_order;
    const Value rendered = mixed.render();
    for (const Value& entry : rendered.as_list()) in_render_order.push_back(entry.as_map().at("Value"));
    CHECK(visited(mixed) == in_render_order);
    CHECK(in_render_order.size() == 3);
}

TEST_CASE("an initial tag whose value is a reference is kept, and still overridable", "[tags]") {
    App app;
    auto& stack = make<Stack>(app, "TagsReference");
    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic");
    auto& queue = make<CfnResource>(
        stack, "Queue", "AWS::SQS::Queue",
        Map{{"Tags", List{Map{{"Key", "StackName"}, {"Value", Aws::stack_name()}},
                          Map{{"Key", "Topic"}, {"Value", topic.get_att("TopicName")}},
                          Map{{"Key", "Replaced"}, {"Value", Fn::sub("${AWS::Region}-x")}}}}});
    make<CfnResource>(stack, "Parameter", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", "v"}, {"Tags", Map{{"Region", Aws::region()}}}});
    Tags::of(stack).add("Replaced", "plain");
    // tag_values() lists the plain string tags only.
    CHECK(queue.tags()->tag_values().empty());

    const json doc = unit::template_of(unit::synth_and_emit(app, "tags-reference"));
    CHECK(properties(doc, "Queue")["Tags"] == json::parse(R"([
        {"Key": "Replaced", "Value": "plain"},
        {"Key": "StackName", "Value": {"Ref": "AWS::StackName"}},
        {"Key": "Topic", "Value": {"Fn::GetAtt": ["Topic", "TopicName"]}}])"));
    CHECK(properties(doc, "Parameter")["Tags"] == json::parse(R"({"Region": {"Ref": "AWS::Region"}, "Replaced": "plain"})"));
}

TEST_CASE("a tag value that references another stack is exported and imported", "[tags]") {
    App app;
    auto& producer = make<Stack>(app, "TagsProducer", StackProps{"", "", {"", "us-east-1"}});
    auto& consumer = make<Stack>(app, "TagsConsumer", StackProps{"", "", {"", "us-east-1"}});
    auto& topic = make<CfnResource>(producer, "Topic", "AWS::SNS::Topic");
    make<CfnResource>(consumer, "Queue", "AWS::SQS::Queue",
                      Map{{"Tags", List{Map{{"Key", "Topic"}, {"Value", topic.get_att("TopicName")}}}}});

    const Assembly assembly = unit::synth_and_emit(app, "tags-cross-stack");
    const json produced = unit::template_of(assembly, "TagsProducer");
    const json consumed = unit::template_of(assembly, "TagsConsumer");
    const json tag_value = properties(consumed, "Queue")["Tags"][0]["Value"];
    REQUIRE(tag_value.contains("Fn::ImportValue"));
    // The export the consumer imports exists in the producer.
    bool exported = false;
    for (const auto& [id, output] : produced["Outputs"].items())
        if (output.contains("Export") && output["Export"]["Name"] == tag_value["Fn::ImportValue"] &&
            output["Value"] == json::parse(R"({"Fn::GetAtt": ["Topic", "TopicName"]})"))
            exported = true;
    CHECK(exported);
    REQUIRE(assembly.stacks.size() == 2);
    CHECK(assembly.stacks[0].name == "TagsProducer");
    CHECK(assembly.stacks[1].dependencies == std::vector<std::string>{"TagsProducer"});
}
