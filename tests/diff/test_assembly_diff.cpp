// Assemblies: stacks matched by name, nested stacks under their parents, TemplateURL changes that
// only follow the nested template's hash, the two-template form, and the reports.

#include <catch2/catch.hpp>

#include <fstream>

#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"
#include "support.hpp"

using leafsynth::AssemblyDiff;
using leafsynth::AssemblyFiles;
using leafsynth::ChangeKind;
using leafsynth::diff_assemblies;
using leafsynth::StackDiff;
using leafsynth::StackStatus;
using nlohmann::json;

namespace {

const char* kNestedJson = R"({
 "Parameters": {"VpcRef": {"Type": "String"}},
 "Resources": {
  "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "game", "VpcId": {"Ref": "VpcRef"},
    "SecurityGroupIngress": [{"IpProtocol": "udp", "FromPort": 2456, "ToPort": 2456, "CidrIp": "0.0.0.0/0"}]}}
 },
 "Outputs": {"SgId": {"Value": {"Fn::GetAtt": ["Sg", "GroupId"]}}}
})";

const char* kNestedYaml = R"(Parameters:
  VpcRef:
    Type: String
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: game
      VpcId: !Ref VpcRef
      SecurityGroupIngress:
        - IpProtocol: udp
          FromPort: 2456
          ToPort: 2456
          CidrIp: 0.0.0.0/0
Outputs:
  SgId:
    Value: !GetAtt Sg.GroupId
)";

std::string parent_template(const std::string& nested_hash, const std::string& ext, const std::string& topic_name) {
    json t = {{"Resources",
               {{"Topic", {{"Type", "AWS::SNS::Topic"}, {"Properties", {{"TopicName", topic_name}}}}},
                {"SecurityGroupsNestedStack",
                 {{"Type", "AWS::CloudFormation::Stack"},
                  {"Properties",
                   {{"Parameters", {{"VpcRef", "vpc-1"}}},
                    {"TemplateURL", {{"Fn::Sub", "https://s3.us-west-2.${AWS::URLSuffix}/bucket/" + nested_hash + "." + ext}}}}}}}}}};
    return t.dump(1);
}

json manifest(const std::vector<std::pair<std::string, std::string>>& stacks, const std::string& ext) {
    json artifacts = json::object();
    for (const auto& [name, region] : stacks)
        artifacts[name] = {{"type", "aws:cloudformation:stack"},
                           {"environment", "aws://123456789012/" + region},
                           {"properties", {{"templateFile", name + ".template." + ext}}}};
    return {{"version", "36.0.0"}, {"artifacts", artifacts}};
}

/// An assembly with a "Game" stack (one nested stack) and a "Base" stack.
AssemblyFiles assembly(const std::string& nested_text, const std::string& ext, const std::string& topic_name = "t",
                       bool with_base = true) {
    AssemblyFiles files;
    const std::string hash = leafsynth::sha256_hex(nested_text);
    files["Game.SecurityGroups.nested.template." + ext] = nested_text;
    files["Game.template." + ext] = parent_template(hash, ext, topic_name);
    std::vector<std::pair<std::string, std::string>> stacks = {{"Game", "us-west-2"}};
    if (with_base) {
        files["Base.template." + ext] = R"({"Resources": {"Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com"}}}})";
        stacks.insert(stacks.begin(), {"Base", "us-west-2"});
    }
    files["manifest.json"] = manifest(stacks, ext).dump(1);
    return files;
}

const StackDiff& stack(const AssemblyDiff& d, const std::string& name) {
    for (const auto& s : d.stacks)
        if (s.name == name) return s;
    FAIL("no stack " << name);
    throw std::logic_error("unreachable");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    return s;
}

} // namespace

TEST_CASE("The same assembly in JSON and in YAML has no differences, TemplateURL hashes aside") {
    const AssemblyFiles a = assembly(kNestedJson, "json");
    const AssemblyFiles b = assembly(kNestedYaml, "yaml");
    REQUIRE(a.at("Game.template.json") != b.at("Game.template.yaml")); // the nested template hashes differ
    const AssemblyDiff d = diff_assemblies(a, b);
    CHECK_FALSE(d.has_differences());
    REQUIRE(d.stacks.size() == 2);
    CHECK(d.stacks[0].name == "Base");
    CHECK(d.stacks[1].name == "Game");
    CHECK(d.stacks[1].region == "us-west-2");
    REQUIRE(d.stacks[1].nested.size() == 1);
    CHECK(d.stacks[1].nested[0].name == "SecurityGroupsNestedStack");
    CHECK(d.stacks[1].nested[0].status == StackStatus::Unchanged);
    CHECK(d.stacks[1].diff.empty());
}

