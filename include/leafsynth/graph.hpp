#pragma once
/// @file graph.hpp
/// Drawing an app: stacks as boxes grouped by region, nested stacks inside their parents,
/// resources as nodes, and every reference between resources as an arrow from the resource that
/// uses the value to the one that provides it (so an event rule points at the function it invokes).

#include <string>

namespace leafsynth {

class App;

/// Diagram languages.
enum class GraphFormat {
    Mermaid, ///< A Mermaid flowchart.
    Dot      ///< Graphviz DOT.
};

/// The diagram of `app`'s construct tree (deterministic text).
std::string render_graph(App& app, GraphFormat format);

} // namespace leafsynth
