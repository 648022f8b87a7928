#include "app_loader.hpp"

#include <filesystem>
#include <map>
#include <optional>

#include "detail/parallel.hpp"

#include "leafsynth/containermanager/container_manager_app.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace leafsynth::cli {

namespace cm = containermanager;
namespace fs = std::filesystem;

namespace {
std::string base_config_path(const AppArgs& args) {
    if (!args.base_config.empty()) return args.base_config;
    fs::path beside = fs::path(args.leaf_configs.front()).parent_path() / "base-stack-config.yaml";
    if (fs::is_regular_file(beside)) return beside.string();
    throw InputError("no base config: pass --base BASE.yaml, or put base-stack-config.yaml beside " +
                     args.leaf_configs.front());
}
} // namespace

void build_app(App& app, const AppArgs& args_in) {
    // A base config given among the leaf configs (e.g. by a shell glob `examples/*.yaml`) is
    // taken as the base config.
    AppArgs args = args_in;
    args.leaf_configs.clear();
    for (const auto& path : args_in.leaf_configs) {
        if (fs::path(path).filename() == "base-stack-config.yaml") {
            if (args.base_config.empty()) args.base_config = path;
            continue;
        }
        args.leaf_configs.push_back(path);
    }
    if (args.leaf_configs.empty()) throw InputError("give at least one leaf config file (e.g. examples/containermanager/minecraft.yaml)");
    if (!args.container_id.empty() && args.leaf_configs.size() > 1)
        throw InputError("--container-id names one container; it cannot be used with " +
                         std::to_string(args.leaf_configs.size()) + " leaf configs");
    if (!args.account.empty() && (args.account.size() != 12 ||
                                  args.account.find_first_not_of("0123456789") != std::string::npos))
        throw InputError("--account: " + quote_excerpt(args.account) + " is not a 12-digit AWS account id");

    cm::StackContext context;
    context.maturity = cm::parse_maturity(args.maturity);
    context.account = args.account;
    context.main_region = resolve_main_region(args.region).region;

    // Every file's problems at once, so one run shows everything to fix.
    std::vector<std::string> problems;
    cm::BaseConfig base;
    try {
        base = cm::load_base_config(base_config_path(args));
    } catch (const InputError& e) {
        problems.push_back(e.what());
    }
    // The leaf configs are read and checked on every core (each file on its own); what they give,
    // and their problems, are then taken in the order of the files, so nothing depends on timing.
    struct Loaded {
        std::optional<cm::LeafInput> leaf;
        std::string problem;
    };
    std::vector<Loaded> loaded(args.leaf_configs.size());
    detail::run_in_parallel(loaded.size(), 0, [&](std::size_t i) {
        const std::string& path = args.leaf_configs[i];
        try {
            cm::LeafInput leaf{cm::load_leaf_config(path, context.maturity),
                               args.container_id.empty() ? cm::container_id_from_path(path) : args.container_id};
            cm::validate_container_id(leaf.container_id);
            loaded[i].leaf = std::move(leaf);
        } catch (const InputError& e) {
            loaded[i].problem = e.what();
        }
    });
    std::vector<cm::LeafInput> leaves;
    std::map<std::string, std::string> id_of_alpha; // the letters of each id taken -> that id
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        if (!loaded[i].leaf) {
            problems.push_back(std::move(loaded[i].problem));
            continue;
        }
        cm::LeafInput& leaf = *loaded[i].leaf;
        // Stack names use the id's letters only, so ids must differ in their letters.
        const std::string alpha = cm::container_id_alpha(leaf.container_id);
        if (auto [it, fresh] = id_of_alpha.emplace(alpha, leaf.container_id); !fresh) {
            const std::string& other = it->second;
            problems.push_back(args.leaf_configs[i] + ": container id '" + leaf.container_id +
                               (other == leaf.container_id ? "' is used by another leaf config"
                                                           : "' gives the same stack names (" + alpha + ") as '" +
                                                                 other + "'") +
                               "; rename one of the files (the container id is the file name)");
            continue;
        }
        leaves.push_back(std::move(leaf));
    }
    if (!problems.empty()) {
        std::string text = problems.front();
        for (std::size_t i = 1; i < problems.size(); ++i) text += "\n" + problems[i];
        throw InputError(text);
    }
    cm::build_container_manager(app, base, leaves, context);
}

} // namespace leafsynth::cli
