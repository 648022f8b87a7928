#include "aws_api/credentials.hpp"

#include <curl/curl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "aws_api/assume_role.hpp"
#include "aws_api/credential_provider.hpp"
#include "aws_api/sso.hpp"
#include "leafsynth/errors.hpp"

extern char** environ;

namespace leafsynth::aws_api {

namespace {

using Section = std::map<std::string, std::string>;

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// One section of an INI-style AWS file (`[name]`), keys lower-cased; nullopt when absent.
/// Indented lines continue a nested setting (e.g. `s3 =` blocks) and are skipped.
std::optional<Section> read_section(const std::string& path, const std::vector<std::string>& names) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::optional<Section> found;
    bool inside = false;
    std::string raw;
    while (std::getline(in, raw)) {
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            const std::string name = trim(line.substr(1, line.size() - 2));
            inside = false;
            for (const auto& n : names) inside = inside || name == n;
            if (inside && !found) found = Section{};
            continue;
        }
        if (!inside || raw[0] == ' ' || raw[0] == '\t') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = trim(line.substr(0, eq));
        for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        (*found)[key] = trim(line.substr(eq + 1));
    }
    return found;
}

std::optional<Section> credentials_section(const AwsSettings& s, const std::string& profile) {
    return read_section(s.credentials_file, {profile});
}

std::optional<Section> config_section(const AwsSettings& s, const std::string& profile) {
    if (profile == "default") return read_section(s.config_file, {"default", "profile default"});
    return read_section(s.config_file, {"profile " + profile});
}

std::string get(const Section& s, const std::string& key) {
    auto it = s.find(key);
    return it == s.end() ? std::string() : it->second;
}

/// Splits a command line the way a POSIX shell splits words (quotes and backslashes), without
/// expanding anything: `credential_process` runs without a shell, as in the AWS CLI.
std::vector<std::string> split_command(const std::string& command) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (quote) {
            if (c == quote) quote = 0;
            else if (c == '\\' && quote == '"' && i + 1 < command.size()) word += command[++i];
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote) throw InputError("unbalanced quote");
    if (in_word) words.push_back(word);
    return words;
}

/// Runs `argv` and returns its standard output and exit status (its stderr passes through).
std::pair<std::string, int> run_process(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe(fds) != 0) throw InputError(std::string("cannot create a pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        throw InputError("cannot run '" + argv[0] + "': " + std::strerror(rc));
    }
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) out.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR) break;
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0)};
}

} // namespace

std::optional<std::time_t> parse_iso8601(const std::string& text) {
    std::tm tm{};
    int offset_h = 0, offset_m = 0;
    char sign = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::size_t i = 19;
    if (i < text.size() && text[i] == '.')
        while (++i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        }
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        sign = text[i];
        if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &offset_h, &offset_m) != 2) return std::nullopt;
    } else if (i < text.size() && text[i] != 'Z') {
        return std::nullopt;
    }
    std::time_t t = ::timegm(&tm);
    const long offset = (offset_h * 60L + offset_m) * 60L;
    return sign == '+' ? t - offset : sign == '-' ? t + offset : t;
}

