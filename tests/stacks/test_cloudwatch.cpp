// CloudWatch constructs: alarm forms, alarm checks, widget JSON, dashboard layout, and the JSON
// text of bodies mixing literals and references.
#include <catch2/catch.hpp>

#include "leafsynth/aws/cloudwatch.hpp"
#include "leafsynth/leafsynth.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::aws;
using unit::json;

namespace {
StackProps in_region() { return StackProps{"Cw", {}, {{}, "eu-west-1"}}; }

cloudwatch::Metric cpu(const Value& instance, std::string label = {}) {
    return {"AWS/EC2", "CPUUtilization", {{"InstanceId", instance}}, 300, "Average", "Percent", std::move(label)};
}

json resources(Assembly& a) { return unit::template_of(a)["Resources"]; }

// The logical id of `<id>/Resource`.
std::string lid(const std::string& id) { return make_unique_id({id, "Resource"}); }
} // namespace

TEST_CASE("an alarm on one unlabelled metric uses the top-level metric properties") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    auto& topic = make<CfnResource>(s, "Topic", "AWS::SNS::Topic");
    cloudwatch::AlarmProps p;
    p.metric = cpu("i-0123456789abcdef0");
    p.alarm_name = "High CPU";
    p.threshold = 87.5;
    p.evaluation_periods = 3;
    p.datapoints_to_alarm = 2;
    p.comparison_operator = cloudwatch::ComparisonOperator::GreaterThanThreshold;
    p.treat_missing_data = cloudwatch::TreatMissingData::NotBreaching;
    auto& alarm = make<cloudwatch::Alarm>(s, "HighCpu", p);
    alarm.add_alarm_action(topic.ref());
    Assembly a = unit::synth_and_emit(app, "cloudwatch-alarm-simple");
    json r = resources(a)[lid("HighCpu")]["Properties"];
    CHECK(r == json::parse(R"({
        "AlarmName": "High CPU", "AlarmActions": [{"Ref": "Topic"}],
        "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
        "Threshold": 87.5, "TreatMissingData": "notBreaching",
        "Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Period": 300, "Statistic": "Average",
        "Unit": "Percent", "Dimensions": [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}]})"));
    CHECK(alarm.arn() == alarm.resource().get_att("Arn"));
}

TEST_CASE("a percentile statistic is an ExtendedStatistic") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    cloudwatch::Metric latency{"AWS/ApiGateway", "Latency", {}, 60, "p99", "", ""};
    cloudwatch::AlarmProps p;
    p.metric = latency;
    p.threshold = 1000;
    make<cloudwatch::Alarm>(s, "Slow", p);
    Assembly a = unit::synth_and_emit(app, "cloudwatch-alarm-percentile");
    json r = resources(a)[lid("Slow")]["Properties"];
    CHECK(r["ExtendedStatistic"] == "p99");
    CHECK_FALSE(r.contains("Statistic"));
    CHECK(r["Threshold"] == 1000);
    CHECK_FALSE(r.contains("Dimensions"));
}

TEST_CASE("a labelled metric or metric math uses the Metrics list, the expression first") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    auto& instance = make<CfnResource>(s, "Instance", "AWS::EC2::Instance", Map{{"ImageId", "ami-0123456789abcdef0"}});
    cloudwatch::AlarmProps labelled;
    labelled.metric = cpu(instance.ref(), "CPU");
    make<cloudwatch::Alarm>(s, "Labelled", labelled);

    cloudwatch::MathExpression half{"c/2", {{"c", cpu(instance.ref())}}, "Half", 300};
    cloudwatch::AlarmProps math;
    math.metric = cloudwatch::MathExpression{"half + 1", {{"half", half}}, "Plus one", 300};
    make<cloudwatch::Alarm>(s, "Math", math);
    Assembly a = unit::synth_and_emit(app, "cloudwatch-alarm-metrics");
    json l = resources(a)[lid("Labelled")]["Properties"];
    CHECK_FALSE(l.contains("MetricName"));
    CHECK(l["Metrics"] == json::parse(R"([{"Id":"m1","Label":"CPU","ReturnData":true,"MetricStat":{
        "Metric":{"Namespace":"AWS/EC2","MetricName":"CPUUtilization","Dimensions":[{"Name":"InstanceId","Value":{"Ref":"Instance"}}]},
        "Period":300,"Stat":"Average","Unit":"Percent"}}])"));
    json m = resources(a)[lid("Math")]["Properties"]["Metrics"];
    REQUIRE(m.size() == 3);
    CHECK(m[0] == json::parse(R"({"Id":"expr_1","Expression":"half + 1","Label":"Plus one","ReturnData":true})"));
    CHECK(m[1] == json::parse(R"({"Id":"half","Expression":"c/2","Label":"Half","ReturnData":false})"));
    CHECK(m[2]["Id"] == "c");
    CHECK(m[2]["ReturnData"] == false);
    CHECK(m[2]["MetricStat"]["Metric"]["MetricName"] == "CPUUtilization");
}

