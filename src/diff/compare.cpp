// Semantic comparison of template values: equality as CloudFormation sees it, canonical forms,
// and the path-level differences between two values.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace detail {
namespace {

/// A number written as a plain decimal string ("1800", "-2", "0.5", "1e3"), or nothing.
std::optional<double> numeric_string(const std::string& s) {
    if (s.empty() || s.size() > 40) return std::nullopt;
    std::size_t i = 0;
    if (s[i] == '-') ++i;
    const std::size_t digits_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    const std::size_t int_digits = i - digits_start;
    if (int_digits == 0) return std::nullopt;
    if (int_digits > 1 && s[digits_start] == '0') return std::nullopt; // "0123" is not 123 to CloudFormation
    if (i < s.size() && s[i] == '.') {
        ++i;
        const std::size_t frac_start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i == frac_start) return std::nullopt;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        const std::size_t exp_start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i == exp_start) return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    return std::strtod(s.c_str(), nullptr);
}

bool numbers_equal(const json& a, const json& b) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<std::uint64_t>() == b.get<std::uint64_t>();
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
        const json& u = a.is_number_unsigned() ? a : b;
        const json& i = a.is_number_unsigned() ? b : a;
        return i.get<std::int64_t>() >= 0 && static_cast<std::uint64_t>(i.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return a.get<std::int64_t>() == b.get<std::int64_t>();
}

bool number_equals_string(const json& number, const std::string& s) {
    const auto parsed = numeric_string(s);
    if (!parsed) return false;
    // Integers compare exactly (account ids and the like do not fit a float's mantissa forever).
    if (!number.is_number_float() && s.find_first_of(".eE") == std::string::npos) {
        return number.dump() == (s == "-0" ? "0" : s);
    }
    return number.get<double>() == *parsed;
}

bool bool_equals_string(bool b, const std::string& s) {
    std::string lower;
    for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return lower == (b ? "true" : "false");
}

/// Sorts a list of strings and drops duplicates; other lists are left as they are.
json sorted_string_list(json value) {
    if (!value.is_array()) value = json::array({value});
    if (!std::all_of(value.begin(), value.end(), [](const json& e) { return e.is_string(); })) return value;
    std::vector<std::string> items;
    for (const auto& e : value) items.push_back(e.get<std::string>());
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return json(items);
}

json canonical_statement(json statement) {
    if (!statement.is_object()) return statement;
    for (const char* key : {"Action", "NotAction", "Resource", "NotResource"})
        if (statement.contains(key)) statement[key] = sorted_string_list(statement[key]);
    for (const char* key : {"Principal", "NotPrincipal"}) {
        if (!statement.contains(key) || !statement[key].is_object()) continue;
        for (auto& [kind, value] : statement[key].items()) value = sorted_string_list(value);
    }
    return statement;
}

bool is_policy_document(const json& j) {
    if (!j.is_object() || !j.contains("Statement")) return false;
    const json& s = j["Statement"];
    if (j.contains("Version")) return s.is_array() || s.is_object();
    auto statement_like = [](const json& e) { return e.is_object() && e.contains("Effect"); };
    if (s.is_object()) return statement_like(s);
    return s.is_array() && !s.empty() && std::all_of(s.begin(), s.end(), statement_like);
}

json canonical_policy(json doc) {
    json statements = doc["Statement"].is_array() ? doc["Statement"] : json::array({doc["Statement"]});
    std::vector<std::pair<std::string, json>> keyed;
    for (auto& s : statements) {
        json c = canonical_statement(canonical_value(s));
        keyed.emplace_back(c.dump(), std::move(c));
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    json out = json::array();
    for (auto& [key, s] : keyed) out.push_back(std::move(s));
    doc["Statement"] = std::move(out);
    for (auto& [key, value] : doc.items())
        if (key != "Statement") value = canonical_value(value);
    return doc;
}

/// The longest common subsequence of equal items: pairs (i, j) in increasing order.
std::vector<std::pair<std::size_t, std::size_t>> common_items(const json& a, const json& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::pair<std::size_t, std::size_t>> out;
    // Equal prefix and suffix first: most changed lists differ in one place.
    std::size_t pre = 0;
    while (pre < n && pre < m && values_equal(a[pre], b[pre])) ++pre;
    std::size_t suf = 0;
    while (suf < n - pre && suf < m - pre && values_equal(a[n - 1 - suf], b[m - 1 - suf])) ++suf;
    for (std::size_t k = 0; k < pre; ++k) out.emplace_back(k, k);
    const std::size_t n2 = n - pre - suf, m2 = m - pre - suf;
    if (n2 > 0 && m2 > 0 && n2 * m2 <= 1'000'000) {
        std::vector<std::vector<std::uint32_t>> len(n2 + 1, std::vector<std::uint32_t>(m2 + 1, 0));
        for (std::size_t i = n2; i-- > 0;)
            for (std::size_t j = m2; j-- > 0;)
                len[i][j] = values_equal(a[pre + i], b[pre + j]) ? len[i + 1][j + 1] + 1
                                                                  : std::max(len[i + 1][j], len[i][j + 1]);
        std::size_t i = 0, j = 0;
        while (i < n2 && j < m2) {
            if (values_equal(a[pre + i], b[pre + j])) {
                out.emplace_back(pre + i, pre + j);
                ++i;
                ++j;
            } else if (len[i + 1][j] >= len[i][j + 1]) {
                ++i;
            } else {
                ++j;
            }
        }
    }
    for (std::size_t k = 0; k < suf; ++k) out.emplace_back(n - suf + k, m - suf + k);
    return out;
}

std::string index_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

} // namespace

