// The leafsynth command-line tool: synth, ls, graph, diff, bootstrap, deploy, destroy, drift, schema, init,
// completion.
//
// Exit codes: 0 success, 1 a finding (diff --fail), 2 bad input or failure.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <string>
#include <string_view>

#include "app_loader.hpp"
#include "aws_program.hpp"
#include "cli_reference.hpp"
#include "command_support.hpp"
#include "deploy_command.hpp"
#include "destroy_command.hpp"
#include "diff_command.hpp"
#include "drift_command.hpp"
#include "init_command.hpp"
#include "leafsynth/containermanager/config_spec.hpp"
#include "leafsynth/leafsynth.hpp"

namespace {

using leafsynth::cli::AppArgs;

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

/// An option given with an empty value (`--region ""`) is a mistake, not "use the default".
const CLI::Validator kNonEmpty(
    [](std::string& value) { return value.empty() ? std::string("the value is empty; give one or leave the option out") : std::string(); },
    "", "NONEMPTY");

void add_app_args(CLI::App& cmd, AppArgs& args) {
    cmd.add_option("configs", args.leaf_configs, "Leaf config files, one container each (e.g. examples/minecraft.yaml)")
        ->required()
        ->type_name("FILE")
        ->check(kNonEmpty);
    leafsynth::cli::add_app_options(cmd, args);
}

/// `--name=` with nothing after `=`: CLI11 would take the next argument as the value.
std::string empty_assignment(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg.size() > 3 && arg.starts_with("--") && arg.ends_with('='))
            return "option " + leafsynth::quote_excerpt(arg) + " has no value after '='; write " + std::string(arg) +
                   "VALUE, or leave the option out";
    }
    return {};
}

/// A parse error as CLI11 words it, cut short when it echoes a huge argument.
std::string parse_error_text(const std::string& what) {
    if (what.size() <= 400 && what.find('\n') == std::string::npos) return what;
    return leafsynth::quote_excerpt(what, 300);
}

/// Prints a message on stderr, every line prefixed with "leafsynth: <kind>: ".
void print_lines(const std::string& kind, const std::string& message) {
    std::size_t start = 0;
    while (start <= message.size()) {
        std::size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        std::cerr << "leafsynth: " << kind << ": " << message.substr(start, end - start) << "\n";
        start = end + 1;
    }
}

int run_synth(const AppArgs& args, std::string outdir, const std::string& format) {
    while (outdir.size() > 1 && outdir.back() == '/') outdir.pop_back(); // "out/" prints as "out"
    leafsynth::App& app = leafsynth::cli::for_the_process<leafsynth::App>();
    leafsynth::cli::build_app(app, args);
    leafsynth::SynthOptions options;
    options.format = format == "yaml" ? leafsynth::TemplateFormat::Yaml : leafsynth::TemplateFormat::Json;
    leafsynth::Assembly& assembly = leafsynth::cli::for_the_process<leafsynth::Assembly>();
    assembly = app.synth(options);
    leafsynth::write_assembly(assembly, outdir);
    for (const auto& w : assembly.warnings) print_lines("warning", w);
    std::size_t total = 0, top = 0, nested = 0;
    for (const auto& s : assembly.stacks) {
        total += s.resources;
        (s.parent.empty() ? top : nested) += 1;
    }
    fmt::print("Synthesized {} stack{} and {} nested stack{} ({} resources) into {}/\n", top, top == 1 ? "" : "s",
               nested, nested == 1 ? "" : "s", total, outdir);
    for (const auto& s : assembly.stacks) {
        std::string name = s.parent.empty() ? s.name : "  " + s.name.substr(s.parent.size() + 1) + " (nested)";
        fmt::print("  {:<56} {:<10} {:>4} resources  {}/{}\n", name, s.region.empty() ? "-" : s.region, s.resources,
                   outdir, s.template_file);
    }
    return kExitOk;
}

int run_ls(const AppArgs& args) {
    leafsynth::App app;
    leafsynth::cli::build_app(app, args);
    std::cout << leafsynth::deployment_listing(app.synth());
    return kExitOk;
}

