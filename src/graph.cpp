#include "leafsynth/graph.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "detail/reference_linker.hpp"
#include "leafsynth/app.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/nested_stack.hpp"

namespace leafsynth {

namespace {

struct Edge {
    const CfnResource* from;
    const CfnResource* to;
    std::string label;
    bool operator<(const Edge& o) const {
        return std::tie(from, to, label) < std::tie(o.from, o.to, o.label);
    }
};

/// Resources the synthesizer adds on its own (cross-region writers) are not part of the drawing.
bool drawn(const CfnResource& r) {
    for (const Construct* c : r.scopes())
        if (c->id() == "LeafsynthCrossRegionWriter") return false;
    return true;
}

void collect_targets(const Value& v, std::vector<const CfnResource*>& out) {
    if (v.is_list())
        for (const auto& e : v.as_list()) collect_targets(e, out);
    else if (v.is_map())
        for (const auto& [k, e] : v.as_map()) collect_targets(e, out);
    else if (v.is_intrinsic()) {
        const Intrinsic& in = v.as_intrinsic();
        if (auto* r = construct_cast<CfnResource>(in.target)) out.push_back(r);
        for (const auto& a : in.args) collect_targets(a, out);
    }
}

std::string node_id(const Construct& c) {
    std::string out = "n_";
    for (char ch : c.path()) out.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
    return out;
}

/// A readable label: the path below its stack without a trailing `/Resource`, and the short type.
std::string node_label(const CfnResource& r) {
    std::string rel;
    bool below = false;
    for (const Construct* c : r.scopes()) {
        if (below) rel += (rel.empty() ? "" : "/") + c->id();
        if (c == &r.stack()) below = true;
    }
    const std::string suffix = "/Resource";
    if (rel.size() > suffix.size() && rel.compare(rel.size() - suffix.size(), suffix.size(), suffix) == 0)
        rel.resize(rel.size() - suffix.size());
    std::string type = r.type();
    if (type.rfind("AWS::", 0) == 0) type = type.substr(5);
    return rel + " (" + type + ")";
}

std::string escape(const std::string& s, GraphFormat f) {
    std::string out;
    for (char c : s) {
        if (c == '"') out += f == GraphFormat::Dot ? "\\\"" : "#quot;";
        else if (c == '\n') out += f == GraphFormat::Dot ? "\\n" : "<br/>";
        else out.push_back(c);
    }
    return out;
}

class Writer {
public:
    explicit Writer(GraphFormat f) : f_(f) {}
    std::string text;
    void open_group(const std::string& id, const std::string& label, int depth) {
        indent(depth);
        if (f_ == GraphFormat::Mermaid) text += "subgraph " + id + "[\"" + escape(label, f_) + "\"]\n";
        else text += "subgraph cluster_" + id + " {\n" + pad(depth + 1) + "label=\"" + escape(label, f_) + "\";\n";
    }
    void close_group(int depth) {
        indent(depth);
        text += f_ == GraphFormat::Mermaid ? "end\n" : "}\n";
    }
    void node(const std::string& id, const std::string& label, int depth) {
        indent(depth);
        if (f_ == GraphFormat::Mermaid) text += id + "[\"" + escape(label, f_) + "\"]\n";
        else text += id + " [label=\"" + escape(label, f_) + "\"];\n";
    }
    void edge(const std::string& a, const std::string& b, const std::string& label, bool cross) {
        indent(1);
        if (f_ == GraphFormat::Mermaid)
            text += a + (cross ? " -.->|" : " -->|") + escape(label, f_) + "| " + b + "\n";
        else
            text += a + " -> " + b + " [label=\"" + escape(label, f_) + "\"" + (cross ? ", style=dashed" : "") + "];\n";
    }

private:
    static std::string pad(int depth) { return std::string(static_cast<std::size_t>(depth) * 2, ' '); }
    void indent(int depth) { text += pad(depth); }
    GraphFormat f_;
};

void draw_stack(Writer& w, const Stack& stack, const std::vector<const Stack*>& all, int depth) {
    std::string title = stack.stack_name();
    if (auto* n = construct_cast<NestedStack>(&stack)) title = n->id() + " (nested)";
    w.open_group(node_id(stack), title, depth);
    for (const CfnElement* e : stack.elements()) {
        auto* r = construct_cast<CfnResource>(e);
        if (!r || !drawn(*r) || r->type() == "AWS::CloudFormation::Stack") continue;
        w.node(node_id(*r), node_label(*r), depth + 1);
    }
    for (const Stack* s : all)
        if (detail::parent_stack(*s) == &stack) draw_stack(w, *s, all, depth + 1);
    w.close_group(depth);
}

std::string resource_graph(App& app, GraphFormat format) {
    std::vector<const Stack*> stacks;
    for (Stack* s : app.stacks()) stacks.push_back(s);
    Writer w(format);
    w.text = format == GraphFormat::Mermaid ? "flowchart TD\n" : "digraph leafsynth {\n  rankdir=TB;\n  node [shape=box];\n";

    // Regions in first-seen order, top-level stacks inside them.
    std::vector<std::string> regions;
    for (const Stack* s : stacks) {
        if (detail::parent_stack(*s)) continue;
        std::string r = s->environment().region.empty() ? "any region" : s->environment().region;
        if (std::find(regions.begin(), regions.end(), r) == regions.end()) regions.push_back(r);
    }
    for (std::size_t i = 0; i < regions.size(); ++i) {
        std::string id = "region_" + std::to_string(i);
        w.open_group(id, regions[i], 1);
        for (const Stack* s : stacks) {
            if (detail::parent_stack(*s)) continue;
            std::string r = s->environment().region.empty() ? "any region" : s->environment().region;
            if (r == regions[i]) draw_stack(w, *s, stacks, 2);
        }
        w.close_group(1);
    }

    // Arrows: from the resource that uses a value to the one that provides it, labelled with the property.
    std::set<Edge> edges;
    for (const Stack* s : stacks) {
        for (const CfnElement* e : s->elements()) {
            auto* r = construct_cast<CfnResource>(e);
            if (!r || !drawn(*r) || r->type() == "AWS::CloudFormation::Stack") continue;
            for (const auto& [key, value] : r->properties()) {
                std::vector<const CfnResource*> targets;
                collect_targets(value, targets);
                for (const CfnResource* t : targets)
                    if (t != r && drawn(*t)) edges.insert({r, t, key});
            }
        }
    }
    // std::set orders by pointer; sort by node ids for deterministic text.
    std::vector<std::tuple<std::string, std::string, std::string, bool>> sorted;
    for (const auto& e : edges)
        sorted.emplace_back(node_id(*e.from), node_id(*e.to), e.label, &e.from->stack() != &e.to->stack());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (const auto& [a, b, label, cross] : sorted) w.edge(a, b, label, cross);
    if (format == GraphFormat::Dot) w.text += "}\n";
    return w.text;
}

// --- the architecture: parts and flows ---

/// Resources that serve one other part: merged into it when it is their only neighbour.
bool serves_others(std::string_view type) {
    static const std::set<std::string_view> types = {
        "AWS::IAM::Role",          "AWS::IAM::Policy",          "AWS::IAM::ManagedPolicy", "AWS::IAM::InstanceProfile",
        "AWS::Logs::LogGroup",     "AWS::Lambda::Permission",   "AWS::SNS::TopicPolicy",   "AWS::SNS::Subscription",
        "AWS::Logs::ResourcePolicy", "AWS::EC2::SecurityGroupIngress", "AWS::Route53::RecordSet",
        "AWS::ECS::ClusterCapacityProviderAssociations"};
    return types.count(type) != 0;
}

/// One node: a construct at the top of a stack and the resources below it.
struct Part {
    const Construct* root;
    const Stack* stack;
    std::vector<const CfnResource*> resources;
    const CfnResource* main = nullptr; ///< what it is (its `Resource`, or its first resource not serving others)
};

/// A flow between two parts, as drawn.
struct Flow {
    std::size_t from, to;
    std::string label;
    bool operator<(const Flow& o) const { return std::tie(from, to, label) < std::tie(o.from, o.to, o.label); }
};

/// "StartSystem" -> "Start System", "Efs-1" -> "Efs 1".
std::string humanized(std::string_view id) {
    std::string out;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (c == '-' || c == '_') {
            out += ' ';
            continue;
        }
        const bool upper = c >= 'A' && c <= 'Z';
        const auto lower_at = [&](std::size_t k) { return k < id.size() && id[k] >= 'a' && id[k] <= 'z'; };
        const bool after_lower = i > 0 && (lower_at(i - 1) || (id[i - 1] >= '0' && id[i - 1] <= '9'));
        const bool ends_acronym = i > 0 && id[i - 1] >= 'A' && id[i - 1] <= 'Z' && lower_at(i + 1); // "SGCustom"
        if (upper && (after_lower || ends_acronym) && !out.empty() && out.back() != ' ') out += ' ';
        out += c;
    }
    return out;
}

/// The IAM actions of a statement: "autoscaling:SetDesiredCapacity".
std::vector<std::string> actions_of(const Value& statement) {
    std::vector<std::string> out;
    if (!statement.is_map()) return out;
    auto it = statement.as_map().find("Action");
    if (it == statement.as_map().end()) return out;
    if (it->second.is_string()) out.push_back(it->second.as_string());
    else if (it->second.is_list())
        for (const auto& a : it->second.as_list())
            if (a.is_string()) out.push_back(a.as_string());
    return out;
}

/// What flows along a reference from a resource of `from_type` (in its property `key`) to one of
/// `to_type`: the label, whether the flow runs the other way (the provider feeds the user), and
/// whether the label says what flows (a known kind of reference) or only names the property.
struct FlowKind {
    std::string label;
    bool reverse = false;
    bool strong = true;
};

FlowKind flow_of(std::string_view from_type, std::string_view key, std::string_view to_type) {
    if (from_type == "AWS::Logs::SubscriptionFilter") {
        if (key == "LogGroupName") return {"matching log lines", true};
        if (key == "DestinationArn") return {"triggers"};
    }
    if (from_type == "AWS::Route53::HostedZone" && key == "QueryLoggingConfig") return {"DNS query log"};
    if (from_type == "AWS::Route53::RecordSet" && key == "HostedZoneId") return {"record in", false, false};
    if (from_type == "AWS::Events::Rule") {
        if (key == "Targets") return {to_type == "AWS::SNS::Topic" ? "alerts" : "triggers"};
        if (key == "EventPattern") return {"events", true};
    }
    if (from_type == "AWS::CloudWatch::Alarm") {
        if (key == "AlarmActions" || key == "OKActions" || key == "InsufficientDataActions")
            return {to_type == "AWS::SNS::Topic" ? "alerts" : "when in alarm"};
        if (key == "Dimensions" || key == "Metrics") return {"metrics", true};
    }
    if (from_type == "AWS::AutoScaling::ScalingPolicy" && key == "AutoScalingGroupName") return {"scales"};
    if (from_type == "AWS::AutoScaling::AutoScalingGroup" && key == "NotificationConfigurations") return {"alerts"};
    if (from_type == "AWS::ECS::Service" && key == "TaskDefinition") return {"runs"};
    if (from_type == "AWS::ECS::CapacityProvider" && key == "AutoScalingGroupProvider") return {"capacity", true};
    if (from_type == "AWS::ECS::TaskDefinition" && key == "Volumes") return {"mounts"};
    return {std::string(key), false, false};
}

/// Finds the part of each resource (the construct at the top of its stack), merges the parts
/// that only serve one other into it, and draws parts and flows.
class ArchitectureGraph {
public:
    ArchitectureGraph(const std::vector<const Stack*>& stacks) : stacks_(stacks) {
        for (const Stack* s : stacks) {
            for (const CfnElement* e : s->elements()) {
                auto* r = construct_cast<CfnResource>(e);
                if (!r || !drawn(*r) || r->type() == "AWS::CloudFormation::Stack") continue;
                const Construct* top = r;
                for (const Construct* c : r->scopes())
                    if (c->parent() == s) top = c;
                auto [it, inserted] = part_of_root_.emplace(top, parts_.size());
                if (inserted) parts_.push_back(Part{top, s, {}, nullptr});
                parts_[it->second].resources.push_back(r);
                part_of_[r] = it->second;
            }
        }
        for (Part& p : parts_) p.main = main_resource(p);
        union_.resize(parts_.size());
        for (std::size_t i = 0; i < union_.size(); ++i) union_[i] = i;
        references();
        merge_servants();
    }

