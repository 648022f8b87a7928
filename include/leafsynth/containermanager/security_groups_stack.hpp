#pragma once
/// @file security_groups_stack.hpp
/// The leaf's `SecurityGroups` nested stack: container traffic and EFS traffic security groups.

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

class BaseStack;

/// The SecurityGroups nested stack.
class SecurityGroupsStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `SecurityGroups`.
    SecurityGroupsStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base);
    /// The container security group's id.
    Value container_security_group_id() const { return container_sg_id_; }
    /// The EFS security group's id.
    Value efs_security_group_id() const { return efs_sg_id_; }

private:
    Value container_sg_id_;
    Value efs_sg_id_;
};

} // namespace leafsynth::containermanager
