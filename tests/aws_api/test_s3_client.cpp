// The S3 client's HTTP behaviour against a scripted HTTP server on 127.0.0.1 (started and stopped
// by each test): path-style URLs with encoded keys, the headers of a PUT (Content-MD5,
// x-amz-content-sha256, SigV4 Authorization signing that hash, session token), HEAD answers
// (size and ETag, 404 → nullopt, 403 → Forbidden), XML error answers, retries on 503 SlowDown
// (the body resent whole), CreateBucket's LocationConstraint, and the endpoint choice for S3.

#include <catch2/catch.hpp>

#include <map>

#include "aws_api/deployed_stacks.hpp"
#include "aws_api/http_session.hpp"
#include "aws_api/s3_client.hpp"
#include "scripted_server.hpp"
#include "test_client_options.hpp"

using namespace leafsynth::aws_api;

namespace {

const std::string kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const std::string kToken = "FwoGZXIvYXdzEXAMPLETOKEN";
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

ClientOptions s3_options(const std::string& url, const std::string& region = "us-east-1", bool with_token = false) {
    return test_client_options(url, region, {"AKIAIOSFODNN7EXAMPLE", kSecret, with_token ? kToken : "", "test"});
}

bool has_header(const Seen& s, const std::string& line) {
    return (s.head + "\r\n").find("\r\n" + line + "\r\n") != std::string::npos;
}

std::string s3_error(const std::string& code, const std::string& message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
           "</Message><RequestId>r</RequestId><HostId>h</HostId></Error>";
}

} // namespace

