// Reading templates (JSON or YAML with CloudFormation short-form tags) into nlohmann::json, as
// untrusted input: every problem is one InputError `file:line:column: Key.Path: what, and how to
// fix it`, and nothing recurses without a bound.
//
// YAML is read from yaml-cpp's parser events (not through YAML::Node): the builder keeps its own
// stack, refuses a mapping or list nested deeper than kMaxNestingDepth when it starts (yaml-cpp
// calls the handler before it recurses into the content, so the limit holds for its parser too),
// counts what anchors and aliases copy (kMaxAliasValues), and knows the position of every key.

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace detail {
namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::size_t count_digits(std::string_view s, std::size_t& i) {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
}

/// `[-+]?(0|[1-9][0-9]*)`
bool is_yaml_int(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return all_digits(s) && (s.size() == 1 || s[0] != '0');
}

/// `[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?` or `[-+]?[0-9]+[eE][-+]?[0-9]+`
bool is_yaml_float(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t int_digits = count_digits(s, i);
    bool dot = false;
    std::size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
        dot = true;
        ++i;
        frac_digits = count_digits(s, i);
    }
    if (int_digits == 0 && frac_digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        if (count_digits(s, i) == 0) return false;
    } else if (!dot) {
        return false;
    }
    return i == s.size();
}

/// A plain (untagged, unquoted) YAML scalar typed as CloudFormation's YAML reader types it:
/// null, booleans, integers and floats; anything else is a string. (Numbers and numeric strings
/// compare equal anyway, so only null/bool/number/string matter.)
json plain_scalar(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (is_yaml_int(s)) {
        try {
            return std::stoll(s);
        } catch (const std::out_of_range&) {
            return s;
        }
    }
    if (is_yaml_float(s)) {
        try {
            return std::stod(s);
        } catch (const std::exception&) {
            return s;
        }
    }
    return s;
}

/// CloudFormation's YAML short forms (`!Ref X` for `{"Ref": "X"}`, `!Sub s` for
/// `{"Fn::Sub": "s"}`, ...): the documented ones, plus !ToJsonString and !Length, which
/// leafsynth's own YAML writer uses for those functions of the AWS::LanguageExtensions transform.
const std::vector<std::string>& short_form_tags() {
    static const std::vector<std::string> tags = {
        "Ref",       "GetAtt", "Sub",    "Join",   "Select", "Split", "FindInMap", "GetAZs",       "ImportValue",
        "Base64",    "Cidr",   "If",     "Equals", "And",    "Or",    "Not",       "Condition",    "Transform",
        "ToJsonString", "Length"};
    return tags;
}

enum class TagKind { None, String, Standard, ShortForm };

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// What a yaml-cpp tag means: none ("?" plain, "!" quoted), a string (`!!str`), another
/// standard tag (`!!int`, ...: typed as a plain scalar), or a CloudFormation short form; nothing
/// for any other tag (an error).
std::optional<TagKind> tag_kind(const std::string& tag) {
    if (tag.empty() || tag == "?" || tag == "!") return TagKind::None;
    if (tag == "tag:yaml.org,2002:str" || tag == "!!str") return TagKind::String;
    if (tag.rfind("tag:yaml.org,2002:", 0) == 0) return TagKind::Standard;
    if (tag.size() >= 2 && tag[0] == '!' &&
        std::find(short_form_tags().begin(), short_form_tags().end(), tag.substr(1)) != short_form_tags().end())
        return TagKind::ShortForm;
    return std::nullopt;
}

std::string unknown_tag_message(const std::string& tag) {
    std::string hint;
    for (const auto& t : short_form_tags())
        if (lower("!" + t) == lower(tag)) hint = " (did you mean !" + t + "?)";
    std::string known;
    for (const auto& t : short_form_tags()) known += (known.empty() ? "!" : ", !") + t;
    return "unknown YAML tag '" + one_line(tag, 60) + "'" + hint + "; CloudFormation's short forms are " + known +
           " (or write the long form, e.g. 'Fn::Name:')";
}

