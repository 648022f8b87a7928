#pragma once
// The CLI's app arguments (shared by synth, ls, graph, and later diff) and how they become an App.

#include <string>
#include <vector>

#include "leafsynth/app.hpp"

namespace leafsynth::cli {

/// What the user said about the app.
struct AppArgs {
    std::vector<std::string> leaf_configs; ///< Leaf config files (one container each).
    std::string base_config;               ///< Base config; default: base-stack-config.yaml beside the first leaf.
    std::string region;                    ///< Main region (--region), else from the environment / AWS config.
    std::string account;                   ///< Account id, or empty.
    std::string maturity = "prod";         ///< prod or devel.
    std::string container_id;              ///< Overrides the container id (one leaf config only).
};

/// Loads every config (a file named base-stack-config.yaml among the leaf configs is the base config) (reporting all problems of all files at once) and builds the ContainerManager
/// app into `app`. Throws InputError (exit 2) naming file:line:column and key path.
void build_app(App& app, const AppArgs& args);

} // namespace leafsynth::cli
