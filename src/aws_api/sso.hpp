#pragma once
/// @file sso.hpp
/// IAM Identity Center (SSO) profiles: the access token the AWS CLI cached at `aws sso login`
/// (`~/.aws/sso/cache/<SHA-1 hex>.json`), then the SSO portal's GetRoleCredentials
/// (`GET /federation/credentials`, the token in `x-amz-sso_bearer_token`). leafsynth never logs in
/// itself nor refreshes the token: when it is missing or expired, the message says to run
/// `aws sso login`. Internal to the leafsynth CLI (not installed).

#include <string>

#include "aws_api/credentials.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// What a profile says about SSO (either form).
struct SsoProfile {
    std::string profile;      ///< The profile's name, for messages and `aws sso login --profile`.
    std::string config_file;  ///< The config file, for messages.
    std::string session_name; ///< `sso_session` (its `[sso-session NAME]` section), or empty: the legacy form.
    std::string start_url;    ///< `sso_start_url`.
    std::string sso_region;   ///< `sso_region`: where the portal is.
    std::string account_id;   ///< `sso_account_id`.
    std::string role_name;    ///< `sso_role_name`.
};

/// The AWS CLI's token cache file of `sso`: `$HOME/.aws/sso/cache/` and the SHA-1 (hex) of the
/// session name (sso_session) or of the start URL (legacy form), `.json`.
std::string sso_cache_file(const SsoProfile& sso, const EnvLookup& env);

/// The role credentials of `sso` (expiring), with the cached token: the portal at
/// service_endpoint("portal.sso", "SSO", sso_region, ...) (AWS_ENDPOINT_URL_SSO overrides it).
/// Throws InputError saying to run `aws sso login` when the token is missing, expired or refused
/// (HTTP 401), and naming the profile and file for anything else; the token is never in a message.
Credentials sso_role_credentials(const SsoProfile& sso, const EnvLookup& env, const ResolveOptions& options);

} // namespace leafsynth::aws_api
