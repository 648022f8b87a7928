// libFuzzer target: the ContainerManager config loader (stacks/config_loader.cpp) on arbitrary
// bytes, as a leaf config and as a base config. The loaders take a path, so each input is
// written to one per-process scratch file. The documented answer to bad input is a ConfigError
// (an InputError); anything else escaping, or a crash, is a finding.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>

#include "fuzz_support.hpp"
#include "leafsynth/containermanager/config.hpp"

namespace cm = leafsynth::containermanager;

namespace {

/// A fixed environment for `!ENV ${NAME}`, so runs do not depend on the machine: names starting
/// with `UNSET` are unset, `PORT*` are numbers, everything else a short word.
std::optional<std::string> fuzz_environment(const std::string& name) {
    if (name.rfind("UNSET", 0) == 0) return std::nullopt;
    if (name.rfind("PORT", 0) == 0) return std::string("25565");
    if (name == "EMPTY") return std::string();
    return "env-" + name.substr(0, 16);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static leafsynth_fuzz::ScratchFile scratch("config.yaml");
    const std::string& path = scratch.write(data, size);
    // The maturity only changes volume defaults: take it from the input's length.
    const cm::Maturity maturity = size % 2 ? cm::Maturity::Devel : cm::Maturity::Prod;
    leafsynth_fuzz::expect_only<leafsynth::InputError>("load_leaf_config", [&] {
        const cm::LeafConfig leaf = cm::load_leaf_config(path, maturity, fuzz_environment);
        (void)leaf;
    });
    leafsynth_fuzz::expect_only<leafsynth::InputError>("load_base_config", [&] {
        const cm::BaseConfig base = cm::load_base_config(path, fuzz_environment);
        (void)base;
    });
    return 0;
}
