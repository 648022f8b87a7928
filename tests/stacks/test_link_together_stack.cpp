// The LinkTogether stack: start-system Lambda, its log group and least-privilege permissions, and the
// subscription filter on the Domain stack's query log group; with the real Leaf stack, main region
// us-east-1 (exports) and us-west-2 (SSM parameters), and with a stand-in leaf (LeafLink).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <vector>
#include <algorithm>
#include <string>

#include "leafsynth/asset.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/containermanager/link_together_stack.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/nested_stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::containermanager;
using unit::json;

namespace {

std::optional<std::string> sample_env(const std::string& name) {
    static const std::map<std::string, std::string> env{{"DOMAIN_NAME", "example.com"},
                                                        {"HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"},
                                                        {"EMAIL", "ops@example.com"},
                                                        {"MC_VERSION", "1.21"},
                                                        {"RCRON_PASSWORD", "secret"}};
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
}

BaseConfig base_config() {
    return load_base_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/base-stack-config.yaml", sample_env);
}

LeafConfig minecraft_config(Maturity maturity = Maturity::Prod) {
    return load_leaf_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/minecraft.java.example.yaml", maturity,
                            sample_env);
}

std::map<std::string, json> of_type(const json& t, const std::string& type) {
    std::map<std::string, json> out;
    for (const auto& [id, r] : t["Resources"].items())
        if (r["Type"] == type) out[id] = r;
    return out;
}

std::pair<std::string, json> one_of(const json& t, const std::string& type) {
    auto all = of_type(t, type);
    REQUIRE(all.size() == 1);
    return *all.begin();
}

std::map<std::string, json> tags(const json& resource) {
    std::map<std::string, json> out;
    for (const auto& tag : resource["Properties"]["Tags"]) out[tag["Key"].get<std::string>()] = tag["Value"];
    return out;
}

json ref_to(const std::string& id) { return json{{"Ref", id}}; }
json get_att(const std::string& id, const std::string& attribute) { return json{{"Fn::GetAtt", {id, attribute}}}; }


/// The statements of every IAM policy attached to a role, by policy logical id.
std::map<std::string, json> policies_of_role(const json& t, const std::string& role_id) {
    std::map<std::string, json> out;
    for (const auto& [id, p] : of_type(t, "AWS::IAM::Policy"))
        if (p["Properties"]["Roles"] == json::array({ref_to(role_id)})) out[id] = p["Properties"]["PolicyDocument"]["Statement"];
    return out;
}

/// A stand-in for the leaf stack: an `EcsAsg` nested stack whose "ASG name" is an SSM parameter's
/// name (a real resource Ref, so the link goes through the nested stack's outputs as the real one).
class FakeLeaf : public Stack {
public:
    FakeLeaf(Construct& scope, const LeafNames& names, const std::string& region)
        : Stack(scope, names.leaf_stack, StackProps{names.leaf_stack, {}, {"123456789012", region}}) {
        auto& nested = make<NestedStack>(*this, "EcsAsg");
        asg = &make<CfnResource>(nested, "Asg", "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", "asg"}});
    }
    CfnResource* asg = nullptr;
};

/// The stacks of one leaf with the real Leaf stack.
struct FullApp {
    App app;
    LeafNames names;
    LeafConfig config;
    BaseStack* base = nullptr;
    DomainStack* domain = nullptr;
    LeafStack* leaf = nullptr;
    LinkTogetherStack* link = nullptr;

    explicit FullApp(const std::string& main_region) : config(minecraft_config()) {
        StackContext context{Maturity::Prod, "123456789012", main_region, {}};
        BaseConfig b = base_config();
        names = leaf_names(Maturity::Prod, "minecraft.java.example", b.domain.name);
        base = &own<BaseStack>(app, b, context);
        domain = &own<DomainStack>(app, names, *base, context);
        leaf = &own<LeafStack>(app, names, config, *base, *domain, context);
        link = &own<LinkTogetherStack>(app, names, config, *domain, *leaf, context);
    }
};

