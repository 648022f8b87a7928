// `leafsynth diff` with the deployed stacks, as it runs in leafsynth-aws (src/cli/aws_program.hpp).

#include <iostream>

#include "../command_support.hpp"
#include "../diff_command.hpp"
#include "../progress_line.hpp"
#include "aws_api/deployed_stacks.hpp"
#include "deploy/assets.hpp"
#include "leafsynth/assembly_manifest.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

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
    // Each stack is read as its lookup role when its account is known (as `cdk diff`); else, or
    // when the role cannot be assumed, with the user's own credentials.
    const AssemblyFiles files = assembly_files(assembly);
    const AssemblyManifest manifest = read_assembly_manifest(files, "", {.assets = false});
    std::vector<aws_api::StackRef> refs;
    for (const auto& s : assembly.stacks) {
        if (!s.parent.empty()) continue;
        const std::string region = s.region.empty() ? resolve_main_region(app_args.region).region : s.region;
        std::string role;
        for (const auto& m : manifest.stacks)
            if (m.stack_name == s.name && !m.account.empty())
                role = deploy::fill_placeholders(m.lookup_role_arn, m.account, region);
        refs.push_back({.name = s.name, .region = region, .role_arn = role});
    }
    aws_api::FetchOptions options;
    options.note = [](const std::string& note) { std::cerr << "leafsynth: " << note << "\n"; };
    options.profile = args.profile;
    options.timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout * 1000));
    options.concurrency = args.concurrency;
    ProgressLine progress;
    options.progress = [&progress](int done, int known) {
        progress.show("reading deployed stacks " + std::to_string(done) + "/" + std::to_string(known));
    };
    std::vector<DeployedStack> deployed = aws_api::fetch_deployed_stacks(refs, options);
    return diff_deployed(deployed, files);
}

} // namespace leafsynth::cli
