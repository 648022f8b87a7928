#include "leafsynth/aws/iam.hpp"

#include <algorithm>

#include "leafsynth/fn.hpp"

namespace leafsynth::aws::iam {

Value PolicyStatement::to_value() const {
    std::vector<std::string> sorted = actions;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    Map m;
    if (sorted.size() == 1) m["Action"] = sorted.front();
    else m["Action"] = List(sorted.begin(), sorted.end());
    m["Effect"] = effect;
    if (!resources.empty()) m["Resource"] = resources.size() == 1 ? resources.front() : Value(resources);
    if (!conditions.empty()) m["Condition"] = conditions;
    if (!principal.is_null()) m["Principal"] = principal;
    if (!sid.empty()) m["Sid"] = sid;
    return m;
}

Value policy_document(const std::vector<PolicyStatement>& statements) {
    List list;
    for (const auto& s : statements) list.push_back(s.to_value());
    return Map{{"Statement", list}, {"Version", "2012-10-17"}};
}

Value service_principal(const std::string& service) { return Map{{"Service", service}}; }

Value aws_managed_policy_arn(const std::string& name) {
    return Fn::sub("arn:${AWS::Partition}:iam::aws:policy/" + name);
}

Role::Role(Construct& scope, std::string id, RoleProps props) : Construct(scope, std::move(id)) {
    PolicyStatement trust;
    trust.actions = {"sts:AssumeRole"};
    trust.principal = service_principal(props.assumed_by);
    Map properties{{"AssumeRolePolicyDocument", policy_document({trust})}};
    if (!props.description.empty()) properties["Description"] = props.description;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::IAM::Role", std::move(properties));
    for (const auto& m : props.managed_policies) add_managed_policy(m);
}

void Role::add_managed_policy(const std::string& name) { managed_.push_back(aws_managed_policy_arn(name)); }

void Role::add_to_policy(const PolicyStatement& statement) {
    if (!default_policy_) {
        auto& holder = make<Construct>(*this, "DefaultPolicy");
        default_policy_ = &make<CfnResource>(holder, "Resource", "AWS::IAM::Policy",
                                             Map{{"Roles", List{resource_->ref()}}});
        default_policy_->set_property("PolicyName", default_policy_->logical_id());
    }
    statements_.push_back(statement);
}

void Role::prepare() {
    resource_->render_properties(managed_.empty() ? Map{} : Map{{"ManagedPolicyArns", managed_}});
    if (default_policy_) default_policy_->render_properties({{"PolicyDocument", policy_document(statements_)}});
}

Policy::Policy(Construct& scope, std::string id, std::vector<PolicyStatement> statements, std::vector<Role*> roles)
    : Construct(scope, std::move(id)), statements_(std::move(statements)) {
    List role_refs;
    for (Role* r : roles) role_refs.push_back(r->role_name());
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::IAM::Policy", Map{{"Roles", role_refs}});
    resource_->set_property("PolicyName", resource_->logical_id());
}

void Policy::add_statement(const PolicyStatement& statement) { statements_.push_back(statement); }

void Policy::prepare() { resource_->render_properties({{"PolicyDocument", policy_document(statements_)}}); }

InstanceProfile::InstanceProfile(Construct& scope, std::string id, const Role& role) : Construct(scope, std::move(id)) {
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::IAM::InstanceProfile", Map{{"Roles", List{role.role_name()}}});
}

} // namespace leafsynth::aws::iam
