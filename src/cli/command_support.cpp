#include "command_support.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_cancel{false};
std::atomic<bool> g_cancel_on_interrupt{false};
std::atomic<int> g_interrupts{0};

extern "C" void on_interrupt(int) {
    const int n = ++g_interrupts;
    if (g_cancel_on_interrupt.load()) {
        if (n == 1) {
            static const char warn[] = "\nleafsynth: Ctrl-C: press it again to cancel the updates in progress "
                                       "(--cancel-on-interrupt); they roll back\n";
            (void)!::write(STDERR_FILENO, warn, sizeof warn - 1);
        } else if (n == 2) {
            g_cancel.store(true);
        } else {
            std::_Exit(130);
        }
        return;
    }
    if (g_interrupted.exchange(true)) std::_Exit(130); // a second Ctrl-C ends at once
}

} // namespace

const CLI::Validator kNonEmpty(
    [](std::string& value) { return value.empty() ? std::string("the value is empty; give one or leave the option out") : std::string(); },
    "", "NONEMPTY");

void add_app_options(CLI::App& cmd, AppArgs& app) {
    cmd.add_option("--base", app.base_config, "Base config (default: base-stack-config.yaml beside the first leaf config)")
        ->type_name("FILE")
        ->check(kNonEmpty);
    cmd.add_option("--region", app.region, "Main region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS config's profile)")
        ->check(kNonEmpty);
    cmd.add_option("--account", app.account, "AWS account id (default: the deploying account)")->check(kNonEmpty);
    cmd.add_option("--maturity", app.maturity, "prod or devel (default: prod)")->check(CLI::IsMember({"prod", "devel"}));
    cmd.add_option("--container-id", app.container_id, "Container id (default: the leaf config's file name)")->check(kNonEmpty);
}

void add_aws_options(CLI::App& cmd, std::string& profile, double& timeout) {
    cmd.add_option("--profile", profile, "AWS profile for credentials, region and endpoints (else AWS_PROFILE)")
        ->type_name("PROFILE")
        ->check(kNonEmpty);
    cmd.add_option("--timeout", timeout, "Seconds per request to AWS (default 30)")->check(CLI::Range(1.0, 600.0));
}

bool has_app_options(const AppArgs& a) {
    return !a.base_config.empty() || !a.region.empty() || !a.account.empty() || !a.container_id.empty() ||
           a.maturity != "prod";
}

std::chrono::milliseconds timeout_of(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

AssemblySource prepare_assembly(const AppArgs& app_args, const std::string& app_dir, const std::string& output,
                                const std::string& command) {
    AssemblySource source;
    if (!app_dir.empty()) {
        if (!app_args.leaf_configs.empty() || has_app_options(app_args))
            throw InputError("with --app, " + command + " works on the assembly as it is: leave out the configs and --base, "
                             "--region, --account, --maturity, --container-id (or leave out --app to synthesize the configs)");
        if (!fs::is_directory(app_dir))
            throw InputError("--app " + app_dir + ": not a folder (give a 'leafsynth synth -o DIR' or 'cdk synth' output)");
        source.dir = app_dir;
        try {
            source.default_region = resolve_main_region("").region; // only for stacks without a region
        } catch (const InputError&) {
        }
        return source;
    }
    if (app_args.leaf_configs.empty())
        throw InputError(command + " needs the app's leaf configs, or --app DIR (see 'leafsynth " + command + " --help')");
    App app;
    build_app(app, app_args);
    const Assembly assembly = app.synth();
    for (const auto& w : assembly.warnings) std::cerr << "leafsynth: warning: " << w << "\n";
    write_assembly(assembly, output);
    std::cout << "Synthesized " << assembly.stacks.size() << " stacks into " << output << "/\n";
    source.dir = output;
    source.default_region = resolve_main_region(app_args.region).region;
    return source;
}

deploy::Progress progress_of(const std::string& flag) {
    if (flag == "quiet") return deploy::Progress::Quiet;
    if (flag == "events") return deploy::Progress::Events;
    return flag == "live" || ::isatty(STDOUT_FILENO) != 0 ? deploy::Progress::Live : deploy::Progress::Events;
}

std::optional<bool> ask_on_terminal(const std::string& question) {
    if (!::isatty(STDIN_FILENO)) return std::nullopt;
    std::cerr << question << " [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

InterruptGuard::InterruptGuard(bool cancel_on_interrupt) {
    g_cancel_on_interrupt.store(cancel_on_interrupt);
    previous_ = std::signal(SIGINT, on_interrupt);
}

InterruptGuard::~InterruptGuard() { std::signal(SIGINT, previous_ ? previous_ : SIG_DFL); }

const std::atomic<bool>* InterruptGuard::interrupted() const { return &g_interrupted; }
const std::atomic<bool>* InterruptGuard::cancelled() const { return &g_cancel; }

} // namespace leafsynth::cli
