#pragma once
// What the commands that talk to AWS share (deploy, bootstrap, destroy, drift): the app options,
// the AWS options, the app's assembly (the configs synthesized first, or --app DIR as it is), a
// y/N question on the terminal, and Ctrl-C.

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "deploy/engine.hpp"

namespace leafsynth::cli {

/// Refuses an empty option value.
extern const CLI::Validator kNonEmpty;

/// A new T that lives until the process ends and is not torn down: the exit gives its memory
/// back at once, while destroying a large construct tree, assembly or set of parsed templates
/// piece by piece took 6 % of a synth and 20 % of the end of a diff (the profiles in the README).
/// Reachable from here, so leak checkers do not count it.
template <class T> T& for_the_process() {
    static auto* kept = new std::vector<T*>();
    kept->push_back(new T());
    return *kept->back();
}

/// `--base`, `--region`, `--account`, `--maturity`, `--container-id`.
void add_app_options(CLI::App& cmd, AppArgs& app);
/// `--profile`, `--timeout`.
void add_aws_options(CLI::App& cmd, std::string& profile, double& timeout);
/// True when any app option was given.
bool has_app_options(const AppArgs& app);

/// Seconds (`--timeout`) as milliseconds.
std::chrono::milliseconds timeout_of(double seconds);

/// The assembly a command works on and the region of stacks that have none.
struct AssemblySource {
    std::filesystem::path dir;  ///< The assembly folder.
    std::string default_region; ///< The main region (synthesized) or the environment's (--app), or empty.
};

/// With `app_dir` (--app): that folder as it is (app options refused); else the configs
/// synthesized into `output` (written, warnings on stderr, a line on stdout). `command` names the
/// command in messages (`deploy`, `destroy`, `drift`). Throws InputError.
AssemblySource prepare_assembly(const AppArgs& app, const std::string& app_dir, const std::string& output,
                                const std::string& command);

/// `--progress auto|live|events|quiet`: auto is live when stdout is a terminal, else events.
deploy::Progress progress_of(const std::string& flag);

/// y/N on the terminal (asked on stderr); nullopt when stdin is not a terminal.
std::optional<bool> ask_on_terminal(const std::string& question);

/// Ctrl-C while a command waits on CloudFormation: the first stops waiting (CloudFormation goes
/// on), a second ends at once. With `cancel_on_interrupt` the first only warns and the second sets
/// cancelled() (deploy: cancel the updates in progress). Restored when the guard goes.
class InterruptGuard {
public:
    explicit InterruptGuard(bool cancel_on_interrupt = false);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// Set by the first Ctrl-C.
    const std::atomic<bool>* interrupted() const;
    /// Set by the second Ctrl-C with cancel_on_interrupt.
    const std::atomic<bool>* cancelled() const;

private:
    void (*previous_)(int) = nullptr;
};

} // namespace leafsynth::cli
