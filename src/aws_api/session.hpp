#pragma once
/// @file session.hpp
/// What every command that talks to AWS settles once: the profile and shared files, the
/// credentials, retry attempts (AWS_MAX_ATTEMPTS / max_attempts), the CA bundle, each service's
/// endpoint per region, and how an API failure is told to the user (rejected, expired or denied
/// credentials, with the fix). Shared by `diff` (deployed_stacks.cpp) and `deploy`/`bootstrap`.
/// Internal to the leafsynth CLI (not installed).

#include <chrono>
#include <memory>
#include <optional>
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
/// Copyable: copies share the credential provider.
class Session {
public:
    explicit Session(SessionOptions options);

    /// Options for a client of `service` in `region`: endpoint (AWS_ENDPOINT_URL_<SUFFIX>,
    /// AWS_ENDPOINT_URL, the profile's endpoint_url, else the region's), credentials (the session's
    /// refreshing provider), timeouts, attempts. Throws InputError for a region that is not an AWS
    /// region when the endpoint is the region's (`what` names the stack or environment in the message).
    ClientOptions client_options(const Service& service, const std::string& region, const std::string& what) const;

    /// The current credentials (refreshed first when they are about to expire); callers show
    /// `source` and masked_key_id(access_key_id), never the secrets.
    Credentials credentials() const;
    /// The provider every client of this session signs with.
    const std::shared_ptr<CredentialProvider>& provider() const { return provider_; }

    /// This session as role `role_arn` (e.g. a bootstrap role
    /// `arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2`): STS
    /// AssumeRole with this session's credentials at the STS endpoint of `region`
    /// (client_options(kSts, region, ...)), RoleSessionName `session_name` (empty:
    /// `leafsynth-<epoch ms>`). Returns a session whose clients sign with the role's credentials,
    /// refreshed before they expire, `credentials().source` being `role ARN assumed from <this
    /// session's source>`; everything else (profile, endpoints, attempts, CA bundle) as this one.
    /// When STS refuses the role (AccessDenied / "is not authorized to perform: sts:AssumeRole",
    /// NoSuchEntity, a role that does not exist or a malformed ARN: any error answer that is not
    /// about this session's own credentials), returns nullopt and sets `*why_not` (when given) to
    /// one line (redacted) saying why, so the caller can go on with this session and a note.
    /// Throws InputError when the cause is not the role: this session's credentials rejected or
    /// expired, STS unreachable (network, TLS, timeout), busy or failing (throttling, 5xx after the
    /// retries), an unknown region.
    std::optional<Session> assume(const std::string& role_arn, const std::string& region,
                                  const std::string& session_name, std::string* why_not) const;
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
    int max_attempts_ = 3;
    std::string ca_bundle_;
    std::shared_ptr<CredentialProvider> provider_; // resolved last: STS and SSO calls use the CA bundle and attempts
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
