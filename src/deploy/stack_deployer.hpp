#pragma once
/// @file stack_deployer.hpp
/// Deploying one stack through a change set (and deleting one), and where a deploy waits on CloudFormation: the
/// stack's state first (new, REVIEW_IN_PROGRESS, ROLLBACK_COMPLETE deleted and created again, an
/// operation in progress waited for, UPDATE_ROLLBACK_FAILED refused or continued), CreateChangeSet
/// by TemplateURL with the capabilities, tags and parameters, waiting for it, an empty change set
/// deleted (the stack is unchanged), CloudFormation's verdict per resource, ExecuteChangeSet,
/// then the stack and nested-stack events until the stack settles; on failure the root cause (the
/// first resource that failed, followed into nested stacks) after the rollback ends. Internal to
/// the leafsynth CLI (not installed).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws_api/cloudformation.hpp"

namespace leafsynth::deploy {

/// One stack to deploy.
struct StackJob {
    std::string stack_name;                                  ///< CloudFormation stack name.
    std::string region;                                      ///< Its region.
    std::string template_url;                                ///< The uploaded template (an S3 object URL).
    std::string template_body;                               ///< Or the template itself (bootstrap only: no bucket yet).
    nlohmann::json template_parameters = nlohmann::json::object(); ///< The template's Parameters section.
    std::map<std::string, std::string> parameters;           ///< Parameter values given (manifest, then --parameters).
    std::vector<std::pair<std::string, std::string>> tags;   ///< Stack tags.
    bool termination_protection = false;                     ///< Turn termination protection on after the deploy.
    std::string execution_role_arn{};                        ///< The stack's RoleARN (the CloudFormation execution role), or empty.
};

/// How CloudFormation is polled while waiting.
struct PollSchedule {
    std::chrono::milliseconds first{500};  ///< The first wait.
    std::chrono::milliseconds cap{5000};   ///< Waits double up to this.
    std::chrono::seconds timeout{3 * 3600}; ///< Give up waiting after this long (CloudFormation goes on).
};

/// Options of one stack's deployment.
struct StackRunOptions {
    bool disable_rollback = false;      ///< `--no-rollback`: a failure leaves the stack as it is.
    bool wait_in_progress = true;       ///< Wait for an operation already in progress (else refuse).
    bool continue_rollback = false;     ///< `--continue-rollback`: ContinueUpdateRollback an UPDATE_ROLLBACK_FAILED stack.
    PollSchedule poll;                  ///< Waiting.
    /// Asked before executing a change set that replaces or removes a stateful resource; false stops.
    std::function<bool(const std::string& question)> confirm_stateful;
    std::function<void(const std::string& line)> say;                  ///< Progress lines (this stack's).
    std::function<void(const aws_api::StackEvent& event)> on_event;    ///< Each new stack event, oldest first.
    const std::atomic<bool>* interrupted = nullptr;                    ///< Set by Ctrl-C: stop waiting.
    /// Set by a second Ctrl-C with `--cancel-on-interrupt`: cancel an update in progress
    /// (CancelUpdateStack) and wait for its rollback.
    const std::atomic<bool>* cancel = nullptr;
};

/// How a stack's deployment (or deletion) ended.
enum class StackResult { Created, Updated, Unchanged, Failed, Skipped, Deleted, Gone };

/// The words for a result: `created`, `updated`, `unchanged`, `failed`, `skipped`, `deleted`,
/// `gone` (there was nothing to delete).
const char* to_string(StackResult result);

/// What one stack's deployment did.
struct StackOutcome {
    StackResult result = StackResult::Skipped;       ///< How it ended.
    std::string status;                              ///< The stack's final status.
    std::string message;                             ///< Why it failed (the root cause) or was skipped.
    std::vector<aws_api::StackOutput> outputs;       ///< Outputs after the deploy.
    std::chrono::milliseconds duration{0};           ///< Wall time.
    std::vector<aws_api::ResourceChange> changes;    ///< CloudFormation's change set (empty when unchanged).
};

/// Runs `operation` (a deploy or deletion of one stack) and returns its outcome; an aws_api error
/// it throws becomes a Failed outcome with `api_failure(error)` as the message, any other
/// exception one with its text. Deploy and destroy run each stack through it.
StackOutcome outcome_of(const std::function<StackOutcome()>& operation,
                        const std::function<std::string(const aws_api::ApiError&)>& api_failure);

/// The line that reports a stack's end: `Name (region): result[: message] (time)`.
std::string outcome_line(const std::string& stack, const std::string& region, const StackOutcome& outcome);

/// Deploys `job` with `cf` (a client of the stack's region). Never throws for a CloudFormation
/// failure of the stack: that is a Failed outcome with the root cause; throws aws_api errors for
/// calls that cannot be made at all (credentials, network).
StackOutcome deploy_stack(aws_api::CloudFormationClient& cf, const StackJob& job, const StackRunOptions& options);

/// Deletes the stack `stack` (name or ARN) with `cf` (DeleteStack, as `role_arn` when given) and
/// follows its and its nested stacks' events until it is gone: Deleted; Gone when there was no
/// such stack; Failed with the root cause when it ends DELETE_FAILED (the first resource that
/// failed and why, followed into nested stacks, or the stack's own reason, e.g. an export still
/// imported by another stack). Waits for an operation in progress first (as deploy_stack). Throws
/// aws_api errors for calls that cannot be made at all.
StackOutcome destroy_stack(aws_api::CloudFormationClient& cf, const std::string& stack, const std::string& role_arn,
                           const StackRunOptions& options);

/// True for resource types whose replacement or removal loses data or names others depend on
/// (file systems, buckets, hosted zones, log groups, key pairs, databases, tables, ...).
bool is_stateful_type(const std::string& type);

/// Seconds since the epoch of an ISO 8601 time as CloudFormation (and moto) write it
/// (`2026-12-02T05:10:11.123Z`, `...+00:00`); 0 when it cannot be read.
double parse_timestamp(const std::string& text);

} // namespace leafsynth::deploy
