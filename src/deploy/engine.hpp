#pragma once
/// @file engine.hpp
/// `leafsynth deploy` and `leafsynth bootstrap` as a whole: read the assembly, plan, check each
/// environment (the credentials' account, the bootstrap stack and version), review leafsynth's
/// diff against what is deployed and ask for approval where needed, publish every asset, then
/// deploy the stacks in dependency order, independent ones concurrently, and report. Internal to
/// the leafsynth CLI (not installed).

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "aws_api/session.hpp"
#include "deploy/plan.hpp"
#include "deploy/progress.hpp"
#include "deploy/stack_deployer.hpp"

namespace leafsynth::deploy {

/// When a deploy asks before changing anything (`--require-approval`).
enum class Approval {
    Never,      ///< Never ask.
    AnyChange,  ///< Ask when any stack changes.
    Broadening  ///< Ask when IAM or security-group permissions widen (the default, as `cdk deploy`).
};

/// Options of a deploy.
struct DeployOptions {
    std::filesystem::path assembly_dir;  ///< The assembly (a `leafsynth synth` or `cdk synth` output folder).
    Selection selection;                 ///< `--stack`, `--exclusively`.
    std::string default_region;          ///< For stacks without a region (CDK's environment-agnostic stacks).
    /// `--parameters STACK:NAME=VALUE` (STACK `*` for every stack): stack → name → value.
    std::map<std::string, std::map<std::string, std::string>> parameters;
    Approval approval = Approval::Broadening; ///< `--require-approval`.
    int concurrency = 4;                      ///< Stacks deployed at once.
    int asset_parallelism = 4;                ///< Uploads at once.
    bool disable_rollback = false;            ///< `--no-rollback`.
    bool wait_in_progress = true;             ///< Wait for an operation in progress (`--no-wait-in-progress` refuses).
    bool continue_rollback = false;           ///< `--continue-rollback`.
    Progress progress = Progress::Events;     ///< `--progress`.
    std::string outputs_file;                 ///< `--outputs-file`: all outputs as JSON.
    PollSchedule poll;                        ///< How CloudFormation is polled.
    aws_api::SessionOptions session;          ///< Profile, timeout, environment.
    /// Asks a yes/no question on the terminal; nullopt when there is no terminal to ask on.
    std::function<std::optional<bool>(const std::string& question)> ask;
    std::ostream* out = nullptr;              ///< Where progress and the report go (stdout).
    const std::atomic<bool>* interrupted = nullptr; ///< Set on Ctrl-C: stop waiting.
    const std::atomic<bool>* cancel = nullptr;      ///< Set on a second Ctrl-C with --cancel-on-interrupt.
};

/// Exit codes of a deploy: 0 every selected stack deployed or unchanged, 1 approval refused or
/// needed without a terminal, 2 a failure.
inline constexpr int kDeployOk = 0;
inline constexpr int kDeployNotApproved = 1;
inline constexpr int kDeployFailed = 2;

/// Runs a deploy. Throws InputError for what is wrong before anything changes (the assembly, a
/// selection, credentials, an environment that is not bootstrapped).
int run_deploy(const DeployOptions& options);

/// An environment to bootstrap.
struct EnvironmentRef {
    std::string account; ///< 12 digits, or empty for the credentials' account.
    std::string region;  ///< Region.
};

/// Options of a bootstrap.
struct BootstrapOptions {
    std::vector<EnvironmentRef> environments; ///< Where (at least one).
    PollSchedule poll;                        ///< How CloudFormation is polled.
    aws_api::SessionOptions session;          ///< Profile, timeout, environment.
    std::ostream* out = nullptr;              ///< Where progress goes.
    const std::atomic<bool>* interrupted = nullptr; ///< Set on Ctrl-C.
};

/// Deploys the bootstrap stack (CDKToolkit) into each environment; an environment already at
/// this version or a newer one is left alone and said so. Returns an exit code (0 or 2).
int run_bootstrap(const BootstrapOptions& options);

} // namespace leafsynth::deploy
