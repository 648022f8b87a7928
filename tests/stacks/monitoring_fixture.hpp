#pragma once
// A leaf stack as the Watchdog, AsgStateChangeHook and Dashboard nested stacks see it, built from
// stand-ins: a Base stack with its notify topic, the leaf stack with its own topic, a sub-domain
// zone, the query and container log groups, and an `EcsAsg` nested stack holding a real-looking
// (lint-clean) cluster, ASG, capacity provider, service and termination hook. The three stacks
// under test are then made exactly as LeafStack makes them. Also: helpers that follow a value of a
// nested template back through Parameters, Outputs and exports to where it comes from.

#include <map>
#include <memory>
#include <string>

#include "leafsynth/aws/logs.hpp"
#include "leafsynth/aws/sns.hpp"
#include "leafsynth/containermanager/asg_state_change_hook_stack.hpp"
#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/containermanager/dashboard_stack.hpp"
#include "leafsynth/containermanager/watchdog_stack.hpp"
#include "leafsynth/leafsynth.hpp"
#include "leafsynth/nested_stack.hpp"
#include "support.hpp"

namespace monitoring {

using unit::json;
namespace cm = leafsynth::containermanager;

/// The example leaf config (`minecraft.java.example.yaml`, prod, no environment variables set).
inline cm::LeafConfig example_config() {
    return cm::load_leaf_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/minecraft.java.example.yaml",
                                cm::Maturity::Prod, [](const std::string&) { return std::optional<std::string>{}; });
}

/// The example leaf's names (domain `example.com`).
inline cm::LeafNames example_names() { return cm::leaf_names(cm::Maturity::Prod, "minecraft.java.example", "example.com"); }

/// The stand-ins and the stacks under test.
struct Leaf {
    leafsynth::Stack* base = nullptr;               ///< `Base`: the shared notify topic.
    leafsynth::Stack* leaf = nullptr;               ///< The leaf stack (parent of the nested stacks).
    leafsynth::NestedStack* ecs_asg = nullptr;      ///< Stand-in EcsAsg.
    cm::EcsAsgHandles handles;                      ///< What EcsAsg hands out.
    cm::WatchdogStack* watchdog = nullptr;          ///< Under test.
    cm::AsgStateChangeHookStack* hook = nullptr;    ///< Under test.
    cm::DashboardStack* dashboard = nullptr;        ///< Under test (when requested).
};

/// Hands a construct made with `scope` as its scope over to `scope`, and returns it.
template <class T>
T& own(leafsynth::Construct& scope, std::unique_ptr<T> child) {
    T& result = *child;
    scope.adopt(std::move(child));
    return result;
}

