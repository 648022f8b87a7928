// The leaf's SecurityGroups nested stack: the container group (SSH and the configured ports in, all
// out) and the EFS group (NFS from the container group only, nothing out).
#include "leaf_nested_fixture.hpp"

#include "leafsynth/aws/ec2.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"

using namespace leaf_nested;

namespace {

/// The parent's resource consuming both group ids (so the nested stack exports them).
void consume_group_ids(Fixture& f, const SecurityGroupsStack& sgs) {
    make<CfnOutput>(*f.leaf, "ContainerSg", OutputProps{sgs.container_security_group_id(), {}, {}, nullptr});
    make<CfnOutput>(*f.leaf, "EfsSg", OutputProps{sgs.efs_security_group_id(), {}, {}, nullptr});
}

json ingress_rule(const std::string& protocol, int port, const std::string& description) {
    return json{{"CidrIp", "0.0.0.0/0"},
                {"Description", description},
                {"FromPort", port},
                {"IpProtocol", protocol},
                {"ToPort", port}};
}

} // namespace

TEST_CASE("SecurityGroups: the container group lets SSH and every configured port in and everything out") {
    Fixture f(sample_leaf());
    auto& sgs = adopt_new<SecurityGroupsStack>(*f.leaf, f.names, f.config, *f.base);
    consume_group_ids(f, sgs);
    Assembly a = unit::synth_and_emit(f.app, "security-groups-minecraft");
    json t = nested_template(a, f, "SecurityGroups");
    json parent = unit::template_of(a, f.names.leaf_stack);

    CHECK(t["Description"] == "Security Group Logic for ContainerManager-MinecraftJavaExample-Stack");
    // Same logical id as the CDK reference (same construct path below the nested stack).
    REQUIRE(t["Resources"].contains("SgContainerTraffic232E2D2C"));
    json sg = t["Resources"]["SgContainerTraffic232E2D2C"];
    CHECK(sg["Type"] == "AWS::EC2::SecurityGroup");
    CHECK(sg["Properties"]["GroupDescription"] == "(minecraft.java.example): Traffic for the Container");
    CHECK(sg["Properties"]["SecurityGroupEgress"] ==
          json::array({{{"CidrIp", "0.0.0.0/0"}, {"Description", "Allow all outbound traffic by default"}, {"IpProtocol", "-1"}}}));
    CHECK(sg["Properties"]["SecurityGroupIngress"] ==
          json::array({ingress_rule("tcp", 22, "Allow SSH traffic IN"),
                       ingress_rule("tcp", 25565, "Game port: allow tcp traffic IN from 25565"),
                       ingress_rule("udp", 19132, "Game port: allow udp traffic IN from 19132")}));
    // The reference's inline rules are exactly these.
    json reference = reference_template("ContainerManagerMinecraftJavaExampleStackSecurityGroupsNestedStackA997B8DA.nested.template.json");
    CHECK(sg["Properties"]["SecurityGroupIngress"] ==
          reference["Resources"]["SgContainerTraffic232E2D2C"]["Properties"]["SecurityGroupIngress"]);
    CHECK(tag_map(sg["Properties"]["Tags"])["Name"] == "ContainerManager-MinecraftJavaExample-Stack/sg-container-traffic");

    // The VPC comes from the Base stack: a parameter fed by the Base stack's export.
    json vpc = parameter_source(parent, "SecurityGroups", sg["Properties"]["VpcId"]);
    REQUIRE(vpc.contains("Fn::ImportValue"));
    json base = unit::template_of(a, "ContainerManager-BaseStack");
    auto vpcs = resources_of(base, "AWS::EC2::VPC");
    REQUIRE(vpcs.size() == 1);
    int exports = 0;
    for (const auto& [name, output] : base["Outputs"].items()) {
        if (!output.contains("Export") || output["Export"]["Name"] != vpc["Fn::ImportValue"]) continue;
        ++exports;
        CHECK(output["Value"] == json{{"Ref", vpcs.begin()->first}});
    }
    CHECK(exports == 1);
}

