// `leafsynth drift` as it runs in leafsynth-aws (src/cli/aws_program.hpp).

#include <iostream>

#include "../command_support.hpp"
#include "../drift_command.hpp"
#include "../progress_line.hpp"
#include "deploy/drift.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitDrifted = 1;
constexpr int kExitFailed = 2;

} // namespace

int run_drift(const DriftArgs& args) {
    deploy::DriftOptions o;
    if (!args.app_dir.empty()) {
        const AssemblySource source = prepare_assembly(args.app, args.app_dir, "", "drift"); // writes nothing with --app
        o.files = read_assembly_dir(source.dir);
        o.root = source.dir.string() + "/";
        o.default_region = source.default_region;
    } else {
        if (args.app.leaf_configs.empty())
            throw InputError("drift needs the app's leaf configs, or --app DIR (see 'leafsynth drift --help')");
        // Synthesized in memory, as diff does: nothing is written, stdout keeps only the report.
        App app;
        build_app(app, args.app);
        const Assembly assembly = app.synth();
        for (const auto& w : assembly.warnings) std::cerr << "leafsynth: warning: " << w << "\n";
        o.files = assembly_files(assembly);
        o.default_region = resolve_main_region(args.app.region).region;
    }
    o.selection = {.patterns = args.stacks, .exclusively = true};
    o.run.concurrency = args.concurrency;
    o.session = {.profile = args.profile, .timeout = timeout_of(args.timeout), .env = process_env};
    deploy::DriftReport report;
    {
        ProgressLine progress; // cleared before the report is printed
        o.run.progress = [&progress](int done, int known) {
            progress.show("drift: " + std::to_string(done) + "/" + std::to_string(known) + " stacks checked");
        };
        report = deploy::run_drift(o);
    }
    if (args.json)
        std::cout << deploy::drift_to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
        std::cout << deploy::render_drift(report);
    std::cout.flush();
    const auto failed = report.failed_stacks();
    if (!failed.empty()) {
        std::string names;
        for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
        std::cerr << "leafsynth: error: drift detection failed for " << (failed.size() == 1 ? "stack " : "stacks ")
                  << names << " (the reason is in the report); run 'leafsynth drift' again once the stack is settled, "
                  << "or check it in the CloudFormation console\n";
        return kExitFailed;
    }
    return args.fail && report.has_drift() ? kExitDrifted : kExitOk;
}

} // namespace leafsynth::cli
