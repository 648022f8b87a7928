// The Watchdog nested stack: scale-down policy, the three alarms, the break-crash-loop function,
// its rule and permissions, checked against the spec (and the AWS CDK app's logical ids).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "monitoring_fixture.hpp"

using namespace leafsynth;
using namespace monitoring;

namespace {

struct Synthesized {
    Assembly assembly;
    Templates t;
};

Synthesized synth(const cm::LeafConfig& config, const std::string& name) {
    App app;
    build_leaf(app, config, false);
    Synthesized s{unit::synth_and_emit(app, name), {}};
    s.t = templates_of(s.assembly);
    return s;
}

json resource(const json& tpl, const std::string& id) { return tpl.at("Resources").at(id); }

// A minimal EventBridge matcher for the patterns used here: value lists (exact values and
// `anything-but`), nested objects, `$or`, and arrays in the event (any element may match).
bool matches(const json& pattern, const json& event);

bool value_matches(const json& allowed, const json& value) {
    for (const auto& a : allowed) {
        if (a.is_object() && a.contains("anything-but")) {
            json not_this = a["anything-but"];
            bool excluded = not_this.is_array() ? std::find(not_this.begin(), not_this.end(), value) != not_this.end()
                                                : not_this == value;
            if (!excluded) return true;
        } else if (a == value) {
            return true;
        }
    }
    return false;
}

bool field_matches(const json& rule, const json& field) {
    if (field.is_array()) {
        for (const auto& element : field) {
            if (field_matches(rule, element)) return true;
        }
        return false;
    }
    if (rule.is_array()) return value_matches(rule, field);
    return field.is_object() && matches(rule, field);
}

bool matches(const json& pattern, const json& event) {
    for (const auto& [key, rule] : pattern.items()) {
        if (key == "$or") {
            bool any = false;
            for (const auto& alternative : rule) any = any || matches(alternative, event);
            if (!any) return false;
            continue;
        }
        if (!event.contains(key)) return false;
        if (!field_matches(rule, event[key])) return false;
    }
    return true;
}

// The pattern with its references replaced by what they stand for in this test app.
json resolved_pattern(const Templates& t, const json& pattern) {
    json p = pattern;
    for (const char* key : {"clusterArn", "capacityProviderName"}) {
        Origin o = origin(t, "Watchdog", p["detail"][key][0]);
        p["detail"][key][0] = o.value.dump();
    }
    return p;
}

json ecs_event(const json& pattern_resolved, const std::string& stop_code, int exit_code) {
    return json{{"source", "aws.ecs"},
                {"detail-type", "ECS Task State Change"},
                {"detail",
                 {{"clusterArn", pattern_resolved["detail"]["clusterArn"][0]},
                  {"capacityProviderName", pattern_resolved["detail"]["capacityProviderName"][0]},
                  {"desiredStatus", "STOPPED"},
                  {"lastStatus", "STOPPED"},
                  {"stopCode", stop_code},
                  {"containers", json::array({{{"name", "MinecraftJavaExample"}, {"exitCode", exit_code}}})}}}};
}

} // namespace

TEST_CASE("Watchdog: a step scaling policy that sets the ASG to exactly 0 for any value") {
    Synthesized s = synth(example_config(), "watchdog-default");
    json w = s.t["Watchdog"];
    CHECK(w["Description"] == "Watchdog Logic for ContainerManager-MinecraftJavaExample-Stack");
    json policy = resource(w, "ScaleDownAsgAction867F01D7");
    CHECK(policy["Type"] == "AWS::AutoScaling::ScalingPolicy");
    CHECK(policy["Properties"]["PolicyType"] == "StepScaling");
    CHECK(policy["Properties"]["AdjustmentType"] == "ExactCapacity");
    CHECK(policy["Properties"]["StepAdjustments"] ==
          json::parse(R"([{"MetricIntervalUpperBound":0,"ScalingAdjustment":0},
                          {"MetricIntervalLowerBound":0,"ScalingAdjustment":0}])"));
    CHECK(comes_from(s.t, "Watchdog", policy["Properties"]["AutoScalingGroupName"], "EcsAsg", ref("Asg")));
}

