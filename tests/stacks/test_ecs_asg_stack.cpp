// The leaf's EcsAsg nested stack: cluster, instance role and profile, launch template with its user
// data, the Auto Scaling group with its termination lifecycle hook, the capacity provider and its
// association, the EC2 service, and the handles the other nested stacks use.
#include "leaf_nested_fixture.hpp"

#include <set>

#include "leafsynth/fn.hpp"

#include "leafsynth/aws/autoscaling.hpp"
#include "leafsynth/containermanager/container_stack.hpp"
#include "leafsynth/containermanager/ecs_asg_stack.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"
#include "leafsynth/containermanager/volumes_stack.hpp"

using namespace leaf_nested;

namespace {

const char* kReference = "ContainerManagerMinecraftJavaExampleStackEcsAsgNestedStack839FD1F2.nested.template.json";

/// The four nested stacks, as the leaf stack makes them, with every handle consumed by a parent output.
struct Leaf {
    Fixture f;
    EcsAsgStack* ecs_asg = nullptr;
    Assembly a;
    json t;      // EcsAsg nested template
    json parent; // the parent (leaf) stack's template

    explicit Leaf(LeafConfig config, const std::string& name, int max_azs = 1) : f(std::move(config), max_azs) {
        auto& sgs = adopt_new<SecurityGroupsStack>(*f.leaf, f.names, f.config, *f.base);
        auto& container = adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
        auto& volumes = adopt_new<VolumesStack>(*f.leaf, f.names, f.config, *f.base, sgs, container);
        ecs_asg = &adopt_new<EcsAsgStack>(*f.leaf, f.names, f.config, *f.base, sgs, container, volumes, f.leaf_topic->arn());
        const EcsAsgHandles& h = ecs_asg->handles();
        const std::vector<std::pair<std::string, Value>> outputs{
            {"ClusterName", h.cluster_name}, {"ClusterArn", h.cluster_arn},   {"AsgName", h.asg_name},
            {"CapacityProvider", h.capacity_provider_name}, {"ServiceName", h.service_name},
            {"ServiceArn", h.service_arn}, {"LifecycleHookName", h.lifecycle_hook_name}};
        for (const auto& [id, value] : outputs) make<CfnOutput>(*f.leaf, id, OutputProps{value, {}, {}, nullptr});
        Tags::of(*f.leaf).add("StackId", f.names.stack_id);
        a = unit::synth_and_emit(f.app, name);
        t = nested_template(a, f, "EcsAsg");
        parent = unit::template_of(a, f.names.leaf_stack);
    }

    json resource(const std::string& id) const {
        REQUIRE(t["Resources"].contains(id));
        return t["Resources"][id];
    }
    json props(const std::string& id) const { return resource(id)["Properties"]; }
    /// What the parent passes for a parameter of the EcsAsg template.
    json source(const json& ref) const { return parameter_source(parent, "EcsAsg", ref); }
    /// The value of another nested stack's output that a parameter of EcsAsg comes from.
    json from_nested(const std::string& nested_id, const json& ref) const {
        return output_value(nested_template(a, f, nested_id), source(ref));
    }
};

/// The user data script as text: `Fn::Base64` of `Fn::Join("", parts)`, each reference written
/// `${<Ref target>}`.
std::string user_data_text(const json& user_data) {
    REQUIRE(user_data.contains("Fn::Base64"));
    json body = user_data["Fn::Base64"];
    if (body.is_string()) return body.get<std::string>();
    REQUIRE(body.contains("Fn::Join"));
    REQUIRE(body["Fn::Join"][0] == "");
    std::string text;
    for (const auto& part : body["Fn::Join"][1]) {
        if (part.is_string()) {
            text += part.get<std::string>();
        } else {
            REQUIRE(part.contains("Ref"));
            text += "${" + part["Ref"].get<std::string>() + "}";
        }
    }
    return text;
}

/// The parameter name inside the first `${...}` after `marker` in `text`.
std::string ref_after(const std::string& text, const std::string& marker) {
    auto at = text.find(marker);
    REQUIRE(at != std::string::npos);
    auto open = text.find("${", at);
    auto close = text.find('}', open);
    REQUIRE(open != std::string::npos);
    return text.substr(open + 2, close - open - 2);
}

} // namespace

