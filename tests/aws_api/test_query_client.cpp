// The query client's HTTP behaviour against a scripted HTTP server on 127.0.0.1 (started and
// stopped by each test): what is sent (form body, SigV4 Authorization, session token header),
// retries on 5xx and throttling with a bounded number of attempts, no retry on other errors,
// timeouts, an unreachable endpoint, and the CloudFormation calls' parsing (pagination included).

#include <catch2/catch.hpp>

#include "aws_api/cloudformation.hpp"
#include "aws_api/query_client.hpp"
#include "scripted_server.hpp"

using namespace leafsynth::aws_api;

namespace {

const std::string kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const std::string kToken = "FwoGZXIvYXdzEXAMPLETOKEN";

ClientOptions options_for(const std::string& url, bool with_token = false) {
    ClientOptions o;
    o.service = "cloudformation";
    o.api_version = "2010-05-15";
    o.region = "us-east-1";
    o.endpoint = url;
    o.endpoint_source = "test";
    o.credentials = {"AKIAIOSFODNN7EXAMPLE", kSecret, with_token ? kToken : "", "test"};
    o.backoff_base = std::chrono::milliseconds(1);
    o.max_attempts = 3;
    o.timeout = std::chrono::milliseconds(5000);
    return o;
}

const std::string kOk = "<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>";

bool has_header(const Seen& s, const std::string& line) {
    return s.head.find("\r\n" + line) != std::string::npos;
}

} // namespace

TEST_CASE("A call sends the form body, a SigV4 Authorization header and the session token header") {
    ScriptedServer server({{200, kOk}});
    QueryClient client(options_for(server.url(), true));
    client.call("DescribeStacks", {{"StackName", "a b&c/d"}});
    const auto seen = server.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].head.rfind("POST / HTTP/1.1", 0) == 0);
    CHECK(seen[0].body == "Action=DescribeStacks&Version=2010-05-15&StackName=a%20b%26c%2Fd");
    CHECK(seen[0].head.find("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") != std::string::npos);
    CHECK(seen[0].head.find("/us-east-1/cloudformation/aws4_request") != std::string::npos);
    CHECK(seen[0].head.find("SignedHeaders=") != std::string::npos);
    CHECK(has_header(seen[0], "X-Amz-Date: "));
    CHECK(has_header(seen[0], "X-Amz-Security-Token: " + kToken));
    CHECK(seen[0].head.find(kSecret) == std::string::npos);
    CHECK(client.requests_sent() == 1);
}

TEST_CASE("Without a session token no token header is sent") {
    ScriptedServer server({{200, kOk}});
    QueryClient client(options_for(server.url()));
    client.call("DescribeStacks", {});
    CHECK(server.seen()[0].head.find("X-Amz-Security-Token") == std::string::npos);
}

TEST_CASE("5xx answers are retried, the call succeeds when the server recovers") {
    ScriptedServer server({{500, error_body("InternalFailure", "boom")}, {503, "unavailable"}, {200, kOk}});
    QueryClient client(options_for(server.url()));
    const auto doc = client.call("DescribeStacks", {});
    CHECK(doc.child("DescribeStacksResponse"));
    CHECK(server.seen().size() == 3);
}

TEST_CASE("Retries are bounded: the last 5xx answer is the error, with the number of attempts") {
    ScriptedServer server({{500, error_body("InternalFailure", "boom")}});
    QueryClient client(options_for(server.url()));
    try {
        client.call("DescribeStacks", {});
        FAIL("no error");
    } catch (const ApiError& e) {
        CHECK(e.http_status() == 500);
        CHECK(e.code() == "InternalFailure");
        CHECK(e.attempts() == 3);
        CHECK(std::string(e.what()) == "HTTP 500 InternalFailure: boom (after 3 attempts)");
        CHECK(std::string(e.what()).find(kSecret) == std::string::npos);
    }
    CHECK(server.seen().size() == 3);
}