TEST_CASE("S3 digests: Content-MD5 is base64 of the MD5, the payload hash is hex SHA-256") {
    CHECK(content_md5("hello world") == "XrY7u+Ae7tCTyyK7j1rNww==");
    CHECK(content_md5("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
    CHECK(payload_sha256("hello world") == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    CHECK(payload_sha256("") == kEmptySha256);
    CHECK(payload_sha256(std::string("a\0b", 3)) != payload_sha256("a"));
}

TEST_CASE("S3 object URLs are path-style with each key segment encoded and the slashes kept") {
    S3Client s3(s3_options("http://127.0.0.1:1/"));
    CHECK(s3.object_url("my-bucket", "assets/a b+c/\xc3\xbc.json") ==
          "http://127.0.0.1:1/my-bucket/assets/a%20b%2Bc/%C3%BC.json");
    CHECK(s3.object_url("b", "k") == "http://127.0.0.1:1/b/k");
    CHECK(s3.object_url("b", "") == "http://127.0.0.1:1/b");
    CHECK(s3.options().service == "s3");
}

TEST_CASE("put_object sends PUT with Content-MD5, x-amz-content-sha256, a signed Authorization and the body") {
    ScriptedServer server({{200, ""}});
    S3Client s3(s3_options(server.url(), "eu-west-1", true));
    s3.put_object("bucket", "dir/a b.json", "hello world", "application/json");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 1);
    INFO(seen[0].head);
    CHECK(seen[0].head.rfind("PUT /bucket/dir/a%20b.json HTTP/1.1\r\n", 0) == 0);
    CHECK(seen[0].body == "hello world");
    CHECK(has_header(seen[0], "Content-MD5: XrY7u+Ae7tCTyyK7j1rNww=="));
    CHECK(has_header(seen[0], "x-amz-content-sha256: b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"));
    CHECK(has_header(seen[0], "Content-Type: application/json"));
    CHECK(has_header(seen[0], "Content-Length: 11"));
    CHECK(has_header(seen[0], "X-Amz-Security-Token: " + kToken));
    CHECK(seen[0].head.find("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") != std::string::npos);
    CHECK(seen[0].head.find("/eu-west-1/s3/aws4_request") != std::string::npos);
    // libcurl signs every header it was given (the payload hash among them) and only those it sends.
    CHECK(seen[0].head.find("SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;"
                            "x-amz-security-token,") != std::string::npos);
    CHECK(seen[0].head.find(kSecret) == std::string::npos);
}

TEST_CASE("libcurl's SigV4 signs the x-amz-content-sha256 value as the payload hash, not the body") {
    // Same header value and date, different bodies: equal signatures mean the header is the payload
    // hash (libcurl 7.88 does this; without the header it hashes the body).
    ScriptedServer server({{200, ""}});
    const ClientOptions o = s3_options(server.url());
    detail::HttpSession http;
    for (const std::string_view body : {"one", "two"})
        http.send(o, {.method = "PUT",
                      .url = server.url() + "/b/k",
                      .headers = {"x-amz-content-sha256: " + kEmptySha256, "X-Amz-Date: 20240101T000000Z"},
                      .body = body,
                      .accepted = {}});
    const auto seen = server.seen();
    REQUIRE(seen.size() == 2);
    auto signature = [](const Seen& s) {
        const auto at = s.head.find("Signature=");
        return s.head.substr(at, s.head.find("\r\n", at) - at);
    };
    CHECK(signature(seen[0]).size() > 20);
    CHECK(signature(seen[0]) == signature(seen[1]));
    CHECK(http.requests_sent() == 2);
}

TEST_CASE("put_object retries 503 SlowDown and 500, resending the whole body, within the attempt bound") {
    {
        ScriptedServer server({{503, s3_error("SlowDown", "Please reduce your request rate.")},
                               {500, s3_error("InternalError", "We encountered an internal error.")},
                               {200, ""}});
        S3Client s3(s3_options(server.url()));
        s3.put_object("b", "k", "payload");
        const auto seen = server.seen();
        REQUIRE(seen.size() == 3);
        for (const auto& s : seen) {
            CHECK(s.body == "payload");
            CHECK(has_header(s, "Content-MD5: " + content_md5("payload")));
        }
        CHECK(s3.requests_sent() == 3);
    }
    {
        ScriptedServer server({{503, s3_error("SlowDown", "Please reduce your request rate.")}});
        S3Client s3(s3_options(server.url()));
        try {
            s3.put_object("b", "k", "payload");
            FAIL("no error");
        } catch (const ApiError& e) {
            CHECK(e.http_status() == 503);
            CHECK(e.code() == "SlowDown");
            CHECK(e.attempts() == 3);
        }
        CHECK(server.seen().size() == 3);
    }
}

TEST_CASE("S3 error answers are ApiError with the XML code and message, not retried when final") {
    const std::string echo = "BadDigest for Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x, "
                             "Signature=0123456789abcdef secret " + kSecret;
    ScriptedServer server({{400, s3_error("BadDigest", echo)}});
    S3Client s3(s3_options(server.url()));
    try {
        s3.put_object("b", "k", "payload");
        FAIL("no error");
    } catch (const ApiError& e) {
        CHECK(e.http_status() == 400);
        CHECK(e.code() == "BadDigest");
        const std::string what = e.what();
        CHECK(what.find(kSecret) == std::string::npos);
        CHECK(what.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
        CHECK(what.find("0123456789abcdef") == std::string::npos);
    }
    CHECK(server.seen().size() == 1);
}

TEST_CASE("head_object: size and ETag, 404 is nullopt, 403 is ApiError Forbidden") {
    ScriptedServer server({{200, std::string(1234, 'x'), false, {"ETag: \"5eb63bbbe01eeed093cb22bb8f5acdc3\""}},
                           {404, ""},
                           {403, ""}});
    S3Client s3(s3_options(server.url()));
    const auto info = s3.head_object("b", "dir/k");
    REQUIRE(info);
    CHECK(info->size == 1234);
    CHECK(info->etag == "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    CHECK_FALSE(s3.head_object("b", "missing"));
    try {
        s3.head_object("b", "secret");
        FAIL("no error");
    } catch (const ApiError& e) {
        CHECK(e.http_status() == 403);
        CHECK(e.code() == "Forbidden");
        CHECK(e.attempts() == 1);
    }
    const auto seen = server.seen();
    REQUIRE(seen.size() == 3);
    INFO(seen[0].head);
    CHECK(seen[0].head.rfind("HEAD /b/dir/k HTTP/1.1\r\n", 0) == 0);
    CHECK(has_header(seen[0], "x-amz-content-sha256: " + kEmptySha256));
    CHECK(seen[0].head.find("Authorization: AWS4-HMAC-SHA256 ") != std::string::npos);
}

TEST_CASE("head_object retries a 503 without a body, then answers") {
    ScriptedServer server({{503, ""}, {200, "abc"}});
    S3Client s3(s3_options(server.url()));
    const auto info = s3.head_object("b", "k");
    REQUIRE(info);
    CHECK(info->size == 3);
    CHECK(server.seen().size() == 2);
}

TEST_CASE("create_bucket: no body in us-east-1, a LocationConstraint elsewhere, an owned bucket is fine") {
    {
        ScriptedServer server({{200, ""}});
        S3Client s3(s3_options(server.url()));
        s3.create_bucket("assets");
        const auto seen = server.seen();
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].head.rfind("PUT /assets HTTP/1.1\r\n", 0) == 0);
        CHECK(seen[0].body.empty());
        CHECK(has_header(seen[0], "x-amz-content-sha256: " + kEmptySha256));
    }
    {
        ScriptedServer server({{409, s3_error("BucketAlreadyOwnedByYou", "Your previous request succeeded.")}});
        S3Client s3(s3_options(server.url(), "eu-west-2"));
        s3.create_bucket("assets");
        const auto seen = server.seen();
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].body.find("<LocationConstraint>eu-west-2</LocationConstraint>") != std::string::npos);
        CHECK(has_header(seen[0], "x-amz-content-sha256: " + payload_sha256(seen[0].body)));
    }
    {
        ScriptedServer server({{409, s3_error("BucketAlreadyExists", "The requested bucket name is not available.")}});
        S3Client s3(s3_options(server.url()));
        CHECK_THROWS_AS(s3.create_bucket("assets"), ApiError);
    }
}

