#pragma once
/// @file logical_id.hpp
/// The logical-id rule of aws-cdk-lib, so the same construct path gives the same id as a CDK app.

#include <string>
#include <vector>

namespace leafsynth {

/// The logical id of a path below a stack, computed exactly as aws-cdk-lib's `makeUniqueId`:
/// `Default` components are dropped; a single component is used as is (non-alphanumerics
/// removed); otherwise the human part (repeated components removed, `Resource` hidden,
/// non-alphanumerics removed, capped at 240 characters) plus the first 8 hex digits of the MD5
/// of the path, upper-cased. Throws ConstructError for an empty path.
std::string make_unique_id(const std::vector<std::string>& components);

/// The upper-cased hex MD5 digest of a string (OpenSSL EVP).
std::string md5_hex(const std::string& data);

/// The lower-case hex SHA-256 digest of a string (OpenSSL EVP).
std::string sha256_hex(const std::string& data);

} // namespace leafsynth