TextPosition position_of(const YAML::Mark& mark) {
    if (mark.line < 0 || mark.column < 0) return {};
    return {static_cast<std::size_t>(mark.line) + 1, static_cast<std::size_t>(mark.column) + 1};
}

/// The long form of a short-form tag applied to `arg`.
json long_form(const std::string& name, json arg) {
    if (name == "Ref" || name == "Condition") return json{{name, std::move(arg)}};
    if (name == "GetAtt" && arg.is_string()) {
        const std::string s = arg.get<std::string>();
        const auto dot = s.find('.');
        if (dot == std::string::npos) return json{{"Fn::GetAtt", s}};
        return json{{"Fn::GetAtt", json::array({s.substr(0, dot), s.substr(dot + 1)})}};
    }
    return json{{"Fn::" + name, std::move(arg)}};
}

/// Builds the template from yaml-cpp's events.
class YamlBuilder : public YAML::EventHandler {
public:
    YamlBuilder(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

    json take() { return std::move(root_); }
    bool has_document() const { return documents_ > 0; }

    /// Where the key at `path` is (for keys at most three levels down, outside lists).
    TextPosition key_position(const std::vector<std::string>& path) const {
        auto it = key_positions_.find(path);
        return it == key_positions_.end() ? TextPosition{} : it->second;
    }

    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++documents_ > 1) second_document_ = mark;
    }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        if (in_second_document(true)) return;
        if (expecting_key()) fail(mark, "a mapping key cannot be empty or null: write the key");
        remember_scalar(anchor, nullptr, std::nullopt);
        add(nullptr, 1, 0);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        if (in_second_document()) return;
        if (!is_utf8(value))
            fail(mark, "this value is not valid UTF-8 (an escape such as \\uD800 of half a surrogate pair?)");
        check_closed_quote(mark);
        const TagKind kind = known_tag(tag, mark);
        if (expecting_key()) {
            if (kind == TagKind::ShortForm) fail(mark, "a mapping key cannot be a " + tag + " function: write the key");
            remember_scalar(anchor, json(value), value);
            set_key(value, mark);
            return;
        }
        json v;
        switch (kind) {
        case TagKind::None: v = tag == "!" ? json(value) : plain_scalar(value); break;
        case TagKind::String: v = value; break;
        case TagKind::Standard: v = plain_scalar(value); break;
        case TagKind::ShortForm: v = long_form(tag.substr(1), json(value)); break; // the argument is a string
        }
        remember_scalar(anchor, v, value);
        add(std::move(v), 1, 0);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, json::array());
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, json::object());
    }
    void OnMapEnd() override { close(); }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        if (in_second_document()) return;
        auto it = anchors_.find(anchor);
        if (it == anchors_.end())
            fail(mark, "this alias refers to a node that contains it (a cycle): an alias can only repeat a node that "
                       "is complete");
        const Anchored& a = it->second;
        if (expecting_key()) {
            if (!a.scalar) fail(mark, "an alias used as a mapping key must stand for a scalar");
            set_key(*a.scalar, mark);
            return;
        }
        charge(a.values, mark);
        if (static_cast<int>(stack_.size()) + a.height > kMaxNestingDepth)
            fail(mark, "this alias makes the document nested more than " + std::to_string(kMaxNestingDepth) +
                           " levels deep");
        add(a.value, a.values, a.height);
    }

