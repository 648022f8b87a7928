#include "leafsynth/graph.hpp"

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

} // namespace

std::string render_graph(App& app, GraphFormat format) {
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

} // namespace leafsynth