namespace {

Credentials from_process(const std::string& command, const std::string& where) {
    const std::string what = "credential_process of " + where;
    std::vector<std::string> argv;
    try {
        argv = split_command(command);
    } catch (const InputError& e) {
        throw InputError(what + ": " + e.what() + " in the command; fix it in the config file");
    }
    if (argv.empty()) throw InputError(what + " is empty; give the command to run, or remove the setting");
    auto [out, status] = run_process(argv);
    if (status != 0)
        throw InputError(what + " ('" + argv[0] + "') failed with exit status " + std::to_string(status) +
                         " (its messages are above); run it by hand to see why");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(out);
    } catch (const nlohmann::json::exception&) {
        throw InputError(what + " ('" + argv[0] + "') did not print JSON; it must print "
                         "{\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}");
    }
    if (!doc.is_object() || doc.value("Version", 0) != 1)
        throw InputError(what + " printed JSON without \"Version\": 1 (the only version AWS tools accept)");
    Credentials c;
    c.access_key_id = doc.value("AccessKeyId", std::string());
    c.secret_access_key = doc.value("SecretAccessKey", std::string());
    c.session_token = doc.value("SessionToken", std::string());
    c.source = what;
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw InputError(what + " printed no AccessKeyId or SecretAccessKey");
    if (doc.contains("Expiration") && doc["Expiration"].is_string()) {
        const std::string exp = doc["Expiration"].get<std::string>();
        const auto t = parse_iso8601(exp);
        if (!t) throw InputError(what + " printed an Expiration that is not an ISO 8601 time: '" + exp + "'");
        if (*t <= std::time(nullptr))
            throw InputError("the credentials from " + what + " expired at " + exp +
                             "; refresh them (e.g. log in again) and run again");
        c.expiration = *t;
    }
    return c;
}

/// A small HTTP request for the credential endpoints: the status and body, or nullopt when
/// the endpoint cannot be reached (`error` says why).
struct HttpAnswer {
    long status = 0;
    std::string body;
};

size_t append_answer(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::optional<HttpAnswer> http_request(const std::string& method, const std::string& url,
                                       const std::vector<std::string>& headers, long timeout_ms, std::string& error) {
    CURL* curl = curl_easy_init();
    if (!curl) {
        error = "curl_easy_init failed";
        return std::nullopt;
    }
    HttpAnswer answer;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*"); // link-local and local endpoints: never through a proxy
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
        error = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
        return std::nullopt;
    }
    return answer;
}

/// Credentials from the JSON the container and instance endpoints answer with
/// (AccessKeyId, SecretAccessKey, Token, Expiration); throws InputError naming `what`.
Credentials from_endpoint_json(const std::string& body, const std::string& what) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
        throw InputError(what + " did not answer with JSON credentials");
    }
    Credentials c;
    c.access_key_id = doc.is_object() ? doc.value("AccessKeyId", std::string()) : "";
    c.secret_access_key = doc.is_object() ? doc.value("SecretAccessKey", std::string()) : "";
    c.session_token = doc.is_object() ? doc.value("Token", std::string()) : "";
    c.source = what;
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw InputError(what + " answered without AccessKeyId or SecretAccessKey");
    if (doc.contains("Expiration") && doc["Expiration"].is_string()) {
        const auto t = parse_iso8601(doc["Expiration"].get<std::string>());
        if (t && *t <= std::time(nullptr))
            throw InputError("the credentials from " + what + " expired at " + doc["Expiration"].get<std::string>());
        if (t) c.expiration = *t;
    }
    return c;
}

/// The ECS / EKS / CodeBuild container credentials endpoint, when the environment names one.
std::optional<Credentials> from_container(const EnvLookup& env) {
    std::string url, variable;
    if (auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && !full->empty()) {
        url = *full;
        variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    } else if (auto rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel && !rel->empty()) {
        url = "http://169.254.170.2" + *rel;
        variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    } else {
        return std::nullopt;
    }
    std::vector<std::string> headers;
    std::string token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
    if (auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
        std::ifstream in(*file);
        if (!in) throw InputError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names '" + *file + "', which cannot be read");
        std::getline(in, token);
    }
    if (!token.empty()) headers.push_back("Authorization: " + token);
    const std::string what = "the container credentials endpoint (" + variable + ")";
    std::string error;
    const auto answer = http_request("GET", url, headers, 5000, error);
    if (!answer) throw InputError("cannot get credentials from " + what + " " + url + ": " + error);
    if (answer->status != 200)
        throw InputError(what + " " + url + " answered HTTP " + std::to_string(answer->status));
    return from_endpoint_json(answer->body, what);
}