/// What every LinkTogether template must hold, whatever the regions: returns the function's id.
std::string check_link_template(const json& t, const LeafNames& names, const std::string& leaf_region, int threshold) {
    CHECK(t["Description"] == "To avoid a circular dependency, and connect '" + names.leaf_stack + "' and '" +
                                  names.domain_stack + "' together.");

    // Log group: one week, destroyed with the stack.
    auto [log_id, log] = one_of(t, "AWS::Logs::LogGroup");
    CHECK(log["Properties"]["LogGroupName"] == "/aws/lambda/" + names.container_id + "-lambda-start-system");
    CHECK(log["Properties"]["RetentionInDays"] == 7);
    CHECK(log["DeletionPolicy"] == "Delete");

    // The function.
    auto [fn_id, fn] = one_of(t, "AWS::Lambda::Function");
    const json& p = fn["Properties"];
    CHECK(p["Runtime"] == "python3.12");
    CHECK(p["Handler"] == "main.lambda_handler");
    CHECK(p["Timeout"] == 30);
    CHECK(p["LoggingConfig"]["LogGroup"] == ref_to(log_id));
    const json& env = p["Environment"]["Variables"];
    CHECK(env.size() == 7);
    CHECK(env["MANAGER_STACK_REGION"] == leaf_region);
    CHECK(env["METRIC_NAMESPACE"] == names.leaf_stack);
    CHECK(env["METRIC_NAME"] == "DNSTraffic");
    CHECK(env["METRIC_THRESHOLD"] == std::to_string(threshold));
    CHECK(env["METRIC_UNIT"] == "Count");
    CHECK(env["METRIC_DIMENSIONS"] == "{\"ContainerNameID\": \"" + names.container_id + "\"}");
    CHECK(json::parse(env["METRIC_DIMENSIONS"].get<std::string>()) == json{{"ContainerNameID", names.container_id}});
    REQUIRE(env.contains("ASG_NAME"));

    // Role: only its two policies; each statement scoped.
    auto [role_id, role] = one_of(t, "AWS::IAM::Role");
    CHECK(p["Role"] == get_att(role_id, "Arn"));
    CHECK(role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] ==
          json{{"Service", "lambda.amazonaws.com"}});
    CHECK_FALSE(role["Properties"].contains("ManagedPolicyArns"));
    auto policies = policies_of_role(t, role_id);
    REQUIRE(policies.size() == 2);
    std::map<std::string, json> by_action;
    for (const auto& [id, statements] : policies)
        for (const auto& s : statements) {
            CHECK(s["Effect"] == "Allow");
            by_action[s["Action"].dump()] = s;
        }
    REQUIRE(by_action.size() == 3);
    const json metrics = by_action.at("\"cloudwatch:PutMetricData\"");
    CHECK(metrics["Resource"] == "*");
    CHECK(metrics["Condition"] == json{{"StringEquals", {{"cloudwatch:namespace", names.leaf_stack}}}});
    const json logs = by_action.at(R"(["logs:CreateLogStream","logs:PutLogEvents"])");
    CHECK(logs["Resource"] == get_att(log_id, "Arn"));
    const json scale = by_action.at("\"autoscaling:UpdateAutoScalingGroup\"");
    REQUIRE(scale["Resource"].contains("Fn::Sub"));
    const json& sub = scale["Resource"]["Fn::Sub"];
    CHECK_THAT(sub[0].get<std::string>(), Catch::StartsWith("arn:${AWS::Partition}:autoscaling:") &&
                                              Catch::EndsWith(":${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${AsgName}"));
    CHECK(sub[1]["AsgName"] == env["ASG_NAME"]); // exactly the leaf's group
    if (leaf_region == "us-east-1") {
        CHECK_THAT(sub[0].get<std::string>(), Catch::Contains(":autoscaling:${AWS::Region}:"));
    } else {
        CHECK_THAT(sub[0].get<std::string>(), Catch::Contains(":autoscaling:${AsgRegion}:"));
        CHECK(sub[1]["AsgRegion"] == leaf_region);
    }
    // The function runs only once both policies exist.
    std::set<std::string> depends;
    for (const auto& d : fn["DependsOn"]) depends.insert(d.get<std::string>());
    for (const auto& [id, statements] : policies) CHECK(depends.count(id) == 1);

    // Subscription filter and the permission for CloudWatch Logs to invoke the function.
    auto [filter_id, filter] = one_of(t, "AWS::Logs::SubscriptionFilter");
    CHECK(filter["Properties"]["FilterName"] == "TriggerLambdaOnConnect");
    CHECK(filter["Properties"]["FilterPattern"] == "\" " + names.sub_domain + " A \"");
    CHECK(filter["Properties"]["DestinationArn"] == get_att(fn_id, "Arn"));
    auto [permission_id, permission] = one_of(t, "AWS::Lambda::Permission");
    CHECK(permission["Properties"]["Principal"] == "logs.amazonaws.com");
    CHECK(permission["Properties"]["Action"] == "lambda:InvokeFunction");
    CHECK(permission["Properties"]["FunctionName"] == get_att(fn_id, "Arn"));
    CHECK(filter["DependsOn"] == json::array({permission_id}));
    // The Domain stack is in us-east-1 too: plain imports of its log group.
    CHECK(filter["Properties"]["LogGroupName"].contains("Fn::ImportValue"));
    CHECK(permission["Properties"]["SourceArn"].contains("Fn::ImportValue"));

    // Tags.
    for (const json& r : {log, role, fn}) {
        auto tg = tags(r);
        CHECK(tg["ApplicationId"] == names.app_id);
        CHECK(tg["ContainerId"] == names.container_id);
        CHECK(tg["StackId"] == names.stack_id);
    }
    return fn_id;
}

} // namespace

