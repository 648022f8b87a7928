#include "aws_api/http_session.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <thread>

#include "aws_api/credential_provider.hpp"

namespace leafsynth::aws_api::detail {

namespace {

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

/// Collects the headers of the final answer (a new status line, e.g. after `100 Continue`, starts over).
size_t append_header(char* data, size_t size, size_t count, void* user) {
    auto& headers = *static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
    const std::string_view line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
        headers.clear();
        return size * count;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return size * count;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
    headers.emplace_back(std::move(name), std::string(value));
    return size * count;
}

std::string seconds_text(std::chrono::milliseconds ms) {
    const auto count = ms.count();
    return count % 1000 == 0 ? std::to_string(count / 1000) + " s" : std::to_string(count) + " ms";
}

/// Waits `delay`, in slices, returning early when cancelled.
void pause(std::chrono::milliseconds delay, const std::atomic<bool>* cancel) {
    const auto end = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < end) {
        if (cancel && cancel->load()) return;
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                               end - std::chrono::steady_clock::now()) + std::chrono::milliseconds(1)));
    }
}

/// Full jitter: a random wait in [0, min(cap, base * 2^retry)].
std::chrono::milliseconds backoff(const ClientOptions& o, int retry) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const long long ceiling =
        std::min<long long>(o.backoff_cap.count(), o.backoff_base.count() * (1LL << std::min(retry, 20)));
    std::uniform_int_distribution<long long> dist(0, std::max<long long>(ceiling, 0));
    return std::chrono::milliseconds(dist(rng));
}

bool retryable_transport(CURLcode rc) {
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

std::string transport_message(const ClientOptions& o, CURLcode rc, const std::string& detail, int attempts) {
    const std::string where = o.endpoint + " (endpoint from " + o.endpoint_source + ")";
    const std::string tries = attempts == 1 ? "1 attempt" : std::to_string(attempts) + " attempts";
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return "the request to " + where + " timed out after " + seconds_text(o.timeout) + " (" + tries +
               "); raise --timeout or check the endpoint";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "cannot reach " + where + ": its host name does not resolve (" + detail +
               "); check the region, the endpoint, and the network";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
        return "cannot make a trusted TLS connection to " + where + ": " + detail +
               (o.ca_bundle.empty() ? std::string("; if a proxy or private CA signs it, set AWS_CA_BUNDLE to its PEM file")
                                    : "; check AWS_CA_BUNDLE (" + o.ca_bundle + ")");
    default:
        return "cannot reach " + where + ": " + detail + " (" + tries + "); check the endpoint and the network";
    }
}

/// Sets the options of one attempt on a freshly reset handle; signed with `credentials` unless
/// there are none (STS AssumeRoleWithWebIdentity and the SSO portal take unsigned requests).
void prepare(CURL* curl, const ClientOptions& o, const Credentials& credentials, const HttpRequest& request,
             const std::string& sigv4, curl_slist* headers, std::string* body,
             std::vector<std::pair<std::string, std::string>>* response_headers, char* error_buffer) {
    static const char empty[] = "";
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "POST" || request.method == "PUT") {
        // The body from memory (resent as is on a retry); never NULL, which would make libcurl read stdin.
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? empty : request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        if (request.method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (!credentials.access_key_id.empty()) {
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
        curl_easy_setopt(curl, CURLOPT_USERNAME, credentials.access_key_id.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, credentials.secret_access_key.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "leafsynth");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, response_headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(o.timeout, o.connect_timeout).count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!o.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_bundle.c_str());
}

} // namespace

std::string uri_encode(std::string_view text) {
    if (text.empty()) return {}; // a length of 0 would make curl_easy_escape call strlen()
    // libcurl 7.82 and later ignore the handle of curl_easy_escape.
    char* encoded = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
    if (!encoded) throw TransportError("cannot encode a URL (out of memory)");
    std::string out(encoded);
    curl_free(encoded);
    return out;
}

std::string HttpResponse::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers)
        if (name == lower_name) return value;
    return {};
}

HttpSession::~HttpSession() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpSession::send(const ClientOptions& o, const HttpRequest& request) {
    init_http();
    if (!curl_) curl_ = curl_easy_init();
    CURL* curl = static_cast<CURL*>(curl_);
    if (!curl) throw TransportError("cannot start an HTTP client (curl_easy_init failed)");
    const std::string sigv4 = "aws:amz:" + o.region + ":" + o.service;
    const int max_attempts = std::max(1, o.max_attempts);

    for (int attempt = 1;; ++attempt) {
        if (o.cancel && o.cancel->load()) throw TransportError("cancelled");
        // Asked at each attempt: a provider refreshes credentials that are about to expire.
        const Credentials credentials = o.provider ? o.provider->current() : o.credentials;
        curl_easy_reset(curl);
        HttpResponse response;
        response.attempts = attempt;
        char error_buffer[CURL_ERROR_SIZE] = {0};
        curl_slist* headers = nullptr;
        // Never a header-removing `Name:` entry: libcurl 7.88's SigV4 would sign it though it is not sent.
        for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
        // libcurl signs; the session token of temporary credentials goes in this header.
        if (!credentials.session_token.empty())
            headers = curl_slist_append(headers, ("X-Amz-Security-Token: " + credentials.session_token).c_str());
        prepare(curl, o, credentials, request, sigv4, headers, &response.body, &response.headers, error_buffer);

        ++requests_;
        const CURLcode rc = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        const bool last = attempt >= max_attempts;
        if (rc != CURLE_OK) {
            if (retryable_transport(rc) && !last) {
                pause(backoff(o, attempt - 1), o.cancel);
                continue;
            }
            throw TransportError(transport_message(o, rc, error_buffer[0] ? error_buffer : curl_easy_strerror(rc),
                                                   attempt));
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
        const long status = response.status;
        if ((status >= 200 && status < 300) ||
            std::find(request.accepted.begin(), request.accepted.end(), status) != request.accepted.end())
            return response;
        std::string code, message;
        pugi::xml_document doc;
        if (!response.body.empty() && doc.load_buffer(response.body.data(), response.body.size())) {
            const pugi::xpath_node error = doc.select_node("//Error");
            const pugi::xml_node scope = error ? error.node() : doc.document_element();
            code = redact_network_text(xml_text(scope, "Code"), credentials, 100);
            message = redact_network_text(xml_text(scope, "Message"), credentials);
        } else if (!response.body.empty()) {
            message = redact_network_text(response.body, credentials, 200);
        }
        const bool retry = status >= 500 || status == 429 || is_retryable_code(code);
        if (retry && !last) {
            pause(backoff(o, attempt - 1), o.cancel);
            continue;
        }
        throw ApiError(status, code, message, attempt);
    }
}

} // namespace leafsynth::aws_api::detail
