// The whole ContainerManager app built and synthesized on one thread and on several: the leaves'
// stacks are constructed in parallel (Construct::build_children_in_parallel), the templates of
// the top-level stacks are built in parallel (src/app.cpp, step 4), and nothing of the output may
// depend on that.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "leafsynth/app.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/containermanager/container_manager_app.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/stack.hpp"

using namespace leafsynth;
namespace cm = leafsynth::containermanager;

namespace {

const std::string kExamples = LEAFSYNTH_EXAMPLES_DIR;

/// The bundled example's three leaves, each also under other ids, so that there are more
/// top-level stacks than threads: main region us-west-2, Domain and LinkTogether stacks in
/// us-east-1 (cross-region references), nested stacks in every Leaf stack.
Assembly synth_example(std::size_t jobs, TemplateFormat format = TemplateFormat::Json, std::size_t build_jobs = 1) {
    const cm::BaseConfig base = cm::load_base_config(kExamples + "/base-stack-config.yaml");
    std::vector<cm::LeafInput> leaves;
    for (const char* name : {"minecraft", "valheim", "echo-server"})
        for (const char* suffix : {"", "-b", "-c"}) {
            leaves.push_back({cm::load_leaf_config(kExamples + "/" + name + ".yaml", cm::Maturity::Prod),
                              std::string(name) + suffix});
        }
    cm::StackContext context;
    context.account = "123456789012";
    context.main_region = "us-west-2";
    App app;
    cm::build_container_manager(app, base, leaves, context, build_jobs);
    return app.synth({.format = format, .jobs = jobs});
}

/// The app with four copies of the Minecraft leaf, main region us-west-2, its leaves built on
/// `build_jobs` threads.
void four_minecraft_leaves(App& app, std::size_t build_jobs = 0) {
    const cm::BaseConfig base = cm::load_base_config(kExamples + "/base-stack-config.yaml");
    std::vector<cm::LeafInput> leaves;
    for (const char* id : {"one", "two", "three", "four"})
        leaves.push_back({cm::load_leaf_config(kExamples + "/minecraft.yaml", cm::Maturity::Prod), id});
    cm::StackContext context;
    context.main_region = "us-west-2";
    cm::build_container_manager(app, base, leaves, context, build_jobs);
}

} // namespace

TEST_CASE("parallel synthesis: the same files, byte for byte, on one thread and on several") {
    for (TemplateFormat format : {TemplateFormat::Json, TemplateFormat::Yaml}) {
        const Assembly one = synth_example(1, format);
        REQUIRE(one.stacks.size() > 20);
        for (std::size_t jobs : {2, 3, 8}) {
            INFO("jobs " << jobs);
            const Assembly many = synth_example(jobs, format, jobs);
            REQUIRE(many.files.size() == one.files.size());
            for (std::size_t i = 0; i < one.files.size(); ++i) {
                INFO(one.files[i].path);
                CHECK(many.files[i].path == one.files[i].path);
                CHECK(many.files[i].contents == one.files[i].contents);
            }
            REQUIRE(many.stacks.size() == one.stacks.size());
            for (std::size_t i = 0; i < one.stacks.size(); ++i) {
                CHECK(many.stacks[i].name == one.stacks[i].name);
                CHECK(many.stacks[i].parent == one.stacks[i].parent);
                CHECK(many.stacks[i].dependencies == one.stacks[i].dependencies);
            }
            CHECK(many.warnings == one.warnings);
        }
    }
}

TEST_CASE("parallel synthesis: the leaves built on several threads make the same construct tree as on one") {
    auto tree = [](std::size_t build_jobs) {
        App app;
        four_minecraft_leaves(app, build_jobs);
        std::vector<std::string> paths;
        for (Construct* c : app.descendants_and_self()) paths.push_back(c->path());
        return paths;
    };
    const std::vector<std::string> one = tree(1);
    REQUIRE(one.size() > 500);
    // The base stack first, then each leaf's Domain, Leaf and LinkTogether stacks in config order.
    std::vector<std::string> top;
    {
        App app;
        four_minecraft_leaves(app, 4);
        for (const Construct* c : app.children()) top.push_back(c->id());
    }
    CHECK(top == std::vector<std::string>{"ContainerManager-BaseStack", "ContainerManager-One-DomainStack",
                                          "ContainerManager-One-Stack", "ContainerManager-One-LinkTogetherStack",
                                          "ContainerManager-Two-DomainStack", "ContainerManager-Two-Stack",
                                          "ContainerManager-Two-LinkTogetherStack", "ContainerManager-Three-DomainStack",
                                          "ContainerManager-Three-Stack", "ContainerManager-Three-LinkTogetherStack",
                                          "ContainerManager-Four-DomainStack", "ContainerManager-Four-Stack",
                                          "ContainerManager-Four-LinkTogetherStack"});
    for (std::size_t jobs : {2, 4, 8}) {
        INFO("build jobs " << jobs);
        CHECK(tree(jobs) == one);
    }
}

TEST_CASE("parallel synthesis: an asset shared by many stacks is one file of the assembly") {
    const Assembly a = synth_example(0);
    std::set<std::string> paths;
    std::size_t assets = 0;
    for (const auto& f : a.files) {
        CHECK(paths.insert(f.path).second); // no path twice
        if (f.path.starts_with("asset.")) ++assets;
    }
    // The Lambda handler folders of every leaf (start-system in the Domain stacks, the ASG hook and
    // the crash-loop breaker in the Leaf stacks) and the Base stack's: a handful, not one per stack.
    CHECK(assets > 0);
    CHECK(assets < 6);
}

TEST_CASE("parallel synthesis: problems are reported in the same order whatever the threads") {
    auto problems = [](std::size_t jobs) {
        App app;
        four_minecraft_leaves(app);
        // A validation problem on every resource (thousands of constructs: many slices of the
        // tree validated in parallel) ...
        for (Construct* c : app.descendants_and_self())
            if (dynamic_cast<CfnResource*>(c)) c->add_validation([] { return std::vector<std::string>{"checked"}; });
        // ... and a template builder's problem in every stack: a resource given an invalid logical id.
        for (Stack* s : app.stacks())
            for (Construct* c : s->descendants_and_self())
                if (auto* r = dynamic_cast<CfnResource*>(c); r && &r->stack() == s) {
                    r->override_logical_id("bad-id-" + s->stack_name());
                    break;
                }
        try {
            app.synth({.jobs = jobs});
        } catch (const ValidationError& e) {
            return e.messages();
        }
        FAIL("synth succeeded with invalid logical ids");
        return std::vector<std::string>{};
    };
    const std::vector<std::string> one = problems(1);
    // One per stack: the Base stack, and per leaf 3 top-level and 7 nested stacks.
    const auto invalid_ids = std::count_if(one.begin(), one.end(), [](const std::string& m) {
        return m.find("logical id 'bad-id-") != std::string::npos && m.find("is invalid") != std::string::npos;
    });
    CHECK(invalid_ids == 1 + 4 * 10);
    // The validation messages come first, in construct-tree order.
    std::vector<std::string> in_tree_order;
    {
        App app;
        four_minecraft_leaves(app);
        for (Construct* c : app.descendants_and_self())
            if (dynamic_cast<CfnResource*>(c)) in_tree_order.push_back(c->path() + ": checked");
    }
    REQUIRE(in_tree_order.size() > 256);
    REQUIRE(one.size() > in_tree_order.size());
    CHECK(std::vector<std::string>(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(in_tree_order.size())) ==
          in_tree_order);
    CHECK(problems(4) == one);
    CHECK(problems(2) == one);
}
