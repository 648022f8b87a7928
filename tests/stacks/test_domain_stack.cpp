// The Domain stack: query log group and its resource policy, the sub-domain zone with query logging,
// the NS delegation in the root zone and the placeholder A record; with the main region in us-east-1
// (plain exports) and elsewhere (SSM parameters).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/containermanager/domain_stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::containermanager;
using unit::json;

namespace {

BaseConfig domain_base_config(bool with_zone_id) {
    std::map<std::string, std::string> env{{"DOMAIN_NAME", "example.com"}, {"EMAIL", "ops@example.com"}};
    env["HOSTED_ZONE_ID"] = with_zone_id ? "Z0123456789ABCDEFGHIJ" : ""; // empty: the base stack creates the zone
    return load_base_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/base-stack-config.yaml",
                            [env](const std::string& name) -> std::optional<std::string> {
                                auto it = env.find(name);
                                if (it == env.end()) return std::nullopt;
                                return it->second;
                            });
}

std::map<std::string, json> typed(const json& t, const std::string& type) {
    std::map<std::string, json> out;
    for (const auto& [id, r] : t["Resources"].items())
        if (r["Type"] == type) out[id] = r;
    return out;
}

std::pair<std::string, json> single(const json& t, const std::string& type) {
    auto all = typed(t, type);
    REQUIRE(all.size() == 1);
    return *all.begin();
}

std::map<std::string, json> tag_map(const json& resource, const std::string& property) {
    std::map<std::string, json> out;
    for (const auto& tag : resource["Properties"][property]) out[tag["Key"].get<std::string>()] = tag["Value"];
    return out;
}

/// The record set of a type.
json record(const json& t, const std::string& type) {
    for (const auto& [id, r] : typed(t, "AWS::Route53::RecordSet"))
        if (r["Properties"]["Type"] == type) return r;
    FAIL("no " << type << " record");
    return {};
}

/// A stand-in for the leaf stack: uses the domain stack's handles from `region`.
class DomainConsumer : public Stack {
public:
    DomainConsumer(Construct& scope, const std::string& id, const std::string& region, const DomainStack& domain)
        : Stack(scope, id, StackProps{id, {}, {"123456789012", region}}) {
        make<CfnResource>(*this, "Zone", "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", domain.sub_hosted_zone_id()}});
        make<CfnResource>(*this, "LogName", "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", domain.query_log_group_name()}});
        make<CfnResource>(*this, "LogArn", "AWS::SSM::Parameter",
                          Map{{"Type", "String"}, {"Value", domain.query_log_group_arn()}});
    }
};

struct DomainApp {
    App app;
    BaseStack* base = nullptr;
    DomainStack* domain = nullptr;
    LeafNames names;

    DomainApp(const std::string& main_region, bool with_zone_id, Maturity maturity = Maturity::Prod) {
        StackContext context{maturity, "123456789012", main_region, {}};
        BaseConfig config = domain_base_config(with_zone_id);
        names = leaf_names(maturity, "minecraft.java.example", config.domain.name);
        base = &own<BaseStack>(app, config, context);
        domain = &own<DomainStack>(app, names, *base, context);
    }
};

} // namespace

