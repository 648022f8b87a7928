// Template comparison: each kind of change, replacement classification, stateful hazards.

#include <catch2/catch.hpp>

#include <algorithm>

#include "leafsynth/diff.hpp"

using leafsynth::ChangeKind;
using leafsynth::diff_templates;
using leafsynth::Impact;
using leafsynth::parse_template;
using leafsynth::ResourceChange;
using leafsynth::TemplateDiff;
using nlohmann::json;

namespace {

json resources(const json& r) { return json{{"Resources", r}}; }

/// The one resource change of a diff between two single-resource templates.
ResourceChange only_change(const json& old_resource, const json& new_resource) {
    const TemplateDiff d = diff_templates(resources({{"R", old_resource}}), resources({{"R", new_resource}}));
    REQUIRE(d.resources.size() == 1);
    return d.resources[0];
}

const json kLaunchTemplate = json::parse(R"({
  "Type": "AWS::EC2::LaunchTemplate",
  "Properties": {"LaunchTemplateData": {"InstanceType": "m5.large", "ImageId": {"Ref": "Ami"}}}
})");

const json kAccessPoint = json::parse(R"({
  "Type": "AWS::EFS::AccessPoint",
  "Properties": {
    "FileSystemId": {"Ref": "Fs"},
    "PosixUser": {"Gid": "1000", "Uid": "1000"},
    "RootDirectory": {"Path": "/data", "CreationInfo": {"OwnerGid": "1000", "OwnerUid": "1000", "Permissions": "755"}}
  }
})");

const json kTaskDefinition = json::parse(R"({
  "Type": "AWS::ECS::TaskDefinition",
  "Properties": {
    "Family": "minecraft",
    "ContainerDefinitions": [{
      "Name": "game", "Image": "itzg/minecraft-server", "Essential": true,
      "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "Logs"}}},
      "PortMappings": [{"ContainerPort": 25565, "HostPort": 25565, "Protocol": "tcp"}]
    }]
  }
})");

bool has_reason(const ResourceChange& c, const std::string& text) {
    return std::any_of(c.reasons.begin(), c.reasons.end(),
                       [&](const std::string& r) { return r.find(text) != std::string::npos; });
}

bool has_hazard(const ResourceChange& c, const std::string& text) {
    return std::any_of(c.hazards.begin(), c.hazards.end(),
                       [&](const std::string& h) { return h.find(text) != std::string::npos; });
}

} // namespace

TEST_CASE("Resources added, removed and modified, with property paths and old and new values") {
    const json old_t = resources({{"Keep", kLaunchTemplate}, {"Gone", {{"Type", "AWS::SNS::Topic"}}}});
    json changed = kLaunchTemplate;
    changed["Properties"]["LaunchTemplateData"]["InstanceType"] = "m5.xlarge";
    changed["Properties"]["LaunchTemplateData"]["KeyName"] = "key";
    const json new_t = resources({{"Keep", changed}, {"New", {{"Type", "AWS::SQS::Queue"}}}});
    const TemplateDiff d = diff_templates(old_t, new_t);
    REQUIRE(d.resources.size() == 3);
    auto find = [&](const std::string& id) {
        return *std::find_if(d.resources.begin(), d.resources.end(), [&](auto& r) { return r.logical_id == id; });
    };
    CHECK(find("Gone").kind == ChangeKind::Removed);
    CHECK(find("Gone").type() == "AWS::SNS::Topic");
    CHECK(find("New").kind == ChangeKind::Added);
    CHECK(find("New").new_type == "AWS::SQS::Queue");
    const ResourceChange keep = find("Keep");
    CHECK(keep.kind == ChangeKind::Modified);
    CHECK(keep.impact == Impact::UpdateInPlace);
    REQUIRE(keep.changes.size() == 2);
    CHECK(keep.changes[0].path == "Properties.LaunchTemplateData.InstanceType");
    CHECK(keep.changes[0].kind == ChangeKind::Modified);
    CHECK(keep.changes[0].old_value == "m5.large");
    CHECK(keep.changes[0].new_value == "m5.xlarge");
    CHECK(keep.changes[1].path == "Properties.LaunchTemplateData.KeyName");
    CHECK(keep.changes[1].kind == ChangeKind::Added);
    CHECK(keep.changes[1].new_value == "key");
}

