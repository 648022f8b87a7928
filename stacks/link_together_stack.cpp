// `<AppId>-<Alpha>-LinkTogetherStack` (us-east-1): connects the Domain stack's query logs to the
// leaf's Auto Scaling group. A DNS look-up of the sub-domain writes a query log line; the
// subscription filter passes it to the start-system Lambda, which records a DNSTraffic data point
// and sets the ASG (in the leaf's region) to one instance. A stack of its own, deployed last, so the
// Domain and Leaf stacks do not reference each other in a cycle.
#include "leafsynth/containermanager/link_together_stack.hpp"

#include "leafsynth/aws/iam.hpp"
#include "leafsynth/aws/logs.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::containermanager {

namespace {

/// The metric the start-system Lambda writes and the Watchdog's activity alarm reads.
constexpr const char* kMetricName = "DNSTraffic";
constexpr const char* kMetricUnit = "Count";
constexpr int kTimeoutSeconds = 30;

/// `"` and `\` escaped for a JSON string.
std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

/// The ASG's ARN for IAM: in the leaf's region, which is this stack's only when the main region is
/// us-east-1 (then `${AWS::Region}`; otherwise the region is a Sub variable, never hand-written
/// into the ARN text).
Value asg_arn_in(const Value& asg_name, const std::string& leaf_region, const std::string& own_region) {
    if (leaf_region == own_region) return auto_scaling_group_arn(asg_name);
    return Fn::sub("arn:${AWS::Partition}:autoscaling:${AsgRegion}:${AWS::AccountId}:autoScalingGroup:*:"
                   "autoScalingGroupName/${AsgName}",
                   Map{{"AsgName", asg_name}, {"AsgRegion", leaf_region}});
}

} // namespace

LeafLink leaf_link(const LeafStack& leaf) {
    return LeafLink{leaf.ecs_asg().handles().asg_name, leaf.stack_name(), leaf.environment().region};
}

LinkTogetherStack::LinkTogetherStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                                     const DomainStack& domain, const LeafStack& leaf, const StackContext& context)
    : LinkTogetherStack(scope, names, config, domain, leaf_link(leaf), context) {}

LinkTogetherStack::LinkTogetherStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                                     const DomainStack& domain, const LeafLink& leaf, const StackContext& context)
    : Stack(scope, names.link_together_stack,
            StackProps{names.link_together_stack,
                       "To avoid a circular dependency, and connect '" + names.leaf_stack + "' and '" +
                           names.domain_stack + "' together.",
                       Environment{context.account, kDnsRegion}}) {
    if (leaf.leaf_region.empty() || leaf.leaf_stack_name.empty())
        throw InputError(path() + ": the leaf stack needs a name and a region");
    if (leaf.asg_name.is_null()) throw InputError(path() + ": the leaf stack's Auto Scaling group name is missing");
    Tags::of(*this).add("ApplicationId", names.app_id);
    Tags::of(*this).add("ContainerId", names.container_id);
    Tags::of(*this).add("StackId", names.stack_id);

    auto& log_group = make<aws::logs::LogGroup>(
        *this, "LogGroupStartSystem",
        aws::logs::LogGroupProps{"/aws/lambda/" + names.container_id + "-lambda-start-system", 7, RemovalPolicy::Destroy});

    auto& role = make<aws::iam::Role>(
        *this, "StartSystemRole",
        aws::iam::RoleProps{"lambda.amazonaws.com", "Role for the StartSystem lambda function.", {}});

    // Only this namespace's metrics, and only this leaf's Auto Scaling group.
    aws::iam::PolicyStatement metrics;
    metrics.actions = {"cloudwatch:PutMetricData"};
    metrics.resources = {"*"}; // PutMetricData has no resource-level permissions; the condition scopes it.
    metrics.conditions = Map{{"StringEquals", Map{{"cloudwatch:namespace", leaf.leaf_stack_name}}}};
    aws::iam::PolicyStatement scale;
    scale.actions = {"autoscaling:UpdateAutoScalingGroup"};
    scale.resources = {asg_arn_in(leaf.asg_name, leaf.leaf_region, kDnsRegion)};
    auto& policy = make<aws::iam::Policy>(*this, "StartSystemPolicy", std::vector<aws::iam::PolicyStatement>{metrics, scale},
                                          std::vector<aws::iam::Role*>{&role});

    const std::string code_dir = ((context.lambda_dir.empty() ? default_lambda_dir() : context.lambda_dir) /
                                  "start_system").string();
    Map environment{
        {"ASG_NAME", leaf.asg_name},
        {"MANAGER_STACK_REGION", leaf.leaf_region},
        {"METRIC_NAMESPACE", leaf.leaf_stack_name},
        {"METRIC_NAME", kMetricName},
        {"METRIC_THRESHOLD", std::to_string(config.watchdog.threshold)},
        {"METRIC_UNIT", kMetricUnit},
        // As Python's json.dumps writes it (the handler json.loads it).
        {"METRIC_DIMENSIONS", "{\"ContainerNameID\": \"" + json_escape(names.container_id) + "\"}"},
    };
    aws::lambda::FunctionProps props;
    props.code_dir = code_dir;
    props.handler = "main.lambda_handler";
    props.runtime = "python3.12";
    props.timeout_seconds = kTimeoutSeconds;
    props.description = names.alpha + "-lambda-start-system: Spin up ASG when someone connects.";
    props.environment = std::move(environment);
    props.role = &role;
    props.log_group = &log_group;
    start_system_ = &make<aws::lambda::Function>(*this, "StartSystem", std::move(props));
    // Never invoked before it may scale the group and write the metric.
    start_system_->resource().add_depends_on(policy.resource());

    // A look-up of the sub-domain (the filter string as one quoted term) invokes the function.
    make<aws::logs::SubscriptionFilter>(*this, "SubscriptionFilter", domain.query_log_group_name(),
                                        domain.query_log_group_arn(), *start_system_,
                                        "\"" + names.dns_log_filter + "\"", "TriggerLambdaOnConnect");
}

} // namespace leafsynth::containermanager
