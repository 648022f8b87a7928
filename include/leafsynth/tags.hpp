#pragma once
/// @file tags.hpp
/// Tags: `Tags::of(scope).add(key, value)` reaches every taggable resource below `scope`.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "leafsynth/value.hpp"

namespace leafsynth {

class Construct;

/// How a resource type writes its tags.
enum class TagType {
    Standard,         ///< List of `{Key, Value}` (most types).
    AutoScalingGroup, ///< List of `{Key, Value, PropagateAtLaunch}`.
    Map,              ///< Map of key to value (e.g. SSM parameters).
    /// `[{ResourceType: launch-template, Tags: [{Key, Value}]}]` (AWS::EC2::LaunchTemplate's
    /// `TagSpecifications`); the L2 LaunchTemplate gives the same tags to what it launches.
    LaunchTemplate,
    NotTaggable       ///< The type takes no tags.
};

/// Options of Tags::add / Tags::remove, as in CDK.
struct TagProps {
    int priority = -1;                               ///< Higher wins; -1 means the default (100 add, 200 remove).
    std::vector<std::string> include_resource_types; ///< Only these types (empty: all taggable types).
    std::vector<std::string> exclude_resource_types; ///< Never these types.
    bool apply_to_launched_instances = true;         ///< ASG `PropagateAtLaunch`.
};

/// The tags of one resource, merged by priority.
class TagManager {
public:
    /// A manager for a resource of this type writing tags in `format` under `property`.
    TagManager(TagType format, std::string property);
    /// Sets a tag when `priority` is at least that of the tag (or removal) already there.
    void set_tag(const std::string& key, const std::string& value, int priority, bool apply_to_launched_instances = true);
    /// Like set_tag, for a value that may be unresolved until deployment (e.g. `Aws::stack_name()`),
    /// as tags given in a resource's properties can be.
    void set_tag_value(const std::string& key, Value value, int priority, bool apply_to_launched_instances = true);
    /// Removes a tag when `priority` is at least that of the tag already there.
    void remove_tag(const std::string& key, int priority);
    /// True when there is at least one tag to render.
    bool has_tags() const;
    /// The tags, keys sorted as CDK sorts them, in this type's format.
    Value render() const;
    /// The tags as a list of `{Key, Value}`, keys sorted as in render(), whatever the format.
    List key_value_list() const;
    /// Calls `visit` with the value of every tag that render() writes, without building the
    /// rendered list (for walks that look only at values, such as finding references): in
    /// render()'s order when a value is not a plain string, else in no particular order.
    void visit_values(const std::function<void(const Value&)>& visit) const;
    /// The tags whose value is a plain string, as a key → value map (tags with an unresolved
    /// value, such as a `Ref`, are left out).
    std::map<std::string, std::string> tag_values() const;
    /// The property the tags go to (`Tags`, `HostedZoneTags`, ...).
    const std::string& property() const { return property_; }
    /// The format.
    TagType format() const { return format_; }

    /// The tag format and property name of a resource type, from the resource schemas' tagging
    /// section (src/cfn/schema.hpp); NotTaggable for types that take no tags or are unknown.
    static std::pair<TagType, std::string> format_of(const std::string& resource_type);

private:
    std::vector<std::string> sorted_keys() const;
    struct Entry {
        Value value;
        int priority;
        bool propagate;
        bool removed;
    };
    TagType format_;
    std::string property_;
    std::map<std::string, Entry> tags_;
};

/// Entry point for tagging a scope.
class Tags {
public:
    /// Tags for everything below `scope`.
    static Tags of(Construct& scope);
    /// Adds (or overrides, by priority) a tag on every taggable resource below the scope.
    void add(const std::string& key, const std::string& value, TagProps props = {});
    /// Removes a tag from every taggable resource below the scope.
    void remove(const std::string& key, TagProps props = {});

private:
    explicit Tags(Construct& scope) : scope_(scope) {}
    Construct& scope_;
};

} // namespace leafsynth
