// Drift detection (src/deploy/drift.cpp) against a scripted CloudFormation: a stack in sync, a
// modified property, a deleted resource, types CloudFormation does not check (said so, or left out
// of the answer), a detection that fails, one still in progress then complete, pages of
// DescribeStackResourceDrifts, a nested stack, a stack not deployed, a refused detection and an
// access error; the text and JSON reports; `run_drift` on an assembly with a session.
// The scripted server answers in order, so these run with --concurrency 1 (the moto test runs the
// default 4).

#include <catch2/catch.hpp>

#include <map>
#include <optional>

#include "../aws_api/scripted_server.hpp"
#include "../aws_api/test_client_options.hpp"
#include "deploy/drift.hpp"

using leafsynth::aws_api::CloudFormationClient;
using leafsynth::deploy::DriftReport;
using leafsynth::deploy::DriftState;

namespace {

const char* kNs = " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";
const std::string kGameId = "arn:aws:cloudformation:us-west-2:123456789012:stack/Game/1";
const std::string kNestedId = "arn:aws:cloudformation:us-west-2:123456789012:stack/Game-VolumesNestedStack-X/2";

std::string answer(const std::string& action, const std::string& inner) {
    return "<" + action + "Response" + kNs + "><" + action + "Result>" + inner + "</" + action +
           "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";
}

std::string described(const std::string& id, const std::string& name, const std::string& status = "UPDATE_COMPLETE") {
    return answer("DescribeStacks", "<Stacks><member><StackId>" + id + "</StackId><StackName>" + name +
                                        "</StackName><StackStatus>" + status + "</StackStatus></member></Stacks>");
}

std::string resource(const std::string& logical, const std::string& physical, const std::string& type) {
    return "<member><LogicalResourceId>" + logical + "</LogicalResourceId><PhysicalResourceId>" + physical +
           "</PhysicalResourceId><ResourceType>" + type + "</ResourceType><ResourceStatus>CREATE_COMPLETE"
           "</ResourceStatus></member>";
}

std::string resources(const std::string& members) {
    return answer("ListStackResources", "<StackResourceSummaries>" + members + "</StackResourceSummaries>");
}

std::string detect(const std::string& id = "d-1") {
    return answer("DetectStackDrift", "<StackDriftDetectionId>" + id + "</StackDriftDetectionId>");
}

std::string detection(const std::string& detection_status, const std::string& stack_status,
                      const std::string& reason = "") {
    return answer("DescribeStackDriftDetectionStatus",
                  "<StackId>" + kGameId + "</StackId><StackDriftDetectionId>d-1</StackDriftDetectionId>"
                  "<StackDriftStatus>" + stack_status + "</StackDriftStatus><DetectionStatus>" + detection_status +
                      "</DetectionStatus>" + (reason.empty() ? "" : "<DetectionStatusReason>" + reason +
                                                                        "</DetectionStatusReason>") +
                      "<Timestamp>2026-01-02T03:04:05Z</Timestamp>");
}

std::string difference(const std::string& path, const std::string& expected, const std::string& actual,
                       const std::string& type) {
    return "<member><PropertyPath>" + path + "</PropertyPath><ExpectedValue>" + expected +
           "</ExpectedValue><ActualValue>" + actual + "</ActualValue><DifferenceType>" + type +
           "</DifferenceType></member>";
}

std::string drift(const std::string& logical, const std::string& physical, const std::string& type,
                  const std::string& status, const std::string& differences = "") {
    return "<member><StackId>" + kGameId + "</StackId><LogicalResourceId>" + logical +
           "</LogicalResourceId><PhysicalResourceId>" + physical + "</PhysicalResourceId><ResourceType>" + type +
           "</ResourceType><StackResourceDriftStatus>" + status + "</StackResourceDriftStatus>" +
           (differences.empty() ? "" : "<PropertyDifferences>" + differences + "</PropertyDifferences>") +
           "<Timestamp>2026-01-02T03:04:05Z</Timestamp></member>";
}

std::string drifts(const std::string& members, const std::string& next_token = "") {
    return answer("DescribeStackResourceDrifts", "<StackResourceDrifts>" + members + "</StackResourceDrifts>" +
                                                     (next_token.empty() ? "" : "<NextToken>" + next_token + "</NextToken>"));
}

leafsynth::deploy::DriftRunOptions quick() {
    leafsynth::deploy::DriftRunOptions o;
    o.concurrency = 1;
    o.poll = {.first = std::chrono::milliseconds(1), .cap = std::chrono::milliseconds(2), .timeout = std::chrono::seconds(10)};
    return o;
}

/// Runs detect_drift for `stacks` (us-west-2) against `server`.
DriftReport run(ScriptedServer& server, const std::vector<std::string>& stacks,
                leafsynth::deploy::DriftRunOptions options = quick()) {
    std::vector<leafsynth::deploy::DriftTarget> targets;
    for (const auto& s : stacks) targets.push_back({.stack_name = s, .region = "us-west-2"});
    const std::string url = server.url();
    return leafsynth::deploy::detect_drift(
        targets,
        [url](const std::string& region, const std::string&, const std::string&) {
            return std::make_unique<CloudFormationClient>(
                test_client_options(url, region, {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"},
                                    std::chrono::milliseconds(5000), 1));
        },
        options);
}

std::vector<std::string> actions(ScriptedServer& server) {
    std::vector<std::string> out;
    for (const auto& s : server.seen()) out.push_back(s.body.substr(7, s.body.find('&') - 7)); // "Action=X&..."
    return out;
}

const std::string kParam = "AWS::SSM::Parameter";
const std::string kLogs = "AWS::Logs::LogGroup";

} // namespace

TEST_CASE("Drift: a stack in sync") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "IN_SYNC")},
        {200, drifts(drift("Param", "/game/param", kParam, "IN_SYNC"))},
    });
    const DriftReport report = run(server, {"Game"});
    REQUIRE(report.stacks.size() == 1);
    CHECK(report.stacks[0].state == DriftState::InSync);
    CHECK(report.stacks[0].stack_id == kGameId);
    CHECK_FALSE(report.has_drift());
    CHECK(report.failed_stacks().empty());
    CHECK(leafsynth::deploy::render_drift(report) ==
          "Stack Game (us-west-2): in sync (1 resource checked)\n"
          "\n"
          "No drift (1 stack checked, nested stacks included; resources: 0 modified, 0 deleted, 1 in sync, 0 not checked).\n");
    CHECK(actions(server) == std::vector<std::string>{"DescribeStacks", "ListStackResources", "DetectStackDrift",
                                                      "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts"});
    CHECK(server.seen()[2].body.find("StackName=arn%3Aaws%3Acloudformation") != std::string::npos); // by its ARN
    CHECK(server.seen()[3].body.find("StackDriftDetectionId=d-1") != std::string::npos);
}

