#pragma once
/// @file sns.hpp
/// SNS topics with a TLS-only topic policy and subscriptions.

#include <string>
#include <vector>

#include "leafsynth/aws/iam.hpp"

namespace leafsynth::aws::sns {

/// Options of a Topic.
struct TopicProps {
    std::string display_name;  ///< Display name.
    bool enforce_ssl = true;   ///< Deny publishing over plain HTTP (a topic policy statement).
};

/// An SNS topic (`<id>/Resource`) and, when needed, its topic policy (`<id>/Policy/Resource`),
/// whose document is rendered once, in prepare().
class Topic : public Construct {
public:
    /// Creates the topic.
    Topic(Construct& scope, std::string id, TopicProps props = {});
    /// The `AWS::SNS::Topic` resource.
    CfnResource& resource() const { return *resource_; }
    /// The topic ARN (its Ref).
    Value arn() const { return resource_->ref(); }
    /// Its name.
    Value topic_name() const { return resource_->get_att("TopicName"); }
    /// Adds a statement to the topic policy (Resource defaults to this topic).
    void add_to_resource_policy(iam::PolicyStatement statement);
    /// Subscribes an endpoint (`protocol` as SNS spells it: `email`, `https`, `sqs`, ...), as
    /// `<id>/Resource` under `scope` (default: this topic).
    CfnResource& add_subscription(const std::string& id, const std::string& protocol, Value endpoint,
                                  Construct* scope = nullptr);
    /// Renders the topic policy's `PolicyDocument`.
    void prepare() override;

private:
    CfnResource* resource_;
    CfnResource* policy_ = nullptr;
    std::vector<iam::PolicyStatement> statements_;
};

} // namespace leafsynth::aws::sns
