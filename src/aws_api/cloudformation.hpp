#pragma once
/// @file cloudformation.hpp
/// The CloudFormation calls `leafsynth diff` and `leafsynth deploy` need: reading stacks
/// (DescribeStacks, GetTemplate, ListStackResources), change sets (CreateChangeSet,
/// DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet), stack events, stack actions (DeleteStack,
/// UpdateTerminationProtection, ContinueUpdateRollback, CancelUpdateStack), exports (ListExports,
/// ListImports) and drift detection (DetectStackDrift, DescribeStackDriftDetectionStatus,
/// DescribeStackResourceDrifts). Paginated calls read every page, in bounded loops. Internal to the leafsynth CLI
/// (not installed).

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws_api/query_client.hpp"

namespace leafsynth::aws_api {

/// One output of a stack.
struct StackOutput {
    std::string key;         ///< OutputKey.
    std::string value;       ///< OutputValue.
    std::string export_name; ///< ExportName, or empty when not exported.
    std::string description; ///< Description, or empty.
};

/// One stack as DescribeStacks describes it.
struct StackDescription {
    std::string stack_id;      ///< The stack's ARN.
    std::string name;          ///< The stack's name.
    std::string status;        ///< E.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`.
    std::string status_reason; ///< Why it is in that status, or empty.
    std::vector<std::pair<std::string, std::string>> parameters; ///< Parameter key → value as given (for SSM-typed ones, the parameter name).
    std::vector<StackOutput> outputs{};                    ///< The outputs, in the answer's order.
    std::vector<std::pair<std::string, std::string>> tags{}; ///< Tag key → value.
    bool termination_protection = false;                   ///< EnableTerminationProtection.
    std::string creation_time{};                           ///< CreationTime, ISO 8601 text as given.
    std::string last_updated_time{};                       ///< LastUpdatedTime as given, or empty (never updated).
};

/// One resource of a stack as ListStackResources lists it.
struct StackResourceSummary {
    std::string logical_id;  ///< Logical id in the template.
    std::string physical_id; ///< Physical id (a nested stack's ARN), or empty when not created.
    std::string type;        ///< Resource type.
    std::string status;      ///< E.g. `CREATE_COMPLETE`.
};

/// One parameter of a change set: a value, or the value the stack has now.
struct ChangeSetParameter {
    std::string key;                 ///< ParameterKey.
    std::string value{};             ///< ParameterValue (unused with use_previous_value).
    bool use_previous_value = false; ///< UsePreviousValue: keep the deployed value.
};

/// What CreateChangeSet is asked for.
struct ChangeSetRequest {
    std::string stack_name;                                  ///< StackName.
    std::string change_set_name;                             ///< ChangeSetName.
    std::string change_set_type = "UPDATE";                  ///< ChangeSetType: `CREATE` (a new stack) or `UPDATE`.
    std::string template_url{};                              ///< TemplateURL (an S3 object URL).
    std::string template_body{};                             ///< TemplateBody, only where no bucket exists yet (bootstrap; at most 51,200 bytes).
    std::vector<ChangeSetParameter> parameters{};            ///< Parameters.
    std::vector<std::string> capabilities{};                 ///< Capabilities, e.g. `CAPABILITY_IAM`.
    std::vector<std::pair<std::string, std::string>> tags{}; ///< Tags (key, value).
    bool include_nested_stacks = false;                      ///< IncludeNestedStacks.
    std::string description{};                               ///< Description, or empty for none.
    std::string role_arn{};                                  ///< RoleARN: the role CloudFormation acts as, or empty.
};

/// What CreateChangeSet answers.
struct ChangeSetCreated {
    std::string change_set_id; ///< The change set's ARN (Id).
    std::string stack_id;      ///< The stack's ARN.
};

/// One resource change of a change set.
struct ResourceChange {
    std::string action;               ///< `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    std::string logical_id;           ///< LogicalResourceId.
    std::string physical_id;          ///< PhysicalResourceId, or empty for an Add.
    std::string resource_type;        ///< ResourceType.
    std::string replacement;          ///< `True`, `False`, `Conditional`, or empty (not a Modify).
    std::vector<std::string> scope;   ///< Scope, e.g. `Properties`, `Tags`.
    std::string nested_change_set_id; ///< For an AWS::CloudFormation::Stack: its nested change set's ARN.
};

/// A change set as DescribeChangeSet describes it (all pages).
struct ChangeSetDescription {
    std::string change_set_id;           ///< ChangeSetId.
    std::string change_set_name;         ///< ChangeSetName.
    std::string stack_id;                ///< StackId.
    std::string stack_name;              ///< StackName.
    std::string status;                  ///< E.g. `CREATE_PENDING`, `CREATE_COMPLETE`, `FAILED`.
    std::string execution_status;        ///< E.g. `AVAILABLE`, `UNAVAILABLE`, `EXECUTE_COMPLETE`.
    std::string status_reason;           ///< StatusReason, or empty.
    std::vector<ResourceChange> changes; ///< Every resource change.
};

/// One stack event.
struct StackEvent {
    std::string event_id;      ///< EventId.
    std::string stack_name;    ///< StackName.
    std::string stack_id;      ///< StackId.
    std::string logical_id;    ///< LogicalResourceId (the stack's name for the stack's own events).
    std::string physical_id;   ///< PhysicalResourceId.
    std::string resource_type; ///< ResourceType.
    std::string timestamp;     ///< Timestamp, ISO 8601 text as given.
    std::string status;        ///< ResourceStatus.
    std::string status_reason; ///< ResourceStatusReason, or empty.
};

/// One export of the region, as ListExports lists it.
struct StackExport {
    std::string exporting_stack_id; ///< The ARN of the stack that exports it.
    std::string name;               ///< The export's name.
    std::string value;              ///< Its value.
};

// --- Drift detection (`leafsynth drift`) --------------------------------------------------------

/// A drift detection as DescribeStackDriftDetectionStatus describes it.
struct DriftDetectionStatus {
    std::string stack_id;                ///< StackId.
    std::string detection_id;            ///< StackDriftDetectionId.
    std::string stack_drift_status;      ///< StackDriftStatus: `DRIFTED`, `IN_SYNC`, `UNKNOWN` or `NOT_CHECKED`.
    std::string detection_status;        ///< DetectionStatus: `DETECTION_IN_PROGRESS`, `DETECTION_FAILED` or `DETECTION_COMPLETE`.
    std::string detection_status_reason; ///< DetectionStatusReason, or empty.
    int drifted_resource_count = 0;      ///< DriftedStackResourceCount (0 when not given).
    std::string timestamp;               ///< Timestamp, ISO 8601 text as given.
};

/// One property difference of a drifted resource.
struct PropertyDifference {
    std::string path;            ///< PropertyPath, e.g. `/Value`, `/Tags/0/Value`.
    std::string expected;        ///< ExpectedValue (as the template has it), text as given.
    std::string actual;          ///< ActualValue (as the resource has it now), text as given.
    std::string difference_type; ///< DifferenceType: `ADD`, `REMOVE` or `NOT_EQUAL`.
};

/// One resource of a stack as DescribeStackResourceDrifts describes it.
struct StackResourceDrift {
    std::string logical_id;                      ///< LogicalResourceId.
    std::string physical_id;                     ///< PhysicalResourceId.
    std::string type;                            ///< ResourceType.
    std::string status;                          ///< StackResourceDriftStatus: `IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED`, ...
    std::string reason;                          ///< DriftStatusReason, or empty.
    std::vector<PropertyDifference> differences; ///< PropertyDifferences (MODIFIED only).
    std::string timestamp;                       ///< Timestamp, ISO 8601 text as given.
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