private:
    struct Frame {
        json value;
        std::string tag;
        YAML::anchor_t anchor = YAML::NullAnchor;
        YAML::Mark mark;
        std::optional<std::string> key; // a mapping's key waiting for its value
        std::map<std::string, YAML::Mark> key_marks; // the mapping's keys so far
        std::size_t values = 1;                       // values in it (itself included)
        int height = 1;                               // levels of mappings and lists, itself included
    };
    struct Anchored {
        json value;
        std::optional<std::string> scalar; // the text of an anchored scalar (for an alias used as a key)
        std::size_t values = 1;
        int height = 0;
    };

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
        throw_input(origin_, position_of(mark), current_path(), message);
    }

    /// The keys leading to the value being read, for messages.
    std::string current_path() const {
        std::vector<std::string> keys;
        for (const auto& f : stack_) {
            if (f.value.is_array()) keys.push_back("[" + std::to_string(f.value.size()) + "]");
            else if (f.key) keys.push_back(*f.key);
        }
        return key_path(keys);
    }

    /// yaml-cpp takes a quoted scalar that the file ends in as closed; it is not.
    void check_closed_quote(const YAML::Mark& mark) const {
        if (mark.pos < 0) return;
        std::size_t i = static_cast<std::size_t>(mark.pos);
        // Skip the node's tag and anchor (the mark is where they start).
        while (i < text_.size()) {
            const char c = text_[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++i;
            } else if (c == '!' || c == '&') {
                while (i < text_.size() && text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\n' && text_[i] != '\r') ++i;
            } else {
                break;
            }
        }
        if (i >= text_.size() || (text_[i] != '"' && text_[i] != '\'')) return;
        const char quote = text_[i];
        for (++i; i < text_.size(); ++i) {
            if (quote == '"' && text_[i] == '\\') {
                ++i;
            } else if (text_[i] == quote) {
                if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') ++i; // '' is a quote inside
                else return;
            }
        }
        fail(mark, std::string("the quoted string that starts here is not closed: add the closing ") + quote);
    }

    /// Events of a second document are not read: one error names where it starts. An empty one
    /// (a trailing "---") is harmless. yaml-cpp also ends the document where the top-level node
    /// ends, so what follows it without a "---" (a line indented wrongly) arrives here too.
    bool in_second_document(bool empty_root = false) const {
        if (documents_ < 2) return false;
        if (empty_root && stack_.empty()) return true;
        const std::size_t at = second_document_.pos < 0 ? 0 : static_cast<std::size_t>(second_document_.pos);
        if (text_.compare(std::min(at, text_.size()), 3, "---") == 0)
            throw_input(origin_, position_of(second_document_), "",
                        "a second YAML document starts here; a template is one document (remove the '---' and what "
                        "follows, or split the file)");
        throw_input(origin_, position_of(second_document_), "",
                    "this is not part of the template's top-level mapping: check its indentation (and the lines "
                    "before it)");
    }

    TagKind known_tag(const std::string& tag, const YAML::Mark& mark) const {
        const std::optional<TagKind> kind = tag_kind(tag);
        if (!kind) fail(mark, unknown_tag_message(tag));
        return *kind;
    }

    bool expecting_key() const { return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().key; }

    void set_key(const std::string& key, const YAML::Mark& mark) {
        Frame& f = stack_.back();
        if (auto [it, inserted] = f.key_marks.emplace(key, mark); !inserted) {
            f.key = key; // for the path in the message
            fail(mark, "given twice in one mapping (first at line " + std::to_string(it->second.line + 1) +
                           "); only one of them would count: remove or rename one");
        }
        f.key = key;
        // Key positions for messages about the template's structure: Section.Entry.Attribute.
        if (stack_.size() <= 3 && std::all_of(stack_.begin(), stack_.end(), [](const Frame& x) { return x.value.is_object(); })) {
            std::vector<std::string> path;
            for (const auto& x : stack_) path.push_back(*x.key);
            key_positions_.emplace(std::move(path), position_of(mark));
        }
    }

    void charge(std::size_t values, const YAML::Mark& mark) {
        copied_ += values;
        if (copied_ > kMaxAliasValues)
            fail(mark, "YAML anchors and aliases copy more than " + std::to_string(kMaxAliasValues) +
                           " values in this file (an alias bomb such as \"billion laughs\"?): write the values out, "
                           "or use fewer nested aliases");
    }

    void remember_scalar(YAML::anchor_t anchor, const json& value, std::optional<std::string> text) {
        if (anchor == YAML::NullAnchor) return;
        anchors_[anchor] = Anchored{value, std::move(text), 1, 0};
    }

    void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, json empty) {
        if (in_second_document()) return;
        if (expecting_key())
            fail(mark, "a mapping key must be a scalar, not a mapping or list (CloudFormation keys are names)");
        if (static_cast<int>(stack_.size()) >= kMaxNestingDepth)
            fail(mark, "nested more than " + std::to_string(kMaxNestingDepth) +
                           " levels deep (no CloudFormation template is): is the file generated wrongly?");
        known_tag(tag, mark); // an unknown tag is an error before its content is read
        Frame f;
        f.value = std::move(empty);
        f.tag = tag;
        f.anchor = anchor;
        f.mark = mark;
        stack_.push_back(std::move(f));
    }

    void close() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.key) fail(f.mark, "a key without a value");
        json v = std::move(f.value);
        const TagKind kind = known_tag(f.tag, f.mark);
        if (kind == TagKind::ShortForm) v = long_form(f.tag.substr(1), std::move(v));
        if (f.anchor != YAML::NullAnchor) {
            charge(f.values, f.mark); // the copy kept for its aliases
            anchors_[f.anchor] = Anchored{v, std::nullopt, f.values, f.height};
        }
        add(std::move(v), f.values, f.height);
    }

    void add(json v, std::size_t values, int height) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return;
        }
        Frame& parent = stack_.back();
        parent.values += values;
        parent.height = std::max(parent.height, height + 1);
        if (parent.value.is_array()) {
            parent.value.push_back(std::move(v));
            return;
        }
        parent.value[*parent.key] = std::move(v);
        parent.key.reset();
    }

    std::string_view text_;
    std::string origin_;
    std::vector<Frame> stack_;
    json root_;
    std::map<YAML::anchor_t, Anchored> anchors_;
    std::map<std::vector<std::string>, TextPosition> key_positions_;
    std::size_t copied_ = 0;
    int documents_ = 0;
    YAML::Mark second_document_;
};

