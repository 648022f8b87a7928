// The leaf's Volumes nested stack: one encrypted EFS per volume with mount targets, a policy that
// keeps anonymous clients out, access points per path plus the host's, the task-definition volumes
// and mount points, and the task role's access.
#include "leaf_nested_fixture.hpp"

#include "leafsynth/containermanager/container_stack.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"
#include "leafsynth/containermanager/volumes_stack.hpp"

using namespace leaf_nested;

namespace {

const char* kReference = "ContainerManagerMinecraftJavaExampleStackVolumesNestedStackA53A2553.nested.template.json";

struct Stacks {
    SecurityGroupsStack* security_groups;
    ContainerStack* container;
    VolumesStack* volumes;
};

Stacks make_stacks(Fixture& f) {
    auto& sgs = adopt_new<SecurityGroupsStack>(*f.leaf, f.names, f.config, *f.base);
    auto& container = adopt_new<ContainerStack>(*f.leaf, f.names, f.config);
    auto& volumes = adopt_new<VolumesStack>(*f.leaf, f.names, f.config, *f.base, sgs, container);
    return {&sgs, &container, &volumes};
}

/// The value a parameter of the Container nested template takes, resolved to the Volumes output it
/// comes from.
json from_volumes(const json& parent, const json& volumes, const json& ref) {
    return output_value(volumes, parameter_source(parent, "Container", ref));
}

} // namespace

TEST_CASE("Volumes: an encrypted, backed-up, retained EFS with the reference's file system policy") {
    Fixture f(sample_leaf());
    make_stacks(f);
    Assembly a = unit::synth_and_emit(f.app, "volumes-minecraft");
    json t = nested_template(a, f, "Volumes");
    json reference = reference_template(kReference);

    CHECK(t["Description"] == "Volume Logic for ContainerManager-MinecraftJavaExample-Stack");
    REQUIRE(t["Resources"].contains("Efs1FA54D681"));
    json fs = t["Resources"]["Efs1FA54D681"];
    json ref_fs = reference["Resources"]["Efs1FA54D681"];
    CHECK(fs["Type"] == "AWS::EFS::FileSystem");
    CHECK(fs["Properties"]["Encrypted"] == true);
    CHECK(fs["Properties"]["BackupPolicy"] == json{{"Status", "ENABLED"}});
    // Anonymous clients get no ClientMount: only IAM-authorized clients through a mount target mount.
    CHECK(fs["Properties"]["FileSystemPolicy"] == ref_fs["Properties"]["FileSystemPolicy"]);
    CHECK(fs["DeletionPolicy"] == "RetainExceptOnCreate");
    CHECK(fs["UpdateReplacePolicy"] == "Retain");
    CHECK(tag_map(fs["Properties"]["FileSystemTags"])["Name"] == "ContainerManager-MinecraftJavaExample-Stack/Volumes/Efs-1");

    // One mount target per public subnet, in the EFS security group.
    auto targets = resources_of(t, "AWS::EFS::MountTarget");
    REQUIRE(targets.size() == 1);
    json target = targets.begin()->second["Properties"];
    CHECK(target["FileSystemId"] == json{{"Ref", "Efs1FA54D681"}});
    json parent = unit::template_of(a, f.names.leaf_stack);
    json sgs = nested_template(a, f, "SecurityGroups");
    REQUIRE(target["SecurityGroups"].size() == 1);
    CHECK(output_value(sgs, parameter_source(parent, "Volumes", target["SecurityGroups"][0])) ==
          json::parse(R"({"Fn::GetAtt":["SgEfsTraffic24A6FDCC","GroupId"]})"));
    CHECK(parameter_source(parent, "Volumes", target["SubnetId"]).contains("Fn::ImportValue"));
}

