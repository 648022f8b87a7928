#pragma once
/// @file events.hpp
/// EventBridge: rules matching an event pattern, with Lambda and SNS targets.

#include <string>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::aws::lambda {
class Function;
}
namespace leafsynth::aws::sns {
class Topic;
}

namespace leafsynth::aws::events {

/// Options of a Rule.
struct RuleProps {
    Value rule_name;          ///< Name (null: generated); at most 64 of `.`, `-`, `_`, letters, digits.
    std::string description;  ///< Description; empty: none.
    Map event_pattern;        ///< The event pattern (required), e.g. `{"source": ["aws.ecs"], ...}`.
    bool enabled = true;      ///< `State`: `ENABLED` or `DISABLED`.
};

/// The `Input` of a target that should receive a fixed text instead of the event: the text as a
/// JSON string literal (`"\"text\""`), as aws-cdk-lib's `RuleTargetInput.fromText` writes it. The
/// text may hold references; the result is then an `Fn::Join`.
Value input_from_text(const Value& text);

/// An EventBridge rule on the default event bus (`<id>/Resource`). Targets get ids `Target0`,
/// `Target1`, ... in the order they are added (at most 5), rendered once, in prepare().
class Rule : public Construct {
public:
    /// Creates the rule, without targets.
    Rule(Construct& scope, std::string id, RuleProps props);
    /// The `AWS::Events::Rule` resource.
    CfnResource& resource() const { return *resource_; }
    /// Its ARN.
    Value arn() const { return resource_->get_att("Arn"); }
    /// Its name (its Ref).
    Value rule_name() const { return resource_->ref(); }
    /// Adds a target by ARN, with an optional `Input` (null: the matched event is passed on).
    void add_target(Value target_arn, Value input = {});
    /// Adds a Lambda function as a target, and the permission for `events.amazonaws.com` to invoke it
    /// from this rule (`<id>/AllowEventRule<function's unique id>`, as aws-cdk-lib names it).
    CfnResource& add_lambda_target(lambda::Function& function, Value input = {});
    /// Adds an SNS topic (by ARN, so a topic of another stack works) as a target. The topic's policy
    /// must let `events.amazonaws.com` publish: see allow_events_to_publish().
    void add_sns_target(Value topic_arn, Value input = {});
    /// The targets so far, as written in the template.
    const List& targets() const { return targets_; }
    /// Renders `Targets`.
    void prepare() override;

protected:
    /// Checks the pattern is set, the name is valid and there are at most 5 targets.
    std::vector<std::string> validate() const override;

private:
    RuleProps props_;
    CfnResource* resource_;
    List targets_;
};

/// Lets EventBridge rules publish to `topic` (an `sns:Publish` statement for `events.amazonaws.com` in
/// its topic policy), as aws-cdk-lib's SnsTopic target does for a topic it owns. Call it where the
/// topic is made: a topic policy belongs to the topic's stack.
void allow_events_to_publish(sns::Topic& topic);

} // namespace leafsynth::aws::events