/// The EC2 instance metadata service (IMDSv2: a session token first), unless
/// AWS_EC2_METADATA_DISABLED is true. Not there (not on EC2): nullopt, quickly.
std::optional<Credentials> from_instance_metadata(const EnvLookup& env) {
    if (auto off = env("AWS_EC2_METADATA_DISABLED"); off && (*off == "true" || *off == "TRUE" || *off == "True"))
        return std::nullopt;
    std::string base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
    if (base.empty()) base = "http://169.254.169.254";
    if (base.ends_with("/")) base.pop_back();
    constexpr long kTimeoutMs = 1000; // as the AWS SDKs: a machine without IMDS must not wait long
    std::string error;
    const auto token = http_request("PUT", base + "/latest/api/token",
                                    {"X-aws-ec2-metadata-token-ttl-seconds: 21600"}, kTimeoutMs, error);
    if (!token || token->status != 200 || token->body.empty()) return std::nullopt;
    const std::vector<std::string> headers = {"X-aws-ec2-metadata-token: " + token->body};
    const std::string path = base + "/latest/meta-data/iam/security-credentials/";
    const auto roles = http_request("GET", path, headers, kTimeoutMs, error);
    if (!roles || roles->status != 200) return std::nullopt; // no instance profile
    const std::string role = trim(roles->body.substr(0, roles->body.find('\n')));
    if (role.empty()) return std::nullopt;
    const std::string what = "the EC2 instance metadata service (role " + role + ")";
    const auto creds = http_request("GET", path + role, headers, kTimeoutMs, error);
    if (!creds || creds->status != 200) throw InputError("cannot get credentials from " + what + ": " +
                                                         (creds ? "HTTP " + std::to_string(creds->status) : error));
    return from_endpoint_json(creds->body, what);
}

} // namespace

AwsSettings load_settings(const std::string& profile_flag, const EnvLookup& env) {
    AwsSettings s;
    auto nonempty = [&](const char* name) {
        auto v = env(name);
        return v && !v->empty() ? v : std::nullopt;
    };
    if (!profile_flag.empty()) {
        s.profile = profile_flag;
        s.profile_explicit = true;
    } else if (auto p = nonempty("AWS_PROFILE")) {
        s.profile = *p;
    } else {
        s.profile = "default";
    }
    const std::string home = nonempty("HOME").value_or("");
    s.credentials_file = nonempty("AWS_SHARED_CREDENTIALS_FILE").value_or(home.empty() ? "" : home + "/.aws/credentials");
    s.config_file = nonempty("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
    return s;
}

std::optional<std::string> config_value(const AwsSettings& settings, const std::string& key) {
    auto section = config_section(settings, settings.profile);
    if (!section) return std::nullopt;
    auto it = section->find(key);
    if (it == section->end() || it->second.empty()) return std::nullopt;
    return it->second;
}

namespace {

/// What one resolution needs: the settings, the environment, how to call STS and SSO.
struct Chain {
    const AwsSettings& settings;
    const EnvLookup& env;
    const ResolveOptions& options;
};

/// A profile of the shared files: its section of the credentials file and of the config file.
struct Profile {
    std::string name;
    std::optional<Section> creds;  // [NAME] in the credentials file
    std::optional<Section> config; // [profile NAME] (or [default]) in the config file
    const AwsSettings* settings = nullptr;

    bool exists() const { return creds || config; }
    /// The value of `key`: the credentials file's, else the config file's; empty when absent.
    std::string value(const std::string& key) const {
        if (creds && !get(*creds, key).empty()) return get(*creds, key);
        return config ? get(*config, key) : std::string();
    }
    /// `profile 'NAME' in FILE`, FILE the one that has `key` (the config file when both or neither do).
    std::string where(const std::string& key = "") const {
        const bool in_config = config && !key.empty() && !get(*config, key).empty();
        const bool in_creds = creds && !key.empty() && !get(*creds, key).empty();
        const bool creds_file = in_creds ? !in_config : (!config && creds);
        return "profile '" + name + "' in " + (creds_file ? settings->credentials_file : settings->config_file);
    }
};

Profile load_profile(const AwsSettings& settings, const std::string& name) {
    return Profile{name, credentials_section(settings, name), config_section(settings, name), &settings};
}

/// The profile's static keys: in the credentials file, else in the config file.
std::optional<Credentials> static_keys(const Profile& p) {
    auto from = [&](const std::optional<Section>& s, const std::string& file) -> std::optional<Credentials> {
        if (!s) return std::nullopt;
        const std::string id = get(*s, "aws_access_key_id"), secret = get(*s, "aws_secret_access_key");
        if (id.empty() && secret.empty()) return std::nullopt;
        const std::string where = "profile '" + p.name + "' in " + file;
        if (id.empty() || secret.empty())
            throw InputError(where + " has only one of aws_access_key_id and aws_secret_access_key: give both");
        return Credentials{id, secret, get(*s, "aws_session_token"), where, 0};
    };
    if (auto c = from(p.creds, p.settings->credentials_file)) return c;
    return from(p.config, p.settings->config_file);
}

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), or nullopt when not set.
std::optional<Credentials> env_keys(const EnvLookup& env) {
    auto id = env("AWS_ACCESS_KEY_ID");
    auto secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id || id->empty()) return std::nullopt;
    if (!secret || secret->empty())
        throw InputError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset "
                         "AWS_ACCESS_KEY_ID to use a profile");
    Credentials c{*id, *secret, env("AWS_SESSION_TOKEN").value_or(""), "AWS_ACCESS_KEY_ID", 0};
    if (c.session_token.empty()) c.session_token = env("AWS_SECURITY_TOKEN").value_or("");
    return c;
}

