#include "deploy/plan.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>

#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

bool glob_match(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

namespace {

std::string stack_list(const AssemblyManifest& manifest) {
    std::string out;
    for (const auto& s : manifest.stacks) out += (out.empty() ? "" : ", ") + s.stack_name;
    return out.empty() ? "(none)" : out;
}

bool has_wildcard(const std::string& pattern) { return pattern.find_first_of("*?[") != std::string::npos; }

/// Which stacks the patterns match (all when there are none), and which of them a pattern names
/// exactly (no wildcard). Throws InputError for a pattern that matches nothing.
struct Matches {
    std::vector<bool> matched, named;
};

Matches match(const AssemblyManifest& manifest, const Selection& selection) {
    const auto& stacks = manifest.stacks;
    Matches m{std::vector<bool>(stacks.size(), selection.patterns.empty()), std::vector<bool>(stacks.size(), false)};
    for (const auto& pattern : selection.patterns) {
        bool any = false;
        for (std::size_t i = 0; i < stacks.size(); ++i) {
            if (glob_match(pattern, stacks[i].stack_name) || glob_match(pattern, stacks[i].artifact_id)) {
                m.matched[i] = any = true;
                if (!has_wildcard(pattern)) m.named[i] = true;
            }
        }
        if (!any)
            throw InputError("--stack " + quote_excerpt(pattern) + " matches no stack of the app; the stacks are: " +
                             stack_list(manifest));
    }
    return m;
}

/// For each stack (manifest index), the stacks it depends on (manifest indices).
std::vector<std::vector<std::size_t>> dependency_edges(const AssemblyManifest& manifest) {
    std::map<std::string, std::size_t> by_artifact;
    for (std::size_t i = 0; i < manifest.stacks.size(); ++i) by_artifact[manifest.stacks[i].artifact_id] = i;
    std::vector<std::vector<std::size_t>> edges(manifest.stacks.size());
    for (std::size_t i = 0; i < manifest.stacks.size(); ++i)
        for (const auto& dep : manifest.stacks[i].dependencies)
            if (auto it = by_artifact.find(dep); it != by_artifact.end()) edges[i].push_back(it->second);
    return edges;
}

/// `wanted` grown by everything reachable along `edges`.
void close_over(std::vector<bool>& wanted, const std::vector<std::vector<std::size_t>>& edges) {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < wanted.size(); ++i)
        if (wanted[i]) todo.push_back(i);
    while (!todo.empty()) {
        const std::size_t i = todo.back();
        todo.pop_back();
        for (std::size_t j : edges[i])
            if (!wanted[j]) {
                wanted[j] = true;
                todo.push_back(j);
            }
    }
}

/// The wanted stacks in depth-first topological order along `after` (each stack after the
/// stacks `after` lists for it), manifest order among independent stacks; a cycle is an error.
Plan order(const AssemblyManifest& manifest, const std::vector<bool>& wanted, const Matches& m,
           const std::vector<std::vector<std::size_t>>& after, const char* verb) {
    const auto& stacks = manifest.stacks;
    Plan plan;
    std::map<std::size_t, std::size_t> position; // manifest index -> plan index
    std::vector<int> state(stacks.size(), 0);    // 0 new, 1 on the path, 2 placed
    std::vector<std::size_t> path;
    auto visit = [&](auto&& self, std::size_t i) -> void {
        if (state[i] == 2) return;
        if (state[i] == 1) {
            std::string cycle;
            auto from = std::find(path.begin(), path.end(), i);
            for (auto it = from; it != path.end(); ++it) cycle += stacks[*it].stack_name + " -> ";
            throw InputError("the stacks depend on each other in a cycle: " + cycle + stacks[i].stack_name + "; " +
                             verb + " (" + stacks[i].manifest + ")");
        }
        state[i] = 1;
        path.push_back(i);
        for (std::size_t j : after[i])
            if (wanted[j]) self(self, j);
        path.pop_back();
        state[i] = 2;
        PlannedStack p;
        p.stack = &stacks[i];
        p.selected = m.matched[i];
        p.named = m.named[i];
        std::set<std::size_t> waits;
        for (std::size_t j : after[i])
            if (wanted[j]) waits.insert(position.at(j));
        p.depends_on.assign(waits.begin(), waits.end());
        position[i] = plan.stacks.size();
        plan.stacks.push_back(std::move(p));
    };
    for (std::size_t i = 0; i < stacks.size(); ++i)
        if (wanted[i]) visit(visit, i);
    return plan;
}

} // namespace

Plan make_plan(const AssemblyManifest& manifest, const Selection& selection) {
    const Matches m = match(manifest, selection);
    const auto deps = dependency_edges(manifest);
    std::vector<bool> wanted = m.matched;
    if (!selection.exclusively) close_over(wanted, deps); // what the wanted stacks depend on
    return order(manifest, wanted, m, deps, "a stack cannot be deployed before the stacks it depends on");
}

Plan make_destroy_plan(const AssemblyManifest& manifest, const Selection& selection) {
    const Matches m = match(manifest, selection);
    const auto deps = dependency_edges(manifest);
    std::vector<std::vector<std::size_t>> dependents(deps.size());
    for (std::size_t i = 0; i < deps.size(); ++i)
        for (std::size_t j : deps[i]) dependents[j].push_back(i);
    std::vector<bool> wanted = m.matched;
    if (!selection.exclusively) close_over(wanted, dependents); // what depends on the wanted stacks
    return order(manifest, wanted, m, dependents, "a stack cannot be deleted while stacks depending on it remain");
}

} // namespace leafsynth::deploy
