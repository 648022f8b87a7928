// The compact schema format (written by tools/cfn/generate.py), one JSON object per type:
//   "p": {Name: [type, flags]}   the properties; flags: 1 required, 2 replaces, 4 may replace
//   "a": {Name: type}            the attributes
//   "d": {Struct: {Name: [type, flags]}}  the property types
//   "t": [property, variant]     where tags go and their shape (standard, map, asg)
// A type is "s" string, "i" integer, "n" number, "b" boolean, "j" JSON, "t" tag,
// ["a", T] list, ["m", T] map, ["r", Struct] a property type, ["u", T...] one of.
//
// The constraints (constraint_data.cpp, written by tools/cfn/constraints.py), one JSON object per type:
//   {Struct: {Name: C}}  per property type ("" for the resource's own properties), per property
// where C holds the JSON Schema keywords enum, pattern, minLength, maxLength, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, minItems, maxItems as the schema gives them, and "items":
// C of a list's items or a map's values.

#include "cfn/schema.hpp"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>

namespace leafsynth::cfn::detail {

namespace {

using nlohmann::json;

TypeSpec type_of(const json& j) {
    TypeSpec t;
    if (j.is_string()) {
        const std::string& k = j.get_ref<const std::string&>();
        t.kind = k == "s"   ? TypeSpec::Kind::String
                 : k == "i" ? TypeSpec::Kind::Integer
                 : k == "n" ? TypeSpec::Kind::Number
                 : k == "b" ? TypeSpec::Kind::Boolean
                 : k == "t" ? TypeSpec::Kind::Tag
                            : TypeSpec::Kind::Json;
        return t;
    }
    const std::string& k = j.at(0).get_ref<const std::string&>();
    if (k == "r") {
        t.kind = TypeSpec::Kind::Struct;
        t.struct_name = j.at(1).get<std::string>();
        return t;
    }
    t.kind = k == "a" ? TypeSpec::Kind::List : k == "m" ? TypeSpec::Kind::Map : TypeSpec::Kind::Union;
    for (std::size_t i = 1; i < j.size(); ++i) t.items.push_back(type_of(j[i]));
    return t;
}

PropertyMap properties_of(const json& j) {
    PropertyMap out;
    for (const auto& [name, spec] : j.items()) {
        const int flags = spec.at(1).get<int>();
        out.emplace(name, PropertySpec{.type = type_of(spec.at(0)),
                                       .required = (flags & 1) != 0,
                                       .replaces = (flags & 2) != 0,
                                       .may_replace = (flags & 4) != 0});
    }
    return out;
}

/// The record of `type` in `records` (sorted by type), or nullptr.
const SchemaRecord* find_record(std::span<const SchemaRecord> records, std::string_view type) {
    const auto it = std::lower_bound(records.begin(), records.end(), type,
                                     [](const SchemaRecord& r, std::string_view t) { return r.type < t; });
    return it == records.end() || it->type != type ? nullptr : &*it;
}

std::shared_ptr<const Constraint> constraint_of(const json& j) {
    auto c = std::make_shared<Constraint>();
    if (auto e = j.find("enum"); e != j.end())
        for (const auto& v : *e) {
            if (v.is_string()) c->enum_strings.push_back(v.get<std::string>());
            else if (v.is_number()) c->enum_numbers.push_back(v.get<double>());
            else if (v.is_boolean()) c->enum_strings.push_back(v.get<bool>() ? "true" : "false");
        }
    if (auto p = j.find("pattern"); p != j.end() && p->is_string()) c->pattern = p->get<std::string>();
    const auto size = [&](const char* key, std::optional<std::size_t>& out) {
        if (auto v = j.find(key); v != j.end() && v->is_number()) out = static_cast<std::size_t>(v->get<double>());
    };
    const auto number = [&](const char* key, std::optional<double>& out) {
        if (auto v = j.find(key); v != j.end() && v->is_number()) out = v->get<double>();
    };
    size("minLength", c->min_length);
    size("maxLength", c->max_length);
    size("minItems", c->min_items);
    size("maxItems", c->max_items);
    number("minimum", c->minimum);
    number("maximum", c->maximum);
    number("exclusiveMinimum", c->exclusive_minimum);
    number("exclusiveMaximum", c->exclusive_maximum);
    if (auto i = j.find("items"); i != j.end()) c->items = constraint_of(*i);
    return c;
}

/// Sets the constraints of `type` (when it has any) on its properties.
void add_constraints(ResourceSchema& s) {
    const SchemaRecord* record = find_record(constraint_records(), s.type);
    if (!record) return;
    const json all = json::parse(record->json);
    for (const auto& [owner, props] : all.items()) {
        PropertyMap* target = &s.properties;
        if (!owner.empty()) {
            auto st = s.structs.find(owner);
            if (st == s.structs.end()) continue;
            target = &st->second;
        }
        for (const auto& [name, c] : props.items())
            if (auto p = target->find(name); p != target->end()) p->second.constraint = constraint_of(c);
    }
}

std::unique_ptr<ResourceSchema> parse(const SchemaRecord& record) {
    const json j = json::parse(record.json);
    auto s = std::make_unique<ResourceSchema>();
    s->type = std::string(record.type);
    s->properties = properties_of(j.at("p"));
    for (const auto& [name, t] : j.at("a").items()) s->attributes.emplace(name, type_of(t));
    if (auto d = j.find("d"); d != j.end())
        for (const auto& [name, props] : d->items()) s->structs.emplace(name, properties_of(props));
    if (auto t = j.find("t"); t != j.end()) {
        s->tag_property = t->at(0).get<std::string>();
        s->tag_variant = t->at(1).get<std::string>();
    }
    add_constraints(*s);
    return s;
}

} // namespace

const ResourceSchema* find_schema(std::string_view type) {
    const SchemaRecord* it = find_record(schema_records(), type);
    if (!it) return nullptr;
    static std::mutex mutex;
    static std::map<std::string_view, std::unique_ptr<ResourceSchema>> parsed;
    std::lock_guard lock(mutex);
    auto& slot = parsed[it->type];
    if (!slot) slot = parse(*it);
    return slot.get();
}

std::vector<std::string_view> schema_types() {
    std::vector<std::string_view> out;
    for (const auto& r : schema_records()) out.push_back(r.type);
    return out;
}

} // namespace leafsynth::cfn::detail
