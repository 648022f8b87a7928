// Reading templates (JSON or YAML with CloudFormation short-form tags) into nlohmann::json.

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <regex>

#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace detail {
namespace {

/// A plain (untagged, unquoted) YAML scalar typed as CloudFormation's YAML reader types it:
/// null, booleans, integers and floats; anything else is a string. (Numbers and numeric strings
/// compare equal anyway, so only null/bool/number/string matter.)
json plain_scalar(const std::string& s) {
    static const std::regex null_re("^(~|null|Null|NULL|)$");
    static const std::regex true_re("^(true|True|TRUE)$");
    static const std::regex false_re("^(false|False|FALSE)$");
    static const std::regex int_re("^[-+]?(0|[1-9][0-9]*)$");
    static const std::regex float_re("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$");
    if (std::regex_match(s, null_re)) return nullptr;
    if (std::regex_match(s, true_re)) return true;
    if (std::regex_match(s, false_re)) return false;
    if (std::regex_match(s, int_re)) {
        try {
            return std::stoll(s);
        } catch (const std::out_of_range&) {
            return s;
        }
    }
    if (std::regex_match(s, float_re)) {
        try {
            return std::stod(s);
        } catch (const std::exception&) {
            return s;
        }
    }
    return s;
}

json convert(const YAML::Node& node);

json untagged(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar:
        // yaml-cpp gives quoted scalars the tag "!" and plain ones "?".
        return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& e : node) out.push_back(convert(e));
        return out;
    }
    case YAML::NodeType::Map: {
        json out = json::object();
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (!it->first.IsScalar())
                throw InputError("line " + std::to_string(it->first.Mark().line + 1) + ": a mapping key must be a scalar");
            out[it->first.Scalar()] = convert(it->second);
        }
        return out;
    }
    default: return nullptr;
    }
}

json convert(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return untagged(node);
    // Standard YAML tags: keep the value's type as the tag says.
    if (tag == "tag:yaml.org,2002:str" || tag == "!!str") return node.IsScalar() ? json(node.Scalar()) : untagged(node);
    if (tag.rfind("tag:yaml.org,2002:", 0) == 0) return untagged(node);
    if (tag.size() < 2 || tag[0] != '!')
        throw InputError("line " + std::to_string(node.Mark().line + 1) + ": unexpected YAML tag '" + tag + "'");
    const std::string name = tag.substr(1);
    // A tag's scalar argument is a string: `!Ref Topic`, `!Sub "..."`.
    json arg = node.IsScalar() ? json(node.Scalar()) : untagged(node);
    if (name == "Ref" || name == "Condition") return json{{name, arg}};
    if (name == "GetAtt" && arg.is_string()) {
        const std::string s = arg.get<std::string>();
        const auto dot = s.find('.');
        if (dot == std::string::npos) return json{{"Fn::GetAtt", s}};
        return json{{"Fn::GetAtt", json::array({s.substr(0, dot), s.substr(dot + 1)})}};
    }
    return json{{"Fn::" + name, arg}};
}

bool looks_like_json(const std::string& text) {
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        return c == '{';
    }
    return false;
}

} // namespace
} // namespace detail

nlohmann::json parse_template(const std::string& text, const std::string& origin) {
    using detail::json;
    json doc;
    if (detail::looks_like_json(text)) {
        try {
            doc = json::parse(text);
        } catch (const json::parse_error& e) {
            // A YAML flow mapping also starts with '{'; report the JSON error if it is not one.
            try {
                doc = detail::convert(YAML::Load(text));
            } catch (const std::exception&) {
                throw InputError(origin + ": not valid JSON: " + e.what());
            }
        }
    } else {
        try {
            doc = detail::convert(YAML::Load(text));
        } catch (const YAML::Exception& e) {
            throw InputError(origin + ": not valid YAML: " + e.what());
        } catch (const InputError& e) {
            throw InputError(origin + ": " + e.what());
        }
    }
    if (!doc.is_object())
        throw InputError(origin + ": not a CloudFormation template (the top level is not a mapping)");
    return doc;
}

} // namespace leafsynth