TEST_CASE("A nested template change shows under its parent, without the TemplateURL change") {
    const std::string changed = replace_all(kNestedJson, "2456", "2458");
    const AssemblyDiff d = diff_assemblies(assembly(kNestedJson, "json"), assembly(changed, "json"));
    CHECK(d.has_differences());
    CHECK(stack(d, "Base").status == StackStatus::Unchanged);
    const StackDiff& game = stack(d, "Game");
    CHECK(game.status == StackStatus::Modified);
    CHECK(game.diff.resources.empty()); // the parent's only change was the TemplateURL
    REQUIRE(game.nested.size() == 1);
    const StackDiff& nested = game.nested[0];
    CHECK(nested.status == StackStatus::Modified);
    CHECK(nested.old_template == "Game.SecurityGroups.nested.template.json");
    REQUIRE(nested.diff.resources.size() == 1);
    CHECK(nested.diff.resources[0].logical_id == "Sg");
    CHECK(nested.diff.resources[0].impact == leafsynth::Impact::UpdateInPlace);
    CHECK(nested.diff.security.rules.size() == 2);
}

TEST_CASE("A parent change next to an unchanged nested stack") {
    const AssemblyDiff d = diff_assemblies(assembly(kNestedJson, "json", "t"), assembly(kNestedYaml, "yaml", "u"));
    const StackDiff& game = stack(d, "Game");
    CHECK(game.status == StackStatus::Modified);
    REQUIRE(game.diff.resources.size() == 1);
    CHECK(game.diff.resources[0].logical_id == "Topic");
    CHECK(game.diff.resources[0].impact == leafsynth::Impact::WillReplace); // TopicName is create-only
    CHECK(game.nested[0].status == StackStatus::Unchanged);
}

TEST_CASE("Stacks only in the new assembly are entirely new, those only in the old one removed") {
    const AssemblyDiff added = diff_assemblies(assembly(kNestedJson, "json", "t", false), assembly(kNestedJson, "json"));
    const StackDiff& base = stack(added, "Base");
    CHECK(base.status == StackStatus::Added);
    REQUIRE(base.diff.resources.size() == 1);
    CHECK(base.diff.resources[0].kind == ChangeKind::Added);
    CHECK(stack(added, "Game").status == StackStatus::Unchanged);

    const AssemblyDiff removed = diff_assemblies(assembly(kNestedJson, "json"), assembly(kNestedJson, "json", "t", false));
    REQUIRE(removed.stacks.size() == 2);
    CHECK(removed.stacks[1].name == "Base"); // stacks only in the old assembly come last
    CHECK(removed.stacks[1].status == StackStatus::Removed);
    CHECK(removed.stacks[1].diff.resources[0].kind == ChangeKind::Removed);
    CHECK_FALSE(removed.stacks[1].diff.resources[0].hazards.empty()); // a hosted zone goes

    // A whole new stack's nested stacks are new too.
    AssemblyFiles none;
    none["manifest.json"] = manifest({}, "json").dump();
    const AssemblyDiff all_new = diff_assemblies(none, assembly(kNestedJson, "json"));
    const StackDiff& game = stack(all_new, "Game");
    CHECK(game.status == StackStatus::Added);
    REQUIRE(game.nested.size() == 1);
    CHECK(game.nested[0].status == StackStatus::Added);
    CHECK(game.nested[0].diff.security.rules.size() == 1);
    CHECK(game.nested[0].diff.security.rules[0].widening);
}