TEST_CASE("Watchdog: Instance Left Up alarm warns after DurationHours, and stops only when ShouldStop") {
    SECTION("defaults: 8 hours, notify the base topic only") {
        Synthesized s = synth(example_config(), "watchdog-default");
        json p = resource(s.t["Watchdog"], "AlarmInstanceLeftUpE53295EB")["Properties"];
        CHECK(p["AlarmName"] == "Instance Left Up (ContainerManager-MinecraftJavaExample-Stack)");
        CHECK(p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold");
        CHECK(p["Threshold"] == 1);
        CHECK(p["EvaluationPeriods"] == 480);
        CHECK(p["TreatMissingData"] == "missing");
        REQUIRE(p["Metrics"].size() == 1);
        json q = p["Metrics"][0];
        CHECK(q["ReturnData"] == true);
        CHECK(q["MetricStat"]["Metric"]["Namespace"] == "AWS/AutoScaling");
        CHECK(q["MetricStat"]["Metric"]["MetricName"] == "GroupInServiceInstances");
        CHECK(q["MetricStat"]["Period"] == 60);
        CHECK(q["MetricStat"]["Stat"] == "Maximum");
        json dims = q["MetricStat"]["Metric"]["Dimensions"];
        REQUIRE(dims.size() == 1);
        CHECK(dims[0]["Name"] == "AutoScalingGroupName");
        CHECK(comes_from(s.t, "Watchdog", dims[0]["Value"], "EcsAsg", ref("Asg")));
        REQUIRE(p["AlarmActions"].size() == 1);
        CHECK(comes_from(s.t, "Watchdog", p["AlarmActions"][0], "Base", ref("SnsNotifyTopic3E96648F")));
    }
    SECTION("ShouldStop and 2 hours: 120 periods, and the scale-down policy too") {
        cm::LeafConfig config = example_config();
        config.watchdog.instance_left_up.duration_hours = 2;
        config.watchdog.instance_left_up.should_stop = true;
        Synthesized s = synth(config, "watchdog-should-stop");
        json p = resource(s.t["Watchdog"], "AlarmInstanceLeftUpE53295EB")["Properties"];
        CHECK(p["EvaluationPeriods"] == 120);
        REQUIRE(p["AlarmActions"].size() == 2);
        CHECK(comes_from(s.t, "Watchdog", p["AlarmActions"][0], "Base", ref("SnsNotifyTopic3E96648F")));
        CHECK(p["AlarmActions"][1] == ref("ScaleDownAsgAction867F01D7"));
    }
}

TEST_CASE("Watchdog: more than a day of 1-minute periods is refused at synthesis, naming the setting") {
    cm::LeafConfig config = example_config();
    config.watchdog.instance_left_up.duration_hours = 25;
    App app;
    build_leaf(app, config, false);
    CHECK_THROWS_WITH(app.synth(), Catch::Contains("Watchdog.InstanceLeftUp.DurationHours is 25") &&
                                       Catch::Contains("minecraft.java.example.yaml") &&
                                       Catch::Contains("AlarmInstanceLeftUp") && Catch::Contains("at most 1 day"));

    cm::LeafConfig minutes = example_config();
    minutes.watchdog.instance_left_up.duration_hours = 24; // the most a 1-minute alarm can watch
    minutes.watchdog.minutes_without_connections = 1441;
    App app2;
    build_leaf(app2, minutes, false);
    try {
        app2.synth();
        FAIL("synth should fail");
    } catch (const ValidationError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("Watchdog.MinutesWithoutConnections is 1441"));
        CHECK_THAT(what, !Catch::Contains("DurationHours"));
    }
}

TEST_CASE("Watchdog: Container Activity alarm is traffic in (bytes/s) + DNS hits at or below Threshold") {
    SECTION("example config: threshold 1850, default 5 minutes") {
        Synthesized s = synth(example_config(), "watchdog-default");
        json p = resource(s.t["Watchdog"], "AlarmContainerActivity864C7EFA")["Properties"];
        CHECK(p["AlarmName"] == "Container Activity (ContainerManager-MinecraftJavaExample-Stack)");
        CHECK(p["ComparisonOperator"] == "LessThanOrEqualToThreshold");
        CHECK(p["Threshold"] == 1850);
        CHECK(p["EvaluationPeriods"] == 5);
        CHECK(p["TreatMissingData"] == "missing");
        CHECK(p["AlarmActions"] == json::array({ref("ScaleDownAsgAction867F01D7")}));

        std::map<std::string, json> queries;
        for (const auto& q : p["Metrics"]) queries[q["Id"]] = q;
        REQUIRE(queries.size() == 4);
        // Exactly one query is the alarm's value: the sum.
        int returned = 0;
        for (const auto& [id, q] : queries) returned += q["ReturnData"].get<bool>();
        CHECK(returned == 1);
        CHECK(queries["expr_1"]["Expression"] == "traffic + dns_hit");
        CHECK(queries["expr_1"]["ReturnData"] == true);
        CHECK(queries["traffic"]["Expression"] == "b_in/60");
        json b_in = queries["b_in"]["MetricStat"];
        CHECK(b_in["Metric"]["Namespace"] == "AWS/EC2");
        CHECK(b_in["Metric"]["MetricName"] == "NetworkIn");
        CHECK(b_in["Period"] == 60);
        CHECK(b_in["Metric"]["Dimensions"][0]["Name"] == "AutoScalingGroupName");
        CHECK(comes_from(s.t, "Watchdog", b_in["Metric"]["Dimensions"][0]["Value"], "EcsAsg", ref("Asg")));
        json dns = queries["dns_hit"]["MetricStat"];
        CHECK(dns["Metric"]["Namespace"] == "ContainerManager-MinecraftJavaExample-Stack");
        CHECK(dns["Metric"]["MetricName"] == "DNSTraffic");
        CHECK(dns["Metric"]["Dimensions"] ==
              json::parse(R"([{"Name":"ContainerNameID","Value":"minecraft.java.example"}])"));
        CHECK(dns["Unit"] == "Count");
        CHECK(dns["Stat"] == "Maximum");
        CHECK(dns["Period"] == 60);
    }
    SECTION("Threshold and MinutesWithoutConnections come from the config") {
        cm::LeafConfig config = example_config();
        config.watchdog.threshold = 42;
        config.watchdog.minutes_without_connections = 12;
        Synthesized s = synth(config, "watchdog-activity-config");
        json p = resource(s.t["Watchdog"], "AlarmContainerActivity864C7EFA")["Properties"];
        CHECK(p["Threshold"] == 42);
        CHECK(p["EvaluationPeriods"] == 12);
    }
}