TEST_CASE("EcsAsg: the resources and logical ids of the CDK reference, without CDK's drain hook") {
    Leaf l(sample_leaf(), "ecs-asg-minecraft");
    CHECK(l.t["Description"] == "Ec2Service Logic for ContainerManager-MinecraftJavaExample-Stack");
    for (const char* id : {"EcsCluster97242B84", "EcsCluster72B17558", "Ec2ExecutionRoleEE09780E",
                           "Ec2ExecutionRoleDefaultPolicy2FA14409", "LaunchTemplateProfile94AA77CE", "LaunchTemplate04EC5460",
                           "AsgASGD1D7B4E2", "AsgCapacityProvider760D11D9", "Ec2Service04A33183"})
        CHECK(l.t["Resources"].contains(id));
    // No Lambda, SNS topic or extra role: the spec's hook is completed by the state-change Lambda.
    CHECK(resource_types(l.t) == std::map<std::string, int>{{"AWS::AutoScaling::AutoScalingGroup", 1},
                                                            {"AWS::AutoScaling::LifecycleHook", 1},
                                                            {"AWS::EC2::LaunchTemplate", 1},
                                                            {"AWS::ECS::CapacityProvider", 1},
                                                            {"AWS::ECS::Cluster", 1},
                                                            {"AWS::ECS::ClusterCapacityProviderAssociations", 1},
                                                            {"AWS::ECS::Service", 1},
                                                            {"AWS::IAM::InstanceProfile", 1},
                                                            {"AWS::IAM::Policy", 1},
                                                            {"AWS::IAM::Role", 1}});
    CHECK(l.props("EcsCluster97242B84")["ClusterName"] == "ContainerManager-MinecraftJavaExample-Stack-ecs-cluster");
}

TEST_CASE("EcsAsg: the instance role is the ECS instance role plus root access to each file system") {
    Leaf l(sample_leaf(), "ecs-asg-role");
    json reference = reference_template(kReference);
    json role = l.props("Ec2ExecutionRoleEE09780E");
    CHECK(role["AssumeRolePolicyDocument"] ==
          reference["Resources"]["Ec2ExecutionRoleEE09780E"]["Properties"]["AssumeRolePolicyDocument"]);
    CHECK(role["ManagedPolicyArns"] ==
          json::parse(R"([{"Fn::Sub":"arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"}])"));
    CHECK(role["Description"] == "The instance's permissions (HOST of the container)");

    json policy = l.props("Ec2ExecutionRoleDefaultPolicy2FA14409");
    CHECK(policy["Roles"] == json::parse(R"([{"Ref":"Ec2ExecutionRoleEE09780E"}])"));
    json statements = policy["PolicyDocument"]["Statement"];
    REQUIRE(statements.size() == 1);
    json s = statements[0];
    CHECK(s["Action"] == json::array({"elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess",
                                      "elasticfilesystem:ClientWrite"}));
    CHECK(s["Condition"] == json::parse(R"({"Bool":{"elasticfilesystem:AccessedViaMountTarget":"true"}})"));
    CHECK(l.from_nested("Volumes", s["Resource"]) == json::parse(R"({"Fn::GetAtt":["Efs1FA54D681","Arn"]})"));

    json profile = l.props("LaunchTemplateProfile94AA77CE");
    CHECK(profile["Roles"] == json::parse(R"([{"Ref":"Ec2ExecutionRoleEE09780E"}])"));
}

TEST_CASE("EcsAsg: the launch template: type, ECS AMI, container group, key pair, profile, IMDSv2, monitoring") {
    Leaf l(sample_leaf(), "ecs-asg-launch-template");
    json lt = l.resource("LaunchTemplate04EC5460");
    json data = lt["Properties"]["LaunchTemplateData"];
    CHECK(data["InstanceType"] == "m5.large");
    CHECK(data["ImageId"] == "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id}}");
    CHECK(data["MetadataOptions"] == json{{"HttpTokens", "required"}});
    CHECK(data["Monitoring"] == json{{"Enabled", true}});
    CHECK(data["IamInstanceProfile"] == json::parse(R"({"Arn":{"Fn::GetAtt":["LaunchTemplateProfile94AA77CE","Arn"]}})"));
    REQUIRE(data["SecurityGroupIds"].size() == 1);
    CHECK(l.from_nested("SecurityGroups", data["SecurityGroupIds"][0]) ==
          json::parse(R"({"Fn::GetAtt":["SgContainerTraffic232E2D2C","GroupId"]})"));
    // The key pair is the Base stack's, imported.
    json key = l.source(data["KeyName"]);
    REQUIRE(key.contains("Fn::ImportValue"));
    CHECK(key["Fn::ImportValue"].get<std::string>().rfind("ContainerManager-BaseStack", 0) == 0);
    // Instances never boot before the role's policy exists.
    CHECK(lt["DependsOn"] == json::array({"Ec2ExecutionRoleDefaultPolicy2FA14409"}));
}

