// The escape hatch: set_property paths (list indices, escaped dots), overrides applied last
// (list indices, deletions, deep merge, the resource attributes), their errors, references in
// them, and the L2s that render once in prepare() without dropping what was set on their resources.
#include <catch2/catch.hpp>

#include <string>

#include "leafsynth/aws/cloudwatch.hpp"
#include "leafsynth/aws/ec2.hpp"
#include "leafsynth/aws/autoscaling.hpp"
#include "leafsynth/aws/ecs.hpp"
#include "leafsynth/aws/iam.hpp"
#include "support.hpp"

using namespace leafsynth;
using unit::json;
namespace ecs = leafsynth::aws::ecs;
namespace iam = leafsynth::aws::iam;
namespace cw = leafsynth::aws::cloudwatch;

namespace {

StackProps in(const std::string& name, const std::string& region) { return StackProps{name, {}, {{}, region}, false}; }

const json& entry(const json& doc, const CfnElement& element) { return doc.at("Resources").at(element.logical_id()); }

/// A security-group-like resource with a list of rules, a nested map and a scalar.
CfnResource& rules_resource(Construct& scope, const std::string& id) {
    return make<CfnResource>(
        scope, id, "AWS::EC2::SecurityGroup",
        Map{{"GroupDescription", "rules"},
            {"SecurityGroupIngress", List{Map{{"CidrIp", "10.0.0.0/8"}, {"Description", "first"}, {"IpProtocol", "tcp"},
                                              {"FromPort", 80}, {"ToPort", 80}},
                                          Map{{"CidrIp", "10.1.0.0/16"}, {"Description", "second"}, {"IpProtocol", "tcp"},
                                              {"FromPort", 443}, {"ToPort", 443}}}}});
}

/// The message of the ValidationError `app.synth()` throws ("" when it does not).
std::string synth_problems(App& app) {
    try {
        app.synth();
    } catch (const ValidationError& e) {
        return e.what();
    }
    return {};
}

iam::PolicyStatement statement(const std::string& action) {
    iam::PolicyStatement s;
    s.actions = {action};
    s.resources = {"*"};
    return s;
}

ecs::ContainerDefinitionProps container(const std::string& name) {
    ecs::ContainerDefinitionProps c;
    c.name = name;
    c.image = "public.ecr.aws/docker/library/" + name;
    c.memory_reservation_mib = 128;
    return c;
}

} // namespace

TEST_CASE("set_property indexes into lists, escapes dots and never turns a list into a map", "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Paths");
    auto& group = rules_resource(stack, "Group");
    group.set_property("SecurityGroupIngress.1.Description", "changed");
    group.set_property("SecurityGroupIngress.0.FromPort", 8080);
    // escaped keys, on a custom resource (its properties are free; a security group has no Labels)
    auto& custom = make<CfnResource>(stack, "Custom", "Custom::Labels",
                                     Map{{"ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:f"}});
    custom.set_property("Labels.app\\.kubernetes\\.io/name.value", "web");
    custom.set_property("Back\\\\slash", 1);

    const Value& rules = group.properties().at("SecurityGroupIngress");
    REQUIRE(rules.is_list());
    CHECK(rules.as_list().size() == 2);
    CHECK(custom.properties().at("Labels").as_map().count("app.kubernetes.io/name") == 1);

    const json doc = unit::template_of(app.synth());
    const json& props = entry(doc, group)["Properties"];
    CHECK(props["SecurityGroupIngress"][0]["FromPort"] == 8080);
    CHECK(props["SecurityGroupIngress"][0]["Description"] == "first");
    CHECK(props["SecurityGroupIngress"][1]["Description"] == "changed");
    const json& custom_props = entry(doc, custom)["Properties"];
    CHECK(custom_props["Labels"] == json::parse(R"({"app.kubernetes.io/name": {"value": "web"}})"));
    CHECK(custom_props["Back\\slash"] == 1);

    // A null removes the list element; removing what is not there does nothing.
    group.set_property("SecurityGroupIngress.0", nullptr);
    group.set_property("SecurityGroupIngress.7", nullptr);
    group.set_property("Nothing.Here", nullptr);
    CHECK(group.properties().at("SecurityGroupIngress").as_list().size() == 1);
    CHECK(group.properties().count("Nothing") == 0);
}

