// Shared helpers of the ContainerManager stacks.
#include <catch2/catch.hpp>

#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/errors.hpp"

#include <cstdlib>
#include "leafsynth/fn.hpp"

using namespace leafsynth;

TEST_CASE("an Auto Scaling group ARN for IAM scoping") {
    CHECK(containermanager::auto_scaling_group_arn("my-asg") ==
          Fn::sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                  "autoScalingGroupName/${AsgName}",
                  Map{{"AsgName", "my-asg"}}));
    CHECK(std::filesystem::is_directory(containermanager::default_lambda_dir() / "start_system"));
}

TEST_CASE("the Lambda handlers: found beside the program, or where LEAFSYNTH_LAMBDA_DIR says") {
    namespace fs = std::filesystem;
    // A test program of the build tree finds the copy staged at the top of the tree.
    const fs::path found = containermanager::default_lambda_dir();
    CHECK(found.filename() == "lambda");
    CHECK(found.parent_path().filename() == "leafsynth");
    CHECK(fs::is_regular_file(found / "start_system" / "main.py"));

    const fs::path dir = fs::temp_directory_path() / "leafsynth-test-lambda-dir";
    fs::remove_all(dir);
    for (const char* name : {"start_system", "asg_state_change_hook", "break_crash_loop"}) fs::create_directories(dir / name);
    ::setenv("LEAFSYNTH_LAMBDA_DIR", dir.c_str(), 1);
    CHECK(containermanager::default_lambda_dir() == dir);
    // A folder without the handlers: one error naming the variable, the folder and the fix.
    fs::remove_all(dir / "break_crash_loop");
    try {
        (void)containermanager::default_lambda_dir();
        FAIL("no error for a folder without break_crash_loop/");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("LEAFSYNTH_LAMBDA_DIR is '" + dir.string() + "'"));
        CHECK_THAT(what, Catch::Contains("break_crash_loop/"));
        CHECK_THAT(what, Catch::Contains("or unset it"));
    }
    ::unsetenv("LEAFSYNTH_LAMBDA_DIR");
    fs::remove_all(dir);
    CHECK(containermanager::default_lambda_dir() == found);
}