/// Reads YAML text; `key_at` is set to find key positions afterwards.
json parse_yaml(std::string_view text, const std::string& origin, KeyLocator& key_at,
                std::shared_ptr<YamlBuilder>& builder) {
    std::istringstream in{std::string(text)};
    builder = std::make_shared<YamlBuilder>(text, origin);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(*builder);
        if (!builder->has_document())
            throw_input(origin, {1, 1}, "",
                        "the file is empty: a template is a mapping with a Resources section (and optionally "
                        "Parameters, Outputs, ...)");
        json doc = builder->take();
        parser.HandleNextDocument(*builder); // a second document is an error (see YamlBuilder)
        YamlBuilder* b = builder.get();
        key_at = [b](const std::vector<std::string>& path) { return b->key_position(path); };
        return doc;
    } catch (const YAML::Exception& e) {
        throw_input(origin, position_of(e.mark), "",
                    "not valid YAML: " + one_line(e.msg, 200) + " (check the quotes, brackets and indentation there)");
    }
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool looks_like_json(std::string_view text) {
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        return c == '{';
    }
    return false;
}

std::string kind_of(const json& v) {
    switch (v.type()) {
    case json::value_t::null: return "empty (null)";
    case json::value_t::boolean: return "true/false";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    default: return "a number";
    }
}

/// The top-level sections a template may have (CloudFormation's, and SAM's Globals).
const std::vector<std::string>& template_sections() {
    static const std::vector<std::string> s = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
                                               "Rules", "Mappings", "Conditions", "Transform", "Resources",
                                               "Outputs", "Hooks", "Globals"};
    return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/// CloudFormation's logical ids: 1 to 255 ASCII letters and digits.
bool is_logical_id(const std::string& id) {
    return !id.empty() && id.size() <= 255 && std::all_of(id.begin(), id.end(), is_alnum);
}