const json& member(const json& value, const char* key) {
    static const json null_value;
    if (!value.is_object()) return null_value;
    auto it = value.find(key);
    return it != value.end() ? *it : null_value;
}

std::string string_member(const json& value, const char* key) {
    const json& m = member(value, key);
    return m.is_string() ? m.get<std::string>() : std::string{};
}

namespace {
bool plain_path_key(const std::string& key) {
    if (key.empty()) return false;
    for (const unsigned char c : key) {
        if (c <= 0x20 || c == 0x7f || c == '.' || c == '[' || c == ']' || c == '\'' || c == '"' || c == '\\')
            return false;
    }
    return true;
}
} // namespace

std::string join_path(const std::string& path, const std::string& key) {
    std::string shown = key;
    if (!plain_path_key(key)) {
        shown = "'";
        for (const char c : one_line_excerpt(key, key.size() + 1)) shown += c == '\'' ? std::string("\\'") : std::string(1, c);
        shown += "'";
    }
    return path.empty() ? shown : path + "." + shown;
}

json canonical_value(const json& value) {
    if (value.is_array()) {
        json out = json::array();
        for (const auto& e : value) out.push_back(canonical_value(e));
        return out;
    }
    if (!value.is_object()) return value;
    if (value.size() == 1) {
        const std::string& key = value.begin().key();
        const json& arg = value.begin().value();
        if (key == "Fn::GetAtt" && arg.is_string()) {
            const std::string s = arg.get<std::string>();
            const auto dot = s.find('.');
            if (dot != std::string::npos)
                return json{{"Fn::GetAtt", json::array({s.substr(0, dot), s.substr(dot + 1)})}};
        }
        if (key == "Fn::Sub" && arg.is_array() && arg.size() == 2 && arg[1].is_object() && arg[1].empty())
            return json{{"Fn::Sub", arg[0]}};
    }
    if (is_policy_document(value)) return canonical_policy(value);
    json out = json::object();
    for (const auto& [key, v] : value.items()) out[key] = canonical_value(v);
    return out;
}

json canonical_template(const json& tmpl) {
    json out = canonical_value(tmpl);
    if (out.contains("Resources") && out["Resources"].is_object()) {
        for (auto& [id, resource] : out["Resources"].items()) {
            if (!resource.is_object()) continue;
            if (resource.contains("DependsOn")) resource["DependsOn"] = sorted_string_list(resource["DependsOn"]);
            // "Delete" is what CloudFormation does without a policy (RDS clusters and instances
            // default to Snapshot instead), so an explicit Delete is no change.
            const std::string type = string_member(resource, "Type");
            if (type == "AWS::RDS::DBCluster" || type == "AWS::RDS::DBInstance") continue;
            for (const char* policy : {"DeletionPolicy", "UpdateReplacePolicy"})
                if (resource.contains(policy) && resource[policy] == "Delete") resource.erase(policy);
        }
    }
    return out;
}

bool contains_intrinsic(const json& value) {
    if (value.is_array()) return std::any_of(value.begin(), value.end(), contains_intrinsic);
    if (!value.is_object()) return false;
    if (value.size() == 1) {
        const std::string& key = value.begin().key();
        if (key == "Ref" || key == "Condition" || key.rfind("Fn::", 0) == 0) return true;
    }
    for (const auto& [key, v] : value.items())
        if (contains_intrinsic(v)) return true;
    return false;
}

json comparable_form(const json& value) {
    if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        if (auto n = numeric_string(s)) {
            if (s.find_first_of(".eE") == std::string::npos) {
                try {
                    return json::parse(s == "-0" ? "0" : s);
                } catch (const json::exception&) {
                }
            }
            return *n;
        }
        if (bool_equals_string(true, s)) return true;
        if (bool_equals_string(false, s)) return false;
        return value;
    }
    if (value.is_number_float()) {
        // 1800.0 and 1800 are equal: integral floats dump as integers.
        const double d = value.get<double>();
        if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -9e15 && d < 9e15)
            return static_cast<std::int64_t>(d);
        return value;
    }
    if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<std::int64_t>(value.get<std::uint64_t>());
        return value;
    }
    if (value.is_array()) {
        json out = json::array();
        for (const auto& e : value) out.push_back(comparable_form(e));
        return out;
    }
    if (value.is_object()) {
        json out = json::object();
        for (const auto& [k, v] : value.items()) out[k] = comparable_form(v);
        return out;
    }
    return value;
}