    std::string render(GraphFormat format) {
        Writer w(format);
        w.text = format == GraphFormat::Mermaid ? "flowchart TD\n"
                                                : "digraph leafsynth {\n  rankdir=TB;\n  newrank=true;\n"
                                                  "  node [shape=box, style=rounded, fontsize=11];\n"
                                                  "  edge [fontsize=9];\n";
        std::vector<std::string> regions;
        for (const Stack* s : stacks_) {
            if (detail::parent_stack(*s)) continue;
            const std::string r = region_of(*s);
            if (std::find(regions.begin(), regions.end(), r) == regions.end()) regions.push_back(r);
        }
        bool clients = false;
        for (const auto& [from, to, label] : flows()) clients = clients || from == kClients;
        if (clients) w.node("clients", "Clients", 1);
        for (std::size_t i = 0; i < regions.size(); ++i) {
            w.open_group("region_" + std::to_string(i), regions[i], 1);
            for (const Stack* s : stacks_)
                if (!detail::parent_stack(*s) && region_of(*s) == regions[i]) draw(w, *s, 2);
            w.close_group(1);
        }
        for (const auto& [from, to, label] : flows())
            w.edge(from == kClients ? "clients" : node_id(*parts_[from].root), node_id(*parts_[to].root), label,
                   from != kClients && parts_[from].stack != parts_[to].stack);
        if (format == GraphFormat::Dot) w.text += "}\n";
        return w.text;
    }

private:
    static constexpr std::size_t kClients = static_cast<std::size_t>(-1);

