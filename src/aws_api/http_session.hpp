#pragma once
/// @file http_session.hpp
/// The HTTP layer the AWS clients share (QueryClient, S3Client): one libcurl handle kept across
/// requests, Signature Version 4 signing by libcurl (CURLOPT_AWS_SIGV4), the session token header,
/// timeouts, and bounded retries (exponential backoff with full jitter) on throttling, 5xx and
/// dropped connections; error answers (`<Error><Code>..</Code><Message>..</Message></Error>`, the
/// query APIs' and S3's alike) become ApiError, unusable endpoints TransportError. Internal to the
/// leafsynth CLI (not installed).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws_api/query_client.hpp"

namespace leafsynth::aws_api::detail {

/// One request to send (and resend on a retry).
struct HttpRequest {
    std::string method = "GET";         ///< `GET`, `HEAD`, `PUT` or `POST`.
    std::string url;                    ///< The full URL, already encoded.
    std::vector<std::string> headers{}; ///< Extra headers, each `Name: value`, all signed (never a bare `Name:`).
    std::string_view body{};            ///< The body of a PUT or POST (must outlive the call).
    std::vector<long> accepted{};       ///< Non-2xx statuses that are answers, not errors (404 of a HEAD).
};

/// The final answer to a request.
struct HttpResponse {
    long status = 0;                                          ///< HTTP status, 2xx or one of `accepted`.
    std::string body;                                         ///< The body as received.
    std::vector<std::pair<std::string, std::string>> headers; ///< Lower-case name, trimmed value.
    int attempts = 1;                                         ///< Attempts made.

    /// The value of header `lower_name` (lower-case), or empty.
    std::string header(std::string_view lower_name) const;
};

/// `text` percent-encoded as SigV4 and the query APIs want it: every byte but `A-Z a-z 0-9 - . _ ~`.
std::string uri_encode(std::string_view text);

/// One libcurl handle (created lazily) and the requests sent through it. Not thread-safe.
class HttpSession {
public:
    HttpSession() = default;
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    /// Sends `request`, signed for `options.region` and `options.service` with the credentials of
    /// `options.provider` at each attempt (else `options.credentials`; none: unsigned), retrying on throttling,
    /// 5xx and dropped connections up to `options.max_attempts`; no new attempt starts once
    /// `options.cancel` is set. Returns a 2xx answer or one whose status is in
    /// `request.accepted`; throws ApiError for any other answer (code and message from the XML
    /// error body, redacted) and TransportError when the endpoint cannot be used.
    HttpResponse send(const ClientOptions& options, const HttpRequest& request);

    /// Requests sent so far (attempts included).
    int requests_sent() const { return requests_; }

private:
    void* curl_ = nullptr; // CURL*, kept across requests so connections are reused
    int requests_ = 0;
};

} // namespace leafsynth::aws_api::detail
