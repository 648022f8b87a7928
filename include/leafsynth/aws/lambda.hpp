#pragma once
/// @file lambda.hpp
/// Lambda functions with code from a folder asset.

#include <filesystem>
#include <optional>
#include <string>

#include "leafsynth/aws/iam.hpp"
#include "leafsynth/aws/logs.hpp"

namespace leafsynth::aws::lambda {

/// Options of a Function.
struct FunctionProps {
    std::filesystem::path code_dir;       ///< Folder with the handler; packaged as a deterministic zip asset.
    std::string handler;                  ///< e.g. `main.lambda_handler`.
    std::string runtime = "python3.12";   ///< Runtime.
    std::optional<int> timeout_seconds;   ///< Timeout (null: Lambda's default, 3 s).
    std::string description;              ///< Description.
    Map environment;                      ///< Environment variables.
    iam::Role* role = nullptr;            ///< Execution role (null: a `ServiceRole` is created).
    logs::LogGroup* log_group = nullptr;  ///< Log group (LoggingConfig); the role gets write access to it.
    Value function_name;                  ///< Name (null: generated).
};

/// A Lambda function (`<id>/Resource`). Its resource depends on the role's default policy so it
/// never runs without its permissions.
class Function : public Construct {
public:
    /// Creates the function.
    Function(Construct& scope, std::string id, FunctionProps props);
    /// The `AWS::Lambda::Function` resource.
    CfnResource& resource() const { return *resource_; }
    /// Its ARN.
    Value arn() const { return resource_->get_att("Arn"); }
    /// Its name.
    Value function_name() const { return resource_->ref(); }
    /// Its execution role.
    iam::Role& role() const { return *role_; }
    /// Lets `principal` (a service such as `events.amazonaws.com`) invoke it from `source_arn`.
    CfnResource& add_permission(Construct& scope, const std::string& id, const std::string& principal, Value source_arn);
    /// Makes the function depend on its role's default policy.
    void prepare() override;

private:
    CfnResource* resource_;
    iam::Role* role_;
};

} // namespace leafsynth::aws::lambda
