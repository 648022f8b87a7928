// SSO (IAM Identity Center) profiles, both forms (sso_session with its [sso-session] section, and
// the legacy sso_start_url in the profile): the AWS CLI's cached token (~/.aws/sso/cache/<SHA-1>.json,
// valid, expired, missing) and the portal's GetRoleCredentials against a scripted server (bearer
// token header, role and account in the query), a 401 from the portal; no token in any message.

#include <catch2/catch.hpp>

#include "aws_api/credentials.hpp"
#include "aws_api/sso.hpp"
#include "credential_test_env.hpp"
#include "scripted_server.hpp"

namespace fs = std::filesystem;
using namespace leafsynth::aws_api;

namespace {

const char* kToken = "SsoAccessTokenNeverShown0123456789";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string role_credentials(long expires_in_seconds) {
    const long long ms = (static_cast<long long>(std::time(nullptr)) + expires_in_seconds) * 1000LL;
    return R"({"roleCredentials": {"accessKeyId": "ASIASSOROLE000001", "secretAccessKey": "SsoRoleSecret001",
               "sessionToken": "SsoRoleToken001", "expiration": )" + std::to_string(ms) + "}}";
}

void cache_token(const fs::path& home, const std::string& hash, const std::string& expires_at) {
    write_file(home / ".aws/sso/cache" / (hash + ".json"),
               std::string(R"({"startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1", "accessToken": ")") +
                   kToken + R"(", "expiresAt": ")" + expires_at + "\"}");
}

const char* kConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
                      "region = eu-west-1\n"
                      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-central-1\n"
                      "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-central-1\n"
                      "sso_account_id = 210987654321\nsso_role_name = ReadOnly\n";

} // namespace

TEST_CASE("The SSO token cache file is named by the SHA-1 of the session name, or of the start URL") {
    const auto env = fake_env({{"HOME", "/home/someone"}});
    SsoProfile sso;
    sso.session_name = "corp";
    sso.start_url = "https://corp.awsapps.com/start";
    CHECK(sso_cache_file(sso, env) == "/home/someone/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    sso.session_name.clear();
    CHECK(sso_cache_file(sso, env) == "/home/someone/.aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json");
}

TEST_CASE("An sso_session profile: the cached token, then the portal's role credentials") {
    ScriptedServer portal({{200, role_credentials(3600)}});
    const fs::path home = scratch_home("sso-session");
    write_file(home / ".aws/config", kConfig);
    cache_token(home, "ee0bfd2552fbd840c02cc48b6e823320543c450f", iso_from_now(3600));
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_PROFILE", "dev"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
    const Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIASSOROLE000001");
    CHECK(c.secret_access_key == "SsoRoleSecret001");
    CHECK(c.session_token == "SsoRoleToken001");
    CHECK(c.expiration > std::time(nullptr) + 3500);
    CHECK(c.expiration < std::time(nullptr) + 3700);
    CHECK(c.source == "SSO role Admin in account 123456789012 (profile 'dev' in " + (home / ".aws/config").string() + ")");
    const auto seen = portal.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].head.rfind("GET /federation/credentials?role_name=Admin&account_id=123456789012 HTTP/1.1", 0) == 0);
    CHECK(has(seen[0].head, std::string("\r\nx-amz-sso_bearer_token: ") + kToken));
    CHECK_FALSE(has(seen[0].head, "Authorization"));
}

TEST_CASE("A legacy SSO profile (sso_start_url in the profile), the older cache time format") {
    ScriptedServer portal({{200, role_credentials(900)}});
    const fs::path home = scratch_home("sso-legacy");
    write_file(home / ".aws/config", kConfig);
    std::string later = iso_from_now(3600);
    later = later.substr(0, later.size() - 1) + "UTC"; // as older AWS CLIs wrote it
    cache_token(home, "a51746d4aa793ae07b25e90c3a5db96fc7832bd7", later);
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
    const Credentials c = resolve_credentials(load_settings("legacy", env), env);
    CHECK(c.access_key_id == "ASIASSOROLE000001");
    REQUIRE(portal.seen().size() == 1);
    CHECK(portal.seen()[0].head.rfind("GET /federation/credentials?role_name=ReadOnly&account_id=210987654321 ", 0) == 0);
}

TEST_CASE("SSO without a valid login (expired, missing, refused by the portal): the message says to log in") {
    ScriptedServer portal({{401, std::string("{\"message\":\"Session token not found or invalid (") + kToken + ")\"}"}});
    const fs::path home = scratch_home("sso-expired");
    write_file(home / ".aws/config", kConfig);
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
    auto error = [&](const std::string& profile) {
        return input_error_of([&] { resolve_credentials(load_settings(profile, env), env); });
    };
    // Missing.
    std::string m = error("dev");
    CHECK(has(m, "SSO role Admin in account 123456789012 (profile 'dev' in " + (home / ".aws/config").string() + ")"));
    CHECK(has(m, "no SSO login found"));
    CHECK(has(m, "run `aws sso login --profile dev` (or `aws sso login --sso-session corp`) and run again"));
    m = error("legacy");
    CHECK(has(m, "run `aws sso login --profile legacy` and run again"));
    // Expired.
    cache_token(home, "ee0bfd2552fbd840c02cc48b6e823320543c450f", iso_from_now(-60));
    m = error("dev");
    CHECK(has(m, "the SSO login expired at"));
    CHECK(has(m, "aws sso login --profile dev"));
    CHECK_FALSE(has(m, kToken));
    CHECK(portal.seen().empty());
    // Valid in the cache, refused by the portal.
    cache_token(home, "ee0bfd2552fbd840c02cc48b6e823320543c450f", iso_from_now(3600));
    m = error("dev");
    CHECK(has(m, "refused the cached login"));
    CHECK(has(m, "HTTP 401"));
    CHECK(has(m, "aws sso login --sso-session corp"));
    CHECK_FALSE(has(m, kToken));
    CHECK(portal.seen().size() == 1);
}

TEST_CASE("Incomplete SSO settings: one clear error each") {
    const fs::path home = scratch_home("sso-incomplete");
    write_file(home / ".aws/config", "[profile nosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n"
                                     "[profile norole]\nsso_session = corp\nsso_account_id = 1\n"
                                     "[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n");
    const auto env = fake_env({{"HOME", home.string()}});
    auto error = [&](const std::string& profile) {
        return input_error_of([&] { resolve_credentials(load_settings(profile, env), env); });
    };
    CHECK(has(error("nosession"), "has no [sso-session gone] section"));
    CHECK(has(error("norole"), "has no sso_account_id or sso_role_name"));
}
