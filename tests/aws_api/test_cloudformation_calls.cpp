// The CloudFormation write and polling calls against a scripted HTTP server on 127.0.0.1: the
// form fields each call sends (CreateChangeSet's numbered Parameters/Capabilities/Tags members
// included), the parsing of realistic answers (DescribeChangeSet, DescribeStackEvents, ListExports
// and ListImports over two pages, DescribeStacks' outputs, tags and times), the caller's stop
// condition of describe_stack_events, error answers, and is_no_changes.

#include <catch2/catch.hpp>

#include "aws_api/cloudformation.hpp"
#include "scripted_server.hpp"
#include "test_client_options.hpp"

using namespace leafsynth::aws_api;

namespace {

const std::string kNs = " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";

ClientOptions cfn_options(const std::string& url) {
    return test_client_options(url, "us-east-1",
                               {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "test"});
}

/// An answer `<ActionResponse><ActionResult>inner</ActionResult><ResponseMetadata/></ActionResponse>`.
std::string answer(const std::string& action, const std::string& inner) {
    return "<" + action + "Response" + kNs + "><" + action + "Result>" + inner + "</" + action +
           "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";
}

std::string empty_answer(const std::string& action) {
    return "<" + action + "Response" + kNs + "><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" +
           action + "Response>";
}

std::string event(const std::string& id, const std::string& logical, const std::string& status,
                  const std::string& reason = "") {
    return "<member><EventId>" + id + "</EventId><StackName>App</StackName><StackId>arn:stack/App/1</StackId>"
           "<LogicalResourceId>" + logical + "</LogicalResourceId><PhysicalResourceId>phys-" + logical +
           "</PhysicalResourceId><ResourceType>AWS::SNS::Topic</ResourceType>"
           "<Timestamp>2026-12-02T04:00:00.123Z</Timestamp><ResourceStatus>" + status + "</ResourceStatus>" +
           (reason.empty() ? "" : "<ResourceStatusReason>" + reason + "</ResourceStatusReason>") + "</member>";
}

} // namespace

TEST_CASE("create_change_set sends every field, lists numbered as the query API wants, and parses the ids") {
    ScriptedServer server({{200, answer("CreateChangeSet", "<Id>arn:aws:cloudformation:us-east-1:1:changeSet/cs/1</Id>"
                                                           "<StackId>arn:aws:cloudformation:us-east-1:1:stack/App/2</StackId>")}});
    CloudFormationClient cf(cfn_options(server.url()));
    const ChangeSetCreated created = cf.create_change_set({
        .stack_name = "App",
        .change_set_name = "leafsynth-1",
        .change_set_type = "CREATE",
        .template_url = "https://s3.us-east-1.amazonaws.com/b/t.json",
        .parameters = {{.key = "Env", .value = "prod", .use_previous_value = false},
                       {.key = "Keep", .value = "", .use_previous_value = true}},
        .capabilities = {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"},
        .tags = {{"team", "a b"}, {"cost", "1"}},
        .include_nested_stacks = true,
        .description = "by leafsynth",
        .role_arn = "arn:aws:iam::1:role/exec",
    });
    CHECK(created.change_set_id == "arn:aws:cloudformation:us-east-1:1:changeSet/cs/1");
    CHECK(created.stack_id == "arn:aws:cloudformation:us-east-1:1:stack/App/2");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].body ==
          "Action=CreateChangeSet&Version=2010-05-15&StackName=App&ChangeSetName=leafsynth-1&ChangeSetType=CREATE"
          "&TemplateURL=https%3A%2F%2Fs3.us-east-1.amazonaws.com%2Fb%2Ft.json"
          "&Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=prod"
          "&Parameters.member.2.ParameterKey=Keep&Parameters.member.2.UsePreviousValue=true"
          "&Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_AUTO_EXPAND"
          "&Tags.member.1.Key=team&Tags.member.1.Value=a%20b&Tags.member.2.Key=cost&Tags.member.2.Value=1"
          "&IncludeNestedStacks=true&Description=by%20leafsynth&RoleARN=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fexec");
    CHECK(seen[0].head.find("Authorization: AWS4-HMAC-SHA256 ") != std::string::npos);
}

TEST_CASE("A minimal change set request sends only the required fields") {
    ScriptedServer server({{200, answer("CreateChangeSet", "<Id>cs</Id><StackId>st</StackId>")}});
    CloudFormationClient cf(cfn_options(server.url()));
    cf.create_change_set({.stack_name = "App", .change_set_name = "c", .change_set_type = "UPDATE",
                          .template_url = "u", .parameters = {}, .capabilities = {}, .tags = {},
                          .include_nested_stacks = false, .description = "", .role_arn = ""});
    CHECK(server.seen()[0].body ==
          "Action=CreateChangeSet&Version=2010-05-15&StackName=App&ChangeSetName=c&ChangeSetType=UPDATE&TemplateURL=u");
}

