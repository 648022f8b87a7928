#include "deploy/assets.hpp"

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "aws_api/s3_client.hpp"
#include "leafsynth/asset.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

namespace fs = std::filesystem;

std::string partition_of(const std::string& region) {
    if (region.starts_with("cn-")) return "aws-cn";
    if (region.starts_with("us-gov-")) return "aws-us-gov";
    return "aws";
}

std::string fill_placeholders(std::string text, const std::string& account, const std::string& region) {
    const std::pair<std::string, std::string> replacements[] = {
        {"${AWS::AccountId}", account}, {"${AWS::Region}", region}, {"${AWS::Partition}", partition_of(region)}};
    for (const auto& [from, to] : replacements)
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    return text;
}

std::vector<AssetUpload> uploads_for(const std::vector<FileAsset>& assets, const fs::path& assembly_dir,
                                     const std::string& account, const std::string& region) {
    std::vector<AssetUpload> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& a : assets) {
        for (const auto& d : a.destinations) {
            const std::string where = d.region.empty() ? region : fill_placeholders(d.region, account, region);
            AssetUpload u{.display_name = a.display_name,
                          .source = assembly_dir / a.source_path,
                          .zip = a.packaging == "zip",
                          .bucket = fill_placeholders(d.bucket_name, account, where),
                          .key = fill_placeholders(d.object_key, account, where),
                          .region = where,
                          .contents = {},
                          .in_memory = false,
                          .role_arn = fill_placeholders(d.assume_role_arn, account, where)};
            if (seen.insert({u.bucket, u.key}).second) out.push_back(std::move(u));
        }
    }
    return out;
}

namespace {

std::string read_source(const AssetUpload& u) {
    if (u.in_memory) return u.contents;
    std::error_code ec;
    if (u.zip) {
        if (!fs::is_directory(u.source, ec))
            throw InputError("asset " + quote_excerpt(u.display_name) + ": " + u.source.string() +
                             " is not a folder (the asset manifest says to zip one); synthesize the app again");
        return zip_directory(u.source);
    }
    if (!fs::is_regular_file(u.source, ec))
        throw InputError("asset " + quote_excerpt(u.display_name) + ": " + u.source.string() +
                         " is missing or not a file; synthesize the app again");
    std::ifstream in(u.source, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) throw InputError("asset " + quote_excerpt(u.display_name) + ": cannot read " + u.source.string());
    return bytes.str();
}

} // namespace

std::vector<AssetResult> publish_assets(const std::vector<AssetUpload>& uploads, aws_api::RoleSessions& roles, int parallel,
                                        const std::function<void(const AssetResult&)>& progress) {
    std::vector<AssetResult> results(uploads.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;
    std::string first_error;
    bool first_is_input = false;
    auto work = [&] {
        // per region and role, per thread
        std::map<std::pair<std::string, std::string>, std::unique_ptr<aws_api::S3Client>> clients;
        for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < uploads.size();) {
            const AssetUpload& u = uploads[i];
            AssetResult r{.display_name = u.display_name, .url = "s3://" + u.bucket + "/" + u.key, .uploaded = false, .bytes = 0};
            std::string action = "s3:HeadObject";
            const aws_api::Session* session = &roles.base();
            try {
                session = &roles.session_for(u.role_arn, u.region, "file-publishing role");
                auto& s3 = clients[{u.region, u.role_arn}];
                if (!s3)
                    s3 = std::make_unique<aws_api::S3Client>(
                        session->client_options(aws_api::kS3, u.region, "asset " + u.display_name));
                if (!s3->head_object(u.bucket, u.key)) {
                    const std::string bytes = read_source(u);
                    action = "s3:PutObject";
                    s3->put_object(u.bucket, u.key, bytes,
                                   u.key.ends_with(".json") ? "application/json" : "application/octet-stream");
                    r.uploaded = true;
                    r.bytes = bytes.size();
                }
                std::lock_guard lock(mutex);
                results[i] = r;
                if (progress) progress(r);
            } catch (const std::exception& e) {
                std::string message;
                bool input = false;
                if (const auto* api = dynamic_cast<const aws_api::ApiError*>(&e)) {
                    message = session->failure_message(action, r.url + " (asset " + u.display_name + ")",
                                                      "S3 in " + u.region, *api,
                                                      "s3:GetObject and s3:PutObject on the bucket " + u.bucket +
                                                          " (the bootstrap's file-publishing role has them)");
                    if (api->code() == "NoSuchBucket" || api->http_status() == 404)
                        message = "the asset bucket " + u.bucket + " does not exist in " + u.region +
                                  ": the environment is not bootstrapped; run leafsynth bootstrap";
                } else {
                    input = dynamic_cast<const InputError*>(&e) != nullptr;
                    message = input ? std::string(e.what()) : action + " " + r.url + ": " + e.what();
                }
                std::lock_guard lock(mutex);
                if (!failed.exchange(true)) {
                    first_error = message;
                    first_is_input = input;
                }
            }
        }
    };
    const int workers = std::max(1, std::min<int>(parallel, static_cast<int>(uploads.size())));
    std::vector<std::thread> threads;
    for (int t = 0; t < workers; ++t) threads.emplace_back(work);
    for (auto& t : threads) t.join();
    if (failed) {
        if (first_is_input) throw InputError(first_error);
        throw Error(first_error);
    }
    return results;
}

} // namespace leafsynth::deploy