    static std::string region_of(const Stack& s) {
        return s.environment().region.empty() ? "any region" : s.environment().region;
    }

    static const CfnResource* main_resource(const Part& p) {
        for (const CfnResource* r : p.resources)
            if (r == p.root || (r->id() == "Resource" && r->parent() == p.root)) return r;
        for (const CfnResource* r : p.resources)
            if (!serves_others(r->type())) return r;
        return p.resources.front();
    }

    std::size_t find(std::size_t i) {
        while (union_[i] != i) i = union_[i] = union_[union_[i]];
        return i;
    }

    /// Every reference between resources of different parts: (user part, provider part, user's
    /// type, property, provider's type, IAM actions when it is a policy statement's resource).
    struct Reference {
        std::size_t from, to;
        const CfnResource* user;
        std::string key;
        const CfnResource* provider;
        std::vector<std::string> actions;
        bool strong() const { return !actions.empty() || flow_of(user->type(), key, provider->type()).strong; }
    };

    void references() {
        for (std::size_t i = 0; i < parts_.size(); ++i)
            for (const CfnResource* r : parts_[i].resources)
                for (const auto& [key, value] : r->properties()) {
                    if (key == "PolicyDocument" && value.is_map()) {
                        if (auto st = value.as_map().find("Statement"); st != value.as_map().end() && st->second.is_list())
                            for (const Value& statement : st->second.as_list()) {
                                std::vector<const CfnResource*> targets;
                                if (statement.is_map())
                                    if (auto res = statement.as_map().find("Resource"); res != statement.as_map().end())
                                        collect_targets(res->second, targets);
                                for (const CfnResource* t : targets) add(i, r, "Statement", t, actions_of(statement));
                            }
                        continue;
                    }
                    std::vector<const CfnResource*> targets;
                    collect_targets(value, targets);
                    for (const CfnResource* t : targets) add(i, r, key, t, {});
                }
    }

