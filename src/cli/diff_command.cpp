#include "diff_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "aws_api/deployed_stacks.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitDifferences = 1;

/// True when the file reads as a CloudFormation template (a mapping with Resources or
/// AWSTemplateFormatVersion), as opposed to a leaf config.
bool is_template_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buf;
    buf << in.rdbuf();
    try {
        const nlohmann::json doc = parse_template(buf.str(), path);
        return doc.contains("Resources") || doc.contains("AWSTemplateFormatVersion");
    } catch (const Error&) {
        return false;
    }
}

bool use_color(const DiffArgs& args) {
    if (args.no_color || args.json) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    return ::isatty(STDOUT_FILENO) == 1;
}

bool has_app_options(const AppArgs& a) {
    return !a.base_config.empty() || !a.region.empty() || !a.account.empty() || !a.container_id.empty() ||
           a.maturity != "prod";
}

/// A progress line on stderr, only when stderr is a terminal; cleared when done.
class ProgressLine {
public:
    ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressLine() {
        if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
    }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    void update(int done, int known) {
        if (!tty_) return;
        shown_ = true;
        std::cerr << "\r\033[Kleafsynth: reading deployed stacks " << done << "/" << known << std::flush;
    }

private:
    bool tty_;
    bool shown_ = false;
};

AssemblyDiff diff_with_deployed(const DiffArgs& args) {
    AppArgs app_args = args.app;
    // --profile also chooses the region when none is given, as in the AWS CLI.
    if (app_args.region.empty() && !args.profile.empty()) {
        const std::string profile = args.profile;
        app_args.region = resolve_main_region("", [profile](const std::string& name) -> std::optional<std::string> {
                              if (name == "AWS_PROFILE") return profile;
                              return process_env(name);
                          }).region;
    }
    App app;
    build_app(app, app_args);
    const Assembly assembly = app.synth();
    for (const auto& w : assembly.warnings) std::cerr << "leafsynth: warning: " << w << "\n";
    std::vector<aws_api::StackRef> refs;
    for (const auto& s : assembly.stacks)
        if (s.parent.empty())
            refs.push_back({s.name, s.region.empty() ? resolve_main_region(app_args.region).region : s.region});
    aws_api::FetchOptions options;
    options.profile = args.profile;
    options.timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout * 1000));
    options.concurrency = args.concurrency;
    ProgressLine progress;
    options.progress = [&progress](int done, int known) { progress.update(done, known); };
    std::vector<DeployedStack> deployed = aws_api::fetch_deployed_stacks(refs, options);
    return diff_deployed(deployed, assembly_files(assembly));
}

} // namespace

CLI::App* add_diff_command(CLI::App& cli, DiffArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "diff", "Compare the app with the deployed stacks, with an earlier output folder (--against DIR), or two "
                "templates (OLD NEW)");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, or OLD NEW template files (JSON or YAML)");
    cmd->add_option("--base", args.app.base_config,
                    "Base config (default: base-stack-config.yaml beside the first leaf config)");
    cmd->add_option("--region", args.app.region,
                    "Main region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS config's profile)");
    cmd->add_option("--account", args.app.account, "AWS account id (default: the deploying account)");
    cmd->add_option("--maturity", args.app.maturity, "prod or devel (default: prod)")
        ->check(CLI::IsMember({"prod", "devel"}));
    cmd->add_option("--container-id", args.app.container_id, "Container id (default: the leaf config's file name)");
    cmd->add_option("--against", args.against,
                    "Compare with this output folder (a previous 'leafsynth synth -o DIR', or a CDK cloud assembly)");
    cmd->add_option("--profile", args.profile,
                    "AWS profile for credentials, region and endpoint when comparing with deployed stacks "
                    "(without it: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the profile AWS_PROFILE names, else 'default')");
    cmd->add_option("--timeout", args.timeout, "Seconds per request to AWS before it counts as failed (default: 30)")
        ->check(CLI::Range(0.1, 3600.0));
    cmd->add_option("--concurrency", args.concurrency, "Requests to AWS at once (default: 8)")
        ->check(CLI::Range(1, 64));
    cmd->add_flag("--json", args.json, "Machine-readable JSON report on stdout");
    cmd->add_flag("--no-color", args.no_color, "No colours (also when NO_COLOR is set or stdout is not a terminal)");
    cmd->add_flag("--fail", args.fail, "Exit 1 when there are differences");
    cmd->footer("Exit codes: 0 compared (differences or not), 1 differences with --fail, 2 bad input or failure.");
    return cmd;
}

int run_diff(const DiffArgs& args) {
    const auto& positionals = args.app.leaf_configs;
    // Two templates: `leafsynth diff OLD NEW`.
    bool two_templates = false;
    if (positionals.size() == 2) {
        auto template_like = [](const std::string& p) {
            return is_template_file(p) || fs::path(p).extension() == ".json";
        };
        two_templates = template_like(positionals[0]) && template_like(positionals[1]);
    }
    AssemblyDiff diff;
    if (two_templates) {
        if (!args.against.empty())
            throw InputError("--against compares the app's configs with an output folder; OLD NEW template files are "
                             "compared with each other: give one or the other");
        if (has_app_options(args.app))
            throw InputError("--base, --region, --account, --maturity and --container-id are for the app's configs, "
                             "not for comparing two template files");
        diff = diff_template_files(positionals[0], positionals[1]);
    } else if (!args.against.empty()) {
        if (!fs::is_directory(args.against))
            throw InputError("--against " + args.against + ": not a folder (give a 'leafsynth synth -o DIR' output)");
        const AssemblyFiles old_files = read_assembly_dir(args.against);
        App app;
        build_app(app, args.app);
        const Assembly assembly = app.synth();
        for (const auto& w : assembly.warnings) std::cerr << "leafsynth: warning: " << w << "\n";
        diff = diff_assemblies(old_files, assembly_files(assembly));
    } else {
        diff = diff_with_deployed(args);
    }

    if (args.json) {
        std::cout << diff_to_json(diff).dump(2) << "\n";
    } else {
        DiffRenderOptions options;
        options.color = use_color(args);
        std::cout << render_diff(diff, options);
    }
    std::cout.flush();
    return args.fail && diff.has_differences() ? kExitDifferences : kExitOk;
}

} // namespace leafsynth::cli