/// `duration_seconds` of a profile: 0 when absent, else 900 to 43200.
int duration_of(const Profile& p) {
    const std::string v = p.value("duration_seconds");
    if (v.empty()) return 0;
    try {
        std::size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size() && n >= 900 && n <= 43200) return n;
    } catch (const std::exception&) {
    }
    throw InputError("duration_seconds of " + p.where("duration_seconds") + " is " + quote_excerpt(v, 20) +
                     ": give the session's length in seconds, from 900 to 43200");
}

/// Throws the InputError for an STS call that failed while assuming `what`.
[[noreturn]] void sts_failed(const std::string& what, const ClientOptions& sts, const Credentials& source,
                             const std::exception& e, bool api_error) {
    const std::string by = source.access_key_id.empty()
                               ? std::string()
                               : " with the credentials from " + source.source + " (access key " +
                                     masked_key_id(source.access_key_id) + ")";
    if (!api_error) throw InputError("cannot assume " + what + by + ": " + e.what());
    throw InputError("cannot assume " + what + by + ": STS " + sts.endpoint + " answered " + e.what() +
                     "; check the role's ARN and its trust policy, and that these credentials may assume it");
}

/// The role's credentials with the web identity token in `token_file` (read at each call: such
/// files are rotated).
Credentials from_web_identity(const Chain& chain, const std::string& role_arn, const std::string& token_file,
                              const std::string& session_name, int duration, const std::string& where) {
    std::ifstream in(token_file);
    if (!in)
        throw InputError("the web identity token file '" + token_file + "' of " + where +
                         " cannot be read: check the path (web_identity_token_file / AWS_WEB_IDENTITY_TOKEN_FILE)");
    std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    token = trim(token);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token = trim(token.substr(0, token.size() - 1));
    if (token.empty()) throw InputError("the web identity token file '" + token_file + "' of " + where + " is empty");
    const ClientOptions sts = sts_options(sts_region(chain.settings, chain.env), chain.settings.profile, chain.env,
                                          Credentials{}, chain.options);
    const std::string what = "role " + role_arn + " (" + where + ") with the web identity token in '" + token_file + "'";
    try {
        Credentials c = assume_role_with_web_identity(sts, role_arn, session_name, token, duration);
        c.source = "role " + role_arn + " assumed with the web identity token of " + where;
        return c;
    } catch (const ApiError& e) {
        sts_failed(what, sts, Credentials{}, e, true);
    } catch (const TransportError& e) {
        sts_failed(what, sts, Credentials{}, e, false);
    }
}

