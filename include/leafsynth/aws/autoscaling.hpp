#pragma once
/// @file autoscaling.hpp
/// EC2 Auto Scaling: groups launched from a launch template, lifecycle hooks, step scaling policies.

#include <optional>
#include <string>
#include <vector>

#include "leafsynth/aws/ec2.hpp"

namespace leafsynth::aws::autoscaling {

/// `autoscaling:EC2_INSTANCE_LAUNCH_ERROR`.
inline constexpr const char* kLaunchError = "autoscaling:EC2_INSTANCE_LAUNCH_ERROR";
/// `autoscaling:EC2_INSTANCE_TERMINATE_ERROR`.
inline constexpr const char* kTerminateError = "autoscaling:EC2_INSTANCE_TERMINATE_ERROR";
/// `autoscaling:EC2_INSTANCE_LAUNCH`.
inline constexpr const char* kLaunch = "autoscaling:EC2_INSTANCE_LAUNCH";
/// `autoscaling:EC2_INSTANCE_TERMINATE`.
inline constexpr const char* kTerminate = "autoscaling:EC2_INSTANCE_TERMINATE";

/// One SNS notification target of a group.
struct NotificationConfiguration {
    Value topic_arn;                     ///< The SNS topic ARN.
    std::vector<std::string> types;      ///< Notification types, e.g. kLaunchError.
};

/// Options of an AutoScalingGroup.
struct AutoScalingGroupProps {
    const ec2::LaunchTemplate* launch_template = nullptr; ///< Launched from its latest version (required).
    List subnet_ids;                                      ///< `VPCZoneIdentifier`.
    int min_size = 0;                                     ///< MinSize.
    int max_size = 1;                                     ///< MaxSize.
    /// DesiredCapacity; leave it unset when something else (a Lambda, a scaling policy) owns the
    /// capacity, or every stack update resets it.
    std::optional<int> desired_capacity;
    bool new_instances_protected_from_scale_in = false;   ///< NewInstancesProtectedFromScaleIn.
    std::vector<NotificationConfiguration> notifications; ///< SNS notifications.
    std::vector<std::string> group_metrics;               ///< Group metrics to collect (empty: none).
    std::string metrics_granularity = "1Minute";          ///< Their granularity (the only one AWS offers).
};

/// Options of a LifecycleHook.
struct LifecycleHookProps {
    std::string transition;           ///< `autoscaling:EC2_INSTANCE_LAUNCHING` or `..._TERMINATING`.
    std::optional<int> heartbeat_timeout_seconds; ///< How long the action may stay pending (30..7200; AWS default 3600).
    std::string default_result;       ///< `CONTINUE` or `ABANDON` when the heartbeat times out (AWS default ABANDON).
    std::string hook_name;            ///< Name (empty: generated).
    Value notification_target_arn;    ///< SNS/SQS target (null: none; the EventBridge event is sent anyway).
    Value role_arn;                   ///< Role allowing the target to be notified (with a target only).
};

class AutoScalingGroup;

/// A lifecycle hook of a group (`<id>/Resource`). Whatever handles it completes the action with
/// `autoscaling:CompleteLifecycleAction`; until then (or the heartbeat timeout) the instance waits.
class LifecycleHook : public Construct {
public:
    /// Creates the hook on `group`.
    LifecycleHook(Construct& scope, std::string id, const AutoScalingGroup& group, LifecycleHookProps props);
    /// The `AWS::AutoScaling::LifecycleHook` resource.
    CfnResource& resource() const { return *resource_; }
    /// The hook's name.
    Value hook_name() const { return resource_->ref(); }

private:
    CfnResource* resource_;
};

/// An Auto Scaling group (`<id>/ASG`, as CDK names it).
class AutoScalingGroup : public Construct {
public:
    /// Creates the group.
    AutoScalingGroup(Construct& scope, std::string id, AutoScalingGroupProps props);
    /// The `AWS::AutoScaling::AutoScalingGroup` resource.
    CfnResource& resource() const { return *resource_; }
    /// The group's name.
    Value group_name() const { return resource_->ref(); }
    /// Adds a lifecycle hook `<group id>/<id>`.
    LifecycleHook& add_lifecycle_hook(const std::string& id, LifecycleHookProps props);

private:
    CfnResource* resource_;
};

/// One step of a step scaling policy: applies when the metric minus the alarm threshold lies in
/// [lower, upper) (an unset bound is infinite).
struct ScalingStep {
    std::optional<double> lower_bound; ///< MetricIntervalLowerBound (null: -infinity).
    std::optional<double> upper_bound; ///< MetricIntervalUpperBound (null: +infinity).
    int adjustment = 0;                ///< ScalingAdjustment.
};

/// Options of a StepScalingPolicy.
struct StepScalingPolicyProps {
    Value auto_scaling_group_name;                ///< The group.
    std::string adjustment_type = "ExactCapacity"; ///< `ExactCapacity`, `ChangeInCapacity` or `PercentChangeInCapacity`.
    std::vector<ScalingStep> steps;               ///< At least one step; together they must cover the alarm's range.
    std::optional<int> estimated_instance_warmup_seconds; ///< EstimatedInstanceWarmup (null: the group's default).
};

/// A step scaling policy (`<id>/Resource`), to be triggered by CloudWatch alarms (their
/// AlarmActions take policy_arn()).
class StepScalingPolicy : public Construct {
public:
    /// Creates the policy.
    StepScalingPolicy(Construct& scope, std::string id, StepScalingPolicyProps props);
    /// The `AWS::AutoScaling::ScalingPolicy` resource.
    CfnResource& resource() const { return *resource_; }
    /// The policy ARN (its Ref), for alarm actions.
    Value policy_arn() const { return resource_->ref(); }

private:
    CfnResource* resource_;
};

/// A step scaling policy that sets the group to exactly `capacity` instances whatever the metric
/// value (two steps, below and above the threshold, as CDK writes it), e.g. capacity 0 for a
/// "scale down to nothing" action.
StepScalingPolicy& exact_capacity_policy(Construct& scope, const std::string& id, Value auto_scaling_group_name,
                                         int capacity);

} // namespace leafsynth::aws::autoscaling
