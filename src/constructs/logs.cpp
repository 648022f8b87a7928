#include "leafsynth/aws/logs.hpp"

#include <optional>

#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/cfn/lambda.hpp"
#include "leafsynth/cfn/logs.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth::aws::logs {

LogGroup::LogGroup(Construct& scope, std::string id, LogGroupProps props) : Construct(scope, std::move(id)) {
    resource_ = &make<cfn::logs::CfnLogGroup>(
        *this, "Resource",
        cfn::logs::CfnLogGroupProps{.log_group_name = props.log_group_name, .retention_in_days = props.retention_days});
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
        // Resource policy names are unique per account and region, not per stack: name it from
        // the whole path, stack included, as CDK does (`Names.uniqueId`).
        std::vector<std::string> components;
        for (const Construct* c : holder.scopes())
            if (c->parent()) components.push_back(c->id());
        policy_ = &make<cfn::logs::CfnResourcePolicy>(holder, "ResourcePolicy",
                                                      cfn::logs::CfnResourcePolicyProps{.policy_name = make_unique_id(components)});
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
    auto& permission = make<cfn::lambda::CfnPermission>(*this, "CanInvokeLambda",
                                                        cfn::lambda::CfnPermissionProps{.action = "lambda:InvokeFunction",
                                                                                        .function_name = destination.arn(),
                                                                                        .principal = "logs.amazonaws.com",
                                                                                        .source_arn = std::move(log_group_arn)});
    resource_ = &make<cfn::logs::CfnSubscriptionFilter>(
        *this, "Resource",
        cfn::logs::CfnSubscriptionFilterProps{
            .destination_arn = destination.arn(),
            .filter_name = filter_name.empty() ? std::optional<std::string>() : std::optional<std::string>(filter_name),
            .filter_pattern = std::move(filter_pattern),
            .log_group_name = std::move(log_group_name)});
    // Logs checks it may invoke the function when the filter is created.
    resource_->add_depends_on(permission);
}

} // namespace leafsynth::aws::logs
