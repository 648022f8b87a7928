#pragma once
/// @file credentials.hpp
/// AWS credentials and settings, found the way the AWS CLI and SDKs find them: environment
/// variables, then the shared credentials and config files (static keys or `credential_process`).
/// Internal to the leafsynth CLI (not installed).

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
};

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

/// The credentials, in the AWS CLI's order: with `--profile`, that profile only; else
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); else the profile's static keys
/// in the credentials file, then in the config file, then its `credential_process` (run without a
/// shell; its JSON output is checked, an `Expiration` in the past is an error); else (for the
/// default profile) the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or
/// _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]), then the EC2 instance metadata
/// service (IMDSv2; AWS_EC2_METADATA_SERVICE_ENDPOINT, off with AWS_EC2_METADATA_DISABLED=true). Throws InputError
/// naming the files and how to fix it when none are found, when the profile does not exist, when
/// a profile needs something leafsynth does not do (role_arn, sso_*), or when the process fails.
Credentials resolve_credentials(const AwsSettings& settings, const EnvLookup& env = process_env);

/// The access key id shown in messages: its first 4 and last 4 characters (`AKIA…WXYZ`).
std::string masked_key_id(const std::string& access_key_id);

} // namespace leafsynth::aws_api
