#include "support.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace config_tests {

std::string write_scratch(const std::string& name, const std::string& text) {
    // tests/config/test_config_schema.py runs these tests with the variable set, to check every
    // config they write against the schemas.
    const char* env = std::getenv("LEAFSYNTH_CONFIG_SCRATCH_DIR");
    const std::filesystem::path dir(env && *env ? env : LEAFSYNTH_CONFIG_SCRATCH_DIR);
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    return path.string();
}

leafsynth::containermanager::EnvironmentLookup fake_environment(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        if (auto it = variables.find(name); it != variables.end()) return it->second;
        return std::nullopt;
    };
}

} // namespace config_tests