/// Builds the leaf in `app`; the Dashboard only when `with_dashboard`.
inline Leaf build_leaf(leafsynth::App& app, const cm::LeafConfig& config, bool with_dashboard = true) {
    using namespace leafsynth;
    const cm::LeafNames names = example_names();
    cm::StackContext context;
    context.main_region = "us-west-2";
    Leaf out;
    out.base = &make<Stack>(app, "Base", StackProps{names.base_stack, {}, {{}, "us-west-2"}});
    auto& base_topic = make<aws::sns::Topic>(*out.base, "SnsNotifyTopic");
    out.leaf = &make<Stack>(app, names.leaf_stack, StackProps{names.leaf_stack, {}, {{}, "us-west-2"}});
    auto& leaf_topic = make<aws::sns::Topic>(*out.leaf, "SnsNotifyTopic");
    auto& zone = make<CfnResource>(*out.leaf, "SubHostedZone", "AWS::Route53::HostedZone", Map{{"Name", names.sub_domain}});
    auto& query_logs = make<aws::logs::LogGroup>(*out.leaf, "QueryLogGroup",
                                                 aws::logs::LogGroupProps{{}, 1, RemovalPolicy::Destroy});
    auto& container_logs = make<aws::logs::LogGroup>(*out.leaf, "ContainerLogGroup",
                                                     aws::logs::LogGroupProps{{}, 7, RemovalPolicy::Destroy});

    auto& ecs = make<NestedStack>(*out.leaf, "EcsAsg");
    out.ecs_asg = &ecs;
    auto& launch_template = make<CfnResource>(
        ecs, "LaunchTemplate", "AWS::EC2::LaunchTemplate",
        Map{{"LaunchTemplateData", Map{{"ImageId", "ami-0123456789abcdef0"}, {"InstanceType", config.ec2.instance_type}}}});
    auto& asg = make<CfnResource>(
        ecs, "Asg", "AWS::AutoScaling::AutoScalingGroup",
        Map{{"MinSize", "0"},
            {"MaxSize", "1"},
            {"AvailabilityZones", Fn::get_azs()},
            {"LaunchTemplate", Map{{"LaunchTemplateId", launch_template.ref()},
                                   {"Version", launch_template.get_att("LatestVersionNumber")}}}});
    auto& cluster = make<CfnResource>(ecs, "Cluster", "AWS::ECS::Cluster");
    auto& provider = make<CfnResource>(ecs, "CapacityProvider", "AWS::ECS::CapacityProvider",
                                       Map{{"AutoScalingGroupProvider", Map{{"AutoScalingGroupArn", asg.ref()}}}});
    auto& task = make<CfnResource>(
        ecs, "TaskDefinition", "AWS::ECS::TaskDefinition",
        Map{{"ContainerDefinitions", List{Map{{"Name", names.alpha}, {"Image", "nginx"}, {"Memory", 512}}}}});
    auto& service = make<CfnResource>(
        ecs, "Service", "AWS::ECS::Service",
        Map{{"Cluster", cluster.ref()}, {"TaskDefinition", task.ref()}, {"DesiredCount", 0}});
    auto& hook = make<CfnResource>(ecs, "TerminateHook", "AWS::AutoScaling::LifecycleHook",
                                   Map{{"AutoScalingGroupName", asg.ref()},
                                       {"HeartbeatTimeout", 300},
                                       {"LifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING"}});
    out.handles = cm::EcsAsgHandles{.cluster_name = cluster.ref(),
                                    .cluster_arn = cluster.get_att("Arn"),
                                    .asg_name = asg.ref(),
                                    .capacity_provider_name = provider.ref(),
                                    .service_name = service.get_att("Name"),
                                    .service_arn = service.ref(),
                                    .lifecycle_hook_name = hook.ref(),
                                    .lifecycle_heartbeat_seconds = 300};

    // These stacks have fixed construct ids, so they are made and handed to their parent as LeafStack does.
    out.watchdog = &own(*out.leaf, std::make_unique<cm::WatchdogStack>(*out.leaf, names, config, context, out.handles,
                                                                       base_topic.arn(), leaf_topic.arn()));
    out.hook = &own(*out.leaf, std::make_unique<cm::AsgStateChangeHookStack>(*out.leaf, names, config, context,
                                                                             out.handles, zone.ref(), base_topic.arn(),
                                                                             leaf_topic.arn()));
    if (with_dashboard) {
        cm::DashboardInputs inputs{out.handles, query_logs.name(), out.hook->function_name(),
                                   out.watchdog->alarm_arns(), container_logs.name()};
        out.dashboard = &own(*out.leaf, std::make_unique<cm::DashboardStack>(*out.leaf, names, config, inputs));
    }
    return out;
}

/// The templates of a synthesized leaf: the parent, each nested stack by construct id, the others by
/// artifact id.
struct Templates {
    std::map<std::string, json> by_name; ///< `Parent`, `Watchdog`, `EcsAsg`, ..., `Base`.
    /// A copy of one template by name (throws when absent). A copy, so looking up a missing key
    /// gives null instead of undefined behaviour.
    json operator[](const std::string& name) const { return by_name.at(name); }
};

/// Reads every template of an assembly of build_leaf().
inline Templates templates_of(const leafsynth::Assembly& a) {
    Templates t;
    const std::string leaf = example_names().leaf_stack;
    for (const auto& f : a.files) {
        const std::string& p = f.path;
        const std::string nested_suffix = ".nested.template.json";
        if (p.size() > nested_suffix.size() && p.compare(p.size() - nested_suffix.size(), nested_suffix.size(), nested_suffix) == 0) {
            std::string id = p.substr(leaf.size() + 1, p.size() - leaf.size() - 1 - nested_suffix.size());
            t.by_name[id] = unit::parse_json(f.contents);
        } else if (p == leaf + ".template.json") {
            t.by_name["Parent"] = unit::parse_json(f.contents);
        } else if (p.size() > 14 && p.compare(p.size() - 14, 14, ".template.json") == 0) {
            t.by_name[p.substr(0, p.size() - 14)] = unit::parse_json(f.contents);
        }
    }
    return t;
}

