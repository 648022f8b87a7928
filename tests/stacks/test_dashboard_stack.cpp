// The Dashboard nested stack: one dashboard whose body is valid JSON once deployed, with the
// configured time range and the widgets the spec lists.
#include <catch2/catch.hpp>

#include <regex>

#include "monitoring_fixture.hpp"

using namespace leafsynth;
using namespace monitoring;

namespace {

// The dashboard body as CloudFormation will hand it to CloudWatch, with every intrinsic replaced by
// a marker `@@<i>@@` (intrinsics[i] is the intrinsic). Parsing it proves the text is valid JSON
// whatever the (escape-free) names and ARNs resolve to.
struct Body {
    json value;                   // the parsed body
    std::vector<json> intrinsics; // what the markers stand for
};

Body body_of(const json& dashboard) {
    const json body = dashboard.at("Properties").at("DashboardBody");
    Body out;
    std::string text;
    if (body.is_string()) {
        text = body.get<std::string>();
    } else {
        const json& join = body.at("Fn::Join");
        REQUIRE(join[0] == "");
        for (const auto& piece : join[1]) {
            if (piece.is_string()) {
                text += piece.get<std::string>();
            } else {
                text += "@@" + std::to_string(out.intrinsics.size()) + "@@";
                out.intrinsics.push_back(piece);
            }
        }
    }
    out.value = unit::parse_json(text);
    return out;
}

// The intrinsic a whole-marker string stands for.
json intrinsic(const Body& b, const json& marker) {
    std::smatch m;
    const std::string s = marker.get<std::string>();
    REQUIRE(std::regex_match(s, m, std::regex("@@(\\d+)@@")));
    return b.intrinsics.at(std::stoul(m[1]));
}

// The markers inside a string (e.g. a query naming a log group).
std::vector<json> intrinsics_in(const Body& b, const std::string& s) {
    std::vector<json> out;
    std::regex marker("@@(\\d+)@@");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), marker); it != std::sregex_iterator(); ++it) {
        out.push_back(b.intrinsics.at(std::stoul((*it)[1])));
    }
    return out;
}

struct Synthesized {
    Assembly assembly;
    Templates t;
    Body body;
    json dashboard;
};

Synthesized synth(const cm::LeafConfig& config, const std::string& name) {
    App app;
    build_leaf(app, config, true);
    Synthesized s{unit::synth_and_emit(app, name), {}, {}, {}};
    s.t = templates_of(s.assembly);
    json d = s.t["Dashboard"];
    s.dashboard = d["Resources"][resource_id(d, "AWS::CloudWatch::Dashboard")];
    s.body = body_of(s.dashboard);
    return s;
}

json widget_titled(const json& body, const std::string& title) {
    for (const auto& w : body["widgets"]) {
        if (w["properties"].contains("title") && w["properties"]["title"] == title) return w;
    }
    FAIL("no widget titled " << title);
    return {};
}

} // namespace

TEST_CASE("Dashboard: one dashboard named after the leaf, with the interval as default time range") {
    Synthesized s = synth(example_config(), "dashboard-default");
    json d = s.t["Dashboard"];
    CHECK(d["Resources"].size() == 1);
    CHECK(d["Resources"].contains("CloudwatchDashboard88785441")); // the AWS CDK app's logical id
    CHECK(s.dashboard["Properties"]["DashboardName"] == "ContainerManager-MinecraftJavaExample-Dashboard");
    CHECK(s.body.value["start"] == "-PT30M");
    CHECK(s.body.value["periodOverride"] == "auto");

    cm::LeafConfig config = example_config();
    config.dashboard.interval_minutes = 90;
    Synthesized longer = synth(config, "dashboard-interval");
    CHECK(longer.body.value["start"] == "-PT90M");
}

TEST_CASE("Dashboard: widgets fit the 24-column grid without overlapping") {
    Synthesized s = synth(example_config(), "dashboard-default");
    json widgets = s.body.value["widgets"];
    CHECK(widgets.size() == 10);
    std::vector<std::array<int, 4>> boxes;
    for (const auto& w : widgets) {
        int x = w["x"], y = w["y"], width = w["width"], height = w["height"];
        CHECK(x >= 0);
        CHECK(x + width <= 24);
        for (const auto& b : boxes) {
            bool apart = x + width <= b[0] || b[0] + b[2] <= x || y + height <= b[1] || b[1] + b[3] <= y;
            CHECK(apart);
        }
        boxes.push_back({x, y, width, height});
    }
    // The first line: DNS look-ups beside the hook's invocations.
    CHECK(widgets[0]["x"] == 0);
    CHECK(widgets[1]["x"] == 12);
    CHECK(widgets[1]["y"] == 0);
}

TEST_CASE("Dashboard: DNS look-ups of the sub-domain from the us-east-1 query log") {
    Synthesized s = synth(example_config(), "dashboard-default");
    json w = widget_titled(s.body.value, "DNS Traffic - Hook to Start Up System");
    CHECK(w["type"] == "log");
    CHECK(w["properties"]["region"] == "us-east-1");
    const std::string query = w["properties"]["query"];
    // The query names the Domain stack's log group (a reference) and keeps the spaces around the name.
    CHECK(query.rfind("SOURCE '@@", 0) == 0);
    std::vector<json> refs = intrinsics_in(s.body, query);
    REQUIRE(refs.size() == 1);
    CHECK(comes_from(s.t, "Dashboard", refs[0], "Parent", monitoring::ref(make_unique_id({"QueryLogGroup", "Resource"}))));
    CHECK(query.find("\n| filter @message like / minecraft\\.java\\.example\\.example\\.com A /") != std::string::npos);
}