TEST_CASE("Throttling (HTTP 400 with a throttling code) is retried, other 4xx errors are not") {
    {
        ScriptedServer server({{400, error_body("Throttling", "Rate exceeded")}, {200, kOk}});
        QueryClient client(options_for(server.url()));
        client.call("DescribeStacks", {});
        CHECK(server.seen().size() == 2);
    }
    {
        ScriptedServer server({{400, error_body("ValidationError", "Stack with id X does not exist")}});
        QueryClient client(options_for(server.url()));
        try {
            client.call("DescribeStacks", {});
            FAIL("no error");
        } catch (const ApiError& e) {
            CHECK(e.code() == "ValidationError");
            CHECK(e.api_message() == "Stack with id X does not exist");
            CHECK(is_stack_missing(e));
        }
        CHECK(server.seen().size() == 1);
    }
}

TEST_CASE("A server that never answers times out, within the attempt bound") {
    ScriptedServer server({{200, "", true}});
    ClientOptions o = options_for(server.url());
    o.timeout = std::chrono::milliseconds(300);
    o.max_attempts = 2;
    QueryClient client(o);
    try {
        client.call("DescribeStacks", {});
        FAIL("no error");
    } catch (const TransportError& e) {
        CHECK(std::string(e.what()).find("timed out after 300 ms (2 attempts)") != std::string::npos);
    }
    CHECK(server.seen().size() == 2);
}

TEST_CASE("An unreachable endpoint is a clear error naming it") {
    std::string url;
    {
        ScriptedServer server({{200, kOk}});
        url = server.url();
    } // closed: nothing listens on that port any more
    QueryClient client(options_for(url));
    try {
        client.call("DescribeStacks", {});
        FAIL("no error");
    } catch (const TransportError& e) {
        const std::string m = e.what();
        CHECK(m.find("cannot reach " + url + " (endpoint from test)") != std::string::npos);
        CHECK(m.find("3 attempts") != std::string::npos);
        CHECK(m.find(kSecret) == std::string::npos);
    }
}

TEST_CASE("A cancelled client starts no request") {
    ScriptedServer server({{200, kOk}});
    std::atomic<bool> cancel{true};
    ClientOptions o = options_for(server.url());
    o.cancel = &cancel;
    QueryClient client(o);
    CHECK_THROWS_AS(client.call("DescribeStacks", {}), TransportError);
    CHECK(server.seen().empty());
}

TEST_CASE("CloudFormation calls: DescribeStacks, a missing stack, GetTemplate, paginated ListStackResources") {
    const std::string describe =
        "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult>"
        "<Stacks><member><StackId>arn:aws:cloudformation:us-east-1:1:stack/S/x</StackId><StackName>S</StackName>"
        "<StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus><StackStatusReason>r</StackStatusReason>"
        "<Parameters><member><ParameterKey>K</ParameterKey><ParameterValue>V</ParameterValue></member></Parameters>"
        "<Outputs><member><OutputKey>O</OutputKey></member></Outputs>"
        "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
    const std::string tmpl = "<GetTemplateResponse><GetTemplateResult><TemplateBody>{\"Resources\": "
                             "{\"A\": {\"Type\": \"T&amp;&lt;\"}}}</TemplateBody></GetTemplateResult></GetTemplateResponse>";
    const std::string page1 =
        "<ListStackResourcesResponse><ListStackResourcesResult><StackResourceSummaries>"
        "<member><LogicalResourceId>Nested</LogicalResourceId><PhysicalResourceId>arn:n</PhysicalResourceId>"
        "<ResourceType>AWS::CloudFormation::Stack</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
        "</StackResourceSummaries><NextToken>page2</NextToken></ListStackResourcesResult></ListStackResourcesResponse>";
    const std::string page2 =
        "<ListStackResourcesResponse><ListStackResourcesResult><StackResourceSummaries>"
        "<member><LogicalResourceId>Topic</LogicalResourceId><PhysicalResourceId>arn:t</PhysicalResourceId>"
        "<ResourceType>AWS::SNS::Topic</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
        "</StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>";
    ScriptedServer server({{200, describe},
                           {400, error_body("ValidationError", "Stack with id Gone does not exist")},
                           {200, tmpl},
                           {200, page1},
                           {200, page2}});
    CloudFormationClient cf(options_for(server.url()));
    const auto s = cf.describe_stack("S");
    REQUIRE(s);
    CHECK(s->stack_id == "arn:aws:cloudformation:us-east-1:1:stack/S/x");
    CHECK(s->status == "UPDATE_ROLLBACK_COMPLETE");
    CHECK(s->status_reason == "r");
    CHECK(s->parameters == std::vector<std::pair<std::string, std::string>>{{"K", "V"}});
    CHECK_FALSE(cf.describe_stack("Gone"));
    CHECK(cf.get_template("S") == "{\"Resources\": {\"A\": {\"Type\": \"T&<\"}}}");
    const auto resources = cf.list_stack_resources("S");
    REQUIRE(resources.size() == 2);
    CHECK(resources[0].logical_id == "Nested");
    CHECK(resources[0].physical_id == "arn:n");
    CHECK(resources[0].type == "AWS::CloudFormation::Stack");
    CHECK(resources[1].logical_id == "Topic");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 5);
    CHECK(seen[2].body == "Action=GetTemplate&Version=2010-05-15&StackName=S&TemplateStage=Original");
    CHECK(seen[4].body == "Action=ListStackResources&Version=2010-05-15&StackName=S&NextToken=page2");
}

