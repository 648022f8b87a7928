#include "leafsynth/aws/cloudwatch.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "detail/text.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth::aws::cloudwatch {

// -------------------------------------------------------------------------------------------------
// Metrics
// -------------------------------------------------------------------------------------------------

MetricSource::MetricSource(const Metric& metric) : metric_(std::make_shared<const Metric>(metric)) {}
MetricSource::MetricSource(const MathExpression& expression)
    : expression_(std::make_shared<const MathExpression>(expression)) {}

const std::string& MetricSource::label() const {
    static const std::string none;
    if (metric_) return metric_->label;
    if (expression_) return expression_->label;
    return none;
}

int MetricSource::period_seconds() const {
    if (metric_) return metric_->period_seconds;
    if (expression_) return expression_->period_seconds;
    return 0;
}

namespace {

// A number as the template writes it: an integer when it is one.
Value number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 1e15) return static_cast<std::int64_t>(d);
    return d;
}

/// `p\d{1,2}(\.\d+)?`, e.g. `p99`, `p99.9`.
bool is_percentile(std::string_view statistic) {
    if (!statistic.starts_with('p')) return false;
    statistic.remove_prefix(1);
    const std::size_t dot = statistic.find('.');
    const std::string_view whole = statistic.substr(0, dot);
    if (!detail::all_of_length(whole, 1, 2, detail::is_digit)) return false;
    return dot == std::string_view::npos ||
           detail::all_of_length(statistic.substr(dot + 1), 1, statistic.size(), detail::is_digit);
}

List dimension_list(const Metric& m) {
    List out;
    for (const auto& d : m.dimensions) out.push_back(Map{{"Name", d.name}, {"Value", d.value}});
    return out;
}

Map metric_identity(const Metric& m) {
    Map out{{"MetricName", m.metric_name}, {"Namespace", m.metric_namespace}};
    if (!m.dimensions.empty()) out["Dimensions"] = dimension_list(m);
    return out;
}

// Appends the alarm's metric data queries for `source` (known as `id`), then those of what it uses.
void add_queries(const MetricSource& source, const std::string& id, bool return_data, List& out) {
    Map query{{"Id", id}, {"ReturnData", return_data}};
    if (!source.label().empty()) query["Label"] = source.label();
    if (const Metric* m = source.metric()) {
        Map stat{{"Metric", metric_identity(*m)}, {"Period", m->period_seconds}, {"Stat", m->statistic}};
        if (!m->unit.empty()) stat["Unit"] = m->unit;
        query["MetricStat"] = std::move(stat);
        out.push_back(std::move(query));
    } else if (const MathExpression* e = source.expression()) {
        query["Expression"] = e->expression;
        out.push_back(std::move(query));
        for (const auto& [used_id, used] : e->using_metrics) add_queries(used, used_id, false, out);
    }
}

// The longest period of the metrics an alarm evaluates (CloudWatch evaluates an expression over them).
int evaluated_period(const MetricSource& source) {
    if (const Metric* m = source.metric()) return m->period_seconds;
    int period = 0;
    if (const MathExpression* e = source.expression()) {
        for (const auto& used : e->using_metrics) period = std::max(period, evaluated_period(used.second));
    }
    return period;
}

// Every metric and expression below `source`, with their ids, for checks.
void collect(const MetricSource& source, const std::string& id, std::vector<std::pair<std::string, MetricSource>>& out) {
    out.emplace_back(id, source);
    if (const MathExpression* e = source.expression()) {
        for (const auto& [used_id, used] : e->using_metrics) collect(used, used_id, out);
    }
}

const char* legend_name(LegendPosition p) {
    switch (p) {
    case LegendPosition::Bottom: return "bottom";
    case LegendPosition::Right: return "right";
    case LegendPosition::Hidden: return "hidden";
    }
    return "bottom";
}

// One graph line (or several: an expression's used metrics follow it, hidden).
void add_lines(const MetricSource& source, bool right, const std::string& id, bool visible, List& out) {
    Map options;
    if (!source.label().empty()) options["label"] = source.label();
    if (right && visible) options["yAxis"] = "right";
    if (!id.empty()) options["id"] = id;
    if (!visible) options["visible"] = false;
    if (const Metric* m = source.metric()) {
        options["period"] = m->period_seconds;
        options["stat"] = m->statistic;
        List line{m->metric_namespace, m->metric_name};
        for (const auto& d : m->dimensions) {
            line.push_back(d.name);
            line.push_back(d.value);
        }
        line.push_back(std::move(options));
        out.push_back(std::move(line));
    } else if (const MathExpression* e = source.expression()) {
        options["expression"] = e->expression;
        options["period"] = e->period_seconds;
        out.push_back(List{std::move(options)});
        for (const auto& [used_id, used] : e->using_metrics) add_lines(used, right, used_id, false, out);
    }
}