TEST_CASE("Every section is compared: Parameters, Outputs, Conditions, Mappings, Rules, Description, Transform, Metadata") {
    const json old_t = json::parse(R"({
      "Description": "old", "Metadata": {"Tool": {"Version": 1}},
      "Parameters": {"A": {"Type": "String", "Default": "x"}, "B": {"Type": "Number"}},
      "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "A"}, "prod"]}},
      "Mappings": {"M": {"us-east-1": {"Ami": "ami-1"}}},
      "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "A"}, "x"]}}]}},
      "Outputs": {"O": {"Value": "1"}, "Gone": {"Value": "2"}},
      "Resources": {}
    })");
    const json new_t = json::parse(R"({
      "Description": "new", "Transform": "AWS::Serverless-2016-10-31", "Metadata": {"Tool": {"Version": 2}},
      "Parameters": {"A": {"Type": "String", "Default": "y"}, "C": {"Type": "String"}, "B": {"Type": "Number"}},
      "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "A"}, "production"]}},
      "Mappings": {"M": {"us-east-1": {"Ami": "ami-2"}}},
      "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "A"}, "y"]}}]}},
      "Outputs": {"O": {"Value": 1}, "New": {"Value": "3"}},
      "Resources": {}
    })");
    const TemplateDiff d = diff_templates(old_t, new_t);
    CHECK(d.resources.empty());
    auto entry = [&](const std::string& section, const std::string& name) -> const leafsynth::EntryChange* {
        for (const auto& e : d.entries)
            if (e.section == section && e.name == name) return &e;
        return nullptr;
    };
    REQUIRE(entry("Parameters", "A"));
    CHECK(entry("Parameters", "A")->kind == ChangeKind::Modified);
    REQUIRE(entry("Parameters", "A")->changes.size() == 1);
    CHECK(entry("Parameters", "A")->changes[0].path == "Default");
    REQUIRE(entry("Parameters", "C"));
    CHECK(entry("Parameters", "C")->kind == ChangeKind::Added);
    CHECK_FALSE(entry("Parameters", "B"));
    REQUIRE(entry("Conditions", "IsProd"));
    CHECK(entry("Conditions", "IsProd")->changes[0].path == "Fn::Equals[1]");
    REQUIRE(entry("Mappings", "M"));
    CHECK(entry("Mappings", "M")->changes[0].path == "us-east-1.Ami");
    REQUIRE(entry("Rules", "R"));
    CHECK_FALSE(entry("Outputs", "O")); // "1" and 1 are the same output value
    REQUIRE(entry("Outputs", "Gone"));
    CHECK(entry("Outputs", "Gone")->kind == ChangeKind::Removed);
    REQUIRE(entry("Outputs", "New"));
    CHECK(entry("Outputs", "New")->kind == ChangeKind::Added);
    CHECK(d.entries.size() == 7);

    REQUIRE(d.sections.size() == 3);
    CHECK(d.sections[0].path == "Description");
    CHECK(d.sections[0].old_value == "old");
    CHECK(d.sections[0].new_value == "new");
    CHECK(d.sections[1].path == "Metadata.Tool.Version");
    CHECK(d.sections[2].path == "Transform");
    CHECK(d.sections[2].kind == ChangeKind::Added);
}

TEST_CASE("List changes are aligned: an inserted item shows as one addition") {
    const json a = resources({{"T", {{"Type", "AWS::SNS::Topic"}, {"Properties", {{"Tags", json::parse(R"([{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "3"}])")}}}}}});
    const json b = resources({{"T", {{"Type", "AWS::SNS::Topic"}, {"Properties", {{"Tags", json::parse(R"([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}])")}}}}}});
    const TemplateDiff d = diff_templates(a, b);
    REQUIRE(d.resources.size() == 1);
    REQUIRE(d.resources[0].changes.size() == 1);
    CHECK(d.resources[0].changes[0].path == "Properties.Tags[1]");
    CHECK(d.resources[0].changes[0].kind == ChangeKind::Added);
    CHECK(d.resources[0].changes[0].new_value == json{{"Key", "b"}, {"Value", "2"}});
}

