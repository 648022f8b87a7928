#pragma once
// What the Watchdog stack (which alarms on them) and the Dashboard stack (which graphs them) share:
// the alarms' names and the metrics. Internal to the stacks library.

#include <string>
#include <vector>

#include "leafsynth/aws/cloudwatch.hpp"
#include "leafsynth/containermanager/config.hpp"

namespace leafsynth::containermanager::detail {

/// `Instance Left Up (<LeafStackName>)`.
inline std::string instance_left_up_alarm_name(const std::string& leaf_stack) {
    return "Instance Left Up (" + leaf_stack + ")";
}

/// `Container Activity (<LeafStackName>)`.
inline std::string container_activity_alarm_name(const std::string& leaf_stack) {
    return "Container Activity (" + leaf_stack + ")";
}

/// `Break Crash Loop (<LeafStackName>)`.
inline std::string break_crash_loop_alarm_name(const std::string& leaf_stack) {
    return "Break Crash Loop (" + leaf_stack + ")";
}

/// The three names in the order WatchdogStack::alarm_arns() lists the alarms.
inline std::vector<std::string> watchdog_alarm_names(const std::string& leaf_stack) {
    return {instance_left_up_alarm_name(leaf_stack), container_activity_alarm_name(leaf_stack),
            break_crash_loop_alarm_name(leaf_stack)};
}

/// Instances in service in the ASG: maximum per minute.
inline aws::cloudwatch::Metric instance_count_metric(const Value& asg_name) {
    return {"AWS/AutoScaling", "GroupInServiceInstances", {{"AutoScalingGroupName", asg_name}}, 60, "Maximum", "",
            "Number of Instances"};
}

/// Bytes per second into the ASG's instances: `AWS/EC2 NetworkIn` per minute (`b_in`) divided by 60.
inline aws::cloudwatch::MathExpression bytes_in_per_second(const Value& asg_name) {
    aws::cloudwatch::Metric network_in{"AWS/EC2", "NetworkIn", {{"AutoScalingGroupName", asg_name}}, 60, "Average", "",
                                       "Network In"};
    return {"b_in/60", {{"b_in", network_in}}, "Bytes IN per Second", 60};
}

/// `DNSTraffic` in namespace `<LeafStackName>`, dimension `ContainerNameID=<container id>`, unit Count,
/// maximum per minute: written by the start-system Lambda when the sub-domain is looked up.
inline aws::cloudwatch::Metric dns_traffic_metric(const LeafNames& names) {
    return {names.leaf_stack, "DNSTraffic", {{"ContainerNameID", names.container_id}}, 60, "Maximum", "Count",
            "DNS Traffic"};
}

} // namespace leafsynth::containermanager::detail
