#pragma once
/// @file region.hpp
/// Finding the app's main region the way AWS tools do.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace leafsynth {

/// A region and where it came from (for messages such as "us-west-2 (from AWS_REGION)").
struct RegionChoice {
    std::string region; ///< The region name.
    std::string source; ///< `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, or the config file and profile.
};

/// Looks up an environment variable; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment as an EnvLookup.
std::optional<std::string> process_env(const std::string& name);

/// True when `name` has the form of an AWS region name (`us-east-1`, `ap-southeast-2`,
/// `us-gov-west-1`: two letters, one or more words, a number; at most 32 characters). Plain
/// parsing, safe on any input.
bool is_region_name(std::string_view name);

/// The main region: `flag` (from `--region`) when not empty, else `AWS_REGION`, else
/// `AWS_DEFAULT_REGION`, else the `region` of the profile named by `AWS_PROFILE` (default:
/// `default`) in the AWS config file (`AWS_CONFIG_FILE`, else `~/.aws/config`).
/// Throws InputError saying how to give one when none is found, or when the value is not a region name.
RegionChoice resolve_main_region(const std::string& flag, const EnvLookup& env = process_env);

} // namespace leafsynth
