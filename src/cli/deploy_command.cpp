#include "deploy_command.hpp"

#include <filesystem>
#include <iostream>

#include "command_support.hpp"

namespace leafsynth::cli {

CLI::App* add_deploy_command(CLI::App& cli, DeployArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "deploy", "Deploy the app (synthesized first) or an assembly (--app) through CloudFormation change sets");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, one container each (or --app DIR)")
        ->type_name("FILE")
        ->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_option("--app", args.app_dir, "Deploy this assembly (a 'leafsynth synth -o DIR' or 'cdk synth' output) as it is")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_option("-o,--output", args.output, "Where the configs are synthesized before deploying (default: ./leafsynth.out)")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_option("--stack", args.stacks, "A stack to deploy, by name or glob ('ContainerManager-Valheim*'); repeatable (default: all)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll) // repeatable: --stack A --stack B
        ->check(kNonEmpty);
    cmd->add_flag("--exclusively", args.exclusively, "Only the named stacks, not the stacks they depend on");
    cmd->add_option("--require-approval", args.approval,
                    "Ask before deploying: never, any-change, or broadening (default: widened permissions; replacing "
                    "or removing a stateful resource always asks unless never)")
        ->check(CLI::IsMember({"never", "any-change", "broadening"}));
    cmd->add_option("--concurrency", args.concurrency, "Stacks deployed at once (default 4)")->check(CLI::Range(1, 32));
    cmd->add_option("--parameters", args.parameters, "A template parameter: [STACK:]NAME=VALUE; repeatable")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll) // repeatable: --stack A --stack B
        ->check(kNonEmpty);
    cmd->add_option("--outputs-file", args.outputs_file, "Write every stack's outputs to this JSON file")
        ->type_name("FILE")
        ->check(kNonEmpty);
    cmd->add_option("--progress", args.progress,
                    "auto (live on a terminal, else events), live, events (one line per stack event) or quiet")
        ->check(CLI::IsMember({"auto", "live", "events", "quiet"}));
    cmd->add_flag("--no-rollback", args.no_rollback, "Leave a failed stack as it is (CloudFormation's DisableRollback)");
    cmd->add_flag("--no-wait-in-progress", args.no_wait_in_progress, "Refuse a stack with an operation in progress instead of waiting");
    cmd->add_flag("--continue-rollback", args.continue_rollback, "Continue the rollback of an UPDATE_ROLLBACK_FAILED stack first");
    cmd->add_flag("--cancel-on-interrupt", args.cancel_on_interrupt,
                  "A second Ctrl-C cancels the updates in progress (they roll back); without it, Ctrl-C stops "
                  "waiting and CloudFormation goes on");
    add_aws_options(*cmd, args.profile, args.timeout);
    cmd->footer("Exit codes: 0 every stack deployed or unchanged, 1 approval refused or needed without a terminal, "
                "2 bad input or a failure.");
    return cmd;
}

CLI::App* add_bootstrap_command(CLI::App& cli, BootstrapArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "bootstrap", "Prepare the environments the app deploys to (the CDKToolkit stack: asset bucket, roles, version)");
    cmd->add_option("targets", args.app.leaf_configs, "Leaf config files (their environments), or aws://ACCOUNT/REGION ...")
        ->type_name("FILE")
        ->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_flag("--show-template", args.show_template, "Print the bootstrap stack's template (JSON) and stop");
    add_aws_options(*cmd, args.profile, args.timeout);
    cmd->footer("Exit codes: 0 every environment bootstrapped or already so, 2 bad input or a failure.");
    return cmd;
}

} // namespace leafsynth::cli
