#pragma once
/// @file context.hpp
/// What every ContainerManager stack needs besides its config: where it deploys and where the
/// Lambda handlers are.

#include <filesystem>
#include <optional>
#include <string_view>
#include <string>

#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::containermanager {

/// Deployment settings shared by all stacks of one app.
struct StackContext {
    Maturity maturity = Maturity::Prod; ///< prod or devel.
    std::string account;                ///< Account id, or empty (templates then use AWS::AccountId).
    std::string main_region;            ///< Region of the Base and Leaf stacks.
    std::filesystem::path lambda_dir;   ///< Folder holding start_system/, asg_state_change_hook/, break_crash_loop/.
};

/// The folder of the Lambda handlers shipped with leafsynth, used when StackContext::lambda_dir is
/// empty: `$LEAFSYNTH_LAMBDA_DIR` when set; else `share/leafsynth/lambda` beside the program (or
/// shared library) holding leafsynth, in its folder or up to two above it (an install, moved
/// anywhere; a build tree, which stages a copy at its top); else the installed copy under the
/// install prefix leafsynth was built for; else `leafsynth/lambda` in each folder of
/// `$XDG_DATA_DIRS` (default `/usr/local/share:/usr/share`, where the Debian package puts them).
/// Throws InputError, saying where it looked, when none holds the handlers.
std::filesystem::path default_lambda_dir();

/// The installed JSON Schema of a config format (`leaf` or `base`):
/// `share/leafsynth/schemas/<format>.schema.json`, looked for where default_lambda_dir() looks for
/// the handlers; nullopt when there is none.
std::optional<std::filesystem::path> installed_schema(std::string_view format);

/// `Route 53 / DNS` region: Domain and LinkTogether stacks always deploy here.
inline constexpr const char* kDnsRegion = "us-east-1";

/// The ARN of an Auto Scaling group from its name, for IAM statements scoped to that group.
Value auto_scaling_group_arn(const Value& asg_name);

} // namespace leafsynth::containermanager