/// Where a value comes from: the template (name as in Templates) and the value there.
struct Origin {
    std::string stack; ///< e.g. `EcsAsg`, `Parent`, `Base`.
    json value;        ///< e.g. `{"Ref": "Asg"}`.
};

/// Follows `value`, found in nested template `nested`, back to its source: a `Ref` to a Parameter
/// becomes what the parent passes (itself followed through a sibling's Outputs or an export).
inline Origin origin(const Templates& t, const std::string& nested, const json& value) {
    json tpl = t[nested];
    if (!(value.is_object() && value.contains("Ref") && tpl.contains("Parameters") &&
          tpl["Parameters"].contains(value["Ref"].get<std::string>()))) {
        return {nested, value};
    }
    json parent = t["Parent"];
    json passed = parent["Resources"][nested + "NestedStack"]["Properties"]["Parameters"][value["Ref"].get<std::string>()];
    if (passed.is_object() && passed.contains("Fn::GetAtt")) {
        const std::string sibling_resource = passed["Fn::GetAtt"][0];
        const std::string output = passed["Fn::GetAtt"][1].get<std::string>().substr(std::string("Outputs.").size());
        const std::string sibling = sibling_resource.substr(0, sibling_resource.size() - std::string("NestedStack").size());
        return {sibling, t[sibling]["Outputs"][output]["Value"]};
    }
    if (passed.is_object() && passed.contains("Fn::ImportValue")) {
        for (const auto& [name, other] : t.by_name) {
            if (!other.contains("Outputs")) continue;
            for (const auto& [id, out] : other.at("Outputs").items()) {
                if (out.contains("Export") && out["Export"]["Name"] == passed["Fn::ImportValue"]) return {name, out["Value"]};
            }
        }
    }
    return {"Parent", passed};
}

/// True when `value` (in nested template `nested`) comes from `{"Ref": id}` or `{"Fn::GetAtt": [id, att]}`
/// of template `stack`.
inline bool comes_from(const Templates& t, const std::string& nested, const json& value, const std::string& stack,
                       const json& expected) {
    Origin o = origin(t, nested, value);
    return o.stack == stack && o.value == expected;
}

/// `{"Ref": id}`.
inline json ref(const std::string& id) { return json{{"Ref", id}}; }
/// `{"Fn::GetAtt": [id, attribute]}`.
inline json get_att(const std::string& id, const std::string& attribute) {
    return json{{"Fn::GetAtt", json::array({id, attribute})}};
}

/// The logical id of the only resource of `type` in a template whose id starts with `prefix`.
inline std::string resource_id(const json& tpl, const std::string& type, const std::string& prefix = {}) {
    std::string found;
    int count = 0;
    for (const auto& [id, r] : tpl["Resources"].items()) {
        if (r["Type"] == type && id.rfind(prefix, 0) == 0) {
            found = id;
            ++count;
        }
    }
    if (count != 1) throw std::runtime_error(std::to_string(count) + " resources of type " + type + " / " + prefix);
    return found;
}

/// Every statement of every IAM policy attached to role `role_id` in a template.
inline std::vector<json> role_statements(const json& tpl, const std::string& role_id) {
    std::vector<json> out;
    for (const auto& [id, r] : tpl["Resources"].items()) {
        if (r["Type"] != "AWS::IAM::Policy") continue;
        bool attached = false;
        for (const auto& role : r["Properties"]["Roles"]) attached = attached || role == ref(role_id);
        if (!attached) continue;
        for (const auto& s : r["Properties"]["PolicyDocument"]["Statement"]) out.push_back(s);
    }
    return out;
}

/// The actions of a statement, as a list.
inline std::vector<std::string> actions_of(const json& statement) {
    if (statement["Action"].is_string()) return {statement["Action"].get<std::string>()};
    return statement["Action"].get<std::vector<std::string>>();
}

/// The resources of a statement, as a list.
inline std::vector<json> resources_of(const json& statement) {
    if (statement["Resource"].is_array()) return statement["Resource"].get<std::vector<json>>();
    return {statement["Resource"]};
}

/// The resources every Allow statement grants `action` on.
inline std::vector<json> granted(const std::vector<json>& statements, const std::string& action) {
    std::vector<json> out;
    for (const auto& s : statements) {
        if (s["Effect"] != "Allow") continue;
        for (const auto& a : actions_of(s)) {
            if (a == action) {
                for (const auto& r : resources_of(s)) out.push_back(r);
            }
        }
    }
    return out;
}

} // namespace monitoring
