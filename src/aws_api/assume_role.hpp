#pragma once
/// @file assume_role.hpp
/// STS calls that turn credentials (or a web identity token) into a role's temporary credentials:
/// AssumeRole (query API `sts`, Version 2011-06-15, signed with SigV4 through QueryClient) and
/// AssumeRoleWithWebIdentity (unsigned), and the MFA code prompt on the controlling terminal.
/// Internal to the leafsynth CLI (not installed).

#include <string>

#include "aws_api/credentials.hpp"
#include "aws_api/query_client.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::aws_api {

/// What to ask STS AssumeRole for.
struct AssumeRoleRequest {
    std::string role_arn;     ///< RoleArn.
    std::string session_name; ///< RoleSessionName; empty: default_session_name().
    std::string external_id;  ///< ExternalId, or empty.
    int duration_seconds = 0; ///< DurationSeconds, or 0 for STS's default (1 hour).
    std::string mfa_serial;   ///< SerialNumber of the MFA device, or empty.
    std::string mfa_code;     ///< TokenCode with `mfa_serial`: a secret, never in any message.
};

/// The RoleSessionName used when none is configured: `leafsynth-<milliseconds since the epoch>`.
std::string default_session_name();

/// Options for STS in `region`: service `sts`, API version 2011-06-15, the endpoint from
/// service_endpoint("sts", "STS", region, profile, env) (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL,
/// the profile's endpoint_url, else `https://sts.REGION.amazonaws.com`), signing with `credentials`
/// (none for AssumeRoleWithWebIdentity), and the CA bundle, timeout and attempts of `resolve`.
ClientOptions sts_options(const std::string& region, const std::string& profile, const EnvLookup& env,
                          const Credentials& credentials, const ResolveOptions& resolve);

/// The region STS is called in for the credential chain: AWS_REGION, AWS_DEFAULT_REGION, the
/// profile's `region`, else us-east-1.
std::string sts_region(const AwsSettings& settings, const EnvLookup& env);

/// STS AssumeRole signed with `sts`'s credentials (or its provider's): the role's temporary
/// credentials with their expiration; `source` is `role ARN assumed from <source of the signing
/// credentials>`. Throws ApiError for an error answer (AccessDenied, ...) and TransportError when
/// STS cannot be reached; their messages never contain the MFA code or a secret.
Credentials assume_role(const ClientOptions& sts, const AssumeRoleRequest& request);

/// STS AssumeRoleWithWebIdentity with `token` (an OIDC token: a secret, never in any message),
/// unsigned: the role's temporary credentials with their expiration, `source` left empty for the
/// caller. Throws ApiError and TransportError as assume_role does.
Credentials assume_role_with_web_identity(ClientOptions sts, const std::string& role_arn,
                                          const std::string& session_name, const std::string& token,
                                          int duration_seconds);

/// Asks for the code of MFA device `mfa_serial` on the controlling terminal (/dev/tty) with echo
/// off, naming `where` (the profile); the code is returned, never shown. Throws InputError
/// without a terminal (run on a terminal, or use credentials without MFA) or without an answer.
std::string prompt_mfa_code(const std::string& mfa_serial, const std::string& where);

} // namespace leafsynth::aws_api
