#pragma once
/// @file container_manager_app.hpp
/// Builds the whole ContainerManager app: one Base stack and, per leaf config, Domain, Leaf and
/// LinkTogether stacks, with the spec's tags and deployment order.

#include <string>
#include <vector>

#include "leafsynth/app.hpp"
#include "leafsynth/containermanager/context.hpp"

namespace leafsynth::containermanager {

/// One leaf: its config and container id.
struct LeafInput {
    LeafConfig config;        ///< Loaded config.
    std::string container_id; ///< Container id (from the file name unless overridden).
};

/// Adds every stack of the app to `app`: the base stack, then each leaf's three stacks, the
/// leaves built at the same time on `jobs` threads (0: one per core) and kept in the order of
/// `leaves` (Construct::build_children_in_parallel).
void build_container_manager(App& app, const BaseConfig& base, const std::vector<LeafInput>& leaves,
                             const StackContext& context, std::size_t jobs = 0);

} // namespace leafsynth::containermanager
