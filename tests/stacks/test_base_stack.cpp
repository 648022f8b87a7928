// The Base stack: VPC, key pair, notify topic, root hosted zone, exports; how other stacks reference
// it in the same region (reused exports) and across regions (SSM parameters).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/containermanager/base_stack.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/tags.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::containermanager;
using unit::json;

namespace {

/// The sample base config (tests/config/data/shared) with its `!ENV` variables set.
BaseConfig sample_base_config(bool with_zone_id = true) {
    std::map<std::string, std::string> env{{"DOMAIN_NAME", "Example.COM"}, {"EMAIL", "ops@example.com"}};
    env["HOSTED_ZONE_ID"] = with_zone_id ? "Z0123456789ABCDEFGHIJ" : ""; // empty: the base stack creates the zone
    return load_base_config(std::string(LEAFSYNTH_TEST_CONFIG_DIR) + "/base-stack-config.yaml",
                            [env](const std::string& name) -> std::optional<std::string> {
                                auto it = env.find(name);
                                if (it == env.end()) return std::nullopt;
                                return it->second;
                            });
}

StackContext context_in(const std::string& region, Maturity maturity = Maturity::Prod) {
    return StackContext{maturity, "123456789012", region, {}};
}

/// Logical id -> resource of one type.
std::map<std::string, json> resources_of(const json& t, const std::string& type) {
    std::map<std::string, json> out;
    for (const auto& [id, r] : t["Resources"].items())
        if (r["Type"] == type) out[id] = r;
    return out;
}

json only_resource(const json& t, const std::string& type) {
    auto all = resources_of(t, type);
    REQUIRE(all.size() == 1);
    return all.begin()->second;
}

/// The tags of a resource as key -> value (Tags or another tag property).
std::map<std::string, json> tags_of(const json& resource, const std::string& property = "Tags") {
    std::map<std::string, json> out;
    if (!resource["Properties"].contains(property)) return out;
    for (const auto& tag : resource["Properties"][property]) out[tag["Key"].get<std::string>()] = tag["Value"];
    return out;
}

/// The export name -> output value of a template.
std::map<std::string, json> exports_of(const json& t) {
    std::map<std::string, json> out;
    if (!t.contains("Outputs")) return out;
    for (const auto& [id, o] : t["Outputs"].items())
        if (o.contains("Export")) out[o["Export"]["Name"].get<std::string>()] = o["Value"];
    return out;
}

json ref_to(const std::string& logical_id) { return json{{"Ref", logical_id}}; }

/// A stack that uses the base stack's handles, as the leaf and domain stacks do.
class ConsumerStack : public Stack {
public:
    ConsumerStack(Construct& scope, const std::string& id, const std::string& region, const BaseStack& base)
        : Stack(scope, id, StackProps{id, {}, {"123456789012", region}}) {
        Map properties{{"VpcId", base.vpc_id()},
                       {"Key", base.key_pair_name()},
                       {"Topic", base.notify_topic().arn()},
                       {"Zone", base.root_hosted_zone_id()}};
        List subnets;
        for (const Value& s : base.public_subnet_ids()) subnets.push_back(s);
        properties["Subnets"] = subnets;
        // One SSM parameter per value: a real resource that takes any string, so the template lints.
        for (const auto& [name, value] : properties) {
            Value v = value.is_list() ? Fn::join(",", value.as_list()) : value;
            make<CfnResource>(*this, "Uses" + name, "AWS::SSM::Parameter", Map{{"Type", "String"}, {"Value", v}});
        }
    }
};

} // namespace

