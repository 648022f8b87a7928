// The leaf's AsgStateChangeHook nested stack: when the ASG launches an instance, a function points
// the sub-domain at it and starts the ECS service; when the instance is about to terminate (the
// termination lifecycle hook), it stops the service, points DNS back at 0.0.0.0, drains the
// instance, waits until its task has stopped (the game server saves on SIGTERM) and only then lets
// the termination continue, warning the leaf's topic when the task did not stop in time. Both
// events are also announced on the SNS topics.
//
// Construct ids follow the AWS CDK app's paths (including its `LogGroupStartSystem` id for this
// function's log group), so the named resources keep their logical ids.
#include "leafsynth/containermanager/asg_state_change_hook_stack.hpp"

#include "leafsynth/aws/events.hpp"
#include "leafsynth/aws/iam.hpp"
#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/aws/logs.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth::containermanager {

namespace {
StackProps hook_props(const LeafNames& names) {
    StackProps props;
    props.description = "AsgStateChangeHook Logic for " + names.leaf_stack;
    return props;
}

aws::iam::PolicyStatement statement(std::vector<std::string> actions, List resources, Map conditions = {}) {
    aws::iam::PolicyStatement s;
    s.actions = std::move(actions);
    s.resources = std::move(resources);
    s.conditions = std::move(conditions);
    return s;
}

/// How long the drain may take beyond the container's stop timeout: ECS noticing the drain (or the
/// desired count of 0), sending SIGTERM, and the agent reporting the task stopped.
constexpr int kDrainMarginSeconds = 60;
/// The function's time beyond the drain: the other API calls, completing the lifecycle action and
/// publishing a warning (the handler stops waiting 15 s before its timeout).
constexpr int kFunctionReserveSeconds = 30;
} // namespace