TEST_CASE("domain stack: name, region, tags, query logs, sub zone and records", "[domain]") {
    DomainApp d("us-east-1", true);
    CHECK(d.domain->stack_name() == "ContainerManager-MinecraftJavaExample-DomainStack");
    CHECK(d.domain->environment().region == "us-east-1");
    CHECK(d.domain->environment().account == "123456789012");
    Assembly a = unit::synth_and_emit(d.app, "domain-stack-us-east-1");
    json t = unit::template_of(a, d.domain->artifact_id());
    CHECK(t["Description"] == "Route53 for 'minecraft.java.example', since it MUST be in us-east-1");

    // Query log group: name, 1 day, destroyed with the stack.
    auto [log_id, log] = single(t, "AWS::Logs::LogGroup");
    CHECK(log_id == "QueryLogGroup129F354A");
    CHECK(log["Properties"]["LogGroupName"] == "/aws/route53/ContainerManager-MinecraftJavaExample-DomainStack-query-logs");
    CHECK(log["Properties"]["RetentionInDays"] == 1);
    CHECK(log["DeletionPolicy"] == "Delete");
    CHECK(log["UpdateReplacePolicy"] == "Delete");

    // Its resource policy: Route 53 may create streams and put events into this log group only.
    auto [policy_id, policy] = single(t, "AWS::Logs::ResourcePolicy");
    // Named after the whole path (names are unique per account and region, and every leaf has one).
    CHECK(policy["Properties"]["PolicyName"] == "ContainerManagerMinecraftJavaExampleDomainStackQueryLogGroupPolicyB03965A3");
    const json& doc = policy["Properties"]["PolicyDocument"];
    REQUIRE(doc.contains("Fn::Join"));
    std::string text;
    for (const auto& piece : doc["Fn::Join"][1]) {
        if (piece.is_string()) text += piece.get<std::string>();
        else text += "<" + piece.dump() + ">";
    }
    CHECK_THAT(text, Catch::Contains(R"("Action":["logs:CreateLogStream","logs:PutLogEvents"])"));
    CHECK_THAT(text, Catch::Contains(R"("Principal":{"Service":"route53.amazonaws.com"})"));
    CHECK_THAT(text, Catch::Contains(R"("Resource":"<{"Fn::GetAtt":["QueryLogGroup129F354A","Arn"]}>")"));
    CHECK_THAT(text, Catch::Contains("hostedzone/*"));

    // The sub-domain zone with query logging, created after the policy.
    auto [zone_id, zone] = single(t, "AWS::Route53::HostedZone");
    CHECK(zone_id == "SubHostedZoneC275BC02");
    CHECK(zone["Properties"]["Name"] == "minecraft.java.example.example.com.");
    CHECK(zone["Properties"]["HostedZoneConfig"]["Comment"] ==
          "Hosted zone for ContainerManager-MinecraftJavaExample-DomainStack: minecraft.java.example.example.com");
    CHECK(zone["Properties"]["QueryLoggingConfig"]["CloudWatchLogsLogGroupArn"] ==
          json::parse(R"({"Fn::GetAtt": ["QueryLogGroup129F354A", "Arn"]})"));
    CHECK(zone["DependsOn"] == json::array({policy_id}));
    CHECK(zone["DeletionPolicy"] == "Delete");

    // Tags on everything taggable.
    for (const auto& [r, property] : {std::pair{log, std::string("Tags")}, std::pair{zone, std::string("HostedZoneTags")}}) {
        auto tags = tag_map(r, property);
        CHECK(tags["ApplicationId"] == "ContainerManager");
        CHECK(tags["ContainerId"] == "minecraft.java.example");
        CHECK(tags["StackId"] == "ContainerManager-MinecraftJavaExample");
    }

    // Delegation: NS in the configured root zone, to the sub zone's name servers.
    json ns = record(t, "NS");
    CHECK(ns["Properties"]["HostedZoneId"] == "Z0123456789ABCDEFGHIJ");
    CHECK(ns["Properties"]["Name"] == "minecraft.java.example.example.com.");
    CHECK(ns["Properties"]["ResourceRecords"] == json::parse(R"({"Fn::GetAtt": ["SubHostedZoneC275BC02", "NameServers"]})"));
    CHECK(ns["Properties"]["TTL"] == "1800");

    // Placeholder A record in the sub zone (its Ref orders it after the zone, so it is deleted first).
    json a_record = record(t, "A");
    CHECK(a_record["Properties"]["HostedZoneId"] == json{{"Ref", "SubHostedZoneC275BC02"}});
    CHECK(a_record["Properties"]["Name"] == "minecraft.java.example.example.com.");
    CHECK(a_record["Properties"]["ResourceRecords"] == json::array({"0.0.0.0"}));
    CHECK(a_record["Properties"]["TTL"] == "1");
    CHECK(typed(t, "AWS::Route53::RecordSet").size() == 2);

    // The domain stack deploys after the base stack when it uses it; here it only uses a string.
    REQUIRE(a.stacks.size() == 2);
}