TEST_CASE("An error answer that echoes the request never shows the credentials") {
    // Proxies and test servers answer with what they were sent: the signed headers included.
    const std::string echoed =
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/cloudformation/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef\n"
        "X-Amz-Security-Token: " + kToken + "\nsecret was " + kSecret + "\n";
    for (const bool xml : {true, false}) {
        INFO((xml ? "XML error" : "plain text body"));
        ScriptedServer server({{403, xml ? error_body("AccessDenied", echoed) : echoed}});
        QueryClient client(options_for(server.url(), true));
        try {
            client.call("DescribeStacks", {});
            FAIL("no error");
        } catch (const ApiError& e) {
            const std::string what = e.what();
            CHECK(what.find(kSecret) == std::string::npos);
            CHECK(what.find(kToken) == std::string::npos);
            CHECK(what.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
            CHECK(what.find("0123456789abcdef0123456789abcdef") == std::string::npos);
            CHECK(what.find('\n') == std::string::npos); // one line
            CHECK(what.find("<redacted>") != std::string::npos);
            CHECK(what.size() < 400);
        }
    }
}

TEST_CASE("redact_network_text: known secrets, echoed headers and parameters, control characters, length") {
    const Credentials c{"AKIAIOSFODNN7EXAMPLE", kSecret, kToken, "test"};
    CHECK(redact_network_text("User is not authorized to perform cloudformation:DescribeStacks", c) ==
          "User is not authorized to perform cloudformation:DescribeStacks");
    CHECK(redact_network_text("the Authorization header is missing", c) == "the Authorization header is missing");
    CHECK(redact_network_text("{\"Authorization\": \"AWS4-HMAC-SHA256 abc\"}", c) == "{\"Authorization\": \"<redacted>\"}");
    CHECK(redact_network_text("a=1&X-Amz-Security-Token=" + kToken + "&b=2", c).find(kToken) == std::string::npos);
    CHECK(redact_network_text("Credential=ASIAXXXXXXXX/2024/us-east-1/sts/aws4_request, x", c) == "Credential=<redacted>, x");
    CHECK(redact_network_text("key " + std::string(c.access_key_id), c).find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
    CHECK(redact_network_text("line1\nline2\ttab", c) == "line1\\nline2\\ttab");
    const std::string long_text(100000, 'x');
    CHECK(redact_network_text(long_text, c).size() < 400);
}
