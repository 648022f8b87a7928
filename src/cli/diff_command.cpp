#include "diff_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command_support.hpp"
#include "leafsynth/assembly_manifest.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitDifferences = 1;

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// True when the file's name says it is a template: `*.template.json|yaml|yml`, or any `*.json`
/// (leaf configs are YAML).
bool named_like_template(const std::string& path) {
    return ends_with(path, ".template.json") || ends_with(path, ".template.yaml") || ends_with(path, ".template.yml") ||
           fs::path(path).extension() == ".json";
}

/// True when a regular file mentions what only templates have (a Resources or
/// AWSTemplateFormatVersion section), as opposed to a leaf config. Only a look at the text: a
/// template that does not parse is still a template, and its parse error is what gets reported.
bool mentions_template_sections(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > (std::uintmax_t{16} << 20)) return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    if (text.find("AWSTemplateFormatVersion") != std::string::npos || text.find("\"Resources\"") != std::string::npos)
        return true;
    return text.rfind("Resources:", 0) == 0 || text.find("\nResources:") != std::string::npos;
}

bool use_color(const DiffArgs& args) {
    if (args.no_color || args.json) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    return ::isatty(STDOUT_FILENO) == 1;
}

} // namespace

CLI::App* add_diff_command(CLI::App& cli, DiffArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "diff", "Compare the app with the deployed stacks, with an earlier output folder (--against DIR), or two "
                "templates (OLD NEW)");
    cmd->add_option("configs", args.app.leaf_configs, "Leaf config files, or OLD NEW template files (JSON or YAML)")
        ->type_name("FILE");
    cmd->add_option("--base", args.app.base_config,
                    "Base config (default: base-stack-config.yaml beside the first leaf config)")
        ->type_name("FILE");
    cmd->add_option("--region", args.app.region,
                    "Main region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS config's profile)");
    cmd->add_option("--account", args.app.account, "AWS account id (default: the deploying account)");
    cmd->add_option("--maturity", args.app.maturity, "prod or devel (default: prod)")
        ->check(CLI::IsMember({"prod", "devel"}));
    cmd->add_option("--container-id", args.app.container_id, "Container id (default: the leaf config's file name)");
    cmd->add_option("--against", args.against,
                    "Compare with this output folder (a previous 'leafsynth synth -o DIR', or a CDK cloud assembly)")
        ->type_name("DIR");
    cmd->add_option("--profile", args.profile,
                    "AWS profile for credentials, region and endpoint when comparing with deployed stacks "
                    "(without it: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the profile AWS_PROFILE names, else 'default')")
        ->type_name("PROFILE");
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

namespace {

int run_diff_checked(const DiffArgs& args) {
    const auto& positionals = args.app.leaf_configs;
    // Two templates: `leafsynth diff OLD NEW`. A file named like a template is read as one, so
    // that its own parse error is reported rather than what the leaf-config reader makes of it.
    bool two_templates = false;
    if (positionals.size() == 2) {
        const bool named0 = named_like_template(positionals[0]), named1 = named_like_template(positionals[1]);
        const bool like0 = named0 || mentions_template_sections(positionals[0]);
        const bool like1 = named1 || mentions_template_sections(positionals[1]);
        two_templates = (like0 && like1) || ((named0 || named1) && args.against.empty());
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
        AssemblyFiles& old_files = for_the_process<AssemblyFiles>();
        old_files = read_assembly_dir(args.against);
        App& app = for_the_process<App>();
        build_app(app, args.app);
        Assembly assembly = app.synth();
        for (const auto& w : assembly.warnings) std::cerr << "leafsynth: warning: " << w << "\n";
        std::string root = args.against;
        if (!root.empty() && root.back() != '/') root += '/';
        AssemblyFiles& new_files = for_the_process<AssemblyFiles>();
        new_files = assembly_files(std::move(assembly));
        diff = diff_assemblies(old_files, new_files, root);
    } else {
        diff = diff_with_deployed(args);
    }

    if (args.json) {
        std::cout << diff_to_json(diff).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        DiffRenderOptions options;
        options.color = use_color(args);
        std::cout << render_diff(diff, options);
    }
    std::cout.flush();
    return args.fail && diff.has_differences() ? kExitDifferences : kExitOk;
}

} // namespace

int run_diff(const DiffArgs& args) {
    try {
        return run_diff_checked(args);
    } catch (const nlohmann::json::exception& e) {
        // Never reached with the checks of src/diff/; should one be missing, the user still gets
        // one plain line rather than a raw exception text.
        std::string what = e.what();
        if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos)
            what = what.substr(what.find("] ") + 2);
        throw InputError("the templates could not be compared (" + what.substr(0, 200) +
                         "): a template has a value of a type leafsynth diff does not expect there; please report "
                         "this with the templates");
    }
}

} // namespace leafsynth::cli
