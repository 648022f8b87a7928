#pragma once
// Internal: template JSON to text, as JSON or as YAML with CloudFormation short-form tags.

#include <nlohmann/json.hpp>

#include <string>

namespace leafsynth::detail {

/// JSON text, 1-space indented as CDK writes it, with a trailing newline.
std::string to_json_text(const nlohmann::ordered_json& doc);

/// YAML text; `{"Ref": x}` and `{"Fn::X": ...}` become `!Ref x` / `!X ...` where YAML allows.
std::string to_yaml_text(const nlohmann::ordered_json& doc);

} // namespace leafsynth::detail
