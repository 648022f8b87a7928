#pragma once
/// @file container_stack.hpp
/// The leaf's `Container` nested stack: the EC2 task definition with its one container, task and
/// execution roles, and the container log group.

#include <memory>
#include <string>

#include "leafsynth/aws/iam.hpp"
#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

/// The Container nested stack.
class ContainerStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `Container`.
    ContainerStack(Construct& scope, const LeafNames& names, const LeafConfig& config);
    /// The task definition's ARN (its Ref).
    Value task_definition_arn() const;
    /// The task role (Volumes grants it EFS access).
    aws::iam::Role& task_role() const;
    /// Adds an EFS volume named `volume_name` (using an access point, IAM auth, transit encryption)
    /// to the task definition, and mounts it at `container_path` in the container.
    void add_efs_volume(const std::string& volume_name, const Value& file_system_id, const Value& access_point_id,
                        const std::string& container_path, bool read_only);

private:
    struct Parts;
    std::shared_ptr<Parts> parts_;
};

} // namespace leafsynth::containermanager