TEST_CASE("domain stack: a root zone created by the base stack, main region us-east-1 (exports)", "[domain]") {
    DomainApp d("us-east-1", false);
    auto& leaf = make<DomainConsumer>(d.app, "LeafLike", "us-east-1", *d.domain);
    Assembly a = unit::synth_and_emit(d.app, "domain-stack-created-root-us-east-1");
    json t = unit::template_of(a, d.domain->artifact_id());
    json ns = record(t, "NS");
    CHECK(ns["Properties"]["HostedZoneId"] ==
          json::parse(R"({"Fn::ImportValue": "ContainerManager-BaseStack-RootHostedZoneId"})"));

    // Deployment order: base, then domain, then what uses the domain.
    REQUIRE(a.stacks.size() == 3);
    CHECK(a.stacks[0].name == "ContainerManager-BaseStack");
    CHECK(a.stacks[1].name == "ContainerManager-MinecraftJavaExample-DomainStack");
    CHECK(a.stacks[1].dependencies == std::vector<std::string>{"ContainerManager-BaseStack"});

    // Its handles, from the same region: imports of the domain stack's exports.
    json l = unit::template_of(a, leaf.artifact_id());
    CHECK(l["Resources"]["Zone"]["Properties"]["Value"].contains("Fn::ImportValue"));
    CHECK(l["Resources"]["LogName"]["Properties"]["Value"].contains("Fn::ImportValue"));
    CHECK(l["Resources"]["LogArn"]["Properties"]["Value"].contains("Fn::ImportValue"));
    CHECK(t["Outputs"].size() == 3);
}

TEST_CASE("domain stack: main region us-west-2 (SSM parameters both ways)", "[domain]") {
    DomainApp d("us-west-2", false, Maturity::Devel);
    auto& leaf = make<DomainConsumer>(d.app, "LeafLike", "us-west-2", *d.domain);
    CHECK(d.domain->stack_name() == "ContainerManager-devel-MinecraftJavaExample-DomainStack");
    CHECK(d.domain->environment().region == "us-east-1");
    Assembly a = unit::synth_and_emit(d.app, "domain-stack-us-west-2");
    json t = unit::template_of(a, d.domain->artifact_id());

    // The root zone id comes from the base stack in us-west-2 through SSM.
    CHECK_THAT(unit::ssm_parameter_of(t, record(t, "NS")["Properties"]["HostedZoneId"]), Catch::StartsWith("/leafsynth/ContainerManager-devel-MinecraftJavaExample-DomainStack/"
                                       "ContainerManager-devel-BaseStack/"));
    CHECK(single(t, "AWS::Logs::LogGroup").second["Properties"]["LogGroupName"] ==
          "/aws/route53/ContainerManager-devel-MinecraftJavaExample-DomainStack-query-logs");
    CHECK(tag_map(single(t, "AWS::Route53::HostedZone").second, "HostedZoneTags")["StackId"] ==
          "ContainerManager-devel-MinecraftJavaExample");

    // The leaf-like stack in us-west-2 reads the sub zone and log group through SSM, written here.
    json l = unit::template_of(a, leaf.artifact_id());
    for (const char* id : {"Zone", "LogName", "LogArn"}) {
        CHECK_THAT(unit::ssm_parameter_of(l, l["Resources"][id]["Properties"]["Value"]), Catch::StartsWith("/leafsynth/LeafLike/ContainerManager-devel-MinecraftJavaExample-DomainStack/"));
    }
    CHECK(typed(t, "Custom::LeafsynthCrossRegionParameters").size() == 1);
}
