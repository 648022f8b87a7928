#include "aws_api/assume_role.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "aws_api/credential_provider.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace {

/// `text` with every occurrence of each secret (4 characters or more) replaced by `<redacted>`.
std::string scrub(std::string text, const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
        if (secret.size() < 4) continue;
        for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10))
            text.replace(at, secret.size(), "<redacted>");
    }
    return text;
}

/// Calls `action` and reads the Credentials of its answer; error messages without `secrets`
/// (the HTTP layer already removed the signing credentials).
Credentials call_sts(QueryClient& sts, const std::string& action,
                     const std::vector<std::pair<std::string, std::string>>& params,
                     const std::vector<std::string>& secrets) {
    pugi::xml_document doc;
    try {
        doc = sts.call(action, params);
    } catch (const ApiError& e) {
        throw ApiError(e.http_status(), scrub(e.code(), secrets), scrub(e.api_message(), secrets), e.attempts());
    } catch (const TransportError& e) {
        throw TransportError(scrub(e.what(), secrets));
    }
    const pugi::xpath_node found = doc.select_node("//*[local-name()='Credentials']");
    const pugi::xml_node node = found ? found.node() : doc.document_element();
    Credentials c;
    c.access_key_id = xml_text(node, "AccessKeyId");
    c.secret_access_key = xml_text(node, "SecretAccessKey");
    c.session_token = xml_text(node, "SessionToken");
    const std::string expiration = xml_text(node, "Expiration");
    if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty())
        throw ApiError(200, "", "the answer to " + action + " has no Credentials (is the endpoint STS?)", 1);
    const auto t = parse_iso8601(expiration);
    // No expiration given: taken as the shortest STS grants (15 minutes), so it is refreshed in time.
    c.expiration = t ? *t : std::time(nullptr) + 900;
    return c;
}

} // namespace

std::string default_session_name() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return "leafsynth-" + std::to_string(ms.count());
}

ClientOptions sts_options(const std::string& region, const std::string& profile, const EnvLookup& env,
                          const Credentials& credentials, const ResolveOptions& resolve) {
    ClientOptions o;
    o.service = "sts";
    o.api_version = "2011-06-15";
    o.region = region;
    std::tie(o.endpoint, o.endpoint_source) = service_endpoint(kSts.host_prefix, kSts.env_suffix, region, profile, env);
    o.credentials = credentials;
    o.ca_bundle = resolve.ca_bundle;
    o.timeout = resolve.timeout;
    o.max_attempts = resolve.max_attempts;
    return o;
}

std::string sts_region(const AwsSettings& settings, const EnvLookup& env) {
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
        if (auto v = env(name); v && !v->empty()) return *v;
    if (auto v = config_value(settings, "region")) return *v;
    return "us-east-1";
}

Credentials assume_role(const ClientOptions& options, const AssumeRoleRequest& request) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"RoleArn", request.role_arn},
        {"RoleSessionName", request.session_name.empty() ? default_session_name() : request.session_name}};
    if (!request.external_id.empty()) params.emplace_back("ExternalId", request.external_id);
    if (request.duration_seconds > 0) params.emplace_back("DurationSeconds", std::to_string(request.duration_seconds));
    if (!request.mfa_serial.empty()) {
        params.emplace_back("SerialNumber", request.mfa_serial);
        params.emplace_back("TokenCode", request.mfa_code);
    }
    QueryClient sts(options);
    const std::string source = options.provider ? sts.options().provider->peek().source : options.credentials.source;
    Credentials c = call_sts(sts, "AssumeRole", params, {request.mfa_code});
    c.source = "role " + request.role_arn + " assumed from " + source;
    return c;
}

Credentials assume_role_with_web_identity(ClientOptions options, const std::string& role_arn,
                                          const std::string& session_name, const std::string& token,
                                          int duration_seconds) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"RoleArn", role_arn},
        {"RoleSessionName", session_name.empty() ? default_session_name() : session_name},
        {"WebIdentityToken", token}};
    if (duration_seconds > 0) params.emplace_back("DurationSeconds", std::to_string(duration_seconds));
    options.credentials = Credentials{};
    options.provider = nullptr; // unsigned: the token is the proof
    QueryClient sts(std::move(options));
    return call_sts(sts, "AssumeRoleWithWebIdentity", params, {token});
}

std::string prompt_mfa_code(const std::string& mfa_serial, const std::string& where) {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        throw InputError("the role of " + where + " needs an MFA code (mfa_serial " + mfa_serial +
                         "), but there is no terminal to ask for it on: run leafsynth on a terminal, or use "
                         "credentials without MFA (a profile without mfa_serial, or exported temporary credentials)");
    // Echo off before the prompt shows, so nothing typed after it can appear.
    termios saved{};
    const bool is_terminal = ::tcgetattr(fd, &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~(ECHO | ECHONL));
        quiet.c_lflag |= ICANON;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    const std::string prompt = "Enter MFA code for " + mfa_serial + ": ";
    (void)!::write(fd, prompt.data(), prompt.size());
    std::string code;
    bool ended = false, interrupted = false;
    char ch = 0;
    while (code.size() < 64) {
        const ssize_t n = ::read(fd, &ch, 1);
        if (n < 0 && errno == EINTR) {
            interrupted = true;
            break;
        }
        if (n <= 0) break;
        if (ch == '\n' || ch == '\r') {
            ended = true;
            break;
        }
        code += ch;
    }
    if (is_terminal) ::tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.pop_back();
    while (!code.empty() && (code.front() == ' ' || code.front() == '\t')) code.erase(0, 1);
    if (interrupted) throw InputError("cancelled while asking for the MFA code of " + where);
    if (code.empty() || !ended)
        throw InputError("no MFA code was entered for " + mfa_serial + " (" + where +
                         "); run again and type the code your MFA device shows");
    return code;
}

} // namespace leafsynth::aws_api
