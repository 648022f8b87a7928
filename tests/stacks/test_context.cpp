// Shared helpers of the ContainerManager stacks.
#include <catch2/catch.hpp>

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/fn.hpp"

using namespace leafsynth;

TEST_CASE("an Auto Scaling group ARN for IAM scoping") {
    CHECK(containermanager::auto_scaling_group_arn("my-asg") ==
          Fn::sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                  "autoScalingGroupName/${AsgName}",
                  Map{{"AsgName", "my-asg"}}));
    CHECK(std::filesystem::is_directory(containermanager::default_lambda_dir() / "start_system"));
}