TEST_CASE("A nested template that cannot be found leaves the TemplateURL change in, with a note") {
    AssemblyFiles b = assembly(replace_all(kNestedJson, "2456", "2458"), "json");
    b.erase("Game.SecurityGroups.nested.template.json");
    const AssemblyDiff d = diff_assemblies(assembly(kNestedJson, "json"), b);
    const StackDiff& game = stack(d, "Game");
    REQUIRE(game.diff.resources.size() == 1);
    CHECK(game.diff.resources[0].logical_id == "SecurityGroupsNestedStack");
    CHECK(game.diff.resources[0].changes[0].path.rfind("Properties.TemplateURL", 0) == 0);
    REQUIRE(game.notes.size() == 1);
    CHECK(game.notes[0].find("SecurityGroupsNestedStack") != std::string::npos);
    CHECK(game.nested.empty());
}

TEST_CASE("Nested templates are found through the asset manifest when the hash is not the file's") {
    AssemblyFiles a = assembly(kNestedJson, "json");
    AssemblyFiles b = assembly(replace_all(kNestedJson, "2456", "2458"), "json");
    // Point b's parent at a made-up hash that only the asset manifest knows.
    // and under a name that does not follow leafsynth's naming.
    const std::string fake(64, 'a');
    b["Game.template.json"] = parent_template(fake, "json", "t");
    b["renamed.template.json"] = b.at("Game.SecurityGroups.nested.template.json");
    b.erase("Game.SecurityGroups.nested.template.json");
    b["Game.assets.json"] = json{{"files", {{fake, {{"source", {{"path", "renamed.template.json"}}}}}}}}.dump();
    const AssemblyDiff d = diff_assemblies(a, b);
    const StackDiff& game = stack(d, "Game");
    CHECK(game.notes.empty());
    CHECK(game.diff.resources.empty());
    REQUIRE(game.nested.size() == 1);
    CHECK(game.nested[0].status == StackStatus::Modified);
    CHECK(game.nested[0].new_template == "renamed.template.json");
}

TEST_CASE("Stacks are matched by name, the same name in two regions pairs by region") {
    AssemblyFiles a, b;
    const std::string t1 = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "one"}}}})";
    const std::string t2 = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "two"}}}})";
    json m = {{"artifacts",
               {{"S-east", {{"type", "aws:cloudformation:stack"}, {"environment", "aws://1/us-east-1"},
                            {"properties", {{"templateFile", "east.json"}, {"stackName", "S"}}}}},
                {"S-west", {{"type", "aws:cloudformation:stack"}, {"environment", "aws://1/us-west-2"},
                            {"properties", {{"templateFile", "west.json"}, {"stackName", "S"}}}}}}}};
    a["manifest.json"] = m.dump();
    b["manifest.json"] = m.dump();
    a["east.json"] = t1;
    a["west.json"] = t2;
    b["east.json"] = t1;
    b["west.json"] = t1;
    const AssemblyDiff d = diff_assemblies(a, b);
    REQUIRE(d.stacks.size() == 2);
    for (const auto& s : d.stacks) {
        CHECK(s.name == "S");
        CHECK(s.status == (s.region == "us-west-2" ? StackStatus::Modified : StackStatus::Unchanged));
    }
}