TEST_CASE("describe_change_set reads every page of changes, nested change set ids and scopes included") {
    const std::string head =
        "<ChangeSetName>leafsynth-1</ChangeSetName><ChangeSetId>arn:cs/1</ChangeSetId><StackId>arn:stack/App/1</StackId>"
        "<StackName>App</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus>"
        "<CreationTime>2026-12-02T04:00:00Z</CreationTime>";
    const std::string page1 = answer(
        "DescribeChangeSet",
        head + "<Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action>"
               "<LogicalResourceId>Topic</LogicalResourceId><PhysicalResourceId>arn:sns:t</PhysicalResourceId>"
               "<ResourceType>AWS::SNS::Topic</ResourceType><Replacement>Conditional</Replacement>"
               "<Scope><member>Properties</member><member>Tags</member></Scope>"
               "<Details><member><Target><Attribute>Properties</Attribute><Name>DisplayName</Name>"
               "<RequiresRecreation>Never</RequiresRecreation></Target><Evaluation>Static</Evaluation>"
               "<ChangeSource>DirectModification</ChangeSource></member></Details></ResourceChange></member>"
               "<member><Type>Resource</Type><ResourceChange><Action>Add</Action>"
               "<LogicalResourceId>Queue</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType>"
               "<Scope/><Details/></ResourceChange></member></Changes><NextToken>tok 2</NextToken>");
    const std::string page2 = answer(
        "DescribeChangeSet",
        head + "<Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action>"
               "<LogicalResourceId>Nested</LogicalResourceId><PhysicalResourceId>arn:stack/App-Nested/3</PhysicalResourceId>"
               "<ResourceType>AWS::CloudFormation::Stack</ResourceType><Replacement>False</Replacement>"
               "<Scope><member>Properties</member></Scope><Details/>"
               "<ChangeSetId>arn:cs/nested-1</ChangeSetId></ResourceChange></member>"
               "<member><Type>Resource</Type><ResourceChange><Action>Remove</Action>"
               "<LogicalResourceId>Old</LogicalResourceId><PhysicalResourceId>old-1</PhysicalResourceId>"
               "<ResourceType>AWS::S3::Bucket</ResourceType><Scope/><Details/></ResourceChange></member></Changes>");
    ScriptedServer server({{200, page1}, {200, page2}});
    CloudFormationClient cf(cfn_options(server.url()));
    const ChangeSetDescription cs = cf.describe_change_set("leafsynth-1", "App");
    CHECK(cs.change_set_id == "arn:cs/1");
    CHECK(cs.change_set_name == "leafsynth-1");
    CHECK(cs.stack_id == "arn:stack/App/1");
    CHECK(cs.stack_name == "App");
    CHECK(cs.status == "CREATE_COMPLETE");
    CHECK(cs.execution_status == "AVAILABLE");
    CHECK(cs.status_reason.empty());
    CHECK_FALSE(is_no_changes(cs));
    REQUIRE(cs.changes.size() == 4);
    CHECK(cs.changes[0].action == "Modify");
    CHECK(cs.changes[0].logical_id == "Topic");
    CHECK(cs.changes[0].physical_id == "arn:sns:t");
    CHECK(cs.changes[0].resource_type == "AWS::SNS::Topic");
    CHECK(cs.changes[0].replacement == "Conditional");
    CHECK(cs.changes[0].scope == std::vector<std::string>{"Properties", "Tags"});
    CHECK(cs.changes[0].nested_change_set_id.empty());
    CHECK(cs.changes[1].action == "Add");
    CHECK(cs.changes[1].physical_id.empty());
    CHECK(cs.changes[1].scope.empty());
    CHECK(cs.changes[2].nested_change_set_id == "arn:cs/nested-1");
    CHECK(cs.changes[2].replacement == "False");
    CHECK(cs.changes[3].action == "Remove");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].body == "Action=DescribeChangeSet&Version=2010-05-15&ChangeSetName=leafsynth-1&StackName=App");
    CHECK(seen[1].body ==
          "Action=DescribeChangeSet&Version=2010-05-15&ChangeSetName=leafsynth-1&StackName=App&NextToken=tok%202");
}

