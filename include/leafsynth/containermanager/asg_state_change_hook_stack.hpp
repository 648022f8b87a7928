#pragma once
/// @file asg_state_change_hook_stack.hpp
/// The leaf's `AsgStateChangeHook` nested stack: the Lambda that points DNS at a new instance and
/// starts / stops the ECS service, and the spin-up / spin-down rules that call it and notify.

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/containermanager/ecs_asg_stack.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

/// The AsgStateChangeHook nested stack.
class AsgStateChangeHookStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `AsgStateChangeHook`.
    AsgStateChangeHookStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                            const StackContext& context, const EcsAsgHandles& ecs_asg, const Value& sub_hosted_zone_id,
                            const Value& base_topic_arn, const Value& leaf_topic_arn);
    /// The hook function's name (for the dashboard).
    Value function_name() const { return function_name_; }

private:
    Value function_name_;
};

} // namespace leafsynth::containermanager
