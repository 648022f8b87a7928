#pragma once
// The create-only properties of the resource types leafsynth uses, generated from the
// CloudFormation resource provider schemas (tests/diff/generate_create_only.py writes
// create_only_properties.cpp).

#include <string>
#include <vector>

namespace leafsynth::detail {

/// One resource type's create-only properties, as dotted paths below Properties ('*' = any list item).
struct CreateOnlyEntry {
    std::string type;                     ///< e.g. AWS::EFS::AccessPoint
    std::vector<std::string> always;      ///< createOnlyProperties: a change replaces the resource.
    std::vector<std::string> conditional; ///< conditionalCreateOnlyProperties: a change may replace it.
};

/// The generated table, sorted by type.
const std::vector<CreateOnlyEntry>& create_only_table();

/// The entry of a type, or nullptr when the table does not know it.
const CreateOnlyEntry* find_create_only(const std::string& type);

} // namespace leafsynth::detail
