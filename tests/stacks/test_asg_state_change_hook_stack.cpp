// The AsgStateChangeHook nested stack: the hook function (environment, least-privilege permissions)
// and the spin-up / spin-down rules that call it and notify both topics.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "monitoring_fixture.hpp"

using namespace leafsynth;
using namespace monitoring;

namespace {

struct Synthesized {
    Assembly assembly;
    Templates t;
};

Synthesized synth(const std::string& name) {
    App app;
    build_leaf(app, example_config(), false);
    Synthesized s{unit::synth_and_emit(app, name), {}};
    s.t = templates_of(s.assembly);
    return s;
}

json resource(const json& tpl, const std::string& id) { return tpl.at("Resources").at(id); }

const char* kFunction = "AsgStateChangeHook1AC10722";
const char* kRole = "AsgStateChangeHookRoleC276E38E";
const char* kLogGroup = "LogGroupStartSystem99472711";

} // namespace

TEST_CASE("AsgStateChangeHook: the function's runtime, timeout, log group and environment") {
    Synthesized s = synth("hook");
    json h = s.t["AsgStateChangeHook"];
    CHECK(h["Description"] == "AsgStateChangeHook Logic for ContainerManager-MinecraftJavaExample-Stack");
    json p = resource(h, kFunction)["Properties"];
    CHECK(p["Runtime"] == "python3.12");
    CHECK(p["Handler"] == "main.lambda_handler");
    // Long enough to wait for the container's stop timeout (120 s by default) plus ECS's own
    // delays (60 s) and the calls around the wait (30 s); within the lifecycle heartbeat (300 s).
    CHECK(p["Timeout"] == 210);
    CHECK(p["Role"] == get_att(kRole, "Arn"));
    CHECK(p["LoggingConfig"]["LogGroup"] == ref(kLogGroup));
    json logs = resource(h, kLogGroup)["Properties"];
    CHECK(logs["LogGroupName"] == "/aws/lambda/minecraft.java.example-asg-state-change-hook");
    CHECK(logs["RetentionInDays"] == 7);

    json env = p["Environment"]["Variables"];
    CHECK(env.size() == 10);
    CHECK(env["DOMAIN_NAME"] == "minecraft.java.example.example.com");
    CHECK(env["UNAVAILABLE_IP"] == "0.0.0.0");
    CHECK(env["DNS_TTL"] == "1");
    CHECK(env["RECORD_TYPE"] == "A");
    CHECK(comes_from(s.t, "AsgStateChangeHook", env["HOSTED_ZONE_ID"], "Parent", ref("SubHostedZone")));
    CHECK(comes_from(s.t, "AsgStateChangeHook", env["ECS_CLUSTER_NAME"], "EcsAsg", ref("Cluster")));
    CHECK(comes_from(s.t, "AsgStateChangeHook", env["ECS_SERVICE_NAME"], "EcsAsg", get_att("Service", "Name")));
    // Draining on termination: the bound, the hook's heartbeat, and where the warning goes (the leaf's topic).
    CHECK(env["DRAIN_TIMEOUT_SECONDS"] == "180");
    CHECK(env["HEARTBEAT_TIMEOUT_SECONDS"] == "300");
    CHECK(comes_from(s.t, "AsgStateChangeHook", env["NOTIFY_TOPIC_ARN"], "Parent",
                     monitoring::ref(resource_id(s.t["Parent"], "AWS::SNS::Topic"))));
}

TEST_CASE("AsgStateChangeHook: the wait and the function's timeout follow Container.StopTimeoutSeconds") {
    for (int stop : {2, 45, 120}) {
        INFO("StopTimeoutSeconds " << stop);
        App app;
        cm::LeafConfig config = example_config();
        config.container.stop_timeout_seconds = stop;
        build_leaf(app, config, false);
        Templates t = templates_of(unit::synth_and_emit(app, "hook-stop-" + std::to_string(stop)));
        json p = resource(t["AsgStateChangeHook"], kFunction)["Properties"];
        CHECK(p["Environment"]["Variables"]["DRAIN_TIMEOUT_SECONDS"] == std::to_string(stop + 60));
        CHECK(p["Timeout"] == stop + 90);
        CHECK(p["Timeout"].get<int>() < 300); // the lifecycle heartbeat
    }
}

