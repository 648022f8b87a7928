#include "leafsynth/tags.hpp"

#include <algorithm>
#include <cctype>

#include "cfn/schema.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"

namespace leafsynth {

namespace {

/// CDK sorts tags with JavaScript's localeCompare: case-insensitive first, lower case first on ties.
bool locale_less(const std::string& a, const std::string& b) {
    std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        int x = std::tolower(static_cast<unsigned char>(a[i]));
        int y = std::tolower(static_cast<unsigned char>(b[i]));
        if (x != y) return x < y;
    }
    if (a.size() != b.size()) return a.size() < b.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return std::islower(static_cast<unsigned char>(a[i])) != 0;
    }
    return false;
}

bool type_selected(const std::string& type, const TagProps& props) {
    auto in = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), type) != v.end(); };
    if (!props.include_resource_types.empty() && !in(props.include_resource_types)) return false;
    return !in(props.exclude_resource_types);
}

/// The aspect behind Tags::add / Tags::remove.
class TagAspect : public Aspect {
public:
    TagAspect(std::string key, std::string value, TagProps props, bool remove)
        : key_(std::move(key)), value_(std::move(value)), props_(std::move(props)), remove_(remove) {
        if (props_.priority < 0) props_.priority = remove_ ? 200 : 100;
    }
    void visit(Construct& node) override {
        auto* resource = construct_cast<CfnResource>(&node);
        if (!resource || !resource->tags() || !type_selected(resource->type(), props_)) return;
        if (remove_) resource->tags()->remove_tag(key_, props_.priority);
        else resource->tags()->set_tag(key_, value_, props_.priority, props_.apply_to_launched_instances);
    }

private:
    std::string key_, value_;
    TagProps props_;
    bool remove_;
};

} // namespace

TagManager::TagManager(TagType format, std::string property) : format_(format), property_(std::move(property)) {}

void TagManager::set_tag(const std::string& key, const std::string& value, int priority, bool propagate) {
    set_tag_value(key, Value(value), priority, propagate);
}

void TagManager::set_tag_value(const std::string& key, Value value, int priority, bool propagate) {
    auto it = tags_.find(key);
    if (it != tags_.end() && it->second.priority > priority) return;
    tags_[key] = Entry{std::move(value), priority, propagate, false};
}

void TagManager::remove_tag(const std::string& key, int priority) {
    auto it = tags_.find(key);
    if (it != tags_.end() && it->second.priority > priority) return;
    tags_[key] = Entry{{}, priority, true, true};
}

bool TagManager::has_tags() const {
    return std::any_of(tags_.begin(), tags_.end(), [](const auto& kv) { return !kv.second.removed; });
}

std::map<std::string, std::string> TagManager::tag_values() const {
    std::map<std::string, std::string> out;
    for (const auto& [k, e] : tags_)
        if (!e.removed && e.value.is_string()) out[k] = e.value.as_string();
    return out;
}

std::vector<std::string> TagManager::sorted_keys() const {
    std::vector<std::string> keys;
    for (const auto& [k, e] : tags_)
        if (!e.removed) keys.push_back(k);
    std::sort(keys.begin(), keys.end(), locale_less);
    return keys;
}

void TagManager::visit_values(const std::function<void(const Value&)>& visit) const {
    // Most tags are plain strings, which hold nothing to visit for: then no keys are sorted.
    bool plain = true;
    for (const auto& [k, e] : tags_) plain = plain && (e.removed || e.value.is_string());
    if (plain) {
        for (const auto& [k, e] : tags_)
            if (!e.removed) visit(e.value);
        return;
    }
    for (const auto& k : sorted_keys()) visit(tags_.at(k).value);
}

List TagManager::key_value_list() const {
    List list;
    for (const auto& k : sorted_keys()) list.push_back(Map{{"Key", k}, {"Value", tags_.at(k).value}});
    return list;
}

Value TagManager::render() const {
    switch (format_) {
    case TagType::Map: {
        Map m;
        for (const auto& k : sorted_keys()) m[k] = tags_.at(k).value;
        return m;
    }
    case TagType::AutoScalingGroup: {
        List list;
        for (const auto& k : sorted_keys()) {
            const Entry& e = tags_.at(k);
            list.push_back(Map{{"Key", k}, {"PropagateAtLaunch", e.propagate}, {"Value", e.value}});
        }
        return list;
    }
    case TagType::LaunchTemplate:
        return List{Map{{"ResourceType", "launch-template"}, {"Tags", key_value_list()}}};
    case TagType::Standard:
    case TagType::NotTaggable:
        break;
    }
    return key_value_list();
}

std::pair<TagType, std::string> TagManager::format_of(const std::string& resource_type) {
    // The schemas' tagging section says whether and how a type takes tags. The one exception is
    // the launch template, which the schemas leave out: its own tags go in `TagSpecifications`.
    if (resource_type == "AWS::EC2::LaunchTemplate") return {TagType::LaunchTemplate, "TagSpecifications"};
    const cfn::detail::ResourceSchema* schema = cfn::detail::find_schema(resource_type);
    if (!schema || schema->tag_property.empty()) return {TagType::NotTaggable, {}};
    const TagType format = schema->tag_variant == "map"   ? TagType::Map
                           : schema->tag_variant == "asg" ? TagType::AutoScalingGroup
                                                          : TagType::Standard;
    return {format, schema->tag_property};
}

Tags Tags::of(Construct& scope) { return Tags(scope); }

void Tags::add(const std::string& key, const std::string& value, TagProps props) {
    scope_.add_aspect(std::make_shared<TagAspect>(key, value, std::move(props), false));
}

void Tags::remove(const std::string& key, TagProps props) {
    scope_.add_aspect(std::make_shared<TagAspect>(key, std::string(), std::move(props), true));
}

} // namespace leafsynth