Value region_or_default(const Value& region) { return region.is_null() ? Aws::region() : region; }

// Text made of literal pieces and references: a plain string when every piece is literal.
Value concat(const List& parts) {
    List merged;
    for (const auto& p : parts) {
        if (p.is_string() && !merged.empty() && merged.back().is_string()) {
            merged.back() = Value(merged.back().as_string() + p.as_string());
        } else {
            merged.push_back(p);
        }
    }
    if (merged.empty()) return std::string();
    if (merged.size() == 1 && merged.front().is_string()) return merged.front();
    return Fn::join("", std::move(merged));
}

} // namespace

std::string to_string(ComparisonOperator op) {
    switch (op) {
    case ComparisonOperator::GreaterThanOrEqualToThreshold: return "GreaterThanOrEqualToThreshold";
    case ComparisonOperator::GreaterThanThreshold: return "GreaterThanThreshold";
    case ComparisonOperator::LessThanThreshold: return "LessThanThreshold";
    case ComparisonOperator::LessThanOrEqualToThreshold: return "LessThanOrEqualToThreshold";
    }
    return "GreaterThanOrEqualToThreshold";
}

std::string to_string(TreatMissingData treatment) {
    switch (treatment) {
    case TreatMissingData::Missing: return "missing";
    case TreatMissingData::NotBreaching: return "notBreaching";
    case TreatMissingData::Breaching: return "breaching";
    case TreatMissingData::Ignore: return "ignore";
    }
    return "missing";
}

// -------------------------------------------------------------------------------------------------
// Alarm
// -------------------------------------------------------------------------------------------------

Alarm::Alarm(Construct& scope, std::string id, AlarmProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
    Map properties{{"ComparisonOperator", to_string(props_.comparison_operator)},
                   {"EvaluationPeriods", props_.evaluation_periods},
                   {"Threshold", number(props_.threshold)}};
    if (!props_.alarm_name.is_null()) properties["AlarmName"] = props_.alarm_name;
    if (!props_.description.empty()) properties["AlarmDescription"] = props_.description;
    if (props_.datapoints_to_alarm) properties["DatapointsToAlarm"] = *props_.datapoints_to_alarm;
    if (props_.treat_missing_data) properties["TreatMissingData"] = to_string(*props_.treat_missing_data);

    const Metric* m = props_.metric.metric();
    if (m && m->label.empty()) {
        // One plain metric: the top-level form, as aws-cdk-lib writes it.
        properties["MetricName"] = m->metric_name;
        properties["Namespace"] = m->metric_namespace;
        if (!m->dimensions.empty()) properties["Dimensions"] = dimension_list(*m);
        properties["Period"] = m->period_seconds;
        if (is_percentile(m->statistic)) properties["ExtendedStatistic"] = m->statistic;
        else properties["Statistic"] = m->statistic;
        if (!m->unit.empty()) properties["Unit"] = m->unit;
    } else if (!props_.metric.empty()) {
        List queries;
        add_queries(props_.metric, m ? "m1" : "expr_1", true, queries);
        properties["Metrics"] = std::move(queries);
    }
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::CloudWatch::Alarm", std::move(properties));
}

void Alarm::add_alarm_action(Value action_arn) { props_.alarm_actions.push_back(std::move(action_arn)); }

void Alarm::prepare() {
    resource_->render_properties(props_.alarm_actions.empty() ? Map{} : Map{{"AlarmActions", props_.alarm_actions}});
}

