#include "leafsynth/aws/route53.hpp"

#include "leafsynth/errors.hpp"

namespace leafsynth::aws::route53 {

std::string fully_qualified(const std::string& name) {
    std::string out = name;
    while (!out.empty() && out.back() == '.') out.pop_back();
    return out + ".";
}

PublicHostedZone::PublicHostedZone(Construct& scope, std::string id, HostedZoneProps props)
    : Construct(scope, std::move(id)), zone_name_(props.zone_name) {
    while (!zone_name_.empty() && zone_name_.back() == '.') zone_name_.pop_back();
    if (zone_name_.empty()) throw InputError(path() + ": a hosted zone needs a name");
    if (props.comment.size() > 256)
        throw InputError(path() + ": the hosted zone comment is longer than 256 characters");
    Map properties{{"Name", fully_qualified(zone_name_)}};
    if (!props.comment.empty()) properties["HostedZoneConfig"] = Map{{"Comment", props.comment}};
    if (!props.query_logs_log_group_arn.is_null())
        properties["QueryLoggingConfig"] = Map{{"CloudWatchLogsLogGroupArn", props.query_logs_log_group_arn}};
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Route53::HostedZone", std::move(properties));
    resource_->apply_removal_policy(props.removal_policy);
}

RecordSet::RecordSet(Construct& scope, std::string id, RecordSetProps props) : Construct(scope, std::move(id)) {
    if (props.record_name.empty() || props.type.empty())
        throw InputError(path() + ": a record set needs a name and a type");
    if (props.ttl_seconds < 0) throw InputError(path() + ": a record set's TTL cannot be negative");
    if (props.hosted_zone_id.is_null()) throw InputError(path() + ": a record set needs a hosted zone id");
    if (props.records.is_null() || (props.records.is_list() && props.records.as_list().empty()))
        throw InputError(path() + ": a record set needs at least one value");
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Route53::RecordSet",
                                   Map{{"HostedZoneId", std::move(props.hosted_zone_id)},
                                       {"Name", fully_qualified(props.record_name)},
                                       {"ResourceRecords", std::move(props.records)},
                                       {"TTL", std::to_string(props.ttl_seconds)},
                                       {"Type", props.type}});
    resource_->apply_removal_policy(props.removal_policy);
}

} // namespace leafsynth::aws::route53
