#pragma once
/// @file iam.hpp
/// IAM: policy statements, roles with a default policy that grants add to, standalone policies,
/// instance profiles. Grants elsewhere (`log_group.grant_write(role)`) produce least-privilege
/// statements scoped to the resource's ARN.

#include <string>
#include <vector>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::aws::iam {

/// One statement of a policy document.
struct PolicyStatement {
    std::vector<std::string> actions; ///< Actions such as `logs:PutLogEvents` (written sorted).
    List resources;                   ///< Resource ARNs (`"*"` only where the action has no resource-level support).
    Map conditions;                   ///< Condition block, e.g. `{"StringEquals": {...}}`.
    Value principal;                  ///< Principal (resource policies only), e.g. `{"Service": "x.amazonaws.com"}`.
    std::string effect = "Allow";     ///< `Allow` or `Deny`.
    std::string sid;                  ///< Optional statement id.

    /// The statement as a template value (single action / resource written as a scalar, as CDK does).
    Value to_value() const;
};

/// A policy document: `{"Statement": [...], "Version": "2012-10-17"}`.
Value policy_document(const std::vector<PolicyStatement>& statements);

/// `{"Service": name}`.
Value service_principal(const std::string& service);

/// The ARN of an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`.
Value aws_managed_policy_arn(const std::string& name);

/// Anything permissions can be granted to.
class Grantable {
public:
    virtual ~Grantable() = default;
    /// Adds a statement to this principal's policy.
    virtual void add_to_principal_policy(const PolicyStatement& statement) = 0;
};

/// Options of a Role.
struct RoleProps {
    std::string assumed_by;                       ///< Service principal, e.g. `lambda.amazonaws.com`.
    std::string description;                      ///< Description.
    std::vector<std::string> managed_policies;    ///< AWS managed policy names (see aws_managed_policy_arn).
};

/// An IAM role (`<id>/Resource`). Statements added with add_to_policy go to one `DefaultPolicy`
/// (`<id>/DefaultPolicy/Resource`), created on first use, as in CDK. The managed policies and the
/// policy document are rendered once, in prepare().
class Role : public Construct, public Grantable {
public:
    /// Creates the role.
    Role(Construct& scope, std::string id, RoleProps props);
    /// The `AWS::IAM::Role` resource.
    CfnResource& resource() const { return *resource_; }
    /// The role's ARN.
    Value arn() const { return resource_->get_att("Arn"); }
    /// The role's name.
    Value role_name() const { return resource_->ref(); }
    /// Adds a statement to the default policy.
    void add_to_policy(const PolicyStatement& statement);
    void add_to_principal_policy(const PolicyStatement& statement) override { add_to_policy(statement); }
    /// Attaches an AWS managed policy by name.
    void add_managed_policy(const std::string& name);
    /// The default policy resource, or nullptr before the first add_to_policy.
    CfnResource* default_policy() const { return default_policy_; }
    /// Renders `ManagedPolicyArns` and the default policy's `PolicyDocument`.
    void prepare() override;

private:
    CfnResource* resource_;
    CfnResource* default_policy_ = nullptr;
    std::vector<PolicyStatement> statements_;
    List managed_;
};

/// A standalone `AWS::IAM::Policy` attached to roles (`<id>/Resource`); its document is rendered once, in prepare().
class Policy : public Construct {
public:
    /// Creates the policy with statements, attached to `roles`.
    Policy(Construct& scope, std::string id, std::vector<PolicyStatement> statements, std::vector<Role*> roles);
    /// Adds a statement.
    void add_statement(const PolicyStatement& statement);
    /// The `AWS::IAM::Policy` resource.
    CfnResource& resource() const { return *resource_; }
    /// Renders the `PolicyDocument`.
    void prepare() override;

private:
    CfnResource* resource_;
    std::vector<PolicyStatement> statements_;
};

/// An instance profile for a role (`<id>`).
class InstanceProfile : public Construct {
public:
    /// Creates the profile.
    InstanceProfile(Construct& scope, std::string id, const Role& role);
    /// The `AWS::IAM::InstanceProfile` resource.
    CfnResource& resource() const { return *resource_; }
    /// The profile's ARN.
    Value arn() const { return resource_->get_att("Arn"); }

private:
    CfnResource* resource_;
};

} // namespace leafsynth::aws::iam
