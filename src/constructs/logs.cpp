#include "leafsynth/aws/logs.hpp"

#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth::aws::logs {

LogGroup::LogGroup(Construct& scope, std::string id, LogGroupProps props) : Construct(scope, std::move(id)) {
    Map properties;
    if (!props.log_group_name.is_null()) properties["LogGroupName"] = props.log_group_name;
    if (props.retention_days) properties["RetentionInDays"] = *props.retention_days;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Logs::LogGroup", std::move(properties));
    resource_->apply_removal_policy(props.removal_policy);
}

void LogGroup::grant_write(iam::Grantable& grantee) const {
    iam::PolicyStatement s;
    s.actions = {"logs:CreateLogStream", "logs:PutLogEvents"};
    s.resources = {arn()};
    grantee.add_to_principal_policy(s);
}

void LogGroup::add_to_resource_policy(const iam::PolicyStatement& statement) {
    if (!policy_) {
        auto& holder = make<Construct>(*this, "Policy");
        policy_ = &make<CfnResource>(holder, "ResourcePolicy", "AWS::Logs::ResourcePolicy");
        // Resource policy names are unique per account and region, not per stack: name it from
        // the whole path, stack included, as CDK does (`Names.uniqueId`).
        std::vector<std::string> components;
        for (const Construct* c : holder.scopes())
            if (c->parent()) components.push_back(c->id());
        policy_->set_property("PolicyName", make_unique_id(components));
    }
    policy_statements_.push_back(statement);
}

void LogGroup::prepare() {
    // CloudFormation takes this policy document as a JSON string.
    if (policy_)
        policy_->render_properties({{"PolicyDocument", Fn::to_json_string(iam::policy_document(policy_statements_))}});
}

SubscriptionFilter::SubscriptionFilter(Construct& scope, std::string id, Value log_group_name, Value log_group_arn,
                                       const lambda::Function& destination, std::string filter_pattern,
                                       std::string filter_name)
    : Construct(scope, std::move(id)) {
    auto& permission = make<CfnResource>(*this, "CanInvokeLambda", "AWS::Lambda::Permission",
                                         Map{{"Action", "lambda:InvokeFunction"},
                                             {"FunctionName", destination.arn()},
                                             {"Principal", "logs.amazonaws.com"},
                                             {"SourceArn", std::move(log_group_arn)}});
    Map properties{{"DestinationArn", destination.arn()},
                   {"FilterPattern", std::move(filter_pattern)},
                   {"LogGroupName", std::move(log_group_name)}};
    if (!filter_name.empty()) properties["FilterName"] = std::move(filter_name);
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Logs::SubscriptionFilter", std::move(properties));
    // Logs checks it may invoke the function when the filter is created.
    resource_->add_depends_on(permission);
}

} // namespace leafsynth::aws::logs
