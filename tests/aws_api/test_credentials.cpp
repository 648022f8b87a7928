// Credentials and settings as AWS tools find them: environment variables, the shared credentials
// and config files, credential_process (a real process), and the CloudFormation endpoint.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "aws_api/credentials.hpp"
#include "aws_api/deployed_stacks.hpp"
#include "leafsynth/errors.hpp"
#include "scripted_server.hpp"

namespace fs = std::filesystem;
using leafsynth::InputError;
using namespace leafsynth::aws_api;

namespace {

/// A fake environment: only the variables given exist.
leafsynth::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("leafsynth-aws-api-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir / ".aws");
    return dir;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no InputError was thrown");
    return {};
}

/// An ISO 8601 UTC time `seconds` from now.
std::string iso_in(long seconds) {
    const std::time_t t = std::time(nullptr) + seconds;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

/// A credential_process script printing `json`.
fs::path process_script(const fs::path& dir, const std::string& json) {
    const fs::path script = dir / "creds.sh";
    write(script, "#!/bin/sh\ncat <<'EOF'\n" + json + "\nEOF\n");
    ::chmod(script.c_str(), 0755);
    return script;
}

} // namespace

TEST_CASE("Key variables win over AWS_PROFILE, --profile wins over key variables") {
    const fs::path home = scratch("env");
    write(home / ".aws/credentials", "[dev]\naws_access_key_id = AKIDDEVPROFILE1\naws_secret_access_key = devsecret\n");
    const auto env = env_of({{"HOME", home.string()},
                             {"AWS_PROFILE", "dev"},
                             {"AWS_ACCESS_KEY_ID", "AKIDFROMENV12345"},
                             {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                             {"AWS_SESSION_TOKEN", "envtoken"}});
    Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "AKIDFROMENV12345");
    CHECK(c.secret_access_key == "envsecret");
    CHECK(c.session_token == "envtoken");
    CHECK(c.source == "AWS_ACCESS_KEY_ID");
    c = resolve_credentials(load_settings("dev", env), env);
    CHECK(c.access_key_id == "AKIDDEVPROFILE1");
    CHECK(c.secret_access_key == "devsecret");
    CHECK(c.session_token.empty());
    CHECK(c.source == "profile 'dev' in " + (home / ".aws/credentials").string());
}

TEST_CASE("Profiles from the credentials file, then the config file, AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE") {
    const fs::path home = scratch("files");
    write(home / "creds", "# comment\n[default]\naws_access_key_id=AKIDDEFAULT0001\naws_secret_access_key=s1\n"
                          "[other]\naws_access_key_id = AKIDOTHER000001\naws_secret_access_key = s2\n"
                          "aws_session_token = tok2\n");
    write(home / "config", "[default]\nregion = us-west-2\n[profile cfg]\nregion = eu-west-1\n"
                           "aws_access_key_id = AKIDCONFIG00001\naws_secret_access_key = s3\n"
                           "s3 =\n  max_concurrent_requests = 4\n");
    const auto env = env_of({{"HOME", "/nonexistent"},
                             {"AWS_SHARED_CREDENTIALS_FILE", (home / "creds").string()},
                             {"AWS_CONFIG_FILE", (home / "config").string()}});
    CHECK(resolve_credentials(load_settings("", env), env).access_key_id == "AKIDDEFAULT0001");
    const Credentials other = resolve_credentials(load_settings("other", env), env);
    CHECK(other.secret_access_key == "s2");
    CHECK(other.session_token == "tok2");
    const Credentials cfg = resolve_credentials(load_settings("cfg", env), env);
    CHECK(cfg.access_key_id == "AKIDCONFIG00001");
    CHECK(cfg.source == "profile 'cfg' in " + (home / "config").string());
    CHECK(config_value(load_settings("cfg", env), "region") == "eu-west-1");
    CHECK(config_value(load_settings("", env), "region") == "us-west-2");
    CHECK_FALSE(config_value(load_settings("cfg", env), "max_concurrent_requests")); // nested, not a profile key
}

TEST_CASE("credential_process runs without a shell, its JSON is checked, an expired Expiration is an error") {
    const fs::path home = scratch("process");
    const fs::path good = process_script(home, R"({"Version": 1, "AccessKeyId": "ASIAPROCESS00001",
        "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": ")" + iso_in(3600) + "\"}");
    write(home / ".aws/config", "[profile p]\ncredential_process = " + good.string() + " --unused 'two words'\n");
    auto env = env_of({{"HOME", home.string()}, {"AWS_PROFILE", "p"}});
    const Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIAPROCESS00001");
    CHECK(c.secret_access_key == "procsecret");
    CHECK(c.session_token == "proctoken");
    CHECK(c.source == "credential_process of profile 'p' in " + (home / ".aws/config").string());

    const fs::path old = home / "old";
    fs::create_directories(old);
    const fs::path expired = process_script(old, R"({"Version": 1, "AccessKeyId": "ASIAPROCESS00001",
        "SecretAccessKey": "procsecret", "Expiration": ")" + iso_in(-60) + "\"}");
    write(home / ".aws/config", "[profile p]\ncredential_process = " + expired.string() + "\n");
    std::string m = message_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(m.find("expired at") != std::string::npos);
    CHECK(m.find("procsecret") == std::string::npos);

    write(home / ".aws/config", "[profile p]\ncredential_process = /bin/false\n");
    m = message_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(m.find("failed with exit status 1") != std::string::npos);

    const fs::path bad = home / "bad";
    fs::create_directories(bad);
    write(home / ".aws/config", "[profile p]\ncredential_process = " +
                                    process_script(bad, R"({"Version": 2, "AccessKeyId": "x"})").string() + "\n");
    m = message_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(m.find("\"Version\": 1") != std::string::npos);

    write(home / ".aws/config", "[profile p]\ncredential_process = /no/such/program\n");
    m = message_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(m.find("cannot run '/no/such/program'") != std::string::npos);
}

TEST_CASE("Missing credentials and profiles give one clear error saying how to fix it") {
    const fs::path home = scratch("missing");
    auto env = env_of({{"HOME", home.string()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    std::string m = message_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(m.find("no AWS credentials found") != std::string::npos);
    CHECK(m.find("AWS_ACCESS_KEY_ID") != std::string::npos);
    CHECK(m.find("--against DIR") != std::string::npos);

    m = message_of([&] { resolve_credentials(load_settings("nope", env), env); });
    CHECK(m.find("profile 'nope' was not found in " + (home / ".aws/credentials").string()) != std::string::npos);

    auto half = env_of({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDONLY"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    m = message_of([&] { resolve_credentials(load_settings("", half), half); });
    CHECK(m.find("AWS_SECRET_ACCESS_KEY is not") != std::string::npos);

    write(home / ".aws/config", "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
                                "sso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.example/start\n"
                                "sso_region = us-east-1\n");
    m = message_of([&] { resolve_credentials(load_settings("sso", env), env); });
    CHECK(m.find("no SSO login found") != std::string::npos);
    CHECK(m.find("aws sso login --profile sso") != std::string::npos);
}

TEST_CASE("The CloudFormation endpoint: service variable, general variable, profile, then the region's") {
    const fs::path home = scratch("endpoint");
    write(home / ".aws/config", "[profile local]\nendpoint_url = http://127.0.0.1:4566\n");
    auto env = env_of({{"HOME", home.string()}});
    CHECK(cloudformation_endpoint("eu-west-1", "", env) ==
          std::pair<std::string, std::string>("https://cloudformation.eu-west-1.amazonaws.com", "the region"));
    CHECK(cloudformation_endpoint("cn-north-1", "", env).first == "https://cloudformation.cn-north-1.amazonaws.com.cn");
    CHECK(cloudformation_endpoint("eu-west-1", "local", env).first == "http://127.0.0.1:4566");
    env = env_of({{"HOME", home.string()}, {"AWS_ENDPOINT_URL", "http://a:1"}});
    CHECK(cloudformation_endpoint("eu-west-1", "local", env).second == "AWS_ENDPOINT_URL");
    env = env_of({{"HOME", home.string()}, {"AWS_ENDPOINT_URL", "http://a:1"}, {"AWS_ENDPOINT_URL_CLOUDFORMATION", "http://b:2"}});
    CHECK(cloudformation_endpoint("eu-west-1", "", env).first == "http://b:2");
    env = env_of({{"HOME", home.string()}, {"AWS_ENDPOINT_URL", "http://a:1"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
    CHECK(cloudformation_endpoint("eu-west-1", "local", env).second == "the region");
}

TEST_CASE("Access key ids are masked in messages") {
    CHECK(masked_key_id("AKIAIOSFODNN7EXAMPLE") == "AKIA…MPLE");
    CHECK(masked_key_id("short") == "*****");
}

TEST_CASE("A region AWS does not have is an error before any request, unless an endpoint is given") {
    const fs::path home = scratch("region");
    FetchOptions o;
    o.env = env_of({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDFROMENV12345"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
    const std::string m = message_of([&] { fetch_deployed_stacks({{"Game", "us-east-1"}, {"Other", "xx-fake-9"}}, o); });
    CHECK(m == "unknown region 'xx-fake-9' (stack Other): not an AWS region; check --region and the config's "
               "regions, or set AWS_ENDPOINT_URL_CLOUDFORMATION for a region newer than this leafsynth");
}

TEST_CASE("Container credentials: the endpoint the environment names, with its authorization token") {
    ScriptedServer server({{200, R"({"AccessKeyId": "ASIACONTAINER001", "SecretAccessKey": "csecret",
                                     "Token": "ctoken", "Expiration": ")" + iso_in(3600) + "\"}"}});
    const fs::path home = scratch("container");
    write(home / "token", "container-auth-token\n");
    auto env = env_of({{"HOME", home.string()},
                       {"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v2/credentials/abc"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (home / "token").string()}});
    const Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIACONTAINER001");
    CHECK(c.secret_access_key == "csecret");
    CHECK(c.session_token == "ctoken");
    CHECK(c.source == "the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].head.rfind("GET /v2/credentials/abc HTTP/1.1", 0) == 0);
    CHECK(seen[0].head.find("\r\nAuthorization: container-auth-token") != std::string::npos);
}

TEST_CASE("EC2 instance metadata (IMDSv2): a session token, the role, its credentials") {
    ScriptedServer server({{200, "imds-session-token"},
                           {200, "game-host-role\n"},
                           {200, R"({"Code": "Success", "AccessKeyId": "ASIAINSTANCE0001", "SecretAccessKey": "isecret",
                                     "Token": "itoken", "Expiration": ")" + iso_in(3600) + "\"}"}});
    const fs::path home = scratch("imds");
    auto env = env_of({{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url() + "/"}});
    const Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIAINSTANCE0001");
    CHECK(c.session_token == "itoken");
    CHECK(c.source == "the EC2 instance metadata service (role game-host-role)");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].head.rfind("PUT /latest/api/token HTTP/1.1", 0) == 0);
    CHECK(seen[0].head.find("\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600") != std::string::npos);
    CHECK(seen[1].head.rfind("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1", 0) == 0);
    CHECK(seen[2].head.rfind("GET /latest/meta-data/iam/security-credentials/game-host-role HTTP/1.1", 0) == 0);
    for (std::size_t i = 1; i < 3; ++i)
        CHECK(seen[i].head.find("\r\nX-aws-ec2-metadata-token: imds-session-token") != std::string::npos);
}

TEST_CASE("No instance metadata service (or AWS_EC2_METADATA_DISABLED): no credentials, quickly") {
    std::string closed;
    {
        ScriptedServer server({{200, ""}});
        closed = server.url();
    }
    const fs::path home = scratch("no-imds");
    auto env = env_of({{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", closed}});
    CHECK(message_of([&] { resolve_credentials(load_settings("", env), env); }).find("no AWS credentials found") == 0);
    ScriptedServer server({{200, "token"}});
    env = env_of({{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()},
                  {"AWS_EC2_METADATA_DISABLED", "true"}});
    CHECK(message_of([&] { resolve_credentials(load_settings("", env), env); }).find("no AWS credentials found") == 0);
    CHECK(server.seen().empty());
}