/// `AWS::SNS::Topic`, `Custom::My-Resource`, `Org::Service::Thing::MODULE`: at least two names of
/// letters, digits, '_', '-' or '@' joined by "::", at most 256 characters in all.
bool is_resource_type(const std::string& type) {
    if (type.empty() || type.size() > 256) return false;
    std::size_t names = 0;
    for (std::size_t start = 0;;) {
        const std::size_t end = std::min(type.find("::", start), type.size());
        if (end == start) return false;
        for (std::size_t i = start; i < end; ++i)
            if (!is_alnum(type[i]) && type[i] != '_' && type[i] != '-' && type[i] != '@') return false;
        ++names;
        if (end == type.size()) break;
        start = end + 2;
    }
    return names >= 2;
}

/// Checks the template's structure where the comparison relies on it: known sections, sections
/// that are mappings, resources with a Type, and the shape of each entry.
void check_structure(const json& doc, const std::string& origin, const KeyLocator& locate) {
    auto fail = [&](const std::vector<std::string>& path, const std::string& message) {
        throw_input(origin, nearest_key(path, locate), key_path(path), message);
    };
    const auto& sections = template_sections();
    for (const auto& [key, value] : doc.items()) {
        if (std::find(sections.begin(), sections.end(), key) != sections.end()) continue;
        std::string hint;
        if (key.size() < 64)
            for (const auto& s : sections)
                if (lower(s) == lower(key) || edit_distance(s, key) <= 2) hint = " (did you mean " + s + "?)";
        std::string all;
        for (const auto& s : sections) all += (all.empty() ? "" : ", ") + s;
        fail({key}, "not a template section" + hint + "; the sections are " + all);
    }
    for (const char* name : {"Resources", "Parameters", "Outputs", "Conditions", "Mappings", "Rules", "Metadata",
                             "Hooks", "Globals"}) {
        auto it = doc.find(name);
        if (it == doc.end() || it->is_object()) continue;
        fail({name}, "must be a mapping of names to entries, not " + kind_of(*it) +
                         (it->is_null() ? "; give its entries, or remove the key" : ""));
    }
    // AWS::LanguageExtensions: `Fn::ForEach::Name: [Identifier, Collection, {template}]` among
    // the resources (and outputs) stands for the entries it makes.
    auto for_each = [](const std::string& id) { return id.rfind("Fn::ForEach::", 0) == 0; };
    for (const char* name : {"Resources", "Parameters", "Outputs"}) {
        auto it = doc.find(name);
        if (it == doc.end()) continue;
        for (const auto& [id, entry] : it->items())
            if (!is_logical_id(id) && !(std::string_view(name) != "Parameters" && for_each(id)))
                fail({name, id}, "not a logical id: logical ids are 1 to 255 letters and digits");
    }
    if (auto it = doc.find("Resources"); it != doc.end()) {
        for (const auto& [id, r] : it->items()) {
            if (for_each(id)) continue;
            if (!r.is_object())
                fail({"Resources", id}, "a resource must be a mapping with Type and Properties, not " + kind_of(r));
            auto type = r.find("Type");
            if (type == r.end())
                fail({"Resources", id}, "the resource has no Type: give one, such as AWS::SNS::Topic");
            if (!type->is_string())
                fail({"Resources", id, "Type"}, "must be a resource type such as AWS::SNS::Topic, not " + kind_of(*type));
            if (!is_resource_type(type->get_ref<const std::string&>()))
                fail({"Resources", id, "Type"}, "'" + one_line(type->get_ref<const std::string&>(), 80) +
                                                    "' is not a resource type: types look like AWS::SNS::Topic or "
                                                    "Custom::Name (names of letters, digits, '_', '-' or '@' joined "
                                                    "by '::')");
            for (const char* attribute : {"Properties", "Metadata", "CreationPolicy", "UpdatePolicy"}) {
                auto a = r.find(attribute);
                if (a != r.end() && !a->is_object())
                    fail({"Resources", id, attribute}, std::string("must be a mapping, not ") + kind_of(*a));
            }
            if (auto d = r.find("DependsOn"); d != r.end()) {
                const bool strings = d->is_string() || (d->is_array() && std::all_of(d->begin(), d->end(), [](const json& e) {
                                                            return e.is_string();
                                                        }));
                if (!strings)
                    fail({"Resources", id, "DependsOn"}, "must be a logical id or a list of logical ids, not " +
                                                             kind_of(*d) + (d->is_array() ? " of other values" : ""));
            }
            if (auto c = r.find("Condition"); c != r.end() && !c->is_string())
                fail({"Resources", id, "Condition"}, "must be the name of a condition, not " + kind_of(*c));
        }
    }
    if (auto it = doc.find("Parameters"); it != doc.end()) {
        for (const auto& [name, p] : it->items()) {
            if (!p.is_object()) fail({"Parameters", name}, "a parameter must be a mapping with a Type, not " + kind_of(p));
            auto type = p.find("Type");
            if (type == p.end() || !type->is_string())
                fail({"Parameters", name}, "the parameter needs a Type (a string such as String or Number)");
        }
    }
    if (auto it = doc.find("Outputs"); it != doc.end()) {
        for (const auto& [name, o] : it->items()) {
            if (for_each(name)) continue;
            if (!o.is_object()) fail({"Outputs", name}, "an output must be a mapping with a Value, not " + kind_of(o));
            if (!o.contains("Value")) fail({"Outputs", name}, "the output has no Value: give one");
        }
    }
    for (const char* name : {"Mappings", "Rules"}) {
        auto it = doc.find(name);
        if (it == doc.end()) continue;
        for (const auto& [entry, v] : it->items())
            if (!v.is_object()) fail({name, entry}, "must be a mapping, not " + kind_of(v));
    }
}