TEST_CASE("Replacement: an instance type is updated in place") {
    json n = kLaunchTemplate;
    n["Properties"]["LaunchTemplateData"]["InstanceType"] = "t3.large";
    const ResourceChange c = only_change(kLaunchTemplate, n);
    CHECK(c.impact == Impact::UpdateInPlace);
    CHECK(c.reasons.empty());
    CHECK_FALSE(c.stateful);
    CHECK(c.hazards.empty());
}

TEST_CASE("Replacement: an access point's root directory path is create-only") {
    json n = kAccessPoint;
    n["Properties"]["RootDirectory"]["Path"] = "/data2";
    const ResourceChange c = only_change(kAccessPoint, n);
    CHECK(c.impact == Impact::WillReplace);
    CHECK(has_reason(c, "RootDirectory.Path is create-only"));
    CHECK_FALSE(has_reason(c, "RootDirectory is create-only")); // the most specific path only
    REQUIRE(c.changes.size() == 1);
    CHECK(c.changes[0].path == "Properties.RootDirectory.Path");
}

TEST_CASE("Replacement: a port mapping in a task definition's container definitions") {
    json n = kTaskDefinition;
    n["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["ContainerPort"] = 25566;
    n["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["HostPort"] = 25566;
    const ResourceChange c = only_change(kTaskDefinition, n);
    // ContainerDefinitions holds intrinsics elsewhere, but the port itself is a literal.
    CHECK(c.impact == Impact::WillReplace);
    CHECK(has_reason(c, "ContainerDefinitions[0].PortMappings[0].ContainerPort is create-only")); // the most specific paths
    CHECK(has_reason(c, "ContainerDefinitions[0].PortMappings[0].HostPort is create-only"));
    REQUIRE(c.changes.size() == 2);
    CHECK(c.changes[0].path == "Properties.ContainerDefinitions[0].PortMappings[0].ContainerPort");
}

TEST_CASE("Replacement: a create-only value that changes only through intrinsics may be replaced") {
    json n = kAccessPoint;
    n["Properties"]["FileSystemId"] = json{{"Ref", "OtherFs"}};
    const ResourceChange c = only_change(kAccessPoint, n);
    CHECK(c.impact == Impact::MayReplace);
    CHECK(has_reason(c, "FileSystemId is create-only and its value involves intrinsic functions"));

    json literal = kAccessPoint;
    literal["Properties"]["FileSystemId"] = "fs-12345678";
    CHECK(only_change(kAccessPoint, literal).impact == Impact::MayReplace); // Ref -> literal: may resolve alike

    // A literal part of Fn::Join changes the result for certain; a Ref inside it may not.
    const json lg = json::parse(R"({"Type": "AWS::Logs::LogGroup", "Properties": {
      "LogGroupName": {"Fn::Join": ["", ["/a/", {"Ref": "Name"}]]}}})");
    json lg_literal = lg;
    lg_literal["Properties"]["LogGroupName"]["Fn::Join"][1][0] = "/b/";
    CHECK(only_change(lg, lg_literal).impact == Impact::WillReplace);
    json lg_ref = lg;
    lg_ref["Properties"]["LogGroupName"]["Fn::Join"][1][1] = json{{"Ref", "OtherName"}};
    CHECK(only_change(lg, lg_ref).impact == Impact::MayReplace);
}

TEST_CASE("Replacement: a conditionally create-only property may replace") {
    // The schemas mark an instance's type "may replace" (EBS-backed instances are stopped instead).
    const json instance = json::parse(R"({"Type": "AWS::EC2::Instance",
      "Properties": {"ImageId": "ami-1", "InstanceType": "t3.small", "Monitoring": false}})");
    json n = instance;
    n["Properties"]["InstanceType"] = "t3.large";
    const ResourceChange c = only_change(instance, n);
    CHECK(c.impact == Impact::MayReplace);
    CHECK(has_reason(c, "InstanceType is conditionally create-only"));

    json monitoring = instance;
    monitoring["Properties"]["Monitoring"] = true;
    CHECK(only_change(instance, monitoring).impact == Impact::UpdateInPlace);
}

