#pragma once
/// @file volumes_stack.hpp
/// The leaf's `Volumes` nested stack: one encrypted EFS file system `Efs-<i>` per volume, with mount
/// targets, access points per path, and a host access point at `/` for the instance's mounts.

#include <vector>

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::containermanager {

class BaseStack;
class ContainerStack;
class SecurityGroupsStack;

/// One file system, as the instance's user data and role need it.
struct FileSystemHandles {
    std::string name;          ///< `Efs-<i>` (1-based).
    Value file_system_id;      ///< The file system id.
    Value file_system_arn;     ///< Its ARN.
    Value host_access_point_id; ///< The access point at `/` the instance mounts.
};

/// The Volumes nested stack.
class VolumesStack : public NestedStack {
public:
    /// Creates it under the leaf stack with construct id `Volumes`; adds the task-definition volumes to
    /// `container` and grants its task role read/write.
    VolumesStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
                 const SecurityGroupsStack& security_groups, ContainerStack& container);
    /// The file systems, in config order.
    const std::vector<FileSystemHandles>& file_systems() const { return file_systems_; }

private:
    std::vector<FileSystemHandles> file_systems_;
};

} // namespace leafsynth::containermanager
