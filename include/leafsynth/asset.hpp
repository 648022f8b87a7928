#pragma once
/// @file asset.hpp
/// File and directory assets (Lambda code, nested templates): content-addressed by SHA-256 and
/// published to the CDK bootstrap bucket (or a bucket the app names).

#include <filesystem>
#include <string>

#include "leafsynth/value.hpp"

namespace leafsynth {

/// Where assets are published. With an empty bucket, the CDK default bootstrap layout is used:
/// bucket `cdk-hnb659fds-assets-<account>-<region>` (bootstrap_contract.hpp), key `<hash>.<ext>`.
struct AssetSettings {
    std::string bucket_name;  ///< Bucket name (may use `${AWS::AccountId}` / `${AWS::Region}`); empty: CDK's.
    std::string prefix;       ///< Key prefix, e.g. `assets/`.
};

/// Where one asset will be in S3, as template values.
struct AssetLocation {
    std::string hash;   ///< SHA-256 of the content (of the deterministic zip for directories), lower-case hex.
    Value bucket_name;  ///< The bucket.
    Value object_key;   ///< The object key.
    Value s3_url;       ///< `s3://bucket/key`.
    Value http_url;     ///< `https://s3.<region>.<url suffix>/bucket/key`.
};

/// Zips a directory deterministically: entries sorted by path, fixed timestamps (1980-01-01) and
/// modes (0644 files, 0755 folders), so the bytes depend only on the files' names and contents.
/// Throws InputError when the folder cannot be read.
std::string zip_directory(const std::filesystem::path& dir);

} // namespace leafsynth