TEST_CASE("Drift: a modified property, a deleted resource, types not checked, the text and JSON reports") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam) + resource("Logs", "game-logs", kLogs) +
                        resource("Queue", "https://sqs/q", "AWS::SQS::Queue") +
                        resource("Sub", "arn:sub", "AWS::SNS::Subscription") +
                        resource("Widget", "w-1", "Custom::Widget"))},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "DRIFTED")},
        // Widget is left out, as CloudFormation leaves out the types it cannot check
        {200, drifts(drift("Param", "/game/param", kParam, "MODIFIED",
                           difference("/Value", "one", "changed by hand", "NOT_EQUAL") +
                               difference("/Tags/0/Value", "games", "", "REMOVE") +
                               difference("/Tags/my key", "", "x", "ADD")) +
                     drift("Logs", "game-logs", kLogs, "DELETED") +
                     drift("Queue", "https://sqs/q", "AWS::SQS::Queue", "IN_SYNC") +
                     drift("Sub", "arn:sub", "AWS::SNS::Subscription", "NOT_CHECKED"))},
    });
    const DriftReport report = run(server, {"Game"});
    REQUIRE(report.stacks.size() == 1);
    const auto& game = report.stacks[0];
    CHECK(game.state == DriftState::Drifted);
    CHECK(report.has_drift());
    REQUIRE(game.resources.size() == 5);
    CHECK(game.resources[4].logical_id == "Widget");
    CHECK(game.resources[4].status == "NOT_CHECKED");
    CHECK(leafsynth::deploy::render_drift(report) ==
          "Stack Game (us-west-2): drifted (2 of 3 resources checked, 2 not checked)\n"
          "  Resources\n"
          "    [-] AWS::Logs::LogGroup Logs (game-logs)  DELETED\n"
          "    [~] AWS::SSM::Parameter Param (/game/param)  MODIFIED\n"
          "        [~] Value: \"one\" -> \"changed by hand\"\n"
          "        [-] Tags[0].Value: \"games\"\n"
          "        [+] Tags.'my key': \"x\"\n"
          "  Not checked (CloudFormation cannot detect drift of these)\n"
          "    AWS::SNS::Subscription Sub (arn:sub)\n"
          "    Custom::Widget Widget (w-1)\n"
          "\n"
          "Summary: 1 of 1 stack drifted (nested included); resources: 1 modified, 1 deleted, 1 in sync, 2 not checked.\n");
    const nlohmann::json j = leafsynth::deploy::drift_to_json(report);
    CHECK(j["drifted"] == true);
    CHECK(j["summary"]["resources_modified"] == 1);
    CHECK(j["summary"]["resources_deleted"] == 1);
    CHECK(j["summary"]["resources_not_checked"] == 2);
    const auto& param = j["stacks"][0]["resources"][1];
    CHECK(param["logical_id"] == "Param");
    CHECK(param["status"] == "MODIFIED");
    CHECK(param["differences"][0] == nlohmann::json{{"path", "/Value"},
                                                    {"expected", "one"},
                                                    {"actual", "changed by hand"},
                                                    {"difference_type", "NOT_EQUAL"}});
    CHECK(j["stacks"][0]["status"] == "drifted");
    CHECK(j["stacks"][0]["stack_drift_status"] == "DRIFTED");
    // keys sorted, no detection id or time: the same state gives the same document
    CHECK(j.dump() == leafsynth::deploy::drift_to_json(report).dump());
    CHECK(j.dump().find("d-1") == std::string::npos);
    CHECK(j.dump().find("2026-01-02") == std::string::npos);
}

