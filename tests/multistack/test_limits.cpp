// CloudFormation's hard limits, checked at synth time with errors naming the stack and what to change.
#include <catch2/catch.hpp>

#include "leafsynth/leafsynth.hpp"
#include "support.hpp"

using namespace leafsynth;

namespace {
std::string all_messages(App& app) {
    try {
        app.synth();
    } catch (const ValidationError& e) {
        std::string out;
        for (const auto& m : e.messages()) out += m + "\n";
        return out;
    }
    return {};
}
} // namespace

TEST_CASE("more than 500 resources, 200 outputs or 200 parameters") {
    App app;
    auto& s = make<Stack>(app, "Big", StackProps{"Big", {}, {{}, "eu-west-1"}});
    for (int i = 0; i < 501; ++i) make<CfnResource>(s, "Q" + std::to_string(i), "AWS::SQS::Queue");
    for (int i = 0; i < 201; ++i) make<CfnOutput>(s, "O" + std::to_string(i), OutputProps{"x", {}, {}, nullptr});
    for (int i = 0; i < 201; ++i) make<CfnParameter>(s, "P" + std::to_string(i));
    std::string m = all_messages(app);
    CHECK_THAT(m, Catch::Contains("Big: stack 'Big' has 501 resources; CloudFormation allows 500"));
    CHECK_THAT(m, Catch::Contains("has 201 outputs; CloudFormation allows 200"));
    CHECK_THAT(m, Catch::Contains("has 201 parameters; CloudFormation allows 200"));
}

TEST_CASE("invalid logical ids, long stack names and descriptions") {
    App app;
    std::string long_name(129, 'a');
    auto& s = make<Stack>(app, "Named", StackProps{long_name, std::string(1025, 'd'), {{}, "eu-west-1"}});
    make<CfnResource>(s, "Q", "AWS::SQS::Queue").override_logical_id("9starts-with-digit");
    std::string m = all_messages(app);
    CHECK_THAT(m, Catch::Contains("is 129 characters long; CloudFormation allows at most 128"));
    CHECK_THAT(m, Catch::Contains("the description is 1025 bytes long; CloudFormation allows at most 1024"));
    CHECK_THAT(m, Catch::Contains("Named/Q: logical id '9starts-with-digit' is invalid"));
}

TEST_CASE("export names are unique per account and region") {
    App app;
    auto& a = make<Stack>(app, "A", StackProps{"A", {}, {{}, "eu-west-1"}});
    auto& b = make<Stack>(app, "B", StackProps{"B", {}, {{}, "eu-west-1"}});
    auto& c = make<Stack>(app, "C", StackProps{"C", {}, {{}, "us-east-1"}});
    for (Stack* s : {&a, &b, &c}) {
        make<CfnResource>(*s, "Q", "AWS::SQS::Queue");
        make<CfnOutput>(*s, "Out", OutputProps{"v", {}, "Shared-Name", nullptr});
    }
    std::string m = all_messages(app);
    CHECK_THAT(m, Catch::Contains("B/Out: export name 'Shared-Name' is also used by 'A/Out'"));
    CHECK_THAT(m, !Catch::Contains("C/Out")); // another region may reuse it
}

TEST_CASE("a template over 1 MB is an error, over 51,200 bytes a warning") {
    App app;
    auto& big = make<Stack>(app, "Huge", StackProps{"Huge", {}, {{}, "eu-west-1"}});
    for (int i = 0; i < 300; ++i)
        make<CfnResource>(big, "P" + std::to_string(i), "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", std::string(4000, 'x')}});
    CHECK_THAT(all_messages(app), Catch::Contains("bytes; CloudFormation accepts at most 1,000,000"));

    App app2;
    auto& medium = make<Stack>(app2, "Medium", StackProps{"Medium", {}, {{}, "eu-west-1"}});
    for (int i = 0; i < 20; ++i)
        make<CfnResource>(medium, "P" + std::to_string(i), "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", std::string(3000, 'x')}});
    Assembly a = app2.synth();
    REQUIRE(a.warnings.size() == 1);
    CHECK_THAT(a.warnings[0], Catch::Contains("over the 51,200 that can be passed inline"));
}

TEST_CASE("more than 60 dynamic references in one template") {
    App app;
    auto& s = make<Stack>(app, "Near", StackProps{"Near", {}, {{}, "us-east-1"}});
    for (int i = 0; i < 61; ++i)
        make<CfnResource>(s, "P" + std::to_string(i), "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", "{{resolve:ssm:/shared/value" + std::to_string(i) + "}}"}});
    CHECK_THAT(all_messages(app), Catch::Contains("Near: the template of 'Near' has 61 dynamic references; CloudFormation allows 60"));
}

TEST_CASE("cross-region references count as parameters of the consumer") {
    App app;
    auto& producer = make<Stack>(app, "Far", StackProps{"Far", {}, {{}, "eu-west-1"}});
    auto& consumer = make<Stack>(app, "Near", StackProps{"Near", {}, {{}, "us-east-1"}});
    for (int i = 0; i < 201; ++i) {
        auto& q = make<CfnResource>(producer, "Q" + std::to_string(i), "AWS::SQS::Queue");
        make<CfnResource>(consumer, "P" + std::to_string(i), "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", q.get_att("Arn")}});
    }
    CHECK_THAT(all_messages(app), Catch::Contains("Near: stack 'Near' has 201 parameters; CloudFormation allows 200"));
}