std::vector<std::string> Alarm::validate() const {
    std::vector<std::string> problems;
    if (props_.metric.empty()) {
        problems.push_back("the alarm has no metric: set AlarmProps::metric");
        return problems;
    }
    if (props_.evaluation_periods < 1) {
        problems.push_back("EvaluationPeriods is " + std::to_string(props_.evaluation_periods) + "; it must be at least 1");
    }
    if (props_.datapoints_to_alarm &&
        (*props_.datapoints_to_alarm < 1 || *props_.datapoints_to_alarm > props_.evaluation_periods)) {
        problems.push_back("DatapointsToAlarm is " + std::to_string(*props_.datapoints_to_alarm) +
                           "; it must be between 1 and EvaluationPeriods (" +
                           std::to_string(props_.evaluation_periods) + ")");
    }
    const int period = evaluated_period(props_.metric);
    const long long window = static_cast<long long>(period) * props_.evaluation_periods;
    const long long limit = period < 3600 ? 86400 : 604800;
    if (period > 0 && window > limit) {
        problems.push_back("the alarm evaluates " + std::to_string(props_.evaluation_periods) + " periods of " +
                           std::to_string(period) + " s (" + std::to_string(window / 3600) +
                           " h); CloudWatch allows at most " + (period < 3600 ? "1 day" : "7 days") +
                           " for periods " + (period < 3600 ? "under" : "of") +
                           " an hour: use fewer evaluation periods or a longer period");
    }
    std::vector<std::pair<std::string, MetricSource>> all;
    collect(props_.metric, "root", all);
    if (props_.metric.expression() || !props_.metric.label().empty()) {
        if (all.size() > 10) {
            problems.push_back("the alarm uses " + std::to_string(all.size()) +
                               " metrics and expressions; CloudWatch allows at most 10");
        }
        for (std::size_t i = 1; i < all.size(); ++i) {
            const std::string& id = all[i].first;
            if (id.empty() || !detail::is_lower(id.front()) ||
                !detail::all_of_length(id, 1, id.size(), [](char c) { return detail::is_alnum(c) || c == '_'; })) {
                problems.push_back("metric id '" + all[i].first +
                                   "' is not valid: it must start with a lower-case letter and hold only letters, "
                                   "digits and '_'");
            }
        }
    }
    for (const auto& [id, source] : all) {
        if (const Metric* m = source.metric()) {
            if (m->period_seconds <= 0 || (m->period_seconds >= 60 && m->period_seconds % 60 != 0) ||
                (m->period_seconds < 60 && m->period_seconds != 10 && m->period_seconds != 30)) {
                problems.push_back("metric " + m->metric_name + " has period " + std::to_string(m->period_seconds) +
                                   " s; use 10, 30 or a multiple of 60");
            }
        }
    }
    return problems;
}

// -------------------------------------------------------------------------------------------------
// Widgets
// -------------------------------------------------------------------------------------------------

Value YAxis::to_value() const {
    Map out;
    if (min) out["min"] = number(*min);
    if (max) out["max"] = number(*max);
    if (!label.empty()) out["label"] = label;
    if (show_units) out["showUnits"] = *show_units;
    return out;
}

List widget_metric_lines(const std::vector<MetricSource>& left, const std::vector<MetricSource>& right) {
    List out;
    for (const auto& m : left) add_lines(m, false, {}, true, out);
    for (const auto& m : right) add_lines(m, true, {}, true, out);
    return out;
}

Widget graph_widget(const GraphWidgetProps& props) {
    Map p{{"view", props.view},
          {"region", region_or_default(props.region)},
          {"metrics", widget_metric_lines(props.left, props.right)}};
    if (!props.title.empty()) p["title"] = props.title;
    Map axes;
    Value left = props.left_y_axis.to_value(), right = props.right_y_axis.to_value();
    if (!left.as_map().empty()) axes["left"] = left;
    if (!right.as_map().empty()) axes["right"] = right;
    p["yAxis"] = std::move(axes);
    if (props.legend_position) p["legend"] = Map{{"position", legend_name(*props.legend_position)}};
    if (props.period_seconds) p["period"] = *props.period_seconds;
    if (!props.statistic.empty()) p["stat"] = props.statistic;
    if (!props.alarm_annotations.empty()) {
        p["annotations"] = Map{{"alarms", List(props.alarm_annotations.begin(), props.alarm_annotations.end())}};
    }
    return Widget{"metric", props.width, props.height, std::move(p)};
}

Widget gauge_widget(const GaugeWidgetProps& props) {
    Map p{{"view", "gauge"},
          {"region", region_or_default(props.region)},
          {"metrics", widget_metric_lines(props.metrics, {})},
          {"yAxis", Map{{"left", Map{{"min", number(props.min)}, {"max", number(props.max)}}}}}};
    if (!props.title.empty()) p["title"] = props.title;
    return Widget{"metric", props.width, props.height, std::move(p)};
}