TEST_CASE("set_property and add_override refuse malformed paths, indices past the end and keys into lists",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Bad");
    auto& group = rules_resource(stack, "Group");
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(group.set_property("SecurityGroupIngress.2.Description", "x"),
                      Contains("'Bad/Group'") && Contains("'SecurityGroupIngress.2.Description'") &&
                          Contains("index 2 is past the end of the list at 'SecurityGroupIngress', which has 2 elements") &&
                          Contains("0 to 1"));
    CHECK_THROWS_WITH(group.set_property("SecurityGroupIngress.first.Description", "x"),
                      Contains("'SecurityGroupIngress' is a list, so 'first' must be an element's index"));
    CHECK_THROWS_AS(group.set_property("", 1), ConstructError);
    CHECK_THROWS_WITH(group.set_property("A..B", 1), Contains("segment 2 is empty"));
    CHECK_THROWS_WITH(group.add_override("Properties.", 1), Contains("add_override") && Contains("segment 2 is empty"));
    CHECK_THROWS_WITH(group.add_property_override("A\\b", 1), Contains("a backslash at character"));
    CHECK(group.overrides().empty());
    // The list is still a list of two rules.
    CHECK(group.properties().at("SecurityGroupIngress").as_list().size() == 2);
}

TEST_CASE("overrides address list elements, escape dots, delete, deep-merge and win over tags, last one wins",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Over");
    auto& group = rules_resource(stack, "Group");
    group.set_property("Settings", Map{{"Inner", Map{{"Old", 1}}}, {"Drop", "x"}, {"Keep", true}});
    Tags::of(stack).add("Team", "blue");

    group.add_property_override("SecurityGroupIngress.0.Description", "overridden");
    group.add_property_deletion_override("SecurityGroupIngress.1.Description");
    group.add_property_override("Settings", Map{{"Inner", Map{{"New", 2}}}, {"Drop", nullptr}});
    group.add_property_override("Tags.0.Value", "green"); // after the tags are rendered
    group.add_override("Metadata.cfn\\.lint", Map{{"config", Map{{"ignore_checks", List{"W1234"}}}}});
    group.add_property_override("GroupDescription", "first");
    group.add_property_override("GroupDescription", "second");
    group.add_property_deletion_override("Missing.Deeper");          // nothing there: nothing happens
    group.add_property_deletion_override("SecurityGroupIngress.9");  // past the end: nothing to delete
    // A map of deletions only, over a scalar: what it leaves is empty, so the key goes (as CDK's deepMerge).
    group.add_property_override("SecurityGroupIngress.1.ToPort", Map{{"Nested", nullptr}});

    const json doc = unit::template_of(app.synth());
    const json& e = entry(doc, group);
    const json& props = e["Properties"];
    REQUIRE(props["SecurityGroupIngress"].is_array());
    CHECK(props["SecurityGroupIngress"][0]["Description"] == "overridden");
    CHECK(props["SecurityGroupIngress"][0]["CidrIp"] == "10.0.0.0/8");
    CHECK_FALSE(props["SecurityGroupIngress"][1].contains("Description"));
    CHECK(props["SecurityGroupIngress"][1]["CidrIp"] == "10.1.0.0/16");
    CHECK_FALSE(props["SecurityGroupIngress"][1].contains("ToPort"));
    CHECK(props["SecurityGroupIngress"][1]["FromPort"] == 443);
    CHECK(props["Settings"] == json::parse(R"({"Inner": {"Old": 1, "New": 2}, "Keep": true})"));
    CHECK(props["Tags"] == json::parse(R"([{"Key": "Team", "Value": "green"}])"));
    CHECK(props["GroupDescription"] == "second");
    CHECK_FALSE(props.contains("Missing"));
    CHECK(e["Metadata"]["cfn.lint"] == json::parse(R"({"config": {"ignore_checks": ["W1234"]}})"));
    CHECK(e["Metadata"]["aws:cdk:path"] == "Over/Group");
    // The properties themselves are untouched: overrides live apart.
    CHECK(group.properties().at("Settings").as_map().count("Drop") == 1);
    CHECK(group.overrides().size() == 10);
}

