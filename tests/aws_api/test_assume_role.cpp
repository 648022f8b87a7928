// Assumed roles and web identity as the AWS CLI resolves them, against a scripted STS on
// 127.0.0.1: source_profile chains (each hop signed with the previous hop's keys), credential_source,
// cycles, refused roles, MFA codes, AssumeRoleWithWebIdentity from a profile and from the
// environment; the refreshing CredentialProvider (one refresh for many threads, the HTTP layer
// signing with the refreshed keys); Session::assume for bootstrap roles. No secret in any message.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "aws_api/credential_provider.hpp"
#include "aws_api/credentials.hpp"
#include "aws_api/query_client.hpp"
#include "aws_api/session.hpp"
#include "credential_test_env.hpp"
#include "scripted_server.hpp"
#include "test_client_options.hpp"

namespace fs = std::filesystem;
using namespace leafsynth::aws_api;

namespace {

const char* kBaseSecret = "BaseSecretNeverShown0123456789";

/// A home with a `[base]` key pair in the credentials file and `config` as the config file.
fs::path home_with(const std::string& name, const std::string& config) {
    const fs::path home = scratch_home(name);
    write_file(home / ".aws/credentials",
               std::string("[base]\naws_access_key_id = AKIDBASE000000001\naws_secret_access_key = ") + kBaseSecret +
                   "\n");
    write_file(home / ".aws/config", config);
    return home;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("A role chain through source_profile: each hop is signed with the previous hop's keys") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIAFIRSTHOP00001", "FirstHopSecret0001", "FirstHopToken0001")},
                        {200, sts_answer("AssumeRole", "ASIASECONDHOP0001", "SecondHopSecret001", "SecondHopToken001")}});
    const fs::path home = home_with("chain", "[profile hop1]\nrole_arn = arn:aws:iam::111111111111:role/first\n"
                                             "source_profile = base\n"
                                             "[profile hop2]\nrole_arn = arn:aws:iam::222222222222:role/second\n"
                                             "source_profile = hop1\nexternal_id = ext-42\n"
                                             "role_session_name = deploy-session\nduration_seconds = 1800\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_PROFILE", "hop2"}, {"AWS_REGION", "eu-west-1"},
                               {"AWS_ENDPOINT_URL_STS", sts.url()}});
    const Credentials c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIASECONDHOP0001");
    CHECK(c.secret_access_key == "SecondHopSecret001");
    CHECK(c.session_token == "SecondHopToken001");
    CHECK(c.expiration > std::time(nullptr) + 3000);
    CHECK(c.source == "role arn:aws:iam::222222222222:role/second of profile 'hop2' in " +
                          (home / ".aws/config").string() +
                          " (assumed with the credentials from role arn:aws:iam::111111111111:role/first of profile "
                          "'hop1' in " + (home / ".aws/config").string() +
                          " (assumed with the credentials from profile 'base' in " +
                          (home / ".aws/credentials").string() + "))");
    const auto seen = sts.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].head.rfind("POST / HTTP/1.1", 0) == 0);
    CHECK(signed_key(seen[0].head) == "AKIDBASE000000001");
    CHECK(has(seen[0].head, "/eu-west-1/sts/aws4_request"));
    CHECK_FALSE(has(seen[0].head, "X-Amz-Security-Token"));
    CHECK(has(seen[0].body, "Action=AssumeRole&Version=2011-06-15"));
    CHECK(has(seen[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Ffirst"));
    CHECK(has(seen[0].body, "RoleSessionName=leafsynth-"));
    CHECK_FALSE(has(seen[0].body, "ExternalId"));
    CHECK_FALSE(has(seen[0].body, "DurationSeconds"));
    // The second hop: signed with the first hop's temporary keys and their session token.
    CHECK(signed_key(seen[1].head) == "ASIAFIRSTHOP00001");
    CHECK(has(seen[1].head, "\r\nX-Amz-Security-Token: FirstHopToken0001"));
    CHECK(has(seen[1].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fsecond"));
    CHECK(has(seen[1].body, "ExternalId=ext-42"));
    CHECK(has(seen[1].body, "RoleSessionName=deploy-session"));
    CHECK(has(seen[1].body, "DurationSeconds=1800"));
}

TEST_CASE("credential_source Environment assumes the role with the key variables") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIAENVROLE000001", "EnvRoleSecret0001", "EnvRoleToken0001")}});
    const fs::path home = home_with("envsource", "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\n"
                                                 "credential_source = Environment\nregion = ap-south-1\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDFROMENV000001"},
                               {"AWS_SECRET_ACCESS_KEY", "EnvSecretNeverShown"}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    const Credentials c = resolve_credentials(load_settings("ci", env), env);
    CHECK(c.access_key_id == "ASIAENVROLE000001");
    CHECK(has(c.source, "assumed with the credentials from AWS_ACCESS_KEY_ID (credential_source Environment"));
    const auto seen = sts.seen();
    REQUIRE(seen.size() == 1);
    CHECK(signed_key(seen[0].head) == "AKIDFROMENV000001");
    CHECK(has(seen[0].head, "/ap-south-1/sts/aws4_request")); // the profile's region
    CHECK(has(seen[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fci"));

    // Without the variables: a clear error, no request.
    const auto bare = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    const std::string m = input_error_of([&] { resolve_credentials(load_settings("ci", bare), bare); });
    CHECK(has(m, "credential_source Environment of profile 'ci'"));
    CHECK(has(m, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"));
    CHECK(sts.seen().size() == 1);
}

TEST_CASE("source_profile cycles are errors showing the cycle, a profile that is its own source uses its keys") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIASELFROLE00001", "SelfRoleSecret001", "SelfRoleToken001")}});
    const fs::path home = home_with("cycle", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                                             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
                                             "[profile s]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = s\n"
                                             "[profile self]\nrole_arn = arn:aws:iam::1:role/self\n"
                                             "source_profile = self\naws_access_key_id = AKIDSELFKEYS00001\n"
                                             "aws_secret_access_key = SelfSecretNeverShown\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    std::string m = input_error_of([&] { resolve_credentials(load_settings("a", env), env); });
    CHECK(has(m, "source_profile cycle: profile a → b → a"));
    CHECK(has(m, (home / ".aws/config").string()));
    m = input_error_of([&] { resolve_credentials(load_settings("s", env), env); });
    CHECK(has(m, "source_profile cycle: profile s → s"));
    CHECK(sts.seen().empty());

    const Credentials c = resolve_credentials(load_settings("self", env), env);
    CHECK(c.access_key_id == "ASIASELFROLE00001");
    const auto seen = sts.seen();
    REQUIRE(seen.size() == 1);
    CHECK(signed_key(seen[0].head) == "AKIDSELFKEYS00001");
    CHECK(has(seen[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fself"));
}

TEST_CASE("A role STS refuses: one error naming the role and the profile, no secret or MFA code") {
    const std::string denied =
        error_body("AccessDenied", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
                                   "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin (echo: "
                                   "X-Amz-Security-Token: SourceTokenNeverShown1 TokenCode=864213 secret " +
                                   std::string(kBaseSecret) + ")");
    ScriptedServer sts({{403, denied}});
    const fs::path home = home_with("denied", "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
                                              "source_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/dev\n");
    write_file(home / ".aws/credentials", std::string("[base]\naws_access_key_id = AKIDBASE000000001\n"
                                                      "aws_secret_access_key = ") + kBaseSecret +
                                              "\naws_session_token = SourceTokenNeverShown1\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    ResolveOptions options;
    std::string asked_for;
    options.mfa_prompt = [&](const std::string& serial, const std::string& where) {
        asked_for = serial + " | " + where;
        return std::string("864213");
    };
    const std::string m = input_error_of([&] { resolve_credentials(load_settings("admin", env), env, options); });
    CHECK(asked_for == "arn:aws:iam::123456789012:mfa/dev | profile 'admin' in " + (home / ".aws/config").string());
    CHECK(has(m, "cannot assume role arn:aws:iam::123456789012:role/admin of profile 'admin' in " +
                     (home / ".aws/config").string()));
    CHECK(has(m, "with the credentials from profile 'base' in " + (home / ".aws/credentials").string() +
                     " (access key AKID…0001)"));
    CHECK(has(m, "HTTP 403 AccessDenied"));
    CHECK(has(m, "is not authorized to perform: sts:AssumeRole"));
    CHECK(has(m, "trust policy"));
    CHECK_FALSE(has(m, kBaseSecret));
    CHECK_FALSE(has(m, "SourceTokenNeverShown1"));
    CHECK_FALSE(has(m, "864213"));
    CHECK(m.find('\n') == std::string::npos);
    const auto seen = sts.seen();
    REQUIRE(seen.size() == 1); // 403 is not retried
    CHECK(has(seen[0].body, "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fdev"));
    CHECK(has(seen[0].body, "TokenCode=864213"));
}

TEST_CASE("Inconsistent role profiles: one clear error each") {
    const fs::path home = home_with("badrole", "[profile none]\nrole_arn = arn:aws:iam::1:role/x\n"
                                               "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
                                               "credential_source = Environment\n"
                                               "[profile odd]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Moon\n"
                                               "[profile lost]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = gone\n"
                                               "[profile long]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
                                               "duration_seconds = 99999\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"}});
    auto error = [&](const std::string& profile) {
        return input_error_of([&] { resolve_credentials(load_settings(profile, env), env); });
    };
    CHECK(has(error("none"), "has a role_arn but neither source_profile nor credential_source"));
    CHECK(has(error("both"), "has both source_profile and credential_source"));
    CHECK(has(error("odd"), "give Environment, Ec2InstanceMetadata or EcsContainer"));
    CHECK(has(error("lost"), "source_profile 'gone' of profile 'lost' in " + (home / ".aws/config").string() +
                                 " was not found"));
    CHECK(has(error("long"), "duration_seconds of profile 'long'"));
}

TEST_CASE("Web identity: from a profile, and from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, unsigned") {
    const std::string token = "eyJhbGciOiJSUzI1NiJ9.WebIdentityTokenNeverShown.sig";
    ScriptedServer sts({{200, sts_answer("AssumeRoleWithWebIdentity", "ASIAWEBIDENTITY01", "WebIdSecret0001",
                                         "WebIdToken0001")}});
    const fs::path home = home_with("webid", "");
    write_file(home / "token", token + "\n");
    write_file(home / ".aws/config", "[profile pod]\nrole_arn = arn:aws:iam::123456789012:role/pod\n"
                                     "web_identity_token_file = " + (home / "token").string() +
                                         "\nrole_session_name = pod-session\n");
    auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    Credentials c = resolve_credentials(load_settings("pod", env), env);
    CHECK(c.access_key_id == "ASIAWEBIDENTITY01");
    CHECK(c.session_token == "WebIdToken0001");
    CHECK(c.expiration > std::time(nullptr));
    CHECK(c.source == "role arn:aws:iam::123456789012:role/pod assumed with the web identity token of profile 'pod' "
                      "in " + (home / ".aws/config").string());
    auto seen = sts.seen();
    REQUIRE(seen.size() == 1);
    CHECK_FALSE(has(seen[0].head, "Authorization"));
    CHECK(has(seen[0].body, "Action=AssumeRoleWithWebIdentity"));
    CHECK(has(seen[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpod"));
    CHECK(has(seen[0].body, "RoleSessionName=pod-session"));
    CHECK(has(seen[0].body, "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.WebIdentityTokenNeverShown.sig"));

    // From the environment: after the key variables, before the profile (whose static keys lose).
    write_file(home / ".aws/credentials", "[default]\naws_access_key_id = AKIDDEFAULT000001\naws_secret_access_key = d\n");
    env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                    {"AWS_WEB_IDENTITY_TOKEN_FILE", (home / "token").string()},
                    {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks"}, {"AWS_ROLE_SESSION_NAME", "eks-pod"}});
    c = resolve_credentials(load_settings("", env), env);
    CHECK(c.access_key_id == "ASIAWEBIDENTITY01");
    CHECK(c.source == "role arn:aws:iam::123456789012:role/eks assumed with the web identity token of "
                      "AWS_WEB_IDENTITY_TOKEN_FILE");
    seen = sts.seen();
    REQUIRE(seen.size() == 2);
    CHECK_FALSE(has(seen[1].head, "Authorization"));
    CHECK(has(seen[1].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Feks"));
    CHECK(has(seen[1].body, "RoleSessionName=eks-pod"));
    auto keys = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                          {"AWS_WEB_IDENTITY_TOKEN_FILE", (home / "token").string()},
                          {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks"},
                          {"AWS_ACCESS_KEY_ID", "AKIDKEYSWIN000001"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
    CHECK(resolve_credentials(load_settings("", keys), keys).access_key_id == "AKIDKEYSWIN000001");
    CHECK(sts.seen().size() == 2);
}

TEST_CASE("Web identity refused or unreadable: clear errors without the token") {
    const std::string token = "eyJhbGciOiJSUzI1NiJ9.RefusedTokenNeverShown.sig";
    ScriptedServer sts({{400, error_body("InvalidIdentityToken", "Couldn't retrieve verification key for token " + token)}});
    const fs::path home = scratch_home("webid-refused");
    write_file(home / "token", token);
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                               {"AWS_WEB_IDENTITY_TOKEN_FILE", (home / "token").string()},
                               {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks"}});
    std::string m = input_error_of([&] { resolve_credentials(load_settings("", env), env); });
    CHECK(has(m, "cannot assume role arn:aws:iam::123456789012:role/eks"));
    CHECK(has(m, "InvalidIdentityToken"));
    CHECK_FALSE(has(m, "RefusedTokenNeverShown"));
    const auto missing = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                                   {"AWS_WEB_IDENTITY_TOKEN_FILE", (home / "nothing").string()},
                                   {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks"}});
    m = input_error_of([&] { resolve_credentials(load_settings("", missing), missing); });
    CHECK(has(m, "the web identity token file '" + (home / "nothing").string() + "'"));
    CHECK(has(m, "cannot be read"));
}

TEST_CASE("The provider fetches assumed credentials again when they expire within the refresh window") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIASOONEXPIRED01", "SoonSecret00001", "SoonToken00001", 60)},
                        {200, sts_answer("AssumeRole", "ASIAREFRESHED0001", "FreshSecret0001", "FreshToken0001")}});
    const fs::path home = home_with("refresh", "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    const auto provider = resolve_credential_provider(load_settings("r", env), env);
    CHECK(sts.seen().size() == 1);
    CHECK(provider->peek().access_key_id == "ASIASOONEXPIRED01");
    // Expiring in 60 s, within the default 5 minutes: fetched again, from the start of the chain.
    CHECK(provider->current().access_key_id == "ASIAREFRESHED0001");
    REQUIRE(sts.seen().size() == 2);
    CHECK(signed_key(sts.seen()[1].head) == "AKIDBASE000000001");
    CHECK(provider->refreshes() == 1);
    // Valid for an hour now: not fetched again.
    CHECK(provider->current().access_key_id == "ASIAREFRESHED0001");
    CHECK(provider->current().access_key_id == "ASIAREFRESHED0001");
    CHECK(sts.seen().size() == 2);
    // A refresh window longer than what is left: fetched again.
    provider->set_refresh_window(std::chrono::hours(2));
    CHECK(provider->current().access_key_id == "ASIAREFRESHED0001"); // the last reply repeats
    CHECK(sts.seen().size() == 3);
}

TEST_CASE("Credentials valid beyond the refresh window are not fetched again, static keys never") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIALONGLIVED0001", "LongSecret00001", "LongToken00001", 3600)}});
    const fs::path home = home_with("norefresh", "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
    const auto provider = resolve_credential_provider(load_settings("r", env), env);
    for (int i = 0; i < 5; ++i) CHECK(provider->current().access_key_id == "ASIALONGLIVED0001");
    CHECK(sts.seen().size() == 1);
    CHECK(provider->refreshes() == 0);
    const auto fixed = resolve_credential_provider(load_settings("base", env), env);
    fixed->set_refresh_window(std::chrono::hours(24 * 365));
    CHECK(fixed->current().access_key_id == "AKIDBASE000000001");
    CHECK(fixed->current().expiration == 0);
    CHECK(fixed->refreshes() == 0);
}

TEST_CASE("Many threads asking for expiring credentials see exactly one refresh") {
    std::atomic<int> fetches{0};
    const Credentials soon{"ASIAOLD0000000001", "old-secret", "old-token", "test", std::time(nullptr) + 30};
    CredentialProvider provider(soon, [&] {
        ++fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // the others arrive meanwhile
        return Credentials{"ASIANEW0000000001", "new-secret", "new-token", "test", std::time(nullptr) + 3600};
    });
    std::vector<std::thread> threads;
    std::vector<std::string> keys(8);
    for (std::size_t i = 0; i < keys.size(); ++i)
        threads.emplace_back([&provider, &keys, i] { keys[i] = provider.current().access_key_id; });
    for (auto& t : threads) t.join();
    CHECK(fetches == 1);
    CHECK(provider.refreshes() == 1);
    for (const auto& k : keys) CHECK(k == "ASIANEW0000000001");
}

TEST_CASE("A failed refresh keeps still-valid credentials, and is an error once they have expired") {
    int fetches = 0;
    CredentialProvider valid({"ASIAVALID00000001", "s", "t", "test", std::time(nullptr) + 60}, [&]() -> Credentials {
        ++fetches;
        throw leafsynth::InputError("STS is down");
    });
    CHECK(valid.current().access_key_id == "ASIAVALID00000001");
    CHECK(valid.current().access_key_id == "ASIAVALID00000001"); // not asked again at once
    CHECK(fetches == 1);
    CredentialProvider expired({"ASIAEXPIRED000001", "s", "t", "test", std::time(nullptr) - 1},
                               []() -> Credentials { throw leafsynth::InputError("STS is down"); });
    CHECK(input_error_of([&] { expired.current(); }) == "STS is down");
}

TEST_CASE("The HTTP layer signs each request with the provider's current (refreshed) credentials") {
    ScriptedServer api({{200, "<DescribeStacksResponse><DescribeStacksResult/></DescribeStacksResponse>"}});
    int fetches = 0;
    auto provider = std::make_shared<CredentialProvider>(
        Credentials{"ASIAFIRSTKEY00001", "first-secret", "first-token", "test", std::time(nullptr) + 3600}, [&] {
            ++fetches;
            return Credentials{"ASIASECONDKEY0001", "second-secret", "second-token", "test",
                               std::time(nullptr) + 4 * 3600};
        });
    ClientOptions o = test_client_options(api.url(), "us-east-1", Credentials{});
    o.service = "cloudformation";
    o.api_version = "2010-05-15";
    o.provider = provider;
    QueryClient client(o);
    client.call("DescribeStacks", {});
    provider->set_refresh_window(std::chrono::hours(2)); // the first credentials now expire "soon"
    client.call("DescribeStacks", {});
    client.call("DescribeStacks", {});
    const auto seen = api.seen();
    REQUIRE(seen.size() == 3);
    CHECK(signed_key(seen[0].head) == "ASIAFIRSTKEY00001");
    CHECK(has(seen[0].head, "X-Amz-Security-Token: first-token"));
    CHECK(signed_key(seen[1].head) == "ASIASECONDKEY0001");
    CHECK(has(seen[1].head, "X-Amz-Security-Token: second-token"));
    CHECK(signed_key(seen[2].head) == "ASIASECONDKEY0001");
    CHECK(fetches == 1);
}

TEST_CASE("Session::assume: a session signing with the role's credentials, or nullopt with the reason") {
    ScriptedServer sts({{200, sts_answer("AssumeRole", "ASIABOOTSTRAP0001", "BootstrapSecret01", "BootstrapToken01")},
                        {403, error_body("AccessDenied", "User: arn:aws:iam::123456789012:user/dev is not authorized "
                                                         "to perform: sts:AssumeRole on resource: "
                                                         "arn:aws:iam::123456789012:role/cdk-lookup")},
                        {403, error_body("InvalidClientTokenId", "The security token included in the request is invalid.")}});
    ScriptedServer cf({{200, "<DescribeStacksResponse><DescribeStacksResult/></DescribeStacksResponse>"}});
    const fs::path home = scratch_home("session-assume");
    const auto env = fake_env({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDUSERKEY000001"},
                               {"AWS_SECRET_ACCESS_KEY", "UserSecretNeverShown"}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                               {"AWS_ENDPOINT_URL_CLOUDFORMATION", cf.url()}});
    const Session session({.profile = "", .timeout = std::chrono::milliseconds(5000), .env = env});
    std::string why;
    const auto role = session.assume("arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2",
                                     "us-west-2", "", &why);
    REQUIRE(role);
    CHECK(why.empty());
    CHECK(role->credentials().access_key_id == "ASIABOOTSTRAP0001");
    CHECK(role->credentials().source == "role arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-"
                                        "us-west-2 assumed from AWS_ACCESS_KEY_ID");
    CHECK(session.credentials().access_key_id == "AKIDUSERKEY000001"); // the original is unchanged
    auto seen = sts.seen();
    REQUIRE(seen.size() == 1);
    CHECK(signed_key(seen[0].head) == "AKIDUSERKEY000001");
    CHECK(has(seen[0].head, "/us-west-2/sts/aws4_request"));
    CHECK(has(seen[0].body, "RoleSessionName=leafsynth-"));
    ClientOptions o = role->client_options(kCloudFormation, "us-west-2", "test");
    o.service = "cloudformation";
    o.api_version = "2010-05-15";
    QueryClient client(o);
    client.call("DescribeStacks", {});
    REQUIRE(cf.seen().size() == 1);
    CHECK(signed_key(cf.seen()[0].head) == "ASIABOOTSTRAP0001");
    CHECK(has(cf.seen()[0].head, "X-Amz-Security-Token: BootstrapToken01"));

    // Refused: nullopt and one line, so the caller can go on with its own credentials.
    CHECK_FALSE(session.assume("arn:aws:iam::123456789012:role/cdk-lookup", "us-west-2", "lookup", &why));
    CHECK(has(why, "HTTP 403 AccessDenied: "));
    CHECK(has(why, "is not authorized to perform: sts:AssumeRole"));
    CHECK_FALSE(has(why, "UserSecretNeverShown"));
    CHECK(has(sts.seen()[1].body, "RoleSessionName=lookup"));
    // The session's own credentials rejected: not about the role, an error.
    std::string m = input_error_of([&] { session.assume("arn:aws:iam::123456789012:role/x", "us-west-2", "", &why); });
    CHECK(has(m, "were rejected"));
    CHECK_FALSE(has(m, "UserSecretNeverShown"));
    // STS unreachable: an error too.
    std::string closed;
    {
        ScriptedServer gone({{200, ""}});
        closed = gone.url();
    }
    const auto offline = fake_env({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDUSERKEY000001"},
                                   {"AWS_SECRET_ACCESS_KEY", "UserSecretNeverShown"}, {"AWS_ENDPOINT_URL_STS", closed},
                                   {"AWS_MAX_ATTEMPTS", "1"}});
    const Session unreachable({.profile = "", .timeout = std::chrono::milliseconds(2000), .env = offline});
    m = input_error_of([&] { unreachable.assume("arn:aws:iam::123456789012:role/x", "us-west-2", "", &why); });
    CHECK(has(m, "sts:AssumeRole of role arn:aws:iam::123456789012:role/x at " + closed));
    // STS failing (5xx after the retries) or throttling: not about the role either.
    for (const auto& [status, code] : std::vector<std::pair<int, std::string>>{{500, "InternalFailure"}, {400, "Throttling"}}) {
        ScriptedServer failing({{status, error_body(code, "try again later")}});
        const auto failing_env = fake_env({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", "AKIDUSERKEY000001"},
                                           {"AWS_SECRET_ACCESS_KEY", "UserSecretNeverShown"},
                                           {"AWS_ENDPOINT_URL_STS", failing.url()}, {"AWS_MAX_ATTEMPTS", "1"}});
        const Session busy({.profile = "", .timeout = std::chrono::milliseconds(2000), .env = failing_env});
        why.clear();
        m = input_error_of([&] { busy.assume("arn:aws:iam::123456789012:role/x", "us-west-2", "", &why); });
        CHECK(has(m, "sts:AssumeRole on role arn:aws:iam::123456789012:role/x failed"));
        CHECK(has(m, code));
        CHECK(why.empty());
    }
}

TEST_CASE("redact_network_text removes the MFA code, web identity and SSO tokens an answer echoes, before cutting") {
    const Credentials none{};
    const std::string padding(280, 'x');
    CHECK(redact_network_text(padding + " TokenCode=864213&RoleArn=r", none).find("8642") == std::string::npos);
    CHECK(redact_network_text("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.abc.def&x=1", none) ==
          "WebIdentityToken=<redacted>&x=1");
    CHECK(redact_network_text(padding + " x-amz-sso_bearer_token: SsoTokenValue123", none, 300).find("SsoTok") ==
          std::string::npos);
    CHECK(redact_network_text("{\"accessToken\": \"SsoTokenValue123\"}", none) == "{\"accessToken\": \"<redacted>\"}");
    CHECK(redact_network_text("the accessToken is missing", none) == "the accessToken is missing");
}