TEST_CASE("EcsAsg: the launch template, its instances and their volumes (root volume included) carry the tags") {
    Leaf l(sample_leaf(), "ecs-asg-launch-template-tags");
    json lt = l.props("LaunchTemplate04EC5460");
    const std::map<std::string, json> expected{
        {"Name", "ContainerManager-MinecraftJavaExample-Stack/EcsAsg/LaunchTemplate"},
        {"StackId", "ContainerManager-MinecraftJavaExample"}};
    // What the instance and every volume it launches with are tagged with (cost allocation).
    json launched = lt["LaunchTemplateData"]["TagSpecifications"];
    REQUIRE(launched.size() == 2);
    CHECK(launched[0]["ResourceType"] == "instance");
    CHECK(launched[1]["ResourceType"] == "volume");
    for (const auto& spec : launched) CHECK(tag_map(spec["Tags"]) == expected);
    // The template itself, as CDK tags it.
    REQUIRE(lt["TagSpecifications"].size() == 1);
    CHECK(lt["TagSpecifications"][0]["ResourceType"] == "launch-template");
    CHECK(tag_map(lt["TagSpecifications"][0]["Tags"]) == expected);
    CHECK_FALSE(lt.contains("Tags"));
}

TEST_CASE("EcsAsg: the user data mounts each EFS through its host access point, sets the agent and joins the cluster") {
    Leaf l(sample_leaf(), "ecs-asg-user-data");
    std::string text = user_data_text(l.props("LaunchTemplate04EC5460")["LaunchTemplateData"]["UserData"]);
    std::string fs = ref_after(text, "echo \"");
    std::string ap = ref_after(text, "accesspoint=");
    std::vector<std::string> expected{
        "#!/bin/bash",
        "mkdir -p \"/mnt/efs/Efs-1\"",
        "echo \"${" + fs + "}:/ /mnt/efs/Efs-1 efs defaults,tls,iam,_netdev,accesspoint=${" + ap + "} 0 0\" >> /etc/fstab",
        "mount -a -t efs,nfs4 defaults",
        "echo \"ECS_DISABLE_PRIVILEGED=true\" >> /etc/ecs/ecs.config",
        "echo \"ECS_SELINUX_CAPABLE=true\" >> /etc/ecs/ecs.config",
        "echo \"ECS_APPARMOR_CAPABLE=true\" >> /etc/ecs/ecs.config",
        "echo \"ECS_DISABLE_IMAGE_CLEANUP=true\" >> /etc/ecs/ecs.config",
        "echo ECS_CLUSTER=${EcsCluster97242B84} >> /etc/ecs/ecs.config"};
    CHECK(unit::lines_of(text) == expected);
    // Exactly the reference's script, references aside.
    json reference = reference_template(kReference);
    std::string ref_text =
        user_data_text(reference["Resources"]["LaunchTemplate04EC5460"]["Properties"]["LaunchTemplateData"]["UserData"]);
    CHECK(unit::lines_of(ref_text).size() == expected.size());
    // The references are the file system and its host access point (not the data access point).
    CHECK(l.from_nested("Volumes", json{{"Ref", fs}}) == json{{"Ref", "Efs1FA54D681"}});
    CHECK(l.from_nested("Volumes", json{{"Ref", ap}}) == json{{"Ref", "Efs1efsaccesspointhost67545C81"}});
}

TEST_CASE("EcsAsg: two file systems are both mounted, without volumes nothing is mounted and no EFS access is granted") {
    SECTION("two") {
        Leaf l(sample_leaf("valheim.example.yaml"), "ecs-asg-two-volumes");
        std::string text = user_data_text(l.props("LaunchTemplate04EC5460")["LaunchTemplateData"]["UserData"]);
        CHECK(unit::has_line(text, "mkdir -p \"/mnt/efs/Efs-1\""));
        CHECK(unit::has_line(text, "mkdir -p \"/mnt/efs/Efs-2\""));
        int fstab = 0, mounts = 0;
        for (const auto& line : unit::lines_of(text)) {
            if (line.find(">> /etc/fstab") != std::string::npos) ++fstab;
            if (line == "mount -a -t efs,nfs4 defaults") ++mounts;
        }
        CHECK(fstab == 2);
        CHECK(mounts == 1);
        CHECK(l.props("Ec2ExecutionRoleDefaultPolicy2FA14409")["PolicyDocument"]["Statement"].size() == 2);
    }
    SECTION("none") {
        LeafConfig config = sample_leaf();
        config.volumes.clear();
        Leaf l(config, "ecs-asg-no-volumes");
        std::string text = user_data_text(l.props("LaunchTemplate04EC5460")["LaunchTemplateData"]["UserData"]);
        CHECK(text.find("efs") == std::string::npos);
        CHECK(unit::has_line(text, "echo \"ECS_DISABLE_PRIVILEGED=true\" >> /etc/ecs/ecs.config"));
        CHECK_FALSE(l.t["Resources"].contains("Ec2ExecutionRoleDefaultPolicy2FA14409"));
        CHECK_FALSE(l.resource("LaunchTemplate04EC5460").contains("DependsOn"));
    }
}

