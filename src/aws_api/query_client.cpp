#include "aws_api/query_client.hpp"

#include "aws_api/http_session.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <string_view>

namespace leafsynth::aws_api {

namespace {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string body;
    for (const auto& [key, value] : params) {
        if (!body.empty()) body += '&';
        body += detail::uri_encode(key) + "=" + detail::uri_encode(value);
    }
    return body;
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
    // Also the other secrets requests carry: the SSO portal's bearer token header (and the cached
    // token's JSON key), the MFA code and the web identity token of STS calls.
    for (const char* name : {"authorization", "x-amz-security-token", "x-amz-sso_bearer_token", "accesstoken",
                             "credential=", "signature=", "tokencode=", "webidentitytoken="}) {
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

QueryClient::QueryClient(ClientOptions options)
    : options_(std::move(options)), http_(std::make_unique<detail::HttpSession>()) {
    options_.max_attempts = std::max(1, options_.max_attempts);
}

QueryClient::~QueryClient() = default;

int QueryClient::requests_sent() const { return http_->requests_sent(); }

pugi::xml_document QueryClient::call(const std::string& action,
                                     const std::vector<std::pair<std::string, std::string>>& params) {
    std::vector<std::pair<std::string, std::string>> form = {{"Action", action},
                                                            {"Version", options_.api_version}};
    form.insert(form.end(), params.begin(), params.end());
    const std::string body = form_encode(form);

    const detail::HttpResponse response = http_->send(
        options_, {.method = "POST",
                   .url = options_.endpoint + (options_.endpoint.ends_with("/") ? "" : "/"),
                   .headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8", "Accept: text/xml"},
                   .body = body,
                   .accepted = {}});
    pugi::xml_document doc;
    if (response.body.empty() || !doc.load_buffer(response.body.data(), response.body.size()))
        throw ApiError(response.status, "", "the answer to " + action + " is not XML (is the endpoint an AWS API?)",
                       response.attempts);
    return doc;
}

} // namespace leafsynth::aws_api
