#include "detail/reference_linker.hpp"

#include "detail/text.hpp"

#include <cctype>
#include <mutex>

#include "detail/cross_region_writer.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth::detail {

namespace {

/// The nested stack directly under `ancestor` on the way down to `descendant`.
const NestedStack& child_toward(const Stack& ancestor, const Stack& descendant) {
    const Stack* s = &descendant;
    while (parent_stack(*s) != &ancestor) s = parent_stack(*s);
    return dynamic_cast<const NestedStack&>(*s);
}

/// A readable name for a reference: the target's stack path below `base` (when different), its
/// logical id and the attribute, alphanumeric; long names are shortened with a hash.
std::string reference_name(const CfnElement& target, const std::string& attribute, const Stack& base) {
    std::string stack_part;
    bool below = false;
    for (const Construct* c : target.stack().scopes()) {
        if (below) stack_part += alphanumeric(c->id());
        if (c == &base) below = true;
    }
    std::string name = stack_part + target.logical_id() + (attribute.empty() ? "Ref" : alphanumeric(attribute));
    if (name.size() > 200) name = name.substr(0, 192) + md5_hex(name).substr(0, 8);
    return name;
}

/// `base`, or `base2`, `base3`, ... when a construct already uses the id.
std::string free_id(const Construct& scope, const std::string& base) {
    std::string id = base;
    for (int n = 2; scope.find_child(id) != nullptr; ++n) id = base + std::to_string(n);
    return id;
}

} // namespace

const Stack* parent_stack(const Stack& stack) {
    if (auto* n = construct_cast<NestedStack>(&stack)) return &n->parent_stack();
    return nullptr;
}

bool stack_contains(const Stack& ancestor, const Stack& s) {
    for (const Stack* p = &s; p != nullptr; p = parent_stack(*p))
        if (p == &ancestor) return true;
    return false;
}

const Stack& root_stack(const Stack& stack) {
    const Stack* s = &stack;
    while (const Stack* p = parent_stack(*s)) s = p;
    return *s;
}

ReferenceLinker::ReferenceLinker() : writers_(std::make_unique<CrossRegionWriters>()) {}

ReferenceLinker::~ReferenceLinker() = default;

void ReferenceLinker::finish() { writers_->finish(); }

void ReferenceLinker::fail(const std::tuple<const CfnElement*, std::string, const Stack*>& key, std::string message) {
    failures_[key] = message;
    cache_[key] = Value("Invalid");
    if (errors_ && reported_.insert(message).second) errors_->push_back(std::move(message));
}

Value ReferenceLinker::link(const CfnElement& target, const std::string& attribute, const Stack& consumer,
                            const std::string& where) {
    std::lock_guard lock(mutex_);
    return link_locked(target, attribute, consumer, where);
}

Map ReferenceLinker::nested_parameter_values(const NestedStack& nested) const {
    std::lock_guard lock(mutex_);
    Map out;
    if (auto it = nested_params_.find(&nested); it != nested_params_.end())
        for (const auto& [param, value] : it->second) out[param->logical_id()] = value;
    return out;
}