    void add(std::size_t from, const CfnResource* user, const std::string& key, const CfnResource* provider,
             std::vector<std::string> actions) {
        auto it = part_of_.find(provider);
        if (it == part_of_.end() || it->second == from) return;
        refs_.push_back({from, it->second, user, key, provider, std::move(actions)});
    }

    /// A part whose main resource serves others (a role, a policy, a log group, a record ...) joins
    /// the one part of its stack it is connected to, when nothing flows through it (no reference
    /// of a known kind; what IAM statements allow on it does not count).
    void merge_servants() {
        for (bool changed = true; changed;) {
            changed = false;
            for (std::size_t i = 0; i < parts_.size(); ++i) {
                if (find(i) != i || !serves_others(parts_[i].main->type())) continue;
                std::set<std::size_t> neighbours;
                bool flows_through = false;
                for (const Reference& r : refs_) {
                    const std::size_t a = find(r.from), b = find(r.to);
                    if (a == b || (a != i && b != i)) continue;
                    if (!r.actions.empty()) continue; // what a policy allows is a flow, not ownership
                    if (r.strong()) flows_through = true;
                    const std::size_t other = a == i ? b : a;
                    if (parts_[other].stack == parts_[i].stack) neighbours.insert(other);
                }
                if (flows_through || neighbours.size() != 1) continue;
                union_[i] = *neighbours.begin();
                changed = true;
            }
        }
    }

