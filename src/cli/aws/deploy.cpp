// `leafsynth deploy` and `leafsynth bootstrap` as they run in leafsynth-aws (src/cli/aws_program.hpp).

#include <filesystem>
#include <iostream>
#include <set>

#include "../command_support.hpp"
#include "../deploy_command.hpp"
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