TEST_CASE("base stack: name, region, tags and the VPC with one public subnet", "[base]") {
    App app;
    auto& base = own<BaseStack>(app, sample_base_config(), context_in("us-west-2"));
    CHECK(base.stack_name() == "ContainerManager-BaseStack");
    CHECK(base.environment().region == "us-west-2");
    CHECK(base.config().domain.name == "example.com");

    Assembly a = unit::synth_and_emit(app, "base-stack-us-west-2");
    json t = unit::template_of(a, base.artifact_id());
    REQUIRE(a.stacks.size() == 1);
    CHECK(a.stacks[0].name == "ContainerManager-BaseStack");
    CHECK(a.stacks[0].region == "us-west-2");

    // ApplicationId on every taggable resource.
    int tagged = 0;
    for (const auto& [id, r] : t["Resources"].items()) {
        const std::string type = r["Type"];
        auto [format, tag_property] = TagManager::format_of(type);
        if (format == TagType::NotTaggable) continue;
        INFO(id);
        CHECK(tags_of(r, tag_property)["ApplicationId"] == "ContainerManager");
        ++tagged;
    }
    CHECK(tagged >= 8); // VPC, subnet, route table, IGW, key pair, topic, role, function

    json vpc = only_resource(t, "AWS::EC2::VPC");
    CHECK(vpc["Properties"]["CidrBlock"] == "10.0.0.0/16");
    CHECK(vpc["Properties"]["EnableDnsHostnames"] == true);
    CHECK(vpc["Properties"]["EnableDnsSupport"] == true);
    CHECK(tags_of(vpc)["Name"] == "ContainerManager-BaseStack/Vpc");
    REQUIRE(t["Resources"].contains("Vpc8378EB38")); // the logical id CDK gives it

    auto subnets = resources_of(t, "AWS::EC2::Subnet");
    REQUIRE(subnets.size() == 1);
    const json subnet = subnets.begin()->second;
    CHECK(subnets.begin()->first == "VpcpublicContainerManagerBaseStacksnSubnet1SubnetAA12D766");
    CHECK(subnet["Properties"]["CidrBlock"] == "10.0.0.0/16");
    CHECK(subnet["Properties"]["MapPublicIpOnLaunch"] == true);
    CHECK(subnet["Properties"]["VpcId"] == ref_to("Vpc8378EB38"));
    CHECK(subnet["Properties"]["AvailabilityZone"] == json::parse(R"({"Fn::Select": [0, {"Fn::GetAZs": ""}]})"));

    // Public only: an internet gateway, a default route through it, no NAT.
    CHECK(resources_of(t, "AWS::EC2::NatGateway").empty());
    CHECK(resources_of(t, "AWS::EC2::EIP").empty());
    CHECK(only_resource(t, "AWS::EC2::InternetGateway")["Properties"]["Tags"].is_array());
    json attachment = only_resource(t, "AWS::EC2::VPCGatewayAttachment");
    CHECK(attachment["Properties"]["VpcId"] == ref_to("Vpc8378EB38"));
    json route = only_resource(t, "AWS::EC2::Route");
    CHECK(route["Properties"]["DestinationCidrBlock"] == "0.0.0.0/0");
    CHECK(route["Properties"]["GatewayId"] == ref_to("VpcIGWD7BA715C"));
    CHECK(route["DependsOn"] == json::array({"VpcVPCGWBF912B6E"}));
    json association = only_resource(t, "AWS::EC2::SubnetRouteTableAssociation");
    CHECK(association["Properties"]["SubnetId"] == ref_to(subnets.begin()->first));
    CHECK(association["Properties"]["RouteTableId"] == route["Properties"]["RouteTableId"]);
}

