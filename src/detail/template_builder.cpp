#include "detail/template_builder.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "leafsynth/app.hpp"
#include "leafsynth/cfn_condition.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/fn.hpp"
#include "detail/property_path.hpp"
#include "detail/reference_linker.hpp"
#include "detail/text.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::detail {

namespace {

const char* fn_name(Intrinsic::Kind kind) {
    switch (kind) {
    case Intrinsic::Kind::Ref: return "Ref";
    case Intrinsic::Kind::GetAtt: return "Fn::GetAtt";
    case Intrinsic::Kind::Sub: return "Fn::Sub";
    case Intrinsic::Kind::Join: return "Fn::Join";
    case Intrinsic::Kind::Select: return "Fn::Select";
    case Intrinsic::Kind::Split: return "Fn::Split";
    case Intrinsic::Kind::GetAZs: return "Fn::GetAZs";
    case Intrinsic::Kind::ImportValue: return "Fn::ImportValue";
    case Intrinsic::Kind::If: return "Fn::If";
    case Intrinsic::Kind::Base64: return "Fn::Base64";
    case Intrinsic::Kind::FindInMap: return "Fn::FindInMap";
    case Intrinsic::Kind::Cidr: return "Fn::Cidr";
    case Intrinsic::Kind::Equals: return "Fn::Equals";
    case Intrinsic::Kind::And: return "Fn::And";
    case Intrinsic::Kind::Or: return "Fn::Or";
    case Intrinsic::Kind::Not: return "Fn::Not";
    case Intrinsic::Kind::Condition: return "Condition";
    }
    return "?";
}

const char* removal_name(RemovalPolicy p, bool deletion) {
    switch (p) {
    case RemovalPolicy::Destroy: return "Delete";
    case RemovalPolicy::Retain: return "Retain";
    case RemovalPolicy::Snapshot: return "Snapshot";
    case RemovalPolicy::RetainOnUpdateOrDelete: return deletion ? "RetainExceptOnCreate" : "Retain";
    }
    return "Delete";
}

} // namespace

void collect_resources(const Construct& scope, std::vector<const CfnResource*>& out) {
    if (auto* r = construct_cast<CfnResource>(&scope)) out.push_back(r);
    for (const Construct* c : scope.children())
        if (!construct_cast<Stack>(c)) collect_resources(*c, out);
}

bool Resolver::foreign(const CfnElement& target, const std::string& where) {
    if (&target.root() != &consumer_.root()) {
        errors_.push_back(where + ": references '" + target.path() +
                          "', which belongs to another app; references only work within one app");
        return true;
    }
    return false;
}

std::string Resolver::element_id(const CfnElement& target, const std::string& where, const char* what) {
    if (foreign(target, where)) return "Invalid";
    if (&target.stack() != &consumer_) {
        errors_.push_back(where + ": " + what + " '" + target.path() + "' in stack '" +
                          target.stack().stack_name() + "' from stack '" + consumer_.stack_name() +
                          "'; only resources and parameters can be referenced across stacks");
        return "Invalid";
    }
    std::string id = target.logical_id();
    referenced_.insert(id);
    return id;
}

namespace {
/// A Ref or GetAtt of an element in a stack other than `consumer`: what the linker carries over.
bool crosses_stacks(const Intrinsic& in, const Stack& consumer) {
    return in.target && (in.kind == Intrinsic::Kind::Ref || in.kind == Intrinsic::Kind::GetAtt) &&
           &in.target->stack() != &consumer;
}

/// What can be referenced across stacks: a resource, or a parameter by Ref.
bool referable_across(const Intrinsic& in) {
    return construct_cast<CfnResource>(in.target) ||
           (in.kind == Intrinsic::Kind::Ref && construct_cast<CfnParameter>(in.target));
}
} // namespace

