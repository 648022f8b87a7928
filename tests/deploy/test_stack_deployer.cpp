// One stack's deployment (src/deploy/stack_deployer.cpp) against a scripted CloudFormation: the
// review of a change set with a nested change set, a stateful replacement found in the nested one
// and not approved (the change set deleted, nothing executed), a cancel on Ctrl-C, and the parsing of
// event times; one stack's deletion (destroy_stack): the execution role passed on, DELETE_FAILED with
// the resource that failed (followed into a nested stack) or the stack's own reason, a stack that
// does not exist.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <ctime>

#include "../aws_api/scripted_server.hpp"
#include "../aws_api/test_client_options.hpp"
#include "deploy/stack_deployer.hpp"

using leafsynth::aws_api::CloudFormationClient;
using leafsynth::deploy::deploy_stack;
using leafsynth::deploy::destroy_stack;
using leafsynth::deploy::StackResult;

namespace {

const char* kNs = " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";

std::string answer(const std::string& action, const std::string& inner) {
    return "<" + action + "Response" + kNs + "><" + action + "Result>" + inner + "</" + action +
           "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";
}

std::string change(const std::string& action, const std::string& type, const std::string& id,
                   const std::string& replacement, const std::string& nested = "") {
    return "<member><Type>Resource</Type><ResourceChange><Action>" + action + "</Action><LogicalResourceId>" + id +
           "</LogicalResourceId><ResourceType>" + type + "</ResourceType><Replacement>" + replacement +
           "</Replacement><Scope><member>Properties</member></Scope><Details/>" +
           (nested.empty() ? "" : "<ChangeSetId>" + nested + "</ChangeSetId>") + "</ResourceChange></member>";
}

std::string change_set(const std::string& id, const std::string& changes) {
    return answer("DescribeChangeSet", "<ChangeSetName>c</ChangeSetName><ChangeSetId>" + id +
                                           "</ChangeSetId><StackId>arn:stack/Game/1</StackId><StackName>Game</StackName>"
                                           "<Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus>"
                                           "<Changes>" + changes + "</Changes>");
}


leafsynth::deploy::StackRunOptions quick_options(std::vector<std::string>& lines) {
    leafsynth::deploy::StackRunOptions run;
    run.poll = {.first = std::chrono::milliseconds(1), .cap = std::chrono::milliseconds(1), .timeout = std::chrono::seconds(10)};
    run.say = [&lines](const std::string& line) { lines.push_back(line); };
    return run;
}

leafsynth::deploy::StackJob game_job() {
    return {.stack_name = "Game", .region = "us-west-2", .template_url = "https://b/t.json", .template_body = "",
            .template_parameters = nlohmann::json::object(), .parameters = {}, .tags = {{"team", "games"}},
            .termination_protection = false, .execution_role_arn = ""};
}

std::string described(const std::string& status, const std::string& reason = "") {
    return answer("DescribeStacks", "<Stacks><member><StackId>arn:stack/Game/1</StackId><StackName>Game</StackName>"
                                    "<StackStatus>" + status + "</StackStatus><StackStatusReason>" + reason +
                                        "</StackStatusReason></member></Stacks>");
}

/// A stack event of Game (or, with `stack_id`, of another stack) happening now.
std::string event(const std::string& id, const std::string& logical, const std::string& type, const std::string& status,
                  const std::string& reason, const std::string& stack_id = "arn:stack/Game/1",
                  const std::string& physical = "") {
    char now[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
    const std::string name = stack_id == "arn:stack/Game/1" ? "Game" : "Game-Store-1";
    return "<member><EventId>" + id + "</EventId><StackName>" + name + "</StackName><StackId>" + stack_id +
           "</StackId><LogicalResourceId>" + logical + "</LogicalResourceId><PhysicalResourceId>" + physical +
           "</PhysicalResourceId><ResourceType>" + type + "</ResourceType><Timestamp>" + now +
           "</Timestamp><ResourceStatus>" + status + "</ResourceStatus><ResourceStatusReason>" + reason +
           "</ResourceStatusReason></member>";
}

std::string events(const std::string& members) { return answer("DescribeStackEvents", "<StackEvents>" + members + "</StackEvents>"); }

} // namespace

TEST_CASE("Stack deployer: a stateful replacement inside a nested change set asks, and a no deletes the change set") {
    ScriptedServer server({
        {200, described("UPDATE_COMPLETE")},
        {200, answer("CreateChangeSet", "<Id>arn:cs/top</Id><StackId>arn:stack/Game/1</StackId>")},
        {200, change_set("arn:cs/top", change("Modify", "AWS::CloudFormation::Stack", "VolumesNestedStack", "False",
                                              "arn:cs/nested"))},
        {200, change_set("arn:cs/nested", change("Modify", "AWS::EFS::FileSystem", "Efs", "True") +
                                              change("Add", "AWS::SNS::Topic", "Topic", ""))},
        {200, answer("DeleteChangeSet", "")},
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::vector<std::string> lines, questions;
    auto run = quick_options(lines);
    run.confirm_stateful = [&](const std::string& q) {
        questions.push_back(q);
        return false;
    };
    const auto outcome = deploy_stack(cf, game_job(), run);
    CHECK(outcome.result == StackResult::Skipped);
    CHECK(outcome.message == "not approved: AWS::EFS::FileSystem VolumesNestedStack/Efs (replaced)");
    REQUIRE(questions.size() == 1);
    CHECK(questions[0] == "stack Game: CloudFormation will replace or remove AWS::EFS::FileSystem "
                          "VolumesNestedStack/Efs (replaced), losing what they hold");
    CHECK(std::find(lines.begin(), lines.end(), "  [~] AWS::CloudFormation::Stack VolumesNestedStack") != lines.end());
    CHECK(std::find(lines.begin(), lines.end(), "      [~] AWS::EFS::FileSystem Efs  WILL BE REPLACED") != lines.end());
    CHECK(std::find(lines.begin(), lines.end(), "      [+] AWS::SNS::Topic Topic") != lines.end());
    const auto seen = server.seen();
    REQUIRE(seen.size() == 5);
    CHECK(seen[1].body.find("Action=CreateChangeSet") == 0);
    CHECK(seen[1].body.find("ChangeSetType=UPDATE") != std::string::npos);
    CHECK(seen[3].body.find("ChangeSetName=arn%3Acs%2Fnested") != std::string::npos);
    CHECK(seen[4].body.find("Action=DeleteChangeSet") == 0); // never ExecuteChangeSet
}

TEST_CASE("Stack deployer: a cancel (second Ctrl-C with --cancel-on-interrupt) cancels the update and waits for the rollback") {
    const std::string no_events = answer("DescribeStackEvents", "<StackEvents/>");
    ScriptedServer server({
        {200, described("UPDATE_COMPLETE")},
        {200, answer("CreateChangeSet", "<Id>arn:cs/top</Id><StackId>arn:stack/Game/1</StackId>")},
        {200, change_set("arn:cs/top", change("Modify", "AWS::SNS::Topic", "Topic", "False"))},
        {200, no_events},                                // the events there are before
        {200, answer("ExecuteChangeSet", "")},
        {200, no_events},
        {200, described("UPDATE_IN_PROGRESS")},
        {200, answer("CancelUpdateStack", "")},
        {200, no_events},
        {200, described("UPDATE_ROLLBACK_COMPLETE")},
        {200, no_events},
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::atomic<bool> interrupted{true}, cancel{true};
    std::vector<std::string> lines;
    auto run = quick_options(lines);
    run.interrupted = &interrupted;
    run.cancel = &cancel;
    run.disable_rollback = true; // --no-rollback: passed on to ExecuteChangeSet
    const auto outcome = deploy_stack(cf, game_job(), run);
    CHECK(outcome.result == StackResult::Failed);
    CHECK(outcome.status == "UPDATE_ROLLBACK_COMPLETE");
    CHECK(outcome.message == "cancelled (Ctrl-C with --cancel-on-interrupt): UPDATE_ROLLBACK_COMPLETE");
    CHECK(std::find(lines.begin(), lines.end(),
                    "cancelling the update (Ctrl-C with --cancel-on-interrupt); waiting for its rollback") != lines.end());
    const auto seen = server.seen();
    REQUIRE(seen.size() == 11);
    CHECK(seen[7].body.find("Action=CancelUpdateStack") == 0);
    CHECK(seen[4].body.find("Action=ExecuteChangeSet") == 0);
    CHECK(seen[4].body.find("DisableRollback=true") != std::string::npos);
}


TEST_CASE("Stack deployer: the state a stack is in first") {
    std::vector<std::string> lines;
    const leafsynth::aws_api::Credentials creds{"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"};
    SECTION("UPDATE_ROLLBACK_FAILED stops, naming --continue-rollback; nothing is asked of CloudFormation") {
        ScriptedServer server({{200, described("UPDATE_ROLLBACK_FAILED", "Resource Efs failed to roll back")}});
        CloudFormationClient cf(test_client_options(server.url(), "us-west-2", creds));
        const auto outcome = deploy_stack(cf, game_job(), quick_options(lines));
        CHECK(outcome.result == StackResult::Failed);
        CHECK(outcome.message == "the stack is UPDATE_ROLLBACK_FAILED: a rollback could not finish (Resource Efs failed "
                                 "to roll back); fix the resource named there, then run again with --continue-rollback");
        CHECK(server.seen().size() == 1);
    }
    SECTION("--continue-rollback continues an UPDATE_ROLLBACK_FAILED stack, then deploys") {
        ScriptedServer server({
            {200, described("UPDATE_ROLLBACK_FAILED", "Resource Efs failed to roll back")},
            {200, answer("ContinueUpdateRollback", "")},
            {200, described("UPDATE_ROLLBACK_COMPLETE")},
            {200, answer("CreateChangeSet", "<Id>arn:cs/c</Id><StackId>arn:stack/Game/1</StackId>")},
            {200, answer("DescribeChangeSet",
                         "<ChangeSetId>arn:cs/c</ChangeSetId><StackId>arn:stack/Game/1</StackId><Status>FAILED</Status>"
                         "<StatusReason>The submitted information didn't contain changes. Submit different information "
                         "to create a change set.</StatusReason><Changes/>")},
            {200, answer("DeleteChangeSet", "")},
        });
        CloudFormationClient cf(test_client_options(server.url(), "us-west-2", creds));
        auto run = quick_options(lines);
        run.continue_rollback = true;
        const auto outcome = deploy_stack(cf, game_job(), run);
        CHECK(outcome.result == StackResult::Unchanged);
        const auto seen = server.seen();
        REQUIRE(seen.size() == 6);
        CHECK(seen[1].body.find("Action=ContinueUpdateRollback") == 0);
        CHECK(seen[5].body.find("Action=DeleteChangeSet") == 0);
    }
    SECTION("an operation in progress is waited for") {
        ScriptedServer server({
            {200, described("UPDATE_IN_PROGRESS")},
            {200, described("UPDATE_IN_PROGRESS")},
            {200, described("UPDATE_COMPLETE")},
            {200, answer("CreateChangeSet", "<Id>arn:cs/c</Id><StackId>arn:stack/Game/1</StackId>")},
            {200, answer("DescribeChangeSet",
                         "<ChangeSetId>arn:cs/c</ChangeSetId><StackId>arn:stack/Game/1</StackId><Status>FAILED</Status>"
                         "<StatusReason>No updates are to be performed.</StatusReason><Changes/>")},
            {200, answer("DeleteChangeSet", "")},
        });
        CloudFormationClient cf(test_client_options(server.url(), "us-west-2", creds));
        const auto outcome = deploy_stack(cf, game_job(), quick_options(lines));
        CHECK(outcome.result == StackResult::Unchanged);
        CHECK(std::find(lines.begin(), lines.end(),
                        "waiting: the stack is UPDATE_IN_PROGRESS (an operation started elsewhere)") != lines.end());
        CHECK(server.seen().size() == 6);
    }
    SECTION("an operation in progress is refused with --no-wait-in-progress") {
        ScriptedServer server({{200, described("UPDATE_IN_PROGRESS")}});
        CloudFormationClient cf(test_client_options(server.url(), "us-west-2", creds));
        auto run = quick_options(lines);
        run.wait_in_progress = false;
        const auto outcome = deploy_stack(cf, game_job(), run);
        CHECK(outcome.result == StackResult::Failed);
        CHECK(outcome.message.find("another operation is running") != std::string::npos);
        CHECK(server.seen().size() == 1);
    }
    SECTION("ROLLBACK_COMPLETE (a failed first creation) is deleted, then created by a CREATE change set with the tags") {
        ScriptedServer server({
            {200, described("ROLLBACK_COMPLETE")},
            {200, answer("DeleteStack", "")},
            {200, described("DELETE_COMPLETE")},
            {200, answer("CreateChangeSet", "<Id>arn:cs/new</Id><StackId>arn:stack/Game/2</StackId>")},
            {200, answer("DescribeChangeSet",
                         "<ChangeSetId>arn:cs/new</ChangeSetId><StackId>arn:stack/Game/2</StackId><Status>FAILED</Status>"
                         "<StatusReason>Template error: something</StatusReason><Changes/>")},
            {200, answer("DeleteChangeSet", "")},
        });
        CloudFormationClient cf(test_client_options(server.url(), "us-west-2", creds));
        const auto outcome = deploy_stack(cf, game_job(), quick_options(lines));
        CHECK(std::find(lines.begin(), lines.end(),
                        "the stack is ROLLBACK_COMPLETE (its first creation failed): deleting it to create it again") !=
              lines.end());
        const auto seen = server.seen();
        REQUIRE(seen.size() == 6);
        CHECK(seen[1].body.find("Action=DeleteStack") == 0);
        CHECK(seen[3].body.find("ChangeSetType=CREATE") != std::string::npos);
        CHECK(seen[3].body.find("Tags.member.1.Key=team&Tags.member.1.Value=games") != std::string::npos);
        CHECK(seen[3].body.find("IncludeNestedStacks=true") != std::string::npos);
        CHECK(seen[3].body.find("Capabilities.member.3=CAPABILITY_AUTO_EXPAND") != std::string::npos);
        CHECK(outcome.result == StackResult::Failed);
        CHECK(outcome.message == "the change set could not be created (FAILED): Template error: something");
    }
}

TEST_CASE("Stack deployer: event times as CloudFormation and moto write them") {
    using leafsynth::deploy::parse_timestamp;
    CHECK(parse_timestamp("1970-01-01T00:00:10Z") == Approx(10));
    CHECK(parse_timestamp("2026-12-02T05:10:11.5Z") - parse_timestamp("2026-12-02T05:10:11Z") == Approx(0.5));
    CHECK(parse_timestamp("2026-12-02T05:10:11.123456+00:00") == Approx(parse_timestamp("2026-12-02T05:10:11Z") + 0.123456));
    CHECK(parse_timestamp("yesterday") == 0);
    CHECK(leafsynth::deploy::is_stateful_type("AWS::EFS::FileSystem"));
    CHECK_FALSE(leafsynth::deploy::is_stateful_type("AWS::SNS::Topic"));
}

TEST_CASE("Stack destroyer: deleted as the execution role, the stack's events followed") {
    ScriptedServer server({
        {200, described("UPDATE_COMPLETE")},
        {200, events("")}, // the events there are before
        {200, answer("DeleteStack", "")},
        {200, events(event("e1", "Topic", "AWS::SNS::Topic", "DELETE_COMPLETE", ""))},
        {200, described("DELETE_COMPLETE")},
        {200, events("")},
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::vector<std::string> lines, seen_events;
    auto run = quick_options(lines);
    run.on_event = [&](const leafsynth::aws_api::StackEvent& e) { seen_events.push_back(e.logical_id + " " + e.status); };
    const auto outcome = destroy_stack(cf, "Game", "arn:aws:iam::1:role/cfn-exec", run);
    CHECK(outcome.result == StackResult::Deleted);
    CHECK(outcome.status == "DELETE_COMPLETE");
    CHECK(seen_events == std::vector<std::string>{"Topic DELETE_COMPLETE"});
    const auto seen = server.seen();
    REQUIRE(seen.size() >= 3);
    CHECK(seen[2].body.find("Action=DeleteStack") == 0);
    CHECK(seen[2].body.find("StackName=arn%3Astack%2FGame%2F1") != std::string::npos);
    CHECK(seen[2].body.find("RoleARN=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fcfn-exec") != std::string::npos);
    CHECK(std::find(lines.begin(), lines.end(), "deleting (as arn:aws:iam::1:role/cfn-exec)") != lines.end());
}

TEST_CASE("Stack destroyer: DELETE_FAILED names the resource that failed, followed into a nested stack") {
    const std::string nested = "arn:stack/Game-Store-1/2";
    ScriptedServer server({
        {200, described("CREATE_COMPLETE")},
        {200, events("")},
        {200, answer("DeleteStack", "")},
        {200, events(event("e2", "Game", "AWS::CloudFormation::Stack", "DELETE_FAILED",
                           "The following resource(s) failed to delete: [Store]. ", "arn:stack/Game/1", "arn:stack/Game/1") +
                     event("e1", "Store", "AWS::CloudFormation::Stack", "DELETE_FAILED",
                           "Embedded stack " + nested + " was not successfully deleted: The following resource(s) "
                           "failed to delete: [Bucket]. ", "arn:stack/Game/1", nested))},
        // the nested stack found in the events is watched too
        {200, events(event("n1", "Bucket", "AWS::S3::Bucket", "DELETE_FAILED",
                           "The bucket you tried to delete is not empty", nested, "my-bucket"))},
        {200, described("DELETE_FAILED", "The following resource(s) failed to delete: [Store]. ")},
        {200, events("")},
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::vector<std::string> lines;
    const auto outcome = destroy_stack(cf, "Game", "", quick_options(lines));
    CHECK(outcome.result == StackResult::Failed);
    CHECK(outcome.status == "DELETE_FAILED");
    CHECK(outcome.message ==
          "AWS::S3::Bucket Bucket (in nested stack Game-Store-1) DELETE_FAILED: The bucket you tried to delete is not "
          "empty");
    CHECK(server.seen()[2].body.find("RoleARN") == std::string::npos);
}

TEST_CASE("Stack destroyer: the stack's own reason when no resource failed (an export still imported)") {
    ScriptedServer server({
        {200, described("UPDATE_COMPLETE")},
        {200, events("")},
        {200, answer("DeleteStack", "")},
        {200, events(event("e1", "Game", "AWS::CloudFormation::Stack", "DELETE_FAILED",
                           "Export Game:TopicArn cannot be deleted as it is in use by Player", "arn:stack/Game/1",
                           "arn:stack/Game/1"))},
        {200, described("DELETE_FAILED", "Export Game:TopicArn cannot be deleted as it is in use by Player")},
        {200, events("")},
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::vector<std::string> lines;
    const auto outcome = destroy_stack(cf, "Game", "", quick_options(lines));
    CHECK(outcome.result == StackResult::Failed);
    CHECK(outcome.message == "DELETE_FAILED: Export Game:TopicArn cannot be deleted as it is in use by Player");
}

TEST_CASE("Stack destroyer: a stack that does not exist is gone, and nothing is deleted") {
    ScriptedServer server({{400, "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack "
                                 "with id Game does not exist</Message></Error></ErrorResponse>"}});
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"}));
    std::vector<std::string> lines;
    const auto outcome = destroy_stack(cf, "Game", "", quick_options(lines));
    CHECK(outcome.result == StackResult::Gone);
    REQUIRE(server.seen().size() == 1);
    CHECK(server.seen()[0].body.find("Action=DescribeStacks") == 0);
}

TEST_CASE("Stack destroyer: a CloudFormation that only errs while it is polled ends the wait with its error") {
    const std::string busy = "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>try "
                             "again</Message></Error></ErrorResponse>";
    ScriptedServer server({
        {200, described("UPDATE_COMPLETE")},
        {200, events("")},
        {200, answer("DeleteStack", "")},
        {500, busy}, // every poll from here on (the last reply repeats)
    });
    CloudFormationClient cf(test_client_options(server.url(), "us-west-2", {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"},
                                                std::chrono::milliseconds(5000), 1));
    std::vector<std::string> lines;
    try {
        (void)destroy_stack(cf, "Game", "", quick_options(lines));
        FAIL("no error");
    } catch (const leafsynth::aws_api::ApiError& e) {
        CHECK(e.code() == "InternalFailure");
    }
    // Shrugged off, said, nine times in a row; the tenth ends it.
    CHECK(std::count(lines.begin(), lines.end(), "polling: InternalFailure (throttled or busy); asking again") == 9);
}
