#pragma once
/// @file credentials.hpp
/// AWS credentials and settings, found the way the AWS CLI and SDKs find them: environment
/// variables, web identity, then the shared credentials and config files (static keys, an assumed
/// role, SSO, `credential_process`), then a container's or an EC2 instance's role. The STS calls
/// are assume_role.hpp, the SSO portal sso.hpp, refreshing credential_provider.hpp.
/// Internal to the leafsynth CLI (not installed).

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// A set of AWS credentials. Never print `secret_access_key` or `session_token`: `source` says
/// where they came from, for messages.
struct Credentials {
    std::string access_key_id;     ///< The access key id (not a secret; shown masked anyway).
    std::string secret_access_key; ///< The secret key.
    std::string session_token;     ///< The session token of temporary credentials, or empty.
    std::string source;            ///< E.g. `AWS_ACCESS_KEY_ID` or `profile dev in ~/.aws/credentials`.
    std::time_t expiration = 0;    ///< When temporary credentials expire (seconds since the epoch); 0: never.
};

class CredentialProvider;

/// Where the shared files are and which profile to use, from `--profile` and the environment.
struct AwsSettings {
    std::string profile;          ///< `--profile`, else AWS_PROFILE, else `default`.
    bool profile_explicit = false; ///< True when given by `--profile` (then it wins over key variables).
    std::string credentials_file; ///< AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
    std::string config_file;      ///< AWS_CONFIG_FILE, else ~/.aws/config.
};

/// The settings for `profile_flag` (empty: none given) and the environment.
AwsSettings load_settings(const std::string& profile_flag, const EnvLookup& env = process_env);

/// The value of `key` in the profile's section of the shared config file (`[default]` or
/// `[profile NAME]`), e.g. `region` or `endpoint_url`; nullopt when absent.
std::optional<std::string> config_value(const AwsSettings& settings, const std::string& key);

/// Asks for the code of MFA device `mfa_serial` for the role of `where` (e.g. `profile 'prod' in
/// ~/.aws/config`) and returns it. The code is a secret: never shown anywhere.
using MfaPrompt = std::function<std::string(const std::string& mfa_serial, const std::string& where)>;

/// How the credential chain calls STS and the SSO portal, and asks for MFA codes.
struct ResolveOptions {
    std::string ca_bundle;                    ///< A PEM file of trusted CAs, or empty: AWS_CA_BUNDLE / the profile's ca_bundle.
    std::chrono::milliseconds timeout{30000}; ///< Per-request timeout of the STS and SSO calls.
    int max_attempts = 3;                     ///< Attempts per call (throttling, 5xx, dropped connections).
    MfaPrompt mfa_prompt{};                   ///< Empty: the controlling terminal (/dev/tty, echo off).
};

/// The credentials, in the AWS CLI's order: with `--profile`, that profile only; else
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); else AWS_WEB_IDENTITY_TOKEN_FILE
/// with AWS_ROLE_ARN (/ AWS_ROLE_SESSION_NAME): STS AssumeRoleWithWebIdentity; else the profile:
///  - `role_arn` with `source_profile` (followed profile by profile; a source profile with static
///    keys gives those, even its own source; a cycle is an error showing it) or `credential_source`
///    (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`): STS AssumeRole with `external_id`,
///    `role_session_name` (default `leafsynth-<epoch ms>`), `duration_seconds`, `mfa_serial` (the
///    code asked on the terminal); STS in AWS_REGION, AWS_DEFAULT_REGION, the profile's region or
///    us-east-1, at service_endpoint("sts", "STS", ...);
///  - `role_arn` with `web_identity_token_file`: STS AssumeRoleWithWebIdentity;
///  - `sso_session` (its `[sso-session NAME]` section) or `sso_start_url` / `sso_region`, with
///    `sso_account_id` and `sso_role_name`: the token the AWS CLI cached at `aws sso login`, then
///    the SSO portal's role credentials (sso.hpp);
///  - static keys in the credentials file, then in the config file, then its `credential_process`
///    (run without a shell; its JSON output is checked, an `Expiration` in the past is an error);
/// else (for the default profile) the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI
/// or _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]), then the EC2 instance metadata
/// service (IMDSv2; AWS_EC2_METADATA_SERVICE_ENDPOINT, off with AWS_EC2_METADATA_DISABLED=true).
/// Throws InputError naming the profile, the file and how to fix it when none are found, when the
/// profile does not exist or is inconsistent, when STS or SSO refuse, or when the process fails.
/// No secret (keys, tokens, MFA codes) is in any message.
Credentials resolve_credentials(const AwsSettings& settings, const EnvLookup& env = process_env,
                                const ResolveOptions& options = {});

/// The same credentials in a provider that fetches them again, the same way, when they are about to
/// expire (temporary ones: assumed roles, SSO, web identity, credential_process, container, EC2);
/// a role with mfa_serial asks for a new code then.
std::shared_ptr<CredentialProvider> resolve_credential_provider(const AwsSettings& settings,
                                                                const EnvLookup& env = process_env,
                                                                const ResolveOptions& options = {});

/// Seconds since the epoch of an ISO 8601 UTC time (`2026-11-28T02:00:00Z`, fractions and a
/// `+00:00` offset allowed); nullopt when it does not parse.
std::optional<std::time_t> parse_iso8601(const std::string& text);

/// The access key id shown in messages: its first 4 and last 4 characters (`AKIA…WXYZ`).
std::string masked_key_id(const std::string& access_key_id);

} // namespace leafsynth::aws_api