Value log_query_string(const std::vector<Value>& log_group_names, const std::vector<std::string>& query_lines) {
    List parts;
    for (const auto& name : log_group_names) {
        parts.push_back("SOURCE '");
        parts.push_back(name);
        parts.push_back("' | ");
    }
    for (std::size_t i = 0; i < query_lines.size(); ++i) {
        if (i > 0) parts.push_back("\n| ");
        parts.push_back(query_lines[i]);
    }
    return concat(parts);
}

Widget log_query_widget(const LogQueryWidgetProps& props) {
    Map p{{"view", props.view},
          {"region", region_or_default(props.region)},
          {"query", log_query_string(props.log_group_names, props.query_lines)}};
    if (!props.title.empty()) p["title"] = props.title;
    return Widget{"log", props.width, props.height, std::move(p)};
}

Widget alarm_status_widget(const AlarmStatusWidgetProps& props) {
    Map p{{"alarms", List(props.alarm_arns.begin(), props.alarm_arns.end())}};
    if (!props.title.empty()) p["title"] = props.title;
    return Widget{"alarm", props.width, props.height, std::move(p)};
}

Widget alarm_widget(const AlarmWidgetProps& props) {
    Map axes;
    Value left = props.left_y_axis.to_value();
    if (!left.as_map().empty()) axes["left"] = left;
    Map p{{"view", "timeSeries"},
          {"region", region_or_default(props.region)},
          {"annotations", Map{{"alarms", List{props.alarm_arn}}}},
          {"yAxis", std::move(axes)}};
    if (!props.title.is_null()) p["title"] = props.title;
    return Widget{"metric", props.width, props.height, std::move(p)};
}

Widget text_widget(const std::string& markdown, int width, int height) {
    return Widget{"text", width, height, Map{{"markdown", markdown}}};
}

// -------------------------------------------------------------------------------------------------
// Dashboard
// -------------------------------------------------------------------------------------------------

Dashboard::Dashboard(Construct& scope, std::string id, DashboardProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
    Map properties;
    if (!props_.dashboard_name.is_null()) properties["DashboardName"] = props_.dashboard_name;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::CloudWatch::Dashboard", std::move(properties));
}

void Dashboard::add_widgets(const std::vector<Widget>& row) {
    constexpr int kGridWidth = 24;
    int x = 0, y = next_y_, line_height = 0;
    for (const auto& w : row) {
        if (x > 0 && x + w.width > kGridWidth) {
            y += line_height;
            x = 0;
            line_height = 0;
        }
        placed_.push_back(Map{{"type", w.type},
                              {"width", w.width},
                              {"height", w.height},
                              {"x", x},
                              {"y", y},
                              {"properties", w.properties}});
        x += w.width;
        line_height = std::max(line_height, w.height);
    }
    next_y_ = y + line_height;
}

Value Dashboard::body() const {
    Map body{{"widgets", placed_}};
    if (!props_.start.empty()) body["start"] = props_.start;
    if (!props_.end.empty()) body["end"] = props_.end;
    if (!props_.period_override.empty()) body["periodOverride"] = props_.period_override;
    return body;
}

void Dashboard::prepare() { resource_->render_properties({{"DashboardBody", Fn::to_json_string(body())}}); }

std::vector<std::string> Dashboard::validate() const {
    std::vector<std::string> problems;
    if (props_.dashboard_name.is_string() &&
        !detail::all_of_length(props_.dashboard_name.as_string(), 1, 255,
                               [](char c) { return detail::is_alnum(c) || c == '_' || c == '-'; })) {
        problems.push_back("dashboard name " + quote_excerpt(props_.dashboard_name.as_string()) +
                           " is not valid: use 1 to 255 letters, digits, '-' or '_'");
    }
    if (!props_.period_override.empty() && props_.period_override != "auto" && props_.period_override != "inherit") {
        problems.push_back("periodOverride '" + props_.period_override + "' is not valid: use 'auto' or 'inherit'");
    }
    for (const auto& w : placed_) {
        const Map& m = w.as_map();
        const auto width = m.at("width").as_int();
        const auto height = m.at("height").as_int();
        if (width < 1 || width > 24 || height < 1 || height > 1000) {
            problems.push_back("a '" + m.at("type").as_string() + "' widget is " + std::to_string(width) + "x" +
                               std::to_string(height) + "; widths go from 1 to 24 and heights from 1 to 1000");
        }
    }
    return problems;
}

} // namespace leafsynth::aws::cloudwatch
