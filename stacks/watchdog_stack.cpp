// The leaf's Watchdog nested stack: spins the ASG down when nobody uses the container, warns (and
// optionally stops) when an instance stays up too long, and breaks crash loops.
//
// Construct ids follow the AWS CDK app's paths (including its historical `LogGroupStartSystem`,
// `AsgStateChangeHookRole` and `AsgStateChangeHookPolicy` ids for the break-crash-loop function's
// log group, role and policy), so the named resources keep their logical ids.
#include "leafsynth/containermanager/watchdog_stack.hpp"

#include "leafsynth/aws/autoscaling.hpp"
#include "leafsynth/aws/cloudwatch.hpp"
#include "leafsynth/aws/events.hpp"
#include "leafsynth/aws/iam.hpp"
#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/aws/logs.hpp"
#include "watchdog_shared.hpp"

namespace leafsynth::containermanager {

namespace cw = aws::cloudwatch;

namespace {
StackProps watchdog_props(const LeafNames& names) {
    StackProps props;
    props.description = "Watchdog Logic for " + names.leaf_stack;
    return props;
}
} // namespace

WatchdogStack::WatchdogStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                             const StackContext& context, const EcsAsgHandles& ecs_asg, const Value& base_topic_arn,
                             const Value& leaf_topic_arn)
    : NestedStack(scope, "Watchdog", watchdog_props(names)) {
    // CloudWatch evaluates 1-minute periods over at most a day: say which setting is too large.
    const std::string file = config.file;
    const int hours = config.watchdog.instance_left_up.duration_hours;
    const int minutes = config.watchdog.minutes_without_connections;
    add_validation([file, hours, minutes] {
        std::vector<std::string> problems;
        const std::string where = file.empty() ? std::string() : file + ": ";
        if (hours > 24) {
            problems.push_back(where + "Watchdog.InstanceLeftUp.DurationHours is " + std::to_string(hours) +
                               "; the Instance Left Up alarm watches 1-minute periods, so it can be at most 24");
        }
        if (minutes > 1440) {
            problems.push_back(where + "Watchdog.MinutesWithoutConnections is " + std::to_string(minutes) +
                               "; the Container Activity alarm watches 1-minute periods, so it can be at most 1440");
        }
        return problems;
    });

    // Scale-down action: whatever the alarm's value, set the ASG to exactly 0 instances.
    auto& scale_down = aws::autoscaling::exact_capacity_policy(*this, "ScaleDownAsgAction", ecs_asg.asg_name, 0);

    // Instance Left Up: an instance has been in service for DurationHours.
    const auto& left_up_config = config.watchdog.instance_left_up;
    cw::AlarmProps left_up;
    left_up.metric = detail::instance_count_metric(ecs_asg.asg_name);
    left_up.alarm_name = detail::instance_left_up_alarm_name(names.leaf_stack);
    left_up.description = "To warn if the instance is up too long";
    left_up.threshold = 1;
    left_up.evaluation_periods = left_up_config.duration_hours * 60;
    left_up.comparison_operator = cw::ComparisonOperator::GreaterThanOrEqualToThreshold;
    left_up.treat_missing_data = cw::TreatMissingData::Missing;
    left_up.alarm_actions = {base_topic_arn};
    if (left_up_config.should_stop) left_up.alarm_actions.push_back(scale_down.policy_arn());
    auto& alarm_left_up = make<cw::Alarm>(*this, "AlarmInstanceLeftUp", std::move(left_up));

    // Container Activity: traffic in (bytes/s) plus DNS look-ups at or below the threshold for
    // MinutesWithoutConnections minutes means nobody is using the container.
    cw::MathExpression activity_metric{"traffic + dns_hit",
                                       {{"traffic", detail::bytes_in_per_second(ecs_asg.asg_name)},
                                        {"dns_hit", detail::dns_traffic_metric(names)}},
                                       "Watchdog Container Traffic",
                                       60};
    cw::AlarmProps activity;
    activity.metric = activity_metric;
    activity.alarm_name = detail::container_activity_alarm_name(names.leaf_stack);
    activity.description = "Trigger if 0 people are connected for too long";
    activity.threshold = config.watchdog.threshold;
    activity.evaluation_periods = config.watchdog.minutes_without_connections;
    activity.comparison_operator = cw::ComparisonOperator::LessThanOrEqualToThreshold;
    activity.treat_missing_data = cw::TreatMissingData::Missing;
    activity.alarm_actions = {scale_down.policy_arn()};
    auto& alarm_activity = make<cw::Alarm>(*this, "AlarmContainerActivity", std::move(activity));

    // Break crash loop: when the container keeps failing, a function sets the ASG to 0.
    aws::logs::LogGroupProps log_props;
    log_props.log_group_name = "/aws/lambda/" + names.alpha + "-break-crash-loop";
    log_props.retention_days = 7;
    log_props.removal_policy = RemovalPolicy::Destroy;
    auto& log_group = make<aws::logs::LogGroup>(*this, "LogGroupStartSystem", log_props);

    auto& role = make<aws::iam::Role>(*this, "AsgStateChangeHookRole",
                                      aws::iam::RoleProps{"lambda.amazonaws.com",
                                                          "Role for the BreakCrashLoop lambda function.", {}});
    aws::iam::PolicyStatement update_asg;
    update_asg.actions = {"autoscaling:UpdateAutoScalingGroup"};
    update_asg.resources = {auto_scaling_group_arn(ecs_asg.asg_name)};
    auto& policy = make<aws::iam::Policy>(*this, "AsgStateChangeHookPolicy",
                                          std::vector<aws::iam::PolicyStatement>{update_asg},
                                          std::vector<aws::iam::Role*>{&role});

    aws::lambda::FunctionProps fn_props;
    fn_props.code_dir = (context.lambda_dir.empty() ? default_lambda_dir() : context.lambda_dir) / "break_crash_loop";
    fn_props.handler = "main.lambda_handler";
    fn_props.description = names.alpha + "-break-crash-loop: Triggered if container throws, and spins down ASG.";
    fn_props.environment = Map{{"ASG_NAME", ecs_asg.asg_name}};
    fn_props.role = &role;
    fn_props.log_group = &log_group;
    auto& function = make<aws::lambda::Function>(*this, "BreakCrashLoop", std::move(fn_props));
    // Never run without the permission to stop the ASG.
    function.resource().add_depends_on(policy.resource());

    // Task stopped on this cluster's capacity provider: it failed to start, or its essential
    // container exited with an error.
    aws::events::RuleProps rule_props;
    rule_props.rule_name = names.container_id + "-rule-break-crash-loop";
    rule_props.description = "Spin down the ASG if the container crashes or can't start";
    rule_props.event_pattern = Map{
        {"source", List{"aws.ecs"}},
        {"detail-type", List{"ECS Task State Change"}},
        {"detail",
         Map{{"clusterArn", List{ecs_asg.cluster_arn}},
             {"capacityProviderName", List{ecs_asg.capacity_provider_name}},
             {"desiredStatus", List{"STOPPED"}},
             {"$or", List{Map{{"stopCode", List{"TaskFailedToStart"}}},
                          Map{{"stopCode", List{"EssentialContainerExited"}},
                              {"containers", Map{{"exitCode", List{Map{{"anything-but", 0}}}}}}}}}}}};
    auto& rule = make<aws::events::Rule>(*this, "RuleBreakCrashLoop", std::move(rule_props));
    rule.add_lambda_target(function);

    // Tell both topics whenever the function ran.
    cw::AlarmProps crash;
    crash.metric = cw::Metric{"AWS/Lambda", "Invocations", {{"FunctionName", function.function_name()}}, 60,
                              "Maximum", "Count", ""};
    crash.alarm_name = detail::break_crash_loop_alarm_name(names.leaf_stack);
    crash.description = "The container crashed or could not start: the ASG was spun down to break the crash loop";
    crash.threshold = 0;
    crash.evaluation_periods = 1;
    crash.comparison_operator = cw::ComparisonOperator::GreaterThanThreshold;
    crash.alarm_actions = {base_topic_arn, leaf_topic_arn};
    auto& alarm_crash = make<cw::Alarm>(*this, "AlarmBreakCrashLoop", std::move(crash));

    alarm_arns_ = {alarm_left_up.arn(), alarm_activity.arn(), alarm_crash.arn()};
    function_name_ = function.function_name();
}

} // namespace leafsynth::containermanager