TEST_CASE("is_no_changes: a FAILED change set with CloudFormation's empty-change-set reasons only") {
    ChangeSetDescription cs{.change_set_id = "a", .change_set_name = "c", .stack_id = "s", .stack_name = "App",
                            .status = "FAILED", .execution_status = "UNAVAILABLE",
                            .status_reason = "The submitted information didn't contain changes. Submit different "
                                             "information to create a change set.",
                            .changes = {}};
    CHECK(is_no_changes(cs));
    cs.status_reason = "No updates are to be performed.";
    CHECK(is_no_changes(cs));
    cs.status_reason = "Template format error: Unresolved resource dependencies [X] in the Resources block";
    CHECK_FALSE(is_no_changes(cs));
    cs.status_reason = "No updates are to be performed.";
    cs.status = "CREATE_COMPLETE";
    CHECK_FALSE(is_no_changes(cs));
}

TEST_CASE("A missing change set is an ApiError with the service's code and message") {
    ScriptedServer server({{400, error_body("ChangeSetNotFound", "ChangeSet [x] does not exist")}});
    CloudFormationClient cf(cfn_options(server.url()));
    try {
        cf.describe_change_set("x", "App");
        FAIL("no error");
    } catch (const ApiError& e) {
        CHECK(e.code() == "ChangeSetNotFound");
        CHECK(e.api_message() == "ChangeSet [x] does not exist");
    }
    CHECK(server.seen().size() == 1);
}

TEST_CASE("A CreateChangeSet retried after a lost answer that finds its change set made takes that one's ids") {
    const std::string exists = "ChangeSet leafsynth-deploy-1 already exists";
    ScriptedServer server({{500, error_body("InternalFailure", "busy")},
                           {400, error_body("AlreadyExistsException", exists)},
                           {200, answer("DescribeChangeSet", "<ChangeSetId>arn:cs/1</ChangeSetId><ChangeSetName>leafsynth-deploy-1"
                                                             "</ChangeSetName><StackId>arn:stack/App/1</StackId>"
                                                             "<StackName>App</StackName><Status>CREATE_PENDING</Status>"
                                                             "<Changes/>")}});
    CloudFormationClient cf(cfn_options(server.url()));
    ChangeSetRequest request;
    request.stack_name = "App";
    request.change_set_name = "leafsynth-deploy-1";
    request.change_set_type = "UPDATE";
    request.template_url = "https://bucket.s3.amazonaws.com/t.json";
    const ChangeSetCreated made = cf.create_change_set(request);
    CHECK(made.change_set_id == "arn:cs/1");
    CHECK(made.stack_id == "arn:stack/App/1");
    REQUIRE(server.seen().size() == 3);
    CHECK(server.seen()[2].body.find("Action=DescribeChangeSet") != std::string::npos);

    // On a first attempt it is a change set left from elsewhere: the caller's error.
    ScriptedServer first({{400, error_body("AlreadyExistsException", exists)}});
    CloudFormationClient cf1(cfn_options(first.url()));
    CHECK_THROWS_AS(cf1.create_change_set(request), ApiError);
}

TEST_CASE("An ExecuteChangeSet retried after a lost answer that finds the change set executing succeeds") {
    const std::string executing = "ChangeSet [arn:cs/1] cannot be executed in its current execution status of "
                                  "[EXECUTE_IN_PROGRESS]";
    ScriptedServer server({{500, error_body("InternalFailure", "busy")}, {400, error_body("ValidationError", executing)}});
    CloudFormationClient cf(cfn_options(server.url()));
    CHECK_NOTHROW(cf.execute_change_set("arn:cs/1", ""));
    CHECK(server.seen().size() == 2);

    // The same answer to a first attempt is the caller's error: nothing had executed it for us.
    ScriptedServer first({{400, error_body("ValidationError", executing)}});
    CloudFormationClient cf1(cfn_options(first.url()));
    CHECK_THROWS_AS(cf1.execute_change_set("arn:cs/1", ""), ApiError);
}