std::string chain_text(const std::vector<std::string>& names) {
    std::string text = "profile";
    for (std::size_t i = 0; i < names.size(); ++i) text += (i ? " → " : " ") + names[i];
    return text;
}

std::optional<Credentials> resolve_profile(const Chain& chain, const Profile& p, std::vector<std::string> visited,
                                           bool top);

/// The credentials the role of profile `p` is assumed with: its source_profile's (followed,
/// `visited` the profiles on the way) or its credential_source's.
Credentials role_source(const Chain& chain, const Profile& p, const std::vector<std::string>& visited) {
    const std::string source_profile = p.value("source_profile");
    const std::string credential_source = p.value("credential_source");
    if (!source_profile.empty() && !credential_source.empty())
        throw InputError(p.where("role_arn") + " has both source_profile and credential_source: give only one");
    if (!source_profile.empty()) {
        std::vector<std::string> path = visited;
        path.push_back(p.name);
        if (source_profile == p.name) {
            // As the AWS CLI: a profile that is its own source uses its static keys.
            if (auto keys = static_keys(p)) return *keys;
            path.push_back(source_profile);
            throw InputError("source_profile cycle: " + chain_text(path) + " (" + p.where("source_profile") +
                             "): give the profile aws_access_key_id and aws_secret_access_key, or another source");
        }
        if (std::find(path.begin(), path.end(), source_profile) != path.end()) {
            path.push_back(source_profile);
            throw InputError("source_profile cycle: " + chain_text(path) + " (in " + chain.settings.config_file +
                             "): end the chain with a profile that has static keys or a credential_source");
        }
        const Profile source = load_profile(chain.settings, source_profile);
        if (!source.exists())
            throw InputError("source_profile '" + source_profile + "' of " + p.where("source_profile") +
                             " was not found in " + chain.settings.credentials_file + " or " +
                             chain.settings.config_file + ": check the name or add the profile");
        if (auto c = resolve_profile(chain, source, path, false)) return *c;
        throw InputError("source_profile '" + source_profile + "' of " + p.where("source_profile") +
                         " has no credentials: give it aws_access_key_id and aws_secret_access_key, a role_arn, "
                         "SSO settings or a credential_process");
    }
    const std::string where = "credential_source " + credential_source + " of " + p.where("credential_source");
    if (credential_source == "Environment") {
        if (auto c = env_keys(chain.env)) {
            c->source = "AWS_ACCESS_KEY_ID (" + where + ")";
            return *c;
        }
        throw InputError(where + ": AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; set them, or use "
                         "another credential_source or a source_profile");
    }
    if (credential_source == "Ec2InstanceMetadata") {
        if (auto c = from_instance_metadata(chain.env)) return *c;
        throw InputError(where + ": the EC2 instance metadata service gave no role credentials (not on EC2, no "
                         "instance profile, or AWS_EC2_METADATA_DISABLED); use another credential_source or a "
                         "source_profile");
    }
    if (credential_source == "EcsContainer") {
        if (auto c = from_container(chain.env)) return *c;
        throw InputError(where + ": neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor _RELATIVE_URI is set (not in "
                         "a container with a task role); use another credential_source or a source_profile");
    }
    if (!credential_source.empty())
        throw InputError("credential_source of " + p.where("credential_source") + " is " +
                         quote_excerpt(credential_source, 40) +
                         ": give Environment, Ec2InstanceMetadata or EcsContainer, or use a source_profile");
    throw InputError(p.where("role_arn") + " has a role_arn but neither source_profile nor credential_source: "
                     "name the profile whose credentials assume the role (source_profile = NAME), or a "
                     "credential_source (Environment, Ec2InstanceMetadata, EcsContainer)");
}

