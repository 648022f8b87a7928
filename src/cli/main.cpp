// The leafsynth command-line tool: synth, ls.
//
// Exit codes: 0 success, 1 a finding (diff, later), 2 bad input or failure.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdlib>
#include <iostream>
#include <regex>
#include <string>

#include "hello_app.hpp"
#include "leafsynth/leafsynth.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

struct AppArgs {
    std::string config;
    std::string region;
    std::string outdir = "leafsynth.out";
    std::string format = "json";
};

void add_app_args(CLI::App& cmd, AppArgs& args) {
    cmd.add_option("config", args.config, "App config file (e.g. examples/hello/hello.yaml)")->required();
    cmd.add_option("--region", args.region, "Main region (overrides the config's Region)");
}

/// Builds the app described by the arguments.
void build_app(leafsynth::App& app, const AppArgs& args) {
    hello::HelloConfig config = hello::load_config(args.config);
    if (!args.region.empty()) {
        if (!std::regex_match(args.region, std::regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")))
            throw leafsynth::InputError("--region: '" + args.region + "' is not a region name such as 'us-east-1'");
        config.region = args.region;
    }
    hello::build(app, config);
}

/// Prints a message on stderr, every line prefixed with "leafsynth: error: ".
void print_error(const std::string& message) {
    std::size_t start = 0;
    while (start <= message.size()) {
        std::size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        std::cerr << "leafsynth: error: " << message.substr(start, end - start) << "\n";
        start = end + 1;
    }
}

int run_synth(const AppArgs& args) {
    leafsynth::App app;
    build_app(app, args);
    leafsynth::SynthOptions options;
    options.format = args.format == "yaml" ? leafsynth::TemplateFormat::Yaml : leafsynth::TemplateFormat::Json;
    leafsynth::Assembly assembly = app.synth(options);
    leafsynth::write_assembly(assembly, args.outdir);
    std::size_t total = 0;
    for (const auto& s : assembly.stacks) total += s.resources;
    fmt::print("Synthesized {} stack{} ({} resources) into {}/\n", assembly.stacks.size(),
               assembly.stacks.size() == 1 ? "" : "s", total, args.outdir);
    for (const auto& s : assembly.stacks)
        fmt::print("  {:<40} {:<16} {:>4} resources  {}/{}\n", s.name, s.region.empty() ? "-" : s.region,
                   s.resources, args.outdir, s.template_file);
    return kExitOk;
}

int run_ls(const AppArgs& args) {
    leafsynth::App app;
    build_app(app, args);
    leafsynth::Assembly assembly = app.synth();
    for (const auto& s : assembly.stacks) {
        std::string deps;
        for (const auto& d : s.dependencies) deps += (deps.empty() ? "" : ",") + d;
        fmt::print("{}\t{}\t{}\t{}\n", s.name, s.region.empty() ? "-" : s.region,
                   s.account.empty() ? "-" : s.account, deps.empty() ? "-" : deps);
    }
    return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"leafsynth: synthesize AWS CloudFormation templates from C++ construct trees.", "leafsynth"};
    cli.set_version_flag("--version", std::string("leafsynth ") + leafsynth::version);
    // At most one subcommand; "none" is reported after parsing so an unknown word or option is
    // named in the error instead of a generic "a subcommand is required".
    cli.require_subcommand(0, 1);
    cli.footer("Examples:\n"
               "  leafsynth synth examples/hello/hello.yaml              write templates to ./leafsynth.out\n"
               "  leafsynth synth examples/hello/hello.yaml -o out --format yaml\n"
               "  leafsynth ls examples/hello/hello.yaml                 stacks in deployment order\n"
               "\nExit codes: 0 success, 1 a finding (diff --fail), 2 bad input or failure.");

    AppArgs synth_args;
    CLI::App* synth = cli.add_subcommand("synth", "Synthesize the app's templates into an output folder");
    add_app_args(*synth, synth_args);
    synth->add_option("-o,--output", synth_args.outdir, "Output folder (default: ./leafsynth.out)");
    synth->add_option("--format", synth_args.format, "Template format")
        ->check(CLI::IsMember({"json", "yaml"}));

    AppArgs ls_args;
    CLI::App* ls = cli.add_subcommand("ls", "List the app's stacks in deployment order: name, region, account, dependencies");
    add_app_args(*ls, ls_args);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "leafsynth: error: " << e.what() << " (see 'leafsynth --help')\n";
        return kExitInput;
    }

    try {
        if (*synth) return run_synth(synth_args);
        if (*ls) return run_ls(ls_args);
        std::cerr << "leafsynth: error: a subcommand is required: synth or ls (see 'leafsynth --help')\n";
        return kExitInput;
    } catch (const leafsynth::ValidationError& e) {
        for (const auto& m : e.messages()) print_error(m);
        return kExitInput;
    } catch (const std::exception& e) {
        print_error(e.what());
        return kExitInput;
    }
}
