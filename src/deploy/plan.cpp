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

} // namespace

Plan make_plan(const AssemblyManifest& manifest, const Selection& selection) {
    const auto& stacks = manifest.stacks;
    std::map<std::string, std::size_t> by_artifact;
    for (std::size_t i = 0; i < stacks.size(); ++i) by_artifact[stacks[i].artifact_id] = i;

    std::vector<bool> wanted(stacks.size(), selection.patterns.empty());
    std::vector<bool> matched(stacks.size(), selection.patterns.empty());
    for (const auto& pattern : selection.patterns) {
        bool any = false;
        for (std::size_t i = 0; i < stacks.size(); ++i) {
            if (glob_match(pattern, stacks[i].stack_name) || glob_match(pattern, stacks[i].artifact_id)) {
                wanted[i] = matched[i] = any = true;
            }
        }
        if (!any)
            throw InputError("--stack " + quote_excerpt(pattern) + " matches no stack of the app; the stacks are: " +
                             stack_list(manifest));
    }
    // What the wanted stacks depend on, transitively.
    if (!selection.exclusively) {
        std::vector<std::size_t> todo;
        for (std::size_t i = 0; i < stacks.size(); ++i)
            if (wanted[i]) todo.push_back(i);
        while (!todo.empty()) {
            const std::size_t i = todo.back();
            todo.pop_back();
            for (const auto& dep : stacks[i].dependencies) {
                auto it = by_artifact.find(dep);
                if (it != by_artifact.end() && !wanted[it->second]) {
                    wanted[it->second] = true;
                    todo.push_back(it->second);
                }
            }
        }
    }
    // Depth-first topological order, manifest order among independent stacks; a cycle is an error.
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
            throw InputError("the stacks depend on each other in a cycle: " + cycle + stacks[i].stack_name +
                             "; a stack cannot be deployed before the stacks it depends on (" + stacks[i].manifest + ")");
        }
        state[i] = 1;
        path.push_back(i);
        for (const auto& dep : stacks[i].dependencies) {
            auto it = by_artifact.find(dep);
            if (it != by_artifact.end() && wanted[it->second]) self(self, it->second);
        }
        path.pop_back();
        state[i] = 2;
        PlannedStack p;
        p.stack = &stacks[i];
        p.selected = matched[i];
        std::set<std::size_t> deps;
        for (const auto& dep : stacks[i].dependencies) {
            auto it = by_artifact.find(dep);
            if (it != by_artifact.end() && wanted[it->second]) deps.insert(position.at(it->second));
        }
        p.depends_on.assign(deps.begin(), deps.end());
        position[i] = plan.stacks.size();
        plan.stacks.push_back(std::move(p));
    };
    for (std::size_t i = 0; i < stacks.size(); ++i)
        if (wanted[i]) visit(visit, i);
    return plan;
}

} // namespace leafsynth::deploy
