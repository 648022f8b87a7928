#include "deploy_command.hpp"

#include <filesystem>
#include <iostream>
#include <set>

#include "aws_api/cloudformation.hpp"
#include "command_support.hpp"
#include "deploy/bootstrap_stack.hpp"
#include "deploy/engine.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace {

/// `[STACK:]NAME=VALUE` → stack (`*` for all), name, value.
std::tuple<std::string, std::string, std::string> parse_parameter(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--parameters " + quote_excerpt(text) + ": write NAME=VALUE or STACK:NAME=VALUE");
    std::string key = text.substr(0, eq), stack = "*";
    if (const auto colon = key.find(':'); colon != std::string::npos) {
        stack = key.substr(0, colon);
        key = key.substr(colon + 1);
    }
    if (key.empty() || stack.empty())
        throw InputError("--parameters " + quote_excerpt(text) + ": write NAME=VALUE or STACK:NAME=VALUE");
    return {stack, key, text.substr(eq + 1)};
}

} // namespace

CLI::App* add_deploy_command(CLI::App& cli, DeployArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "deploy", "Deploy the app (synthesized first) or an assembly (--app) through CloudFormation change sets");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, one container each (or --app DIR)")->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_option("--app", args.app_dir, "Deploy this assembly (a 'leafsynth synth -o DIR' or 'cdk synth' output) as it is")
        ->check(kNonEmpty);
    cmd->add_option("-o,--output", args.output, "Where the configs are synthesized before deploying (default: ./leafsynth.out)")
        ->check(kNonEmpty);
    cmd->add_option("--stack", args.stacks, "A stack to deploy, by name or glob ('ContainerManager-Valheim*'); repeatable (default: all)")
        ->expected(1)
        ->check(kNonEmpty);
    cmd->add_flag("--exclusively", args.exclusively, "Only the named stacks, not the stacks they depend on");
    cmd->add_option("--require-approval", args.approval,
                    "Ask before deploying: never, any-change, or broadening (default: widened permissions; replacing "
                    "or removing a stateful resource always asks unless never)")
        ->check(CLI::IsMember({"never", "any-change", "broadening"}));
    cmd->add_option("--concurrency", args.concurrency, "Stacks deployed at once (default 4)")->check(CLI::Range(1, 32));
    cmd->add_option("--parameters", args.parameters, "A template parameter: [STACK:]NAME=VALUE; repeatable")
        ->expected(1)
        ->check(kNonEmpty);
    cmd->add_option("--outputs-file", args.outputs_file, "Write every stack's outputs to this JSON file")->check(kNonEmpty);
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
        ->check(kNonEmpty);
    add_app_options(*cmd, args.app);
    cmd->add_flag("--show-template", args.show_template, "Print the bootstrap stack's template (JSON) and stop");
    add_aws_options(*cmd, args.profile, args.timeout);
    cmd->footer("Exit codes: 0 every environment bootstrapped or already so, 2 bad input or a failure.");
    return cmd;
}

int run_deploy(const DeployArgs& args) {
    deploy::DeployOptions o;
    const AssemblySource source = prepare_assembly(args.app, args.app_dir, args.output, "deploy");
    o.assembly_dir = source.dir;
    o.default_region = source.default_region;
    o.selection = {.patterns = args.stacks, .exclusively = args.exclusively};
    for (const auto& p : args.parameters) {
        auto [stack, key, value] = parse_parameter(p);
        o.parameters[stack][key] = value;
    }
    o.approval = args.approval == "never"        ? deploy::Approval::Never
                 : args.approval == "any-change" ? deploy::Approval::AnyChange
                                                 : deploy::Approval::Broadening;
    o.concurrency = args.concurrency;
    o.disable_rollback = args.no_rollback;
    o.wait_in_progress = !args.no_wait_in_progress;
    o.continue_rollback = args.continue_rollback;
    o.progress = progress_of(args.progress);
    o.outputs_file = args.outputs_file;
    o.session = {.profile = args.profile, .timeout = timeout_of(args.timeout), .env = process_env};
    o.ask = ask_on_terminal;
    o.out = &std::cout;
    InterruptGuard guard(args.cancel_on_interrupt);
    o.interrupted = guard.interrupted();
    o.cancel = guard.cancelled();
    return deploy::run_deploy(o);
}

int run_bootstrap(const BootstrapArgs& args) {
    if (args.show_template) {
        std::cout << deploy::bootstrap_template_json();
        return deploy::kDeployOk;
    }
    deploy::BootstrapOptions o;
    std::vector<std::string> configs;
    for (const auto& t : args.app.leaf_configs) {
        if (!t.starts_with("aws://")) {
            configs.push_back(t);
            continue;
        }
        const std::string rest = t.substr(6);
        const auto slash = rest.find('/');
        const std::string account = slash == std::string::npos ? "" : rest.substr(0, slash);
        const std::string region = slash == std::string::npos ? "" : rest.substr(slash + 1);
        const bool account_ok = account.size() == 12 && account.find_first_not_of("0123456789") == std::string::npos;
        if (!account_ok || !is_region_name(region))
            throw InputError(quote_excerpt(t) + " is not an environment: write aws://ACCOUNT/REGION, e.g. "
                             "aws://123456789012/us-west-2");
        o.environments.push_back({account, region});
    }
    if (!configs.empty()) {
        if (!o.environments.empty())
            throw InputError("give leaf configs (their environments are bootstrapped) or aws://ACCOUNT/REGION targets, not both");
        AppArgs app = args.app;
        app.leaf_configs = configs;
        App built;
        build_app(built, app);
        const Assembly assembly = built.synth();
        std::set<std::pair<std::string, std::string>> seen;
        for (const auto& s : assembly.stacks)
            if (s.parent.empty() && seen.insert({s.account, s.region}).second) o.environments.push_back({s.account, s.region});
    } else if (has_app_options(args.app)) {
        throw InputError("--base, --region, --account, --maturity and --container-id are for leaf configs; with "
                         "aws://ACCOUNT/REGION targets leave them out");
    }
    if (o.environments.empty())
        throw InputError("bootstrap needs the app's leaf configs or aws://ACCOUNT/REGION targets (see 'leafsynth bootstrap --help')");
    o.session = {.profile = args.profile, .timeout = timeout_of(args.timeout), .env = process_env};
    o.out = &std::cout;
    InterruptGuard guard;
    o.interrupted = guard.interrupted();
    return deploy::run_bootstrap(o);
}

} // namespace leafsynth::cli