/// The text without a UTF-8 byte order mark.
std::string_view without_bom(const std::string& input) {
    const std::string_view text(input);
    return text.substr(text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0);
}

} // namespace

TextPosition template_key_position(const std::string& input, const std::vector<std::string>& path) {
    const std::string_view text = without_bom(input);
    if (looks_like_json(text))
        if (const TextPosition p = json_key_locator(text)(path); p.known()) return p;
    try {
        KeyLocator locate;
        std::shared_ptr<YamlBuilder> builder;
        parse_yaml(text, "", locate, builder);
        return locate(path);
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace detail

nlohmann::json parse_template(const std::string& input, const std::string& origin) {
    using namespace detail;
    check_text(input, origin);
    // A UTF-8 byte order mark is allowed and skipped (columns of line 1 count from after it).
    const std::string_view text = without_bom(input);
    json doc;
    KeyLocator locate = [](const std::vector<std::string>&) { return TextPosition{}; };
    std::shared_ptr<YamlBuilder> builder; // keeps the YAML key positions alive for `locate`
    if (looks_like_json(text)) {
        if (const std::size_t deep = json_too_deep_at(text); deep != std::string_view::npos)
            throw_input(origin, position_at(text, deep), "",
                        "nested more than " + std::to_string(kMaxNestingDepth) +
                            " levels deep (no CloudFormation template is): is the file generated wrongly?");
        try {
            doc = json::parse(text);
            check_json_keys_unique(text, origin);
            locate = json_key_locator(text);
        } catch (const json::parse_error& e) {
            // A YAML flow mapping also starts with '{': read it as YAML. When that fails too, the
            // JSON error is the one to report, unless the file is named as YAML.
            try {
                doc = parse_yaml(text, origin, locate, builder);
            } catch (const InputError&) {
                if (ends_with(origin, ".yaml") || ends_with(origin, ".yml")) throw;
                throw_json_error(e, text, origin);
            }
        } catch (const json::exception& e) { // a number too large, and the like
            throw_json_error(e, text, origin);
        }
    } else {
        doc = parse_yaml(text, origin, locate, builder);
    }
    if (!doc.is_object())
        throw_input(origin, {1, 1}, "",
                    "not a CloudFormation template: the top level is " + kind_of(doc) +
                        ", not a mapping with a Resources section");
    check_structure(doc, origin, locate);
    return doc;
}

} // namespace leafsynth
