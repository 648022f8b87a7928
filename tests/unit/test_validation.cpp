// Validation: every problem of an app is reported at once, each prefixed with its construct
// path; construct-tree misuse throws ConstructError where it happens; stack cycles are named.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {

/// The messages of the ValidationError that synthesizing `app` throws (fails the test when none is thrown).
std::vector<std::string> validation_messages(App& app) {
    try {
        app.synth();
    } catch (const ValidationError& e) {
        // what() lists them all too.
        for (const auto& m : e.messages()) CHECK(std::string(e.what()).find(m) != std::string::npos);
        return e.messages();
    }
    FAIL("synth() did not throw a ValidationError");
    return {};
}

/// The message that starts with `path + ": "` and contains `text`, or "" when there is none.
std::string find_message(const std::vector<std::string>& messages, const std::string& path, const std::string& text) {
    for (const auto& m : messages)
        if (m.rfind(path + ": ", 0) == 0 && m.find(text) != std::string::npos) return m;
    return {};
}

/// Every construct path of the tree (the root as "App").
std::set<std::string> all_paths(App& app) {
    std::set<std::string> out;
    for (Construct* c : app.descendants_and_self()) out.insert(c->path().empty() ? "App" : c->path());
    return out;
}

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConstructError& e) {
        return e.what();
    }
    return "(no ConstructError)";
}

} // namespace

TEST_CASE("a ValidationError lists every problem of the app, each starting with its construct path", "[validation]") {
    App app;
    auto& stack = make<Stack>(app, "Problems");
    make<CfnResource>(stack, "BadType", "AWS::Nope");
    make<CfnOutput>(stack, "Empty", OutputProps{});
    make<CfnResource>(stack, "A", "AWS::SQS::Queue").override_logical_id("Same");
    make<CfnResource>(stack, "B", "AWS::SQS::Queue").override_logical_id("Same");
    make<CfnResource>(stack, "Digits", "AWS::SQS::Queue").override_logical_id("1Queue");
    make<Construct>(stack, "Checked").add_validation([] { return std::vector<std::string>{"custom problem"}; });
    ParameterProps bad_parameter;
    bad_parameter.type = "Text";
    make<CfnParameter>(stack, "Param", bad_parameter);
    // A reference to a stack that has no region cannot be carried across.
    auto& other = make<Stack>(app, "Other");
    auto& topic = make<CfnResource>(other, "Topic", "AWS::SNS::Topic");
    make<CfnResource>(stack, "Consumer", "AWS::SNS::Subscription",
                      Map{{"TopicArn", topic.ref()}, {"Protocol", "email"}, {"Endpoint", "ops@example.com"}});
    // A reference into another app.
    App foreign;
    auto& foreign_queue = make<CfnResource>(make<Stack>(foreign, "Foreign"), "Queue", "AWS::SQS::Queue");
    make<CfnOutput>(stack, "ForeignRef", OutputProps{foreign_queue.ref(), "", "", nullptr});
    auto& bad_name = make<Stack>(app, "BadName", StackProps{"bad_name!", "", {}});
    make<CfnResource>(bad_name, "Queue", "AWS::SQS::Queue");
    auto& bad_env = make<Stack>(app, "BadEnv", StackProps{"", std::string(1025, 'd'), {"1234", "moon-base"}});
    make<CfnResource>(bad_env, "Queue", "AWS::SQS::Queue");
    make<Stack>(app, "EmptyStack");
    app.add_validation([] { return std::vector<std::string>{"app-level problem"}; });

    const std::vector<std::string> messages = validation_messages(app);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"Problems/BadType", "resource type 'AWS::Nope'"},
        {"Problems/Empty", "output has no value"},
        {"Problems/B", "logical id 'Same' is already used by 'Problems/A'"},
        {"Problems/Digits", "logical id '1Queue' is invalid"},
        {"Problems/Checked", "custom problem"},
        {"Problems/Param", "parameter type 'Text'"},
        {"Problems/Consumer", "references 'Other/Topic'"},
        {"Problems/ForeignRef", "belongs to another app"},
        {"BadName", "stack name 'bad_name!' is invalid"},
        {"BadEnv", "description is 1025 bytes"},
        {"BadEnv", "account '1234'"},
        {"BadEnv", "region 'moon-base'"},
        {"EmptyStack", "has no resources"},
        {"App", "app-level problem"},
    };
    for (const auto& [path, text] : expected) {
        INFO("expected a message for " << path << " containing: " << text);
        CHECK_FALSE(find_message(messages, path, text).empty());
    }
    // Nothing else, nothing twice, and every message names a construct of the tree.
    CHECK(messages.size() == expected.size());
    CHECK(std::set<std::string>(messages.begin(), messages.end()).size() == messages.size());
    const auto paths = all_paths(app);
    for (const auto& m : messages) {
        INFO(m);
        CHECK(paths.count(m.substr(0, m.find(": "))) == 1);
    }
}

