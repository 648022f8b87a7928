#include "leafsynth/aws/autoscaling.hpp"

#include <cmath>
#include <cstdint>

#include "leafsynth/errors.hpp"

namespace leafsynth::aws::autoscaling {

namespace {
// A whole number is written as an integer (`0`, not `0.0`), as CDK writes step bounds.
Value number(double d) {
    if (d == std::trunc(d) && std::fabs(d) < 1e15) return static_cast<std::int64_t>(d);
    return d;
}
} // namespace

AutoScalingGroup::AutoScalingGroup(Construct& scope, std::string id, AutoScalingGroupProps props)
    : Construct(scope, std::move(id)) {
    if (!props.launch_template) throw ConstructError("'" + path() + "': an Auto Scaling group needs a launch template");
    if (props.min_size < 0 || props.max_size < props.min_size)
        throw ConstructError("'" + path() + "': need 0 <= MinSize <= MaxSize");
    Map properties{
        {"LaunchTemplate", Map{{"LaunchTemplateId", props.launch_template->launch_template_id()},
                               {"Version", props.launch_template->latest_version_number()}}},
        {"MinSize", std::to_string(props.min_size)},
        {"MaxSize", std::to_string(props.max_size)},
        {"NewInstancesProtectedFromScaleIn", props.new_instances_protected_from_scale_in},
        {"VPCZoneIdentifier", props.subnet_ids}};
    if (props.desired_capacity) properties["DesiredCapacity"] = std::to_string(*props.desired_capacity);
    if (!props.notifications.empty()) {
        List notifications;
        for (const auto& n : props.notifications) {
            Map entry;
            entry["NotificationTypes"] = List(n.types.begin(), n.types.end());
            entry["TopicARN"] = n.topic_arn;
            notifications.push_back(std::move(entry));
        }
        properties["NotificationConfigurations"] = notifications;
    }
    if (!props.group_metrics.empty())
        properties["MetricsCollection"] =
            List{Map{{"Granularity", props.metrics_granularity},
                     {"Metrics", List(props.group_metrics.begin(), props.group_metrics.end())}}};
    resource_ = &make<CfnResource>(*this, "ASG", "AWS::AutoScaling::AutoScalingGroup", std::move(properties));
}

LifecycleHook& AutoScalingGroup::add_lifecycle_hook(const std::string& id, LifecycleHookProps props) {
    return make<LifecycleHook>(*this, id, *this, std::move(props));
}

LifecycleHook::LifecycleHook(Construct& scope, std::string id, const AutoScalingGroup& group, LifecycleHookProps props)
    : Construct(scope, std::move(id)) {
    Map properties{{"AutoScalingGroupName", group.group_name()}, {"LifecycleTransition", props.transition}};
    if (props.heartbeat_timeout_seconds) properties["HeartbeatTimeout"] = *props.heartbeat_timeout_seconds;
    if (!props.default_result.empty()) properties["DefaultResult"] = props.default_result;
    if (!props.hook_name.empty()) properties["LifecycleHookName"] = props.hook_name;
    if (!props.notification_target_arn.is_null()) properties["NotificationTargetARN"] = props.notification_target_arn;
    if (!props.role_arn.is_null()) properties["RoleARN"] = props.role_arn;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::AutoScaling::LifecycleHook", std::move(properties));
}

StepScalingPolicy::StepScalingPolicy(Construct& scope, std::string id, StepScalingPolicyProps props)
    : Construct(scope, std::move(id)) {
    if (props.steps.empty()) throw ConstructError("'" + path() + "': a step scaling policy needs at least one step");
    List steps;
    for (const auto& s : props.steps) {
        Map step{{"ScalingAdjustment", s.adjustment}};
        if (s.lower_bound) step["MetricIntervalLowerBound"] = number(*s.lower_bound);
        if (s.upper_bound) step["MetricIntervalUpperBound"] = number(*s.upper_bound);
        steps.push_back(std::move(step));
    }
    Map properties{{"AdjustmentType", props.adjustment_type},
                   {"AutoScalingGroupName", props.auto_scaling_group_name},
                   {"PolicyType", "StepScaling"},
                   {"StepAdjustments", std::move(steps)}};
    if (props.estimated_instance_warmup_seconds)
        properties["EstimatedInstanceWarmup"] = *props.estimated_instance_warmup_seconds;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::AutoScaling::ScalingPolicy", std::move(properties));
}

StepScalingPolicy& exact_capacity_policy(Construct& scope, const std::string& id, Value auto_scaling_group_name,
                                         int capacity) {
    StepScalingPolicyProps props;
    props.auto_scaling_group_name = std::move(auto_scaling_group_name);
    props.adjustment_type = "ExactCapacity";
    props.steps = {ScalingStep{std::nullopt, 0.0, capacity}, ScalingStep{0.0, std::nullopt, capacity}};
    return make<StepScalingPolicy>(scope, id, std::move(props));
}

} // namespace leafsynth::aws::autoscaling
