#pragma once
/// @file graph.hpp
/// Drawing an app: stacks as boxes grouped by region, nested stacks inside their parents, and in
/// them either the app's parts (GraphDetail::Constructs: each construct at the top of a stack is
/// one node, with the roles, policies, log groups and permissions that serve only it; arrows follow
/// the flow of events and data, labelled with what flows: "matching log lines", "triggers", the IAM
/// actions a function may take on a resource) or every resource (GraphDetail::Resources: every
/// reference an arrow from the resource that uses the value to the one that provides it).

#include <string>

namespace leafsynth {

class App;

/// Diagram languages.
enum class GraphFormat {
    Mermaid, ///< A Mermaid flowchart.
    Dot      ///< Graphviz DOT.
};

/// How much a diagram shows.
enum class GraphDetail {
    Constructs, ///< The app's parts and the flows between them (the architecture).
    Resources   ///< Every resource and reference.
};

/// The diagram of `app`'s construct tree (deterministic text), after app.synth().
std::string render_graph(App& app, GraphFormat format, GraphDetail detail = GraphDetail::Constructs);

} // namespace leafsynth
