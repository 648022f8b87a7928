// The bootstrap (CDKToolkit) stack of `leafsynth bootstrap` (src/deploy/bootstrap_stack.cpp): the
// AWS CDK bootstrap contract's names, the bucket's protections, CDK's logical ids and types (pinned
// in tests/deploy/data/cdk_bootstrap_template.json by tools/pin_cdk_bootstrap.py), and cfn-lint
// (the template is emitted for the final lint pass).

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "../unit/support.hpp"
#include "deploy/bootstrap_stack.hpp"
#include "leafsynth/bootstrap_contract.hpp"

using nlohmann::json;

namespace {

json toolkit_template() {
    leafsynth::App app;
    leafsynth::own<leafsynth::deploy::BootstrapStack>(app);
    return unit::template_of(unit::synth_and_emit(app, "bootstrap/CDKToolkit"));
}

json pinned_cdk_template() {
    std::ifstream in(LEAFSYNTH_DEPLOY_TEST_DATA "/cdk_bootstrap_template.json");
    std::stringstream text;
    text << in.rdbuf();
    return unit::parse_json(text.str());
}

/// The string of a `{"Fn::Sub": "..."}` (or a plain string).
std::string sub_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.at("Fn::Sub").get<std::string>(); }

} // namespace

TEST_CASE("Bootstrap stack: CDK's logical ids and types, so cdk bootstrap upgrades it in place") {
    const json t = toolkit_template();
    const json cdk = pinned_cdk_template();
    INFO(cdk["source"]);
    for (const auto& [id, r] : t["Resources"].items()) {
        INFO(id);
        REQUIRE(cdk["resources"].contains(id));
        CHECK(cdk["resources"][id] == r["Type"]);
    }
    // What CDK defines and leafsynth does not: the optional KMS key and permissions boundary (conditional there).
    std::set<std::string> missing;
    for (const auto& [id, type] : cdk["resources"].items())
        if (!t["Resources"].contains(id)) missing.insert(id);
    CHECK(missing == std::set<std::string>{"CdkBoostrapPermissionsBoundaryPolicy", "FileAssetsBucketEncryptionKey",
                                           "FileAssetsBucketEncryptionKeyAlias"});
    for (const auto& [name, output] : t["Outputs"].items()) {
        INFO(name);
        CHECK(std::find(cdk["outputs"].begin(), cdk["outputs"].end(), name) != cdk["outputs"].end());
    }
    CHECK(t["Outputs"].size() == 4); // all of CDK's but FileAssetKeyArn (no KMS key)
}