TEST_CASE("AsgStateChangeHook: permissions are scoped to this service, sub zone, ASG and log group") {
    Synthesized s = synth("hook");
    json h = s.t["AsgStateChangeHook"];
    std::vector<json> statements = role_statements(h, kRole);

    // No resource-level support: the only actions on "*" without a condition.
    CHECK(granted(statements, "ec2:DescribeInstances") == std::vector<json>{"*"});
    CHECK(granted(statements, "autoscaling:DescribeAutoScalingGroups") == std::vector<json>{"*"});
    // Draining: container instance and task ARNs are only known at run time, so "*", but only in
    // this cluster (ecs:cluster condition).
    const std::set<std::string> cluster_scoped{"ecs:DescribeContainerInstances", "ecs:UpdateContainerInstancesState",
                                               "ecs:ListTasks", "ecs:DescribeTasks"};
    for (const auto& st : statements) {
        for (const auto& r : resources_of(st)) {
            if (r != "*") continue;
            for (const auto& a : actions_of(st)) {
                if (cluster_scoped.count(a)) {
                    REQUIRE(st.contains("Condition"));
                    CHECK(st["Condition"].size() == 1);
                    CHECK(st["Condition"]["ArnEquals"].size() == 1);
                    CHECK(comes_from(s.t, "AsgStateChangeHook", st["Condition"]["ArnEquals"]["ecs:cluster"], "EcsAsg",
                                     get_att("Cluster", "Arn")));
                } else {
                    CHECK((a == "ec2:DescribeInstances" || a == "autoscaling:DescribeAutoScalingGroups"));
                    CHECK_FALSE(st.contains("Condition"));
                }
            }
        }
    }
    for (const auto& a : cluster_scoped) CHECK(granted(statements, a) == std::vector<json>{"*"});
    std::vector<json> list_instances = granted(statements, "ecs:ListContainerInstances");
    REQUIRE(list_instances.size() == 1);
    CHECK(comes_from(s.t, "AsgStateChangeHook", list_instances[0], "EcsAsg", get_att("Cluster", "Arn")));

    // The warning goes to the leaf's topic only.
    std::vector<json> publish = granted(statements, "sns:Publish");
    REQUIRE(publish.size() == 1);
    CHECK(comes_from(s.t, "AsgStateChangeHook", publish[0], "Parent", monitoring::ref(resource_id(s.t["Parent"], "AWS::SNS::Topic"))));

    for (const char* action : {"ecs:UpdateService", "ecs:DescribeServices"}) {
        std::vector<json> on = granted(statements, action);
        REQUIRE(on.size() == 1);
        CHECK(comes_from(s.t, "AsgStateChangeHook", on[0], "EcsAsg", ref("Service")));
    }

    std::vector<json> zone = granted(statements, "route53:ChangeResourceRecordSets");
    REQUIRE(zone.size() == 1);
    CHECK(zone[0]["Fn::Sub"][0] == "arn:${AWS::Partition}:route53:::hostedzone/${ZoneId}");
    CHECK(comes_from(s.t, "AsgStateChangeHook", zone[0]["Fn::Sub"][1]["ZoneId"], "Parent", ref("SubHostedZone")));

    // Completing the termination lifecycle action, and keeping it alive meanwhile: this ASG only.
    for (const char* action : {"autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"}) {
        INFO(action);
        std::vector<json> complete = granted(statements, action);
        REQUIRE(complete.size() == 1);
        CHECK(complete[0]["Fn::Sub"][0] == "arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:"
                                           "autoScalingGroup:*:autoScalingGroupName/${AsgName}");
        CHECK(comes_from(s.t, "AsgStateChangeHook", complete[0]["Fn::Sub"][1]["AsgName"], "EcsAsg", ref("Asg")));
    }

    CHECK(granted(statements, "logs:PutLogEvents") == std::vector<json>{get_att(kLogGroup, "Arn")});
    CHECK(granted(statements, "logs:CreateLogStream") == std::vector<json>{get_att(kLogGroup, "Arn")});

    // Nothing else.
    std::set<std::string> all;
    for (const auto& st : statements) {
        CHECK(st["Effect"] == "Allow");
        for (const auto& a : actions_of(st)) all.insert(a);
    }
    CHECK(all == std::set<std::string>{"autoscaling:CompleteLifecycleAction", "autoscaling:DescribeAutoScalingGroups",
                                       "autoscaling:RecordLifecycleActionHeartbeat", "ec2:DescribeInstances",
                                       "ecs:DescribeContainerInstances", "ecs:DescribeServices", "ecs:DescribeTasks",
                                       "ecs:ListContainerInstances", "ecs:ListTasks", "ecs:UpdateContainerInstancesState",
                                       "ecs:UpdateService", "logs:CreateLogStream", "logs:PutLogEvents",
                                       "route53:ChangeResourceRecordSets", "sns:Publish"});

    // It never runs without them.
    std::vector<std::string> depends = resource(h, kFunction)["DependsOn"].get<std::vector<std::string>>();
    for (const auto& [id, r] : h["Resources"].items()) {
        if (r["Type"] == "AWS::IAM::Policy") CHECK(std::find(depends.begin(), depends.end(), id) != depends.end());
    }
}

