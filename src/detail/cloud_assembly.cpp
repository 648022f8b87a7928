#include "detail/cloud_assembly.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "leafsynth/app.hpp"
#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/stack.hpp"

namespace leafsynth::detail {

using Json = nlohmann::ordered_json;

namespace {

std::string or_placeholder(const std::string& value, const char* placeholder) {
    return value.empty() ? placeholder : value;
}

/// A CDK bootstrap role ARN for the stack's environment.
std::string role_arn(const Stack& stack, const std::string& role) {
    std::string account = or_placeholder(stack.environment().account, "${AWS::AccountId}");
    std::string region = or_placeholder(stack.environment().region, "${AWS::Region}");
    return bootstrap::role_arn(role, account, region);
}

std::string bucket_name(const Stack& stack) {
    const auto* app = construct_cast<App>(&stack.root());
    std::string bucket = app && !app->asset_settings().bucket_name.empty()
                             ? app->asset_settings().bucket_name
                             : bootstrap::assets_bucket_name("${AWS::AccountId}", "${AWS::Region}");
    auto replace = [&](const std::string& from, const std::string& to) {
        if (to.empty()) return;
        for (auto at = bucket.find(from); at != std::string::npos; at = bucket.find(from, at + to.size()))
            bucket.replace(at, from.size(), to);
    };
    replace("${AWS::AccountId}", stack.environment().account);
    replace("${AWS::Region}", stack.environment().region);
    return bucket;
}

std::string prefix(const Stack& stack) {
    const auto* app = construct_cast<App>(&stack.root());
    return app ? app->asset_settings().prefix : std::string();
}

} // namespace

std::string asset_manifest_json(const StackArtifact& artifact) {
    const Stack& stack = *artifact.stack;
    std::string destination = or_placeholder(stack.environment().account, "current_account") + "-" +
                              or_placeholder(stack.environment().region, "current_region");
    Json files = Json::object();
    for (const auto& a : artifact.assets) {
        Json dest = Json::object();
        dest["bucketName"] = bucket_name(stack);
        dest["objectKey"] = prefix(stack) + a.hash + a.extension;
        if (!stack.environment().region.empty()) dest["region"] = stack.environment().region;
        dest["assumeRoleArn"] = role_arn(stack, "file-publishing");
        Json entry = Json::object();
        entry["displayName"] = a.display_name;
        entry["source"] = Json{{"path", a.source_path}, {"packaging", "file"}};
        entry["destinations"] = Json{{destination, dest}};
        files[a.hash] = std::move(entry);
    }
    Json doc = Json::object();
    doc["version"] = kCloudAssemblyVersion;
    doc["files"] = std::move(files);
    doc["dockerImages"] = Json::object();
    return doc.dump(2) + "\n";
}

std::string manifest_json(const std::vector<StackArtifact>& artifacts) {
    Json arts = Json::object();
    for (const auto& a : artifacts) {
        const Stack& s = *a.stack;
        const std::string id = s.artifact_id();
        arts[id + ".assets"] = Json{{"type", "cdk:asset-manifest"},
                                    {"properties", Json{{"file", id + ".assets.json"},
                                                        {"requiresBootstrapStackVersion", bootstrap::kRequiredVersion},
                                                        {"bootstrapStackVersionSsmParameter", bootstrap::kVersionParameter}}}};
        Json props = Json::object();
        props["templateFile"] = a.template_file;
        props["terminationProtection"] = s.termination_protection();
        props["validateOnSynth"] = false;
        props["assumeRoleArn"] = role_arn(s, "deploy");
        props["cloudFormationExecutionRoleArn"] = role_arn(s, "cfn-exec");
        props["lookupRole"] = Json{{"arn", role_arn(s, "lookup")},
                                   {"requiresBootstrapStackVersion", bootstrap::kRequiredVersion},
                                   {"bootstrapStackVersionSsmParameter", bootstrap::kVersionParameter}};
        props["stackTemplateAssetObjectUrl"] = "s3://" + bucket_name(s) + "/" + prefix(s) + a.template_hash +
                                               std::filesystem::path(a.template_file).extension().string();
        props["requiresBootstrapStackVersion"] = bootstrap::kRequiredVersion;
        props["bootstrapStackVersionSsmParameter"] = bootstrap::kVersionParameter;
        props["additionalDependencies"] = Json::array({id + ".assets"});
        if (s.stack_name() != id) props["stackName"] = s.stack_name();
        Json deps = Json::array();
        for (const auto& d : a.dependencies) deps.push_back(d);
        deps.push_back(id + ".assets");
        Json entry = Json::object();
        entry["type"] = "aws:cloudformation:stack";
        entry["environment"] = "aws://" + or_placeholder(s.environment().account, "unknown-account") + "/" +
                               or_placeholder(s.environment().region, "unknown-region");
        entry["properties"] = std::move(props);
        entry["dependencies"] = std::move(deps);
        entry["displayName"] = s.stack_name();
        arts[id] = std::move(entry);
    }
    Json doc = Json::object();
    doc["version"] = kCloudAssemblyVersion;
    doc["artifacts"] = std::move(arts);
    return doc.dump(2) + "\n";
}

} // namespace leafsynth::detail
