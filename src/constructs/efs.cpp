#include "leafsynth/aws/efs.hpp"

#include "leafsynth/cfn/efs.hpp"

namespace leafsynth::aws::efs {

namespace {
// Only through a mount target (not, say, a peered VPC's view of the file system).
Map via_mount_target() { return Map{{"Bool", Map{{"elasticfilesystem:AccessedViaMountTarget", "true"}}}}; }
} // namespace

FileSystem::FileSystem(Construct& scope, std::string id, FileSystemProps props) : Construct(scope, std::move(id)) {
    using cfn::efs::CfnFileSystem;
    cfn::efs::CfnFileSystemProps properties{
        .backup_policy = CfnFileSystem::BackupPolicyProperty{.status = props.enable_backups ? "ENABLED" : "DISABLED"},
        .encrypted = props.encrypted,
        .file_system_tags = {CfnFileSystem::ElasticFileSystemTagProperty{
            .key = "Name", .value = props.name_tag.empty() ? path() : props.name_tag}}};
    if (!props.allow_anonymous_access) {
        // With a file system policy, clients that do not authenticate with IAM are anonymous and get
        // only what the policy grants "*"; ClientMount is not among it, so they cannot mount.
        iam::PolicyStatement s;
        s.actions = {"elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"};
        s.principal = Map{{"AWS", "*"}};
        s.conditions = via_mount_target();
        properties.file_system_policy = iam::policy_document({s});
    }
    resource_ = &make<CfnFileSystem>(*this, "Resource", properties);
    resource_->apply_removal_policy(props.removal_policy);
    int n = 0;
    for (const auto& subnet : props.subnet_ids) {
        mount_targets_.push_back(&make<cfn::efs::CfnMountTarget>(
            *this, "EfsMountTarget-" + std::to_string(++n),
            cfn::efs::CfnMountTargetProps{.file_system_id = file_system_id(),
                                          .security_groups = List{props.security_group_id},
                                          .subnet_id = subnet}));
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
    using cfn::efs::CfnAccessPoint;
    resource_ = &make<CfnAccessPoint>(
        *this, "Resource",
        cfn::efs::CfnAccessPointProps{
            .access_point_tags = {CfnAccessPoint::AccessPointTagProperty{.key = "Name", .value = path()}},
            .file_system_id = file_system.file_system_id(),
            .root_directory = CfnAccessPoint::RootDirectoryProperty{
                .creation_info = CfnAccessPoint::CreationInfoProperty{.owner_gid = options.owner_gid,
                                                                      .owner_uid = options.owner_uid,
                                                                      .permissions = options.permissions},
                .path = options.path}});
}

} // namespace leafsynth::aws::efs