TEST_CASE("overrides of DependsOn, DeletionPolicy, UpdateReplacePolicy, Condition, UpdatePolicy and Metadata",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Attrs");
    auto& first = make<CfnResource>(stack, "First", "AWS::SQS::Queue");
    auto& second = make<CfnResource>(stack, "Second", "AWS::SQS::Queue");
    auto& third = make<CfnResource>(stack, "Third", "AWS::SQS::Queue");
    auto& condition = make<CfnCondition>(stack, "IsProd", Fn::equals(Aws::region(), "us-east-1"));
    auto& other = make<CfnCondition>(stack, "IsOther", Fn::equals(Aws::region(), "eu-west-1"));
    third.add_depends_on(first);
    third.apply_removal_policy(RemovalPolicy::Retain);
    third.set_condition(condition);
    third.add_override("DependsOn", List{second.logical_id()});
    third.add_override("DeletionPolicy", "Snapshot");
    third.add_override("Condition", other.logical_id());
    third.add_override("UpdatePolicy", Map{{"EnableVersionUpgrade", true}});
    first.apply_removal_policy(RemovalPolicy::Retain);
    first.add_deletion_override("UpdateReplacePolicy");
    first.add_deletion_override("Metadata.aws:cdk:path"); // the only entry: Metadata goes with it
    second.add_override("Type", "AWS::SNS::Topic");

    const json doc = unit::template_of(app.synth());
    const json& t = entry(doc, third);
    CHECK(t["DependsOn"] == json::array({"Second"}));
    CHECK(t["DeletionPolicy"] == "Snapshot");
    CHECK(t["UpdateReplacePolicy"] == "Retain");
    CHECK(t["Condition"] == "IsOther");
    CHECK(t["UpdatePolicy"] == json::parse(R"({"EnableVersionUpgrade": true})"));
    const json& f = entry(doc, first);
    CHECK(f["DeletionPolicy"] == "Retain");
    CHECK_FALSE(f.contains("UpdateReplacePolicy"));
    CHECK_FALSE(f.contains("Metadata"));
    CHECK(entry(doc, second)["Type"] == "AWS::SNS::Topic");
}

TEST_CASE("an override index past the end of a list is a problem naming the construct, the path and the length",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Range");
    auto& group = rules_resource(stack, "Group");
    group.add_property_override("SecurityGroupIngress.5.Description", "x");
    group.add_override("Properties.SecurityGroupIngress.all", "x");
    const std::string problems = synth_problems(app);
    CHECK_THAT(problems, Catch::Contains("Range/Group: add_override 'Properties.SecurityGroupIngress.5.Description': "
                                         "index 5 is past the end of the list at 'Properties.SecurityGroupIngress', "
                                         "which has 2 elements; use an index from 0 to 1"));
    CHECK_THAT(problems, Catch::Contains("Range/Group: add_override 'Properties.SecurityGroupIngress.all': "
                                         "'Properties.SecurityGroupIngress' is a list, so 'all' must be an element's index"));
}

TEST_CASE("a cross-stack reference inside an override becomes an export and Fn::ImportValue", "[overrides]") {
    App app;
    auto& producer = make<Stack>(app, "Producer", in("Producer", "eu-west-1"));
    auto& consumer = make<Stack>(app, "Consumer", in("Consumer", "eu-west-1"));
    auto& topic = make<CfnResource>(producer, "Topic", "AWS::SNS::Topic");
    auto& param = make<CfnResource>(consumer, "Param", "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", "none"}});
    param.add_property_override("Value", topic.ref());
    param.add_property_override("Description", Fn::join("", List{"name: ", topic.get_att("TopicName")}));

    const Assembly a = unit::synth_and_emit(app, "overrides-cross-stack");
    const json p = unit::template_of(a, "Producer");
    const json c = unit::template_of(a, "Consumer");
    CHECK(entry(c, param)["Properties"]["Value"] == json::parse(R"({"Fn::ImportValue": "Producer:TopicRef"})"));
    CHECK(entry(c, param)["Properties"]["Description"] ==
          json::parse(R"({"Fn::Join": ["", ["name: ", {"Fn::ImportValue": "Producer:TopicTopicName"}]]})"));
    CHECK(p["Outputs"]["ExportTopicRef"]["Export"]["Name"] == "Producer:TopicRef");
    CHECK(p["Outputs"]["ExportTopicTopicName"]["Value"] == json::parse(R"({"Fn::GetAtt": ["Topic", "TopicName"]})"));
    bool depends = false;
    for (const auto& s : a.stacks)
        if (s.name == "Consumer") depends = s.dependencies == std::vector<std::string>{"Producer"};
    CHECK(depends);
}

