#pragma once
/// @file efs.hpp
/// EFS: encrypted file systems with mount targets, a file system policy that keeps anonymous
/// clients out, access points, and IAM grants.

#include <string>
#include <vector>

#include "leafsynth/aws/iam.hpp"

namespace leafsynth::aws::efs {

/// Options of a FileSystem.
struct FileSystemProps {
    List subnet_ids;                  ///< One mount target per subnet.
    Value security_group_id;          ///< Security group of the mount targets.
    bool encrypted = true;            ///< Encryption at rest (AWS managed key).
    bool enable_backups = true;       ///< `BackupPolicy.Status` ENABLED / DISABLED (AWS Backup daily backups).
    RemovalPolicy removal_policy = RemovalPolicy::Retain; ///< What happens to the data with the stack.
    /// When false (the default) the file system policy grants root access and writes only to
    /// IAM-authorized clients coming through a mount target, as CDK does: anonymous clients (mounts
    /// without `iam`) are refused.
    bool allow_anonymous_access = false;
    std::string name_tag;             ///< The `Name` tag (empty: the construct path).
};

/// Options of an AccessPoint.
struct AccessPointOptions {
    std::string path = "/";           ///< Root directory of the access point inside the file system.
    std::string owner_uid = "1000";   ///< Owner of the root directory when EFS creates it.
    std::string owner_gid = "1000";   ///< Its group.
    std::string permissions = "700";  ///< Its POSIX permissions (octal).
};

class FileSystem;

/// An access point (`<id>/Resource`), with a `Name` tag of its construct path.
class AccessPoint : public Construct {
public:
    /// Creates the access point on `file_system`.
    AccessPoint(Construct& scope, std::string id, const FileSystem& file_system, AccessPointOptions options);
    /// The `AWS::EFS::AccessPoint` resource.
    CfnResource& resource() const { return *resource_; }
    /// The access point id (its Ref).
    Value access_point_id() const { return resource_->ref(); }
    /// The access point ARN.
    Value access_point_arn() const { return resource_->get_att("Arn"); }

private:
    CfnResource* resource_;
};

/// An EFS file system (`<id>/Resource`) with mount targets (`<id>/EfsMountTarget-<n>`, 1-based).
class FileSystem : public Construct {
public:
    /// Creates the file system and its mount targets.
    FileSystem(Construct& scope, std::string id, FileSystemProps props);
    /// The `AWS::EFS::FileSystem` resource.
    CfnResource& resource() const { return *resource_; }
    /// The file system id (its Ref).
    Value file_system_id() const { return resource_->ref(); }
    /// The file system ARN.
    Value file_system_arn() const { return resource_->get_att("Arn"); }
    /// The mount targets, in subnet order.
    const std::vector<CfnResource*>& mount_targets() const { return mount_targets_; }
    /// Adds an access point `<file system id>/<id>`.
    AccessPoint& add_access_point(const std::string& id, AccessPointOptions options);
    /// Lets `grantee` mount and write (`ClientMount`, `ClientWrite`) through a mount target.
    void grant_read_write(iam::Grantable& grantee) const;
    /// Lets `grantee` mount, write and act as root (`ClientMount`, `ClientRootAccess`, `ClientWrite`)
    /// through a mount target.
    void grant_root_access(iam::Grantable& grantee) const;
    /// Grants `actions` on this file system through a mount target.
    void grant(iam::Grantable& grantee, std::vector<std::string> actions) const;

private:
    CfnResource* resource_;
    std::vector<CfnResource*> mount_targets_;
};

} // namespace leafsynth::aws::efs
