// `leafsynth destroy` as it runs in leafsynth-aws (src/cli/aws_program.hpp).

#include <iostream>

#include "../command_support.hpp"
#include "../destroy_command.hpp"
#include "deploy/destroy.hpp"

namespace leafsynth::cli {

int run_destroy(const DestroyArgs& args) {
    deploy::DestroyOptions o;
    const AssemblySource source = prepare_assembly(args.app, args.app_dir, args.output, "destroy");
    o.assembly_dir = source.dir;
    o.default_region = source.default_region;
    o.selection = {.patterns = args.stacks, .exclusively = args.exclusively};
    o.force = args.force;
    o.concurrency = args.concurrency;
    o.progress = progress_of(args.progress);
    o.session = {.profile = args.profile, .timeout = timeout_of(args.timeout), .env = process_env};
    o.ask = ask_on_terminal;
    o.out = &std::cout;
    InterruptGuard guard;
    o.interrupted = guard.interrupted();
    return deploy::run_destroy(o);
}

} // namespace leafsynth::cli
