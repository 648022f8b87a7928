#include "leafsynth/aws/sns.hpp"

#include "leafsynth/cfn/sns.hpp"

namespace leafsynth::aws::sns {

Topic::Topic(Construct& scope, std::string id, TopicProps props) : Construct(scope, std::move(id)) {
    resource_ = &make<cfn::sns::CfnTopic>(
        *this, "Resource",
        cfn::sns::CfnTopicProps{.display_name = props.display_name.empty() ? Value() : Value(props.display_name)});
    if (props.enforce_ssl) {
        iam::PolicyStatement deny;
        deny.sid = "AllowPublishThroughSSLOnly";
        deny.effect = "Deny";
        deny.actions = {"sns:Publish"};
        deny.principal = "*";
        deny.conditions = Map{{"Bool", Map{{"aws:SecureTransport", "false"}}}};
        add_to_resource_policy(deny);
    }
}

void Topic::add_to_resource_policy(iam::PolicyStatement statement) {
    if (statement.resources.empty()) statement.resources = {arn()};
    if (!policy_) {
        auto& holder = make<Construct>(*this, "Policy");
        policy_ = &make<cfn::sns::CfnTopicPolicy>(holder, "Resource", cfn::sns::CfnTopicPolicyProps{.topics = {arn()}});
    }
    statements_.push_back(std::move(statement));
}

void Topic::prepare() {
    if (policy_) policy_->render_properties({{"PolicyDocument", iam::policy_document(statements_)}});
}

CfnResource& Topic::add_subscription(const std::string& id, const std::string& protocol, Value endpoint,
                                     Construct* scope) {
    // `<id>/Resource`, as CDK's Subscription construct lays it out (same logical id).
    auto& holder = make<Construct>(scope ? *scope : *this, id);
    return make<cfn::sns::CfnSubscription>(
        holder, "Resource",
        cfn::sns::CfnSubscriptionProps{.endpoint = std::move(endpoint), .protocol = protocol, .topic_arn = arn()});
}

} // namespace leafsynth::aws::sns
