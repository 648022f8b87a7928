#pragma once
/// @file config_spec.hpp
/// The config formats as data: every key of the base and leaf configs with its type, whether it is
/// required, its bounds, its default and a description. The loader (stacks/config_loader.cpp) takes
/// its key lists, bounds and required keys from here, and `leafsynth schema` writes the JSON Schema
/// of each format from here (config_json_schema()), so the two cannot disagree.
///
/// Defaults are read off default-constructed BaseConfig / LeafConfig values (config.hpp), not
/// written again.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leafsynth::containermanager {

/// One key of a config file (or the file itself, the root map).
struct ConfigKey {
    /// What the value is. `TextMap`: any keys, scalar values (Container.Environment); `OneKeyMap`: a
    /// map with exactly one key of `words` (case-insensitive) and a value of `value_type`
    /// (Container.Ports' `{TCP: 25565}`, AlertSubscription's `{Email: me@example.com}`).
    enum class Type { Map, List, String, Integer, Boolean, TextMap, OneKeyMap };

    std::string name = {};            ///< The key (empty for the root and for a list's entries).
    Type type = Type::Map;
    bool required = false;         ///< Must be given (and not left empty).
    std::string description = {};  ///< One or two sentences, for the schema and editors.
    std::optional<long long> minimum = {}, maximum = {}; ///< Integer bounds; OneKeyMap: of its value.
    std::string pattern = {};      ///< String: an ECMAScript regular expression the value must match.
    std::string default_json = {}; ///< The default as JSON text ("120", "true"); empty when none.
    std::vector<std::string> words = {}; ///< OneKeyMap: the keys allowed; String: the values allowed (any case).
    Type value_type = Type::String; ///< OneKeyMap: the type of its value.
    std::size_t min_items = 0, max_items = 0; ///< List: bounds on its length (max 0: unbounded).
    std::vector<ConfigKey> keys = {};///< Map: its keys, in the documented order; List: one entry, the items'.
};

/// The base config (`base-stack-config.yaml`), a Map.
const ConfigKey& base_config_spec();
/// A leaf config, a Map.
const ConfigKey& leaf_config_spec();

/// The key at `path` below `root`: names joined by `.`, `[]` for a list's entries
/// (`Volumes[].Paths[].Path`). Throws std::out_of_range for a path the spec does not have.
const ConfigKey& config_key(const ConfigKey& root, std::string_view path);

/// The names of a Map's keys, in order.
std::vector<std::string_view> key_names(const ConfigKey& map);

/// The SNS protocols AlertSubscription takes: as written in configs, and as SNS spells them.
std::span<const std::pair<std::string_view, std::string_view>> sns_protocols();

/// The JSON Schema (draft 2020-12) of a config format, as JSON text (2-space indented, sorted as the
/// spec lists the keys, a trailing newline). `which` is "leaf" or "base".
std::string config_json_schema(std::string_view which);

} // namespace leafsynth::containermanager
