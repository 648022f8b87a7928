#pragma once
// Internals of `leafsynth diff` shared by the files of src/diff/.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "leafsynth/diff.hpp"

namespace leafsynth::detail {

using nlohmann::json;

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

/// Joins a path and a key: "" + "A" → "A", "A" + "B" → "A.B".
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

} // namespace leafsynth::detail