TEST_CASE("base stack: the default security group is stripped by a least-privilege custom resource", "[base]") {
    App app;
    auto& base = own<BaseStack>(app, sample_base_config(), context_in("us-west-2"));
    Assembly a = unit::synth_and_emit(app, "base-stack-restrict-sg");
    json t = unit::template_of(a, base.artifact_id());

    auto custom = resources_of(t, "Custom::VpcRestrictDefaultSG");
    REQUIRE(custom.size() == 1);
    CHECK(custom.begin()->first == "VpcRestrictDefaultSecurityGroupCustomResourceC73DA2BE");
    const json& props = custom.begin()->second["Properties"];
    const json default_sg = json::parse(R"({"Fn::GetAtt": ["Vpc8378EB38", "DefaultSecurityGroup"]})");
    CHECK(props["DefaultSecurityGroupId"] == default_sg);
    CHECK(props["Account"] == ref_to("AWS::AccountId"));
    CHECK(props["ServiceToken"] ==
          json::parse(R"({"Fn::GetAtt": ["CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E", "Arn"]})"));

    json handler = t["Resources"]["CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E"];
    CHECK(handler["Type"] == "AWS::Lambda::Function");
    CHECK(handler["Properties"]["Runtime"] == "python3.12");
    CHECK(handler["Properties"]["Handler"] == "index.handler");
    const std::string code = handler["Properties"]["Code"]["ZipFile"];
    CHECK(code.size() < 4096);
    CHECK_THAT(code, Catch::Contains("revoke_security_group_ingress") && Catch::Contains("revoke_security_group_egress") &&
                         Catch::Contains("ResponseURL"));

    json role = t["Resources"]["CustomVpcRestrictDefaultSGCustomResourceProviderRole26592FE0"];
    REQUIRE(role["Type"] == "AWS::IAM::Role");
    REQUIRE(role["Properties"]["Policies"].size() == 1);
    const json statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    REQUIRE(statements.size() == 1);
    CHECK(statements[0]["Effect"] == "Allow");
    CHECK(statements[0]["Action"] == json::array({"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
                                                  "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"}));
    // Only the default security group, in the stack's partition, region and account.
    CHECK(statements[0]["Resource"] ==
          json::array({json{{"Fn::Sub",
                             json::array({"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${GroupId}",
                                          json{{"GroupId", default_sg}}})}}}));
}

TEST_CASE("base stack: key pair, notify topic with its policy and subscriptions, imported root zone", "[base]") {
    App app;
    auto& base = own<BaseStack>(app, sample_base_config(), context_in("us-west-2"));
    CHECK(base.root_hosted_zone_id() == Value("Z0123456789ABCDEFGHIJ"));
    Assembly a = unit::synth_and_emit(app, "base-stack-topic");
    json t = unit::template_of(a, base.artifact_id());

    json key = only_resource(t, "AWS::EC2::KeyPair");
    CHECK(key["Properties"]["KeyName"] == "ContainerManager-BaseStack-SshKey");
    CHECK(key["Properties"]["KeyType"] == "rsa");
    REQUIRE(t["Resources"].contains("SshKeyPair98914A0F"));

    auto topics = resources_of(t, "AWS::SNS::Topic");
    REQUIRE(topics.size() == 1);
    CHECK(topics.begin()->first == "SnsNotifyTopic3E96648F");
    CHECK(topics.begin()->second["Properties"]["DisplayName"] == "ContainerManager-BaseStack-sns-notify-topic");

    json policy = only_resource(t, "AWS::SNS::TopicPolicy");
    CHECK(policy["Properties"]["Topics"] == json::array({ref_to("SnsNotifyTopic3E96648F")}));
    const json statements = policy["Properties"]["PolicyDocument"]["Statement"];
    REQUIRE(statements.size() == 3);
    CHECK(statements[0]["Effect"] == "Deny");
    CHECK(statements[0]["Condition"] == json::parse(R"({"Bool": {"aws:SecureTransport": "false"}})"));
    CHECK(statements[1]["Effect"] == "Allow");
    CHECK(statements[1]["Action"] == "sns:Publish");
    CHECK(statements[1]["Principal"] == json::parse(R"({"Service": "cloudwatch.amazonaws.com"})"));
    CHECK(statements[1]["Resource"] == ref_to("SnsNotifyTopic3E96648F"));
    CHECK(statements[1]["Condition"] == json::parse(R"({"StringEquals": {"aws:ResourceTag/ApplicationId": "ContainerManager",
                                                                         "aws:ResourceAccount": "123456789012"}})"));
    CHECK(statements[2]["Principal"] == json::parse(R"({"Service": "events.amazonaws.com"})"));
    CHECK(statements[2]["Condition"]["ArnLike"]["aws:SourceArn"] ==
          json::parse(R"({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"})"));

    auto subscriptions = resources_of(t, "AWS::SNS::Subscription");
    REQUIRE(subscriptions.size() == 1);
    CHECK(subscriptions.begin()->first == "snsnotifysubscription131F8643");
    CHECK(subscriptions.begin()->second["Properties"]["Protocol"] == "email");
    CHECK(subscriptions.begin()->second["Properties"]["Endpoint"] == "ops@example.com");
    CHECK(subscriptions.begin()->second["Properties"]["TopicArn"] == ref_to("SnsNotifyTopic3E96648F"));

    // The root zone is the configured one: nothing to create.
    CHECK(resources_of(t, "AWS::Route53::HostedZone").empty());

    // Exports of everything the leaves use, under stable names.
    auto exports = exports_of(t);
    CHECK(exports.size() == 4);
    CHECK(exports["ContainerManager-BaseStack-VpcId"] == ref_to("Vpc8378EB38"));
    CHECK(exports["ContainerManager-BaseStack-SshKeyPairName"] == ref_to("SshKeyPair98914A0F"));
    CHECK(exports["ContainerManager-BaseStack-SnsNotifyTopicArn"] == ref_to("SnsNotifyTopic3E96648F"));
    CHECK(exports["ContainerManager-BaseStack-PublicSubnet1Id"] ==
          ref_to("VpcpublicContainerManagerBaseStacksnSubnet1SubnetAA12D766"));
}

