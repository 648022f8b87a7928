// Reading an app's deployed stacks (fetch_deployed_stacks) against a scripted CloudFormation on
// 127.0.0.1: the stack tree with nested stacks by ARN, stacks that are not deployed or only under
// review, and the errors users meet (access denied naming the action and stack, expired and
// rejected credentials), with no secret in any message.

#include <catch2/catch.hpp>

#include <map>

#include "aws_api/deployed_stacks.hpp"
#include "leafsynth/errors.hpp"
#include "scripted_server.hpp"

using namespace leafsynth::aws_api;

namespace {

const std::string kSecret = "fetchSECRETvalue/abc+def";

FetchOptions options_for(const std::string& url) {
    FetchOptions o;
    o.concurrency = 1; // the scripted server answers in request order
    o.env = [url](const std::string& name) -> std::optional<std::string> {
        static const std::map<std::string, std::string> fixed = {
            {"AWS_ACCESS_KEY_ID", "AKIAFETCHTEST0001"}, {"AWS_SECRET_ACCESS_KEY", kSecret},
            {"AWS_SESSION_TOKEN", "fetchTOKEN"}, {"AWS_MAX_ATTEMPTS", "1"}, {"HOME", "/nonexistent"}};
        if (name == "AWS_ENDPOINT_URL") return url;
        auto it = fixed.find(name);
        if (it == fixed.end()) return std::nullopt;
        return it->second;
    };
    return o;
}

std::string describe(const std::string& name, const std::string& status) {
    return "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>arn:aws:cloudformation:us-east-1:1:"
           "stack/" + name + "/id</StackId><StackName>" + name + "</StackName><StackStatus>" + status +
           "</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
}

std::string get_template(const std::string& body) {
    return "<GetTemplateResponse><GetTemplateResult><TemplateBody>" + body +
           "</TemplateBody></GetTemplateResult></GetTemplateResponse>";
}

std::string list(const std::vector<std::tuple<std::string, std::string, std::string>>& resources) {
    std::string members;
    for (const auto& [logical, physical, type] : resources)
        members += "<member><LogicalResourceId>" + logical + "</LogicalResourceId><PhysicalResourceId>" + physical +
                   "</PhysicalResourceId><ResourceType>" + type + "</ResourceType><ResourceStatus>CREATE_COMPLETE"
                   "</ResourceStatus></member>";
    return "<ListStackResourcesResponse><ListStackResourcesResult><StackResourceSummaries>" + members +
           "</StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>";
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const leafsynth::InputError& e) {
        return e.what();
    }
    FAIL("no InputError was thrown");
    return {};
}

} // namespace

TEST_CASE("Deployed stacks are read with their nested stacks, missing and under-review stacks count as not deployed") {
    const std::string nested_arn = "arn:aws:cloudformation:us-east-1:1:stack/Game-NetNestedStack-X/id";
    ScriptedServer server({
        {200, describe("Game", "UPDATE_COMPLETE")},
        {200, get_template("{\"Resources\": {}}")},
        {200, list({{"Topic", "arn:t", "AWS::SNS::Topic"},
                    {"NetNestedStack", nested_arn, "AWS::CloudFormation::Stack"},
                    {"GoneNestedStack", "", "AWS::CloudFormation::Stack"}})},
        {400, error_body("ValidationError", "Stack with id Missing does not exist")},
        {200, describe("Review", "REVIEW_IN_PROGRESS")},
        {200, describe("Game-NetNestedStack-X", "CREATE_COMPLETE")},
        {200, get_template("Resources: {}")},
        {200, list({})},
    });
    const auto stacks = fetch_deployed_stacks({{"Game", "us-east-1"}, {"Missing", "us-east-1"}, {"Review", "us-east-1"}},
                                              options_for(server.url()));
    REQUIRE(stacks.size() == 3);
    const auto& game = stacks[0];
    CHECK(game.exists);
    CHECK(game.status == "UPDATE_COMPLETE");
    CHECK(game.template_body == "{\"Resources\": {}}");
    REQUIRE(game.nested.size() == 2); // sorted by logical id
    CHECK(game.nested[0].name == "GoneNestedStack");
    CHECK_FALSE(game.nested[0].exists);
    CHECK(game.nested[0].notes == std::vector<std::string>{"the nested stack has no physical id (CREATE_COMPLETE): it was not created"});
    CHECK(game.nested[1].name == "NetNestedStack");
    CHECK(game.nested[1].exists);
    CHECK(game.nested[1].region == "us-east-1");
    CHECK(game.nested[1].template_body == "Resources: {}");
    CHECK_FALSE(stacks[1].exists);
    CHECK(stacks[1].notes.empty());
    CHECK_FALSE(stacks[2].exists);
    CHECK(stacks[2].status == "REVIEW_IN_PROGRESS");
    REQUIRE(stacks[2].notes.size() == 1);
    CHECK(stacks[2].notes[0].find("never executed") != std::string::npos);
    // The nested stack is asked for by its ARN; every request carries the session token.
    const auto seen = server.seen();
    REQUIRE(seen.size() == 8);
    CHECK(seen[5].body.find("StackName=arn%3Aaws%3Acloudformation") != std::string::npos);
    for (const auto& s : seen) CHECK(s.head.find("X-Amz-Security-Token: fetchTOKEN") != std::string::npos);
}

