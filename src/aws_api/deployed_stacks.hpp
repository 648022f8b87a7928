#pragma once
/// @file deployed_stacks.hpp
/// Reading the deployed state of an app's stacks from CloudFormation, each in its own region,
/// nested stacks included, several requests at a time. Internal to the leafsynth CLI.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "leafsynth/diff.hpp"
#include "aws_api/role_sessions.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// A top-level stack to read: its name and region.
struct StackRef {
    std::string name;       ///< Stack name.
    std::string region;     ///< Region it is deployed in.
    std::string role_arn{}; ///< The stack's lookup role (filled, no `${AWS::...}`), or empty: the user's own credentials.
};

/// How to read them.
struct FetchOptions {
    std::string profile;                            ///< `--profile`, or empty.
    std::chrono::milliseconds timeout{30000};       ///< Per-request timeout (`--timeout`).
    int concurrency = 8;                            ///< Requests in flight at once, at least 1.
    /// Called as work completes (done, known so far), from worker threads but never concurrently.
    std::function<void(int, int)> progress;
    EnvLookup env = process_env;                    ///< The environment (tests pass their own).
    /// Gets the one-line note of a lookup role that cannot be assumed (then the user's own
    /// credentials read that stack), once per role; empty: no note.
    std::function<void(const std::string&)> note{};
    std::string role_purpose = "lookup role"; ///< How StackRef::role_arn is named in notes.
};

/// Reads every stack, as its lookup role when it has one (`StackRef::role_arn`, RoleSessions):
/// DescribeStacks (missing → `exists == false`), GetTemplate, and
/// ListStackResources to find each nested stack's ARN, whose template is read the same way.
/// Credentials are resolved once. Throws InputError with one clear message for the first stack
/// (in `stacks` order) that failed: rejected or expired credentials, access denied (naming the
/// action and the stack), unknown region, unreachable endpoint, a timeout, or an error answer
/// after the retries. Secrets never appear in messages.
std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options);

/// The same with a session already made (its credentials, attempts and endpoints; `options`'
/// profile, timeout and environment are then not used), so a deploy resolves credentials once.
std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options,
                                                 const Session& session);

/// The same with the roles already assumed elsewhere (a deploy's), so each is assumed once;
/// `options.note` is then not used (the roles' own note is).
std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options,
                                                 RoleSessions& roles);

} // namespace leafsynth::aws_api
