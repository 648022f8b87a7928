#pragma once
// `leafsynth drift` (the app's configs, synthesized in memory, or --app DIR): the command line; the
// work is in src/deploy/drift.cpp.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app_loader.hpp"

namespace leafsynth::cli {

/// What the user said to `leafsynth drift`.
struct DriftArgs {
    AppArgs app;                     ///< App arguments (the positionals are leaf configs).
    std::string app_dir;             ///< --app DIR: check the stacks of an assembly written earlier.
    std::vector<std::string> stacks; ///< --stack (repeatable): names or globs; only those stacks.
    int concurrency = 4;             ///< --concurrency: stacks checked at once.
    bool json = false;               ///< --json: one JSON document on stdout.
    bool fail = false;               ///< --fail: exit 1 when anything drifted.
    std::string profile;             ///< --profile.
    double timeout = 30;             ///< --timeout: seconds per request.
};

/// Registers `drift`.
CLI::App* add_drift_command(CLI::App& cli, DriftArgs& args);

/// Runs `leafsynth drift`: prints the report on stdout; returns 0, 1 (drift with --fail) or 2 (a
/// detection failed). Throws leafsynth::Error on bad input or a failure to check.
int run_drift(const DriftArgs& args);

} // namespace leafsynth::cli
