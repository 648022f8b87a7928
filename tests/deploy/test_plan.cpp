// The deploy and destroy plans (src/deploy/plan.cpp): selection by name and glob, dependencies
// (for a destroy: dependents) added unless --exclusively, dependency order (reversed for a destroy),
// a pattern that matches nothing and a cycle as clear errors.

#include <catch2/catch.hpp>

#include "deploy/plan.hpp"
#include "leafsynth/errors.hpp"

using leafsynth::AssemblyManifest;
using leafsynth::deploy::make_destroy_plan;
using leafsynth::deploy::make_plan;
using leafsynth::deploy::Plan;

namespace {

AssemblyManifest app() {
    AssemblyManifest m;
    m.has_manifest = true;
    auto add = [&](std::string name, std::vector<std::string> deps) {
        leafsynth::StackArtifactManifest s;
        s.artifact_id = s.stack_name = std::move(name);
        s.dependencies = std::move(deps);
        s.manifest = "manifest.json";
        m.stacks.push_back(std::move(s));
    };
    // Listed out of order on purpose: the plan orders them.
    add("CM-Valheim-LinkTogether", {"CM-Valheim-Stack", "CM-Valheim-Domain"});
    add("CM-Valheim-Stack", {"CM-Base"});
    add("CM-Valheim-Domain", {"CM-Base"});
    add("CM-Base", {});
    add("CM-Minecraft-Stack", {"CM-Base"});
    return m;
}

std::vector<std::string> names(const Plan& p) {
    std::vector<std::string> out;
    for (const auto& s : p.stacks) out.push_back(s.stack->stack_name);
    return out;
}

std::string error_of(const AssemblyManifest& m, leafsynth::deploy::Selection s) {
    try {
        (void)make_plan(m, s);
    } catch (const leafsynth::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("Plan: every stack after the stacks it depends on") {
    const AssemblyManifest m = app();
    const Plan p = make_plan(m, {});
    CHECK(names(p) == std::vector<std::string>{"CM-Base", "CM-Valheim-Stack", "CM-Valheim-Domain",
                                               "CM-Valheim-LinkTogether", "CM-Minecraft-Stack"});
    for (std::size_t i = 0; i < p.stacks.size(); ++i) {
        CHECK(p.stacks[i].selected);
        for (std::size_t d : p.stacks[i].depends_on) CHECK(d < i);
    }
    CHECK(p.stacks[3].depends_on == std::vector<std::size_t>{1, 2});
}

TEST_CASE("Plan: a glob selects, and what it depends on comes along unless exclusively") {
    const AssemblyManifest m = app();
    const Plan p = make_plan(m, {.patterns = {"CM-Valheim-L*"}, .exclusively = false});
    CHECK(names(p) == std::vector<std::string>{"CM-Base", "CM-Valheim-Stack", "CM-Valheim-Domain", "CM-Valheim-LinkTogether"});
    CHECK_FALSE(p.stacks[0].selected);
    CHECK(p.stacks[3].selected);
    const Plan only = make_plan(m, {.patterns = {"CM-Valheim-L*"}, .exclusively = true});
    CHECK(names(only) == std::vector<std::string>{"CM-Valheim-LinkTogether"});
    CHECK(only.stacks[0].depends_on.empty());
    const Plan two = make_plan(m, {.patterns = {"CM-Minecraft-Stack", "CM-Base"}, .exclusively = true});
    CHECK(names(two) == std::vector<std::string>{"CM-Base", "CM-Minecraft-Stack"});
    CHECK(two.stacks[1].depends_on == std::vector<std::size_t>{0});
}

TEST_CASE("Plan: a pattern that matches nothing and a cycle are errors") {
    CHECK(error_of(app(), {.patterns = {"CM-Valhiem*"}, .exclusively = false}) ==
          "--stack 'CM-Valhiem*' matches no stack of the app; the stacks are: CM-Valheim-LinkTogether, "
          "CM-Valheim-Stack, CM-Valheim-Domain, CM-Base, CM-Minecraft-Stack");
    AssemblyManifest m = app();
    m.stacks[3].dependencies = {"CM-Valheim-LinkTogether"};
    CHECK(error_of(m, {}) == "the stacks depend on each other in a cycle: CM-Valheim-LinkTogether -> CM-Valheim-Stack "
                             "-> CM-Base -> CM-Valheim-LinkTogether; a stack cannot be deployed before the stacks it "
                             "depends on (manifest.json)");
}

TEST_CASE("Destroy plan: every stack after the stacks that depend on it") {
    const AssemblyManifest m = app();
    const Plan p = make_destroy_plan(m, {});
    CHECK(names(p) == std::vector<std::string>{"CM-Valheim-LinkTogether", "CM-Valheim-Stack", "CM-Valheim-Domain",
                                               "CM-Minecraft-Stack", "CM-Base"});
    for (std::size_t i = 0; i < p.stacks.size(); ++i) {
        CHECK(p.stacks[i].selected);
        CHECK_FALSE(p.stacks[i].named);
        for (std::size_t d : p.stacks[i].depends_on) CHECK(d < i);
    }
    // Base waits for the three stacks that depend on it directly.
    CHECK(p.stacks[4].depends_on == std::vector<std::size_t>{1, 2, 3});
    CHECK(p.stacks[1].depends_on == std::vector<std::size_t>{0});
}

TEST_CASE("Destroy plan: what depends on a selected stack comes along unless exclusively") {
    const AssemblyManifest m = app();
    const Plan p = make_destroy_plan(m, {.patterns = {"CM-Valheim-Stack"}, .exclusively = false});
    CHECK(names(p) == std::vector<std::string>{"CM-Valheim-LinkTogether", "CM-Valheim-Stack"});
    CHECK_FALSE(p.stacks[0].selected);
    CHECK(p.stacks[1].selected);
    CHECK(p.stacks[1].named);
    CHECK(p.stacks[1].depends_on == std::vector<std::size_t>{0});
    // A glob selects but does not name: protected stacks it matches stay protected.
    const Plan glob = make_destroy_plan(m, {.patterns = {"CM-Valheim-*"}, .exclusively = false});
    CHECK(names(glob) == std::vector<std::string>{"CM-Valheim-LinkTogether", "CM-Valheim-Stack", "CM-Valheim-Domain"});
    for (const auto& s : glob.stacks) CHECK_FALSE(s.named);
    // Base named: everything depends on it, so everything goes.
    const Plan base = make_destroy_plan(m, {.patterns = {"CM-Base"}, .exclusively = false});
    CHECK(base.stacks.size() == 5);
    CHECK(base.stacks.back().stack->stack_name == "CM-Base");
    CHECK(base.stacks.back().named);
    const Plan only = make_destroy_plan(m, {.patterns = {"CM-Base"}, .exclusively = true});
    CHECK(names(only) == std::vector<std::string>{"CM-Base"});
    CHECK(only.stacks[0].depends_on.empty());
}

TEST_CASE("Destroy plan: a pattern that matches nothing and a cycle are errors") {
    try {
        (void)make_destroy_plan(app(), {.patterns = {"Nope"}, .exclusively = false});
        FAIL("no error");
    } catch (const leafsynth::InputError& e) {
        CHECK(std::string(e.what()).starts_with("--stack 'Nope' matches no stack of the app; the stacks are: "));
    }
    AssemblyManifest m = app();
    m.stacks[3].dependencies = {"CM-Valheim-LinkTogether"};
    try {
        (void)make_destroy_plan(m, {});
        FAIL("no error");
    } catch (const leafsynth::InputError& e) {
        CHECK(std::string(e.what()).find("in a cycle") != std::string::npos);
        CHECK(std::string(e.what()).ends_with("a stack cannot be deleted while stacks depending on it remain (manifest.json)"));
    }
}