TEST_CASE("EcsAsg: the Auto Scaling group: 0..1 with no desired count, notifications to both topics, metrics") {
    Leaf l(sample_leaf(), "ecs-asg-group", 2);
    json asg = l.props("AsgASGD1D7B4E2");
    CHECK(asg["MinSize"] == "0");
    CHECK(asg["MaxSize"] == "1");
    CHECK_FALSE(asg.contains("DesiredCapacity"));
    CHECK(asg["NewInstancesProtectedFromScaleIn"] == false);
    CHECK(asg["LaunchTemplate"] == json::parse(R"({"LaunchTemplateId":{"Ref":"LaunchTemplate04EC5460"},
        "Version":{"Fn::GetAtt":["LaunchTemplate04EC5460","LatestVersionNumber"]}})"));
    CHECK(asg["MetricsCollection"] == json::parse(R"([{"Granularity":"1Minute","Metrics":["GroupInServiceInstances"]}])"));
    // In every public subnet of the Base stack.
    REQUIRE(asg["VPCZoneIdentifier"].size() == 2);
    std::set<std::string> subnets;
    for (const auto& s : asg["VPCZoneIdentifier"]) subnets.insert(l.source(s)["Fn::ImportValue"].get<std::string>());
    CHECK(subnets.size() == 2);

    REQUIRE(asg["NotificationConfigurations"].size() == 2);
    const json types = json::array({"autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"});
    for (const auto& n : asg["NotificationConfigurations"]) CHECK(n["NotificationTypes"] == types);
    json base_topic = l.source(asg["NotificationConfigurations"][0]["TopicARN"]);
    CHECK(base_topic.contains("Fn::ImportValue"));
    auto topics = resources_of(l.parent, "AWS::SNS::Topic");
    REQUIRE(topics.size() == 1);
    CHECK(l.source(asg["NotificationConfigurations"][1]["TopicARN"]) == json{{"Ref", topics.begin()->first}});
    // The leaf's tags reach the instances it launches.
    CHECK(asg["Tags"] == json::parse(R"([{"Key":"StackId","PropagateAtLaunch":true,"Value":"ContainerManager-MinecraftJavaExample"}])"));
}

