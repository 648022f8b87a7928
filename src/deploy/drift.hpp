#pragma once
/// @file drift.hpp
/// `leafsynth drift`: CloudFormation's drift detection for the app's deployed stacks, nested stacks
/// included (found with ListStackResources, recursively). For each stack: DetectStackDrift, then
/// DescribeStackDriftDetectionStatus polled with backoff until the detection ends, then
/// DescribeStackResourceDrifts (all pages), merged with the stack's resources so that a resource
/// the detection did not check is listed as not checked. Stacks are checked concurrently (one
/// CloudFormation client per thread); the report is in the app's stack order, nested stacks and
/// resources by logical id, whatever the timing. Read-only but for starting the detections.
/// Internal to the leafsynth CLI (not installed).

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aws_api/cloudformation.hpp"
#include "aws_api/session.hpp"
#include "deploy/plan.hpp"
#include "deploy/stack_deployer.hpp"
#include "leafsynth/assembly_manifest.hpp"

namespace leafsynth::deploy {

/// A top-level stack to check.
struct DriftTarget {
    std::string stack_name; ///< CloudFormation stack name.
    std::string region;     ///< Its region.
    std::string role_arn{}; ///< Its lookup role (filled), or empty: the user's own credentials (nested stacks: the parent's).
};

/// One resource of a checked stack.
struct ResourceDrift {
    std::string logical_id;  ///< Logical id.
    std::string physical_id; ///< Physical id, or empty.
    std::string type;        ///< Resource type.
    /// `IN_SYNC`, `MODIFIED`, `DELETED`, or `NOT_CHECKED` (also for a resource the detection left
    /// out: a type CloudFormation cannot check), `UNKNOWN`, `UNSUPPORTED` as CloudFormation says.
    std::string status;
    std::string reason;                                   ///< DriftStatusReason, or empty.
    std::vector<aws_api::PropertyDifference> differences; ///< For MODIFIED: each property that differs.
};

/// How a stack's check ended.
enum class DriftState {
    InSync,          ///< Checked: no resource drifted.
    Drifted,         ///< Checked: at least one resource MODIFIED or DELETED.
    NotDeployed,     ///< No such stack (or only a change set never executed).
    DetectionFailed  ///< The detection failed (DETECTION_FAILED, refused, or still running at the timeout).
};

/// The words for a state: `in_sync`, `drifted`, `not_deployed`, `detection_failed`.
const char* to_string(DriftState state);

/// One stack's drift.
struct StackDrift {
    std::string name;                    ///< Stack name; for a nested stack, its logical id in the parent.
    std::string region;                  ///< Region.
    std::string stack_id;                ///< The stack's ARN, or empty when not deployed.
    DriftState state = DriftState::NotDeployed; ///< How the check ended.
    std::string stack_drift_status;      ///< CloudFormation's StackDriftStatus (`DRIFTED`, `IN_SYNC`, ...), or empty.
    std::string detection_status;        ///< CloudFormation's DetectionStatus, or empty.
    std::string reason;                  ///< Why the detection failed, or a note on a stack not deployed.
    std::vector<ResourceDrift> resources; ///< By logical id.
    std::vector<StackDrift> nested;      ///< Nested stacks, by logical id.
    /// True when this stack or a nested one drifted.
    bool drifted() const;
};

/// The drift of the selected stacks.
struct DriftReport {
    std::vector<StackDrift> stacks; ///< In the app's order.
    /// True when any stack, nested ones included, drifted.
    bool has_drift() const;
    /// The stacks (nested ones by `Parent/Logical`) whose detection failed, in report order.
    std::vector<std::string> failed_stacks() const;
};

/// Makes a CloudFormation client for `region`, as `role_arn` (a DriftTarget's, or empty); `what`
/// names the stack for messages.
using CloudFormationClientFactory = std::function<std::unique_ptr<aws_api::CloudFormationClient>(
    const std::string& region, const std::string& role_arn, const std::string& what)>;

/// How detect_drift runs.
struct DriftRunOptions {
    int concurrency = 4; ///< Stacks checked at once (threads, one client each per region).
    /// How a detection is polled: first wait, doubling up to the cap; a stack still in progress
    /// after the timeout is a failed detection.
    PollSchedule poll{.first = std::chrono::milliseconds(500), .cap = std::chrono::milliseconds(5000),
                      .timeout = std::chrono::seconds(1800)};
    /// Called (under a lock) after each stack is checked: stacks done, stacks known so far
    /// (nested stacks add to it as they are found).
    std::function<void(int done, int known)> progress;
    /// One sentence for an API error of `action` on `what` at `endpoint` (Session::failure_message);
    /// empty: the service's code and message.
    std::function<std::string(const std::string& action, const std::string& what, const std::string& endpoint,
                              const aws_api::ApiError& e)>
        failure;
};

/// Checks `targets` and their nested stacks. A stack that does not exist is NotDeployed, a
/// detection CloudFormation fails or refuses (a stack in an operation) is DetectionFailed with the
/// reason; anything else (credentials, access denied, the endpoint unreachable) throws InputError
/// with the message of the first such stack in report order, and no new stack is started after it.
DriftReport detect_drift(const std::vector<DriftTarget>& targets, const CloudFormationClientFactory& clients,
                         const DriftRunOptions& options);

/// Options of `leafsynth drift`.
struct DriftOptions {
    AssemblyFiles files;        ///< The assembly (read_assembly_dir, or assembly_files of an in-memory synth).
    std::string root;           ///< How the assembly is named in messages (`out/`, or empty).
    Selection selection;        ///< `--stack` patterns; only the matched stacks are checked (never their dependencies).
    std::string default_region; ///< For stacks without a region.
    DriftRunOptions run;        ///< Concurrency, polling, progress.
    aws_api::SessionOptions session; ///< Profile, timeout, environment.
};

/// Reads the assembly's manifest, selects the stacks, checks that a stack's account (when the
/// assembly names one) is the credentials' (STS GetCallerIdentity), and runs detect_drift with the
/// session's clients. Throws InputError as detect_drift, and for the assembly or the selection.
DriftReport run_drift(const DriftOptions& options);

/// The report as text, grouped per stack as `leafsynth diff` groups its report.
std::string render_drift(const DriftReport& report);

/// The report as JSON (keys sorted, nothing that changes from run to run such as detection ids or times).
nlohmann::json drift_to_json(const DriftReport& report);

} // namespace leafsynth::deploy
