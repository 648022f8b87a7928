#pragma once
// leafsynth is two programs with one command line. `leafsynth` synthesizes, lists, draws and diffs
// offline, and loads none of the network libraries: libcurl with its TLS, Kerberos, LDAP, SSH and
// RTMP libraries were 30 of its 43 shared libraries and most of its start-up time (README
// "Benchmarks"). The commands that talk to AWS (bootstrap, deploy, destroy, drift, and diff with
// the deployed stacks) run in `leafsynth-aws`, the same command line with those linked in
// (src/cli/aws/). `leafsynth` parses the command line first, so a mistake or --help is answered at
// once, then hands the whole command line over to `leafsynth-aws` (execv: same process id,
// standard streams, environment and exit code).

#include <string>
#include <string_view>
#include <vector>

namespace leafsynth::cli {

/// Keeps the command line for hand_over_to_aws_program(); main() calls it first.
void keep_command_line(int argc, char** argv);

/// Where leafsynth-aws may be, in the order tried: beside this program (a build tree), then at
/// the installed layout's place relative to it (`../libexec/leafsynth/leafsynth-aws` from `bin/`),
/// so an installed tree works from wherever it is copied or unpacked.
std::vector<std::string> aws_program_candidates();

/// Runs `command` in leafsynth-aws: replaces this process with it, on the kept command line.
/// Returns only by throwing std::runtime_error when leafsynth-aws is not there or cannot run.
[[noreturn]] void hand_over_to_aws_program(std::string_view command);

} // namespace leafsynth::cli
