#include "detail/serialize.hpp"
#include "detail/text.hpp"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string_view>

namespace leafsynth::detail {

using Json = nlohmann::ordered_json;

std::string to_json_text(const Json& doc) { return doc.dump(1) + "\n"; }

namespace {

/// The short-form tag of a single-key intrinsic object, or "" when it is a plain map.
std::string short_tag(const Json& j) {
    if (!j.is_object() || j.size() != 1) return {};
    const std::string& key = j.begin().key();
    if (key == "Ref") return j.begin().value().is_string() ? "Ref" : "";
    if (key == "Condition") return j.begin().value().is_string() ? "Condition" : "";
    static const std::set<std::string> fns = {"Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue",
                                              "Join", "Select", "Split", "Sub", "If", "Equals", "And", "Or", "Not",
                                              "Transform", "ToJsonString", "Length"};
    if (key.rfind("Fn::", 0) == 0 && fns.count(key.substr(4))) return key.substr(4);
    return {};
}

/// True when a YAML 1.1 reader (PyYAML, cfn-lint's) could read the plain scalar as something other
/// than this string, or YAML syntax forbids it plain.
bool needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    // Plain-safe: `^[A-Za-z_/$][A-Za-z0-9_./$@ ():-]*$`.
    const char first = s.front();
    if (!(is_letter(first) || first == '_' || first == '/' || first == '$')) return true;
    for (char c : s)
        if (!(is_alnum(c) || std::string_view("_./$@ ():-").find(c) != std::string_view::npos)) return true;
    // ": " starts a mapping value, a trailing ':' or ' ' is ambiguous.
    if (s.back() == ' ' || s.back() == ':' || s.find(": ") != std::string::npos) return true;
    static const std::set<std::string> keywords = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"};
    std::string lower;
    for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return keywords.count(lower) > 0;
}

void emit_string(YAML::Emitter& out, const std::string& s) {
    if (needs_quotes(s)) out << YAML::DoubleQuoted << s;
    else out << s;
}

/// The JSON text of a float, made a float for YAML 1.1 readers too: they need a '.' in the
/// mantissa, so `1e+30` (a string to PyYAML, cfn-lint's reader) is written `1.0e+30`.
std::string yaml_float(const Json& j) {
    std::string text = j.dump();
    if (text.find('.') == std::string::npos) {
        auto e = text.find_first_of("eE");
        if (e != std::string::npos) text.insert(e, ".0");
    }
    return text;
}

void emit(YAML::Emitter& out, const Json& j);

void emit_plain(YAML::Emitter& out, const Json& j) {
    switch (j.type()) {
    case Json::value_t::null: out << YAML::Null; break;
    case Json::value_t::boolean: out << (j.get<bool>() ? "true" : "false"); break;
    case Json::value_t::number_integer: out << j.get<std::int64_t>(); break;
    case Json::value_t::number_unsigned: out << j.get<std::uint64_t>(); break;
    case Json::value_t::number_float: out << yaml_float(j); break;
    case Json::value_t::string: emit_string(out, j.get<std::string>()); break;
    case Json::value_t::array:
        if (j.empty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            break;
        }
        out << YAML::BeginSeq;
        for (const auto& e : j) emit(out, e);
        out << YAML::EndSeq;
        break;
    case Json::value_t::object:
        if (j.empty()) {
            out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            break;
        }
        out << YAML::BeginMap;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out << YAML::Key;
            emit_string(out, it.key());
            out << YAML::Value;
            emit(out, it.value());
        }
        out << YAML::EndMap;
        break;
    default: out << YAML::Null; break;
    }
}

void emit(YAML::Emitter& out, const Json& j) {
    std::string tag = short_tag(j);
    if (tag.empty()) {
        emit_plain(out, j);
        return;
    }
    const Json& arg = j.begin().value();
    // A YAML node carries one tag: `!Base64 !Sub x` is invalid, so an intrinsic whose argument is
    // itself a tagged scalar-form intrinsic is written in long form.
    if (!short_tag(arg).empty()) {
        out << YAML::BeginMap << YAML::Key << j.begin().key() << YAML::Value;
        emit(out, arg);
        out << YAML::EndMap;
        return;
    }
    out << YAML::LocalTag(tag);
    if (tag == "GetAtt" && arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_string()) {
        emit_string(out, arg[0].get<std::string>() + "." + arg[1].get<std::string>());
        return;
    }
    emit_plain(out, arg);
}

} // namespace

std::string to_yaml_text(const Json& doc) {
    YAML::Emitter out;
    out.SetIndent(2);
    emit(out, doc);
    std::string text = out.c_str();
    if (text.empty() || text.back() != '\n') text += '\n';
    return text;
}

} // namespace leafsynth::detail