TEST_CASE("bucket_region reads x-amz-bucket-region (of a 301 too), a missing bucket is nullopt") {
    ScriptedServer server({{200, "", false, {"x-amz-bucket-region: eu-central-1"}},
                           {404, ""},
                           {301, "", false, {"x-amz-bucket-region: ap-south-1"}}});
    S3Client s3(s3_options(server.url()));
    CHECK(s3.bucket_region("b") == std::optional<std::string>("eu-central-1"));
    CHECK(s3.bucket_region("gone") == std::nullopt);
    CHECK(s3.bucket_region("elsewhere") == std::optional<std::string>("ap-south-1"));
    CHECK(server.seen()[0].head.rfind("HEAD /b HTTP/1.1\r\n", 0) == 0);
}

TEST_CASE("A cancelled S3 client starts no request, an unreachable endpoint is a TransportError") {
    std::string url;
    {
        ScriptedServer server({{200, ""}});
        url = server.url();
        std::atomic<bool> cancel{true};
        ClientOptions o = s3_options(url);
        o.cancel = &cancel;
        S3Client s3(o);
        CHECK_THROWS_AS(s3.put_object("b", "k", "x"), TransportError);
        CHECK(server.seen().empty());
    }
    S3Client s3(s3_options(url));
    try {
        s3.head_object("b", "k");
        FAIL("no error");
    } catch (const TransportError& e) {
        CHECK(std::string(e.what()).find("cannot reach " + url + " (endpoint from test)") != std::string::npos);
    }
}

TEST_CASE("The S3 endpoint: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then the region's") {
    auto env_of = [](std::map<std::string, std::string> vars) {
        return [vars](const std::string& name) -> std::optional<std::string> {
            auto it = vars.find(name);
            return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    };
    const std::string home = "/nonexistent-leafsynth-home";
    CHECK(service_endpoint("s3", "S3", "eu-west-1", "", env_of({{"HOME", home}})) ==
          std::pair<std::string, std::string>("https://s3.eu-west-1.amazonaws.com", "the region"));
    CHECK(service_endpoint("s3", "S3", "cn-north-1", "", env_of({{"HOME", home}})).first ==
          "https://s3.cn-north-1.amazonaws.com.cn");
    CHECK(service_endpoint("s3", "S3", "eu-west-1", "", env_of({{"HOME", home}, {"AWS_ENDPOINT_URL", "http://a:1"}})) ==
          std::pair<std::string, std::string>("http://a:1", "AWS_ENDPOINT_URL"));
    CHECK(service_endpoint("s3", "S3", "eu-west-1", "",
                           env_of({{"HOME", home}, {"AWS_ENDPOINT_URL", "http://a:1"}, {"AWS_ENDPOINT_URL_S3", "http://s:2"}})) ==
          std::pair<std::string, std::string>("http://s:2", "AWS_ENDPOINT_URL_S3"));
    // The CloudFormation variable is not S3's.
    CHECK(service_endpoint("s3", "S3", "eu-west-1", "",
                           env_of({{"HOME", home}, {"AWS_ENDPOINT_URL_CLOUDFORMATION", "http://c:3"}})).second ==
          "the region");
}