/// The role of profile `p`, assumed with its source's credentials.
Credentials assume_profile_role(const Chain& chain, const Profile& p, const std::vector<std::string>& visited) {
    const std::string role_arn = p.value("role_arn");
    const std::string where = p.where("role_arn");
    AssumeRoleRequest request;
    request.role_arn = role_arn;
    request.session_name = p.value("role_session_name");
    request.external_id = p.value("external_id");
    request.duration_seconds = duration_of(p);
    request.mfa_serial = p.value("mfa_serial");
    const Credentials source = role_source(chain, p, visited);
    if (!request.mfa_serial.empty())
        request.mfa_code = chain.options.mfa_prompt ? chain.options.mfa_prompt(request.mfa_serial, where)
                                                    : prompt_mfa_code(request.mfa_serial, where);
    const ClientOptions sts =
        sts_options(sts_region(chain.settings, chain.env), chain.settings.profile, chain.env, source, chain.options);
    try {
        Credentials c = assume_role(sts, request);
        c.source = "role " + role_arn + " of " + where + " (assumed with the credentials from " + source.source + ")";
        return c;
    } catch (const ApiError& e) {
        sts_failed("role " + role_arn + " of " + where, sts, source, e, true);
    } catch (const TransportError& e) {
        sts_failed("role " + role_arn + " of " + where, sts, source, e, false);
    }
}

/// The SSO role of profile `p` (sso_session, or the legacy sso_start_url form).
Credentials sso_profile(const Chain& chain, const Profile& p) {
    SsoProfile sso;
    sso.profile = p.name;
    sso.config_file = chain.settings.config_file;
    sso.session_name = p.value("sso_session");
    sso.account_id = p.value("sso_account_id");
    sso.role_name = p.value("sso_role_name");
    const std::string where = p.where("sso_account_id");
    if (!sso.session_name.empty()) {
        const auto session = read_section(chain.settings.config_file, {"sso-session " + sso.session_name});
        if (!session)
            throw InputError(where + " names sso_session '" + sso.session_name + "', but " + chain.settings.config_file +
                             " has no [sso-session " + sso.session_name + "] section: add it (aws configure sso)");
        sso.start_url = get(*session, "sso_start_url");
        sso.sso_region = get(*session, "sso_region");
        if (sso.start_url.empty() || sso.sso_region.empty())
            throw InputError("[sso-session " + sso.session_name + "] in " + chain.settings.config_file +
                             " needs sso_start_url and sso_region");
    } else {
        sso.start_url = p.value("sso_start_url");
        sso.sso_region = p.value("sso_region");
        if (sso.start_url.empty() || sso.sso_region.empty())
            throw InputError(where + " has only part of the SSO settings: give sso_start_url and sso_region "
                             "(or an sso_session), sso_account_id and sso_role_name");
    }
    if (sso.account_id.empty() || sso.role_name.empty())
        throw InputError(where + " uses SSO but has no sso_account_id or sso_role_name: give both (the account and "
                         "the permission set's role to use)");
    return sso_role_credentials(sso, chain.env, chain.options);
}

/// The credentials of profile `p`, or nullopt when it has none; `top` for the profile asked for
/// (a role wins over static keys there; a source profile's static keys win over its role, as the
/// AWS CLI has it).
std::optional<Credentials> resolve_profile(const Chain& chain, const Profile& p, std::vector<std::string> visited,
                                           bool top) {
    if (!top)
        if (auto keys = static_keys(p)) return keys;
    const std::string role_arn = p.value("role_arn");
    if (!role_arn.empty()) {
        const std::string token_file = p.value("web_identity_token_file");
        if (!token_file.empty())
            return from_web_identity(chain, role_arn, token_file, p.value("role_session_name"), duration_of(p),
                                     p.where("web_identity_token_file"));
        return assume_profile_role(chain, p, visited);
    }
    if (!p.value("sso_session").empty() || !p.value("sso_start_url").empty() || !p.value("sso_account_id").empty())
        return sso_profile(chain, p);
    if (auto keys = static_keys(p)) return keys;
    if (p.config) {
        const std::string process = get(*p.config, "credential_process");
        if (!process.empty()) return from_process(process, "profile '" + p.name + "' in " + chain.settings.config_file);
    }
    if (!p.value("web_identity_token_file").empty())
        throw InputError(p.where("web_identity_token_file") + " has a web_identity_token_file but no role_arn: give "
                         "the role to assume with the token");
    return std::nullopt;
}

