#pragma once
/// @file s3_client.hpp
/// The S3 REST calls `leafsynth deploy` needs to publish assets: HeadObject, PutObject (with
/// Content-MD5, so S3 refuses a body corrupted on the way, and the payload's SHA-256 as
/// x-amz-content-sha256, which libcurl's SigV4 signs as the payload hash), CreateBucket and
/// HeadBucket. Path-style URLs (`<endpoint>/<bucket>/<key>`), which moto and custom endpoints
/// need and AWS accepts. Same signing, timeouts, retries and errors as QueryClient (the shared
/// HTTP layer is http_session.hpp). Internal to the leafsynth CLI (not installed).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws_api/query_client.hpp"

namespace leafsynth::aws_api {

/// What HeadObject tells of an object.
struct ObjectInfo {
    std::uint64_t size = 0; ///< Content-Length in bytes.
    std::string etag;       ///< The ETag as S3 gives it, quotes included (the hex MD5 for a simple upload).
};

/// S3 in one region. Not thread-safe: use one client per thread.
class S3Client {
public:
    /// A client with these options (the service is set to `s3`, the API version is unused).
    explicit S3Client(ClientOptions options);
    ~S3Client();
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;

    /// The object's size and ETag, or nullopt when it does not exist (HTTP 404). Throws ApiError
    /// for other answers (a HEAD answer has no body: 403 has the code `Forbidden`).
    std::optional<ObjectInfo> head_object(const std::string& bucket, const std::string& key);

    /// Uploads `bytes` as the object, with Content-MD5 (base64 of the MD5) and
    /// x-amz-content-sha256 (hex SHA-256). Retried like every call (the body is resent whole).
    void put_object(const std::string& bucket, const std::string& key, std::string_view bytes,
                    const std::string& content_type = "application/octet-stream");

    /// Creates the bucket in the client's region (a LocationConstraint unless `us-east-1`). A
    /// bucket this account already owns (BucketAlreadyOwnedByYou) is not an error.
    void create_bucket(const std::string& bucket);

    /// The region the bucket is in (HeadBucket's x-amz-bucket-region, also on the 301 answer of
    /// another region's endpoint), or nullopt when it does not exist; empty when the answer does
    /// not say. Throws ApiError for other answers (403 `Forbidden`).
    std::optional<std::string> bucket_region(const std::string& bucket);

    /// The path-style URL of an object: `<endpoint>/<bucket>/<key>`, each key segment encoded,
    /// `/` kept.
    std::string object_url(const std::string& bucket, const std::string& key) const;

    /// The options.
    const ClientOptions& options() const { return options_; }

    /// Requests sent so far (attempts included), for tests.
    int requests_sent() const;

private:
    ClientOptions options_;
    std::unique_ptr<detail::HttpSession> http_;
};

/// Base64 of the MD5 of `bytes`: the Content-MD5 header's value.
std::string content_md5(std::string_view bytes);

/// Lower-case hex SHA-256 of `bytes`: the x-amz-content-sha256 header's value.
std::string payload_sha256(std::string_view bytes);

} // namespace leafsynth::aws_api