TEST_CASE("Two template files: YAML against JSON, nested stacks looked up beside each") {
    const auto dir = unit::scratch_dir("diff_two_templates");
    std::filesystem::create_directories(dir / "old");
    std::filesystem::create_directories(dir / "new");
    auto write = [](const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(dir / "old" / "Game.SecurityGroups.nested.template.json", kNestedJson);
    write(dir / "old" / "Game.template.json", parent_template(leafsynth::sha256_hex(kNestedJson), "json", "t"));
    write(dir / "new" / "Game.SecurityGroups.nested.template.yaml", kNestedYaml);
    write(dir / "new" / "Game.template.yaml",
          "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: t\n"
          "  SecurityGroupsNestedStack:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
          "      Parameters:\n        VpcRef: vpc-1\n      TemplateURL: !Sub \"https://s3.${AWS::URLSuffix}/b/" +
              leafsynth::sha256_hex(kNestedYaml) + ".yaml\"\n");
    const AssemblyDiff same = leafsynth::diff_template_files(dir / "old" / "Game.template.json", dir / "new" / "Game.template.yaml");
    REQUIRE(same.stacks.size() == 1);
    CHECK(same.stacks[0].name == "Game");
    CHECK_FALSE(same.has_differences());
    REQUIRE(same.stacks[0].nested.size() == 1);

    write(dir / "new" / "Game.SecurityGroups.nested.template.yaml", replace_all(kNestedYaml, "2456", "2457"));
    const AssemblyDiff changed = leafsynth::diff_template_files(dir / "old" / "Game.template.json", dir / "new" / "Game.template.yaml");
    CHECK(changed.has_differences());
    // The file no longer has the hash the parent names: found by leafsynth's file naming instead.
    CHECK(changed.stacks[0].notes.empty());
    CHECK(changed.stacks[0].diff.resources.empty());
    REQUIRE(changed.stacks[0].nested.size() == 1);
    REQUIRE(changed.stacks[0].nested[0].diff.resources.size() == 1);
    CHECK(changed.stacks[0].nested[0].diff.resources[0].changes[0].path == "Properties.SecurityGroupIngress[0].FromPort");

    CHECK_THROWS_AS(leafsynth::diff_template_files(dir / "missing.json", dir / "old" / "Game.template.json"),
                    leafsynth::InputError);
}

TEST_CASE("The golden assemblies read from disk equal themselves") {
    const auto dir = std::filesystem::path(LEAFSYNTH_SOURCE_DIR) / "templates" / "containermanager-us-east-1";
    const AssemblyFiles files = leafsynth::read_assembly_dir(dir);
    CHECK(files.count("manifest.json") == 1);
    for (const auto& [path, contents] : files) CHECK(path.rfind("asset.", 0) != 0);
    const AssemblyDiff d = diff_assemblies(files, files);
    CHECK_FALSE(d.has_differences());
    std::size_t nested = 0;
    for (const auto& s : d.stacks) nested += s.nested.size();
    CHECK(d.stacks.size() == 10);
    CHECK(nested == 20);
    for (const auto& s : d.stacks) CHECK(s.notes.empty());
    CHECK_THROWS_AS(leafsynth::read_assembly_dir(dir / "manifest.json"), leafsynth::InputError);
}

TEST_CASE("Reports: text with and without colour, JSON") {
    const std::string changed = replace_all(kNestedJson, "2456", "2458");
    const AssemblyDiff d = diff_assemblies(assembly(kNestedJson, "json"), assembly(changed, "json"));
    const std::string plain = leafsynth::render_diff(d);
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(unit::has_line(plain, "Stack Base (us-west-2): no differences"));
    CHECK(unit::has_line(plain, "Stack Game (us-west-2): modified"));
    CHECK(unit::has_line(plain, "  Nested stack SecurityGroupsNestedStack: modified"));
    CHECK(unit::has_line(plain, "      [~] AWS::EC2::SecurityGroup Sg  update in place"));
    CHECK(unit::has_line(plain, "          [~] Properties.SecurityGroupIngress[0].FromPort: 2456 -> 2458"));
    CHECK(plain.find("Security group rules") != std::string::npos);
    CHECK(plain.find("| + | Sg    | ${Sg} | ingress | udp      | 2458  | 0.0.0.0/0 |") != std::string::npos);
    CHECK(plain.find("Summary: 2 of 3 stacks differ") != std::string::npos);

    const std::string coloured = leafsynth::render_diff(d, {.color = true});
    CHECK(coloured.find("\x1b[33m[~] AWS::EC2::SecurityGroup Sg\x1b[0m") != std::string::npos);

    const json j = leafsynth::diff_to_json(d);
    CHECK(j["differences"] == true);
    CHECK(j["summary"]["resources_modified"] == 1);
    CHECK(j["summary"]["security_changes"] == 2);
    CHECK(j["summary"]["widening"] == 1);
    const json& game = j["stacks"][1];
    CHECK(game["name"] == "Game");
    CHECK(game["status"] == "modified");
    CHECK(game["nested"][0]["resources"][0]["impact"] == "update");
    CHECK(game["nested"][0]["resources"][0]["changes"][0]["path"] == "Properties.SecurityGroupIngress[0].FromPort");
    CHECK(game["nested"][0]["resources"][0]["changes"][0]["old"] == 2456);

    const AssemblyDiff none = diff_assemblies(assembly(kNestedJson, "json"), assembly(kNestedJson, "json"));
    CHECK(unit::has_line(leafsynth::render_diff(none), "No differences (3 stacks compared, nested stacks included)."));
    CHECK(leafsynth::diff_to_json(none)["differences"] == false);
}

TEST_CASE("Long strings that differ in the middle are shown as excerpts around the difference") {
    const std::string body_a = std::string(300, 'a') + "m5.large" + std::string(300, 'z');
    const std::string body_b = std::string(300, 'a') + "m5.xlarge" + std::string(300, 'z');
    const json a = {{"Resources", {{"D", {{"Type", "AWS::CloudWatch::Dashboard"}, {"Properties", {{"DashboardBody", body_a}}}}}}}};
    const json b = {{"Resources", {{"D", {{"Type", "AWS::CloudWatch::Dashboard"}, {"Properties", {{"DashboardBody", body_b}}}}}}}};
    AssemblyDiff d;
    d.stacks.push_back({});
    d.stacks[0].name = "S";
    d.stacks[0].status = StackStatus::Modified;
    d.stacks[0].diff = leafsynth::diff_templates(a, b);
    const std::string text = leafsynth::render_diff(d);
    // 40 characters of context each side of the part that differs (the inserted "x").
    const std::string ctx_a(37, 'a'), ctx_z(35, 'z');
    CHECK(unit::has_line(text, "        [~] Properties.DashboardBody: ...\"" + ctx_a + "m5.large" + ctx_z + "\"... -> ...\"" +
                                   ctx_a + "m5.xlarge" + ctx_z + "\"..."));
    // The JSON report keeps the whole values.
    const json j = leafsynth::diff_to_json(d);
    CHECK(j["stacks"][0]["resources"][0]["changes"][0]["new"] == body_b);
}

// --- diff_deployed: the app against what CloudFormation has deployed -------------------------

namespace {

/// One deployed stack in us-west-2.
leafsynth::DeployedStack deployed_stack(const std::string& name, const std::string& arn_suffix,
                                        const std::string& status, const std::string& body) {
    leafsynth::DeployedStack d;
    d.name = name;
    d.region = "us-west-2";
    d.exists = true;
    d.stack_id = "arn:aws:cloudformation:us-west-2:123456789012:stack/" + arn_suffix;
    d.status = status;
    d.template_body = body;
    return d;
}

/// The deployed counterpart of assembly(kNestedJson, "json"): the Game stack with its nested
/// stack (found by logical id, as ListStackResources gives it), and the Base stack.
std::vector<leafsynth::DeployedStack> deployed(const std::string& nested_text, const std::string& topic_name = "t") {
    // Deployed TemplateURLs name the hash of whatever was uploaded: a different one must not matter.
    leafsynth::DeployedStack game = deployed_stack("Game", "Game/def", "UPDATE_COMPLETE",
                                                   parent_template(std::string(64, 'a'), "json", topic_name));
    game.nested.push_back(deployed_stack("SecurityGroupsNestedStack", "Game-SecurityGroupsNestedStack-1/abc",
                                         "UPDATE_COMPLETE", nested_text));
    return {deployed_stack("Base", "Base/123", "CREATE_COMPLETE",
                           "Resources:\n  Zone:\n    Type: AWS::Route53::HostedZone\n    Properties:\n"
                           "      Name: example.com\n"),
            game};
}

} // namespace

TEST_CASE("The app against its deployed stacks: nested stacks by logical id, YAML against JSON, no differences") {
    const AssemblyDiff d = leafsynth::diff_deployed(deployed(kNestedYaml), assembly(kNestedJson, "json"));
    CHECK_FALSE(d.has_differences());
    REQUIRE(d.stacks.size() == 2);
    const StackDiff& game = stack(d, "Game");
    CHECK(game.deployed_status == "UPDATE_COMPLETE");
    CHECK(game.old_template == "arn:aws:cloudformation:us-west-2:123456789012:stack/Game/def");
    CHECK(game.notes.empty());
    REQUIRE(game.nested.size() == 1);
    CHECK(game.nested[0].status == StackStatus::Unchanged);
    CHECK(game.nested[0].old_template.find("Game-SecurityGroupsNestedStack-1") != std::string::npos);
}

TEST_CASE("The app against its deployed stacks: a nested change, a stack not deployed, a troubled state") {
    auto d_stacks = deployed(kNestedJson);
    d_stacks[0].exists = false; // Base was never deployed
    d_stacks[0].template_body.clear();
    d_stacks[1].status = "UPDATE_ROLLBACK_FAILED";
    d_stacks[1].status_reason = "Resource Topic failed";
    const std::string changed = replace_all(kNestedJson, "2456", "2458");
    const AssemblyDiff d = leafsynth::diff_deployed(d_stacks, assembly(changed, "json"));
    CHECK(d.has_differences());
    const StackDiff& base = stack(d, "Base");
    CHECK(base.status == StackStatus::Added);
    REQUIRE(base.diff.resources.size() == 1);
    CHECK(base.diff.resources[0].kind == ChangeKind::Added);
    const StackDiff& game = stack(d, "Game");
    CHECK(game.status == StackStatus::Modified);
    CHECK(game.diff.resources.empty());
    REQUIRE(game.notes.size() == 1);
    CHECK(game.notes[0].find("UPDATE_ROLLBACK_FAILED (Resource Topic failed)") != std::string::npos);
    CHECK(game.notes[0].find("continue-update-rollback") != std::string::npos);
    REQUIRE(game.nested.size() == 1);
    REQUIRE(game.nested[0].diff.resources.size() == 1);
    CHECK(game.nested[0].diff.resources[0].logical_id == "Sg");
    const std::string report = leafsynth::render_diff(d);
    CHECK(report.find("UPDATE_ROLLBACK_FAILED") != std::string::npos);
    CHECK(leafsynth::diff_to_json(d)["stacks"][1]["deployed_status"] == "UPDATE_ROLLBACK_FAILED");
}

TEST_CASE("The app against its deployed stacks: a nested stack missing from the deployed side is noted") {
    auto d_stacks = deployed(kNestedJson);
    d_stacks[1].nested[0].exists = false;
    d_stacks[1].nested[0].notes.push_back("the nested stack has no physical id (CREATE_FAILED): it was not created");
    const AssemblyDiff d = leafsynth::diff_deployed(d_stacks, assembly(kNestedJson, "json"));
    const StackDiff& game = stack(d, "Game");
    // The parent's resource is still compared; the nested template cannot be, and the notes say why.
    REQUIRE(game.notes.size() == 2);
    CHECK(game.notes[0] == "nested stack SecurityGroupsNestedStack: its template was not found in the deployed "
                           "stack, so only the parent's resource is compared");
    CHECK(game.notes[1] == "nested stack SecurityGroupsNestedStack: the nested stack has no physical id "
                           "(CREATE_FAILED): it was not created");
    CHECK(game.nested.empty());
    const std::string report = leafsynth::render_diff(d);
    CHECK(report.find("no physical id") != std::string::npos);
}

TEST_CASE("A deployed parameter value that differs from the template's default is noted") {
    auto d_stacks = deployed(kNestedJson);
    json base = json::parse(R"({"Parameters": {"Size": {"Type": "String", "Default": "small"}},
        "Resources": {"Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com"}}}})");
    AssemblyFiles files = assembly(kNestedJson, "json");
    files["Base.template.json"] = base.dump();
    d_stacks[0].template_body = base.dump();
    d_stacks[0].parameters = {{"Size", "large"}};
    const AssemblyDiff d = leafsynth::diff_deployed(d_stacks, files);
    const StackDiff& b = stack(d, "Base");
    CHECK(b.status == StackStatus::Unchanged);
    REQUIRE(b.notes.size() == 1);
    CHECK(b.notes[0].find("parameter Size is deployed with 'large', not the template's default 'small'") !=
          std::string::npos);
    CHECK(leafsynth::is_troubled_status("ROLLBACK_COMPLETE"));
    CHECK(leafsynth::is_troubled_status("UPDATE_IN_PROGRESS"));
    CHECK_FALSE(leafsynth::is_troubled_status("UPDATE_COMPLETE"));
}

