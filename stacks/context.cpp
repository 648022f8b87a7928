#include "leafsynth/containermanager/context.hpp"

#include "leafsynth/fn.hpp"

namespace leafsynth::containermanager {

std::filesystem::path default_lambda_dir() {
    // A build tree uses its sources; an installed library its installed copy.
    std::filesystem::path source = LEAFSYNTH_SOURCE_LAMBDA_DIR;
    if (std::filesystem::is_directory(source)) return source;
    return LEAFSYNTH_INSTALLED_LAMBDA_DIR;
}

Value auto_scaling_group_arn(const Value& asg_name) {
    return Fn::sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                   "autoScalingGroupName/${AsgName}",
                   Map{{"AsgName", asg_name}});
}

} // namespace leafsynth::containermanager
