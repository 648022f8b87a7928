#pragma once
/// @file dashboard_stack.hpp
/// The leaf's `Dashboard` nested stack (when Dashboard.Enabled): one CloudWatch dashboard.

#include <vector>

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/containermanager/ecs_asg_stack.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

/// What the dashboard shows, from the other stacks.
struct DashboardInputs {
    EcsAsgHandles ecs_asg;             ///< Cluster, ASG, service.
    Value query_log_group_name;        ///< The Domain stack's query log group (us-east-1).
    Value hook_function_name;          ///< AsgStateChangeHook's function.
    std::vector<Value> alarm_arns;     ///< Watchdog's alarms.
    Value container_log_group_name;    ///< The container's log group.
};

/// The Dashboard nested stack.
class DashboardStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `Dashboard`.
    DashboardStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const DashboardInputs& inputs);
};

} // namespace leafsynth::containermanager
