#include "diff_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"

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

} // namespace

CLI::App* add_diff_command(CLI::App& cli, DiffArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "diff", "Compare the app with an earlier output folder (--against DIR), or two templates (OLD NEW)");
    cmd->add_option("configs", args.app.leaf_configs,
                    "Leaf config files (with --against), or OLD NEW template files (JSON or YAML)");
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
        throw InputError("comparing with the deployed stacks is not available yet: use --against DIR to compare the "
                         "app with an earlier 'leafsynth synth -o DIR' output, or give two template files "
                         "(leafsynth diff OLD.template.json NEW.template.json)");
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
