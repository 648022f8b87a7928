#pragma once
/// @file query_client.hpp
/// Calls to an AWS "query" API (form-encoded POST, XML answer) such as CloudFormation's: HTTPS
/// through libcurl, signed with Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4), the session
/// token as the X-Amz-Security-Token header, answers parsed with pugixml. Timeouts and bounded
/// retries (exponential backoff with full jitter) on throttling, 5xx and dropped connections (the
/// HTTP layer, shared with S3Client, is http_session.hpp). Internal to the leafsynth CLI (not installed).

#include <pugixml.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws_api/credentials.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace detail {
class HttpSession;
} // namespace detail

/// How to reach and call one service in one region.
struct ClientOptions {
    std::string service;           ///< Signing name and endpoint prefix, e.g. `cloudformation`.
    std::string api_version;       ///< The query API's Version parameter, e.g. `2010-05-15`.
    std::string region;            ///< The region to sign for and (by default) to call.
    std::string endpoint;          ///< Base URL, e.g. `https://cloudformation.us-east-1.amazonaws.com`.
    std::string endpoint_source;   ///< Where the endpoint came from, for messages (`default`, `AWS_ENDPOINT_URL`, ...).
    Credentials credentials;       ///< The credentials to sign with (none: the request is not signed).
    std::string ca_bundle;         ///< AWS_CA_BUNDLE: a PEM file of trusted CAs, or empty for the system's.
    std::chrono::milliseconds timeout{30000};         ///< Whole-request timeout of one attempt.
    std::chrono::milliseconds connect_timeout{10000}; ///< Connection timeout of one attempt.
    int max_attempts = 3;                              ///< Attempts in all (AWS_MAX_ATTEMPTS), at least 1.
    std::chrono::milliseconds backoff_base{250};       ///< First retry waits up to this; doubles each time.
    std::chrono::milliseconds backoff_cap{20000};      ///< Longest wait between attempts.
    const std::atomic<bool>* cancel = nullptr;         ///< When set and true, no new attempt starts.
    /// When set, the credentials to sign with (and to redact), asked for at each attempt so they
    /// are refreshed before they expire; `credentials` is then only their first value.
    std::shared_ptr<CredentialProvider> provider = nullptr;
};

/// An error answer of the API after retries: the service said no.
class ApiError : public Error {
public:
    /// An error with the HTTP status, the error code (`ValidationError`, ...) and message.
    ApiError(long http_status, std::string code, std::string message, int attempts);
    long http_status() const { return http_status_; }           ///< E.g. 400, 403, 500.
    const std::string& code() const { return code_; }           ///< E.g. `AccessDenied`; empty when the body had none.
    const std::string& api_message() const { return message_; } ///< The service's message.
    int attempts() const { return attempts_; }                  ///< Attempts made.

private:
    long http_status_;
    std::string code_, message_;
    int attempts_;
};

/// The endpoint could not be used at all: unreachable, timed out, TLS failure, cancelled.
class TransportError : public Error {
public:
    using Error::Error;
};

/// Text that came from the network (an error answer's message or body), made safe to print: every
/// known secret of `credentials` (secret key, session token, the full access key id) replaced,
/// the values after `Authorization`, `X-Amz-Security-Token`, `x-amz-sso_bearer_token`,
/// `accessToken`, `Credential=`, `Signature=`, `TokenCode=` and `WebIdentityToken=` (servers and
/// proxies that echo the request show them) replaced by `<redacted>`, control
/// characters escaped, and cut after `max_chars`.
std::string redact_network_text(std::string_view text, const Credentials& credentials, std::size_t max_chars = 300);

/// Makes libcurl ready for use from several threads; call once before any client exists
/// (safe to call again).
void init_http();

/// One service in one region. Not thread-safe: use one client per thread.
class QueryClient {
public:
    /// A client with these options (the curl handle is created lazily).
    explicit QueryClient(ClientOptions options);
    ~QueryClient();
    QueryClient(const QueryClient&) = delete;
    QueryClient& operator=(const QueryClient&) = delete;

    /// Calls `action` with the form parameters and returns the parsed XML answer. Retries on
    /// throttling, 5xx and dropped connections up to max_attempts; throws ApiError for an error
    /// answer and TransportError when the endpoint cannot be used.
    pugi::xml_document call(const std::string& action, const std::vector<std::pair<std::string, std::string>>& params);

    /// The options.
    const ClientOptions& options() const { return options_; }

    /// Requests sent so far (attempts included), for benchmarks and tests.
    int requests_sent() const;

private:
    ClientOptions options_;
    std::unique_ptr<detail::HttpSession> http_; // kept across calls so connections are reused
};

/// True for error codes AWS tools retry: throttling and transient ones.
bool is_retryable_code(const std::string& code);

/// The text of the first element named `name` below `node` (any depth), or empty.
std::string xml_text(const pugi::xml_node& node, const char* name);

} // namespace leafsynth::aws_api