TEST_CASE("an output needs a value, with one the same app synthesizes", "[validation]") {
    auto build = [](App& app, bool with_value) {
        auto& stack = make<Stack>(app, "OutputValue");
        auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
        make<CfnOutput>(stack, "Url", OutputProps{with_value ? queue.ref() : Value(), "", "", nullptr});
    };
    App without;
    build(without, false);
    const auto messages = validation_messages(without);
    REQUIRE(messages.size() == 1);
    CHECK(messages.front().rfind("OutputValue/Url: output has no value", 0) == 0);
    App with;
    build(with, true);
    const json doc = unit::template_of(unit::synth_and_emit(with, "validation-output-value"));
    CHECK(doc["Outputs"]["Url"]["Value"] == json{{"Ref", "Queue"}});
}

TEST_CASE("an id used twice among siblings throws ConstructError naming the path", "[validation][construct]") {
    App app;
    auto& stack = make<Stack>(app, "Clash");
    auto& group = make<Construct>(stack, "Group");
    make<CfnResource>(group, "Queue", "AWS::SQS::Queue");
    CHECK_THROWS_AS(make<CfnResource>(group, "Queue", "AWS::SNS::Topic"), ConstructError);
    CHECK_THAT(what_of([&] { make<CfnResource>(group, "Queue", "AWS::SNS::Topic"); }),
               Catch::Contains("'Clash/Group/Queue'") && Catch::Contains("'Queue'"));
    CHECK_THAT(what_of([&] { make<Stack>(app, "Clash"); }), Catch::Contains("'Clash'") && Catch::Contains("the app"));
    // The same id under another parent is fine.
    CHECK_NOTHROW(make<CfnResource>(stack, "Queue", "AWS::SQS::Queue"));
    // The failed constructs left nothing behind.
    CHECK(group.children().size() == 1);
    CHECK(app.children().size() == 1);
    CHECK(stack.children().size() == 2);
    const json doc = unit::template_of(unit::synth_and_emit(app, "validation-clash"));
    CHECK(doc["Resources"].size() == 2);
}

TEST_CASE("invalid ids and misplaced elements throw ConstructError", "[validation][construct]") {
    App app;
    auto& stack = make<Stack>(app, "Ids");
    CHECK_THROWS_AS(make<Construct>(stack, "a/b"), ConstructError);
    CHECK_THAT(what_of([&] { make<Construct>(stack, "a/b"); }), Catch::Contains("'/'"));
    CHECK_THROWS_AS(make<Construct>(stack, ""), ConstructError);
    // An element must be inside a stack; the failed one is not left in the tree.
    CHECK_THAT(what_of([&] { make<CfnResource>(app, "Loose", "AWS::SQS::Queue"); }), Catch::Contains("Stack"));
    CHECK(app.find_child("Loose") == nullptr);
    CHECK(stack.children().empty());
    // Dependencies on oneself or on another app's constructs.
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    CHECK_THROWS_AS(queue.add_dependency(queue), ConstructError);
    App other;
    auto& foreign = make<Stack>(other, "Foreign");
    CHECK_THROWS_AS(queue.add_dependency(foreign), ConstructError);
    CHECK(queue.dependencies().empty());
}