Json Resolver::resolve_intrinsic(const Intrinsic& in, const std::string& where) {
    const char* name = fn_name(in.kind);
    Json args = Json::array();
    for (const auto& a : in.args) args.push_back(resolve(a, where));
    // A reference to another stack's element becomes whatever carries it into this stack.
    if (crosses_stacks(in, consumer_)) {
        if (foreign(*in.target, where)) return Json{{name, "Invalid"}};
        const bool referable = referable_across(in);
        if (!linker_ || !referable) {
            errors_.push_back(where + ": references '" + in.target->path() + "' in stack '" +
                              in.target->stack().stack_name() + "' from stack '" + consumer_.stack_name() +
                              (referable ? "'; references between stacks need the app's synthesizer"
                                         : "'; only resources and parameters can be referenced across stacks"));
            return Json{{name, "Invalid"}};
        }
        return resolve(linker_->link(*in.target, in.name, consumer_, where), where);
    }
    switch (in.kind) {
    case Intrinsic::Kind::Ref: {
        if (!in.target) return Json{{name, in.name}};
        if (construct_cast<CfnOutput>(in.target) || construct_cast<CfnCondition>(in.target)) {
            errors_.push_back(where + ": Ref to '" + in.target->path() +
                              "', which is not a resource or parameter; only those can be referenced");
            return Json{{name, "Invalid"}};
        }
        return Json{{name, element_id(*in.target, where, "references")}};
    }
    case Intrinsic::Kind::GetAtt: {
        if (!construct_cast<CfnResource>(in.target)) {
            errors_.push_back(where + ": Fn::GetAtt needs a resource handle");
            return Json{{name, Json::array({"Invalid", in.name})}};
        }
        return Json{{name, Json::array({element_id(*in.target, where, "uses an attribute of"), in.name})}};
    }
    case Intrinsic::Kind::If: {
        Json full = Json::array({element_id(*in.condition, where, "uses condition")});
        for (auto& a : args) full.push_back(std::move(a));
        return Json{{name, std::move(full)}};
    }
    case Intrinsic::Kind::Condition:
        return Json{{name, element_id(*in.condition, where, "uses condition")}};
    case Intrinsic::Kind::Sub:
    case Intrinsic::Kind::GetAZs:
    case Intrinsic::Kind::ImportValue:
    case Intrinsic::Kind::Base64:
        if (args.size() == 1) return Json{{name, std::move(args[0])}};
        return Json{{name, std::move(args)}};
    case Intrinsic::Kind::Not:
        return Json{{name, std::move(args)}};
    default:
        return Json{{name, std::move(args)}};
    }
}

Json Resolver::resolve(const Value& value, const std::string& where) {
    return std::visit(
        [&](const auto& v) -> Json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
                return nullptr;
            } else if constexpr (std::is_same_v<T, List>) {
                Json arr = Json::array();
                for (const auto& e : v) arr.push_back(resolve(e, where));
                return arr;
            } else if constexpr (std::is_same_v<T, Map>) {
                return resolve(v, where);
            } else if constexpr (std::is_same_v<T, std::shared_ptr<const Intrinsic>>) {
                return resolve_intrinsic(*v, where);
            } else {
                return Json(v);
            }
        },
        value.storage());
}

Json Resolver::resolve(const Map& map, const std::string& where) { return resolve_members(map, nullptr, nullptr, where); }

Json Resolver::resolve_with(const Map& map, const std::string& key, const Value& value, const std::string& where) {
    return resolve_members(map, &key, &value, where);
}

Json Resolver::resolve_members(const Map& map, const std::string* key, const Value* value, const std::string& where) {
    Json obj = Json::object();
    auto put = [&](const std::string& k, const Value& v) {
        if (!v.is_null()) obj[k] = resolve(v, where); // an unset property is left out, as CDK does
    };
    bool placed = key == nullptr;
    for (const auto& [k, e] : map) {
        if (!placed && *key <= k) {
            put(*key, *value);
            placed = true;
            if (k == *key) continue;
        }
        put(k, e);
    }
    if (!placed) put(*key, *value);
    return obj;
}

void Resolver::discover(const Value& value, const CfnElement& element) {
    if (value.is_list()) {
        for (const Value& e : value.as_list()) discover(e, element);
    } else if (value.is_map()) {
        for (const auto& [k, e] : value.as_map()) discover(e, element);
    } else if (value.is_intrinsic()) {
        const Intrinsic& in = value.as_intrinsic();
        for (const Value& a : in.args) discover(a, element);
        // the cases in which resolve_intrinsic asks the linker
        if ((found_ || linker_) && crosses_stacks(in, consumer_) && &in.target->root() == &consumer_.root() &&
            referable_across(in)) {
            if (found_) found_->push_back({in.target, in.name, &element});
            else discover(linker_->link(*in.target, in.name, consumer_, element.path()), element);
        }
    }
}

