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

/// A resource of any CloudFormation type, with its properties as a Map.
class CfnResource : public CfnElement {
public:
    /// Creates a resource of `type` (e.g. `AWS::SQS::Queue`) with the given properties.
    CfnResource(Construct& scope, std::string id, std::string type, Map properties = {});
    ~CfnResource() override;

    /// The resource type.
    const std::string& type() const { return type_; }
    /// The properties (without tags, which the tag manager renders).
    const Map& properties() const { return properties_; }
    /// Sets (or with a null value removes) a property; `path` may be dotted (`A.B.C`) to reach into maps.
    void set_property(const std::string& path, Value value);

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
    /// The check against the type's schema (unknown type or property, missing required property,
    /// wrong value type, unknown attribute): every finding is an error at synthesis. Subclasses
    /// that add checks call this one too.
    std::vector<std::string> validate() const override;

private:
    std::string type_;
    Map properties_;
    std::vector<const CfnResource*> depends_on_;
    std::optional<RemovalPolicy> removal_policy_;
    const CfnCondition* condition_ = nullptr;
    Map metadata_;
    std::unique_ptr<TagManager> tags_;
};

} // namespace leafsynth
