#pragma once
/// @file ec2.hpp
/// EC2: security groups with ingress/egress rules, Linux user data, launch templates with their
/// instance profile.

#include <optional>
#include <string>
#include <vector>

#include "leafsynth/aws/iam.hpp"

namespace leafsynth::aws::ec2 {

/// One traffic rule of a security group: a protocol and port range from (or to) a peer.
struct Rule {
    std::string protocol = "tcp"; ///< `tcp`, `udp`, `icmp` or `-1` (all traffic).
    int from_port = 0;            ///< First port (ignored for protocol `-1`).
    int to_port = 0;              ///< Last port (ignored for protocol `-1`).
    std::string cidr_ip;          ///< IPv4 CIDR peer (e.g. `0.0.0.0/0`); empty when the peer is a group.
    std::string description;      ///< Rule description (shown in the console).
};

/// A TCP rule for one port from a CIDR block.
Rule tcp_rule(int port, std::string cidr_ip, std::string description);
/// A rule for one port with `protocol` (`tcp` / `udp`) from a CIDR block.
Rule port_rule(const std::string& protocol, int port, std::string cidr_ip, std::string description);

/// Options of a SecurityGroup.
struct SecurityGroupProps {
    Value vpc_id;                   ///< The VPC.
    std::string description;        ///< GroupDescription (required by EC2).
    bool allow_all_outbound = true; ///< One "all traffic to 0.0.0.0/0" egress rule; false: no outbound at all.
    std::string name_tag;           ///< The `Name` tag (empty: none).
    /// The most inbound, and the most outbound, rules the group may have: the VPC quota "Inbound or
    /// outbound rules per security group", 60 unless raised (up to 1000) for the account.
    int rules_quota = kDefaultRulesQuota;

    /// The VPC quota's default.
    static constexpr int kDefaultRulesQuota = 60;
};

/// A security group (`<id>/Resource`). Rules from CIDR peers are written inline; rules from
/// another security group are separate `AWS::EC2::SecurityGroupIngress` resources (so two groups
/// may reference each other), with the id CDK gives them: `from <peer unique id>:<port>`. The
/// inline rules are rendered once, in prepare(); more rules than `rules_quota` is a validation
/// problem naming the quota.
///
/// With `allow_all_outbound` false the group gets CDK's placeholder egress rule (ICMP 252-86 to
/// 255.255.255.255/32, which matches nothing), because a group without any egress rule gets EC2's
/// default "allow all" rule.
class SecurityGroup : public Construct {
public:
    /// Creates the group.
    SecurityGroup(Construct& scope, std::string id, SecurityGroupProps props);
    /// The `AWS::EC2::SecurityGroup` resource.
    CfnResource& resource() const { return *resource_; }
    /// The group id.
    Value group_id() const { return resource_->get_att("GroupId"); }
    /// Adds an inline ingress rule from a CIDR peer.
    void add_ingress_rule(const Rule& rule);
    /// Adds an egress rule to a CIDR peer (replaces the placeholder of a no-outbound group).
    void add_egress_rule(const Rule& rule);
    /// Allows `protocol` traffic on `port` from members of `peer`; returns the ingress resource.
    CfnResource& add_ingress_from(const SecurityGroup& peer, const std::string& protocol, int port,
                                  std::string description);
    /// Writes the inline rules.
    void prepare() override;
    /// More inbound or outbound rules than the quota allows.
    std::vector<std::string> validate() const override;

private:
    CfnResource* resource_;
    List ingress_;
    List egress_;
    bool placeholder_egress_ = false;
    int rules_quota_;
    int ingress_resources_ = 0;
};

/// The user data of a Linux instance: a bash script. Each command is one line; a line may mix text
/// and references (its parts are concatenated).
class UserData {
public:
    /// A script starting with `#!/bin/bash`.
    UserData() = default;
    /// Adds a line of plain text.
    void add_command(std::string line);
    /// Adds a line made of `parts` (strings and references), concatenated.
    void add_command(List parts);
    /// The lines, each a list of parts.
    const std::vector<List>& lines() const { return lines_; }
    /// The script as text pieces: `Fn::Join("", ...)` of the lines (or a plain string when it holds
    /// no reference).
    Value script() const;
    /// What `UserData` takes: `Fn::Base64` of script().
    Value render() const;

private:
    std::vector<List> lines_;
};

/// Options of a LaunchTemplate.
struct LaunchTemplateProps {
    std::string instance_type;       ///< e.g. `m5.large`.
    Value image_id;                  ///< AMI id (a `{{resolve:ssm:...}}` dynamic reference works).
    List security_group_ids;         ///< Security groups of the instance.
    Value key_name;                  ///< Key pair name (null: none).
    iam::Role* role = nullptr;       ///< Instance role; an instance profile `<id>/Profile` is created for it.
    std::optional<UserData> user_data; ///< User data (null: none).
    bool require_imdsv2 = true;      ///< `MetadataOptions.HttpTokens: required`.
    bool detailed_monitoring = false; ///< `Monitoring.Enabled` (1-minute instance metrics).
    /// `Name` tag of the template, given like its other tags to the instances and volumes it
    /// launches (empty: none).
    std::string instance_name_tag;
};

/// A launch template (`<id>/Resource`) and, with a role, its instance profile (`<id>/Profile`, as
/// CDK names it). The template depends on the role's default policy (so instances never boot
/// without their permissions), added in prepare() because grants may come later. Its tags
/// (`Tags::of`, and the `Name` tag) are written for the template itself and, in prepare(), as the
/// `LaunchTemplateData.TagSpecifications` of the instances and volumes it launches.
class LaunchTemplate : public Construct {
public:
    /// Creates the template.
    LaunchTemplate(Construct& scope, std::string id, LaunchTemplateProps props);
    /// The `AWS::EC2::LaunchTemplate` resource.
    CfnResource& resource() const { return *resource_; }
    /// The template id.
    Value launch_template_id() const { return resource_->ref(); }
    /// Its latest version number.
    Value latest_version_number() const { return resource_->get_att("LatestVersionNumber"); }
    /// The instance profile, or nullptr without a role.
    CfnResource* instance_profile() const { return profile_; }
    /// The instance role, or nullptr.
    iam::Role* role() const { return role_; }
    /// Writes the launched resources' tags; adds the dependency on the role's default policy.
    void prepare() override;

private:
    CfnResource* resource_;
    CfnResource* profile_ = nullptr;
    iam::Role* role_;
};

/// The dynamic reference resolving a public SSM parameter at deploy time, e.g. the current
/// ECS-optimized AMI: `{{resolve:ssm:<name>}}`.
std::string ssm_dynamic_reference(const std::string& parameter_name);

/// The public SSM parameter holding the recommended ECS-optimized Amazon Linux 2023 AMI id.
inline constexpr const char* kEcsAmazonLinux2023AmiParameter =
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

} // namespace leafsynth::aws::ec2
