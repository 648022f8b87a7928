#include "cfn/validate.hpp"

#include <fmt/core.h>

#include <cmath>
#include <cstdlib>

#include "cfn/pattern.hpp"
#include "cfn/schema.hpp"
#include "detail/near_miss.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::cfn::detail {

namespace {

using Kind = TypeSpec::Kind;

/// What an intrinsic gives when CloudFormation resolves it.
enum class Result { String, List, Any };

std::vector<std::string_view> names_of(const auto& map) {
    std::vector<std::string_view> out;
    for (const auto& [name, spec] : map) {
        (void)spec;
        out.push_back(name);
    }
    return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
    auto hit = leafsynth::detail::near_miss(word, candidates);
    return hit ? "; did you mean " + *hit + "?" : "";
}

/// `Properties.A.0.B` with dots in names escaped, as overrides address them.
std::string join_path(const std::string& path, std::string_view key) {
    std::string k;
    for (char c : key) {
        if (c == '.' || c == '\\') k.push_back('\\');
        k.push_back(c);
    }
    return path + "." + k;
}

const char* kind_words(const TypeSpec& t) {
    switch (t.kind) {
    case Kind::String: return "a string";
    case Kind::Integer: return "an integer";
    case Kind::Number: return "a number";
    case Kind::Boolean: return "a boolean";
    case Kind::Json: return "JSON";
    case Kind::Tag: return "a tag (Key, Value)";
    case Kind::List: return "a list";
    case Kind::Map: return "a map";
    case Kind::Struct: return "a map (a property type)";
    case Kind::Union: return "one of several types";
    }
    return "a value";
}

std::string described(const Value& v) {
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    if (v.is_int()) return std::to_string(v.as_int());
    if (v.is_double()) return fmt::format("{}", v.as_double());
    if (v.is_string()) return "the string " + quote_excerpt(v.as_string(), 60);
    if (v.is_list()) return "a list";
    if (v.is_map()) return "a map";
    return "a value";
}

bool parses_as_integer(const std::string& s) {
    if (s.empty()) return false;
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool parses_as_number(const std::string& s) {
    if (s.empty()) return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

/// A map written as a raw intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`, `{"Condition": ...}`).
bool raw_intrinsic(const Value& v) {
    if (!v.is_map() || v.as_map().size() != 1) return false;
    const std::string& k = v.as_map().begin()->first;
    return k == "Ref" || k == "Condition" || k.starts_with("Fn::");
}

void check_get_att(const Intrinsic& i, const std::string& path, std::vector<std::string>& out) {
    const auto* target = construct_cast<CfnResource>(i.target);
    if (!target) return;
    const ResourceSchema* ts = find_schema(target->type());
    if (!ts || ts->attributes.count(i.name)) return;
    if (target->type() == "AWS::CloudFormation::Stack" && i.name.starts_with("Outputs.")) return;
    out.push_back(path + ": Fn::GetAtt of " + target->path() + " (" + target->type() + ") attribute " + i.name +
                  ", which " + target->type() + " does not have" + did_you_mean(i.name, names_of(ts->attributes)));
}

void check_attributes(const Value& v, const std::string& path, std::vector<std::string>& out) {
    if (v.is_list()) {
        const List& l = v.as_list();
        for (std::size_t i = 0; i < l.size(); ++i) check_attributes(l[i], path + "." + std::to_string(i), out);
    } else if (v.is_map()) {
        for (const auto& [k, item] : v.as_map()) check_attributes(item, join_path(path, k), out);
    } else if (v.is_intrinsic()) {
        const Intrinsic& i = v.as_intrinsic();
        if (i.kind == Intrinsic::Kind::GetAtt) check_get_att(i, path, out);
        for (const auto& a : i.args) check_attributes(a, path, out);
    }
}

/// The length of `s` in characters (Unicode code points), as JSON Schema counts it.
std::size_t characters(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
    return n;
}

std::string number_text(double d) { return fmt::format("{}", d); }

/// The value as text, for an enum's strings: `5`, `true`, or the string itself.
std::optional<std::string> enum_text(const Value& v) {
    if (v.is_string()) return v.as_string();
    if (v.is_int()) return std::to_string(v.as_int());
    if (v.is_double()) return number_text(v.as_double());
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    return std::nullopt;
}

/// The value as a number, when it is one or a string that reads as one.
std::optional<double> number_of(const Value& v) {
    if (v.is_int()) return static_cast<double>(v.as_int());
    if (v.is_double()) return v.as_double();
    if (v.is_string() && parses_as_number(v.as_string())) return std::strtod(v.as_string().c_str(), nullptr);
    return std::nullopt;
}

bool in_enum(const Value& v, const Constraint& c) {
    const auto text = enum_text(v);
    if (!text) return true;
    for (const auto& e : c.enum_strings)
        if (e == *text) return true;
    if (const auto n = v.is_bool() ? std::nullopt : number_of(v))
        for (double e : c.enum_numbers)
            if (e == *n) return true;
    return false;
}

std::string enum_words(const Constraint& c) {
    std::vector<std::string> all(c.enum_strings.begin(), c.enum_strings.end());
    for (double e : c.enum_numbers) all.push_back(number_text(e));
    constexpr std::size_t shown = 12;
    std::string out;
    for (std::size_t i = 0; i < all.size() && i < shown; ++i) out += (i ? ", " : "") + all[i];
    if (all.size() > shown) out += fmt::format(", ... ({} in all)", all.size());
    return out;
}

class Checker {
public:
    Checker(const CfnResource& r, const ResourceSchema& s, std::vector<std::string>& out) : r_(r), s_(s), out_(out) {}

    void check_properties() {
        const Map& props = r_.properties();
        for (const auto& [name, value] : props) {
            const std::string path = join_path("Properties", name);
            auto spec = s_.properties.find(name);
            if (spec == s_.properties.end()) {
                if (!overridden(path))
                    finding(path, s_.type + " has no property " + name + did_you_mean(name, names_of(s_.properties)));
                continue;
            }
            check(value, spec->second.type, path, spec->second.constraint.get());
        }
        required(props, s_.properties, "Properties", s_.type);
    }

private:
    const CfnResource& r_;
    const ResourceSchema& s_;
    std::vector<std::string>& out_;

    void finding(const std::string& path, const std::string& message) { out_.push_back(path + ": " + message); }

    /// True when an override sets `path`, something below it or above it.
    bool overridden(const std::string& path) const {
        for (const auto& override : r_.overrides()) {
            const std::string& o = override.path;
            if (o == path || o.starts_with(path + ".") || path.starts_with(o + ".")) return true;
        }
        return false;
    }

    void required(const Map& given, const PropertyMap& specs, const std::string& path, const std::string& owner) {
        for (const auto& [name, spec] : specs) {
            if (!spec.required || given.count(name)) continue;
            // tags live in the tag manager until the template is written
            if (path == "Properties" && name == s_.tag_property && r_.tags()) continue;
            const std::string p = join_path(path, name);
            if (!overridden(p)) finding(p, owner + " requires " + name + ", which is not set");
        }
    }

    static Result result_of(const Intrinsic& i) {
        using K = Intrinsic::Kind;
        switch (i.kind) {
        case K::Ref:
            if (const auto* p = construct_cast<CfnParameter>(i.target)) {
                const std::string& t = p->props().type;
                return t.starts_with("List<") || t == "CommaDelimitedList" ? Result::List : Result::String;
            }
            if (!i.target && !i.args.empty() && i.args[0].is_string() && i.args[0].as_string() == "AWS::NotificationARNs")
                return Result::List;
            if (!i.target && !i.args.empty() && i.args[0].is_string() && i.args[0].as_string() == "AWS::NoValue")
                return Result::Any;
            return i.target || (!i.args.empty() && i.args[0].is_string() && i.args[0].as_string().starts_with("AWS::"))
                       ? Result::String
                       : Result::Any;
        case K::GetAtt: {
            const auto* target = construct_cast<CfnResource>(i.target);
            const ResourceSchema* ts = target ? find_schema(target->type()) : nullptr;
            if (!ts) return Result::Any;
            auto a = ts->attributes.find(i.name);
            if (a == ts->attributes.end()) return Result::Any;
            return a->second.kind == Kind::List ? Result::List : a->second.kind == Kind::Json ? Result::Any : Result::String;
        }
        case K::Sub:
        case K::Join:
        case K::Base64:
        case K::ImportValue: return Result::String;
        case K::Split:
        case K::GetAZs:
        case K::Cidr: return Result::List;
        default: return Result::Any;
        }
    }

    void check_intrinsic(const Intrinsic& i, const TypeSpec& t, const std::string& path, const Constraint* c) {
        if (i.kind == Intrinsic::Kind::If) {
            for (std::size_t n = 1; n < i.args.size(); ++n) check(i.args[n], t, path, c);
            return;
        }
        const Result got = result_of(i);
        if (got == Result::Any || t.kind == Kind::Json || t.kind == Kind::Union) return;
        const bool list_expected = t.kind == Kind::List;
        if (got == Result::List && !list_expected)
            finding(path, std::string("expects ") + kind_words(t) + ", but the intrinsic gives a list");
        else if (got == Result::String && (list_expected || t.kind == Kind::Map || t.kind == Kind::Struct || t.kind == Kind::Tag))
            finding(path, std::string("expects ") + kind_words(t) + ", but the intrinsic gives a string");
    }

    /// True when `v` fits `t` (the check finds nothing).
    bool fits(const Value& v, const TypeSpec& t, const std::string& path) {
        std::vector<std::string> findings;
        Checker inner(r_, s_, findings);
        inner.check(v, t, path);
        return findings.empty();
    }

    void mismatch(const Value& v, const TypeSpec& t, const std::string& path) {
        finding(path, std::string("expects ") + kind_words(t) + ", got " + described(v));
    }

    /// The schema's bounds on a scalar that has the right type.
    void constrain(const Value& v, const TypeSpec& t, const Constraint& c, const std::string& path) {
        if (c.has_enum() && !in_enum(v, c)) {
            const auto text = enum_text(v);
            finding(path, "expects one of " + enum_words(c) + ", got " + described(v) +
                              (text ? did_you_mean(*text, {c.enum_strings.begin(), c.enum_strings.end()}) : ""));
            return;
        }
        if (v.is_string() && t.kind == Kind::String) {
            const std::string& s = v.as_string();
            const std::size_t n = characters(s);
            if (c.min_length && n < *c.min_length)
                finding(path, fmt::format("expects a string of at least {} character{}, got {} ({})", *c.min_length,
                                          *c.min_length == 1 ? "" : "s", described(v), n));
            else if (c.max_length && n > *c.max_length)
                finding(path, fmt::format("expects a string of at most {} characters, got one of {}", *c.max_length, n));
            if (!c.pattern.empty() && pattern_matches(c.pattern, s) == false)
                finding(path, "expects a string matching the pattern " + c.pattern + ", got " + described(v));
            return;
        }
        if (t.kind != Kind::Integer && t.kind != Kind::Number) return;
        const auto n = number_of(v);
        if (!n) return;
        if (c.minimum && *n < *c.minimum)
            finding(path, "expects a number of at least " + number_text(*c.minimum) + ", got " + described(v));
        else if (c.exclusive_minimum && *n <= *c.exclusive_minimum)
            finding(path, "expects a number above " + number_text(*c.exclusive_minimum) + ", got " + described(v));
        if (c.maximum && *n > *c.maximum)
            finding(path, "expects a number of at most " + number_text(*c.maximum) + ", got " + described(v));
        else if (c.exclusive_maximum && *n >= *c.exclusive_maximum)
            finding(path, "expects a number below " + number_text(*c.exclusive_maximum) + ", got " + described(v));
    }

    void count(std::size_t n, const Constraint* c, const std::string& path, const char* what) {
        if (!c) return;
        if (c->min_items && n < *c->min_items)
            finding(path, fmt::format("expects at least {} {}, got {}", *c->min_items, what, n));
        else if (c->max_items && n > *c->max_items)
            finding(path, fmt::format("expects at most {} {}, got {}", *c->max_items, what, n));
    }

    /// The type check of a scalar: true when `v` has type `t` (or one CloudFormation turns into it).
    bool scalar_fits(const Value& v, const TypeSpec& t) {
        switch (t.kind) {
        // CloudFormation takes numbers and booleans where strings go (and turns them into text)
        case Kind::String: return !v.is_list() && !v.is_map();
        case Kind::Integer:
            return v.is_int() || (v.is_double() && std::floor(v.as_double()) == v.as_double()) ||
                   (v.is_string() && parses_as_integer(v.as_string()));
        case Kind::Number: return v.is_int() || v.is_double() || (v.is_string() && parses_as_number(v.as_string()));
        case Kind::Boolean:
            return v.is_bool() || (v.is_string() && (v.as_string() == "true" || v.as_string() == "false"));
        default: return true;
        }
    }

public:
    /// Checks `v` against type `t` and, when the schema sets them, the bounds `c`.
    void check(const Value& v, const TypeSpec& t, const std::string& path, const Constraint* c = nullptr) {
        if (v.is_null()) return;
        if (v.is_intrinsic()) return check_intrinsic(v.as_intrinsic(), t, path, c);
        if (raw_intrinsic(v)) return;
        const Constraint* items = c ? c->items.get() : nullptr;
        switch (t.kind) {
        case Kind::Json: return;
        case Kind::String:
        case Kind::Integer:
        case Kind::Number:
        case Kind::Boolean:
            if (!scalar_fits(v, t)) return mismatch(v, t, path);
            if (c) constrain(v, t, *c, path);
            return;
        case Kind::List:
            if (!v.is_list()) return mismatch(v, t, path);
            count(v.as_list().size(), c, path, "items");
            for (std::size_t i = 0; i < v.as_list().size(); ++i)
                check(v.as_list()[i], t.items.at(0), path + "." + std::to_string(i), items);
            return;
        case Kind::Map:
            if (!v.is_map()) return mismatch(v, t, path);
            for (const auto& [k, item] : v.as_map()) check(item, t.items.at(0), join_path(path, k), items);
            return;
        case Kind::Tag: {
            if (!v.is_map()) return mismatch(v, t, path);
            static const PropertyMap tag = {
                {"Key", PropertySpec{.type = {.kind = Kind::String, .items = {}, .struct_name = {}}, .required = true, .replaces = false, .may_replace = false}},
                {"Value", PropertySpec{.type = {.kind = Kind::String, .items = {}, .struct_name = {}}, .required = true, .replaces = false, .may_replace = false}}};
            return check_struct(v.as_map(), tag, path, "a tag");
        }
        case Kind::Struct: {
            if (!v.is_map()) return mismatch(v, t, path);
            auto def = s_.structs.find(t.struct_name);
            if (def == s_.structs.end()) return;
            return check_struct(v.as_map(), def->second, path, s_.type + "." + t.struct_name);
        }
        case Kind::Union: {
            for (const auto& alt : t.items)
                if (fits(v, alt, path)) {
                    if (c) check(v, alt, path, c);
                    return;
                }
            std::string words;
            for (std::size_t i = 0; i < t.items.size(); ++i)
                words += (i == 0 ? "" : i + 1 == t.items.size() ? " or " : ", ") + std::string(kind_words(t.items[i]));
            finding(path, "expects " + words + ", got " + described(v));
            return;
        }
        }
    }

private:
    void check_struct(const Map& m, const PropertyMap& def, const std::string& path, const std::string& owner) {
        for (const auto& [k, item] : m) {
            const std::string p = join_path(path, k);
            auto spec = def.find(k);
            if (spec == def.end()) {
                if (!overridden(p)) finding(p, owner + " has no property " + k + did_you_mean(k, names_of(def)));
                continue;
            }
            check(item, spec->second.type, p, spec->second.constraint.get());
        }
        required(m, def, path, owner);
    }
};

} // namespace

std::vector<std::string> schema_findings(const CfnResource& resource) {
    std::vector<std::string> out;
    const std::string& type = resource.type();
    const ResourceSchema* schema = find_schema(type);
    if (!schema) {
        // a malformed type (`AWS::Nope`) is the template writer's finding, not a second one here
        const auto second = type.find("::", 5);
        const bool well_formed = second != std::string::npos && second > 5 && second + 2 < type.size() &&
                                 type.find("::", second + 2) == std::string::npos;
        if (well_formed && type.starts_with("AWS::") && type != "AWS::CloudFormation::CustomResource" &&
            !type.starts_with("AWS::Serverless::"))
            out.push_back("unknown resource type " + type + " (" + std::string(schema_source()) + " does not have it)" +
                          did_you_mean(type, schema_types()));
        return out;
    }
    Checker c(resource, *schema, out);
    c.check_properties();
    for (const auto& [name, value] : resource.properties()) check_attributes(value, join_path("Properties", name), out);
    return out;
}

std::vector<std::string> attribute_findings(const Value& value, const std::string& path) {
    std::vector<std::string> out;
    check_attributes(value, path, out);
    return out;
}

} // namespace leafsynth::cfn::detail