AsgStateChangeHookStack::AsgStateChangeHookStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                                                 const StackContext& context, const EcsAsgHandles& ecs_asg,
                                                 const Value& sub_hosted_zone_id, const Value& base_topic_arn,
                                                 const Value& leaf_topic_arn)
    : NestedStack(scope, "AsgStateChangeHook", hook_props(names)) {
    // The longest the function waits for the terminating instance's task to stop; within the
    // lifecycle hook's heartbeat (the handler records a heartbeat should it ever need longer).
    const int drain_timeout = config.container.stop_timeout_seconds + kDrainMarginSeconds;
    const int function_timeout = drain_timeout + kFunctionReserveSeconds;

    aws::logs::LogGroupProps log_props;
    log_props.log_group_name = "/aws/lambda/" + names.container_id + "-asg-state-change-hook";
    log_props.retention_days = 7;
    log_props.removal_policy = RemovalPolicy::Destroy;
    auto& log_group = make<aws::logs::LogGroup>(*this, "LogGroupStartSystem", log_props);

    auto& role = make<aws::iam::Role>(*this, "AsgStateChangeHookRole",
                                      aws::iam::RoleProps{"lambda.amazonaws.com",
                                                          "Role for the AsgStateChangeHook lambda function.", {}});
    std::vector<aws::iam::PolicyStatement> statements{
        // Neither action supports resource-level permissions.
        statement({"ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"}, {"*"}),
        statement({"ecs:UpdateService", "ecs:DescribeServices"}, {ecs_asg.service_arn}),
        // Draining the terminating instance and watching its tasks. These actions take container
        // instance and task ARNs, which are only known at run time: scoped to the cluster by condition.
        statement({"ecs:ListContainerInstances"}, {ecs_asg.cluster_arn}),
        statement({"ecs:DescribeContainerInstances", "ecs:UpdateContainerInstancesState", "ecs:ListTasks",
                   "ecs:DescribeTasks"},
                  {"*"}, Map{{"ArnEquals", Map{{"ecs:cluster", ecs_asg.cluster_arn}}}}),
        statement({"route53:ChangeResourceRecordSets"},
                  {Fn::sub("arn:${AWS::Partition}:route53:::hostedzone/${ZoneId}", Map{{"ZoneId", sub_hosted_zone_id}})}),
        // Keep the termination waiting while the task stops, then let it continue.
        statement({"autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"},
                  {auto_scaling_group_arn(ecs_asg.asg_name)}),
        // The warning when the task did not stop in time.
        statement({"sns:Publish"}, {leaf_topic_arn}),
    };
    auto& policy = make<aws::iam::Policy>(*this, "AsgStateChangeHookPolicy", std::move(statements),
                                          std::vector<aws::iam::Role*>{&role});

    aws::lambda::FunctionProps fn_props;
    fn_props.code_dir =
        (context.lambda_dir.empty() ? default_lambda_dir() : context.lambda_dir) / "asg_state_change_hook";
    fn_props.handler = "main.lambda_handler";
    fn_props.timeout_seconds = function_timeout;
    fn_props.description =
        names.alpha + "-ASG-StateChange: Triggered by ec2 state changes. Starts/Stops the management logic";
    fn_props.environment = Map{{"HOSTED_ZONE_ID", sub_hosted_zone_id},
                               {"DOMAIN_NAME", names.sub_domain},
                               {"UNAVAILABLE_IP", "0.0.0.0"},
                               {"DNS_TTL", "1"},
                               {"RECORD_TYPE", "A"},
                               {"ECS_CLUSTER_NAME", ecs_asg.cluster_name},
                               {"ECS_SERVICE_NAME", ecs_asg.service_name},
                               {"NOTIFY_TOPIC_ARN", leaf_topic_arn},
                               {"DRAIN_TIMEOUT_SECONDS", std::to_string(drain_timeout)},
                               {"HEARTBEAT_TIMEOUT_SECONDS", std::to_string(ecs_asg.lifecycle_heartbeat_seconds)}};
    fn_props.role = &role;
    fn_props.log_group = &log_group;
    auto& function = make<aws::lambda::Function>(*this, "AsgStateChangeHook", std::move(fn_props));
    // Never run without its permissions.
    function.resource().add_depends_on(policy.resource());

    struct Trigger {
        const char* id;          // construct id
        const char* rule_suffix; // rule name after `<Alpha>-rule-ASG-StateChange-`
        const char* detail_type; // the Auto Scaling event
        std::string message;     // sent to the topics
    };
    const Trigger triggers[] = {
        {"AsgStateChangeTrigger-Up", "spin-up", "EC2 Instance Launch Successful",
         "Container for '" + names.container_id + "' is starting up! Connect to it at: '" + names.sub_domain + "'."},
        {"AsgStateChangeTrigger-Down", "spin-down", "EC2 Instance-terminate Lifecycle Action",
         "Container for '" + names.container_id + "' has stopped."},
    };
    for (const auto& t : triggers) {
        Map detail{{"AutoScalingGroupName", List{ecs_asg.asg_name}}};
        // Only this stack's termination hook: another hook on the ASG is not ours to complete.
        if (std::string(t.rule_suffix) == "spin-down" && !ecs_asg.lifecycle_hook_name.is_null()) {
            detail["LifecycleHookName"] = List{ecs_asg.lifecycle_hook_name};
        }
        aws::events::RuleProps rule_props;
        rule_props.rule_name = names.alpha + "-rule-ASG-StateChange-" + t.rule_suffix;
        rule_props.description = "Trigger Lambda whenever the ASG state changes, to keep DNS in sync";
        rule_props.event_pattern = Map{{"source", List{"aws.autoscaling"}},
                                       {"detail-type", List{t.detail_type}},
                                       {"detail", std::move(detail)}};
        auto& rule = make<aws::events::Rule>(*this, t.id, std::move(rule_props));
        rule.add_lambda_target(function);
        rule.add_sns_target(base_topic_arn, aws::events::input_from_text(t.message));
        rule.add_sns_target(leaf_topic_arn, aws::events::input_from_text(t.message));
    }

    function_name_ = function.function_name();
}

} // namespace leafsynth::containermanager