TEST_CASE("Ec2TaskDefinition renders once: a value set on its resource survives add_* and an override wins",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Tasks");
    auto& task = make<ecs::Ec2TaskDefinition>(stack, "Task");
    task.add_container(container("web"));
    CHECK(task.resource().properties().count("ContainerDefinitions") == 0); // rendered in prepare()
    task.resource().set_property("Cpu", "256");
    task.resource().set_property("ContainerDefinitions.0.Image", "mine/web:1"); // into the rendered list
    task.add_container(container("sidecar"));
    task.add_efs_volume(ecs::EfsVolume{"data", "fs-12345678", nullptr, true, true});
    task.add_mount_point("web", ecs::MountPoint{"/data", "data", false});
    task.resource().add_property_override("ContainerDefinitions.1.Essential", false);
    task.resource().add_property_override("Family", "overridden");

    const json doc = unit::template_of(unit::synth_and_emit(app, "overrides-task-definition"));
    const json& props = entry(doc, task.resource())["Properties"];
    CHECK(props["Cpu"] == "256");
    CHECK(props["Family"] == "overridden");
    REQUIRE(props["ContainerDefinitions"].size() == 2);
    CHECK(props["ContainerDefinitions"][0]["Image"] == "mine/web:1");
    CHECK(props["ContainerDefinitions"][0]["Name"] == "web");
    CHECK(props["ContainerDefinitions"][0]["MountPoints"][0]["SourceVolume"] == "data");
    CHECK(props["ContainerDefinitions"][1]["Name"] == "sidecar");
    CHECK(props["ContainerDefinitions"][1]["Essential"] == false);
    CHECK(props["Volumes"][0]["Name"] == "data");

    // A set_property index past the rendered list is a validation problem.
    task.resource().set_property("ContainerDefinitions.4.Image", "x");
    CHECK_THAT(synth_problems(app), Catch::Contains("Tasks/Task/Resource: set_property 'ContainerDefinitions.4': index 4 "
                                                    "is past the end of the list at 'ContainerDefinitions', which has 2 elements"));
}

TEST_CASE("Cluster renders its capacity providers once: values set on its resources survive, an override wins",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Clusters");
    aws::ec2::LaunchTemplateProps lt;
    lt.instance_type = "t3.small";
    lt.image_id = "ami-12345678";
    auto& launch_template = make<aws::ec2::LaunchTemplate>(stack, "Template", lt);
    auto asg_props = [&] {
        aws::autoscaling::AutoScalingGroupProps p;
        p.launch_template = &launch_template;
        p.subnet_ids = List{"subnet-12345678"};
        return p;
    };
    auto& asg1 = make<aws::autoscaling::AutoScalingGroup>(stack, "Asg1", asg_props());
    auto& asg2 = make<aws::autoscaling::AutoScalingGroup>(stack, "Asg2", asg_props());
    auto& cp1 = make<ecs::AsgCapacityProvider>(stack, "Cp1", ecs::AsgCapacityProviderProps{&asg1, false, false, false});
    auto& cp2 = make<ecs::AsgCapacityProvider>(stack, "Cp2", ecs::AsgCapacityProviderProps{&asg2, false, false, false});
    auto& cluster = make<ecs::Cluster>(stack, "Cluster");
    cluster.resource().set_property("ClusterSettings", List{Map{{"Name", "containerInsights"}, {"Value", "enabled"}}});
    CfnResource& associations = cluster.add_capacity_provider(cp1, 1);
    associations.set_property("DefaultCapacityProviderStrategy", List{Map{{"CapacityProvider", cp1.capacity_provider_name()},
                                                                          {"Weight", 3}, {"Base", 1}}});
    cluster.add_capacity_provider(cp2, 1);
    associations.add_property_override("CapacityProviders.1", "FARGATE");

    const json doc = unit::template_of(app.synth());
    CHECK(entry(doc, cluster.resource())["Properties"]["ClusterSettings"][0]["Value"] == "enabled");
    const json& props = entry(doc, associations)["Properties"];
    const json cp1_ref = {{"Ref", cp1.resource().logical_id()}};
    CHECK(props["CapacityProviders"] == json::array({cp1_ref, "FARGATE"}));
    // The explicit strategy wins over the rendered one (which would list both providers).
    CHECK(props["DefaultCapacityProviderStrategy"] ==
          json::array({{{"Base", 1}, {"CapacityProvider", cp1_ref}, {"Weight", 3}}}));
}

