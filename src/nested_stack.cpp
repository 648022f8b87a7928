#include "leafsynth/nested_stack.hpp"

#include "detail/text.hpp"

#include <cctype>

#include "leafsynth/cfn_resource.hpp"

namespace leafsynth {

namespace {
StackProps nested_props(Construct& scope, const std::string& id, StackProps props) {
    Stack& parent = Stack::of(scope);
    if (props.stack_name.empty()) props.stack_name = parent.stack_name() + "-" + id;
    if (props.env.region.empty() && props.env.account.empty()) props.env = parent.environment();
    return props;
}

} // namespace

NestedStack::NestedStack(Construct& scope, std::string id, StackProps props)
    : Stack(scope, id, nested_props(scope, id, std::move(props))), parent_stack_(Stack::of(scope)) {
    mark_kind(ConstructKind::NestedStack);
    resource_ = &make<CfnResource>(scope, id + ".NestedStackResource", "AWS::CloudFormation::Stack");
    // Readable, stable logical id: the path below the parent stack, plus "NestedStack".
    std::string human;
    bool below = false;
    for (const Construct* c : scopes()) {
        if (below) human += detail::alphanumeric(c->id());
        if (c == &parent_stack_) below = true;
    }
    resource_->override_logical_id(human + "NestedStack");
}

} // namespace leafsynth

namespace leafsynth {

std::string NestedStack::artifact_id() const {
    const Stack* top = this;
    for (const Construct* c = parent(); c != nullptr; c = c->parent())
        if (auto* s = construct_cast<Stack>(c)) top = s;
    std::string rest;
    bool below = false;
    for (const Construct* c : scopes()) {
        if (below) rest += detail::alphanumeric(c->id());
        if (c == top) below = true;
    }
    return top->artifact_id() + "." + rest;
}

std::string NestedStack::template_file(bool yaml) const {
    return artifact_id() + (yaml ? ".nested.template.yaml" : ".nested.template.json");
}

std::vector<std::string> NestedStack::validate() const {
    std::vector<std::string> errors = Stack::validate();
    const Environment& mine = environment();
    const Environment& theirs = parent_stack_.environment();
    if (mine.region != theirs.region || mine.account != theirs.account)
        errors.push_back("a nested stack deploys with its parent '" + parent_stack_.stack_name() +
                         "'; remove its own account/region (StackProps::env)");
    return errors;
}

} // namespace leafsynth
