#pragma once
// Internal: the cloud-assembly files the AWS CDK CLI reads (manifest.json, <Stack>.assets.json).

#include <string>
#include <vector>

namespace leafsynth {
class Stack;
}

namespace leafsynth::detail {

/// The cloud-assembly schema version written to manifest.json and asset manifests.
inline constexpr const char* kCloudAssemblyVersion = "55.0.0";

/// One file asset as listed in an asset manifest.
struct FileAssetEntry {
    std::string hash;         ///< SHA-256 of the contents.
    std::string source_path;  ///< File in the output folder.
    std::string extension;    ///< Object key suffix (`.json`, `.zip`).
    std::string display_name; ///< Shown by the CLI.
};

/// What manifest.json needs about one top-level stack.
struct StackArtifact {
    const Stack* stack = nullptr;
    std::string template_file;             ///< Template file name.
    std::string template_hash;             ///< SHA-256 of the template file.
    std::vector<std::string> dependencies; ///< Artifact ids of the stacks it depends on.
    std::vector<FileAssetEntry> assets;    ///< Its template, nested templates, and other assets.
};

/// `<Stack>.assets.json` for one stack.
std::string asset_manifest_json(const StackArtifact& artifact);
/// `manifest.json` for the whole app.
std::string manifest_json(const std::vector<StackArtifact>& artifacts);

} // namespace leafsynth::detail