TEST_CASE("SecurityGroups: the EFS group takes NFS from the container group only and sends nothing") {
    Fixture f(sample_leaf());
    auto& sgs = adopt_new<SecurityGroupsStack>(*f.leaf, f.names, f.config, *f.base);
    consume_group_ids(f, sgs);
    Assembly a = unit::synth_and_emit(f.app, "security-groups-efs");
    json t = nested_template(a, f, "SecurityGroups");

    REQUIRE(t["Resources"].contains("SgEfsTraffic24A6FDCC"));
    json sg = t["Resources"]["SgEfsTraffic24A6FDCC"];
    CHECK(sg["Properties"]["GroupDescription"] == "(minecraft.java.example): Traffic for the EFS instance");
    CHECK_FALSE(sg["Properties"].contains("SecurityGroupIngress"));
    // Only the rule that matches nothing (without any rule EC2 would add "allow all out").
    REQUIRE(sg["Properties"]["SecurityGroupEgress"].size() == 1);
    json egress = sg["Properties"]["SecurityGroupEgress"][0];
    CHECK(egress["CidrIp"] == "255.255.255.255/32");
    CHECK(egress["IpProtocol"] == "icmp");
    CHECK(egress["FromPort"] == 252);
    CHECK(egress["ToPort"] == 86);
    CHECK(tag_map(sg["Properties"]["Tags"])["Name"] == "ContainerManager-MinecraftJavaExample-Stack/sg-efs-traffic");

    auto ingress = resources_of(t, "AWS::EC2::SecurityGroupIngress");
    REQUIRE(ingress.size() == 1);
    json rule = ingress.begin()->second["Properties"];
    CHECK(rule["GroupId"] == json::parse(R"({"Fn::GetAtt":["SgEfsTraffic24A6FDCC","GroupId"]})"));
    CHECK(rule["SourceSecurityGroupId"] == json::parse(R"({"Fn::GetAtt":["SgContainerTraffic232E2D2C","GroupId"]})"));
    CHECK(rule["IpProtocol"] == "tcp");
    CHECK(rule["FromPort"] == 2049);
    CHECK(rule["ToPort"] == 2049);
    CHECK(rule["Description"] == "Allow EFS traffic IN - from container");
    CHECK_FALSE(rule.contains("CidrIp"));
    CHECK(ingress.begin()->first.rfind("SgEfsTrafficfrom", 0) == 0);

    // Both ids reach the parent as outputs of the nested stack.
    json parent = unit::template_of(a, f.names.leaf_stack);
    CHECK(output_value(t, parent["Outputs"]["ContainerSg"]["Value"]) ==
          json::parse(R"({"Fn::GetAtt":["SgContainerTraffic232E2D2C","GroupId"]})"));
    CHECK(output_value(t, parent["Outputs"]["EfsSg"]["Value"]) ==
          json::parse(R"({"Fn::GetAtt":["SgEfsTraffic24A6FDCC","GroupId"]})"));
}

TEST_CASE("SecurityGroups: UDP-only ports, and repeated rules are written once") {
    LeafConfig config = sample_leaf("valheim.example.yaml");
    // A configured TCP 22 is the SSH rule already; a port listed twice is one rule.
    config.container.ports.push_back(PortMapping{PortProtocol::Tcp, 22, {}});
    config.container.ports.push_back(PortMapping{PortProtocol::Udp, 2456, {}});
    Fixture f(config);
    auto& sgs = adopt_new<SecurityGroupsStack>(*f.leaf, f.names, f.config, *f.base);
    consume_group_ids(f, sgs);
    Assembly a = unit::synth_and_emit(f.app, "security-groups-valheim");
    json t = nested_template(a, f, "SecurityGroups");
    json sg = t["Resources"]["SgContainerTraffic232E2D2C"];
    CHECK(sg["Properties"]["GroupDescription"] == "(valheim.example): Traffic for the Container");
    CHECK(sg["Properties"]["SecurityGroupIngress"] ==
          json::array({ingress_rule("tcp", 22, "Allow SSH traffic IN"),
                       ingress_rule("udp", 2456, "Game port: allow udp traffic IN from 2456"),
                       ingress_rule("udp", 2457, "Game port: allow udp traffic IN from 2457")}));
    CHECK(tag_map(sg["Properties"]["Tags"])["Name"] == "ContainerManager-ValheimExample-Stack/sg-container-traffic");
}

TEST_CASE("SecurityGroup: rules are rendered once, and more than the rules quota is a problem naming it") {
    for (const int rules : {60, 61, 10000}) {
        INFO(rules << " inbound rules");
        App app;
        StackProps stack_props;
        stack_props.env.region = "us-west-2";
        auto& stack = make<Stack>(app, "Rules", stack_props);
        aws::ec2::SecurityGroupProps props;
        props.vpc_id = "vpc-12345678";
        props.description = "many rules";
        auto& sg = make<aws::ec2::SecurityGroup>(stack, "Sg", props);
        // 10,000 adds used to re-render the whole list each time (minutes); now they only append.
        for (int i = 0; i < rules; ++i) sg.add_ingress_rule(aws::ec2::tcp_rule(1000 + i, "0.0.0.0/0", "port"));
        if (rules <= 60) {
            const json t = unit::template_of(unit::synth_and_emit(app, "sg-rules-" + std::to_string(rules)));
            CHECK(t["Resources"][sg.resource().logical_id()]["Properties"]["SecurityGroupIngress"].size() == 60);
        } else {
            try {
                app.synth();
                FAIL("expected a ValidationError");
            } catch (const ValidationError& e) {
                // (10,000 rules also make the template too large: that is a problem of its own.)
                const auto& messages = e.messages();
                auto quota = std::find_if(messages.begin(), messages.end(), [&](const std::string& m) {
                    return m.find(std::to_string(rules) + " inbound rules") != std::string::npos;
                });
                REQUIRE(quota != messages.end());
                CHECK(quota->find("Rules/Sg") != std::string::npos);
                CHECK(quota->find("Inbound or outbound rules per security group") != std::string::npos);
            }
        }
    }
    // An account with a raised quota says so.
    App app;
    StackProps stack_props;
    stack_props.env.region = "us-west-2";
    auto& stack = make<Stack>(app, "Raised", stack_props);
    aws::ec2::SecurityGroupProps raised;
    raised.vpc_id = "vpc-12345678";
    raised.description = "raised";
    raised.rules_quota = 200;
    auto& sg = make<aws::ec2::SecurityGroup>(stack, "Sg", raised);
    for (int i = 0; i < 150; ++i) sg.add_ingress_rule(aws::ec2::tcp_rule(2000 + i, "0.0.0.0/0", "port"));
    CHECK_NOTHROW(app.synth());
}
