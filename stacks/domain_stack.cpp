// `<AppId>-<Alpha>-DomainStack` (us-east-1): the leaf's sub-domain hosted zone, its DNS query log
// group (Route 53 delivers query logs only to us-east-1), the NS delegation in the root zone and the
// placeholder A record the state-change hook later points at the instance.
#include "leafsynth/containermanager/domain_stack.hpp"

#include "leafsynth/aws/logs.hpp"
#include "leafsynth/aws/route53.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::containermanager {

struct DomainStack::Parts {
    aws::logs::LogGroup* query_logs = nullptr;
    aws::route53::PublicHostedZone* zone = nullptr;
};

namespace {

/// The A record's value while no instance runs, and its TTL (short: it changes on every start).
constexpr const char* kUnavailableIp = "0.0.0.0";
constexpr int kDnsTtlSeconds = 1;
/// TTL of the delegation (NS) record in the root zone, as CDK writes it.
constexpr int kNsTtlSeconds = 1800;

} // namespace

DomainStack::DomainStack(Construct& scope, const LeafNames& names, const BaseStack& base, const StackContext& context)
    : Stack(scope, names.domain_stack,
            StackProps{names.domain_stack, "Route53 for '" + names.container_id + "', since it MUST be in us-east-1",
                       Environment{context.account, kDnsRegion}}),
      parts_(std::make_shared<Parts>()) {
    Tags::of(*this).add("ApplicationId", names.app_id);
    Tags::of(*this).add("ContainerId", names.container_id);
    Tags::of(*this).add("StackId", names.stack_id);

    // Query log group, writable by Route 53 for this account's hosted zones.
    auto& logs = make<aws::logs::LogGroup>(
        *this, "QueryLogGroup",
        aws::logs::LogGroupProps{"/aws/route53/" + names.domain_stack + "-query-logs", 1, RemovalPolicy::Destroy});
    parts_->query_logs = &logs;
    aws::iam::PolicyStatement route53;
    route53.actions = {"logs:CreateLogStream", "logs:PutLogEvents"};
    route53.principal = aws::iam::service_principal("route53.amazonaws.com");
    route53.resources = {logs.arn()};
    route53.conditions = Map{{"ArnLike", Map{{"aws:SourceArn", Fn::sub("arn:${AWS::Partition}:route53:::hostedzone/*")}}},
                             {"StringEquals", Map{{"aws:SourceAccount", Aws::account_id()}}}};
    logs.add_to_resource_policy(route53);

    // The sub-domain's zone logs its queries; Route 53 checks it may write when the zone is created.
    auto& zone = make<aws::route53::PublicHostedZone>(
        *this, "SubHostedZone",
        aws::route53::HostedZoneProps{names.sub_domain, "Hosted zone for " + names.domain_stack + ": " + names.sub_domain,
                                      logs.arn(), RemovalPolicy::Destroy});
    zone.resource().add_depends_on(*logs.resource_policy());
    parts_->zone = &zone;

    // Delegation from the root zone.
    make<aws::route53::RecordSet>(*this, "NsRecord",
                                  aws::route53::RecordSetProps{base.root_hosted_zone_id(), names.sub_domain, "NS",
                                                               zone.name_servers(), kNsTtlSeconds});

    // No server up yet: the record answers 0.0.0.0. It goes before the zone on deletion.
    auto& record = make<aws::route53::RecordSet>(
        *this, "DnsRecord",
        aws::route53::RecordSetProps{zone.hosted_zone_id(), names.sub_domain, "A", List{kUnavailableIp}, kDnsTtlSeconds});
    record.resource().add_depends_on(zone.resource());
}

Value DomainStack::sub_hosted_zone_id() const { return parts_->zone->hosted_zone_id(); }

Value DomainStack::query_log_group_name() const { return parts_->query_logs->name(); }

Value DomainStack::query_log_group_arn() const { return parts_->query_logs->arn(); }

} // namespace leafsynth::containermanager
