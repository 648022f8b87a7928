#pragma once
// Helpers shared by the unit tests: parsing synthesized templates back, emitting valid ones for
// the cfn-lint pass, and scratch folders for the output tests.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "leafsynth/leafsynth.hpp"

namespace unit {

using nlohmann::json;

/// The folders of the suite: below emit_root() its valid templates for the cfn-lint pass, below
/// scratch_root() its scratch folders. Defined per suite by support_dirs.cpp (from the suite's
/// LEAFSYNTH_UNIT_EMIT_DIR and LEAFSYNTH_UNIT_SCRATCH_DIR), so that this file's helpers are
/// compiled once for all suites (leafsynth_test_support).
const char* emit_root();
const char* scratch_root();

/// Parses JSON text (throws on a syntax error).
json parse_json(const std::string& text);

/// Reads YAML template text back into the JSON structure it stands for: the CloudFormation
/// short-form tags (`!Ref`, `!GetAtt A.B`, `!Sub`, ...) become their long forms, and plain
/// scalars are typed as a YAML 1.1 reader (PyYAML, which cfn-lint uses) would type them, so a
/// string that needed quotes and did not get them comes back as a bool, number or null.
json yaml_to_json(const std::string& text);

/// The lines of a text, without their line breaks.
std::vector<std::string> lines_of(const std::string& text);

/// True when `text` has a line exactly equal to `line`.
bool has_line(const std::string& text, const std::string& line);

/// The JSON template of the only stack (or the named stack) of a JSON assembly.
json template_of(const leafsynth::Assembly& assembly, const std::string& artifact = {});

/// Synthesizes `app` as JSON and as YAML, writes both to the emitted-templates folder as
/// `<name>.template.json|yaml` (`<name>.<artifact>.template.*` when there are several stacks),
/// and returns the JSON assembly. Only for apps whose templates are valid (they get linted).
leafsynth::Assembly synth_and_emit(leafsynth::App& app, const std::string& name);

/// The SSM parameter a cross-region reference reads in template `t`: from a `{{resolve:ssm:NAME}}`
/// dynamic reference, or from a `Ref` to an `AWS::SSM::Parameter::Value<String>` template
/// parameter; "" when `value` is neither.
std::string ssm_parameter_of(const json& t, const json& value);

/// A fresh, empty scratch folder for one test.
std::filesystem::path scratch_dir(const std::string& name);

/// Every entry below `dir`: relative path -> file contents ("<dir>" for folders).
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

/// The names of the entries directly in `dir`, sorted.
std::vector<std::string> entries(const std::filesystem::path& dir);

} // namespace unit