namespace {
/// Every value `element` holds: a resource's tags too (a tag given in the properties may hold a
/// reference) and its overrides (a reference in one must reach this stack like any other).
void discover_element(Resolver& resolver, const CfnElement& element) {
    if (auto* r = construct_cast<CfnResource>(&element)) {
        for (const auto& [name, v] : r->properties()) resolver.discover(v, element);
        if (r->tags()) r->tags()->visit_values([&](const Value& v) { resolver.discover(v, element); });
        for (const ResourceOverride& o : r->overrides()) resolver.discover(o.value, element);
    } else if (auto* o = construct_cast<CfnOutput>(&element)) {
        resolver.discover(o->props().value, element);
    } else if (auto* p = construct_cast<CfnParameter>(&element)) {
        resolver.discover(p->props().default_value, element);
    } else if (auto* c = construct_cast<CfnCondition>(&element)) {
        resolver.discover(c->expression(), element);
    }
}
} // namespace

std::vector<FoundReference> collect_references(const Stack& stack) {
    std::vector<std::string> scratch; // problems are reported when the template is built
    std::vector<FoundReference> found;
    Resolver resolver(stack, scratch);
    resolver.collect_into(&found);
    for (const CfnElement* element : stack.elements()) discover_element(resolver, *element);
    return found;
}

void link_references(const Stack& stack, const std::vector<FoundReference>& found, ReferenceLinker& linker) {
    std::vector<std::string> scratch;
    Resolver resolver(stack, scratch, &linker);
    for (const FoundReference& f : found)
        resolver.discover(linker.link(*f.target, f.attribute, stack, f.element->path()), *f.element);
}

void discover_references(const std::vector<const CfnElement*>& elements, ReferenceLinker& linker) {
    std::vector<std::string> scratch;
    for (const CfnElement* element : elements) {
        Resolver resolver(element->stack(), scratch, &linker);
        discover_element(resolver, *element);
    }
}

namespace {
/// `^[A-Za-z][A-Za-z0-9]{0,254}$`.
bool valid_logical_id(const std::string& id) {
    return !id.empty() && is_letter(id.front()) && all_of_length(id, 1, 255, is_alnum);
}

/// `AWS::Service::Type` (three non-empty alphanumeric parts) or `Custom::Name` (1 to 60 of
/// letters, digits, `_`, `@`, `-`).
bool valid_resource_type(std::string_view type) {
    if (type.starts_with("Custom::"))
        return all_of_length(type.substr(8), 1, 60, [](char c) { return is_alnum(c) || c == '_' || c == '@' || c == '-'; });
    int parts = 0;
    while (true) {
        const std::size_t sep = type.find("::");
        const std::string_view part = type.substr(0, sep);
        if (!all_of_length(part, 1, part.size() + 1, is_alnum)) return false;
        ++parts;
        if (sep == std::string_view::npos) break;
        type.remove_prefix(sep + 2);
    }
    return parts == 3;
}
/// An override's value as template JSON, keeping the nulls in its maps (they delete keys when merged).
Json override_json(Resolver& resolver, const Value& value, const std::string& where) {
    if (!value.is_map()) return resolver.resolve(value, where);
    Json out = Json::object();
    for (const auto& [key, v] : value.as_map()) out[key] = v.is_null() ? Json(nullptr) : override_json(resolver, v, where);
    return out;
}

/// `source` (an object) deep-merged into `target`, as CDK's deepMerge: objects key by key, a null
/// deletes the key, anything else replaces; an object that the deletions in it leave empty goes.
void deep_merge(Json& target, const Json& source) {
    if (!target.is_object()) target = Json::object();
    for (const auto& [key, value] : source.items()) {
        if (value.is_null()) {
            target.erase(key);
        } else if (value.is_object()) {
            Json& into = target[key];
            deep_merge(into, value);
            if (into.empty() && !value.empty()) target.erase(key);
        } else {
            target[key] = value;
        }
    }
}

/// Applies one override to `entry`, a resource's template entry (a null `value` deletes). An index
/// past the end of a list, or a key into a list, is a problem in `errors`; deleting what is not
/// there does nothing.
void apply_override(Json& entry, const ResourceOverride& o, Json value, const std::string& where,
                    std::vector<std::string>& errors) {
    const std::vector<std::string>& segments = o.segments;
    const bool deletion = value.is_null();
    // The list index of segment `i` of a list `node`, or nothing (and, when writing, a problem).
    auto element = [&](const Json& node, std::size_t i) -> std::optional<std::size_t> {
        const auto index = list_index(segments[i]);
        if (index && *index < node.size()) return index;
        if (!deletion)
            errors.push_back(where + ": " +
                             (index ? index_past_end("add_override", o.path, segments, i, node.size())
                                    : not_an_index("add_override", o.path, segments, i, node.size())));
        return std::nullopt;
    };
    // The maps walked through since the last list, with the key taken: those a deletion empties go.
    std::vector<std::pair<Json*, std::string>> maps;
    Json* node = &entry;
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
        if (node->is_array()) {
            const auto index = element(*node, i);
            if (!index) return;
            node = &(*node)[*index];
            maps.clear();
            continue;
        }
        if (!node->is_object() || !node->contains(segments[i])) {
            if (deletion) return;
            if (!node->is_object()) *node = Json::object();
        }
        maps.emplace_back(node, segments[i]);
        node = &(*node)[segments[i]];
    }
    const std::size_t last = segments.size() - 1;
    if (node->is_array()) {
        const auto index = element(*node, last);
        if (!index) return;
        if (deletion) node->erase(*index);
        else if (value.is_object()) deep_merge((*node)[*index], value);
        else (*node)[*index] = std::move(value);
        return;
    }
    if (deletion && !node->is_object()) return;
    Json one = Json::object();
    one[segments[last]] = std::move(value);
    deep_merge(*node, one);
    if (!deletion) return;
    for (auto it = maps.rbegin(); it != maps.rend(); ++it) {
        auto& [parent, key] = *it;
        const Json& child = (*parent)[key];
        if (!child.is_object() || !child.empty()) break;
        parent->erase(key);
    }
}

} // namespace

