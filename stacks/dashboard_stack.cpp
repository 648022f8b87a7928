// The leaf's Dashboard nested stack: one CloudWatch dashboard showing what starts the container
// (DNS look-ups), what the hook did, whether an instance is up, the alarms, the traffic the watchdog
// judges, the container's logs and its CPU / memory use.
#include "leafsynth/containermanager/dashboard_stack.hpp"

#include "leafsynth/aws/cloudwatch.hpp"
#include "watchdog_shared.hpp"

namespace leafsynth::containermanager {

namespace cw = aws::cloudwatch;

namespace {
StackProps dashboard_props(const LeafNames& names) {
    StackProps props;
    props.description = "Dashboard for " + names.leaf_stack;
    return props;
}

// The text as a literal inside a Logs Insights regular expression.
std::string regex_literal(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (std::string_view(".^$|?*+()[]{}\\/").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

cw::Metric ecs_service_metric(const char* name, const EcsAsgHandles& ecs_asg) {
    return {"AWS/ECS", name, {{"ClusterName", ecs_asg.cluster_name}, {"ServiceName", ecs_asg.service_name}}, 60,
            "Maximum", "", ""};
}
} // namespace

DashboardStack::DashboardStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                               const DashboardInputs& inputs)
    : NestedStack(scope, "Dashboard", dashboard_props(names)) {
    const EcsAsgHandles& ecs_asg = inputs.ecs_asg;

    cw::DashboardProps props;
    props.dashboard_name = names.stack_id + "-Dashboard";
    props.start = "-PT" + std::to_string(config.dashboard.interval_minutes) + "M";
    props.period_override = "auto";
    auto& dashboard = make<cw::Dashboard>(*this, "CloudwatchDashboard", props);

    std::vector<cw::Widget> widgets;

    // What starts the system: the sub-domain's look-ups in the Route 53 query log (us-east-1). The
    // spaces around the name keep `_tcp.` look-ups and longer names out, as in the subscription filter.
    cw::LogQueryWidgetProps dns;
    dns.title = "DNS Traffic - Hook to Start Up System";
    dns.log_group_names = {inputs.query_log_group_name};
    dns.query_lines = {"fields @timestamp, substr(@message, 25) as message",
                       "filter @message like /" + regex_literal(names.dns_log_filter) + "/"};
    dns.region = kDnsRegion;
    dns.width = 12;
    dns.height = 6;
    widgets.push_back(cw::log_query_widget(dns));

    cw::GraphWidgetProps hook;
    hook.title = "(Lambda) ASG State Change Invocations";
    hook.right = {cw::Metric{"AWS/Lambda", "Invocations", {{"FunctionName", inputs.hook_function_name}}, 60, "Maximum",
                             "Count", ""}};
    hook.legend_position = cw::LegendPosition::Right;
    hook.period_seconds = 60;
    hook.statistic = "Maximum";
    hook.width = 12;
    hook.height = 6;
    widgets.push_back(cw::graph_widget(hook));

    cw::GaugeWidgetProps instances;
    instances.title = "EC2 Instance Count";
    instances.metrics = {detail::instance_count_metric(ecs_asg.asg_name)};
    instances.min = 0;
    instances.max = 1;
    instances.width = 4;
    instances.height = 5;
    widgets.push_back(cw::gauge_widget(instances));

    cw::AlarmStatusWidgetProps summary;
    summary.title = "Alarm Summary";
    summary.alarm_arns = inputs.alarm_arns;
    summary.width = 3;
    summary.height = 5;
    widgets.push_back(cw::alarm_status_widget(summary));

    // One widget per alarm: the first beside the summary, the others on the next line.
    const std::vector<std::string> alarm_names = detail::watchdog_alarm_names(names.leaf_stack);
    auto alarm = [&](std::size_t i, int width) {
        cw::AlarmWidgetProps p;
        p.title = "Alarm: " + (i < alarm_names.size() ? alarm_names[i] : "#" + std::to_string(i + 1));
        p.alarm_arn = inputs.alarm_arns[i];
        p.width = width;
        p.height = 5;
        return cw::alarm_widget(p);
    };
    if (!inputs.alarm_arns.empty()) widgets.push_back(alarm(0, 5));

    cw::GraphWidgetProps traffic;
    traffic.title = "(ASG) All Network Traffic";
    traffic.right = {detail::bytes_in_per_second(ecs_asg.asg_name), detail::dns_traffic_metric(names)};
    traffic.legend_position = cw::LegendPosition::Right;
    traffic.period_seconds = 60;
    traffic.statistic = "Sum";
    traffic.left_y_axis.label = "Traffic Packets";
    traffic.left_y_axis.show_units = false;
    traffic.right_y_axis.label = "Traffic Amount";
    traffic.right_y_axis.show_units = false;
    traffic.width = 12;
    traffic.height = 6;
    widgets.push_back(cw::graph_widget(traffic));

    for (std::size_t i = 1; i < inputs.alarm_arns.size(); ++i) widgets.push_back(alarm(i, 6));

    // The container's own lines may carry a timestamp already: ShowContainerTimestamp decides.
    cw::LogQueryWidgetProps container_logs;
    container_logs.title = "Container Logs";
    container_logs.log_group_names = {inputs.container_log_group_name};
    container_logs.query_lines = {config.dashboard.show_container_timestamp ? "fields @timestamp, @message"
                                                                            : "fields @message"};
    container_logs.width = 12;
    container_logs.height = 6;
    widgets.push_back(cw::log_query_widget(container_logs));

    cw::GraphWidgetProps utilization;
    utilization.title = "(ECS) Container Utilization - " + config.ec2.instance_type;
    utilization.right = {ecs_service_metric("CPUUtilization", ecs_asg), ecs_service_metric("MemoryUtilization", ecs_asg)};
    utilization.legend_position = cw::LegendPosition::Right;
    utilization.period_seconds = 60;
    utilization.statistic = "Maximum";
    utilization.width = 12;
    utilization.height = 6;
    widgets.push_back(cw::graph_widget(utilization));

    dashboard.add_widgets(widgets);
}

} // namespace leafsynth::containermanager
