#include "aws_api/s3_client.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <vector>

#include "aws_api/http_session.hpp"

namespace leafsynth::aws_api {

namespace {

ClientOptions for_s3(ClientOptions o) {
    o.service = "s3";
    o.max_attempts = std::max(1, o.max_attempts);
    return o;
}

/// The raw digest of `bytes` with `md` (EVP).
std::vector<unsigned char> digest(const EVP_MD* md, std::string_view bytes) {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, md, nullptr) != 1)
        throw Error("OpenSSL digest failed");
    out.resize(len);
    return out;
}

/// The code a body-less error answer (HEAD) stands for, as the AWS SDKs name them.
std::string status_code_name(long status) {
    switch (status) {
    case 301: return "PermanentRedirect";
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    default: return "";
    }
}

/// Sends a HEAD request; the `accepted` statuses are answers, an error answer without a body gets
/// its status's name as code.
detail::HttpResponse head(detail::HttpSession& http, const ClientOptions& o, const std::string& url,
                          std::vector<long> accepted) {
    try {
        return http.send(o, {.method = "HEAD",
                             .url = url,
                             .headers = {"x-amz-content-sha256: " + payload_sha256("")},
                             .body = {},
                             .accepted = std::move(accepted)});
    } catch (const ApiError& e) {
        if (!e.code().empty()) throw;
        throw ApiError(e.http_status(), status_code_name(e.http_status()), e.api_message(), e.attempts());
    }
}

} // namespace

std::string content_md5(std::string_view bytes) {
    const std::vector<unsigned char> md5 = digest(EVP_md5(), bytes);
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> out{};
    const int len = EVP_EncodeBlock(out.data(), md5.data(), static_cast<int>(md5.size()));
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(len));
}

std::string payload_sha256(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (const unsigned char b : digest(EVP_sha256(), bytes)) {
        hex += digits[b >> 4];
        hex += digits[b & 0xf];
    }
    return hex;
}

S3Client::S3Client(ClientOptions options)
    : options_(for_s3(std::move(options))), http_(std::make_unique<detail::HttpSession>()) {}

S3Client::~S3Client() = default;

int S3Client::requests_sent() const { return http_->requests_sent(); }

std::string S3Client::object_url(const std::string& bucket, const std::string& key) const {
    std::string url = options_.endpoint;
    while (url.ends_with("/")) url.pop_back();
    url += "/" + detail::uri_encode(bucket);
    if (key.empty()) return url;
    url += '/';
    for (std::size_t start = 0;;) {
        const std::size_t slash = key.find('/', start);
        url += detail::uri_encode(std::string_view(key).substr(start, slash - start));
        if (slash == std::string::npos) break;
        url += '/';
        start = slash + 1;
    }
    return url;
}

std::optional<ObjectInfo> S3Client::head_object(const std::string& bucket, const std::string& key) {
    const detail::HttpResponse r = head(*http_, options_, object_url(bucket, key), {404});
    if (r.status == 404) return std::nullopt;
    ObjectInfo info;
    const std::string length = r.header("content-length");
    if (!length.empty() && std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }))
        info.size = std::stoull(length);
    info.etag = r.header("etag");
    return info;
}

void S3Client::put_object(const std::string& bucket, const std::string& key, std::string_view bytes,
                          const std::string& content_type) {
    http_->send(options_, {.method = "PUT",
                           .url = object_url(bucket, key),
                           .headers = {"Content-Type: " + content_type, "Content-MD5: " + content_md5(bytes),
                                       "x-amz-content-sha256: " + payload_sha256(bytes)},
                           .body = bytes,
                           .accepted = {}});
}

void S3Client::create_bucket(const std::string& bucket) {
    // Outside us-east-1 S3 wants the region as LocationConstraint (and refuses it in us-east-1).
    const std::string body =
        options_.region == "us-east-1"
            ? std::string()
            : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
                  options_.region + "</LocationConstraint></CreateBucketConfiguration>";
    try {
        http_->send(options_, {.method = "PUT",
                               .url = object_url(bucket, ""),
                               .headers = {"Content-Type: application/xml",
                                           "x-amz-content-sha256: " + payload_sha256(body)},
                               .body = body,
                               .accepted = {}});
    } catch (const ApiError& e) {
        if (e.code() != "BucketAlreadyOwnedByYou") throw;
    }
}

std::optional<std::string> S3Client::bucket_region(const std::string& bucket) {
    // A bucket in another region answers 301 from a regional endpoint, with its region in the header.
    const detail::HttpResponse r = head(*http_, options_, object_url(bucket, ""), {404, 301});
    if (r.status == 404) return std::nullopt;
    return r.header("x-amz-bucket-region");
}

} // namespace leafsynth::aws_api
