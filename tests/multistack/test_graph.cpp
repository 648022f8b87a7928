// The app diagram: regions, stacks, nested stacks, resources and reference arrows.
#include <catch2/catch.hpp>

#include "leafsynth/leafsynth.hpp"
#include "multi_region_app.hpp"
#include "support.hpp"

using namespace leafsynth;

TEST_CASE("the multi-region example as Mermaid and DOT") {
    App app;
    multi_region::build(app, "us-west-2", "123456789012");
    app.synth();
    std::string mermaid = render_graph(app, GraphFormat::Mermaid, GraphDetail::Resources);
    CHECK_THAT(mermaid, Catch::StartsWith("flowchart TD\n"));
    CHECK(unit::has_line(mermaid, "  subgraph region_0[\"us-west-2\"]"));
    CHECK(unit::has_line(mermaid, "  subgraph region_1[\"us-east-1\"]"));
    CHECK(unit::has_line(mermaid, "    subgraph n_Service[\"Service\"]"));
    CHECK(unit::has_line(mermaid, "      subgraph n_Service_Workers[\"Workers (nested)\"]"));
    CHECK(unit::has_line(mermaid, "        n_Service_Workers_Work[\"Work (SQS::Queue)\"]"));
    // Same-stack-family and cross-stack references are dashed across stacks.
    CHECK(unit::has_line(mermaid, "  n_Service_Workers_Work -.->|RedrivePolicy| n_Service_Jobs"));
    CHECK(unit::has_line(mermaid, "  n_Edge_AlertsTopicArn -.->|Value| n_Shared_Alerts"));
    // The synthesizer's own cross-region writers are not drawn.
    CHECK(mermaid.find("LeafsynthCrossRegionWriter") == std::string::npos);

    std::string dot = render_graph(app, GraphFormat::Dot, GraphDetail::Resources);
    CHECK_THAT(dot, Catch::StartsWith("digraph leafsynth {"));
    CHECK(unit::has_line(dot, "  n_Service_Workers_Work -> n_Service_Jobs [label=\"RedrivePolicy\", style=dashed];"));
    CHECK(render_graph(app, GraphFormat::Dot, GraphDetail::Resources) == dot); // deterministic
}
