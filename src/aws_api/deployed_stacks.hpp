#pragma once
/// @file deployed_stacks.hpp
/// Reading the deployed state of an app's stacks from CloudFormation, each in its own region,
/// nested stacks included, several requests at a time. Internal to the leafsynth CLI.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "leafsynth/diff.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// A top-level stack to read: its name and region.
struct StackRef {
    std::string name;   ///< Stack name.
    std::string region; ///< Region it is deployed in.
};

/// How to read them.
struct FetchOptions {
    std::string profile;                            ///< `--profile`, or empty.
    std::chrono::milliseconds timeout{30000};       ///< Per-request timeout (`--timeout`).
    int concurrency = 8;                            ///< Requests in flight at once, at least 1.
    /// Called as work completes (done, known so far), from worker threads but never concurrently.
    std::function<void(int, int)> progress;
    EnvLookup env = process_env;                    ///< The environment (tests pass their own).
};

/// Reads every stack: DescribeStacks (missing → `exists == false`), GetTemplate, and
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

} // namespace leafsynth::aws_api
