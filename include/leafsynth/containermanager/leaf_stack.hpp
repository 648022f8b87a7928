#pragma once
/// @file leaf_stack.hpp
/// `<AppId>-<Alpha>-Stack` (main region): the leaf's notify topic and its nested stacks
/// SecurityGroups, Container, Volumes, EcsAsg, Watchdog, AsgStateChangeHook and Dashboard.

#include "leafsynth/aws/sns.hpp"
#include "leafsynth/containermanager/asg_state_change_hook_stack.hpp"
#include "leafsynth/containermanager/base_stack.hpp"
#include "leafsynth/containermanager/container_stack.hpp"
#include "leafsynth/containermanager/dashboard_stack.hpp"
#include "leafsynth/containermanager/domain_stack.hpp"
#include "leafsynth/containermanager/ecs_asg_stack.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"
#include "leafsynth/containermanager/volumes_stack.hpp"
#include "leafsynth/containermanager/watchdog_stack.hpp"

namespace leafsynth::containermanager {

/// The leaf ("main") stack of one container.
class LeafStack : public Stack {
public:
    /// Creates the stack under `scope` (the App) in the main region.
    LeafStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
              const DomainStack& domain, const StackContext& context);

    /// The leaf's own notify topic.
    aws::sns::Topic& notify_topic() const { return *topic_; }
    /// The EcsAsg nested stack (LinkTogether needs its ASG).
    EcsAsgStack& ecs_asg() const { return *ecs_asg_; }

private:
    aws::sns::Topic* topic_ = nullptr;
    EcsAsgStack* ecs_asg_ = nullptr;
};

} // namespace leafsynth::containermanager