TEST_CASE("Drift: a detection that fails is reported with its reason, with what it checked") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam) + resource("Logs", "game-logs", kLogs))},
        {200, detect()},
        {200, detection("DETECTION_FAILED", "UNKNOWN", "Failed to detect drift on resource [Logs]: Access denied")},
        {200, drifts(drift("Param", "/game/param", kParam, "IN_SYNC"))},
    });
    const DriftReport report = run(server, {"Game"});
    const auto& game = report.stacks[0];
    CHECK(game.state == DriftState::DetectionFailed);
    CHECK(game.reason == "Failed to detect drift on resource [Logs]: Access denied");
    CHECK(report.failed_stacks() == std::vector<std::string>{"Game"});
    CHECK_FALSE(report.has_drift());
    const std::string text = leafsynth::deploy::render_drift(report);
    CHECK(text.find("Stack Game (us-west-2): drift detection failed: Failed to detect drift on resource [Logs]: "
                    "Access denied\n") == 0);
    CHECK(text.find("    AWS::Logs::LogGroup Logs (game-logs)\n") != std::string::npos); // not checked
    CHECK(text.find("1 detection failed") != std::string::npos);
    CHECK(leafsynth::deploy::drift_to_json(report)["summary"]["detections_failed"] == 1);
}

TEST_CASE("Drift: a detection still in progress is polled until it completes") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {200, detect()},
        {200, detection("DETECTION_IN_PROGRESS", "")},
        {200, detection("DETECTION_IN_PROGRESS", "")},
        {200, detection("DETECTION_COMPLETE", "DRIFTED")},
        {200, drifts(drift("Param", "/game/param", kParam, "MODIFIED", difference("/Value", "1", "2", "NOT_EQUAL")))},
    });
    const DriftReport report = run(server, {"Game"});
    CHECK(report.stacks[0].state == DriftState::Drifted);
    CHECK(actions(server) == std::vector<std::string>{"DescribeStacks", "ListStackResources", "DetectStackDrift",
                                                      "DescribeStackDriftDetectionStatus",
                                                      "DescribeStackDriftDetectionStatus",
                                                      "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts"});
    CHECK(leafsynth::deploy::render_drift(report).find("        [~] Value: 1 -> 2\n") != std::string::npos);
}

TEST_CASE("Drift: a detection still in progress at the timeout is a failed detection") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {200, detect()},
        {200, detection("DETECTION_IN_PROGRESS", "")},
    });
    auto options = quick();
    options.poll.timeout = std::chrono::seconds(0);
    const DriftReport report = run(server, {"Game"}, options);
    CHECK(report.stacks[0].state == DriftState::DetectionFailed);
    CHECK(report.stacks[0].reason == "stopped waiting after 0 s: the detection (d-1) is still in progress");
}