TEST_CASE("Dashboard: the hook's invocations, the instance gauge and the alarms") {
    Synthesized s = synth(example_config(), "dashboard-default");
    json hook = widget_titled(s.body.value, "(Lambda) ASG State Change Invocations");
    json line = hook["properties"]["metrics"][0];
    CHECK(line[0] == "AWS/Lambda");
    CHECK(line[1] == "Invocations");
    CHECK(line[2] == "FunctionName");
    CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, line[3]), "AsgStateChangeHook", ref("AsgStateChangeHook1AC10722")));
    CHECK(intrinsic(s.body, hook["properties"]["region"]) == ref("AWS::Region"));

    json gauge = widget_titled(s.body.value, "EC2 Instance Count");
    CHECK(gauge["properties"]["view"] == "gauge");
    CHECK(gauge["properties"]["yAxis"]["left"] == json::parse(R"({"min":0,"max":1})"));
    json g = gauge["properties"]["metrics"][0];
    CHECK(g[0] == "AWS/AutoScaling");
    CHECK(g[1] == "GroupInServiceInstances");
    CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, g[3]), "EcsAsg", ref("Asg")));

    const std::vector<std::string> alarm_ids{"AlarmInstanceLeftUpE53295EB", "AlarmContainerActivity864C7EFA",
                                             "AlarmBreakCrashLoopE20DB111"};
    json summary = widget_titled(s.body.value, "Alarm Summary");
    CHECK(summary["type"] == "alarm");
    REQUIRE(summary["properties"]["alarms"].size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, summary["properties"]["alarms"][i]), "Watchdog",
                         get_att(alarm_ids[i], "Arn")));
    }
    const std::vector<std::string> names{"Instance Left Up", "Container Activity", "Break Crash Loop"};
    for (std::size_t i = 0; i < 3; ++i) {
        json w = widget_titled(s.body.value, "Alarm: " + names[i] + " (ContainerManager-MinecraftJavaExample-Stack)");
        REQUIRE(w["properties"]["annotations"]["alarms"].size() == 1);
        CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, w["properties"]["annotations"]["alarms"][0]), "Watchdog",
                         get_att(alarm_ids[i], "Arn")));
    }
}

TEST_CASE("Dashboard: network traffic is bytes/s in plus DNS hits, as the watchdog judges it") {
    Synthesized s = synth(example_config(), "dashboard-default");
    json w = widget_titled(s.body.value, "(ASG) All Network Traffic");
    json lines = w["properties"]["metrics"];
    REQUIRE(lines.size() == 3);
    CHECK(lines[0][0]["expression"] == "b_in/60");
    CHECK(lines[0][0]["yAxis"] == "right");
    CHECK(lines[1][0] == "AWS/EC2");
    CHECK(lines[1][1] == "NetworkIn");
    CHECK(lines[1][4]["id"] == "b_in");
    CHECK(lines[1][4]["visible"] == false);
    CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, lines[1][3]), "EcsAsg", ref("Asg")));
    CHECK(lines[2] == json::parse(R"(["ContainerManager-MinecraftJavaExample-Stack","DNSTraffic","ContainerNameID",
        "minecraft.java.example",{"label":"DNS Traffic","period":60,"stat":"Maximum","yAxis":"right"}])"));
}

TEST_CASE("Dashboard: container logs with or without their timestamp, as configured") {
    SECTION("ShowContainerTimestamp: true (default)") {
        Synthesized s = synth(example_config(), "dashboard-default");
        json w = widget_titled(s.body.value, "Container Logs");
        const std::string query = w["properties"]["query"];
        std::vector<json> refs = intrinsics_in(s.body, query);
        REQUIRE(refs.size() == 1);
        CHECK(comes_from(s.t, "Dashboard", refs[0], "Parent", monitoring::ref(make_unique_id({"ContainerLogGroup", "Resource"}))));
        CHECK(query.substr(query.find("' | ")) == "' | fields @timestamp, @message");
        CHECK(intrinsic(s.body, w["properties"]["region"]) == ref("AWS::Region"));
    }
    SECTION("ShowContainerTimestamp: false") {
        cm::LeafConfig config = example_config();
        config.dashboard.show_container_timestamp = false;
        Synthesized s = synth(config, "dashboard-no-timestamp");
        json w = widget_titled(s.body.value, "Container Logs");
        const std::string query = w["properties"]["query"];
        CHECK(query.substr(query.find("' | ")) == "' | fields @message");
        CHECK(query.find("@timestamp") == std::string::npos);
    }
}

TEST_CASE("Dashboard: the service's CPU and memory, titled with the instance type") {
    cm::LeafConfig config = example_config();
    config.ec2.instance_type = "t3.medium";
    Synthesized s = synth(config, "dashboard-instance-type");
    json w = widget_titled(s.body.value, "(ECS) Container Utilization - t3.medium");
    json lines = w["properties"]["metrics"];
    REQUIRE(lines.size() == 2);
    CHECK(lines[0][1] == "CPUUtilization");
    CHECK(lines[1][1] == "MemoryUtilization");
    for (const auto& line : lines) {
        CHECK(line[0] == "AWS/ECS");
        CHECK(line[2] == "ClusterName");
        CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, line[3]), "EcsAsg", ref("Cluster")));
        CHECK(line[4] == "ServiceName");
        CHECK(comes_from(s.t, "Dashboard", intrinsic(s.body, line[5]), "EcsAsg", get_att("Service", "Name")));
    }
}
