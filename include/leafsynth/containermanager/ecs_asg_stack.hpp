#pragma once
/// @file ecs_asg_stack.hpp
/// The leaf's `EcsAsg` nested stack: ECS cluster, instance role and profile, launch template, Auto
/// Scaling group with its termination lifecycle hook, capacity provider, and the EC2 service.

#include <vector>

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

class BaseStack;
class ContainerStack;
class SecurityGroupsStack;
class VolumesStack;

/// What the other nested stacks use of EcsAsg.
struct EcsAsgHandles {
    Value cluster_name;           ///< ECS cluster name.
    Value cluster_arn;            ///< ECS cluster ARN.
    Value asg_name;               ///< Auto Scaling group name.
    Value capacity_provider_name; ///< Capacity provider name.
    Value service_name;           ///< ECS service name.
    Value service_arn;            ///< ECS service ARN.
    Value lifecycle_hook_name;    ///< Termination lifecycle hook name.
    /// How long the termination hook waits for its action to be completed (or a heartbeat) before
    /// the termination goes on by itself.
    int lifecycle_heartbeat_seconds = 0;
};

/// The EcsAsg nested stack.
class EcsAsgStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `EcsAsg`.
    EcsAsgStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
                const SecurityGroupsStack& security_groups, const ContainerStack& container,
                const VolumesStack& volumes, const Value& leaf_topic_arn);
    /// Handles for the other nested stacks.
    const EcsAsgHandles& handles() const { return handles_; }

private:
    EcsAsgHandles handles_;
};

} // namespace leafsynth::containermanager
