#include "leafsynth/aws/events.hpp"

#include "detail/text.hpp"

#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/aws/sns.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth::aws::events {

namespace {
constexpr std::size_t kMaxTargets = 5;

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::string part;
    for (char c : path) {
        if (c == '/') {
            out.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    out.push_back(part);
    return out;
}
} // namespace

Value input_from_text(const Value& text) { return Fn::to_json_string(text); }

Rule::Rule(Construct& scope, std::string id, RuleProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
    Map properties{{"EventPattern", props_.event_pattern}, {"State", props_.enabled ? "ENABLED" : "DISABLED"}};
    if (!props_.rule_name.is_null()) properties["Name"] = props_.rule_name;
    if (!props_.description.empty()) properties["Description"] = props_.description;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Events::Rule", std::move(properties));
}

void Rule::add_target(Value target_arn, Value input) {
    Map target{{"Arn", std::move(target_arn)}, {"Id", "Target" + std::to_string(targets_.size())}};
    if (!input.is_null()) target["Input"] = std::move(input);
    targets_.push_back(std::move(target));
}

void Rule::prepare() { resource_->render_properties(targets_.empty() ? Map{} : Map{{"Targets", targets_}}); }

CfnResource& Rule::add_lambda_target(lambda::Function& function, Value input) {
    add_target(function.arn(), std::move(input));
    // aws-cdk-lib names the permission after the function's unique id (its whole path).
    const std::string permission_id = "AllowEventRule" + make_unique_id(split_path(function.path()));
    return function.add_permission(*this, permission_id, "events.amazonaws.com", arn());
}

void Rule::add_sns_target(Value topic_arn, Value input) { add_target(std::move(topic_arn), std::move(input)); }

std::vector<std::string> Rule::validate() const {
    std::vector<std::string> problems;
    if (props_.event_pattern.empty()) problems.push_back("the rule has no event pattern: set RuleProps::event_pattern");
    if (props_.rule_name.is_string() &&
        !detail::all_of_length(props_.rule_name.as_string(), 1, 64,
                               [](char c) { return detail::is_alnum(c) || c == '.' || c == '-' || c == '_'; })) {
        problems.push_back("rule name " + quote_excerpt(props_.rule_name.as_string()) + " is not valid: use 1 to 64 letters, "
                           "digits, '.', '-' or '_' (it has " +
                           std::to_string(props_.rule_name.as_string().size()) + " characters)");
    }
    if (targets_.size() > kMaxTargets) {
        problems.push_back("the rule has " + std::to_string(targets_.size()) + " targets; EventBridge allows at most " +
                           std::to_string(kMaxTargets));
    }
    return problems;
}

void allow_events_to_publish(sns::Topic& topic) {
    iam::PolicyStatement statement;
    statement.actions = {"sns:Publish"};
    statement.principal = iam::service_principal("events.amazonaws.com");
    topic.add_to_resource_policy(statement);
}

} // namespace leafsynth::aws::events
