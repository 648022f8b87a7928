#include "leafsynth/containermanager/volumes_stack.hpp"

#include <cctype>

#include "leafsynth/aws/efs.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/containermanager/base_stack.hpp"
#include "leafsynth/containermanager/container_stack.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"

namespace leafsynth::containermanager {

namespace efs = aws::efs;

namespace {

// `<Alpha><path with every / replaced by ->`, e.g. `MinecraftJavaExample-data`. Task-definition volume
// names allow only letters, digits, `-` and `_`, so any other character of the path becomes `-` too.
std::string volume_name(const std::string& alpha, const std::string& path) {
    std::string name = alpha;
    for (char c : path) {
        bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        name.push_back(allowed ? c : '-');
    }
    return name;
}

} // namespace

VolumesStack::VolumesStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
                           const SecurityGroupsStack& security_groups, ContainerStack& container)
    : NestedStack(scope, "Volumes", StackProps{{}, "Volume Logic for " + names.leaf_stack, {}}) {
    List subnets;
    for (const auto& subnet : base.public_subnet_ids()) subnets.push_back(subnet);

    int index = 0;
    for (const auto& volume : config.volumes) {
        // VolumeType::Efs is the only type there is.
        std::string name = "Efs-" + std::to_string(++index);
        efs::FileSystemProps props;
        props.subnet_ids = subnets;
        props.security_group_id = security_groups.efs_security_group_id();
        props.encrypted = true;
        props.enable_backups = volume.enable_backups;
        props.removal_policy = volume.keep_on_delete ? RemovalPolicy::RetainOnUpdateOrDelete : RemovalPolicy::Destroy;
        auto& file_system = make<efs::FileSystem>(*this, name, std::move(props));
        file_system.grant_read_write(container.task_role());

        for (const auto& path : volume.paths) {
            std::string volume_id = volume_name(names.alpha, path.path);
            auto& access_point = file_system.add_access_point(volume_id, efs::AccessPointOptions{path.path, "1000", "1000", "700"});
            container.add_efs_volume(volume_id, file_system.file_system_id(), access_point.access_point_id(), path.path,
                                     path.read_only);
        }
        // The instance mounts the whole file system through this one (see EcsAsg's user data).
        auto& host = file_system.add_access_point("efs-access-point-host", efs::AccessPointOptions{"/", "1000", "1000", "700"});

        file_systems_.push_back(FileSystemHandles{name, file_system.file_system_id(), file_system.file_system_arn(),
                                                  host.access_point_id()});
    }
    // A template needs at least one resource: without volumes, a no-op one keeps the stack deployable.
    if (config.volumes.empty()) make<CfnResource>(*this, "NoVolumes", "AWS::CloudFormation::WaitConditionHandle");
}

} // namespace leafsynth::containermanager
