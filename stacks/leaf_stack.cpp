#include "leafsynth/containermanager/leaf_stack.hpp"

#include <algorithm>
#include <cctype>

namespace leafsynth::containermanager {

namespace {
std::string protocol_name(std::string p) {
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return p;
}
} // namespace

LeafStack::LeafStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
                     const DomainStack& domain, const StackContext& context)
    : Stack(scope, names.leaf_stack,
            StackProps{names.leaf_stack, "For automatically managing a single container.",
                       {context.account, context.main_region}}) {
    topic_ = &make<aws::sns::Topic>(*this, "SnsNotifyTopic", aws::sns::TopicProps{names.leaf_stack + "-sns-notify-topic"});
    // The spin-up / spin-down rules publish to this topic.
    aws::iam::PolicyStatement events;
    events.sid = "AllowEventBridgePublish";
    events.actions = {"sns:Publish"};
    events.principal = aws::iam::service_principal("events.amazonaws.com");
    topic_->add_to_resource_policy(events);
    for (std::size_t i = 0; i < config.alert_subscriptions.size(); ++i) {
        const auto& s = config.alert_subscriptions[i];
        topic_->add_subscription("sns-notify-subscription" + (i == 0 ? std::string() : "-" + std::to_string(i + 1)),
                                 protocol_name(s.protocol), s.endpoint, this);
    }

    auto& security_groups = own<SecurityGroupsStack>(*this, names, config, base);
    auto& container = own<ContainerStack>(*this, names, config);
    auto& volumes = own<VolumesStack>(*this, names, config, base, security_groups, container);
    ecs_asg_ = &own<EcsAsgStack>(*this, names, config, base, security_groups, container, volumes, topic_->arn());
    const EcsAsgHandles& handles = ecs_asg_->handles();
    auto& watchdog = own<WatchdogStack>(*this, names, config, context, handles, base.notify_topic().arn(), topic_->arn());
    auto& hook = own<AsgStateChangeHookStack>(*this, names, config, context, handles, domain.sub_hosted_zone_id(),
                                              base.notify_topic().arn(), topic_->arn());
    if (config.dashboard.enabled) {
        DashboardInputs inputs{handles, domain.query_log_group_name(), hook.function_name(), watchdog.alarm_arns(),
                               "/aws/ec2/" + names.leaf_stack + "/Container/ContainerLogs"};
        own<DashboardStack>(*this, names, config, inputs);
    }
}

} // namespace leafsynth::containermanager