/// Graphviz's `dot` on PATH, or "" when there is none.
std::string find_dot() {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string dir(dirs.substr(0, colon));
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        if (dir.empty()) continue;
        const std::string candidate = dir + "/dot";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

/// Renders DOT text to `format` (svg or png) with Graphviz into `output` (stdout when empty).
void render_with_graphviz(const std::string& dot_text, const std::string& format, const std::string& output) {
    const std::string dot = find_dot();
    if (dot.empty())
        throw leafsynth::InputError("--format " + format + " needs Graphviz's dot, which is not on PATH; install "
                                    "Graphviz (Debian: apt install graphviz), or write DOT with --format dot and "
                                    "render it elsewhere");
    namespace fs = std::filesystem;
    const fs::path input = fs::temp_directory_path() / ("leafsynth-graph-" + std::to_string(::getpid()) + ".dot");
    std::ofstream(input, std::ios::binary | std::ios::trunc) << dot_text;
    // Written beside the output and renamed, so a failed render leaves no half-written file.
    const std::string partial = output.empty() ? std::string() : output + ".partial-" + std::to_string(::getpid());
    std::vector<std::string> args = {dot, "-T" + format, "-Gdpi=96", input.string()};
    if (!partial.empty()) args.insert(args.end(), {"-o", partial});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int status = 0;
    const int spawned = ::posix_spawn(&pid, dot.c_str(), nullptr, nullptr, argv.data(), environ);
    if (spawned == 0) ::waitpid(pid, &status, 0);
    std::error_code ec;
    fs::remove(input, ec);
    if (spawned != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!partial.empty()) fs::remove(partial, ec);
        throw leafsynth::InputError("Graphviz's dot (" + dot + ") could not render the graph as " + format +
                                    (spawned != 0 ? "" : " (exit " + std::to_string(WEXITSTATUS(status)) + ")") +
                                    "; try --format dot to see the DOT text");
    }
    if (!partial.empty()) {
        fs::rename(partial, output, ec);
        if (ec) throw leafsynth::InputError("cannot write " + output + " (" + ec.message() + ")");
    }
}

