#pragma once
/// @file cfn_resource.hpp
/// A CloudFormation resource (the L1 construct).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth {

class CfnCondition;
class TagManager;

/// What happens to a resource when it leaves the stack or is replaced.
enum class RemovalPolicy {
    Destroy,               ///< DeletionPolicy/UpdateReplacePolicy `Delete`.
    Retain,                ///< Both `Retain`.
    Snapshot,              ///< Both `Snapshot` (only for types that support it).
    RetainOnUpdateOrDelete ///< DeletionPolicy `RetainExceptOnCreate`, UpdateReplacePolicy `Retain`.
};

/// One entry of a resource's escape hatch (CfnResource::add_override and friends).
struct ResourceOverride {
    std::string path;                  ///< The path as given, from the top of the resource's entry (`Properties.Rules.0.Id`).
    std::vector<std::string> segments; ///< The path's segments, escapes removed (`a\.b` is the one segment `a.b`).
    Value value;                       ///< What is written there; null deletes what is there.
};

/// A resource of any CloudFormation type, with its properties as a Map.
///
/// Where its template entry comes from, lowest first:
/// 1. what the construct owning it renders from its own state (an L2 such as iam::Role writes its
///    policy document), once per synthesis in its prepare(), with render_properties();
/// 2. the properties given at creation and set with set_property(), merged over it map by map
///    (a key set here wins; a list or scalar replaces what was rendered);
/// 3. tags, DependsOn, Condition, DeletionPolicy/UpdateReplacePolicy and Metadata;
/// 4. the overrides (add_override(), add_property_override() and the deletions), applied in the
///    order they were added, last, to the entry as written: they win over everything.
///
/// Paths (set_property and the overrides): `.` separates segments, `\.` is a literal dot and `\\`
/// a backslash; a segment that is a non-negative integer addresses a list element where the value
/// is a list (`Rules.0.Id`), any other segment is a map key, and missing levels are created as maps.
class CfnResource : public CfnElement {
public:
    /// What construct_cast<CfnResource> looks for.
    static constexpr ConstructKind kind = ConstructKind::Resource;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = CfnResource;
    /// Creates a resource of `type` (e.g. `AWS::SQS::Queue`) with the given properties.
    CfnResource(Construct& scope, std::string id, std::string type, Map properties = {});
    ~CfnResource() override;

    /// The resource type.
    const std::string& type() const { return type_; }
    /// The properties (without tags, which the tag manager renders, and without the overrides):
    /// what the owning construct rendered, with the properties given at creation and set with
    /// set_property() on top. Before synthesis an L2 has rendered nothing yet.
    const Map& properties() const;
    /// Sets (or with a null value removes) a property or, with a path (`A.B.C`, `Rules.0.Id`), a
    /// value inside one (a null removes that key or list element). It wins over what the owning
    /// construct renders; a path through a list that construct renders (`ContainerDefinitions.0.Image`)
    /// reaches into that list's element once it is rendered. Throws ConstructError for a malformed
    /// path, an index past the end of a list or a key into a list.
    void set_property(const std::string& path, Value value);
    /// For the construct that owns this resource: the properties it renders from its own state,
    /// called once per synthesis from its prepare(); replaces what it rendered before. What was
    /// given at creation or with set_property() wins over it (see the class comment).
    void render_properties(Map rendered);

    /// Writes `value` at `path` in the resource's template entry, after everything else (as CDK's
    /// `addOverride`): `Properties.Rules.0.Id`, `DependsOn`, `Metadata.Key`, `DeletionPolicy`,
    /// `UpdatePolicy`, `Condition`, `Type`. A map is deep-merged into a map already there (a null
    /// in it deletes that key); anything else replaces; a null `value` deletes. `value` may hold
    /// references, resolved as any property's. Throws ConstructError for a malformed path; an
    /// index past the end of a list is reported at synthesis with the other problems.
    void add_override(const std::string& path, Value value);
    /// Deletes what is at `path` in the template entry (nothing happens when there is nothing), as CDK's `addDeletionOverride`.
    void add_deletion_override(const std::string& path);
    /// add_override() of `Properties.<path>` (CDK's `addPropertyOverride`).
    void add_property_override(const std::string& path, Value value);
    /// add_deletion_override() of `Properties.<path>` (CDK's `addPropertyDeletionOverride`).
    void add_property_deletion_override(const std::string& path);
    /// The overrides, in the order they are applied.
    const std::vector<ResourceOverride>& overrides() const { return overrides_; }

    /// `Ref` to this resource.
    Value ref() const;
    /// `Fn::GetAtt` of an attribute of this resource.
    Value get_att(std::string attribute) const;

    /// Adds an explicit `DependsOn` on another resource of the same stack.
    void add_depends_on(const CfnResource& other);
    /// The explicit `DependsOn` targets.
    const std::vector<const CfnResource*>& depends_on() const { return depends_on_; }

    /// Sets DeletionPolicy and UpdateReplacePolicy.
    void apply_removal_policy(RemovalPolicy policy);
    /// The removal policy, when one was applied.
    std::optional<RemovalPolicy> removal_policy() const { return removal_policy_; }

    /// Creates the resource only when `condition` holds.
    void set_condition(const CfnCondition& condition) { condition_ = &condition; }
    /// The condition, or nullptr.
    const CfnCondition* condition() const { return condition_; }

    /// Adds a Metadata entry (`aws:cdk:path` is always added by the synthesizer).
    void add_metadata(const std::string& key, Value value);
    /// The Metadata entries added by the user.
    const Map& metadata() const { return metadata_; }

    /// The tag manager, or nullptr when this resource type takes no tags.
    TagManager* tags() const { return tags_.get(); }

protected:
    /// The checks at synthesis: the resource against its type's schema (unknown type or property,
    /// missing required property, wrong value type, unknown attribute; properties set by an
    /// override are not checked) and set_property() paths into rendered lists that do not fit them
    /// (an index past the end). Subclasses that add checks call this one too.
    std::vector<std::string> validate() const override;

private:
    std::string type_;
    Map properties_; // given at creation and with set_property()
    Map rendered_;   // what the owning construct rendered
    mutable Map merged_;
    mutable std::vector<std::string> merge_problems_;
    mutable bool merged_current_ = false;
    std::vector<ResourceOverride> overrides_;
    std::vector<const CfnResource*> depends_on_;
    std::optional<RemovalPolicy> removal_policy_;
    const CfnCondition* condition_ = nullptr;
    Map metadata_;
    std::unique_ptr<TagManager> tags_;
};

} // namespace leafsynth
