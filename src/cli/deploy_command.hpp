#pragma once
// `leafsynth deploy` (the app's configs, synthesized first, or --app DIR) and `leafsynth bootstrap`
// (the app's environments, or aws://ACCOUNT/REGION): the command lines; the work is in src/deploy/.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app_loader.hpp"

namespace leafsynth::cli {

/// What the user said to `leafsynth deploy`.
struct DeployArgs {
    AppArgs app;                          ///< App arguments (the positionals are leaf configs).
    std::string app_dir;                  ///< --app DIR: deploy an assembly written earlier.
    std::string output = "leafsynth.out"; ///< -o: where the app is synthesized before deploying.
    std::vector<std::string> stacks;      ///< --stack (repeatable): names or globs.
    bool exclusively = false;             ///< --exclusively.
    std::string approval = "broadening";  ///< --require-approval.
    int concurrency = 4;                  ///< --concurrency.
    std::vector<std::string> parameters;  ///< --parameters [STACK:]NAME=VALUE (repeatable).
    std::string outputs_file;             ///< --outputs-file.
    std::string progress = "auto";        ///< --progress auto|live|events|quiet.
    bool no_rollback = false;             ///< --no-rollback.
    bool no_wait_in_progress = false;     ///< --no-wait-in-progress.
    bool continue_rollback = false;       ///< --continue-rollback.
    bool cancel_on_interrupt = false;     ///< --cancel-on-interrupt.
    std::string profile;                  ///< --profile.
    double timeout = 30;                  ///< --timeout: seconds per request.
};

/// What the user said to `leafsynth bootstrap`.
struct BootstrapArgs {
    AppArgs app;                       ///< App arguments; the positionals are configs or aws://ACCOUNT/REGION.
    bool show_template = false;        ///< --show-template: print the bootstrap template and stop.
    std::string profile;               ///< --profile.
    double timeout = 30;               ///< --timeout.
};

/// Registers `deploy`.
CLI::App* add_deploy_command(CLI::App& cli, DeployArgs& args);
/// Registers `bootstrap`.
CLI::App* add_bootstrap_command(CLI::App& cli, BootstrapArgs& args);

/// Runs `leafsynth deploy`; returns 0, 1 (not approved) or 2 (failed). Throws leafsynth::Error on bad input.
int run_deploy(const DeployArgs& args);
/// Runs `leafsynth bootstrap`; returns 0 or 2. Throws leafsynth::Error on bad input.
int run_bootstrap(const BootstrapArgs& args);

} // namespace leafsynth::cli
