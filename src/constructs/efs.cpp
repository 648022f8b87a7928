#include "leafsynth/aws/efs.hpp"

namespace leafsynth::aws::efs {

namespace {
// Only through a mount target (not, say, a peered VPC's view of the file system).
Map via_mount_target() { return Map{{"Bool", Map{{"elasticfilesystem:AccessedViaMountTarget", "true"}}}}; }
} // namespace

FileSystem::FileSystem(Construct& scope, std::string id, FileSystemProps props) : Construct(scope, std::move(id)) {
    Map properties{{"Encrypted", props.encrypted},
                   {"BackupPolicy", Map{{"Status", props.enable_backups ? "ENABLED" : "DISABLED"}}},
                   {"FileSystemTags",
                    List{Map{{"Key", "Name"}, {"Value", props.name_tag.empty() ? path() : props.name_tag}}}}};
    if (!props.allow_anonymous_access) {
        // With a file system policy, clients that do not authenticate with IAM are anonymous and get
        // only what the policy grants "*"; ClientMount is not among it, so they cannot mount.
        iam::PolicyStatement s;
        s.actions = {"elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"};
        s.principal = Map{{"AWS", "*"}};
        s.conditions = via_mount_target();
        properties["FileSystemPolicy"] = iam::policy_document({s});
    }
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EFS::FileSystem", std::move(properties));
    resource_->apply_removal_policy(props.removal_policy);
    int n = 0;
    for (const auto& subnet : props.subnet_ids) {
        mount_targets_.push_back(&make<CfnResource>(*this, "EfsMountTarget-" + std::to_string(++n),
                                                    "AWS::EFS::MountTarget",
                                                    Map{{"FileSystemId", file_system_id()},
                                                        {"SecurityGroups", List{props.security_group_id}},
                                                        {"SubnetId", subnet}}));
    }
}

AccessPoint& FileSystem::add_access_point(const std::string& id, AccessPointOptions options) {
    return make<AccessPoint>(*this, id, *this, std::move(options));
}

void FileSystem::grant(iam::Grantable& grantee, std::vector<std::string> actions) const {
    iam::PolicyStatement s;
    s.actions = std::move(actions);
    s.resources = {file_system_arn()};
    s.conditions = via_mount_target();
    grantee.add_to_principal_policy(s);
}

void FileSystem::grant_read_write(iam::Grantable& grantee) const {
    grant(grantee, {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"});
}

void FileSystem::grant_root_access(iam::Grantable& grantee) const {
    grant(grantee, {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess",
                    "elasticfilesystem:ClientWrite"});
}

AccessPoint::AccessPoint(Construct& scope, std::string id, const FileSystem& file_system, AccessPointOptions options)
    : Construct(scope, std::move(id)) {
    Map root{{"Path", options.path},
             {"CreationInfo", Map{{"OwnerUid", options.owner_uid},
                                  {"OwnerGid", options.owner_gid},
                                  {"Permissions", options.permissions}}}};
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EFS::AccessPoint",
                                   Map{{"FileSystemId", file_system.file_system_id()},
                                       {"RootDirectory", std::move(root)},
                                       {"AccessPointTags", List{Map{{"Key", "Name"}, {"Value", path()}}}}});
}

} // namespace leafsynth::aws::efs
