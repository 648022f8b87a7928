#pragma once
// Internals of `leafsynth diff` shared by the files of src/diff/.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "leafsynth/diff.hpp"

namespace leafsynth::detail {

using nlohmann::json;

// --- Untrusted input (input_checks.cpp) -------------------------------------------------------
// Limits on what `leafsynth diff` reads (README, "Comparing"). CloudFormation takes templates of
// at most 1 MB and nobody nests them deeply, so these only stop broken or hostile input, before
// the recursive parts (yaml-cpp's parser, the comparison) could overflow the stack or memory.

/// Levels of mappings and lists in a template or manifest (JSON or YAML).
inline constexpr int kMaxNestingDepth = 200;
/// Values that YAML anchors and aliases may copy in one template (a "billion laughs" stops here).
inline constexpr std::size_t kMaxAliasValues = 100'000;
/// One file: template, manifest or asset manifest.
inline constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{16} << 20;
/// All the files read from one folder (an output folder, or the folder of a template).
inline constexpr std::uintmax_t kMaxFolderBytes = std::uintmax_t{256} << 20;
/// Levels of nested stacks below a top-level stack.
inline constexpr int kMaxNestedStackDepth = 16;
/// Nested stacks compared (counting every time one is compared again) for one top-level stack,
/// and the bytes of template text compared for it: bounds templates that nest each other many
/// times over.
inline constexpr std::size_t kMaxStackComparisons = 5'000;
inline constexpr std::uintmax_t kMaxComparedBytes = std::uintmax_t{64} << 20;

/// A place in a text: line and column (bytes), both from 1; {0, 0} when unknown.
struct TextPosition {
    std::size_t line = 0;
    std::size_t column = 0;
    bool known() const { return line > 0; }
};

/// The position of byte `offset` in `text`.
TextPosition position_at(std::string_view text, std::size_t offset);

/// `s` for an error message: on one line (line breaks, tabs and control characters escaped as
/// `\n`, `\t`, `\xNN`, so is a byte that is not UTF-8), cut after `max_chars` characters.
std::string one_line(std::string_view s, std::size_t max_chars = 80);

/// Keys joined with '.', each one_line and at most 60 characters: `Resources.Topic.Type`; list
/// items given as `[i]` follow without a dot; a long path keeps five keys at each end.
std::string key_path(const std::vector<std::string>& keys);

/// `origin:line:column: path` (the parts that are known).
std::string located(const std::string& origin, TextPosition where, const std::string& path);

/// Throws InputError `origin:line:column: path: message`.
[[noreturn]] void throw_input(const std::string& origin, TextPosition where, const std::string& path,
                              const std::string& message);

/// True when `s` is valid UTF-8.
bool is_utf8(std::string_view s);

/// Throws a located InputError at the first byte that is not UTF-8 text or is a control
/// character other than tab, line feed and carriage return (binary data), or for a UTF-16/32 BOM.
void check_text(std::string_view text, const std::string& origin);

/// The offset of the first '[' or '{' (outside strings) nested more than kMaxNestingDepth
/// levels deep in JSON text, or npos. Exact for well-formed JSON; any text is scanned safely.
std::size_t json_too_deep_at(std::string_view text);

/// The offset of the object key at `path` (keys from the top, e.g. {"Resources", "Topic"}) in
/// well-formed JSON text, or npos.
std::size_t json_key_offset(std::string_view text, const std::vector<std::string>& path);

/// Finds where the key at a path is in a text (unknown when it cannot tell).
using KeyLocator = std::function<TextPosition(const std::vector<std::string>& path)>;

/// A KeyLocator for well-formed JSON text (json_key_offset); `text` must outlive it.
KeyLocator json_key_locator(std::string_view text);

/// The position of the key at `path`, or else of the nearest enclosing key `locate` knows.
TextPosition nearest_key(const std::vector<std::string>& path, const KeyLocator& locate);

/// Throws a located InputError for a key given twice in one object of well-formed JSON text.
void check_json_keys_unique(std::string_view text, const std::string& origin);

/// Throws InputError `origin:line:column: not valid JSON: <what nlohmann says, without its
/// exception prefix, on one line>` for an exception of parsing `text`.
[[noreturn]] void throw_json_error(const json::exception& e, std::string_view text, const std::string& origin);

/// Parses JSON text after check_text and the nesting limit; every problem is a located
/// InputError naming `origin` (syntax errors, keys given twice). For json and ordered_json.
template <typename Json>
Json parse_json_checked(std::string_view text, const std::string& origin);

/// True for a template file name of an assembly: `*.template.json`, `.yaml` or `.yml`
/// (src/assembly_manifest.cpp).
bool is_template_name(const std::string& name);

/// The folder part of an assembly path with its trailing '/' (`assembly-Stage/`), or "".
std::string folder_of(const std::string& path);

/// The contents of a file `leafsynth diff` reads: a regular file (not a folder, FIFO or device)
/// of at most kMaxFileBytes; with `budget`, its size is taken from it (an error when it does not
/// fit). Throws InputError naming the file.
std::string read_input_file(const std::filesystem::path& path, std::uintmax_t* budget = nullptr);

/// Where the key at `path` (at most three levels down, e.g. {"Resources", "Topic"}) is in the
/// text of a template that parse_template read, or unknown.
TextPosition template_key_position(const std::string& text, const std::vector<std::string>& path);

/// The member `key` of an object, or null when `value` is not an object or has no such member.
const json& member(const json& value, const char* key);

/// The member `key` of an object when it is a string, else "".
std::string string_member(const json& value, const char* key);

/// The template in the form it is compared in: `Fn::GetAtt: "A.B"` → `["A", "B"]`,
/// `Fn::Sub: [s, {}]` → `Fn::Sub: s`, IAM policy documents normalized (Statement a list;
/// Action/Resource/Principal values sorted lists), resource `DependsOn` a sorted list, and an
/// explicit `DeletionPolicy`/`UpdateReplacePolicy` of `Delete` (the default) left out.
json canonical_template(const json& tmpl);

/// Canonicalizes any value (everything canonical_template does except DependsOn).
json canonical_value(const json& value);

/// Appends the differences between `a` and `b` below `path` to `out`. Objects are compared key
/// by key; lists are aligned (longest common subsequence of equal items) so an insertion shows
/// as one added item.
void diff_values(const std::string& path, const json& a, const json& b, std::vector<ValueChange>& out);

/// Joins a path and a key: "" + "A" → "A", "A" + "B" → "A.B". A key that is empty or holds a
/// space, a quote, `.`, `[`, `]`, a backslash or a control character is quoted on one line
/// (`Tags.'a b'`, `Env.'x\ny'`: one_line_excerpt, never cut, with `'` written `\'`), so a report line never
/// splits and two different keys never share a path.
std::string join_path(const std::string& path, const std::string& key);

/// True when the value is or contains an intrinsic function (`Ref`, `Fn::*`, `Condition`).
bool contains_intrinsic(const json& value);

/// A short text for a value: strings as they are, `{"Ref": "X"}` as `${X}`, `Fn::GetAtt` as
/// `${A.B}`, `Fn::Sub` as its string, `Fn::Join` joined, anything else as compact JSON.
std::string render_value(const json& value);

/// The value with numeric strings as numbers and "true"/"false" strings as booleans, so that
/// values_equal values have equal dumps (for keys of multisets).
json comparable_form(const json& value);

/// The value with every intrinsic function replaced by its render_value text.
json rendered_form(const json& value);

/// The value as compact JSON, for one-line output.
std::string compact(const json& value);

/// diff_templates, with knock-on changes also from `changing`: names of this template's
/// Parameters whose value changes, and `<Id>.Outputs.<Name>` of nested stacks (resources `<Id>`)
/// whose output changes (see changing_values). Used to follow replacements across nested stacks.
TemplateDiff diff_templates_seeded(const json& old_template, const json& new_template,
                                   const std::set<std::string>& changing);

/// The names whose values change in a template compared with `d`: resources that will be
/// replaced (new physical ids), plus `changing` itself.
std::set<std::string> changing_values(const TemplateDiff& d, const std::set<std::string>& changing);

/// True when `value` refers (`Ref`, `Fn::GetAtt`, `Fn::Sub`) to one of `names` (resource or
/// parameter names, or `<Id>.Outputs.<Name>` for nested-stack outputs).
bool refers_to_any(const json& value, const std::set<std::string>& names);

/// The IAM statements and security-group rules of two templates compared.
SecurityChanges diff_security(const json& old_template, const json& new_template);

/// One value change as the diff report writes it (render.cpp): `[~] Path.Key: "old" -> "new"`
/// (`[+]` with the new value, `[-]` with the old one; long values cut, long strings shown around
/// where they differ). Also used by `leafsynth drift` for property differences.
std::string change_line(const ValueChange& c);

} // namespace leafsynth::detail