TEST_CASE("Volumes: an access point per path and one for the host, as in the reference") {
    Fixture f(sample_leaf());
    make_stacks(f);
    Assembly a = unit::synth_and_emit(f.app, "volumes-access-points");
    json t = nested_template(a, f, "Volumes");
    json reference = reference_template(kReference);

    CHECK(resources_of(t, "AWS::EFS::AccessPoint").size() == 2);
    for (const char* id : {"Efs1MinecraftJavaExampledataC8D0F113", "Efs1efsaccesspointhost67545C81"}) {
        REQUIRE(t["Resources"].contains(id));
        json ap = t["Resources"][id]["Properties"];
        json ref_ap = reference["Resources"][id]["Properties"];
        CHECK(ap["FileSystemId"] == json{{"Ref", "Efs1FA54D681"}});
        CHECK(ap["RootDirectory"] == ref_ap["RootDirectory"]);
        CHECK(tag_map(ap["AccessPointTags"])["Name"] ==
              "ContainerManager-MinecraftJavaExample-Stack/Volumes/Efs-1/" +
                  std::string(id[4] == 'M' ? "MinecraftJavaExample-data" : "efs-access-point-host"));
    }
    json data = t["Resources"]["Efs1MinecraftJavaExampledataC8D0F113"]["Properties"]["RootDirectory"];
    CHECK(data == json::parse(R"({"CreationInfo":{"OwnerGid":"1000","OwnerUid":"1000","Permissions":"700"},"Path":"/data"})"));
    CHECK(t["Resources"]["Efs1efsaccesspointhost67545C81"]["Properties"]["RootDirectory"]["Path"] == "/");
}

