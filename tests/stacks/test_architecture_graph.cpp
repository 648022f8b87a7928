// The ContainerManager app drawn at the level of its parts (render_graph, GraphDetail::Constructs):
// the nodes and flows of the original architecture diagram (../shared/seed/leaf_stack_README.md).

#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "leafsynth/app.hpp"
#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/containermanager/container_manager_app.hpp"
#include "leafsynth/graph.hpp"

using namespace leafsynth;
namespace cm = leafsynth::containermanager;

namespace {

const std::string kExamples = LEAFSYNTH_EXAMPLES_DIR;

std::string minecraft_graph(GraphFormat format, GraphDetail detail = GraphDetail::Constructs) {
    App app;
    cm::StackContext context;
    context.account = "123456789012";
    context.main_region = "us-west-2";
    cm::build_container_manager(app, cm::load_base_config(kExamples + "/base-stack-config.yaml"),
                                {{cm::load_leaf_config(kExamples + "/minecraft.yaml", cm::Maturity::Prod), "minecraft"}},
                                context);
    app.synth();
    return render_graph(app, format, detail);
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

/// The nodes of a DOT text (lines with a label that are not edges).
std::size_t nodes(const std::string& dot) {
    std::size_t n = 0, start = 0;
    while (start < dot.size()) {
        auto end = dot.find('\n', start);
        if (end == std::string::npos) end = dot.size();
        const std::string_view line(dot.data() + start, end - start);
        if (line.find(" [label=\"") != std::string_view::npos && line.find(" -> ") == std::string_view::npos &&
            !line.starts_with("  label") && line.find("label=\"") != 0)
            ++n;
        start = end + 1;
    }
    return n;
}

/// The node id of a construct path below ContainerManager-Minecraft-...: `n_` and the path's
/// letters and digits, other characters as `_`.
std::string n(const std::string& path) { return std::regex_replace("n_ContainerManager-" + path, std::regex("[^A-Za-z0-9]"), "_"); }

} // namespace

TEST_CASE("the architecture graph: the flows of the original diagram, labelled") {
    const std::string dot = minecraft_graph(GraphFormat::Dot);
    const auto flow = [&](const std::string& from, const std::string& to, const std::string& label, bool cross) {
        return "  " + from + " -> " + to + " [label=\"" + label + "\"" + (cross ? ", style=dashed" : "") + "];";
    };
    // DNS query -> query log -> subscription filter -> start-system Lambda -> ASG
    CHECK(has_line(dot, flow("clients", n("Minecraft-DomainStack/SubHostedZone"), "DNS query", false)));
    CHECK(has_line(dot, flow(n("Minecraft-DomainStack/SubHostedZone"), n("Minecraft-DomainStack/QueryLogGroup"),
                             "DNS query log", false)));
    CHECK(has_line(dot, flow(n("Minecraft-DomainStack/QueryLogGroup"), n("Minecraft-LinkTogetherStack/SubscriptionFilter"),
                             "matching log lines", true)));
    CHECK(has_line(dot, flow(n("Minecraft-LinkTogetherStack/SubscriptionFilter"),
                             n("Minecraft-LinkTogetherStack/StartSystem"), "triggers", false)));
    CHECK(has_line(dot, flow(n("Minecraft-LinkTogetherStack/StartSystem"), n("Minecraft-Stack/EcsAsg/Asg"),
                             "autoscaling:UpdateAutoScalingGroup", true)));
    // alarms -> scale-down -> ASG; the crash-loop breaker
    CHECK(has_line(dot, flow(n("Minecraft-Stack/Watchdog/AlarmContainerActivity"),
                             n("Minecraft-Stack/Watchdog/ScaleDownAsgAction"), "when in alarm", false)));
    CHECK(has_line(dot, flow(n("Minecraft-Stack/Watchdog/ScaleDownAsgAction"), n("Minecraft-Stack/EcsAsg/Asg"),
                             "scales", true)));
    CHECK(has_line(dot, flow(n("Minecraft-Stack/Watchdog/RuleBreakCrashLoop"), n("Minecraft-Stack/Watchdog/BreakCrashLoop"),
                             "triggers", false)));
    // ASG events -> state-change hook -> DNS record and service
    CHECK(has_line(dot, flow(n("Minecraft-Stack/EcsAsg/Asg"), n("Minecraft-Stack/AsgStateChangeHook/AsgStateChangeTrigger-Up"),
                             "events", true)));
    CHECK(has_line(dot, flow(n("Minecraft-Stack/AsgStateChangeHook/AsgStateChangeHook"),
                             n("Minecraft-DomainStack/SubHostedZone"), "route53:ChangeResourceRecordSets", true)));
    CHECK(has_line(dot, flow(n("Minecraft-Stack/EcsAsg/Ec2Service"), n("Minecraft-Stack/Container/TaskDefinition"), "runs",
                             true)));
    CHECK_THAT(dot, Catch::Contains("  " + n("Minecraft-Stack/Container/TaskDefinition") + " -> " +
                                    n("Minecraft-Stack/Volumes/Efs-1") + " [label=\"elasticfilesystem:ClientMount (+1); mounts\""));
}

TEST_CASE("the architecture graph: a function with its role, policies and log group is one node") {
    const std::string dot = minecraft_graph(GraphFormat::Dot);
    CHECK_THAT(dot, Catch::Contains(n("Minecraft-LinkTogetherStack/StartSystem") + " [label=\"Start System\\nLambda::Function\"];"));
    for (const char* servant : {"Minecraft-LinkTogetherStack/StartSystemRole", "Minecraft-LinkTogetherStack/StartSystemPolicy",
                                "Minecraft-LinkTogetherStack/LogGroupStartSystem", "Minecraft-DomainStack/NsRecord",
                                "Minecraft-DomainStack/DnsRecord", "BaseStack/sns-notify-subscription"})
        CHECK(dot.find(n(servant) + " [label=") == std::string::npos);
    // The query log group feeds a filter in another stack: a part of its own.
    CHECK_THAT(dot, Catch::Contains(n("Minecraft-DomainStack/QueryLogGroup") + " [label=\"Query Log Group\\nLogs::LogGroup\"];"));
    // Far fewer nodes than resources.
    const std::string resources = minecraft_graph(GraphFormat::Dot, GraphDetail::Resources);
    CHECK(nodes(dot) >= 25);
    CHECK(nodes(dot) * 2 < nodes(resources));
}

TEST_CASE("the architecture graph in Mermaid: the same parts and flows, deterministic") {
    const std::string mermaid = minecraft_graph(GraphFormat::Mermaid);
    CHECK_THAT(mermaid, Catch::StartsWith("flowchart TD\n"));
    CHECK(has_line(mermaid, "  clients[\"Clients\"]"));
    CHECK(has_line(mermaid, "  clients -->|DNS query| " + n("Minecraft-DomainStack/SubHostedZone")));
    CHECK(has_line(mermaid, "      " + n("Minecraft-LinkTogetherStack/StartSystem") + "[\"Start System<br/>Lambda::Function\"]"));
    CHECK(minecraft_graph(GraphFormat::Mermaid) == mermaid);
    CHECK(count(mermaid, "subgraph ") == count(mermaid, "\n    end\n") + count(mermaid, "\n  end\n") +
                                             count(mermaid, "\n      end\n") + count(mermaid, "\n        end\n"));
}