Json build_template(const Stack& stack, std::vector<std::string>& errors, ReferenceLinker* linker,
                    const ExtraDependsOn& extra) {
    Resolver resolver(stack, errors, linker);
    Json parameters = Json::object(), conditions = Json::object(), resources = Json::object(),
         outputs = Json::object();
    std::map<std::string, std::string> id_owner; // logical id -> path, for clash detection

    for (const CfnElement* element : stack.elements()) {
        const std::string where = element->path();
        const std::string id = element->logical_id();
        if (!valid_logical_id(id))
            errors.push_back(where + ": logical id '" + id +
                             "' is invalid; it must start with a letter and hold only letters and digits (at most 255)");
        auto [it, fresh] = id_owner.emplace(id, where);
        if (!fresh)
            errors.push_back(where + ": logical id '" + id + "' is already used by '" + it->second +
                             "'; give one of them another id or override_logical_id()");

        if (auto* r = construct_cast<CfnResource>(element)) {
            if (!valid_resource_type(r->type()))
                errors.push_back(where + ": resource type '" + r->type() +
                                 "' is malformed; expected 'AWS::Service::Type' or 'Custom::Name'");
            Json entry = Json::object();
            entry["Type"] = r->type();
            resolver.clear_referenced();
            Json properties = r->tags() && r->tags()->has_tags()
                                  ? resolver.resolve_with(r->properties(), r->tags()->property(), r->tags()->render(), where)
                                  : resolver.resolve(r->properties(), where);
            if (!properties.empty()) entry["Properties"] = std::move(properties);

            // DependsOn: explicit ones plus construct-level dependencies of this resource and its
            // scopes, limited to this stack. A target already reached through Ref/GetAtt is left
            // out, since CloudFormation infers it (cfn-lint W3005).
            std::set<std::string> depends;
            auto add_dep = [&](const CfnResource& target) {
                if (&target == r || &target.stack() != &stack) return;
                depends.insert(target.logical_id());
            };
            for (const CfnResource* d : r->depends_on()) {
                if (&d->stack() != &stack)
                    errors.push_back(where + ": DependsOn '" + d->path() + "' is in another stack; use add_dependency() on the construct");
                else add_dep(*d);
            }
            if (auto it = extra.find(r); it != extra.end())
                for (const CfnResource* t : it->second) add_dep(*t);
            for (const Construct* scope : r->scopes()) {
                for (const Construct* dep : scope->dependencies()) {
                    std::vector<const CfnResource*> targets;
                    collect_resources(*dep, targets);
                    for (const CfnResource* t : targets) add_dep(*t);
                }
            }
            Json depends_on = Json::array();
            for (const auto& d : depends)
                if (!resolver.referenced().count(d)) depends_on.push_back(d);
            if (!depends_on.empty()) entry["DependsOn"] = std::move(depends_on);
            if (r->condition()) entry["Condition"] = resolver.resolve(Fn::condition(*r->condition()), where)["Condition"];
            if (auto p = r->removal_policy()) {
                entry["UpdateReplacePolicy"] = removal_name(*p, false);
                entry["DeletionPolicy"] = removal_name(*p, true);
            }
            Map metadata = r->metadata();
            metadata["aws:cdk:path"] = r->path();
            entry["Metadata"] = resolver.resolve(metadata, where);
            // The escape hatch, last: overrides win over everything above.
            for (const ResourceOverride& o : r->overrides())
                apply_override(entry, o, override_json(resolver, o.value, where), where, errors);
            resources[id] = std::move(entry);
        } else if (auto* o = construct_cast<CfnOutput>(element)) {
            const OutputProps& p = o->props();
            Json entry = Json::object();
            if (!p.description.empty()) entry["Description"] = p.description;
            entry["Value"] = resolver.resolve(p.value, where);
            if (!p.export_name.empty()) entry["Export"] = Json{{"Name", p.export_name}};
            if (p.condition) entry["Condition"] = resolver.resolve(Fn::condition(*p.condition), where)["Condition"];
            outputs[id] = std::move(entry);
        } else if (auto* prm = construct_cast<CfnParameter>(element)) {
            const ParameterProps& p = prm->props();
            Json entry = Json::object();
            entry["Type"] = p.type;
            if (!p.default_value.is_null()) entry["Default"] = resolver.resolve(p.default_value, where);
            if (!p.allowed_pattern.empty()) entry["AllowedPattern"] = p.allowed_pattern;
            if (!p.allowed_values.empty()) entry["AllowedValues"] = p.allowed_values;
            if (!p.constraint_description.empty()) entry["ConstraintDescription"] = p.constraint_description;
            if (!p.description.empty()) entry["Description"] = p.description;
            if (p.max_length) entry["MaxLength"] = *p.max_length;
            if (p.max_value) entry["MaxValue"] = *p.max_value;
            if (p.min_length) entry["MinLength"] = *p.min_length;
            if (p.min_value) entry["MinValue"] = *p.min_value;
            if (p.no_echo) entry["NoEcho"] = true;
            parameters[id] = std::move(entry);
        } else if (auto* c = construct_cast<CfnCondition>(element)) {
            conditions[id] = resolver.resolve(c->expression(), where);
        }
    }

    const std::string& name = stack.stack_name();
    if (resources.empty())
        errors.push_back(stack.path() + ": stack '" + name + "' has no resources; CloudFormation needs at least one");
    if (resources.size() > 500)
        errors.push_back(stack.path() + ": stack '" + name + "' has " + std::to_string(resources.size()) +
                         " resources; CloudFormation allows 500: move some into another stack or a nested stack");
    if (outputs.size() > 200)
        errors.push_back(stack.path() + ": stack '" + name + "' has " + std::to_string(outputs.size()) +
                         " outputs; CloudFormation allows 200");
    if (parameters.size() > 200)
        errors.push_back(stack.path() + ": stack '" + name + "' has " + std::to_string(parameters.size()) +
                         " parameters; CloudFormation allows 200");

    Json doc = Json::object();
    if (!stack.description().empty()) doc["Description"] = stack.description();
    if (!parameters.empty()) doc["Parameters"] = std::move(parameters);
    if (!conditions.empty()) doc["Conditions"] = std::move(conditions);
    doc["Resources"] = std::move(resources);
    if (!outputs.empty()) doc["Outputs"] = std::move(outputs);
    return doc;
}

} // namespace leafsynth::detail
