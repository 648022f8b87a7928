// Reading a cloud assembly back for deploying (include/leafsynth/assembly_manifest.hpp): the golden
// ContainerManager assembly (stacks, environments, dependencies, assets, bootstrap contract), a CDK
// stage's nested assembly, and manifests that are not what they claim, each one located error.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "leafsynth/assembly_manifest.hpp"
#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"

using leafsynth::AssemblyFiles;
using leafsynth::read_assembly_manifest;
using leafsynth::StackArtifactManifest;

namespace {

AssemblyFiles golden(const std::string& name) {
    return leafsynth::read_assembly_dir(std::filesystem::path(LEAFSYNTH_SOURCE_DIR) / "templates" / name);
}

const StackArtifactManifest& stack_named(const leafsynth::AssemblyManifest& m, const std::string& name) {
    auto it = std::find_if(m.stacks.begin(), m.stacks.end(), [&](const auto& s) { return s.stack_name == name; });
    REQUIRE(it != m.stacks.end());
    return *it;
}

/// A minimal assembly: one stack "A" with one asset manifest, `manifest` replacing the manifest.
AssemblyFiles small(const std::string& manifest, const std::string& assets = {}) {
    AssemblyFiles f;
    f["manifest.json"] = manifest;
    f["A.template.json"] = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})";
    f["A.assets.json"] = assets.empty() ? R"({"version": "55.0.0", "files": {}, "dockerImages": {}})" : assets;
    return f;
}

std::string error_of(const AssemblyFiles& files) {
    try {
        (void)read_assembly_manifest(files, "out/");
    } catch (const leafsynth::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

const char* kStackWithAssets = R"({"version": "55.0.0", "artifacts": {
  "A.assets": {"type": "cdk:asset-manifest", "properties": {"file": "A.assets.json"}},
  "A": {"type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-west-2",
        "properties": {"templateFile": "A.template.json"}, "dependencies": ["A.assets"]}}})";

} // namespace

TEST_CASE("Assembly manifest: the golden ContainerManager assembly, as deploy needs it") {
    const leafsynth::AssemblyManifest m = read_assembly_manifest(golden("containermanager-us-west-2"));
    REQUIRE(m.has_manifest);
    CHECK(m.stacks.size() == 10);
    const StackArtifactManifest& base = stack_named(m, "ContainerManager-BaseStack");
    CHECK(base.account == "123456789012");
    CHECK(base.region == "us-west-2");
    CHECK(base.dependencies.empty());
    CHECK(base.requires_bootstrap_version == leafsynth::bootstrap::kRequiredVersion);
    CHECK(base.bootstrap_version_parameter == leafsynth::bootstrap::kVersionParameter);
    CHECK(base.assume_role_arn ==
          "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2");
    CHECK(base.template_object_url.starts_with("s3://cdk-hnb659fds-assets-123456789012-us-west-2/"));

    const StackArtifactManifest& leaf = stack_named(m, "ContainerManager-Minecraft-Stack");
    CHECK(leaf.template_file == "ContainerManager-Minecraft-Stack.template.json");
    CHECK(std::find(leaf.dependencies.begin(), leaf.dependencies.end(), "ContainerManager-BaseStack") !=
          leaf.dependencies.end());
    // Its template, every nested template and every Lambda zip, each with its destination.
    std::size_t templates = 0, zips = 0;
    for (const auto& a : leaf.assets) {
        INFO(a.display_name);
        REQUIRE(a.destinations.size() == 1);
        CHECK(a.packaging == "file");
        CHECK(a.destinations[0].bucket_name == "cdk-hnb659fds-assets-123456789012-us-west-2");
        CHECK(a.destinations[0].object_key.starts_with(a.id));
        CHECK(a.destinations[0].region == "us-west-2");
        templates += a.source_path.ends_with(".template.json");
        zips += a.source_path.ends_with(".zip");
        if (a.source_path == leaf.template_file)
            CHECK(leaf.template_object_url == "s3://" + a.destinations[0].bucket_name + "/" + a.destinations[0].object_key);
    }
    CHECK(templates == 8); // the stack and its 7 nested stacks
    CHECK(zips >= 2);
    CHECK(leaf.docker_images == 0);

    // The pinned stacks are in us-east-1 and depend on the leaf.
    const StackArtifactManifest& domain = stack_named(m, "ContainerManager-Minecraft-DomainStack");
    CHECK(domain.region == "us-east-1");
}