TEST_CASE("Drift: every page of DescribeStackResourceDrifts is read") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("A", "/a", kParam) + resource("B", "/b", kParam))},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "DRIFTED")},
        {200, drifts(drift("B", "/b", kParam, "IN_SYNC"), "page-2")},
        {200, drifts(drift("A", "/a", kParam, "DELETED"))},
    });
    const DriftReport report = run(server, {"Game"});
    const auto& game = report.stacks[0];
    REQUIRE(game.resources.size() == 2);
    CHECK(game.resources[0].logical_id == "A"); // by logical id, whatever the answer's order
    CHECK(game.resources[0].status == "DELETED");
    CHECK(game.resources[1].status == "IN_SYNC");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 6);
    CHECK(seen[4].body.find("NextToken") == std::string::npos);
    CHECK(seen[5].body.find("NextToken=page-2") != std::string::npos);
}

TEST_CASE("Drift: nested stacks are checked on their own, under their parent") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam) +
                        resource("VolumesNestedStack", kNestedId, "AWS::CloudFormation::Stack"))},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "IN_SYNC")},
        {200, drifts(drift("Param", "/game/param", kParam, "IN_SYNC") +
                     drift("VolumesNestedStack", kNestedId, "AWS::CloudFormation::Stack", "NOT_CHECKED"))},
        // the nested stack
        {200, described(kNestedId, "Game-VolumesNestedStack-X")},
        {200, resources(resource("Inner", "/game/inner", kParam))},
        {200, detect("d-2")},
        {200, detection("DETECTION_COMPLETE", "DRIFTED")},
        {200, drifts(drift("Inner", "/game/inner", kParam, "MODIFIED", difference("/Value", "a", "b", "NOT_EQUAL")))},
    });
    const DriftReport report = run(server, {"Game"});
    const auto& game = report.stacks[0];
    CHECK(game.state == DriftState::InSync);
    REQUIRE(game.resources.size() == 1); // the nested stack's own resource is the nested stack below
    REQUIRE(game.nested.size() == 1);
    CHECK(game.nested[0].name == "VolumesNestedStack");
    CHECK(game.nested[0].stack_id == kNestedId);
    CHECK(game.nested[0].state == DriftState::Drifted);
    CHECK(game.drifted());
    CHECK(report.has_drift());
    CHECK(leafsynth::deploy::render_drift(report) ==
          "Stack Game (us-west-2): in sync (1 resource checked)\n"
          "  Nested stack VolumesNestedStack: drifted (1 of 1 resource checked)\n"
          "    Resources\n"
          "      [~] AWS::SSM::Parameter Inner (/game/inner)  MODIFIED\n"
          "          [~] Value: \"a\" -> \"b\"\n"
          "\n"
          "Summary: 1 of 2 stacks drifted (nested included); resources: 1 modified, 0 deleted, 1 in sync, 0 not checked.\n");
    const auto seen = server.seen();
    CHECK(seen[5].body.find("StackName=arn%3Aaws%3Acloudformation%3Aus-west-2%3A123456789012%3Astack%2FGame-Volumes") !=
          std::string::npos);
    const auto j = leafsynth::deploy::drift_to_json(report);
    CHECK(j["stacks"][0]["nested"][0]["name"] == "VolumesNestedStack");
    CHECK(j["stacks"][0]["nested"][0]["resources"][0]["differences"][0]["actual"] == "b");
}

TEST_CASE("Drift: a nested stack that lists itself (an endpoint answering nonsense) is checked once") {
    const std::string nested = resource("Loop", kNestedId, "AWS::CloudFormation::Stack");
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(nested)},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "IN_SYNC")},
        {200, drifts("")},
        {200, described(kNestedId, "Game-Loop")},
        {200, resources(nested)},
        {200, detect("d-2")},
        {200, detection("DETECTION_COMPLETE", "IN_SYNC")},
        {200, drifts("")},
    });
    const DriftReport report = run(server, {"Game"});
    REQUIRE(report.stacks[0].nested.size() == 1);
    CHECK(report.stacks[0].nested[0].nested.empty());
    CHECK(server.seen().size() == 10);
}