TEST_CASE("Replacement: a type change always replaces") {
    const ResourceChange c =
        only_change({{"Type", "AWS::SNS::Topic"}}, {{"Type", "AWS::SQS::Queue"}});
    CHECK(c.impact == Impact::WillReplace);
    CHECK(has_reason(c, "AWS::SNS::Topic -> AWS::SQS::Queue"));
    CHECK(c.old_type == "AWS::SNS::Topic");
    CHECK(c.new_type == "AWS::SQS::Queue");
}

TEST_CASE("Replacement: unknown types may be replaced, custom resources are updated") {
    const json unknown = {{"Type", "AWS::Made::Up"}, {"Properties", {{"A", 1}}}};
    json unknown2 = unknown;
    unknown2["Properties"]["A"] = 2;
    const ResourceChange u = only_change(unknown, unknown2);
    CHECK(u.impact == Impact::MayReplace);
    CHECK(has_reason(u, "no create-only property data for AWS::Made::Up"));

    const json custom = {{"Type", "Custom::Thing"}, {"Properties", {{"ServiceToken", "arn"}, {"A", 1}}}};
    json custom2 = custom;
    custom2["Properties"]["A"] = 2;
    CHECK(only_change(custom, custom2).impact == Impact::UpdateInPlace);
}

TEST_CASE("Replacement: metadata-only and DependsOn changes are updates") {
    json n = kAccessPoint;
    n["Metadata"] = {{"aws:cdk:path", "X/Y"}};
    n["DependsOn"] = "Other";
    const ResourceChange c = only_change(kAccessPoint, n);
    CHECK(c.impact == Impact::UpdateInPlace);
    CHECK(c.changes.size() == 2);
}

TEST_CASE("Stateful: removing a file system is flagged loudly") {
    const json fs = {{"Type", "AWS::EFS::FileSystem"}, {"Properties", {{"Encrypted", true}}}};
    const TemplateDiff d = diff_templates(resources({{"Fs", fs}}), resources(json::object()));
    REQUIRE(d.resources.size() == 1);
    CHECK(d.resources[0].kind == ChangeKind::Removed);
    CHECK(d.resources[0].stateful);
    CHECK(has_hazard(d.resources[0], "REMOVED: stateful resource AWS::EFS::FileSystem is deleted with its data"));
}

TEST_CASE("Stateful: a retained resource removed from the stack is kept, and said so") {
    const json zone = {{"Type", "AWS::Route53::HostedZone"}, {"DeletionPolicy", "Retain"}, {"Properties", {{"Name", "a.example.com"}}}};
    const TemplateDiff d = diff_templates(resources({{"Zone", zone}}), resources(json::object()));
    REQUIRE(d.resources.size() == 1);
    CHECK(has_hazard(d.resources[0], "DeletionPolicy Retain keeps the physical resource"));
}

TEST_CASE("Stateful: replacing a log group and changing a DeletionPolicy are flagged") {
    const json lg = {{"Type", "AWS::Logs::LogGroup"}, {"Properties", {{"LogGroupName", "/a"}}}};
    json renamed = lg;
    renamed["Properties"]["LogGroupName"] = "/b";
    const ResourceChange c = only_change(lg, renamed);
    CHECK(c.impact == Impact::WillReplace);
    CHECK(c.stateful);
    CHECK(has_hazard(c, "REPLACED: stateful resource AWS::Logs::LogGroup"));

    json retained = lg;
    retained["DeletionPolicy"] = "Retain";
    retained["UpdateReplacePolicy"] = "Retain";
    const ResourceChange p = only_change(retained, lg);
    CHECK(p.impact == Impact::UpdateInPlace);
    CHECK(has_hazard(p, "DeletionPolicy changes: Retain -> (default: Delete)"));
    CHECK(has_hazard(p, "UpdateReplacePolicy changes: Retain -> (default: Delete)"));
}

TEST_CASE("Stateful: any resource with a Retain policy counts as stateful, a plain one does not") {
    const json topic = {{"Type", "AWS::SNS::Topic"}, {"UpdateReplacePolicy", "Retain"}, {"Properties", {{"TopicName", "a"}}}};
    json renamed = topic;
    renamed["Properties"]["TopicName"] = "b";
    const ResourceChange c = only_change(topic, renamed);
    CHECK(c.stateful);
    CHECK(c.impact == Impact::WillReplace);
    CHECK(has_hazard(c, "UpdateReplacePolicy Retain keeps the old one"));

    const json fn = {{"Type", "AWS::Lambda::Function"}, {"Properties", {{"FunctionName", "a"}}}};
    const TemplateDiff d = diff_templates(resources({{"F", fn}}), resources(json::object()));
    CHECK_FALSE(d.resources[0].stateful);
    CHECK(d.resources[0].hazards.empty());
}

