#pragma once
/// @file watchdog_stack.hpp
/// The leaf's `Watchdog` nested stack: scale-down policy, Instance Left Up and Container Activity
/// alarms, the DNSTraffic metric, the break-crash-loop Lambda with its rule and alarm.

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/containermanager/ecs_asg_stack.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

/// The Watchdog nested stack.
class WatchdogStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `Watchdog`.
    WatchdogStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const StackContext& context,
                  const EcsAsgHandles& ecs_asg, const Value& base_topic_arn, const Value& leaf_topic_arn);
    /// The alarms' ARNs (Instance Left Up, Container Activity, Break Crash Loop), for the dashboard.
    const std::vector<Value>& alarm_arns() const { return alarm_arns_; }
    /// The break-crash-loop function's name.
    Value break_crash_loop_function_name() const { return function_name_; }

private:
    std::vector<Value> alarm_arns_;
    Value function_name_;
};

} // namespace leafsynth::containermanager