TEST_CASE("base stack: several AZs, created root zone, several subscriptions, no SG restriction, devel", "[base]") {
    BaseConfig config = sample_base_config(false);
    REQUIRE_FALSE(config.domain.hosted_zone_id);
    config.vpc.max_azs = 3;
    config.vpc.restrict_default_security_group = false;
    config.alert_subscriptions.push_back(AlertSubscription{"sms", "+15555550100", {}});
    App app;
    auto& base = own<BaseStack>(app, config, context_in("eu-west-1", Maturity::Devel));
    CHECK(base.stack_name() == "ContainerManager-devel-BaseStack");
    REQUIRE(base.public_subnet_ids().size() == 3);
    Assembly a = unit::synth_and_emit(app, "base-stack-devel-3az");
    json t = unit::template_of(a, base.artifact_id());

    auto subnets = resources_of(t, "AWS::EC2::Subnet");
    REQUIRE(subnets.size() == 3);
    std::map<int, std::string> cidr_by_zone;
    for (const auto& [id, s] : subnets)
        cidr_by_zone[s["Properties"]["AvailabilityZone"]["Fn::Select"][0].get<int>()] = s["Properties"]["CidrBlock"];
    CHECK(cidr_by_zone == std::map<int, std::string>{{0, "10.0.0.0/18"}, {1, "10.0.64.0/18"}, {2, "10.0.128.0/18"}});
    CHECK(resources_of(t, "AWS::EC2::Route").size() == 3);
    CHECK(resources_of(t, "AWS::EC2::RouteTable").size() == 3);
    CHECK(resources_of(t, "AWS::EC2::InternetGateway").size() == 1);

    // RestrictDefaultSecurityGroup: false -> no custom resource, no Lambda, no role.
    CHECK(resources_of(t, "Custom::VpcRestrictDefaultSG").empty());
    CHECK(resources_of(t, "AWS::Lambda::Function").empty());
    CHECK(resources_of(t, "AWS::IAM::Role").empty());

    // The root zone is created for the domain and destroyed with the stack.
    auto zones = resources_of(t, "AWS::Route53::HostedZone");
    REQUIRE(zones.size() == 1);
    const json zone = zones.begin()->second;
    CHECK(zone["Properties"]["Name"] == "example.com.");
    CHECK(zone["DeletionPolicy"] == "Delete");
    CHECK(tags_of(zone, "HostedZoneTags")["ApplicationId"] == "ContainerManager-devel");

    auto subscriptions = resources_of(t, "AWS::SNS::Subscription");
    REQUIRE(subscriptions.size() == 2);
    std::map<std::string, std::string> endpoints;
    for (const auto& [id, s] : subscriptions) endpoints[s["Properties"]["Protocol"]] = s["Properties"]["Endpoint"];
    CHECK(endpoints == std::map<std::string, std::string>{{"email", "ops@example.com"}, {"sms", "+15555550100"}});

    CHECK(only_resource(t, "AWS::SNS::TopicPolicy")["Properties"]["PolicyDocument"]["Statement"][1]["Condition"]
                       ["StringEquals"]["aws:ResourceTag/ApplicationId"] == "ContainerManager-devel");

    auto exports = exports_of(t);
    CHECK(exports.size() == 7);
    for (int i = 1; i <= 3; ++i) CHECK(exports.count("ContainerManager-devel-BaseStack-PublicSubnet" + std::to_string(i) + "Id"));
    REQUIRE(exports.count("ContainerManager-devel-BaseStack-RootHostedZoneId"));
    CHECK(exports["ContainerManager-devel-BaseStack-RootHostedZoneId"] == ref_to(zones.begin()->first));
}