/// The whole chain, once.
Credentials resolve_chain(const AwsSettings& settings, const EnvLookup& env, const ResolveOptions& options) {
    const Chain chain{settings, env, options};
    if (!settings.profile_explicit) {
        if (auto c = env_keys(env)) return *c;
        const auto token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
        const auto role_arn = env("AWS_ROLE_ARN");
        if (token_file && !token_file->empty() && role_arn && !role_arn->empty())
            return from_web_identity(chain, *role_arn, *token_file, env("AWS_ROLE_SESSION_NAME").value_or(""), 0,
                                     "AWS_WEB_IDENTITY_TOKEN_FILE");
    }
    const Profile profile = load_profile(settings, settings.profile);
    const std::string profile_label = "profile '" + settings.profile + "'";
    if (auto c = resolve_profile(chain, profile, {}, true)) return *c;
    if (profile.creds && !profile.config && profile.creds->empty())
        throw InputError(profile_label + " in " + settings.credentials_file + " has no aws_access_key_id");
    if (settings.profile_explicit || settings.profile != "default") {
        if (!profile.exists())
            throw InputError(profile_label + " was not found in " +
                             (settings.credentials_file.empty() ? "~/.aws/credentials" : settings.credentials_file) +
                             " or " + (settings.config_file.empty() ? "~/.aws/config" : settings.config_file) +
                             ": check the name (--profile / AWS_PROFILE) or add the profile");
        throw InputError(profile_label + " has no credentials: give it aws_access_key_id and aws_secret_access_key, "
                         "a role_arn with a source_profile, SSO settings, or a credential_process");
    }
    // Last, as in the AWS SDKs: a container's or an EC2 instance's role.
    if (auto c = from_container(env)) return *c;
    if (auto c = from_instance_metadata(env)) return *c;
    throw InputError("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile "
                     "(--profile NAME or AWS_PROFILE) from " +
                     (settings.credentials_file.empty() ? "~/.aws/credentials" : settings.credentials_file) +
                     " or " + (settings.config_file.empty() ? "~/.aws/config" : settings.config_file) +
                     " (no container or EC2 instance role either); or compare offline with --against DIR");
}

/// The options with the CA bundle filled in from AWS_CA_BUNDLE or the profile's ca_bundle.
ResolveOptions completed(const AwsSettings& settings, const EnvLookup& env, ResolveOptions options) {
    if (options.ca_bundle.empty()) {
        if (auto v = env("AWS_CA_BUNDLE"); v && !v->empty()) options.ca_bundle = *v;
        else if (auto c = config_value(settings, "ca_bundle")) options.ca_bundle = *c;
    }
    return options;
}

} // namespace

Credentials resolve_credentials(const AwsSettings& settings, const EnvLookup& env, const ResolveOptions& options) {
    return resolve_chain(settings, env, completed(settings, env, options));
}

std::shared_ptr<CredentialProvider> resolve_credential_provider(const AwsSettings& settings, const EnvLookup& env,
                                                                const ResolveOptions& options) {
    const ResolveOptions resolve = completed(settings, env, options);
    Credentials first = resolve_chain(settings, env, resolve);
    if (first.expiration == 0) return std::make_shared<CredentialProvider>(std::move(first));
    // Temporary credentials: fetched again the same way, from the start of the chain.
    CredentialProvider::Fetch fetch = [settings, env, resolve] { return resolve_chain(settings, env, resolve); };
    return std::make_shared<CredentialProvider>(std::move(first), std::move(fetch));
}

std::string masked_key_id(const std::string& id) {
    if (id.size() <= 8) return std::string(id.size(), '*');
    return id.substr(0, 4) + "…" + id.substr(id.size() - 4);
}

} // namespace leafsynth::aws_api