TEST_CASE("execute, delete change set and the stack actions send their form fields") {
    ScriptedServer server({{200, answer("ExecuteChangeSet", "")}});
    CloudFormationClient cf(cfn_options(server.url()));
    cf.execute_change_set("arn:cs/1", "", true);
    cf.execute_change_set("c", "App");
    cf.delete_change_set("c", "App");
    cf.delete_stack("App");
    cf.update_termination_protection("App", true);
    cf.update_termination_protection("App", false);
    cf.continue_update_rollback("App");
    cf.cancel_update_stack("App");
    const auto seen = server.seen();
    REQUIRE(seen.size() == 8);
    const std::string v = "&Version=2010-05-15";
    CHECK(seen[0].body == "Action=ExecuteChangeSet" + v + "&ChangeSetName=arn%3Acs%2F1&DisableRollback=true");
    CHECK(seen[1].body == "Action=ExecuteChangeSet" + v + "&ChangeSetName=c&StackName=App");
    CHECK(seen[2].body == "Action=DeleteChangeSet" + v + "&ChangeSetName=c&StackName=App");
    CHECK(seen[3].body == "Action=DeleteStack" + v + "&StackName=App");
    CHECK(seen[4].body == "Action=UpdateTerminationProtection" + v + "&StackName=App&EnableTerminationProtection=true");
    CHECK(seen[5].body == "Action=UpdateTerminationProtection" + v + "&StackName=App&EnableTerminationProtection=false");
    CHECK(seen[6].body == "Action=ContinueUpdateRollback" + v + "&StackName=App");
    CHECK(seen[7].body == "Action=CancelUpdateStack" + v + "&StackName=App");
}

TEST_CASE("describe_stack_events reads newest first over pages, and stops where the caller says") {
    const std::string page1 = answer("DescribeStackEvents",
                                     "<StackEvents>" + event("e5", "App", "UPDATE_COMPLETE") +
                                         event("e4", "Topic", "UPDATE_FAILED", "Resource handler returned message: &quot;x&quot;") +
                                         "</StackEvents><NextToken>p2</NextToken>");
    const std::string page2 = answer("DescribeStackEvents",
                                     "<StackEvents>" + event("e3", "Topic", "UPDATE_IN_PROGRESS") +
                                         event("e2", "App", "UPDATE_IN_PROGRESS", "User Initiated") +
                                         "</StackEvents><NextToken>p3</NextToken>");
    const std::string page3 = answer("DescribeStackEvents", "<StackEvents>" + event("e1", "App", "CREATE_COMPLETE") +
                                                                "</StackEvents>");
    {
        ScriptedServer server({{200, page1}, {200, page2}, {200, page3}});
        CloudFormationClient cf(cfn_options(server.url()));
        const auto events = cf.describe_stack_events("App");
        REQUIRE(events.size() == 5);
        CHECK(events[0].event_id == "e5");
        CHECK(events[4].event_id == "e1");
        CHECK(events[1].status == "UPDATE_FAILED");
        CHECK(events[1].status_reason == "Resource handler returned message: \"x\"");
        CHECK(events[1].logical_id == "Topic");
        CHECK(events[1].physical_id == "phys-Topic");
        CHECK(events[1].resource_type == "AWS::SNS::Topic");
        CHECK(events[1].stack_name == "App");
        CHECK(events[1].stack_id == "arn:stack/App/1");
        CHECK(events[1].timestamp == "2026-12-02T04:00:00.123Z");
        const auto seen = server.seen();
        REQUIRE(seen.size() == 3);
        CHECK(seen[0].body == "Action=DescribeStackEvents&Version=2010-05-15&StackName=App");
        CHECK(seen[2].body == "Action=DescribeStackEvents&Version=2010-05-15&StackName=App&NextToken=p3");
    }
    {
        // A poll that has seen e3 reads two pages and no more.
        ScriptedServer server({{200, page1}, {200, page2}, {200, page3}});
        CloudFormationClient cf(cfn_options(server.url()));
        const auto events = cf.describe_stack_events("App", [](const StackEvent& e) { return e.event_id == "e3"; });
        REQUIRE(events.size() == 2);
        CHECK(events[0].event_id == "e5");
        CHECK(events[1].event_id == "e4");
        CHECK(server.seen().size() == 2);
    }
    {
        ScriptedServer server({{200, page1}});
        CloudFormationClient cf(cfn_options(server.url()));
        CHECK(cf.describe_stack_events("App", [](const StackEvent& e) { return e.event_id == "e5"; }).empty());
        CHECK(server.seen().size() == 1);
    }
}

