// In `leafsynth`, the commands that talk to AWS hand the command line over to leafsynth-aws
// (aws_program.hpp), where src/cli/aws/ defines them.

#include "aws_program.hpp"
#include "deploy_command.hpp"
#include "destroy_command.hpp"
#include "diff_command.hpp"
#include "drift_command.hpp"

namespace leafsynth::cli {

int run_deploy(const DeployArgs&) { hand_over_to_aws_program("deploy"); }
int run_bootstrap(const BootstrapArgs&) { hand_over_to_aws_program("bootstrap"); }
int run_destroy(const DestroyArgs&) { hand_over_to_aws_program("destroy"); }
int run_drift(const DriftArgs&) { hand_over_to_aws_program("drift"); }
AssemblyDiff diff_with_deployed(const DiffArgs&) { hand_over_to_aws_program("diff"); }

} // namespace leafsynth::cli
