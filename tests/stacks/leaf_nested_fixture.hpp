#pragma once
// Shared by the tests of the leaf's SecurityGroups, Container, Volumes and EcsAsg nested stacks: a
// real Base stack and a plain parent Stack standing in for the leaf stack, the sample configs with
// their `!ENV` variables set, and template helpers.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "leafsynth/aws/sns.hpp"
#include "leafsynth/containermanager/base_stack.hpp"
#include "leafsynth/containermanager/config.hpp"
#include "support.hpp"

namespace leaf_nested {

using namespace leafsynth;
using namespace leafsynth::containermanager;
using unit::json;

/// Creates a `T` whose constructor chooses its own id, owned by `scope`.
template <class T, class... Args>
T& adopt_new(Construct& scope, Args&&... args) {
    auto owned = std::make_unique<T>(scope, std::forward<Args>(args)...);
    T& result = *owned;
    scope.adopt(std::move(owned));
    return result;
}

/// The `!ENV` variables of the sample configs (MC_VERSION and the passwords stay unset: `UNDECLARED`,
/// as in the CDK reference).
inline EnvironmentLookup sample_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        static const std::map<std::string, std::string> env{
            {"DOMAIN_NAME", "example.com"}, {"HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"}, {"EMAIL", "ops@example.com"}};
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
}

/// A sample leaf config of tests/config/data/shared.
inline LeafConfig sample_leaf(const std::string& file = "minecraft.java.example.yaml", Maturity maturity = Maturity::Prod) {
    return load_leaf_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/" + file, maturity, sample_environment());
}

/// An App with the Base stack and a parent stack named like the leaf stack (same account and region
/// as the CDK reference), plus a leaf notify topic in the parent.
struct Fixture {
    App app;
    LeafConfig config;
    LeafNames names;
    BaseStack* base = nullptr;
    Stack* leaf = nullptr;
    aws::sns::Topic* leaf_topic = nullptr;

    explicit Fixture(LeafConfig leaf_config, int max_azs = 1, Maturity maturity = Maturity::Prod)
        : config(std::move(leaf_config)) {
        BaseConfig base_config = load_base_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/base-stack-config.yaml",
                                                  sample_environment());
        base_config.vpc.max_azs = max_azs;
        const std::string container_id = container_id_from_path(config.file);
        names = leaf_names(maturity, container_id, base_config.domain.name);
        StackContext context{maturity, "123456789012", "us-west-2", {}};
        base = &adopt_new<BaseStack>(app, base_config, context);
        leaf = &make<Stack>(app, names.leaf_stack, StackProps{names.leaf_stack, {}, {"123456789012", "us-west-2"}});
        leaf_topic = &make<aws::sns::Topic>(*leaf, "SnsNotifyTopic",
                                            aws::sns::TopicProps{names.leaf_stack + "-sns-notify-topic"});
    }
};

/// The nested template `<leaf stack>.<id>` of an assembly.
inline json nested_template(const Assembly& a, const Fixture& f, const std::string& id) {
    return unit::parse_json(a.file(f.names.leaf_stack + "." + id + ".nested.template.json"));
}

/// The CDK reference's template file (cdk-minecraft/<file>).
inline json reference_template(const std::string& file) {
    std::ifstream in(std::string(LEAFSYNTH_UNIT_REFERENCE_DIR) + "/" + file);
    REQUIRE(in.good());
    std::stringstream buffer;
    buffer << in.rdbuf();
    return unit::parse_json(buffer.str());
}

/// Logical id -> resource, for the resources of one type.
inline std::map<std::string, json> resources_of(const json& t, const std::string& type) {
    std::map<std::string, json> out;
    for (const auto& [id, r] : t["Resources"].items())
        if (r["Type"] == type) out[id] = r;
    return out;
}

/// The only resource of a type (fails the test when there are none or several).
inline json only_resource(const json& t, const std::string& type) {
    auto all = resources_of(t, type);
    REQUIRE(all.size() == 1);
    return all.begin()->second;
}

/// The resource types of a template, with their counts.
inline std::map<std::string, int> resource_types(const json& t) {
    std::map<std::string, int> out;
    for (const auto& [id, r] : t["Resources"].items()) ++out[r["Type"].get<std::string>()];
    return out;
}

/// A tag list (`[{Key, Value}]`) as key -> value.
inline std::map<std::string, json> tag_map(const json& tags) {
    std::map<std::string, json> out;
    for (const auto& tag : tags) out[tag["Key"].get<std::string>()] = tag["Value"];
    return out;
}

/// Follows a `{"Ref": <parameter>}` of a nested template up to the value the parent passes for it.
inline json parameter_source(const json& parent, const std::string& nested_id, const json& ref) {
    REQUIRE(ref.is_object());
    REQUIRE(ref.contains("Ref"));
    const json& params = parent["Resources"][nested_id + "NestedStack"]["Properties"]["Parameters"];
    REQUIRE(params.contains(ref["Ref"].get<std::string>()));
    return params[ref["Ref"].get<std::string>()];
}

/// `{"Fn::GetAtt": [<nested id>NestedStack, Outputs.<name>]}` -> that output's value in the nested template.
inline json output_value(const json& nested, const json& get_att) {
    REQUIRE(get_att.contains("Fn::GetAtt"));
    std::string attribute = get_att["Fn::GetAtt"][1].get<std::string>();
    REQUIRE(attribute.rfind("Outputs.", 0) == 0);
    std::string name = attribute.substr(8);
    REQUIRE(nested["Outputs"].contains(name));
    return nested["Outputs"][name]["Value"];
}

} // namespace leaf_nested
