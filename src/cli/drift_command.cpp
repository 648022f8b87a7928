#include "drift_command.hpp"

#include <iostream>

#include "command_support.hpp"

namespace leafsynth::cli {

CLI::App* add_drift_command(CLI::App& cli, DriftArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "drift", "Detect drift: compare the deployed stacks (nested ones included) with their templates through "
                 "CloudFormation's drift detection");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, one container each (or --app DIR)")
        ->type_name("FILE")
        ->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_option("--app", args.app_dir, "Check the stacks of this assembly (a 'leafsynth synth -o DIR' or 'cdk synth' output)")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_option("--stack", args.stacks, "A stack to check, by name or glob ('ContainerManager-Valheim*'); repeatable (default: all)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll) // repeatable: --stack A --stack B
        ->check(kNonEmpty);
    cmd->add_option("--concurrency", args.concurrency, "Stacks checked at once (default 4)")->check(CLI::Range(1, 32));
    cmd->add_flag("--json", args.json, "One JSON document on stdout instead of the report");
    cmd->add_flag("--fail", args.fail, "Exit 1 when a resource drifted");
    add_aws_options(*cmd, args.profile, args.timeout);
    cmd->footer("Read-only: only starts CloudFormation's drift detections (DetectStackDrift). Exit codes: 0 no drift "
                "(or drift without --fail), 1 drift with --fail, 2 bad input, a failure, or a drift detection that failed.");
    return cmd;
}

} // namespace leafsynth::cli