TEST_CASE("Replacements are followed across nested stacks: child output -> parent -> sibling parameter") {
    // Net (nested) has a security group whose description changes (replaced: new GroupId), and
    // outputs its id; the parent passes it to App (nested), whose ingress rule uses it as GroupId
    // (create-only: replaced too); a parent topic names it in its display name (updated).
    auto files = [](const std::string& description) {
        const json net = {{"Resources",
                           {{"Sg", {{"Type", "AWS::EC2::SecurityGroup"},
                                    {"Properties", {{"GroupDescription", description}, {"VpcId", "vpc-1"}}}}}}},
                          {"Outputs", {{"SgId", {{"Value", {{"Fn::GetAtt", {"Sg", "GroupId"}}}}}}}}};
        const json app = {{"Parameters", {{"NetSgId", {{"Type", "String"}}}}},
                          {"Resources",
                           {{"Rule", {{"Type", "AWS::EC2::SecurityGroupIngress"},
                                      {"Properties", {{"GroupId", {{"Ref", "NetSgId"}}}, {"IpProtocol", "tcp"},
                                                      {"FromPort", 80}, {"ToPort", 80}, {"CidrIp", "10.0.0.0/8"}}}}},
                            {"Log", {{"Type", "AWS::Logs::LogGroup"}, {"Properties", {{"RetentionInDays", 7}}}}}}}};
        const json parent = {
            {"Resources",
             {{"NetNestedStack", {{"Type", "AWS::CloudFormation::Stack"}, {"Properties", {{"TemplateURL", "net"}}}}},
              {"AppNestedStack",
               {{"Type", "AWS::CloudFormation::Stack"},
                {"Properties", {{"TemplateURL", "app"},
                                {"Parameters", {{"NetSgId", {{"Fn::GetAtt", {"NetNestedStack", "Outputs.SgId"}}}}}}}}}},
              {"Topic", {{"Type", "AWS::SNS::Topic"},
                         {"Properties", {{"DisplayName", {{"Fn::GetAtt", {"NetNestedStack", "Outputs.SgId"}}}}}}}}}}};
        AssemblyFiles f;
        f["Game.Net.nested.template.json"] = net.dump();
        f["Game.App.nested.template.json"] = app.dump();
        f["Game.template.json"] = parent.dump();
        f["manifest.json"] = manifest({{"Game", "us-west-2"}}, "json").dump();
        return f;
    };
    const AssemblyDiff d = diff_assemblies(files("old"), files("new"));
    const StackDiff& game = stack(d, "Game");
    auto row = [](const StackDiff& s, const std::string& id) -> const leafsynth::ResourceChange& {
        for (const auto& r : s.diff.resources)
            if (r.logical_id == id) return r;
        FAIL("no change for " << id << " in " << s.name);
        throw std::logic_error("unreachable");
    };
    REQUIRE(game.nested.size() == 2);
    const StackDiff& app = game.nested[0].name == "AppNestedStack" ? game.nested[0] : game.nested[1];
    const StackDiff& net = game.nested[0].name == "NetNestedStack" ? game.nested[0] : game.nested[1];
    CHECK(row(net, "Sg").impact == leafsynth::Impact::WillReplace);
    const auto& rule = row(app, "Rule");
    CHECK(rule.impact == leafsynth::Impact::WillReplace);
    CHECK(rule.changes.empty());
    CHECK(rule.caused_by == std::vector<std::string>{"NetSgId"});
    CHECK(rule.reasons ==
          std::vector<std::string>{"GroupId is create-only and refers to parameter NetSgId, whose value changes"});
    CHECK(app.diff.resources.size() == 1); // not the log group
    const auto& topic = row(game, "Topic");
    CHECK(topic.impact == leafsynth::Impact::UpdateInPlace);
    CHECK(topic.caused_by == std::vector<std::string>{"NetNestedStack.Outputs.SgId"});
    const auto& app_resource = row(game, "AppNestedStack");
    CHECK(app_resource.changes.empty()); // kept although it has no own change
    CHECK(app_resource.caused_by == std::vector<std::string>{"NetNestedStack.Outputs.SgId"});
    CHECK(d.has_differences());
    CHECK(app.status == StackStatus::Modified);
}

