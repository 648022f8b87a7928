// The construct tree's own operations: construct_cast (the synthesizer's type test without
// dynamic_cast) and build_children_in_parallel (subtrees built at the same time, kept in order).

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "leafsynth/app.hpp"
#include "leafsynth/cfn/sqs.hpp"
#include "leafsynth/cfn_condition.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/nested_stack.hpp"
#include "leafsynth/stack.hpp"

using namespace leafsynth;

namespace {

/// The ids of `c`'s children, in order.
std::vector<std::string> child_ids(const Construct& c) {
    std::vector<std::string> ids;
    for (const Construct* child : c.children()) ids.push_back(child->id());
    return ids;
}

} // namespace

TEST_CASE("construct_cast: each of the synthesizer's classes, and what derives from them") {
    App app;
    auto& stack = make<Stack>(app, "S");
    auto& nested = make<NestedStack>(stack, "N");
    auto& plain = make<Construct>(stack, "Plain");
    auto& resource = make<CfnResource>(plain, "R", "AWS::SQS::Queue");
    auto& typed = make<cfn::sqs::CfnQueue>(stack, "Typed");
    auto& output = make<CfnOutput>(stack, "O", OutputProps{.value = "v"});
    auto& parameter = make<CfnParameter>(stack, "P", ParameterProps{});
    auto& condition = make<CfnCondition>(stack, "C", Fn::equals("a", "b"));

    CHECK(construct_cast<App>(&app) == &app);
    CHECK(construct_cast<Stack>(&app) == nullptr);
    CHECK(construct_cast<Stack>(&stack) == &stack);
    CHECK(construct_cast<NestedStack>(&stack) == nullptr);
    // A NestedStack is a Stack too.
    CHECK(construct_cast<NestedStack>(&nested) == &nested);
    CHECK(construct_cast<Stack>(&nested) == &nested);
    CHECK(construct_cast<CfnElement>(&nested) == nullptr);
    // A plain construct is none of them.
    const Construct* p = &plain;
    CHECK(construct_cast<Stack>(p) == nullptr);
    CHECK(construct_cast<CfnElement>(p) == nullptr);
    CHECK(construct_cast<CfnResource>(p) == nullptr);
    // A resource is an element; a typed resource (derived, no kind of its own) is a resource.
    CHECK(construct_cast<CfnResource>(&resource) == &resource);
    CHECK(construct_cast<CfnElement>(&resource) == &resource);
    CHECK(construct_cast<CfnOutput>(&resource) == nullptr);
    CHECK(construct_cast<CfnResource>(&typed) == &typed);
    CHECK(construct_cast<CfnOutput>(&output) == &output);
    CHECK(construct_cast<CfnElement>(&output) == &output);
    CHECK(construct_cast<CfnResource>(&output) == nullptr);
    CHECK(construct_cast<CfnParameter>(&parameter) == &parameter);
    CHECK(construct_cast<CfnCondition>(&parameter) == nullptr);
    CHECK(construct_cast<CfnCondition>(&condition) == &condition);
    // Agrees with dynamic_cast for every node of the tree.
    for (Construct* c : app.descendants_and_self()) {
        INFO(c->path());
        CHECK(construct_cast<Stack>(c) == dynamic_cast<Stack*>(c));
        CHECK(construct_cast<NestedStack>(c) == dynamic_cast<NestedStack*>(c));
        CHECK(construct_cast<CfnElement>(c) == dynamic_cast<CfnElement*>(c));
        CHECK(construct_cast<CfnResource>(c) == dynamic_cast<CfnResource*>(c));
        CHECK(construct_cast<CfnOutput>(c) == dynamic_cast<CfnOutput*>(c));
        CHECK(construct_cast<CfnParameter>(c) == dynamic_cast<CfnParameter*>(c));
        CHECK(construct_cast<CfnCondition>(c) == dynamic_cast<CfnCondition*>(c));
    }
    CHECK(construct_cast<Stack>(static_cast<Construct*>(nullptr)) == nullptr);
}

TEST_CASE("build_children_in_parallel: the children in the order of the tasks, whatever the threads") {
    for (std::size_t jobs : {1, 2, 4, 16}) {
        INFO("jobs " << jobs);
        App app;
        make<Stack>(app, "Before");
        app.build_children_in_parallel(200, jobs, [&](std::size_t i) {
            // Each task makes two children and a subtree inside them.
            auto& s = make<Stack>(app, "S" + std::to_string(i));
            for (int r = 0; r < 5; ++r) make<CfnResource>(s, "R" + std::to_string(r), "AWS::SQS::Queue");
            make<Construct>(app, "C" + std::to_string(i));
        });
        std::vector<std::string> expected{"Before"};
        for (int i = 0; i < 200; ++i) {
            expected.push_back("S" + std::to_string(i));
            expected.push_back("C" + std::to_string(i));
        }
        CHECK(child_ids(app) == expected);
        CHECK(app.find_child("S150") != nullptr);
        CHECK(child_ids(*app.find_child("S7")) == std::vector<std::string>{"R0", "R1", "R2", "R3", "R4"});
        // After the build, children are made as usual.
        make<Stack>(app, "After");
        CHECK(app.children().back()->id() == "After");
    }
}