TEST_CASE("Volumes: the task definition mounts each path through its access point, the task role may read/write") {
    Fixture f(sample_leaf());
    make_stacks(f);
    Assembly a = unit::synth_and_emit(f.app, "volumes-task-definition");
    json volumes = nested_template(a, f, "Volumes");
    json container = nested_template(a, f, "Container");
    json parent = unit::template_of(a, f.names.leaf_stack);

    json td = container["Resources"]["TaskDefinitionB36D86D9"]["Properties"];
    REQUIRE(td["Volumes"].size() == 1);
    json v = td["Volumes"][0];
    CHECK(v["Name"] == "MinecraftJavaExample-data");
    json efs = v["EFSVolumeConfiguration"];
    CHECK(efs["TransitEncryption"] == "ENABLED");
    CHECK(efs["AuthorizationConfig"]["IAM"] == "ENABLED");
    CHECK(from_volumes(parent, volumes, efs["FilesystemId"]) == json{{"Ref", "Efs1FA54D681"}});
    CHECK(from_volumes(parent, volumes, efs["AuthorizationConfig"]["AccessPointId"]) ==
          json{{"Ref", "Efs1MinecraftJavaExampledataC8D0F113"}});
    CHECK(td["ContainerDefinitions"][0]["MountPoints"] ==
          json::parse(R"([{"ContainerPath":"/data","ReadOnly":false,"SourceVolume":"MinecraftJavaExample-data"}])"));

    // ClientMount + ClientWrite on this file system only, through a mount target.
    json statements = container["Resources"]["TaskDefinitionTaskRoleDefaultPolicy282E8624"]["Properties"]["PolicyDocument"]["Statement"];
    REQUIRE(statements.size() == 2);
    json efs_statement = statements[1];
    CHECK(efs_statement["Action"] == json::array({"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}));
    CHECK(efs_statement["Effect"] == "Allow");
    CHECK(efs_statement["Condition"] == json::parse(R"({"Bool":{"elasticfilesystem:AccessedViaMountTarget":"true"}})"));
    CHECK(from_volumes(parent, volumes, efs_statement["Resource"]) == json::parse(R"({"Fn::GetAtt":["Efs1FA54D681","Arn"]})"));
}

TEST_CASE("Volumes: several volumes, per-volume backups and removal, read-only paths, a mount target per subnet") {
    LeafConfig config = sample_leaf("valheim.example.yaml");
    config.volumes[1].paths[0].read_only = true;
    config.volumes[1].paths.push_back(VolumePath{"/opt/valheim.extra/mods", false, {}});
    Fixture f(config, 2);
    auto stacks = make_stacks(f);
    Assembly a = unit::synth_and_emit(f.app, "volumes-valheim");
    json t = nested_template(a, f, "Volumes");
    json container = nested_template(a, f, "Container");

    auto file_systems = resources_of(t, "AWS::EFS::FileSystem");
    REQUIRE(file_systems.size() == 2);
    REQUIRE(t["Resources"].contains("Efs1FA54D681"));
    json first = t["Resources"]["Efs1FA54D681"];
    CHECK(first["Properties"]["BackupPolicy"]["Status"] == "ENABLED");
    CHECK(first["DeletionPolicy"] == "RetainExceptOnCreate");
    json second;
    for (const auto& [id, r] : file_systems)
        if (id != "Efs1FA54D681") second = r;
    CHECK(tag_map(second["Properties"]["FileSystemTags"])["Name"] == "ContainerManager-ValheimExample-Stack/Volumes/Efs-2");
    CHECK(second["Properties"]["BackupPolicy"]["Status"] == "DISABLED");
    CHECK(second["DeletionPolicy"] == "Delete");
    CHECK(second["UpdateReplacePolicy"] == "Delete");
    CHECK(second["Properties"]["Encrypted"] == true);

    // Two subnets: two mount targets per file system.
    CHECK(resources_of(t, "AWS::EFS::MountTarget").size() == 4);
    // Three paths + one host access point per file system.
    CHECK(resources_of(t, "AWS::EFS::AccessPoint").size() == 5);

    json td = container["Resources"]["TaskDefinitionB36D86D9"]["Properties"];
    std::vector<std::string> volume_names;
    for (const auto& v : td["Volumes"]) volume_names.push_back(v["Name"].get<std::string>());
    // `/` becomes `-`; other characters a volume name cannot hold too.
    CHECK(volume_names ==
          std::vector<std::string>{"ValheimExample-config", "ValheimExample-opt-valheim", "ValheimExample-opt-valheim-extra-mods"});
    CHECK(td["ContainerDefinitions"][0]["MountPoints"] == json::parse(R"([
        {"ContainerPath":"/config","ReadOnly":false,"SourceVolume":"ValheimExample-config"},
        {"ContainerPath":"/opt/valheim","ReadOnly":true,"SourceVolume":"ValheimExample-opt-valheim"},
        {"ContainerPath":"/opt/valheim.extra/mods","ReadOnly":false,"SourceVolume":"ValheimExample-opt-valheim-extra-mods"}])"));

    // The task role gets one statement per file system.
    json statements = container["Resources"]["TaskDefinitionTaskRoleDefaultPolicy282E8624"]["Properties"]["PolicyDocument"]["Statement"];
    CHECK(statements.size() == 3);

    // The handles the EcsAsg stack uses.
    const auto& handles = stacks.volumes->file_systems();
    REQUIRE(handles.size() == 2);
    CHECK(handles[0].name == "Efs-1");
    CHECK(handles[1].name == "Efs-2");
}

TEST_CASE("Volumes: without volumes the stack still deploys (a placeholder resource) and adds nothing to the task") {
    LeafConfig config = sample_leaf();
    config.volumes.clear();
    Fixture f(config);
    auto stacks = make_stacks(f);
    CHECK(stacks.volumes->file_systems().empty());
    Assembly a = unit::synth_and_emit(f.app, "volumes-none");
    json t = nested_template(a, f, "Volumes");
    CHECK(resource_types(t) == std::map<std::string, int>{{"AWS::CloudFormation::WaitConditionHandle", 1}});
    json container = nested_template(a, f, "Container");
    CHECK_FALSE(container["Resources"]["TaskDefinitionB36D86D9"]["Properties"].contains("Volumes"));
}