TEST_CASE("Reports: keys that are not plain names are quoted on one line, never splitting a report line") {
    const std::string old_base = R"({"Resources": {"Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com",
      "HostedZoneTags": {"keep": 0}}}}})";
    AssemblyFiles a = assembly(kNestedJson, "json");
    AssemblyFiles b = a;
    a["Base.template.json"] = old_base;
    b["Base.template.json"] = R"({"Resources": {"Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com",
      "HostedZoneTags": {"keep": 0, "a\nb": 1, "it's": 2, "x.y": 3, "\u001b[2J": 4, "": 5, "plain:key/1": 6}}}},
      "Mappings": {"new\nline": {"k": {"v": 1}}}})";
    const std::string plain = leafsynth::render_diff(diff_assemblies(a, b));
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.'a\\nb': 1"));
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.'it\\'s': 2"));
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.'x.y': 3"));
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.'\\x1b[2J': 4"));
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.'': 5"));
    CHECK(unit::has_line(plain, "        [+] Properties.HostedZoneTags.plain:key/1: 6"));
    CHECK(unit::has_line(plain, "    [+] 'new\\nline'"));
    CHECK(plain.find("b': 1") != std::string::npos);
    CHECK(plain.find("\nb") == std::string::npos); // no line starts inside a key
}

TEST_CASE("A template that does not parse is reported when its stack is compared, and only then") {
    // The templates of both sides are parsed up front, in parallel; an error waits until the
    // comparison asks for that template, so it is the one the comparison in order would report.
    AssemblyFiles a = assembly(kNestedJson, "json"), b = assembly(kNestedJson, "json");
    a["Unused.template.json"] = "{ not json";
    b["Unused.template.json"] = "{ not json";
    CHECK_FALSE(diff_assemblies(a, b, "before/", "after/").has_differences());

    auto error_of = [](const AssemblyFiles& old_files, const AssemblyFiles& new_files) -> std::string {
        try {
            (void)diff_assemblies(old_files, new_files, "before/", "after/");
        } catch (const leafsynth::InputError& e) {
            return e.what();
        }
        return "no error";
    };
    AssemblyFiles broken_old = a;
    broken_old["Base.template.json"] = "{\"Resources\": {";
    CHECK_THAT(error_of(broken_old, b), Catch::StartsWith("before/Base.template.json:1:"));
    AssemblyFiles broken_new = b;
    broken_new["Base.template.json"] = "{\"Resources\": {";
    CHECK_THAT(error_of(a, broken_new), Catch::StartsWith("after/Base.template.json:1:"));
    // The same broken text on both sides: the old side's file is named, as when compared in order.
    CHECK_THAT(error_of(broken_old, broken_new), Catch::StartsWith("before/Base.template.json:1:"));
}