TEST_CASE("describe_stack parses outputs with exports, tags, termination protection and times") {
    const std::string body = answer(
        "DescribeStacks",
        "<Stacks><member><StackId>arn:stack/App/1</StackId><StackName>App</StackName>"
        "<CreationTime>2026-12-01T10:00:00.5Z</CreationTime><LastUpdatedTime>2026-12-02T04:00:00Z</LastUpdatedTime>"
        "<StackStatus>UPDATE_COMPLETE</StackStatus><EnableTerminationProtection>true</EnableTerminationProtection>"
        "<Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters>"
        "<Outputs><member><OutputKey>TopicArn</OutputKey><OutputValue>arn:sns:t</OutputValue>"
        "<Description>the topic</Description><ExportName>App:TopicArn</ExportName></member>"
        "<member><OutputKey>Plain</OutputKey><OutputValue>v</OutputValue></member></Outputs>"
        "<Tags><member><Key>team</Key><Value>a</Value></member><member><Key>cost</Key><Value>1</Value></member></Tags>"
        "</member></Stacks>");
    const std::string fresh = answer("DescribeStacks",
                                     "<Stacks><member><StackId>s</StackId><StackName>New</StackName>"
                                     "<StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks>");
    ScriptedServer server({{200, body}, {200, fresh}});
    CloudFormationClient cf(cfn_options(server.url()));
    const auto s = cf.describe_stack("App");
    REQUIRE(s);
    REQUIRE(s->outputs.size() == 2);
    CHECK(s->outputs[0].key == "TopicArn");
    CHECK(s->outputs[0].value == "arn:sns:t");
    CHECK(s->outputs[0].export_name == "App:TopicArn");
    CHECK(s->outputs[0].description == "the topic");
    CHECK(s->outputs[1].export_name.empty());
    CHECK(s->tags == std::vector<std::pair<std::string, std::string>>{{"team", "a"}, {"cost", "1"}});
    CHECK(s->parameters == std::vector<std::pair<std::string, std::string>>{{"Env", "prod"}});
    CHECK(s->termination_protection);
    CHECK(s->creation_time == "2026-12-01T10:00:00.5Z");
    CHECK(s->last_updated_time == "2026-12-02T04:00:00Z");
    const auto n = cf.describe_stack("New");
    REQUIRE(n);
    CHECK_FALSE(n->termination_protection);
    CHECK(n->outputs.empty());
    CHECK(n->last_updated_time.empty());
}

TEST_CASE("list_exports and list_imports read two pages, an unused export has no imports") {
    const std::string exports1 =
        answer("ListExports", "<Exports><member><ExportingStackId>arn:stack/A/1</ExportingStackId><Name>A:Topic</Name>"
                              "<Value>arn:sns:t</Value></member></Exports><NextToken>n2</NextToken>");
    const std::string exports2 =
        answer("ListExports", "<Exports><member><ExportingStackId>arn:stack/B/1</ExportingStackId><Name>B:Queue</Name>"
                              "<Value>https://q</Value></member></Exports>");
    const std::string imports1 =
        answer("ListImports", "<Imports><member>Consumer1</member></Imports><NextToken>i2</NextToken>");
    const std::string imports2 = answer("ListImports", "<Imports><member>Consumer2</member></Imports>");
    ScriptedServer server({{200, exports1},
                           {200, exports2},
                           {200, imports1},
                           {200, imports2},
                           {400, error_body("ValidationError", "Export 'B:Queue' is not imported by any stack.")},
                           {400, error_body("ValidationError", "Export 'Nope' does not exist.")}});
    CloudFormationClient cf(cfn_options(server.url()));
    const auto exports = cf.list_exports();
    REQUIRE(exports.size() == 2);
    CHECK(exports[0].exporting_stack_id == "arn:stack/A/1");
    CHECK(exports[0].name == "A:Topic");
    CHECK(exports[0].value == "arn:sns:t");
    CHECK(exports[1].name == "B:Queue");
    CHECK(cf.list_imports("A:Topic") == std::vector<std::string>{"Consumer1", "Consumer2"});
    CHECK(cf.list_imports("B:Queue").empty());
    CHECK_THROWS_AS(cf.list_imports("Nope"), ApiError);
    const auto seen = server.seen();
    REQUIRE(seen.size() == 6);
    CHECK(seen[0].body == "Action=ListExports&Version=2010-05-15");
    CHECK(seen[1].body == "Action=ListExports&Version=2010-05-15&NextToken=n2");
    CHECK(seen[2].body == "Action=ListImports&Version=2010-05-15&ExportName=A%3ATopic");
    CHECK(seen[3].body == "Action=ListImports&Version=2010-05-15&ExportName=A%3ATopic&NextToken=i2");
}

TEST_CASE("Calls without a result element (DeleteStack) accept the bare answer, throttling is retried") {
    ScriptedServer server({{400, error_body("Throttling", "Rate exceeded")}, {200, empty_answer("DeleteStack")}});
    CloudFormationClient cf(cfn_options(server.url()));
    cf.delete_stack("App");
    CHECK(server.seen().size() == 2);
}