TEST_CASE("build_children_in_parallel: a task reads what exists and finds its own children") {
    App app;
    auto& shared = make<Stack>(app, "Shared");
    auto& queue = make<CfnResource>(shared, "Queue", "AWS::SQS::Queue");
    std::atomic<int> found{0};
    app.build_children_in_parallel(50, 2, [&](std::size_t i) {
        auto& s = make<Stack>(app, "S" + std::to_string(i));
        if (app.find_child("S" + std::to_string(i)) == &s) ++found;
        if (app.find_child("Shared") == &shared) ++found;
        make<CfnOutput>(s, "Arn", OutputProps{.value = queue.get_att("Arn")});
    });
    CHECK(found == 100);
    CHECK(app.children().size() == 51);
}

TEST_CASE("build_children_in_parallel: the exception of the lowest failing task, what was made kept in order") {
    for (std::size_t jobs : {1, 2, 4}) {
        INFO("jobs " << jobs);
        App app;
        try {
            app.build_children_in_parallel(30, jobs, [&](std::size_t i) {
                make<Construct>(app, "C" + std::to_string(i));
                if (i == 7 || i == 20) throw std::runtime_error("task " + std::to_string(i));
                make<Construct>(app, "D" + std::to_string(i));
            });
            FAIL("no exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "task 7");
        }
        std::vector<std::string> expected;
        for (int i = 0; i < 30; ++i) {
            expected.push_back("C" + std::to_string(i));
            if (i != 7 && i != 20) expected.push_back("D" + std::to_string(i));
        }
        CHECK(child_ids(app) == expected);
        // The construct is usable again: the parallel state is gone.
        app.build_children_in_parallel(2, jobs, [&](std::size_t i) { make<Construct>(app, "E" + std::to_string(i)); });
        CHECK(app.children().back()->id() == "E1");
    }
}

TEST_CASE("build_children_in_parallel: a clash of ids is the usual ConstructError, a failed child unregistered") {
    App app;
    make<Construct>(app, "Taken");
    try {
        app.build_children_in_parallel(4, 2, [&](std::size_t i) {
            if (i == 2) make<Construct>(app, "Taken");
            else make<Construct>(app, "Free" + std::to_string(i));
        });
        FAIL("no exception");
    } catch (const ConstructError& e) {
        CHECK_THAT(e.what(), Catch::Contains("already a construct with id 'Taken'"));
    }
    CHECK(child_ids(app) == std::vector<std::string>{"Taken", "Free0", "Free1", "Free3"});
    // A child whose constructor fails after registering is removed again (its destructor runs).
    try {
        app.build_children_in_parallel(3, 2, [&](std::size_t i) {
            if (i == 1) make<CfnResource>(app, "NotInAStack", "AWS::SQS::Queue");
            else make<Construct>(app, "Ok" + std::to_string(i));
        });
        FAIL("no exception");
    } catch (const ConstructError& e) {
        CHECK_THAT(e.what(), Catch::Contains("is not inside a Stack"));
    }
    CHECK(child_ids(app) == std::vector<std::string>{"Taken", "Free0", "Free1", "Free3", "Ok0", "Ok2"});
    CHECK(app.find_child("NotInAStack") == nullptr);
}

TEST_CASE("build_children_in_parallel: not from one of its own tasks") {
    App app;
    CHECK_THROWS_WITH(app.build_children_in_parallel(1, 1,
                                                     [&](std::size_t) {
                                                         app.build_children_in_parallel(1, 1, [](std::size_t) {});
                                                     }),
                      Catch::Contains("already running"));
    // Another construct may build its own children in parallel from a task.
    app.build_children_in_parallel(3, 2, [&](std::size_t i) {
        auto& s = make<Stack>(app, "S" + std::to_string(i));
        s.build_children_in_parallel(3, 2, [&](std::size_t j) { make<Construct>(s, "C" + std::to_string(j)); });
    });
    CHECK(child_ids(app) == std::vector<std::string>{"S0", "S1", "S2"});
    CHECK(child_ids(*app.find_child("S1")) == std::vector<std::string>{"C0", "C1", "C2"});
}