Value ReferenceLinker::link_locked(const CfnElement& target, const std::string& attribute, const Stack& consumer_c,
                                   const std::string& where) {
    Stack& consumer = const_cast<Stack&>(consumer_c);
    const Stack& producer = target.stack();
    if (&producer == &consumer) {
        if (!attribute.empty()) return dynamic_cast<const CfnResource&>(target).get_att(attribute);
        if (auto* r = construct_cast<CfnResource>(&target)) return r->ref();
        return dynamic_cast<const CfnParameter&>(target).ref();
    }
    auto key = std::make_tuple(&target, attribute, &consumer_c);
    if (auto it = cache_.find(key); it != cache_.end()) {
        // A failed link is reported again in each synthesis, once.
        if (auto f = failures_.find(key); f != failures_.end() && errors_ && reported_.insert(f->second).second)
            errors_->push_back(f->second);
        return it->second;
    }

    Value result;
    if (stack_contains(consumer, producer)) {
        // Up: an Output of the nested stack below the consumer, read through Fn::GetAtt.
        const NestedStack& child = child_toward(consumer, producer);
        Value inner = link_locked(target, attribute, child, where);
        auto& scope = const_cast<NestedStack&>(child);
        auto& out = make<CfnOutput>(scope, free_id(scope, reference_name(target, attribute, child)),
                                    OutputProps{inner, {}, {}, nullptr});
        created_.push_back(&out);
        result = child.stack_resource().get_att("Outputs." + out.logical_id());
    } else if (const Stack* parent = parent_stack(consumer)) {
        // Down: a Parameter of the nested consumer, passed by its parent.
        Value outer = link_locked(target, attribute, *parent, where);
        auto& param = make<CfnParameter>(consumer, free_id(consumer, reference_name(target, attribute, root_stack(producer))),
                                         ParameterProps{});
        nested_params_[&dynamic_cast<const NestedStack&>(consumer)][&param] = outer;
        created_.push_back(&param);
        result = param.ref();
    } else {
        // Across: between top-level stacks.
        const Stack& from = root_stack(producer);
        Value value = link_locked(target, attribute, from, where);
        const Environment& pe = from.environment();
        const Environment& ce = consumer.environment();
        std::string what = where + " -> " + target.path() + (attribute.empty() ? "" : "." + attribute);
        if (pe.region.empty() || ce.region.empty()) {
            fail(key, where + ": references '" + target.path() + "' in stack '" + from.stack_name() +
                              "', but stack '" + (pe.region.empty() ? from : consumer).stack_name() +
                              "' has no region; give both stacks a region (StackProps::env)");
            return cache_[key];
        }
        if (!pe.account.empty() && !ce.account.empty() && pe.account != ce.account) {
            fail(key, where + ": references '" + target.path() + "' in account " + pe.account +
                              " from account " + ce.account + "; references between accounts are not supported");
            return cache_[key];
        }
        std::string name = reference_name(target, attribute, from);
        if (pe.region == ce.region) {
            std::string export_name = from.stack_name() + ":" + name;
            // An export the producer already declares for this very value is reused (so it can be
            // kept while no consumer uses it); otherwise one export per value, whatever the consumers.
            // Looked for once per value, not once per consumer.
            if (!exports_.count(std::make_pair(&target, attribute)))
                for (const CfnElement* e : from.elements()) {
                    auto* o = construct_cast<CfnOutput>(e);
                    if (o && !o->props().export_name.empty() && o->props().value == value) {
                        exports_.emplace(std::make_pair(&target, attribute), o->props().export_name);
                        break;
                    }
                }
            if (auto known = exports_.find(std::make_pair(&target, attribute)); known != exports_.end())
                export_name = known->second;
            else if (exports_.emplace(std::make_pair(&target, attribute), export_name).second) {
                auto& scope = const_cast<Stack&>(from);
                created_.push_back(
                    &make<CfnOutput>(scope, free_id(scope, "Export" + name), OutputProps{value, {}, export_name, nullptr}));
            }
            result = Fn::import_value(export_name);
        } else {
            std::string parameter = "/leafsynth/" + consumer.stack_name() + "/" + from.stack_name() + "/" + name;
            writers_->write(const_cast<Stack&>(from), consumer, parameter, value);
            // Read through an SSM-typed template parameter rather than a {{resolve:ssm:...}}
            // dynamic reference: CloudFormation resolves it on every create AND update of the
            // consumer, so a changed producer value arrives with the consumer's next deployment
            // even when its template is unchanged (a changed parameter value is a change).
            ParameterProps props;
            props.type = "AWS::SSM::Parameter::Value<String>";
            props.default_value = parameter;
            props.description = "Written by " + from.stack_name() + " (" + from.environment().region + ")";
            auto& param = make<CfnParameter>(
                consumer, free_id(consumer, "CrossRegion" + alphanumeric(from.stack_name()) + name), std::move(props));
            created_.push_back(&param);
            result = param.ref();
        }
        deps_[&consumer].emplace(&from, what);
    }
    cache_[key] = result;
    return result;
}

} // namespace leafsynth::detail
