#include "destroy_command.hpp"

#include <iostream>

#include "command_support.hpp"

namespace leafsynth::cli {

CLI::App* add_destroy_command(CLI::App& cli, DestroyArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "destroy", "Delete the app's stacks (or --stack ones and the stacks depending on them), dependents first");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, one container each (or --app DIR)")
        ->type_name("FILE")
        ->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_option("--app", args.app_dir, "Destroy the stacks of this assembly (a 'leafsynth synth -o DIR' or 'cdk synth' output)")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_option("-o,--output", args.output, "Where the configs are synthesized first (default: ./leafsynth.out)")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_option("--stack", args.stacks,
                    "A stack to delete, by name or glob; the stacks depending on it go too; repeatable (default: all). "
                    "A stack with termination protection is kept unless named exactly")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll) // repeatable: --stack A --stack B
        ->check(kNonEmpty);
    cmd->add_flag("--exclusively", args.exclusively, "Only the named stacks, not the stacks that depend on them");
    cmd->add_flag("-f,--force", args.force, "Do not ask before deleting");
    cmd->add_option("--concurrency", args.concurrency, "Stacks deleted at once (default 4)")->check(CLI::Range(1, 32));
    cmd->add_option("--progress", args.progress,
                    "auto (live on a terminal, else events), live, events (one line per stack event) or quiet")
        ->check(CLI::IsMember({"auto", "live", "events", "quiet"}));
    add_aws_options(*cmd, args.profile, args.timeout);
    cmd->footer("Exit codes: 0 every selected stack deleted, already gone or kept as said, 1 not confirmed (or no "
                "terminal to confirm on without --force), 2 bad input or a failure.");
    return cmd;
}

} // namespace leafsynth::cli
