#pragma once
/// @file assets.hpp
/// Publishing file assets (templates, nested templates, Lambda zips) to their S3 destinations
/// before any stack changes: each object is skipped when it already exists (HeadObject; asset keys
/// are content hashes), else uploaded with Content-MD5, several at a time. Internal to the
/// leafsynth CLI (not installed).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "aws_api/session.hpp"
#include "aws_api/role_sessions.hpp"
#include "leafsynth/assembly_manifest.hpp"

namespace leafsynth::deploy {

/// One object to publish: an asset's destination with the placeholders filled in.
struct AssetUpload {
    std::string display_name;        ///< The asset's display name.
    std::filesystem::path source;    ///< The file (or folder, for `zip`) in the assembly folder.
    bool zip = false;                ///< Zip the folder (deterministically) before uploading.
    std::string bucket;              ///< Bucket.
    std::string key;                 ///< Object key.
    std::string region;              ///< The bucket's region.
    std::string contents{};          ///< With `in_memory`: the bytes to upload instead of `source`.
    bool in_memory = false;          ///< Upload `contents` (a template leafsynth changed, e.g. kept exports).
    std::string role_arn{};          ///< The destination's publishing role (`assumeRoleArn`, filled), or empty.
};

/// What happened to one upload.
struct AssetResult {
    std::string display_name; ///< As in AssetUpload.
    std::string url;          ///< `s3://bucket/key`.
    bool uploaded = false;    ///< False when the object was there already.
    std::size_t bytes = 0;    ///< Size of what was uploaded.
};

/// `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in `text` replaced.
std::string fill_placeholders(std::string text, const std::string& account, const std::string& region);

/// The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
std::string partition_of(const std::string& region);

/// The uploads of `assets` for a stack in `account`/`region` (destinations without a region are
/// in the stack's), sources relative to `assembly_dir`, without duplicates (same bucket and key).
std::vector<AssetUpload> uploads_for(const std::vector<FileAsset>& assets, const std::filesystem::path& assembly_dir,
                                     const std::string& account, const std::string& region);

/// Publishes every upload, `parallel` at a time, each as its publishing role (`roles`; the user's
/// own credentials when there is none or it cannot be assumed); `progress` is told of each result
/// (from worker threads, never two at once). Throws InputError naming the asset for a missing or unreadable
/// source, and Error with a clear message for an S3 failure (after the retries); the first
/// failure stops the uploads not started yet.
std::vector<AssetResult> publish_assets(const std::vector<AssetUpload>& uploads, aws_api::RoleSessions& roles, int parallel,
                                        const std::function<void(const AssetResult&)>& progress = {});

} // namespace leafsynth::deploy