TEST_CASE("base stack: references from the same region reuse its exports, other regions read SSM", "[base]") {
    App app;
    auto& base = own<BaseStack>(app, sample_base_config(false), context_in("us-west-2"));
    auto& same = make<ConsumerStack>(app, "SameRegion", "us-west-2", base);
    auto& other = make<ConsumerStack>(app, "OtherRegion", "us-east-1", base);
    Assembly a = unit::synth_and_emit(app, "base-stack-consumers");
    json b = unit::template_of(a, base.artifact_id());
    json s = unit::template_of(a, same.artifact_id());
    json o = unit::template_of(a, other.artifact_id());

    // Same region: Fn::ImportValue of the declared exports, and no extra output in the base stack.
    CHECK(s["Resources"]["UsesVpcId"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::ImportValue": "ContainerManager-BaseStack-VpcId"})"));
    CHECK(s["Resources"]["UsesKey"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::ImportValue": "ContainerManager-BaseStack-SshKeyPairName"})"));
    CHECK(s["Resources"]["UsesTopic"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::ImportValue": "ContainerManager-BaseStack-SnsNotifyTopicArn"})"));
    CHECK(s["Resources"]["UsesZone"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::ImportValue": "ContainerManager-BaseStack-RootHostedZoneId"})"));
    CHECK(s["Resources"]["UsesSubnets"]["Properties"]["Value"] ==
          json::parse(R"({"Fn::Join": [",", [{"Fn::ImportValue": "ContainerManager-BaseStack-PublicSubnet1Id"}]]})"));
    CHECK(b["Outputs"].size() == 5);

    // Another region: dynamic SSM references written by the base stack.
    for (const char* id : {"UsesVpcId", "UsesKey", "UsesTopic", "UsesZone"}) {
        INFO(id);
        CHECK_THAT(unit::ssm_parameter_of(o, o["Resources"][id]["Properties"]["Value"]),
                   Catch::StartsWith("/leafsynth/OtherRegion/ContainerManager-BaseStack/"));
    }
    CHECK(resources_of(b, "Custom::LeafsynthCrossRegionParameters").size() == 1);

    // Deployment order: the base stack first.
    REQUIRE(a.stacks.size() == 3);
    CHECK(a.stacks[0].name == "ContainerManager-BaseStack");
}
