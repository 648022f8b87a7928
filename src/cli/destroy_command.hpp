#pragma once
// `leafsynth destroy` (the app's configs, synthesized first, or --app DIR): the command line; the
// work is in src/deploy/destroy.cpp.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app_loader.hpp"

namespace leafsynth::cli {

/// What the user said to `leafsynth destroy`.
struct DestroyArgs {
    AppArgs app;                          ///< App arguments (the positionals are leaf configs).
    std::string app_dir;                  ///< --app DIR: destroy the stacks of an assembly written earlier.
    std::string output = "leafsynth.out"; ///< -o: where the app is synthesized first.
    std::vector<std::string> stacks;      ///< --stack (repeatable): names or globs.
    bool exclusively = false;             ///< --exclusively.
    bool force = false;                   ///< --force.
    int concurrency = 4;                  ///< --concurrency.
    std::string progress = "auto";        ///< --progress auto|live|events|quiet.
    std::string profile;                  ///< --profile.
    double timeout = 30;                  ///< --timeout: seconds per request.
};

/// Registers `destroy`.
CLI::App* add_destroy_command(CLI::App& cli, DestroyArgs& args);

/// Runs `leafsynth destroy`; returns 0, 1 (not confirmed) or 2 (failed). Throws leafsynth::Error on bad input.
int run_destroy(const DestroyArgs& args);

} // namespace leafsynth::cli
