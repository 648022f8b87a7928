#pragma once
// `leafsynth diff`: compare the app with the deployed stacks (the default), with an earlier
// output folder (--against DIR), or one template file with another.

#include <CLI/CLI.hpp>

#include <string>

#include "app_loader.hpp"
#include "leafsynth/diff.hpp"

namespace leafsynth::cli {

/// What the user said to `leafsynth diff`.
struct DiffArgs {
    AppArgs app;          ///< App arguments; `app.leaf_configs` holds the positionals (leaf configs, or OLD NEW templates).
    std::string against;  ///< --against DIR: an earlier `leafsynth synth -o DIR` or a CDK cloud assembly.
    bool json = false;    ///< --json: machine-readable output.
    bool no_color = false; ///< --no-color (colour is also off when NO_COLOR is set or stdout is not a terminal).
    bool fail = false;    ///< --fail: exit 1 when there are differences.
    std::string profile;  ///< --profile: the AWS profile for credentials, region and endpoint (else AWS_PROFILE).
    double timeout = 30;  ///< --timeout: seconds per request to AWS.
    int concurrency = 8;  ///< --concurrency: requests to AWS in flight at once.
};

/// Registers the `diff` subcommand and its options on `cli`, filling `args` when parsed.
CLI::App* add_diff_command(CLI::App& cli, DiffArgs& args);

/// Runs `leafsynth diff`: prints the report on stdout and returns the exit code (0, or 1 with
/// --fail when there are differences). Throws leafsynth::Error (exit 2) on bad input.
int run_diff(const DiffArgs& args);

/// The app synthesized in memory and compared with its deployed stacks (src/cli/aws/diff_deployed.cpp,
/// in leafsynth-aws; in leafsynth it hands the command line over to leafsynth-aws, see aws_program.hpp).
AssemblyDiff diff_with_deployed(const DiffArgs& args);

} // namespace leafsynth::cli