TEST_CASE("Identical templates, and an empty template against itself, have no differences") {
    const json t = resources({{"Ap", kAccessPoint}, {"Td", kTaskDefinition}});
    CHECK(diff_templates(t, t).empty());
    CHECK(diff_templates(json::object(), json::object()).empty());
    const TemplateDiff all_new = diff_templates(json::object(), t);
    CHECK(all_new.resources.size() == 2);
    CHECK(std::all_of(all_new.resources.begin(), all_new.resources.end(),
                      [](const ResourceChange& r) { return r.kind == ChangeKind::Added && r.impact == Impact::None; }));
}

TEST_CASE("A resource re-created under a new logical id is paired with the one it replaces") {
    json renamed = kAccessPoint;
    renamed["Properties"]["RootDirectory"]["Path"] = "/srv/data";
    const json other = {{"Type", "AWS::SNS::Topic"}, {"Properties", {{"TopicName", "x"}}}};
    const TemplateDiff d = diff_templates(resources({{"ApData", kAccessPoint}, {"T1", other}}),
                                          resources({{"ApSrvData", renamed}, {"T2", {{"Type", "AWS::SNS::Topic"}}}}));
    REQUIRE(d.resources.size() == 4);
    for (const auto& r : d.resources) {
        if (r.logical_id == "ApData") CHECK(r.counterpart == "ApSrvData");
        if (r.logical_id == "ApSrvData") CHECK(r.counterpart == "ApData");
        if (r.type() == "AWS::SNS::Topic") CHECK(r.counterpart.empty()); // too different to be the same topic
    }

    const json fs = {{"Type", "AWS::EFS::FileSystem"}, {"Properties", {{"Encrypted", true}, {"PerformanceMode", "generalPurpose"}}}};
    const TemplateDiff moved = diff_templates(resources({{"Fs1", fs}}), resources({{"Fs2", fs}}));
    REQUIRE(moved.resources.size() == 2);
    const auto& removed = moved.resources[0];
    CHECK(removed.logical_id == "Fs1");
    CHECK(removed.counterpart == "Fs2");
    CHECK(has_hazard(removed, "REPLACED under a new logical id by Fs2"));
}

TEST_CASE("An explicit Delete policy is the default, except where the default is Snapshot") {
    json topic = {{"Type", "AWS::SNS::Topic"}, {"Properties", {{"TopicName", "a"}}}};
    json explicit_delete = topic;
    explicit_delete["DeletionPolicy"] = "Delete";
    explicit_delete["UpdateReplacePolicy"] = "Delete";
    CHECK(diff_templates(resources({{"T", topic}}), resources({{"T", explicit_delete}})).empty());

    json db = {{"Type", "AWS::RDS::DBInstance"}, {"Properties", {{"DBInstanceClass", "db.t3.micro"}}}};
    json db_delete = db;
    db_delete["DeletionPolicy"] = "Delete";
    const ResourceChange c = only_change(db, db_delete);
    CHECK(c.impact == Impact::UpdateInPlace);
    CHECK(has_hazard(c, "DeletionPolicy changes: (default: Snapshot) -> Delete"));
}

// --- knock-on replacements --------------------------------------------------------------------

