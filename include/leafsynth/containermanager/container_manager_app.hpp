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

/// Adds every stack of the app to `app`.
void build_container_manager(App& app, const BaseConfig& base, const std::vector<LeafInput>& leaves,
                             const StackContext& context);

} // namespace leafsynth::containermanager
