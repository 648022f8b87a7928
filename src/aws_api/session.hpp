#pragma once
/// @file session.hpp
/// What every command that talks to AWS settles once: the profile and shared files, the
/// credentials, retry attempts (AWS_MAX_ATTEMPTS / max_attempts), the CA bundle, each service's
/// endpoint per region, and how an API failure is told to the user (rejected, expired or denied
/// credentials, with the fix). Shared by `diff` (deployed_stacks.cpp) and `deploy`/`bootstrap`.
/// Internal to the leafsynth CLI (not installed).

#include <chrono>
#include <string>

#include "aws_api/credentials.hpp"
#include "aws_api/query_client.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// A service as the SDKs name it for endpoints: host prefix `s3`, variable suffix `S3`
/// (AWS_ENDPOINT_URL_S3).
struct Service {
    std::string host_prefix; ///< E.g. `cloudformation`, `s3`, `sts`.
    std::string env_suffix;  ///< E.g. `CLOUDFORMATION`, `S3`, `STS`.
};

/// The services leafsynth calls.
inline const Service kCloudFormation{"cloudformation", "CLOUDFORMATION"};
inline const Service kS3{"s3", "S3"};
inline const Service kSts{"sts", "STS"};

/// How to reach AWS.
struct SessionOptions {
    std::string profile;                      ///< `--profile`, or empty.
    std::chrono::milliseconds timeout{30000}; ///< Per-request timeout (`--timeout`).
    EnvLookup env = process_env;              ///< The environment (tests pass their own).
};

/// Settings, credentials and endpoints, resolved once (throws InputError when they cannot be).
class Session {
public:
    explicit Session(SessionOptions options);

    /// Options for a client of `service` in `region`: endpoint (AWS_ENDPOINT_URL_<SUFFIX>,
    /// AWS_ENDPOINT_URL, the profile's endpoint_url, else the region's), credentials, timeouts,
    /// attempts. Throws InputError for a region that is not an AWS region when the endpoint is
    /// the region's (`what` names the stack or environment in the message).
    ClientOptions client_options(const Service& service, const std::string& region, const std::string& what) const;

    /// The credentials.
    const Credentials& credentials() const { return credentials_; }
    /// The settings (profile, files).
    const AwsSettings& settings() const { return settings_; }
    /// The options it was made with.
    const SessionOptions& options() const { return options_; }

    /// One clear sentence for an API error of `action` (e.g. `cloudformation:CreateChangeSet`) on
    /// `what` (e.g. `stack Base in us-west-2`): rejected or expired credentials with the fix, access
    /// denied naming the action and `grant` (what to grant), else the service's answer.
    std::string failure_message(const std::string& action, const std::string& what, const std::string& endpoint,
                                const ApiError& e, const std::string& grant) const;

private:
    SessionOptions options_;
    AwsSettings settings_;
    Credentials credentials_;
    int max_attempts_ = 3;
    std::string ca_bundle_;
};

/// Where the endpoint of service `host_prefix` (e.g. `s3`) in `region` is, and where that came
/// from: `AWS_ENDPOINT_URL_<env_suffix>` (e.g. `AWS_ENDPOINT_URL_S3`), AWS_ENDPOINT_URL,
/// `endpoint_url` in the profile (all unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else
/// `https://HOST_PREFIX.REGION.amazonaws.com` (`.amazonaws.com.cn` in China).
std::pair<std::string, std::string> service_endpoint(const std::string& host_prefix, const std::string& env_suffix,
                                                     const std::string& region, const std::string& profile,
                                                     const EnvLookup& env = process_env);

/// The CloudFormation endpoint of `region`: service_endpoint("cloudformation", "CLOUDFORMATION", ...).
std::pair<std::string, std::string> cloudformation_endpoint(const std::string& region, const std::string& profile,
                                                            const EnvLookup& env = process_env);

/// The AWS regions (commercial, China, GovCloud) as of late 2026, to tell a mistyped region from
/// a network problem before any request. A newer region works with an explicit endpoint.
bool is_known_region(const std::string& region);

} // namespace leafsynth::aws_api