TEST_CASE("EcsAsg: a termination lifecycle hook the state-change Lambda completes") {
    Leaf l(sample_leaf(), "ecs-asg-lifecycle-hook");
    json hook = only_resource(l.t, "AWS::AutoScaling::LifecycleHook")["Properties"];
    CHECK(hook["AutoScalingGroupName"] == json{{"Ref", "AsgASGD1D7B4E2"}});
    CHECK(hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING");
    CHECK(hook["DefaultResult"] == "CONTINUE");
    CHECK(hook["HeartbeatTimeout"] == 300);
    CHECK(l.ecs_asg->handles().lifecycle_heartbeat_seconds == 300); // what the hook function is told
    // Announced through EventBridge only: no SNS target, no role.
    CHECK_FALSE(hook.contains("NotificationTargetARN"));
    CHECK_FALSE(hook.contains("RoleARN"));
}

TEST_CASE("EcsAsg: capacity provider, default strategy and service, ordered for a clean delete") {
    Leaf l(sample_leaf(), "ecs-asg-service");
    json cp = l.props("AsgCapacityProvider760D11D9");
    CHECK(cp["AutoScalingGroupProvider"] == json::parse(R"({"AutoScalingGroupArn":{"Ref":"AsgASGD1D7B4E2"},
        "ManagedDraining":"DISABLED","ManagedScaling":{"Status":"DISABLED"},"ManagedTerminationProtection":"DISABLED"})"));

    json assoc = l.resource("EcsCluster72B17558");
    CHECK(assoc["Type"] == "AWS::ECS::ClusterCapacityProviderAssociations");
    CHECK(assoc["Properties"]["Cluster"] == json{{"Ref", "EcsCluster97242B84"}}); // after the cluster
    CHECK(assoc["Properties"]["CapacityProviders"] == json::parse(R"([{"Ref":"AsgCapacityProvider760D11D9"}])"));
    CHECK(assoc["Properties"]["DefaultCapacityProviderStrategy"] ==
          json::parse(R"([{"CapacityProvider":{"Ref":"AsgCapacityProvider760D11D9"},"Weight":1}])"));

    json service = l.resource("Ec2Service04A33183");
    CHECK(service["DependsOn"] == json::array({"EcsCluster72B17558"})); // deleted before the association
    json s = service["Properties"];
    CHECK(s["DesiredCount"] == 0);
    CHECK(s["Cluster"] == json{{"Ref", "EcsCluster97242B84"}});
    CHECK(s["CapacityProviderStrategy"] == json::parse(R"([{"CapacityProvider":{"Ref":"AsgCapacityProvider760D11D9"},"Weight":1}])"));
    CHECK_FALSE(s.contains("LaunchType"));
    CHECK(l.from_nested("Container", s["TaskDefinition"]) == json{{"Ref", "TaskDefinitionB36D86D9"}});
    // One task on one instance with fixed host ports: stop the old task before starting the new one.
    CHECK(s["DeploymentConfiguration"] == json{{"MaximumPercent", 100}, {"MinimumHealthyPercent", 0}});
}

TEST_CASE("EcsAsg: the handles resolve to the cluster, group, provider, service and hook") {
    Leaf l(sample_leaf(), "ecs-asg-handles");
    auto out = [&](const std::string& id) { return output_value(l.t, l.parent["Outputs"][id]["Value"]); };
    CHECK(out("ClusterName") == json{{"Ref", "EcsCluster97242B84"}});
    CHECK(out("ClusterArn") == json::parse(R"({"Fn::GetAtt":["EcsCluster97242B84","Arn"]})"));
    CHECK(out("AsgName") == json{{"Ref", "AsgASGD1D7B4E2"}});
    CHECK(out("CapacityProvider") == json{{"Ref", "AsgCapacityProvider760D11D9"}});
    CHECK(out("ServiceName") == json::parse(R"({"Fn::GetAtt":["Ec2Service04A33183","Name"]})"));
    CHECK(out("ServiceArn") == json{{"Ref", "Ec2Service04A33183"}});
    auto hooks = resources_of(l.t, "AWS::AutoScaling::LifecycleHook");
    REQUIRE(hooks.size() == 1);
    CHECK(out("LifecycleHookName") == json{{"Ref", hooks.begin()->first}});
}

TEST_CASE("autoscaling::exact_capacity_policy: a step policy setting the group to N whatever the metric, as CDK writes it") {
    App app;
    auto& stack = make<Stack>(app, "Policies", StackProps{"Policies", {}, {"123456789012", "us-west-2"}});
    auto& group = make<CfnResource>(stack, "Group", "AWS::AutoScaling::AutoScalingGroup",
                                    Map{{"MinSize", "0"}, {"MaxSize", "1"}, {"AvailabilityZones", Fn::get_azs()},
                                        {"LaunchConfigurationName", "lc"}});
    auto& policy = aws::autoscaling::exact_capacity_policy(stack, "ScaleDownAsgAction", group.ref(), 0);
    make<CfnOutput>(stack, "PolicyArn", OutputProps{policy.policy_arn(), {}, {}, nullptr});
    CHECK_THROWS_AS(make<aws::autoscaling::StepScalingPolicy>(stack, "Empty", aws::autoscaling::StepScalingPolicyProps{}),
                    ConstructError);
    Assembly a = unit::synth_and_emit(app, "autoscaling-exact-capacity");
    json t = unit::template_of(a, "Policies");
    REQUIRE(t["Resources"].contains("ScaleDownAsgAction867F01D7")); // the reference Watchdog's logical id
    json p = t["Resources"]["ScaleDownAsgAction867F01D7"];
    json reference = reference_template("ContainerManagerMinecraftJavaExampleStackWatchdogNestedStack894D66AC.nested.template.json");
    json expected = reference["Resources"]["ScaleDownAsgAction867F01D7"]["Properties"];
    expected["AutoScalingGroupName"] = json{{"Ref", "Group"}};
    CHECK(p["Properties"] == expected);
    CHECK(t["Outputs"]["PolicyArn"]["Value"] == json{{"Ref", "ScaleDownAsgAction867F01D7"}});
}