TEST_CASE("Assembly manifest: nested assemblies, environments, tags, parameters, no manifest") {
    AssemblyFiles f;
    f["manifest.json"] = R"({"version": "36.0.0", "artifacts": {
      "Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Stage"}},
      "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}})";
    f["assembly-Stage/manifest.json"] = R"({"version": "36.0.0", "artifacts": {
      "B": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": "B.template.json", "stackName": "Stage-B", "terminationProtection": true,
                           "tags": {"team": "games"}, "parameters": {"Size": "3"}}, "dependencies": ["C"]},
      "C": {"type": "aws:cloudformation:stack", "environment": "aws://111122223333/eu-west-1"}}})";
    f["assembly-Stage/B.template.json"] = "{}";
    f["assembly-Stage/C.template.json"] = "{}";
    const auto m = read_assembly_manifest(f);
    REQUIRE(m.stacks.size() == 2);
    const auto& b = m.stacks[0];
    CHECK(b.stack_name == "Stage-B");
    CHECK(b.template_file == "assembly-Stage/B.template.json");
    CHECK(b.account.empty());
    CHECK(b.region.empty());
    CHECK(b.termination_protection);
    CHECK(b.tags == std::map<std::string, std::string>{{"team", "games"}});
    CHECK(b.parameters == std::map<std::string, std::string>{{"Size", "3"}});
    CHECK(b.dependencies == std::vector<std::string>{"C"});
    CHECK(b.manifest == "assembly-Stage/manifest.json");
    CHECK(m.stacks[1].stack_name == "C");
    CHECK(m.stacks[1].account == "111122223333");
    CHECK(m.stacks[1].region == "eu-west-1");

    AssemblyFiles bare;
    bare["Game.template.json"] = "{}";
    bare["Game.Volumes.nested.template.json"] = "{}";
    const auto no_manifest = read_assembly_manifest(bare);
    CHECK_FALSE(no_manifest.has_manifest);
    REQUIRE(no_manifest.stacks.size() == 1);
    CHECK(no_manifest.stacks[0].stack_name == "Game");

    const auto with_assets = read_assembly_manifest(small(kStackWithAssets, R"({"files": {"h1": {
      "source": {"path": "asset.h1", "packaging": "zip"},
      "destinations": {"d": {"bucketName": "b-${AWS::AccountId}", "objectKey": "h1.zip"}}}}, "dockerImages": {"i": {}}})"));
    REQUIRE(with_assets.stacks[0].assets.size() == 1);
    const auto& asset = with_assets.stacks[0].assets[0];
    CHECK(asset.display_name == "h1");
    CHECK(asset.packaging == "zip");
    CHECK(asset.source_path == "asset.h1");
    CHECK(asset.destinations[0].bucket_name == "b-${AWS::AccountId}");
    CHECK(asset.destinations[0].region.empty());
    CHECK(with_assets.stacks[0].docker_images == 1);
}

TEST_CASE("Assembly manifest: what is not one is one located error") {
    CHECK(error_of(small(R"({"version": "55.0.0", "artifacts": {"A": {"type": "aws:cloudformation:stack",
      "dependencies": ["Nope"]}}})")) ==
          "out/manifest.json:2:7: artifacts.A.dependencies[0]: names the artifact 'Nope', which the manifest does not have");
    CHECK(error_of(small(R"({"version": "55.0.0", "artifacts": {"A": {"type": "aws:cloudformation:stack",
      "properties": {"requiresBootstrapStackVersion": "6"}}}})")) ==
          "out/manifest.json:2:22: artifacts.A.properties.requiresBootstrapStackVersion: must be a whole number (the "
          "bootstrap version the stack needs)");
    CHECK(error_of(small(R"({"version": "55.0.0", "artifacts": {
      "A.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Gone.assets.json"}},
      "A": {"type": "aws:cloudformation:stack", "dependencies": ["A.assets"]}}})")) ==
          "out/manifest.json:2:65: artifacts.A.assets.properties.file: names the asset manifest 'Gone.assets.json', "
          "which is not in the folder out/");
    CHECK(error_of(small(kStackWithAssets, R"({"files": {"h": {"source": {"path": "../../etc/passwd"},
      "destinations": {"d": {"bucketName": "b", "objectKey": "k"}}}}})")) ==
          "out/A.assets.json:1:29: files.h.source.path: must be a path inside the assembly folder");
    CHECK(error_of(small(kStackWithAssets, R"({"files": {"h": {"source": {"path": "a", "packaging": "tar"},
      "destinations": {"d": {"bucketName": "b", "objectKey": "k"}}}}})")) ==
          "out/A.assets.json:1:42: files.h.source.packaging: must be \"file\" or \"zip\"");
    CHECK(error_of(small(kStackWithAssets, R"({"files": {"h": {"source": {"path": "a"}, "destinations": {}}}})")) ==
          "out/A.assets.json:1:43: files.h.destinations: the asset has no destination");
    CHECK(error_of(small(kStackWithAssets, R"({"files": {"h": {"source": {"path": "a"},
      "destinations": {"d": {"bucketName": "b"}}}}})")) ==
          "out/A.assets.json:2:24: files.h.destinations.d: a destination needs a bucketName and an objectKey");
    CHECK(error_of(small(kStackWithAssets, "[1]")) == "out/A.assets.json:1:1: not an asset manifest: the top level is not a JSON object");
    CHECK(error_of(small(R"({"version": "55.0.0", "artifacts": {"A": {"type": "aws:cloudformation:stack",
      "properties": {"tags": {"k": 1}}}}})")) == "out/manifest.json:2:31: artifacts.A.properties.tags.k: must be a string");
}