TEST_CASE("Drift: a stack that is not deployed is reported so, the others are checked") {
    ScriptedServer server({
        {400, error_body("ValidationError", "Stack with id Gone does not exist")},
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {200, detect()},
        {200, detection("DETECTION_COMPLETE", "IN_SYNC")},
        {200, drifts(drift("Param", "/game/param", kParam, "IN_SYNC"))},
    });
    const DriftReport report = run(server, {"Gone", "Game"});
    REQUIRE(report.stacks.size() == 2);
    CHECK(report.stacks[0].state == DriftState::NotDeployed);
    CHECK(report.stacks[1].state == DriftState::InSync);
    CHECK(leafsynth::deploy::render_drift(report) ==
          "Stack Gone (us-west-2): not deployed\n"
          "Stack Game (us-west-2): in sync (1 resource checked)\n"
          "\n"
          "Summary: 0 of 2 stacks drifted (nested included), 1 not deployed; resources: 0 modified, 0 deleted, 1 in "
          "sync, 0 not checked.\n");
    CHECK(leafsynth::deploy::drift_to_json(report)["stacks"][0]["status"] == "not_deployed");
}

TEST_CASE("Drift: a detection CloudFormation refuses (an operation in progress) is a failed detection") {
    ScriptedServer server({
        {200, described(kGameId, "Game", "UPDATE_IN_PROGRESS")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {400, error_body("ValidationError", "Stack [Game] is in UPDATE_IN_PROGRESS state")},
    });
    const DriftReport report = run(server, {"Game"});
    CHECK(report.stacks[0].state == DriftState::DetectionFailed);
    CHECK(report.stacks[0].reason ==
          "CloudFormation refused to detect drift: Stack [Game] is in UPDATE_IN_PROGRESS state");
}

TEST_CASE("Drift: access denied is one error naming the action and the stack") {
    ScriptedServer server({
        {200, described(kGameId, "Game")},
        {200, resources(resource("Param", "/game/param", kParam))},
        {403, error_body("AccessDenied", "User is not authorized to perform cloudformation:DetectStackDrift")},
    });
    try {
        run(server, {"Game"});
        FAIL("no error");
    } catch (const leafsynth::InputError& e) {
        CHECK(std::string(e.what()) == "cloudformation:DetectStackDrift on stack Game in us-west-2 failed: AccessDenied: "
                                       "User is not authorized to perform cloudformation:DetectStackDrift");
    }
}

TEST_CASE("Drift: run_drift reads the assembly, selects by glob and uses the session's endpoint") {
    ScriptedServer server({
        {400, error_body("ValidationError", "Stack with id Game-B does not exist")},
    });
    leafsynth::deploy::DriftOptions o;
    o.files["manifest.json"] = R"({"version": "36.0.0", "artifacts": {
      "A": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/us-west-2",
            "properties": {"templateFile": "A.template.json", "stackName": "Game-A"}},
      "B": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": "B.template.json", "stackName": "Game-B"}, "dependencies": ["A"]}}})";
    o.files["A.template.json"] = "{}";
    o.files["B.template.json"] = "{}";
    o.root = "out/";
    o.default_region = "eu-west-1";
    o.selection = {.patterns = {"*-B"}, .exclusively = false}; // never the stacks it depends on
    o.run = quick();
    const std::string url = server.url();
    const std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                                                    {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                    {"AWS_ENDPOINT_URL", url},
                                                    {"AWS_MAX_ATTEMPTS", "1"},
                                                    {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                                    {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
    o.session = {.profile = "", .timeout = std::chrono::milliseconds(5000),
                 .env = [env](const std::string& name) -> std::optional<std::string> {
                     auto it = env.find(name);
                     return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
                 }};
    const DriftReport report = leafsynth::deploy::run_drift(o);
    REQUIRE(report.stacks.size() == 1);
    CHECK(report.stacks[0].name == "Game-B");
    CHECK(report.stacks[0].region == "eu-west-1"); // the default region for a stack without one
    CHECK(report.stacks[0].state == DriftState::NotDeployed);
    REQUIRE(server.seen().size() == 1);
    CHECK(server.seen()[0].head.find("eu-west-1/cloudformation/aws4_request") != std::string::npos);

    o.selection = {.patterns = {"Nope*"}, .exclusively = false};
    CHECK_THROWS_AS(leafsynth::deploy::run_drift(o), leafsynth::InputError);
}