TEST_CASE("AsgStateChangeHook: spin-up and spin-down rules call the function and tell both topics") {
    Synthesized s = synth("hook");
    json h = s.t["AsgStateChangeHook"];
    struct Expected {
        const char* logical_id;
        const char* name;
        const char* detail_type;
        const char* message;
        bool hook_only;
    };
    const Expected rules[] = {
        {"AsgStateChangeTriggerUp3259D597", "MinecraftJavaExample-rule-ASG-StateChange-spin-up",
         "EC2 Instance Launch Successful",
         "Container for 'minecraft.java.example' is starting up! Connect to it at: "
         "'minecraft.java.example.example.com'.",
         false},
        {"AsgStateChangeTriggerDownB1226B6A", "MinecraftJavaExample-rule-ASG-StateChange-spin-down",
         "EC2 Instance-terminate Lifecycle Action", "Container for 'minecraft.java.example' has stopped.", true},
    };
    for (const auto& e : rules) {
        INFO(e.name);
        json p = resource(h, e.logical_id)["Properties"];
        CHECK(p["Name"] == e.name);
        CHECK(p["State"] == "ENABLED");
        json pattern = p["EventPattern"];
        CHECK(pattern["source"] == json::array({"aws.autoscaling"}));
        CHECK(pattern["detail-type"] == json::array({e.detail_type}));
        REQUIRE(pattern["detail"]["AutoScalingGroupName"].size() == 1);
        CHECK(comes_from(s.t, "AsgStateChangeHook", pattern["detail"]["AutoScalingGroupName"][0], "EcsAsg", ref("Asg")));
        if (e.hook_only) {
            // Only this stack's termination hook is completed by the function.
            REQUIRE(pattern["detail"]["LifecycleHookName"].size() == 1);
            CHECK(comes_from(s.t, "AsgStateChangeHook", pattern["detail"]["LifecycleHookName"][0], "EcsAsg",
                             ref("TerminateHook")));
        } else {
            CHECK(pattern["detail"].size() == 1);
        }

        json targets = p["Targets"];
        REQUIRE(targets.size() == 3);
        CHECK(targets[0] == json{{"Arn", get_att(kFunction, "Arn")}, {"Id", "Target0"}});
        CHECK(targets[1]["Id"] == "Target1");
        CHECK(targets[2]["Id"] == "Target2");
        CHECK(comes_from(s.t, "AsgStateChangeHook", targets[1]["Arn"], "Base", ref("SnsNotifyTopic3E96648F")));
        CHECK(comes_from(s.t, "AsgStateChangeHook", targets[2]["Arn"], "Parent", ref("SnsNotifyTopic3E96648F")));
        for (int i : {1, 2}) {
            // SNS receives the Input as JSON text: a quoted string, the message once parsed.
            REQUIRE(targets[i]["Input"].is_string());
            CHECK(unit::parse_json(targets[i]["Input"].get<std::string>()) == e.message);
        }

        int permissions = 0;
        for (const auto& [id, r] : h["Resources"].items()) {
            if (r["Type"] != "AWS::Lambda::Permission" || r["Properties"]["SourceArn"] != get_att(e.logical_id, "Arn"))
                continue;
            ++permissions;
            CHECK(r["Properties"]["Principal"] == "events.amazonaws.com");
            CHECK(r["Properties"]["Action"] == "lambda:InvokeFunction");
            CHECK(r["Properties"]["FunctionName"] == get_att(kFunction, "Arn"));
        }
        CHECK(permissions == 1);
    }
}

TEST_CASE("AsgStateChangeHook: the function's name is handed out, and logical ids are the AWS CDK app's") {
    App app;
    Leaf leaf = build_leaf(app, example_config(), false);
    CHECK(leaf.hook->function_name().is_intrinsic());
    Assembly a = unit::synth_and_emit(app, "hook");
    Templates t = templates_of(a);
    std::ifstream in(std::string(LEAFSYNTH_UNIT_REFERENCE_DIR) +
                     "/ContainerManagerMinecraftJavaExampleStackAsgStateChangeHook6977FB40.nested.template.json");
    std::stringstream text;
    text << in.rdbuf();
    const json cdk = unit::parse_json(text.str());
    json h = t["AsgStateChangeHook"];
    for (const auto& [id, r] : h["Resources"].items()) {
        if (r["Type"] == "AWS::Lambda::Permission") continue; // named after the nested stack's path, which differs
        INFO(id);
        REQUIRE(cdk["Resources"].contains(id));
        CHECK(cdk["Resources"][id]["Type"] == r["Type"]);
    }
}
