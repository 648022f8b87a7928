#pragma once
/// @file route53.hpp
/// Route 53: public hosted zones (optionally with DNS query logging) and record sets.

#include <string>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::aws::route53 {

/// Options of a PublicHostedZone.
struct HostedZoneProps {
    std::string zone_name;    ///< The domain, e.g. `example.com` (a trailing dot is added in the template).
    std::string comment;      ///< `HostedZoneConfig.Comment` (empty: none).
    /// ARN of the log group (in us-east-1) that receives the DNS query logs (null: no query logging).
    Value query_logs_log_group_arn;
    RemovalPolicy removal_policy = RemovalPolicy::Destroy; ///< Deleted with the stack by default, as in CDK.
};

/// A public hosted zone (`<id>/Resource`, `AWS::Route53::HostedZone`).
class PublicHostedZone : public Construct {
public:
    /// Creates the zone. Throws InputError when the name is empty or the comment too long (> 256).
    PublicHostedZone(Construct& scope, std::string id, HostedZoneProps props);
    /// The `AWS::Route53::HostedZone` resource.
    CfnResource& resource() const { return *resource_; }
    /// The hosted zone id (its Ref).
    Value hosted_zone_id() const { return resource_->ref(); }
    /// The zone's name servers (a list, `Fn::GetAtt NameServers`).
    Value name_servers() const { return resource_->get_att("NameServers"); }
    /// The zone name without the trailing dot.
    const std::string& zone_name() const { return zone_name_; }

private:
    CfnResource* resource_;
    std::string zone_name_;
};

/// Options of a RecordSet.
struct RecordSetProps {
    Value hosted_zone_id;    ///< The zone it goes in (required).
    std::string record_name; ///< Fully qualified name (a trailing dot is added in the template).
    std::string type;        ///< `A`, `NS`, `CNAME`, ...
    Value records;           ///< The values: a List, or a list-valued intrinsic such as name_servers().
    int ttl_seconds = 1800;  ///< TTL (written as a string, as CloudFormation documents it).
    RemovalPolicy removal_policy = RemovalPolicy::Destroy; ///< Deleted with the stack by default, as in CDK.
};

/// A record set (`<id>/Resource`, `AWS::Route53::RecordSet`).
class RecordSet : public Construct {
public:
    /// Creates the record set. Throws InputError when the zone, name, type or values are missing or
    /// the TTL is negative.
    RecordSet(Construct& scope, std::string id, RecordSetProps props);
    /// The `AWS::Route53::RecordSet` resource.
    CfnResource& resource() const { return *resource_; }

private:
    CfnResource* resource_;
};

/// `name` with exactly one trailing dot (how CloudFormation writes fully qualified names).
std::string fully_qualified(const std::string& name);

} // namespace leafsynth::aws::route53
