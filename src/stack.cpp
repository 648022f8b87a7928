#include "leafsynth/stack.hpp"

#include <regex>

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth {

Stack::Stack(Construct& scope, std::string id, StackProps props)
    : Construct(scope, std::move(id)), stack_name_(props.stack_name.empty() ? this->id() : props.stack_name),
      description_(std::move(props.description)), env_(std::move(props.env)) {}

Stack& Stack::of(const Construct& construct) {
    for (const Construct* c = &construct; c != nullptr; c = c->parent()) {
        if (auto* s = dynamic_cast<const Stack*>(c)) return const_cast<Stack&>(*s);
    }
    throw ConstructError("'" + construct.path() + "' is not inside a Stack; create it under a Stack");
}

std::string Stack::artifact_id() const {
    // Top-level stacks use their id (as CDK does); nested paths would be flattened here.
    std::string out;
    for (char c : id())
        out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-');
    return out;
}

std::string Stack::template_file(bool yaml) const {
    return artifact_id() + (yaml ? ".template.yaml" : ".template.json");
}

std::string Stack::allocate_logical_id(const CfnElement& element) const {
    std::vector<std::string> components;
    bool below = false;
    for (const Construct* c : element.scopes()) {
        if (below) components.push_back(c->id());
        if (c == this) below = true;
    }
    return make_unique_id(components);
}

std::vector<CfnElement*> Stack::elements() const {
    std::vector<CfnElement*> out;
    std::vector<Construct*> todo(children().rbegin(), children().rend());
    while (!todo.empty()) {
        Construct* c = todo.back();
        todo.pop_back();
        if (dynamic_cast<Stack*>(c)) continue; // a nested stack has its own template
        if (auto* e = dynamic_cast<CfnElement*>(c)) out.push_back(e);
        for (auto it = c->children().rbegin(); it != c->children().rend(); ++it) todo.push_back(*it);
    }
    return out;
}

std::vector<std::string> Stack::validate() const {
    std::vector<std::string> errors;
    static const std::regex name_re("^[A-Za-z][A-Za-z0-9-]*$");
    if (stack_name_.size() > 128)
        errors.push_back("stack name '" + stack_name_ + "' is " + std::to_string(stack_name_.size()) +
                         " characters long; CloudFormation allows at most 128");
    if (!std::regex_match(stack_name_, name_re))
        errors.push_back("stack name '" + stack_name_ +
                         "' is invalid; it must start with a letter and contain only letters, digits and '-'");
    if (description_.size() > 1024)
        errors.push_back("the description is " + std::to_string(description_.size()) +
                         " bytes long; CloudFormation allows at most 1024");
    if (!env_.account.empty() && !std::regex_match(env_.account, std::regex("^[0-9]{12}$")))
        errors.push_back("account '" + env_.account + "' is not a 12-digit AWS account id");
    if (!env_.region.empty() && !std::regex_match(env_.region, std::regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")))
        errors.push_back("region '" + env_.region + "' is not a region name such as 'us-east-1'");
    return errors;
}

} // namespace leafsynth