TEST_CASE("alarm checks: a metric is required, the window is limited, ids and periods must be valid") {
    auto problems = [](cloudwatch::AlarmProps p) {
        App app;
        auto& s = make<Stack>(app, "Cw", in_region());
        make<cloudwatch::Alarm>(s, "A", std::move(p));
        try {
            app.synth();
        } catch (const ValidationError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK_THAT(problems({}), Catch::Contains("Cw/A") && Catch::Contains("no metric"));

    cloudwatch::AlarmProps day;
    day.metric = cloudwatch::Metric{"N", "M", {}, 60, "Maximum", "", ""};
    day.evaluation_periods = 1440; // exactly one day: fine
    CHECK(problems(day).empty());
    day.evaluation_periods = 1441;
    CHECK_THAT(problems(day), Catch::Contains("at most 1 day"));
    day.metric = cloudwatch::Metric{"N", "M", {}, 3600, "Maximum", "", ""};
    day.evaluation_periods = 168; // a week of hours
    CHECK(problems(day).empty());
    day.evaluation_periods = 169;
    CHECK_THAT(problems(day), Catch::Contains("at most 7 days"));

    cloudwatch::AlarmProps bad_id;
    bad_id.metric = cloudwatch::MathExpression{"X + 1", {{"X", cloudwatch::Metric{"N", "M", {}, 60, "Sum", "", ""}}}, "", 60};
    CHECK_THAT(problems(bad_id), Catch::Contains("metric id 'X'"));

    cloudwatch::AlarmProps bad_period;
    bad_period.metric = cloudwatch::Metric{"N", "M", {}, 90, "Sum", "", ""};
    CHECK_THAT(problems(bad_period), Catch::Contains("period 90"));

    cloudwatch::AlarmProps datapoints;
    datapoints.metric = cloudwatch::Metric{"N", "M", {}, 60, "Sum", "", ""};
    datapoints.evaluation_periods = 2;
    datapoints.datapoints_to_alarm = 3;
    CHECK_THAT(problems(datapoints), Catch::Contains("DatapointsToAlarm is 3"));
}

TEST_CASE("graph lines: metrics as arrays, expressions followed by their hidden metrics") {
    cloudwatch::MathExpression per_second{"b/60", {{"b", cpu("i-1", "Bytes")}}, "Per second", 60};
    List lines = cloudwatch::widget_metric_lines({cpu("i-2")}, {per_second});
    json j = unit::parse_json(Fn::to_json_string(lines).as_string());
    CHECK(j == json::parse(R"([
        ["AWS/EC2","CPUUtilization","InstanceId","i-2",{"period":300,"stat":"Average"}],
        [{"expression":"b/60","label":"Per second","period":60,"yAxis":"right"}],
        ["AWS/EC2","CPUUtilization","InstanceId","i-1",{"id":"b","label":"Bytes","period":300,"stat":"Average","visible":false}]
    ])"));
}

TEST_CASE("a Logs Insights query naming a referenced log group is valid JSON text once resolved") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    auto& group = make<CfnResource>(s, "Group", "AWS::Logs::LogGroup");
    Value query = cloudwatch::log_query_string({group.ref()}, {"fields @message", "filter @message like /\"x\"/"});
    CHECK(query == Fn::join("", List{"SOURCE '", group.ref(), "' | fields @message\n| filter @message like /\"x\"/"}));
    CHECK(cloudwatch::log_query_string({"plain"}, {"fields @message"}) == Value("SOURCE 'plain' | fields @message"));

    // Inside a JSON body the literal pieces are escaped and the reference is spliced in.
    Value text = Fn::to_json_string(Map{{"query", query}});
    REQUIRE(text.is_intrinsic());
    const List& pieces = text.as_intrinsic().args[1].as_list();
    REQUIRE(pieces.size() == 3);
    CHECK(pieces[0] == Value("{\"query\":\"SOURCE '"));
    CHECK(pieces[1] == group.ref());
    CHECK(pieces[2] == Value("' | fields @message\\n| filter @message like /\\\"x\\\"/\"}"));
    json parsed = unit::parse_json(pieces[0].as_string() + "my-group" + pieces[2].as_string());
    CHECK(parsed["query"] == "SOURCE 'my-group' | fields @message\n| filter @message like /\"x\"/");
}

TEST_CASE("a dashboard lays each row out left to right, wrapping at 24 columns") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    cloudwatch::DashboardProps props;
    props.dashboard_name = "My-Dashboard_1";
    props.start = "-PT15M";
    props.period_override = "inherit";
    auto& d = make<cloudwatch::Dashboard>(s, "Dash", props);
    d.add_widgets({cloudwatch::text_widget("a", 12, 3), cloudwatch::text_widget("b", 8, 5),
                   cloudwatch::text_widget("c", 6, 2), cloudwatch::text_widget("d", 24, 1)});
    d.add_widgets({cloudwatch::text_widget("e", 4, 4)});
    Assembly a = unit::synth_and_emit(app, "cloudwatch-dashboard-layout");
    json r = resources(a)[lid("Dash")]["Properties"];
    CHECK(r["DashboardName"] == "My-Dashboard_1");
    REQUIRE(r["DashboardBody"].is_string()); // no reference: plain JSON text
    json body = unit::parse_json(r["DashboardBody"].get<std::string>());
    CHECK(body["start"] == "-PT15M");
    CHECK(body["periodOverride"] == "inherit");
    std::vector<std::array<int, 2>> xy;
    for (const auto& w : body["widgets"]) xy.push_back({w["x"].get<int>(), w["y"].get<int>()});
    // a(0,0) b(12,0); c wraps below the line's tallest (5); d wraps again; the next row starts below.
    CHECK(xy == std::vector<std::array<int, 2>>{{0, 0}, {12, 0}, {0, 5}, {0, 7}, {0, 8}});
    CHECK(body["widgets"][0]["properties"]["markdown"] == "a");
}