TEST_CASE("Identical templates on both sides compare as unchanged, nested stacks included") {
    AssemblyFiles a = assembly(kNestedJson, "json");
    const AssemblyDiff d = diff_assemblies(a, a);
    REQUIRE(d.stacks.size() == 2);
    for (const auto& s : d.stacks) {
        CHECK(s.status == StackStatus::Unchanged);
        CHECK(s.diff.empty());
    }
    const StackDiff& game = stack(d, "Game");
    REQUIRE(game.nested.size() == 1);
    CHECK(game.nested[0].status == StackStatus::Unchanged);
    CHECK(game.nested[0].new_template == "Game.SecurityGroups.nested.template.json");
}

TEST_CASE("Two stacks whose nested templates have the same text each find their own file") {
    // The same hash in both parents' TemplateURL; each parent's asset manifest names its own file.
    AssemblyFiles files;
    const std::string hash = leafsynth::sha256_hex(kNestedJson);
    for (const std::string name : {"Game", "Game2"}) {
        files[name + ".template.json"] = parent_template(hash, "json", "t");
        files[name + ".SecurityGroups.nested.template.json"] = kNestedJson;
        files[name + ".assets.json"] =
            json{{"files", {{hash, {{"source", {{"path", name + ".SecurityGroups.nested.template.json"}}}}}}}}.dump();
    }
    files["manifest.json"] = manifest({{"Game", "us-west-2"}, {"Game2", "us-west-2"}}, "json").dump(1);
    const AssemblyDiff d = diff_assemblies(files, files);
    for (const std::string name : {"Game", "Game2"}) {
        const StackDiff& s = stack(d, name);
        CHECK(s.status == StackStatus::Unchanged);
        REQUIRE(s.nested.size() == 1);
        CHECK(s.nested[0].old_template == name + ".SecurityGroups.nested.template.json");
        CHECK(s.nested[0].new_template == name + ".SecurityGroups.nested.template.json");
    }
}
