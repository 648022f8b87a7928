#pragma once
/// @file assembly_manifest.hpp
/// A cloud assembly as read back: the stacks of its `manifest.json` (and of the nested cloud
/// assemblies it names, CDK stages), with what deploying each one needs: environment, template,
/// bootstrap roles and version, parameters, tags, dependencies and the file assets of its asset
/// manifests. Reads leafsynth's output folders and `cdk synth` ones alike; `leafsynth diff` and
/// `leafsynth deploy` share it. Every problem is an InputError naming the file, line:column and
/// key path.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace leafsynth {

/// The files of an output folder (a cloud assembly): relative path → contents. Nested cloud
/// assemblies are under `assembly-*/`. Asset payloads (`asset.*`) and CDK's tree.json are not in it.
using AssemblyFiles = std::map<std::string, std::string>;

/// Nested cloud assemblies (`assembly-*` folders of CDK stages) are read this many levels deep at most.
inline constexpr int kMaxAssemblyNesting = 16;

/// Where one file asset goes.
struct AssetDestination {
    std::string id;              ///< The destination's id in the asset manifest (e.g. `123456789012-us-west-2`).
    std::string bucket_name;     ///< Bucket; may hold `${AWS::AccountId}`, `${AWS::Region}`, `${AWS::Partition}`.
    std::string object_key;      ///< Object key.
    std::string region;          ///< The bucket's region, or empty for the stack's.
    std::string assume_role_arn; ///< The publishing role, or empty.
};

/// One file asset of an asset manifest (a Lambda zip, a nested template, the stack's template).
struct FileAsset {
    std::string id;                            ///< Its id (the content hash for leafsynth and CDK).
    std::string display_name;                  ///< Shown to users; the id when the manifest has none.
    std::string source_path;                   ///< File or folder, relative to the assembly's root folder.
    std::string packaging;                     ///< `file`, or `zip` (a folder to zip).
    std::vector<AssetDestination> destinations; ///< Where it is published.
};

/// One `aws:cloudformation:stack` artifact.
struct StackArtifactManifest {
    std::string artifact_id;                        ///< Its id in the manifest.
    std::string stack_name;                         ///< CloudFormation stack name (`stackName`, else the id).
    std::string account;                            ///< From `environment`, or empty for `unknown-account`.
    std::string region;                             ///< From `environment`, or empty for `unknown-region`.
    std::string template_file;                      ///< The template's path in the AssemblyFiles.
    std::string template_object_url;                ///< `stackTemplateAssetObjectUrl` (`s3://bucket/key`), or empty.
    std::string assume_role_arn;                    ///< The deploy role (`assumeRoleArn`), or empty.
    std::string execution_role_arn;                 ///< `cloudFormationExecutionRoleArn`, or empty.
    std::string lookup_role_arn;                    ///< `lookupRole.arn` (read-only role for diff and drift), or empty.
    int requires_bootstrap_version = 0;             ///< `requiresBootstrapStackVersion`, 0 when not given.
    std::string bootstrap_version_parameter;        ///< `bootstrapStackVersionSsmParameter`, or empty.
    bool termination_protection = false;            ///< `terminationProtection`.
    std::map<std::string, std::string> tags;        ///< Stack tags.
    std::map<std::string, std::string> parameters;  ///< Template parameter values given at synth time.
    std::vector<std::string> dependencies;          ///< Artifact ids of the stacks it depends on (manifest order).
    std::vector<FileAsset> assets;                  ///< File assets of the asset manifests it depends on.
    std::size_t docker_images = 0;                  ///< Image assets of those manifests (leafsynth does not build images).
    std::string manifest;                           ///< The manifest it came from (path in the AssemblyFiles).
};

/// The stacks of an assembly.
struct AssemblyManifest {
    /// The stacks in manifest order (nested assemblies' stacks where they are named). Without a
    /// manifest.json, every top-level `*.template.*` that is not a `.nested.` one, by name.
    std::vector<StackArtifactManifest> stacks;
    bool has_manifest = false; ///< False when the folder has no manifest.json.
};

/// What read_assembly_manifest reads.
struct ManifestReadOptions {
    bool assets = true; ///< Read the asset manifests the stacks depend on (`diff` does not need them).
};

/// Reads the manifest of `files`. `root` is how the folder is named in messages (`before/`, or
/// empty for the app's own output). Throws InputError for a manifest or asset manifest that is not
/// one (not JSON, entries of the wrong type, a template or asset manifest that is not in the
/// folder, a dependency on an artifact that does not exist).
AssemblyManifest read_assembly_manifest(const AssemblyFiles& files, const std::string& root = {},
                                        const ManifestReadOptions& options = {});

} // namespace leafsynth