TEST_CASE("dashboard checks: name characters, period override, widget sizes") {
    App app;
    auto& s = make<Stack>(app, "Cw", in_region());
    cloudwatch::DashboardProps props;
    props.dashboard_name = "has space";
    props.period_override = "sometimes";
    auto& d = make<cloudwatch::Dashboard>(s, "Dash", props);
    d.add_widgets({cloudwatch::text_widget("too wide", 25, 2)});
    try {
        app.synth();
        FAIL("synth should fail");
    } catch (const ValidationError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("dashboard name 'has space'"));
        CHECK_THAT(what, Catch::Contains("periodOverride 'sometimes'"));
        CHECK_THAT(what, Catch::Contains("25x2"));
    }
}

TEST_CASE("widgets: gauge, alarm status, alarm graph and log query properties") {
    cloudwatch::GaugeWidgetProps g;
    g.title = "Gauge";
    g.metrics = {cpu("i-1")};
    g.min = 0;
    g.max = 1;
    cloudwatch::Widget gauge = cloudwatch::gauge_widget(g);
    CHECK(gauge.type == "metric");
    CHECK(gauge.properties.at("view") == Value("gauge"));
    CHECK(gauge.properties.at("region") == Aws::region());
    CHECK(gauge.properties.at("yAxis") == Value(Map{{"left", Map{{"min", 0}, {"max", 1}}}}));

    cloudwatch::Widget status = cloudwatch::alarm_status_widget({"All", {"arn:a", "arn:b"}, 3, 5});
    CHECK(status.type == "alarm");
    CHECK(status.properties.at("alarms") == Value(List{"arn:a", "arn:b"}));
    CHECK(status.width == 3);

    cloudwatch::AlarmWidgetProps aw;
    aw.title = "Alarm: x";
    aw.alarm_arn = "arn:a";
    aw.region = "us-east-1";
    cloudwatch::Widget alarm = cloudwatch::alarm_widget(aw);
    CHECK(alarm.properties.at("annotations") == Value(Map{{"alarms", List{"arn:a"}}}));
    CHECK(alarm.properties.at("region") == Value("us-east-1"));

    cloudwatch::LogQueryWidgetProps lq;
    lq.title = "Logs";
    lq.log_group_names = {"g1", "g2"};
    lq.query_lines = {"fields @message"};
    cloudwatch::Widget logs = cloudwatch::log_query_widget(lq);
    CHECK(logs.type == "log");
    CHECK(logs.properties.at("query") == Value("SOURCE 'g1' | SOURCE 'g2' | fields @message"));
    CHECK(logs.properties.at("view") == Value("table"));
}