int run_graph(const AppArgs& args, const std::string& format, const std::string& detail, const std::string& output) {
    leafsynth::App app;
    leafsynth::cli::build_app(app, args);
    app.synth(); // validates, and adds what references between stacks need
    const bool dot = format != "mermaid";
    const std::string text =
        leafsynth::render_graph(app, dot ? leafsynth::GraphFormat::Dot : leafsynth::GraphFormat::Mermaid,
                                detail == "resources" ? leafsynth::GraphDetail::Resources
                                                      : leafsynth::GraphDetail::Constructs);
    if (format == "svg" || format == "png") {
        std::cout.flush();
        render_with_graphviz(text, format, output);
        return kExitOk;
    }
    if (output.empty()) {
        std::cout << text;
        return kExitOk;
    }
    const std::string partial = output + ".partial-" + std::to_string(::getpid());
    std::ofstream(partial, std::ios::binary | std::ios::trunc) << text;
    std::error_code ec;
    std::filesystem::rename(partial, output, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        throw leafsynth::InputError("cannot write " + output + "; check its folder exists and is writable");
    }
    return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
    leafsynth::cli::keep_command_line(argc, argv);
    CLI::App cli{"leafsynth: synthesize AWS CloudFormation templates for the ContainerManager app from C++ constructs.",
                 "leafsynth"};
    cli.set_version_flag("--version", std::string("leafsynth ") + leafsynth::version);
    // At most one subcommand; "none" is reported after parsing so an unknown word or option is
    // named in the error instead of a generic "a subcommand is required".
    cli.require_subcommand(0, 1);
    cli.footer("Examples:\n"
               "  leafsynth synth examples/containermanager/minecraft.yaml --region us-west-2   into ./leafsynth.out\n"
               "  leafsynth synth examples/containermanager/*.yaml -o out --format yaml        all examples, one app\n"
               "  leafsynth ls examples/containermanager/minecraft.yaml --region eu-west-1     deployment order\n"
               "  leafsynth graph examples/containermanager/minecraft.yaml --format png -o app.png   its architecture\n"
               "  leafsynth diff examples/containermanager/minecraft.yaml --region us-west-2   with the deployed stacks\n"
               "  leafsynth diff examples/containermanager/minecraft.yaml --region us-west-2 --against leafsynth.out\n"
               "  leafsynth diff old.template.json new.template.yaml --fail                 two templates\n"
               "  leafsynth bootstrap examples/containermanager/minecraft.yaml --region us-west-2  its environments\n"
               "  leafsynth deploy examples/containermanager/minecraft.yaml --region us-west-2     synth, then deploy\n"
               "  leafsynth destroy examples/containermanager/minecraft.yaml --region us-west-2    delete its stacks (not Base)\n"
               "  leafsynth drift --app leafsynth.out --fail                                   resources changed by hand\n"
               "  leafsynth init valheim --image lloesche/valheim-server --port udp:2456 --volume /config   a new config\n"
               "  leafsynth schema leaf > leaf.schema.json                                     for an editor\n"
               "\nExit codes: 0 success, 1 a finding (diff or drift --fail), a deploy not approved or a destroy not confirmed, 2 bad input or failure.");

    AppArgs synth_args;
    std::string outdir = "leafsynth.out";
    std::string template_format = "json";
    CLI::App* synth = cli.add_subcommand("synth", "Synthesize the app's templates into an output folder (a cloud assembly)");
    add_app_args(*synth, synth_args);
    synth->add_option("-o,--output", outdir, "Output folder (default: ./leafsynth.out)")->type_name("DIR")->check(kNonEmpty);
    synth->add_option("--format", template_format, "Template format: json or yaml")->check(CLI::IsMember({"json", "yaml"}));

    AppArgs ls_args;
    CLI::App* ls = cli.add_subcommand("ls", "List the stacks in deployment order: name, region, account, dependencies");
    add_app_args(*ls, ls_args);

    AppArgs graph_args;
    std::string graph_format = "mermaid";
    std::string graph_detail = "constructs";
    std::string graph_output;
    CLI::App* graph = cli.add_subcommand(
        "graph", "Draw the app: stacks by region, nested stacks, its parts and the flows between them (or resources)");
    add_app_args(*graph, graph_args);
    graph->add_option("--format", graph_format, "mermaid, dot, or svg / png (rendered by Graphviz's dot)")
        ->check(CLI::IsMember({"mermaid", "dot", "svg", "png"}));
    graph->add_option("--detail", graph_detail,
                      "constructs (the parts: a function with its role and log group is one node; the default) or "
                      "resources (every resource and reference)")
        ->check(CLI::IsMember({"constructs", "resources"}));
    graph->add_option("-o,--output", graph_output, "Write the drawing to this file (default: stdout)")
        ->type_name("FILE")
        ->check(kNonEmpty);

    leafsynth::cli::DiffArgs diff_args;
    CLI::App* diff = leafsynth::cli::add_diff_command(cli, diff_args);

    leafsynth::cli::BootstrapArgs bootstrap_args;
    CLI::App* bootstrap = leafsynth::cli::add_bootstrap_command(cli, bootstrap_args);

    leafsynth::cli::DeployArgs deploy_args;
    CLI::App* deploy = leafsynth::cli::add_deploy_command(cli, deploy_args);

    leafsynth::cli::DestroyArgs destroy_args;
    CLI::App* destroy = leafsynth::cli::add_destroy_command(cli, destroy_args);

    leafsynth::cli::DriftArgs drift_args;
    CLI::App* drift = leafsynth::cli::add_drift_command(cli, drift_args);

    std::string schema_format;
    CLI::App* schema = cli.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of a config format: leaf or base");
    schema->add_option("format", schema_format, "leaf (a container's config) or base (base-stack-config.yaml)")
        ->required()
        ->check(CLI::IsMember({"leaf", "base"}));
    schema->footer("Editors that read JSON Schema (VS Code's YAML extension and others through yaml-language-server)\n"
                   "check a config as it is typed when its first line names the schema:\n"
                   "  # yaml-language-server: $schema=/usr/share/leafsynth/schemas/leaf.schema.json");

    leafsynth::cli::InitArgs init_args;
    CLI::App* init = leafsynth::cli::add_init_command(cli, init_args);

    leafsynth::cli::ReferenceCommands reference;
    leafsynth::cli::add_reference_commands(cli, reference);

    if (const std::string problem = empty_assignment(argc, argv); !problem.empty()) {
        std::cerr << "leafsynth: error: " << problem << "\n";
        return kExitInput;
    }
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "leafsynth: error: " << parse_error_text(e.what()) << " (see 'leafsynth --help')\n";
        return kExitInput;
    }

    try {
        if (*synth) return run_synth(synth_args, outdir, template_format);
        if (*ls) return run_ls(ls_args);
        if (*graph) return run_graph(graph_args, graph_format, graph_detail, graph_output);
        if (*diff) return leafsynth::cli::run_diff(diff_args);
        if (*bootstrap) return leafsynth::cli::run_bootstrap(bootstrap_args);
        if (*deploy) return leafsynth::cli::run_deploy(deploy_args);
        if (*destroy) return leafsynth::cli::run_destroy(destroy_args);
        if (*drift) return leafsynth::cli::run_drift(drift_args);
        if (*init) return leafsynth::cli::run_init(init_args);
        if (*schema) {
            std::cout << leafsynth::containermanager::config_json_schema(schema_format);
            return kExitOk;
        }
        if (*reference.completion) {
            std::cout << leafsynth::cli::completion_script(cli, reference.shell);
            return kExitOk;
        }
        if (*reference.manpage) {
            std::cout << leafsynth::cli::man_page(cli, leafsynth::version);
            return kExitOk;
        }
        std::cerr << "leafsynth: error: a subcommand is required: synth, ls, graph, diff, bootstrap, deploy, destroy, drift, schema, init or completion (see "
                     "'leafsynth --help')\n";
        return kExitInput;
    } catch (const leafsynth::ValidationError& e) {
        for (const auto& m : e.messages()) print_lines("error", m);
        return kExitInput;
    } catch (const std::bad_alloc&) {
        print_lines("error", "out of memory; the input is too large for this machine");
        return kExitInput;
    } catch (const std::exception& e) {
        print_lines("error", e.what());
        return kExitInput;
    } catch (...) {
        print_lines("error", "internal error (an unknown exception); please report it with the command line used");
        return kExitInput;
    }
}
