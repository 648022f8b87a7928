#include "aws_api/query_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <set>
#include <string_view>
#include <thread>

namespace leafsynth::aws_api {

namespace {

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::string form_encode(CURL* curl, const std::vector<std::pair<std::string, std::string>>& params) {
    std::string body;
    for (const auto& [key, value] : params) {
        char* k = curl_easy_escape(curl, key.c_str(), static_cast<int>(key.size()));
        char* v = curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size()));
        if (!body.empty()) body += '&';
        body += std::string(k) + "=" + v;
        curl_free(k);
        curl_free(v);
    }
    return body;
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

} // namespace

ApiError::ApiError(long http_status, std::string code, std::string message, int attempts)
    : Error("HTTP " + std::to_string(http_status) + (code.empty() ? "" : " " + code) +
            (message.empty() ? "" : ": " + message) +
            (attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "")),
      http_status_(http_status), code_(std::move(code)), message_(std::move(message)), attempts_(attempts) {}

std::string redact_network_text(std::string_view text_in, const Credentials& credentials, std::size_t max_chars) {
    std::string text(text_in.substr(0, std::min<std::size_t>(text_in.size(), 64 * 1024)));
    auto replace_all = [&](const std::string& secret, const std::string& with) {
        if (secret.size() < 4) return;
        for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + with.size()))
            text.replace(at, secret.size(), with);
    };
    replace_all(credentials.secret_access_key, "<redacted>");
    replace_all(credentials.session_token, "<redacted>");
    replace_all(credentials.access_key_id, masked_key_id(credentials.access_key_id));
    // A header or parameter echoed back: what follows its name, up to the end of the value.
    auto lower = [](std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    for (const char* name : {"authorization", "x-amz-security-token", "credential=", "signature="}) {
        const std::string key = name;
        for (std::size_t at = lower(text).find(key); at != std::string::npos; at = lower(text).find(key, at + 1)) {
            std::size_t start = at + key.size();
            if (key.back() != '=') {
                // A header name only when a separator follows (`: `, `=`, `": "`), not in prose.
                while (start < text.size() && (text[start] == '"' || text[start] == '\'' || text[start] == ' ')) ++start;
                if (start >= text.size() || (text[start] != ':' && text[start] != '=')) continue;
            }
            while (start < text.size() && std::string_view(":= \"'").find(text[start]) != std::string_view::npos) ++start;
            std::size_t end = start;
            const std::string_view stops = key.back() == '=' ? ",&\"'<> \r\n" : "\"'<>\r\n";
            while (end < text.size() && stops.find(text[end]) == std::string_view::npos) ++end;
            if (end > start) text.replace(start, end - start, "<redacted>");
        }
    }
    // One line, cut: quote_excerpt without its quotes.
    std::string shown = quote_excerpt(text, max_chars);
    return shown.substr(1, shown.rfind('\'') - 1) + shown.substr(shown.rfind('\'') + 1);
}

void init_http() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_retryable_code(const std::string& code) {
    // botocore's standard retry mode: throttling and transient error codes.
    static const std::set<std::string> codes = {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
        "InternalError", "InternalFailure", "ServiceUnavailable"};
    return codes.count(code) != 0;
}

std::string xml_text(const pugi::xml_node& node, const char* name) {
    const pugi::xpath_node found = node.select_node((std::string(".//") + name).c_str());
    return found ? std::string(found.node().text().get()) : std::string();
}

QueryClient::QueryClient(ClientOptions options) : options_(std::move(options)) {
    options_.max_attempts = std::max(1, options_.max_attempts);
}

QueryClient::~QueryClient() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

pugi::xml_document QueryClient::call(const std::string& action,
                                     const std::vector<std::pair<std::string, std::string>>& params) {
    init_http();
    if (!curl_) curl_ = curl_easy_init();
    CURL* curl = static_cast<CURL*>(curl_);
    if (!curl) throw TransportError("cannot start an HTTP client (curl_easy_init failed)");

    std::vector<std::pair<std::string, std::string>> form = {{"Action", action},
                                                            {"Version", options_.api_version}};
    form.insert(form.end(), params.begin(), params.end());
    const std::string body = form_encode(curl, form);
    const std::string url = options_.endpoint + (options_.endpoint.ends_with("/") ? "" : "/");
    const std::string sigv4 = "aws:amz:" + options_.region + ":" + options_.service;

    for (int attempt = 1;; ++attempt) {
        if (options_.cancel && options_.cancel->load()) throw TransportError("cancelled");
        curl_easy_reset(curl);
        std::string response;
        char error_buffer[CURL_ERROR_SIZE] = {0};
        curl_slist* headers = nullptr;
        headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
        headers = curl_slist_append(headers, "Accept: text/xml");
        // libcurl signs; the session token of temporary credentials goes in this header.
        if (!options_.credentials.session_token.empty())
            headers = curl_slist_append(headers,
                                        ("X-Amz-Security-Token: " + options_.credentials.session_token).c_str());
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
        curl_easy_setopt(curl, CURLOPT_USERNAME, options_.credentials.access_key_id.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.credentials.secret_access_key.c_str());
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "leafsynth");
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min(options_.timeout, options_.connect_timeout).count()));
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // threads: no SIGALRM for DNS timeouts
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        if (!options_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());

        ++requests_;
        const CURLcode rc = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        const bool last = attempt >= options_.max_attempts;
        if (rc != CURLE_OK) {
            if (retryable_transport(rc) && !last) {
                pause(backoff(options_, attempt - 1), options_.cancel);
                continue;
            }
            throw TransportError(transport_message(options_, rc, error_buffer[0] ? error_buffer : curl_easy_strerror(rc),
                                                   attempt));
        }
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        pugi::xml_document doc;
        const bool parsed = !response.empty() && doc.load_buffer(response.data(), response.size());
        if (status >= 200 && status < 300) {
            if (!parsed)
                throw ApiError(status, "", "the answer to " + action + " is not XML (is the endpoint an AWS API?)",
                               attempt);
            return doc;
        }
        std::string code, message;
        if (parsed) {
            const pugi::xpath_node error = doc.select_node("//Error");
            const pugi::xml_node scope = error ? error.node() : doc.document_element();
            code = redact_network_text(xml_text(scope, "Code"), options_.credentials, 100);
            message = redact_network_text(xml_text(scope, "Message"), options_.credentials);
        } else if (!response.empty()) {
            message = redact_network_text(response, options_.credentials, 200);
        }
        const bool retry = status >= 500 || status == 429 || is_retryable_code(code);
        if (retry && !last) {
            pause(backoff(options_, attempt - 1), options_.cancel);
            continue;
        }
        throw ApiError(status, code, message, attempt);
    }
}

} // namespace leafsynth::aws_api