TEST_CASE("Bootstrap stack: the names the synthesized manifests refer to") {
    const json t = toolkit_template();
    const json& r = t["Resources"];
    CHECK(sub_text(r["StagingBucket"]["Properties"]["BucketName"]) == "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}");
    CHECK(sub_text(r["ContainerAssetsRepository"]["Properties"]["RepositoryName"]) ==
          "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}");
    const std::vector<std::pair<std::string, std::string>> roles = {
        {"FilePublishingRole", "file-publishing"}, {"ImagePublishingRole", "image-publishing"},
        {"LookupRole", "lookup"},                  {"DeploymentActionRole", "deploy"},
        {"CloudFormationExecutionRole", "cfn-exec"}};
    for (const auto& [id, role] : roles) {
        INFO(id);
        CHECK(sub_text(r[id]["Properties"]["RoleName"]) == "cdk-hnb659fds-" + role + "-role-${AWS::AccountId}-${AWS::Region}");
        CHECK(r[id]["Properties"]["Tags"] == json::parse(R"([{"Key": "aws-cdk:bootstrap-role", "Value": ")" + role + "\"}]"));
    }

    // A synthesized app's manifest names exactly these roles and this bucket, and the version parameter.
    leafsynth::App app;
    auto& stack = leafsynth::make<leafsynth::Stack>(
        app, "Game", leafsynth::StackProps{.stack_name = "Game", .description = "", .env = {.account = "123456789012", .region = "us-west-2"}});
    leafsynth::make<leafsynth::CfnResource>(stack, "Topic", "AWS::SNS::Topic");
    const leafsynth::Assembly a = app.synth();
    const json manifest = unit::parse_json(a.file("manifest.json"));
    const json& props = manifest["artifacts"]["Game"]["properties"];
    CHECK(props["assumeRoleArn"] ==
          "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2");
    CHECK(props["cloudFormationExecutionRoleArn"] ==
          "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-west-2");
    CHECK(props["stackTemplateAssetObjectUrl"].get<std::string>().rfind("s3://cdk-hnb659fds-assets-123456789012-us-west-2/", 0) == 0);
    CHECK(props["bootstrapStackVersionSsmParameter"] == r["CdkBootstrapVersion"]["Properties"]["Name"]);
    CHECK(std::stoi(r["CdkBootstrapVersion"]["Properties"]["Value"].get<std::string>()) >=
          props["requiresBootstrapStackVersion"].get<int>());
    CHECK(r["CdkBootstrapVersion"]["Properties"]["Name"] == "/cdk-bootstrap/hnb659fds/version");
    CHECK(t["Outputs"]["BootstrapVersion"]["Value"] == json::parse(R"({"Fn::GetAtt": ["CdkBootstrapVersion", "Value"]})"));
    const json assets = unit::parse_json(a.file("Game.assets.json"));
    for (const auto& [hash, file] : assets["files"].items())
        for (const auto& [where, dest] : file["destinations"].items())
            CHECK(dest["assumeRoleArn"] ==
                  "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-us-west-2");
}

TEST_CASE("Bootstrap stack: the bucket is encrypted, private, TLS only, versioned, kept") {
    const json t = toolkit_template();
    const json& bucket = t["Resources"]["StagingBucket"];
    const json& p = bucket["Properties"];
    CHECK(p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256");
    for (const char* k : {"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"})
        CHECK(p["PublicAccessBlockConfiguration"][k] == true);
    CHECK(p["VersioningConfiguration"]["Status"] == "Enabled");
    bool expires_old_versions = false;
    for (const auto& rule : p["LifecycleConfiguration"]["Rules"])
        if (rule.contains("NoncurrentVersionExpiration") && rule["Status"] == "Enabled")
            expires_old_versions = rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30;
    CHECK(expires_old_versions);
    CHECK(bucket["DeletionPolicy"] == "Retain");
    CHECK(bucket["UpdateReplacePolicy"] == "Retain");

    const json& policy = t["Resources"]["StagingBucketPolicy"]["Properties"];
    CHECK(policy["Bucket"] == json::parse(R"({"Ref": "StagingBucket"})"));
    REQUIRE(policy["PolicyDocument"]["Statement"].size() == 1);
    const json& deny = policy["PolicyDocument"]["Statement"][0];
    CHECK(deny["Effect"] == "Deny");
    CHECK(deny["Action"] == "s3:*");
    CHECK(deny["Condition"] == json::parse(R"({"Bool": {"aws:SecureTransport": "false"}})"));
    CHECK(deny["Resource"].size() == 2); // the bucket and its objects

    leafsynth::App app;
    leafsynth::own<leafsynth::deploy::BootstrapStack>(app, leafsynth::deploy::BootstrapStackProps{.noncurrent_version_days = 7});
    const json shorter = unit::template_of(app.synth());
    CHECK(shorter["Resources"]["StagingBucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"]
                 ["NoncurrentDays"] == 7);
}

TEST_CASE("Bootstrap stack: environment-agnostic, deterministic, small enough to pass inline") {
    const std::string a = leafsynth::deploy::bootstrap_template_json();
    CHECK(a == leafsynth::deploy::bootstrap_template_json());
    CHECK(a.size() < 51200); // CreateStack's TemplateBody limit: the bucket for a TemplateURL does not exist yet
    CHECK(a.find("123456789012") == std::string::npos);
    const json t = unit::parse_json(a);
    CHECK(t["Description"].get<std::string>().find("hnb659fds") != std::string::npos);
}