json rendered_form(const json& value) {
    if (value.is_array()) {
        json out = json::array();
        for (const auto& e : value) out.push_back(rendered_form(e));
        return out;
    }
    if (!value.is_object()) return value;
    if (value.size() == 1) {
        const std::string& key = value.begin().key();
        if (key == "Ref" || key.rfind("Fn::", 0) == 0) return render_value(value);
    }
    json out = json::object();
    for (const auto& [k, v] : value.items()) out[k] = rendered_form(v);
    return out;
}

std::string compact(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string render_value(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.size() == 1) {
        const std::string& key = value.begin().key();
        const json& arg = value.begin().value();
        if (key == "Ref" && arg.is_string()) return "${" + arg.get<std::string>() + "}";
        if (key == "Fn::GetAtt" && arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_string())
            return "${" + arg[0].get<std::string>() + "." + arg[1].get<std::string>() + "}";
        if (key == "Fn::GetAtt" && arg.is_string()) return "${" + arg.get<std::string>() + "}";
        if (key == "Fn::Sub" && arg.is_string()) return arg.get<std::string>();
        if (key == "Fn::Sub" && arg.is_array() && !arg.empty() && arg[0].is_string()) return arg[0].get<std::string>();
        if (key == "Fn::ImportValue") return "${Import:" + render_value(arg) + "}";
        if (key == "Fn::Join" && arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_array()) {
            std::string out;
            const std::string sep = arg[0].get<std::string>();
            for (std::size_t i = 0; i < arg[1].size(); ++i) {
                if (i) out += sep;
                out += render_value(arg[1][i]);
            }
            return out;
        }
    }
    return compact(value);
}

void diff_values(const std::string& path, const json& a, const json& b, std::vector<ValueChange>& out) {
    if (values_equal(a, b)) return;
    if (a.is_object() && b.is_object()) {
        for (const auto& [key, va] : a.items()) {
            auto it = b.find(key);
            if (it == b.end()) out.push_back({join_path(path, key), ChangeKind::Removed, va, nullptr});
            else diff_values(join_path(path, key), va, *it, out);
        }
        for (const auto& [key, vb] : b.items())
            if (!a.contains(key)) out.push_back({join_path(path, key), ChangeKind::Added, nullptr, vb});
        return;
    }
    if (a.is_array() && b.is_array()) {
        auto anchors = common_items(a, b);
        anchors.emplace_back(a.size(), b.size()); // sentinel
        std::size_t i = 0, j = 0;
        for (const auto& [ai, bj] : anchors) {
            // Items between anchors: pair them up, the rest are removed or added.
            while (i < ai && j < bj) {
                diff_values(index_path(path, j), a[i], b[j], out);
                ++i;
                ++j;
            }
            for (; i < ai; ++i) out.push_back({index_path(path, i), ChangeKind::Removed, a[i], nullptr});
            for (; j < bj; ++j) out.push_back({index_path(path, j), ChangeKind::Added, nullptr, b[j]});
            i = ai + 1;
            j = bj + 1;
        }
        return;
    }
    out.push_back({path, ChangeKind::Modified, a, b});
}

} // namespace detail

bool values_equal(const nlohmann::json& a, const nlohmann::json& b) {
    using detail::json;
    if (a.is_number() && b.is_number()) return detail::numbers_equal(a, b);
    if (a.is_number() && b.is_string()) return detail::number_equals_string(a, b.get_ref<const std::string&>());
    if (a.is_string() && b.is_number()) return detail::number_equals_string(b, a.get_ref<const std::string&>());
    if (a.is_boolean() && b.is_string()) return detail::bool_equals_string(a.get<bool>(), b.get_ref<const std::string&>());
    if (a.is_string() && b.is_boolean()) return detail::bool_equals_string(b.get<bool>(), a.get_ref<const std::string&>());
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
            // nlohmann::json keeps keys sorted: equal key sets line up.
            if (ia.key() != ib.key() || !values_equal(ia.value(), ib.value())) return false;
        }
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!values_equal(a[i], b[i])) return false;
        return true;
    }
    return a == b;
}

std::string to_string(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::Modified: return "modified";
    }
    return "modified";
}

std::string to_string(Impact impact) {
    switch (impact) {
    case Impact::None: return "none";
    case Impact::UpdateInPlace: return "update";
    case Impact::MayReplace: return "may_replace";
    case Impact::WillReplace: return "will_replace";
    }
    return "none";
}

std::string to_string(StackStatus status) {
    switch (status) {
    case StackStatus::Unchanged: return "unchanged";
    case StackStatus::Modified: return "modified";
    case StackStatus::Added: return "added";
    case StackStatus::Removed: return "removed";
    }
    return "unchanged";
}

} // namespace leafsynth