TEST_CASE("Role and Policy render once: values set on their resources survive add_* and overrides win",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Roles");
    auto& role = make<iam::Role>(stack, "Role", iam::RoleProps{"lambda.amazonaws.com", {}, {"ReadOnlyAccess"}});
    role.resource().set_property("MaxSessionDuration", 7200);
    role.add_to_policy(statement("s3:GetObject"));
    role.default_policy()->set_property("PolicyDocument.Statement.0.Sid", "First");
    role.add_to_policy(statement("s3:PutObject"));
    role.add_managed_policy("AmazonS3ReadOnlyAccess");
    role.resource().add_property_override("ManagedPolicyArns.0", "arn:aws:iam::aws:policy/PowerUserAccess");

    auto& policy = make<iam::Policy>(stack, "Policy", std::vector<iam::PolicyStatement>{statement("sqs:SendMessage")},
                                     std::vector<iam::Role*>{&role});
    policy.resource().set_property("PolicyName", "explicit-name");
    policy.resource().set_property("PolicyDocument.Statement.0.Sid", "Kept");
    policy.add_statement(statement("sqs:ReceiveMessage"));
    policy.resource().add_property_override("PolicyDocument.Statement.1.Effect", "Deny");

    const json doc = unit::template_of(unit::synth_and_emit(app, "overrides-iam"));
    const json& r = entry(doc, role.resource())["Properties"];
    CHECK(r["MaxSessionDuration"] == 7200);
    REQUIRE(r["ManagedPolicyArns"].size() == 2);
    CHECK(r["ManagedPolicyArns"][0] == "arn:aws:iam::aws:policy/PowerUserAccess");
    CHECK(r["ManagedPolicyArns"][1] ==
          json::parse(R"({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"})"));
    const json& d = entry(doc, *role.default_policy())["Properties"]["PolicyDocument"]["Statement"];
    REQUIRE(d.size() == 2);
    CHECK(d[0] == json::parse(R"({"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*", "Sid": "First"})"));
    CHECK(d[1]["Action"] == "s3:PutObject");
    const json& p = entry(doc, policy.resource())["Properties"];
    CHECK(p["PolicyName"] == "explicit-name");
    REQUIRE(p["PolicyDocument"]["Statement"].size() == 2);
    CHECK(p["PolicyDocument"]["Statement"][0] ==
          json::parse(R"({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": "*", "Sid": "Kept"})"));
    CHECK(p["PolicyDocument"]["Statement"][1] ==
          json::parse(R"({"Action": "sqs:ReceiveMessage", "Effect": "Deny", "Resource": "*"})"));
}

TEST_CASE("Dashboard renders its body once: a value set on its resource survives add_widgets, overrides win",
          "[overrides]") {
    App app;
    auto& stack = make<Stack>(app, "Dashboards");
    auto& kept = make<cw::Dashboard>(stack, "Kept");
    kept.resource().set_property("DashboardName", "explicit-name");
    kept.add_widgets({cw::text_widget("# one")});
    kept.add_widgets({cw::text_widget("# two", 24, 1)});
    auto& replaced = make<cw::Dashboard>(stack, "Replaced");
    replaced.add_widgets({cw::text_widget("# rendered")});
    replaced.resource().set_property("DashboardBody", "{\"widgets\": []}"); // explicit: wins over the render
    auto& overridden = make<cw::Dashboard>(stack, "Overridden");
    overridden.add_widgets({cw::text_widget("# rendered")});
    overridden.resource().set_property("DashboardBody", "{\"widgets\": [1]}");
    overridden.resource().add_property_override("DashboardBody", "{\"start\": \"-PT1H\", \"widgets\": []}");

    const json doc = unit::template_of(unit::synth_and_emit(app, "overrides-dashboard"));
    const json& k = entry(doc, kept.resource())["Properties"];
    CHECK(k["DashboardName"] == "explicit-name");
    const std::string body = k["DashboardBody"].dump();
    CHECK_THAT(body, Catch::Contains("# one") && Catch::Contains("# two"));
    CHECK(entry(doc, replaced.resource())["Properties"]["DashboardBody"] == "{\"widgets\": []}");
    CHECK(entry(doc, overridden.resource())["Properties"]["DashboardBody"] == "{\"start\": \"-PT1H\", \"widgets\": []}");

    // Synthesizing again renders again (a widget added between the two synths appears).
    kept.add_widgets({cw::text_widget("# three")});
    const json again = unit::template_of(app.synth());
    CHECK_THAT(entry(again, kept.resource())["Properties"]["DashboardBody"].dump(), Catch::Contains("# three"));
}