TEST_CASE("a dependency cycle between stacks is reported with the chain", "[validation][cycle]") {
    SECTION("two stacks") {
        App app;
        auto& a = make<Stack>(app, "CycleA");
        auto& b = make<Stack>(app, "CycleB");
        make<CfnResource>(a, "Queue", "AWS::SQS::Queue");
        make<CfnResource>(b, "Queue", "AWS::SQS::Queue");
        a.add_dependency(b);
        b.add_dependency(a);
        const auto messages = validation_messages(app);
        REQUIRE(messages.size() == 1);
        const std::string& m = messages.front();
        CHECK((m.rfind("CycleA: ", 0) == 0 || m.rfind("CycleB: ", 0) == 0));
        CHECK_THAT(m, Catch::Contains("cycle"));
        CHECK_THAT(m, Catch::Contains("CycleA depends on CycleB"));
        CHECK_THAT(m, Catch::Contains("CycleB depends on CycleA"));
    }
    SECTION("three stacks, through constructs inside them") {
        App app;
        auto& a = make<Stack>(app, "RingA");
        auto& b = make<Stack>(app, "RingB");
        auto& c = make<Stack>(app, "RingC");
        auto& qa = make<CfnResource>(a, "Queue", "AWS::SQS::Queue");
        auto& qb = make<CfnResource>(b, "Queue", "AWS::SQS::Queue");
        auto& qc = make<CfnResource>(c, "Queue", "AWS::SQS::Queue");
        make<CfnResource>(c, "Unrelated", "AWS::SQS::Queue");
        qa.add_dependency(qb);
        qb.add_dependency(qc);
        qc.add_dependency(a);
        const auto messages = validation_messages(app);
        REQUIRE(messages.size() == 1);
        const std::string& m = messages.front();
        CHECK_THAT(m, Catch::Contains("RingA depends on RingB"));
        CHECK_THAT(m, Catch::Contains("RingB depends on RingC"));
        CHECK_THAT(m, Catch::Contains("RingC depends on RingA"));
    }
    SECTION("no cycle: a chain is fine") {
        App app;
        auto& a = make<Stack>(app, "ChainA");
        auto& b = make<Stack>(app, "ChainB");
        make<CfnResource>(a, "Queue", "AWS::SQS::Queue");
        make<CfnResource>(b, "Queue", "AWS::SQS::Queue");
        a.add_dependency(b);
        const Assembly assembly = unit::synth_and_emit(app, "validation-chain");
        REQUIRE(assembly.stacks.size() == 2);
        CHECK(assembly.stacks[0].name == "ChainB");
        CHECK(assembly.stacks[1].name == "ChainA");
    }
}

TEST_CASE("an app without stacks is a validation problem", "[validation]") {
    App app;
    const auto messages = validation_messages(app);
    REQUIRE(messages.size() == 1);
    CHECK(messages.front().rfind("App: ", 0) == 0);
}

TEST_CASE("a string that is not UTF-8 is a validation problem naming the stack, in JSON and in YAML", "[validation]") {
    for (const bool yaml : {false, true}) {
        INFO((yaml ? "yaml" : "json"));
        App app;
        auto& stack = make<Stack>(app, "BadBytes");
        make<CfnResource>(stack, "Queue", "AWS::SQS::Queue", Map{{"QueueName", std::string("caf\xff")}});
        SynthOptions options;
        options.format = yaml ? TemplateFormat::Yaml : TemplateFormat::Json;
        try {
            app.synth(options);
            FAIL("expected a ValidationError");
        } catch (const ValidationError& e) {
            REQUIRE(e.messages().size() == 1);
            CHECK(e.messages()[0].rfind("BadBytes: a text value in the template is not valid UTF-8", 0) == 0);
            CHECK(e.messages()[0].find("json.exception") == std::string::npos);
        }
    }
}
