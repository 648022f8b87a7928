#pragma once
/// @file destroy.hpp
/// `leafsynth destroy`: the selected stacks and every stack that depends on them, deleted in
/// reverse dependency order across regions, independent ones concurrently. Before anything goes,
/// it lists what will: each stack and region, its resources deleted and those CloudFormation keeps
/// (DeletionPolicy Retain or RetainExceptOnCreate; Snapshot: deleted after a snapshot), nested
/// stacks included, and the stacks it keeps (termination protection, unless named with `--stack`,
/// and what they depend on); then asks (y/N) unless `--force`. At the end, the retained resources
/// with their physical ids. Internal to the leafsynth CLI (not installed).

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "aws_api/session.hpp"
#include "deploy/engine.hpp"
#include "deploy/plan.hpp"
#include "deploy/stack_deployer.hpp"

namespace leafsynth::deploy {

/// Options of a destroy.
struct DestroyOptions {
    std::filesystem::path assembly_dir;   ///< The assembly (a `leafsynth synth` or `cdk synth` output folder).
    Selection selection;                  ///< `--stack`, `--exclusively`.
    std::string default_region;           ///< For stacks without a region.
    bool force = false;                   ///< `--force`: no question.
    int concurrency = 4;                  ///< Stacks deleted at once.
    Progress progress = Progress::Events; ///< `--progress`.
    PollSchedule poll;                    ///< How CloudFormation is polled.
    aws_api::SessionOptions session;      ///< Profile, timeout, environment.
    /// Asks a yes/no question on the terminal; nullopt when there is no terminal to ask on.
    std::function<std::optional<bool>(const std::string& question)> ask;
    std::ostream* out = nullptr;                    ///< Where the listing, progress and report go.
    const std::atomic<bool>* interrupted = nullptr; ///< Set on Ctrl-C: stop waiting.
};

/// Exit codes of a destroy: 0 every selected stack deleted (or already gone, or kept as said),
/// 1 not confirmed or no terminal to confirm on without `--force`, 2 a failure.
inline constexpr int kDestroyOk = 0;
inline constexpr int kDestroyNotConfirmed = 1;
inline constexpr int kDestroyFailed = 2;

/// Runs a destroy. Throws InputError for what is wrong before anything changes (the assembly, a
/// selection, credentials, another account).
int run_destroy(const DestroyOptions& options);

} // namespace leafsynth::deploy