TEST_CASE("Access denied names the action and the stack, expired and rejected credentials say so") {
    {
        ScriptedServer server({{200, describe("Game", "CREATE_COMPLETE")},
                               {403, error_body("AccessDenied", "User: u is not authorized to perform: "
                                                                "cloudformation:GetTemplate")}});
        const std::string m = message_of([&] { fetch_deployed_stacks({{"Game", "us-east-1"}}, options_for(server.url())); });
        CHECK(m.rfind("access denied: cloudformation:GetTemplate on stack Game in us-east-1 for the AWS credentials "
                      "from AWS_ACCESS_KEY_ID (access key AKIA…0001)", 0) == 0);
        CHECK(m.find("ReadOnlyAccess") != std::string::npos);
        CHECK(m.find(kSecret) == std::string::npos);
        CHECK(m.find("fetchTOKEN") == std::string::npos);
    }
    {
        ScriptedServer server({{403, error_body("ExpiredToken", "The security token included in the request is expired")}});
        const std::string m = message_of([&] { fetch_deployed_stacks({{"Game", "us-east-1"}}, options_for(server.url())); });
        CHECK(m.find("the AWS credentials from AWS_ACCESS_KEY_ID (access key AKIA…0001) have expired") == 0);
    }
    {
        ScriptedServer server({{403, error_body("SignatureDoesNotMatch", "The request signature we calculated does not match")}});
        const std::string m = message_of([&] { fetch_deployed_stacks({{"Game", "us-east-1"}}, options_for(server.url())); });
        CHECK(m.find("were rejected by " + server.url()) != std::string::npos);
        CHECK(m.find(kSecret) == std::string::npos);
    }
    {
        ScriptedServer server({{500, error_body("InternalFailure", "boom")}});
        const std::string m = message_of([&] { fetch_deployed_stacks({{"Game", "us-east-1"}}, options_for(server.url())); });
        CHECK(m == "cloudformation:DescribeStacks on stack Game in us-east-1 failed: HTTP 500 InternalFailure: boom");
    }
}

TEST_CASE("A failure reports the first failing stack in app order, whatever the timing") {
    // Every answer is an error: with 4 workers the later stacks may be asked first, but the
    // message is always the first stack's.
    ScriptedServer server({{400, error_body("ValidationError", "bad request")}});
    FetchOptions o = options_for(server.url());
    o.concurrency = 4;
    for (int run = 0; run < 5; ++run) {
        const std::string m = message_of([&] {
            fetch_deployed_stacks({{"A", "us-east-1"}, {"B", "us-east-1"}, {"C", "us-east-1"}, {"D", "us-east-1"}}, o);
        });
        CHECK(m == "cloudformation:DescribeStacks on stack A in us-east-1 failed: HTTP 400 ValidationError: bad request");
    }
}
