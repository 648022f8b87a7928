#include "aws_api/sso.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws_api/http_session.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace {

std::string sha1_hex(const std::string& text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr) != 1)
        throw InputError("cannot compute a SHA-1 (OpenSSL failed)");
    std::string hex;
    char byte[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", md[i]);
        hex += byte;
    }
    return hex;
}

/// `text` without the token (should an answer echo the request).
std::string scrub(std::string text, const std::string& token) {
    if (token.size() < 4) return text;
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + 10))
        text.replace(at, token.size(), "<redacted>");
    return text;
}

std::string login_hint(const SsoProfile& sso) {
    return sso.session_name.empty()
               ? "run `aws sso login --profile " + sso.profile + "` and run again"
               : "run `aws sso login --profile " + sso.profile + "` (or `aws sso login --sso-session " +
                     sso.session_name + "`) and run again";
}

} // namespace

std::string sso_cache_file(const SsoProfile& sso, const EnvLookup& env) {
    const std::string home = env("HOME").value_or("");
    const std::string key = sso.session_name.empty() ? sso.start_url : sso.session_name;
    return (home.empty() ? std::string("~") : home) + "/.aws/sso/cache/" + sha1_hex(key) + ".json";
}

Credentials sso_role_credentials(const SsoProfile& sso, const EnvLookup& env, const ResolveOptions& options) {
    const std::string where = "profile '" + sso.profile + "' in " + sso.config_file;
    const std::string what = "SSO role " + sso.role_name + " in account " + sso.account_id + " (" + where + ")";
    const std::string cache = sso_cache_file(sso, env);
    std::ifstream in(cache);
    if (!in)
        throw InputError(what + ": no SSO login found (no token in " + cache + "); " + login_hint(sso));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception&) {
        throw InputError(what + ": the SSO token cache " + cache + " is not JSON; " + login_hint(sso));
    }
    const std::string token = doc.is_object() ? doc.value("accessToken", std::string()) : std::string();
    std::string expires = doc.is_object() ? doc.value("expiresAt", std::string()) : std::string();
    if (token.empty() || expires.empty())
        throw InputError(what + ": the SSO token cache " + cache + " has no accessToken or expiresAt; " +
                         login_hint(sso));
    if (expires.ends_with("UTC")) expires = expires.substr(0, expires.size() - 3) + "Z"; // older AWS CLIs
    const auto expires_at = parse_iso8601(expires);
    if (!expires_at)
        throw InputError(what + ": the SSO token cache " + cache + " has an expiresAt that is not a time ('" +
                         quote_excerpt(expires, 40) + "'); " + login_hint(sso));
    if (*expires_at <= std::time(nullptr))
        throw InputError(what + ": the SSO login expired at " + expires + "; " + login_hint(sso));

    ClientOptions o;
    o.service = "sso";
    o.region = sso.sso_region;
    std::tie(o.endpoint, o.endpoint_source) = service_endpoint("portal.sso", "SSO", sso.sso_region, sso.profile, env);
    o.ca_bundle = options.ca_bundle;
    o.timeout = options.timeout;
    o.max_attempts = options.max_attempts;
    std::string base = o.endpoint;
    if (base.ends_with("/")) base.pop_back();
    const std::string url = base + "/federation/credentials?role_name=" + detail::uri_encode(sso.role_name) +
                            "&account_id=" + detail::uri_encode(sso.account_id);
    detail::HttpResponse response;
    try {
        detail::HttpSession http;
        response = http.send(o, {.method = "GET",
                                 .url = url,
                                 .headers = {"x-amz-sso_bearer_token: " + token, "Accept: application/json"},
                                 .body = {},
                                 .accepted = {}});
    } catch (const ApiError& e) {
        const std::string said = scrub(e.what(), token);
        if (e.http_status() == 401)
            throw InputError(what + ": the SSO portal " + o.endpoint + " refused the cached login (" + said + "); " +
                             login_hint(sso));
        if (e.http_status() == 403)
            throw InputError(what + ": the SSO portal " + o.endpoint + " denied the role (" + said +
                             "); check sso_account_id and sso_role_name, or ask for access to that role");
        throw InputError(what + ": the SSO portal " + o.endpoint + " failed: " + said);
    } catch (const TransportError& e) {
        throw InputError(what + ": " + scrub(e.what(), token));
    }
    nlohmann::json answer;
    try {
        answer = nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::exception&) {
        throw InputError(what + ": the SSO portal " + o.endpoint + " did not answer with JSON (is the endpoint the "
                         "SSO portal?)");
    }
    const nlohmann::json rc = answer.is_object() && answer.contains("roleCredentials") ? answer["roleCredentials"]
                                                                                       : nlohmann::json::object();
    Credentials c;
    if (rc.is_object()) {
        c.access_key_id = rc.value("accessKeyId", std::string());
        c.secret_access_key = rc.value("secretAccessKey", std::string());
        c.session_token = rc.value("sessionToken", std::string());
        if (rc.contains("expiration") && rc["expiration"].is_number())
            c.expiration = static_cast<std::time_t>(rc["expiration"].get<double>() / 1000.0);
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw InputError(what + ": the SSO portal " + o.endpoint + " answered without roleCredentials");
    if (c.expiration == 0) c.expiration = std::time(nullptr) + 900; // none given: refreshed soon
    c.source = what;
    return c;
}

} // namespace leafsynth::aws_api
