// The main region: --region, AWS_REGION, AWS_DEFAULT_REGION, then the AWS config file.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "leafsynth/leafsynth.hpp"
#include "support.hpp"

using namespace leafsynth;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
} // namespace

TEST_CASE("the main region comes from the flag, then the environment, then the config file") {
    auto dir = unit::scratch_dir("region");
    std::ofstream(dir / "config") << "[default]\nregion = eu-central-1\n\n[profile work]\noutput=json\nregion=ap-south-1\n";
    std::string config = (dir / "config").string();

    CHECK(resolve_main_region("us-west-2", env_of({{"AWS_REGION", "eu-west-1"}})).region == "us-west-2");
    CHECK(resolve_main_region("", env_of({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "eu-west-2"}})).source ==
          "AWS_REGION");
    CHECK(resolve_main_region("", env_of({{"AWS_DEFAULT_REGION", "eu-west-2"}})).region == "eu-west-2");
    CHECK(resolve_main_region("", env_of({{"AWS_CONFIG_FILE", config}})).region == "eu-central-1");
    CHECK(resolve_main_region("", env_of({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "work"}})).region == "ap-south-1");
    std::filesystem::create_directories(dir / "home" / ".aws");
    std::filesystem::copy_file(dir / "config", dir / "home" / ".aws" / "config");
    CHECK(resolve_main_region("", env_of({{"HOME", (dir / "home").string()}})).region == "eu-central-1");
}

TEST_CASE("no region anywhere, or a malformed one, is an error saying how to give one") {
    CHECK_THROWS_WITH(resolve_main_region("", env_of({{"HOME", "/nonexistent"}})),
                      Catch::Contains("pass --region REGION, set AWS_REGION or AWS_DEFAULT_REGION"));
    CHECK_THROWS_WITH(resolve_main_region("", env_of({{"AWS_REGION", "mars"}})),
                      Catch::Contains("region 'mars' (from AWS_REGION) is not a region name"));
}