namespace {

const ResourceChange& change_of(const TemplateDiff& d, const std::string& id) {
    for (const auto& c : d.resources)
        if (c.logical_id == id) return c;
    FAIL("no change for " << id);
    throw std::logic_error("unreachable");
}

/// One modified stack holding `d`, for the reports.
leafsynth::AssemblyDiff as_assembly(const TemplateDiff& d) {
    leafsynth::StackDiff s;
    s.name = "S";
    s.status = leafsynth::StackStatus::Modified;
    s.diff = d;
    leafsynth::AssemblyDiff a;
    a.stacks.push_back(s);
    return a;
}

/// A file system with a mount target, an access point, and a function that names it.
json efs_template(bool encrypted) {
    return json::parse(R"({"Resources": {
      "Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {"Encrypted": )" + std::string(encrypted ? "true" : "false") + R"(}},
      "Mount": {"Type": "AWS::EFS::MountTarget", "Properties": {"FileSystemId": {"Ref": "Fs"}, "SubnetId": "subnet-1",
                "SecurityGroups": ["sg-1"]}},
      "Ap": {"Type": "AWS::EFS::AccessPoint", "Properties": {"FileSystemId": {"Fn::GetAtt": ["Fs", "FileSystemId"]}}},
      "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/r", "Code": {"ZipFile": "x"},
             "Handler": "h", "Runtime": "python3.12",
             "Environment": {"Variables": {"FS": {"Fn::Sub": ["${Fs}:${Region}", {"Region": "x"}]}}}}},
      "Other": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}
    }})");
}

} // namespace

TEST_CASE("Resources that refer to a replaced one are updated, or replaced through create-only properties") {
    // Fn's Fn::Sub names ${Fs} (a resource) and ${Region} (one of its own variables).
    const TemplateDiff d = diff_templates(efs_template(true), efs_template(false));
    REQUIRE(d.resources.size() == 4); // Fs, Mount, Ap, Fn; not Other
    const ResourceChange& fs = change_of(d, "Fs");
    CHECK(fs.impact == Impact::WillReplace);
    CHECK(fs.caused_by.empty());
    CHECK_FALSE(fs.hazards.empty()); // stateful, replaced
    const ResourceChange& mount = change_of(d, "Mount");
    CHECK(mount.kind == ChangeKind::Modified);
    CHECK(mount.impact == Impact::WillReplace);
    CHECK(mount.changes.empty()); // its own text is unchanged
    CHECK(mount.caused_by == std::vector<std::string>{"Fs"});
    CHECK(mount.reasons == std::vector<std::string>{"FileSystemId is create-only and refers to Fs, which will be replaced"});
    CHECK(change_of(d, "Ap").impact == Impact::WillReplace); // through Fn::GetAtt
    const ResourceChange& fn = change_of(d, "Fn");
    CHECK(fn.impact == Impact::UpdateInPlace);
    CHECK(fn.reasons == std::vector<std::string>{"Environment refers to Fs, which will be replaced"});
    // The report says why.
    const std::string report = leafsynth::render_diff(as_assembly(d));
    CHECK(report.find("AWS::EFS::MountTarget Mount  WILL BE REPLACED (FileSystemId is create-only and refers to Fs") !=
          std::string::npos);
}

TEST_CASE("Knock-on replacements are followed through chains, in-place updates do not propagate") {
    const json old_t = json::parse(R"({"Resources": {
      "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
      "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
      "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "Subnet"},
                "RouteTableId": "rtb-1"}},
      "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "a"}},
      "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "email",
              "Endpoint": "a@example.com"}}
    }})");
    json new_t = old_t;
    new_t["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.1.0.0/16";
    new_t["Resources"]["Topic"]["Properties"]["DisplayName"] = "b"; // in place: no knock-on
    const TemplateDiff d = diff_templates(old_t, new_t);
    CHECK(change_of(d, "Vpc").impact == Impact::WillReplace);
    CHECK(change_of(d, "Subnet").impact == Impact::WillReplace);
    const ResourceChange& assoc = change_of(d, "Assoc");
    CHECK(assoc.impact == Impact::WillReplace);
    CHECK(assoc.caused_by == std::vector<std::string>{"Subnet"});
    CHECK(change_of(d, "Topic").impact == Impact::UpdateInPlace);
    CHECK(std::none_of(d.resources.begin(), d.resources.end(),
                       [](const ResourceChange& c) { return c.logical_id == "Sub"; }));
    // Sorted by logical id, as without knock-ons.
    std::vector<std::string> ids;
    for (const auto& c : d.resources) ids.push_back(c.logical_id);
    CHECK(ids == std::vector<std::string>{"Assoc", "Subnet", "Topic", "Vpc"});
    CHECK(leafsynth::diff_to_json(as_assembly(d))["stacks"][0]
              ["resources"][0]["caused_by"] == json::array({"Subnet"}));
}