    /// One arrow per pair of parts: the labels that say what flows, or, when none does, the
    /// properties that hold the reference (within a stack, and not when the opposite arrow says
    /// what flows).
    /// Dashboards, which show every part's metrics, get no arrows.
    std::vector<Flow> flows() {
        struct Labels {
            std::set<std::string> strong, weak;
        };
        std::map<std::pair<std::size_t, std::size_t>, Labels> pairs;
        for (const Reference& r : refs_) {
            const std::size_t a = find(r.from), b = find(r.to);
            if (a == b || r.user->type() == "AWS::CloudWatch::Dashboard") continue;
            if (!r.actions.empty()) {
                pairs[{a, b}].strong.insert(r.actions.size() == 1 ? r.actions.front()
                                                                  : r.actions.front() + " (+" +
                                                                        std::to_string(r.actions.size() - 1) + ")");
                continue;
            }
            const FlowKind kind = flow_of(r.user->type(), r.key, r.provider->type());
            // Between stacks only what flows: the shared VPC, subnets and key pair every part uses
            // would cross the whole drawing.
            if (!kind.strong && parts_[a].stack != parts_[b].stack) continue;
            if (kind.label == "DNS query log") pairs[{kClients, a}].strong.insert("DNS query");
            const auto pair = kind.reverse ? std::pair{b, a} : std::pair{a, b};
            (kind.strong ? pairs[pair].strong : pairs[pair].weak).insert(kind.label);
        }
        std::vector<Flow> out;
        for (const auto& [pair, labels] : pairs) {
            const auto opposite = pairs.find({pair.second, pair.first});
            const bool opposite_strong = opposite != pairs.end() && !opposite->second.strong.empty();
            const std::set<std::string>& chosen = labels.strong.empty() ? labels.weak : labels.strong;
            if (labels.strong.empty() && opposite_strong) continue;
            std::string label;
            for (const auto& l : chosen) label += (label.empty() ? "" : "; ") + l;
            out.push_back({pair.first, pair.second, label});
        }
        // Deterministic: by the parts' paths, not by where they are in memory.
        const auto key = [&](const Flow& f) {
            return std::tuple(f.from == kClients ? std::string() : parts_[f.from].root->path(),
                              parts_[f.to].root->path(), f.label);
        };
        std::sort(out.begin(), out.end(), [&](const Flow& x, const Flow& y) { return key(x) < key(y); });
        return out;
    }

    void draw(Writer& w, const Stack& stack, int depth) {
        std::string title = stack.stack_name();
        if (auto* n = construct_cast<NestedStack>(&stack)) title = n->id() + " (nested)";
        w.open_group(node_id(stack), title, depth);
        for (std::size_t i = 0; i < parts_.size(); ++i) {
            if (parts_[i].stack != &stack || find(i) != i) continue;
            std::string type = parts_[i].main->type();
            if (type.starts_with("AWS::")) type = type.substr(5);
            w.node(node_id(*parts_[i].root), humanized(parts_[i].root->id()) + "\n" + type, depth + 1);
        }
        for (const Stack* s : stacks_)
            if (detail::parent_stack(*s) == &stack) draw(w, *s, depth + 1);
        w.close_group(depth);
    }

    const std::vector<const Stack*>& stacks_;
    std::vector<Part> parts_;
    std::map<const Construct*, std::size_t> part_of_root_;
    std::map<const CfnResource*, std::size_t> part_of_;
    std::vector<std::size_t> union_;
    std::vector<Reference> refs_;
};

} // namespace

std::string render_graph(App& app, GraphFormat format, GraphDetail detail) {
    if (detail == GraphDetail::Resources) return resource_graph(app, format);
    std::vector<const Stack*> stacks;
    for (Stack* s : app.stacks()) stacks.push_back(s);
    return ArchitectureGraph(stacks).render(format);
}

} // namespace leafsynth