    /// Creates a change set (CreateChangeSet).
    ChangeSetCreated create_change_set(const ChangeSetRequest& request);
    /// The change set by name (with `stack`) or ARN (`stack` may be empty), with every change (all pages).
    ChangeSetDescription describe_change_set(const std::string& change_set, const std::string& stack);
    /// Executes the change set; with `disable_rollback` a failure leaves the stack as it is.
    void execute_change_set(const std::string& change_set, const std::string& stack, bool disable_rollback = false);
    /// Deletes the change set.
    void delete_change_set(const std::string& change_set, const std::string& stack);

    /// The stack's events, newest first, page after page until `stop` returns true for one (that
    /// event and the older ones are left out), e.g. at an event id already seen, so a poll reads
    /// only new events; without `stop`, every event. Bounded to 1000 pages.
    std::vector<StackEvent> describe_stack_events(const std::string& stack,
                                                  const std::function<bool(const StackEvent&)>& stop = {});

    /// Deletes the stack (DeleteStack), as `role_arn` when given (the CloudFormation execution
    /// role); poll describe_stack for the outcome.
    void delete_stack(const std::string& stack, const std::string& role_arn = "");
    /// Turns termination protection on or off.
    void update_termination_protection(const std::string& stack, bool enable);
    /// Continues a rollback that stopped in UPDATE_ROLLBACK_FAILED.
    void continue_update_rollback(const std::string& stack);
    /// Cancels an update in progress (it rolls back).
    void cancel_update_stack(const std::string& stack);

    /// The names of the stacks that import `export_name` (all pages); empty when none does.
    std::vector<std::string> list_imports(const std::string& export_name);
    /// Every export of the region (all pages).
    std::vector<StackExport> list_exports();

    /// The underlying client.
    QueryClient& query() { return client_; }

    // --- Drift detection (`leafsynth drift`) ----------------------------------------------------
    /// Starts drift detection of the stack (DetectStackDrift; changes nothing but the stack's drift
    /// information) and returns its StackDriftDetectionId.
    std::string detect_stack_drift(const std::string& stack);
    /// The state of a drift detection (DescribeStackDriftDetectionStatus).
    DriftDetectionStatus describe_stack_drift_detection_status(const std::string& detection_id);
    /// Every resource the stack's last drift detection checked (DescribeStackResourceDrifts, all pages).
    std::vector<StackResourceDrift> describe_stack_resource_drifts(const std::string& stack);

private:
    QueryClient client_;
};

/// True when an API error says the stack does not exist.
bool is_stack_missing(const ApiError& e);

/// True when the change set failed only because it has nothing to change (CloudFormation's "The
/// submitted information didn't contain changes..." or "No updates are to be performed.").
bool is_no_changes(const ChangeSetDescription& change_set);

} // namespace leafsynth::aws_api
