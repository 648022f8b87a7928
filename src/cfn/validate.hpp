#pragma once
/// @file validate.hpp
/// Internal: the synth-time check of a resource against its type's schema (schema.hpp).

#include <string>
#include <vector>

#include "leafsynth/value.hpp"

namespace leafsynth {
class CfnResource;
}

namespace leafsynth::cfn::detail {

/// What is wrong with `resource` by its type's schema, one line per finding (the caller prefixes
/// the construct path): an unknown `AWS::` type or property (with "did you mean"), a missing
/// required property, a value of the wrong JSON type, a key a property type does not have, a value
/// outside the schema's bounds (enum, pattern, length, range, item count), and `Fn::GetAtt` of an
/// attribute the target's type does not have. Intrinsics are accepted where
/// their result fits. Properties set by an override (CfnResource::add_override) are not checked:
/// an override is how to pass what the schema does not know. Types outside `AWS::` (custom
/// resources, registry types) are not checked.
std::vector<std::string> schema_findings(const CfnResource& resource);

/// The `Fn::GetAtt`s in `value` (at `path`, e.g. `Value` of an output) of an attribute their
/// target's type does not have.
std::vector<std::string> attribute_findings(const Value& value, const std::string& path);

} // namespace leafsynth::cfn::detail