TEST_CASE("link-together stack with the leaf stack, main region us-west-2 (SSM parameters)", "[link]") {
    FullApp f("us-west-2");
    CHECK(f.link->stack_name() == "ContainerManager-MinecraftJavaExample-LinkTogetherStack");
    CHECK(f.link->environment().region == "us-east-1");
    Assembly a = unit::synth_and_emit(f.app, "link-together-us-west-2");
    json t = unit::template_of(a, f.link->artifact_id());
    const std::string fn_id = check_link_template(t, f.names, "us-west-2", 1850);

    // The ASG name comes from the leaf's EcsAsg nested stack in us-west-2, through SSM.
    const json asg = t["Resources"][fn_id]["Properties"]["Environment"]["Variables"]["ASG_NAME"];
    CHECK_THAT(unit::ssm_parameter_of(t, asg),
               Catch::StartsWith("/leafsynth/" + f.names.link_together_stack + "/" + f.names.leaf_stack + "/"));

    // Deployed last: after the leaf (and, through it, the domain).
    std::vector<StackSummary> top;
    for (const auto& s : a.stacks)
        if (s.parent.empty()) top.push_back(s);
    REQUIRE(top.size() == 4);
    CHECK(top.back().name == f.names.link_together_stack);
    const auto& deps = top.back().dependencies;
    CHECK(std::find(deps.begin(), deps.end(), f.names.leaf_stack) != deps.end());
    CHECK(std::find(deps.begin(), deps.end(), f.names.domain_stack) != deps.end());
}

TEST_CASE("link-together stack with the leaf stack, main region us-east-1 (exports)", "[link]") {
    FullApp f("us-east-1");
    Assembly a = unit::synth_and_emit(f.app, "link-together-us-east-1");
    json t = unit::template_of(a, f.link->artifact_id());
    const std::string fn_id = check_link_template(t, f.names, "us-east-1", 1850);
    const json asg = t["Resources"][fn_id]["Properties"]["Environment"]["Variables"]["ASG_NAME"];
    REQUIRE(asg.contains("Fn::ImportValue"));
    CHECK_THAT(asg["Fn::ImportValue"].get<std::string>(), Catch::StartsWith(f.names.leaf_stack + ":"));
    CHECK(t.value("Parameters", json::object()).empty());
}

TEST_CASE("link-together stack from a LeafLink: stand-in leaf, own Lambda folder, devel", "[link]") {
    App app;
    StackContext context{Maturity::Devel, "123456789012", "eu-central-1", unit::scratch_dir("link-lambda")};
    std::filesystem::create_directories(context.lambda_dir / "start_system");
    std::ofstream(context.lambda_dir / "start_system" / "main.py") << "def lambda_handler(event, context):\n    return None\n";
    BaseConfig b = base_config();
    LeafConfig config = minecraft_config(Maturity::Devel);
    config.watchdog.threshold = 42;
    const LeafNames names = leaf_names(Maturity::Devel, "valheim-server_2", b.domain.name);
    auto& base = own<BaseStack>(app, b, context);
    auto& domain = own<DomainStack>(app, names, base, context);
    auto& leaf = own<FakeLeaf>(app, names, "eu-central-1");
    auto& link = own<LinkTogetherStack>(app, names, config, domain,
                                        LeafLink{leaf.asg->ref(), leaf.stack_name(), "eu-central-1"}, context);
    CHECK(link.stack_name() == "ContainerManager-devel-ValheimServer-LinkTogetherStack");
    CHECK(&link.start_system().resource() != nullptr);

    Assembly a = unit::synth_and_emit(app, "link-together-stand-in");
    json t = unit::template_of(a, link.artifact_id());
    const std::string fn_id = check_link_template(t, names, "eu-central-1", 42);
    CHECK(t["Resources"][fn_id]["Properties"]["Description"] ==
          "ValheimServer-lambda-start-system: Spin up ASG when someone connects.");
    CHECK_THAT(unit::ssm_parameter_of(t, t["Resources"][fn_id]["Properties"]["Environment"]["Variables"]["ASG_NAME"]),
               Catch::StartsWith("/leafsynth/" + names.link_together_stack + "/" + names.leaf_stack + "/"));

    // The code comes from the configured folder: the function's key is that folder's zip.
    const std::string hash = sha256_hex(zip_directory(context.lambda_dir / "start_system"));
    const std::string key = t["Resources"][fn_id]["Properties"]["Code"]["S3Key"].dump();
    CHECK_THAT(key, Catch::Contains(hash));
    CHECK_THAT(key, !Catch::Contains(sha256_hex(zip_directory(default_lambda_dir() / "start_system"))));
}

TEST_CASE("link-together stack: the leaf must have a name and a region", "[link]") {
    App app;
    StackContext context{Maturity::Prod, "123456789012", "us-west-2", {}};
    BaseConfig b = base_config();
    const LeafNames names = leaf_names(Maturity::Prod, "minecraft.java.example", b.domain.name);
    auto& base = own<BaseStack>(app, b, context);
    auto& domain = own<DomainStack>(app, names, base, context);
    LeafConfig config = minecraft_config();
    CHECK_THROWS_AS(own<LinkTogetherStack>(app, names, config, domain, LeafLink{Value("asg"), names.leaf_stack, ""}, context),
                    InputError);
    CHECK_THROWS_AS(own<LinkTogetherStack>(app, names, config, domain, LeafLink{Value(), names.leaf_stack, "us-west-2"}, context),
                    InputError);
}
