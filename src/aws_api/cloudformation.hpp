#pragma once
/// @file cloudformation.hpp
/// The CloudFormation read calls `leafsynth diff` needs: DescribeStacks, GetTemplate,
/// ListStackResources (paginated). Internal to the leafsynth CLI (not installed).

#include <optional>
#include <string>
#include <vector>

#include "aws_api/query_client.hpp"

namespace leafsynth::aws_api {

/// One stack as DescribeStacks describes it.
struct StackDescription {
    std::string stack_id;      ///< The stack's ARN.
    std::string name;          ///< The stack's name.
    std::string status;        ///< E.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`.
    std::string status_reason; ///< Why it is in that status, or empty.
    std::vector<std::pair<std::string, std::string>> parameters; ///< Parameter key → value as given (for SSM-typed ones, the parameter name).
};

/// One resource of a stack as ListStackResources lists it.
struct StackResourceSummary {
    std::string logical_id;  ///< Logical id in the template.
    std::string physical_id; ///< Physical id (a nested stack's ARN), or empty when not created.
    std::string type;        ///< Resource type.
    std::string status;      ///< E.g. `CREATE_COMPLETE`.
};

/// CloudFormation in one region.
class CloudFormationClient {
public:
    /// A client with these options (service and API version are set here).
    explicit CloudFormationClient(ClientOptions options);

    /// The stack by name or ARN, or nullopt when it does not exist (a deleted stack by name too).
    std::optional<StackDescription> describe_stack(const std::string& stack);
    /// The template the stack was last deployed with (stage Original), JSON or YAML text.
    std::string get_template(const std::string& stack);
    /// Every resource of the stack (all pages).
    std::vector<StackResourceSummary> list_stack_resources(const std::string& stack);

    /// The underlying client.
    QueryClient& query() { return client_; }

private:
    QueryClient client_;
};

/// True when an API error says the stack does not exist.
bool is_stack_missing(const ApiError& e);

} // namespace leafsynth::aws_api
