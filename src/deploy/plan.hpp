#pragma once
/// @file plan.hpp
/// Which stacks a deploy or destroy touches and in what order: `--stack` patterns (names or globs)
/// matched against the assembly's stacks, the stacks they depend on added for a deploy (their
/// dependents for a destroy) unless `--exclusively`, and a dependency order across regions. Internal to the leafsynth CLI (not installed).

#include <cstddef>
#include <string>
#include <vector>

#include "leafsynth/assembly_manifest.hpp"

namespace leafsynth::deploy {

/// What the user selected.
struct Selection {
    std::vector<std::string> patterns; ///< `--stack` values: stack names, artifact ids or globs (`Game*`); empty: all.
    bool exclusively = false;          ///< Only the matched stacks, not what they depend on.
};

/// One stack of the plan.
struct PlannedStack {
    const StackArtifactManifest* stack = nullptr; ///< The stack (in the AssemblyManifest the plan was made from).
    std::vector<std::size_t> depends_on;          ///< Indices (in the plan) of the planned stacks it waits for.
    bool selected = false;                        ///< Matched by a pattern (or no patterns); false: added as a dependency.
    bool named = false;                           ///< Matched by a pattern without wildcards (its exact name or artifact id).
};

/// The stacks of a deploy or destroy, in the order they are worked on.
struct Plan {
    std::vector<PlannedStack> stacks;
};

/// The plan for `manifest` and `selection`. Throws InputError for a pattern that matches no stack
/// (listing the stacks there are) or a dependency cycle (naming it).
Plan make_plan(const AssemblyManifest& manifest, const Selection& selection);

/// The plan of a destroy: the matched stacks and (unless `--exclusively`) every stack that
/// depends on them, transitively; each stack after every stack that depends on it
/// (PlannedStack::depends_on lists the planned stacks to delete first). Throws InputError as make_plan.
Plan make_destroy_plan(const AssemblyManifest& manifest, const Selection& selection);

/// True when `name` matches the glob `pattern` (`*`, `?`, `[...]`, as the shell does).
bool glob_match(const std::string& pattern, const std::string& name);

} // namespace leafsynth::deploy
