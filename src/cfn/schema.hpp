#pragma once
/// @file schema.hpp
/// Internal: the CloudFormation resource schemas leafsynth knows (src/cfn/schema_data.cpp, generated
/// by tools/cfn/generate.py from the pinned AWS CDK service specification, and their value
/// constraints, src/cfn/constraint_data.cpp, from cfn-lint's schemas), parsed per type on first use. Read by the synth-time validation (validate.cpp), the tag manager (taggability and
/// tag shape) and the diff (create-only properties).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leafsynth::cfn::detail {

/// One generated record: a resource type and its schema as compact JSON.
struct SchemaRecord {
    std::string_view type; ///< e.g. `AWS::SQS::Queue`
    std::string_view json; ///< The compact schema (format in schema.cpp).
};

/// The generated records, sorted by type.
const std::span<const SchemaRecord> schema_records();

/// The generated value constraints (format in schema.cpp), sorted by type; types without any are
/// left out.
const std::span<const SchemaRecord> constraint_records();

/// The type of a property or attribute.
struct TypeSpec {
    enum class Kind { String, Integer, Number, Boolean, Json, Tag, List, Map, Struct, Union };
    Kind kind = Kind::Json;
    std::vector<TypeSpec> items; ///< List/Map: the element type; Union: the alternatives.
    std::string struct_name;     ///< Struct: the property type's name (a key of ResourceSchema::structs).
};

/// What a value must be beyond its type: the enum, pattern, length, range and item-count bounds
/// of the resource provider schema (src/cfn/constraint_data.cpp, from cfn-lint's copy of them).
struct Constraint {
    std::vector<std::string> enum_strings; ///< The allowed strings (with enum_numbers: the enum).
    std::vector<double> enum_numbers;      ///< The allowed numbers.
    std::string pattern;                   ///< A regular expression a string must contain a match of.
    std::optional<std::size_t> min_length, max_length; ///< In characters (code points).
    std::optional<double> minimum, maximum;             ///< Inclusive.
    std::optional<double> exclusive_minimum, exclusive_maximum;
    std::optional<std::size_t> min_items, max_items; ///< Of a list.
    std::shared_ptr<const Constraint> items;          ///< Of a list's items or a map's values.

    bool has_enum() const { return !enum_strings.empty() || !enum_numbers.empty(); }
};

/// A property of a resource or of a property type.
struct PropertySpec {
    TypeSpec type;
    bool required = false;
    bool replaces = false;       ///< A change replaces the resource (create-only).
    bool may_replace = false;    ///< A change may replace the resource (conditionally create-only).
    std::shared_ptr<const Constraint> constraint = {}; ///< Null when the schema sets none.
};

/// The properties of a resource or of a property type, by CloudFormation name.
using PropertyMap = std::map<std::string, PropertySpec, std::less<>>;

/// The schema of one resource type.
struct ResourceSchema {
    std::string type;                                   ///< e.g. `AWS::SQS::Queue`
    PropertyMap properties;                             ///< Its properties.
    std::map<std::string, TypeSpec, std::less<>> attributes; ///< Its `Fn::GetAtt` attributes.
    std::map<std::string, PropertyMap, std::less<>> structs; ///< Its property types, by name.
    std::string tag_property;                           ///< Where its tags go ("" when it takes none).
    std::string tag_variant;                            ///< `standard` (Key/Value list), `map` or `asg`.
};

/// The schema of `type`, or nullptr when the specification does not have it. Thread-safe; each
/// type is parsed once.
const ResourceSchema* find_schema(std::string_view type);

/// Every type the specification has, sorted.
std::vector<std::string_view> schema_types();

/// The pinned source, for messages: `@aws-cdk/aws-service-spec 0.1.180`.
std::string_view schema_source();

/// The pinned source of the constraints, for messages: `cfn-lint 1.51.0`.
std::string_view constraint_source();

} // namespace leafsynth::cfn::detail