TEST_CASE("Watchdog: the break-crash-loop function may only update this ASG and write its own logs") {
    Synthesized s = synth(example_config(), "watchdog-default");
    json w = s.t["Watchdog"];
    json fn = resource(w, "BreakCrashLoop81F563D6");
    CHECK(fn["Type"] == "AWS::Lambda::Function");
    json p = fn["Properties"];
    CHECK(p["Runtime"] == "python3.12");
    CHECK(p["Handler"] == "main.lambda_handler");
    CHECK(p["Code"].contains("S3Key"));
    REQUIRE(p["Environment"]["Variables"].size() == 1);
    CHECK(comes_from(s.t, "Watchdog", p["Environment"]["Variables"]["ASG_NAME"], "EcsAsg", ref("Asg")));
    CHECK(p["LoggingConfig"]["LogGroup"] == ref("LogGroupStartSystem99472711"));
    CHECK(p["Role"] == get_att("AsgStateChangeHookRoleC276E38E", "Arn"));

    json logs = resource(w, "LogGroupStartSystem99472711")["Properties"];
    CHECK(logs["LogGroupName"] == "/aws/lambda/MinecraftJavaExample-break-crash-loop");
    CHECK(logs["RetentionInDays"] == 7);

    std::vector<json> statements = role_statements(w, "AsgStateChangeHookRoleC276E38E");
    REQUIRE(statements.size() == 2);
    std::vector<json> update = granted(statements, "autoscaling:UpdateAutoScalingGroup");
    REQUIRE(update.size() == 1);
    json arn = update[0]["Fn::Sub"];
    CHECK(arn[0] == "arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                    "autoScalingGroupName/${AsgName}");
    CHECK(comes_from(s.t, "Watchdog", arn[1]["AsgName"], "EcsAsg", ref("Asg")));
    CHECK(granted(statements, "logs:PutLogEvents") == std::vector<json>{get_att("LogGroupStartSystem99472711", "Arn")});
    CHECK(granted(statements, "logs:CreateLogStream") ==
          std::vector<json>{get_att("LogGroupStartSystem99472711", "Arn")});
    for (const auto& st : statements) {
        for (const auto& r : resources_of(st)) CHECK(r != "*");
    }
    // It never runs before its permissions exist.
    std::vector<std::string> depends = fn["DependsOn"].get<std::vector<std::string>>();
    CHECK(std::find(depends.begin(), depends.end(), "AsgStateChangeHookPolicyA468AA6A") != depends.end());
    CHECK(std::find(depends.begin(), depends.end(), "AsgStateChangeHookRoleDefaultPolicy5BCA8756") != depends.end());
}

TEST_CASE("Watchdog: the crash-loop rule fires on failed starts and error exits of this cluster's tasks only") {
    Synthesized s = synth(example_config(), "watchdog-default");
    json w = s.t["Watchdog"];
    json rule = resource(w, "RuleBreakCrashLoopE9FC8982")["Properties"];
    CHECK(rule["Name"] == "minecraft.java.example-rule-break-crash-loop");
    CHECK(rule["State"] == "ENABLED");
    json pattern = rule["EventPattern"];
    CHECK(pattern["source"] == json::array({"aws.ecs"}));
    CHECK(pattern["detail-type"] == json::array({"ECS Task State Change"}));
    CHECK(pattern["detail"]["desiredStatus"] == json::array({"STOPPED"}));
    CHECK(comes_from(s.t, "Watchdog", pattern["detail"]["clusterArn"][0], "EcsAsg", get_att("Cluster", "Arn")));
    CHECK(comes_from(s.t, "Watchdog", pattern["detail"]["capacityProviderName"][0], "EcsAsg", ref("CapacityProvider")));
    CHECK(pattern["detail"]["$or"] == json::parse(R"([
        {"stopCode": ["TaskFailedToStart"]},
        {"stopCode": ["EssentialContainerExited"], "containers": {"exitCode": [{"anything-but": 0}]}}])"));

    // What the pattern lets through.
    json p = resolved_pattern(s.t, pattern);
    CHECK(matches(p, ecs_event(p, "TaskFailedToStart", 0)));
    CHECK(matches(p, ecs_event(p, "EssentialContainerExited", 1)));
    CHECK(matches(p, ecs_event(p, "EssentialContainerExited", 137)));
    CHECK_FALSE(matches(p, ecs_event(p, "EssentialContainerExited", 0))); // a clean exit is no crash
    CHECK_FALSE(matches(p, ecs_event(p, "UserInitiated", 1)));             // the watchdog scaling down
    CHECK_FALSE(matches(p, ecs_event(p, "ServiceSchedulerInitiated", 1)));
    json other_cluster = ecs_event(p, "TaskFailedToStart", 0);
    other_cluster["detail"]["clusterArn"] = "arn:aws:ecs:us-west-2:123456789012:cluster/other";
    CHECK_FALSE(matches(p, other_cluster));
    json still_running = ecs_event(p, "TaskFailedToStart", 0);
    still_running["detail"]["desiredStatus"] = "RUNNING";
    CHECK_FALSE(matches(p, still_running));

    // Target: the function, which lets this rule (only) invoke it.
    CHECK(rule["Targets"] == json::parse(R"([{"Arn":{"Fn::GetAtt":["BreakCrashLoop81F563D6","Arn"]},"Id":"Target0"}])"));
    int permissions = 0;
    for (const auto& [id, r] : w["Resources"].items()) {
        if (r["Type"] != "AWS::Lambda::Permission") continue;
        ++permissions;
        CHECK(id.rfind("RuleBreakCrashLoopAllowEventRule", 0) == 0);
        CHECK(r["Properties"]["Action"] == "lambda:InvokeFunction");
        CHECK(r["Properties"]["Principal"] == "events.amazonaws.com");
        CHECK(r["Properties"]["FunctionName"] == get_att("BreakCrashLoop81F563D6", "Arn"));
        CHECK(r["Properties"]["SourceArn"] == get_att("RuleBreakCrashLoopE9FC8982", "Arn"));
    }
    CHECK(permissions == 1);
}

TEST_CASE("Watchdog: Break Crash Loop alarm tells both topics when the function ran") {
    Synthesized s = synth(example_config(), "watchdog-default");
    json p = resource(s.t["Watchdog"], "AlarmBreakCrashLoopE20DB111")["Properties"];
    CHECK(p["AlarmName"] == "Break Crash Loop (ContainerManager-MinecraftJavaExample-Stack)");
    CHECK(p["Namespace"] == "AWS/Lambda");
    CHECK(p["MetricName"] == "Invocations");
    CHECK(p["Dimensions"] == json::parse(R"([{"Name":"FunctionName","Value":{"Ref":"BreakCrashLoop81F563D6"}}])"));
    CHECK(p["Statistic"] == "Maximum");
    CHECK(p["Period"] == 60);
    CHECK(p["ComparisonOperator"] == "GreaterThanThreshold");
    CHECK(p["Threshold"] == 0);
    CHECK(p["EvaluationPeriods"] == 1);
    REQUIRE(p["AlarmActions"].size() == 2);
    CHECK(comes_from(s.t, "Watchdog", p["AlarmActions"][0], "Base", ref("SnsNotifyTopic3E96648F")));
    CHECK(comes_from(s.t, "Watchdog", p["AlarmActions"][1], "Parent", ref("SnsNotifyTopic3E96648F")));
}

TEST_CASE("Watchdog: logical ids are the AWS CDK app's") {
    Synthesized s = synth(example_config(), "watchdog-default");
    std::ifstream in(std::string(LEAFSYNTH_UNIT_REFERENCE_DIR) +
                     "/ContainerManagerMinecraftJavaExampleStackWatchdogNestedStack894D66AC.nested.template.json");
    std::stringstream text;
    text << in.rdbuf();
    const json cdk = unit::parse_json(text.str());
    const json resources = s.t["Watchdog"]["Resources"]; // a copy: Templates::operator[] returns a temporary
    for (const auto& [id, r] : resources.items()) {
        if (r["Type"] == "AWS::Lambda::Permission") continue; // named after the nested stack's path, which differs
        INFO(id);
        REQUIRE(cdk["Resources"].contains(id));
        CHECK(cdk["Resources"][id]["Type"] == r["Type"]);
    }
    CHECK(resources.size() == cdk["Resources"].size() - 1); // CDK's has its CDKMetadata too
}
