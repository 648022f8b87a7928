// The leaf's AsgStateChangeHook nested stack: when the ASG launches an instance, a function points
// the sub-domain at it and starts the ECS service; when the instance is about to terminate (the
// termination lifecycle hook), it stops the service, points DNS back at 0.0.0.0 and lets the
// termination continue. Both events are also announced on the SNS topics.
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

aws::iam::PolicyStatement statement(std::vector<std::string> actions, List resources) {
    aws::iam::PolicyStatement s;
    s.actions = std::move(actions);
    s.resources = std::move(resources);
    return s;
}
} // namespace

AsgStateChangeHookStack::AsgStateChangeHookStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                                                 const StackContext& context, const EcsAsgHandles& ecs_asg,
                                                 const Value& sub_hosted_zone_id, const Value& base_topic_arn,
                                                 const Value& leaf_topic_arn)
    : NestedStack(scope, "AsgStateChangeHook", hook_props(names)) {
    (void)config; // everything this stack needs is in the names and the other stacks' handles

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
        statement({"route53:ChangeResourceRecordSets"},
                  {Fn::sub("arn:${AWS::Partition}:route53:::hostedzone/${ZoneId}", Map{{"ZoneId", sub_hosted_zone_id}})}),
        // Let the instance's termination continue once DNS and the service are handled.
        statement({"autoscaling:CompleteLifecycleAction"}, {auto_scaling_group_arn(ecs_asg.asg_name)}),
    };
    auto& policy = make<aws::iam::Policy>(*this, "AsgStateChangeHookPolicy", std::move(statements),
                                          std::vector<aws::iam::Role*>{&role});

    aws::lambda::FunctionProps fn_props;
    fn_props.code_dir =
        (context.lambda_dir.empty() ? default_lambda_dir() : context.lambda_dir) / "asg_state_change_hook";
    fn_props.handler = "main.lambda_handler";
    fn_props.timeout_seconds = 30;
    fn_props.description =
        names.alpha + "-ASG-StateChange: Triggered by ec2 state changes. Starts/Stops the management logic";
    fn_props.environment = Map{{"HOSTED_ZONE_ID", sub_hosted_zone_id},
                               {"DOMAIN_NAME", names.sub_domain},
                               {"UNAVAILABLE_IP", "0.0.0.0"},
                               {"DNS_TTL", "1"},
                               {"RECORD_TYPE", "A"},
                               {"ECS_CLUSTER_NAME", ecs_asg.cluster_name},
                               {"ECS_SERVICE_NAME", ecs_asg.service_name}};
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
