#pragma once
// Helpers shared by the config loader tests.

#include "leafsynth/containermanager/config.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace config_tests {

/// tests/config/data/<name>.
inline std::string data_file(const std::string& name) {
    return (std::filesystem::path(LEAFSYNTH_CONFIG_DATA_DIR) / name).string();
}

/// The copy of a shared sample config (tests/config/data/shared/<name>).
inline std::string shared_config(const std::string& name) { return data_file("shared/" + name); }

/// Writes `text` to <build>/tests/config/scratch/<name> and returns its path.
std::string write_scratch(const std::string& name, const std::string& text);

/// An environment made of the given variables only.
leafsynth::containermanager::EnvironmentLookup fake_environment(std::map<std::string, std::string> variables);

/// The problems a load throws, as `file:line:column: Key.Path: message` lines (empty if it loads).
template <class Load> std::vector<std::string> problems_of(Load&& load) {
    try {
        load();
    } catch (const leafsynth::containermanager::ConfigError& e) {
        std::vector<std::string> out;
        for (const auto& p : e.problems())
            out.push_back(p.to_string());
        return out;
    }
    return {};
}

} // namespace config_tests
