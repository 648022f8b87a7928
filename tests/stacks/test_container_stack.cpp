// The leaf's Container nested stack: the EC2 task definition with its one container, task and
// execution roles, the container log group, and EFS volumes added to it.
#include "leaf_nested_fixture.hpp"

#include "leafsynth/containermanager/container_stack.hpp"

using namespace leaf_nested;

namespace {

const char* kReference = "ContainerManagerMinecraftJavaExampleStackContainerNestedStack83588CAB.nested.template.json";

/// The parent's output consuming the task definition ARN (so it is a real cross-stack reference).
void consume_task_definition(Fixture& f, const ContainerStack& container) {
    make<CfnOutput>(*f.leaf, "TaskDefinitionArn", OutputProps{container.task_definition_arn(), {}, {}, nullptr});
}

} // namespace

TEST_CASE("Container: an EC2 task definition in bridge mode with a task role and an execution role") {
    Fixture f(sample_leaf());
    auto& container = adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
    consume_task_definition(f, container);
    Assembly a = unit::synth_and_emit(f.app, "container-minecraft");
    json t = nested_template(a, f, "Container");
    json reference = reference_template(kReference);

    CHECK(t["Description"] == "Container Logic for ContainerManager-MinecraftJavaExample-Stack");
    // Logical ids as in the CDK reference.
    for (const char* id : {"TaskDefinitionB36D86D9", "TaskDefinitionTaskRoleFD40A61D", "TaskDefinitionExecutionRole8D61C2FB",
                           "ContainerLogGroupDE306E09", "TaskDefinitionTaskRoleDefaultPolicy282E8624",
                           "TaskDefinitionExecutionRoleDefaultPolicy1F3406F5"})
        CHECK(t["Resources"].contains(id));
    CHECK(resource_types(t) == std::map<std::string, int>{{"AWS::ECS::TaskDefinition", 1},
                                                          {"AWS::IAM::Role", 2},
                                                          {"AWS::IAM::Policy", 2},
                                                          {"AWS::Logs::LogGroup", 1}});

    json td = t["Resources"]["TaskDefinitionB36D86D9"]["Properties"];
    CHECK(td["NetworkMode"] == "bridge");
    CHECK(td["RequiresCompatibilities"] == json::array({"EC2"}));
    CHECK(td["TaskRoleArn"] == json::parse(R"({"Fn::GetAtt":["TaskDefinitionTaskRoleFD40A61D","Arn"]})"));
    CHECK(td["ExecutionRoleArn"] == json::parse(R"({"Fn::GetAtt":["TaskDefinitionExecutionRole8D61C2FB","Arn"]})"));
    CHECK_FALSE(td.contains("Volumes"));
    for (const char* role : {"TaskDefinitionTaskRoleFD40A61D", "TaskDefinitionExecutionRole8D61C2FB"})
        CHECK(t["Resources"][role]["Properties"]["AssumeRolePolicyDocument"] ==
              reference["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]);

    // The ARN reaches the parent through an output.
    json parent = unit::template_of(a, f.names.leaf_stack);
    CHECK(output_value(t, parent["Outputs"]["TaskDefinitionArn"]["Value"]) == json{{"Ref", "TaskDefinitionB36D86D9"}});
}

TEST_CASE("Container: one essential container <Alpha> with the image, ports, environment, memory and awslogs") {
    Fixture f(sample_leaf());
    adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
    Assembly a = unit::synth_and_emit(f.app, "container-definition");
    json t = nested_template(a, f, "Container");
    json reference = reference_template(kReference);

    json defs = t["Resources"]["TaskDefinitionB36D86D9"]["Properties"]["ContainerDefinitions"];
    REQUIRE(defs.size() == 1);
    json c = defs[0];
    json ref_c = reference["Resources"]["TaskDefinitionB36D86D9"]["Properties"]["ContainerDefinitions"][0];
    CHECK(c["Name"] == "MinecraftJavaExample");
    CHECK(c["Image"] == "itzg/minecraft-server");
    CHECK(c["Essential"] == true);
    CHECK(c["MemoryReservation"] == 2048);
    CHECK_FALSE(c.contains("Memory"));
    // Without Container.StopTimeoutSeconds, the longest ECS allows: time for the server to save.
    CHECK(c["StopTimeout"] == 120);
    CHECK(c["PortMappings"] == json::parse(R"([{"ContainerPort":25565,"HostPort":25565,"Protocol":"tcp"},
                                               {"ContainerPort":19132,"HostPort":19132,"Protocol":"udp"}])"));
    // The environment, in file order, exactly as the reference has it (booleans as True/False,
    // unset !ENV variables as UNDECLARED).
    CHECK(c["Environment"] == ref_c["Environment"]);
    CHECK(c["Environment"][0] == json{{"Name", "EULA"}, {"Value", "True"}});

    // awslogs into the log group, with the ContainerLogs prefix, in the stack's own region.
    json log = c["LogConfiguration"];
    CHECK(log["LogDriver"] == "awslogs");
    CHECK(log["Options"]["awslogs-group"] == json{{"Ref", "ContainerLogGroupDE306E09"}});
    CHECK(log["Options"]["awslogs-stream-prefix"] == "ContainerLogs");
    CHECK(log["Options"]["awslogs-region"] == json{{"Ref", "AWS::Region"}});

    json group = t["Resources"]["ContainerLogGroupDE306E09"];
    CHECK(group["Properties"]["LogGroupName"] == "/aws/ec2/ContainerManager-MinecraftJavaExample-Stack/Container/ContainerLogs");
    CHECK(group["Properties"]["RetentionInDays"] == 7);
    CHECK(group["DeletionPolicy"] == "Delete");
    CHECK(group["UpdateReplacePolicy"] == "Delete");

    // The task role (and the execution role, which ECS uses to deliver the logs) may write there only.
    json write = json::parse(R"({"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow",
                                 "Resource":{"Fn::GetAtt":["ContainerLogGroupDE306E09","Arn"]}})");
    json task_policy = t["Resources"]["TaskDefinitionTaskRoleDefaultPolicy282E8624"]["Properties"];
    CHECK(task_policy["PolicyDocument"]["Statement"] == json::array({write}));
    CHECK(task_policy["Roles"] == json::parse(R"([{"Ref":"TaskDefinitionTaskRoleFD40A61D"}])"));
    json exec_policy = t["Resources"]["TaskDefinitionExecutionRoleDefaultPolicy1F3406F5"]["Properties"];
    CHECK(exec_policy["PolicyDocument"] ==
          reference["Resources"]["TaskDefinitionExecutionRoleDefaultPolicy1F3406F5"]["Properties"]["PolicyDocument"]);
}

TEST_CASE("Container: add_efs_volume adds an IAM-authorized, encrypted EFS volume and its mount point") {
    Fixture f(sample_leaf("valheim.example.yaml"));
    auto& container = adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
    // File system and access point ids from the parent (as the Volumes stack's would be).
    auto& fs = make<CfnResource>(*f.leaf, "Fs", "AWS::EFS::FileSystem", Map{{"Encrypted", true}});
    auto& ap = make<CfnResource>(*f.leaf, "Ap", "AWS::EFS::AccessPoint", Map{{"FileSystemId", fs.ref()}});
    container.add_efs_volume("ValheimExample-config", fs.ref(), ap.ref(), "/config", false);
    container.add_efs_volume("ValheimExample-opt-valheim", fs.ref(), ap.ref(), "/opt/valheim", true);
    CHECK_THROWS_AS(container.add_efs_volume("ValheimExample-config", fs.ref(), ap.ref(), "/other", false), ConstructError);
    Assembly a = unit::synth_and_emit(f.app, "container-efs-volumes");
    json t = nested_template(a, f, "Container");
    json parent = unit::template_of(a, f.names.leaf_stack);

    json td = t["Resources"]["TaskDefinitionB36D86D9"]["Properties"];
    REQUIRE(td["Volumes"].size() == 2);
    json v = td["Volumes"][0];
    CHECK(v["Name"] == "ValheimExample-config");
    json efs = v["EFSVolumeConfiguration"];
    CHECK(efs["TransitEncryption"] == "ENABLED");
    CHECK(efs["AuthorizationConfig"]["IAM"] == "ENABLED");
    CHECK(parameter_source(parent, "Container", efs["FilesystemId"]) == json{{"Ref", "Fs"}});
    CHECK(parameter_source(parent, "Container", efs["AuthorizationConfig"]["AccessPointId"]) == json{{"Ref", "Ap"}});
    CHECK(td["Volumes"][1]["Name"] == "ValheimExample-opt-valheim");

    json c = td["ContainerDefinitions"][0];
    CHECK(c["Name"] == "ValheimExample");
    CHECK(c["MountPoints"] == json::parse(R"([
        {"ContainerPath":"/config","ReadOnly":false,"SourceVolume":"ValheimExample-config"},
        {"ContainerPath":"/opt/valheim","ReadOnly":true,"SourceVolume":"ValheimExample-opt-valheim"}])"));
    CHECK(c["PortMappings"] == json::parse(R"([{"ContainerPort":2456,"HostPort":2456,"Protocol":"udp"},
                                               {"ContainerPort":2457,"HostPort":2457,"Protocol":"udp"}])"));
}

TEST_CASE("Container: Container.StopTimeoutSeconds is the container's StopTimeout, out of ECS's range is refused") {
    for (int seconds : {2, 30, 120}) {
        INFO(seconds);
        LeafConfig config = sample_leaf();
        config.container.stop_timeout_seconds = seconds;
        Fixture f(config);
        adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
        json t = nested_template(unit::synth_and_emit(f.app, "container-stop-" + std::to_string(seconds)), f, "Container");
        CHECK(t["Resources"]["TaskDefinitionB36D86D9"]["Properties"]["ContainerDefinitions"][0]["StopTimeout"] == seconds);
    }
    // The construct checks the range itself, for programs that build configs in C++.
    for (int seconds : {1, 121}) {
        INFO(seconds);
        LeafConfig config = sample_leaf();
        config.container.stop_timeout_seconds = seconds;
        Fixture f(config);
        try {
            adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
            FAIL("expected a ConstructError");
        } catch (const ConstructError& e) {
            const std::string message = e.what();
            CHECK(message.find("Container/TaskDefinition") != std::string::npos);
            CHECK(message.find("stop timeout " + std::to_string(seconds) + " s") != std::string::npos);
            CHECK(message.find("use 2 to 120") != std::string::npos);
        }
    }
}
