// Assets: content hashes that do not depend on time or machine, deterministic zips, locations.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "leafsynth/leafsynth.hpp"
#include "support.hpp"

using namespace leafsynth;
using unit::json;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}
fs::path code_folder(const std::string& name) {
    fs::path dir = unit::scratch_dir(name);
    write(dir / "main.py", "def handler(event, context):\n    return 1\n");
    write(dir / "lib" / "util.py", "X = 1\n");
    write(dir / "__pycache__" / "main.cpython-311.pyc", "cache");
    return dir;
}
} // namespace

TEST_CASE("the same folder content gives the same hash whatever the timestamps and location") {
    fs::path a = code_folder("asset-a");
    fs::path b = code_folder("asset-b");
    fs::last_write_time(b / "main.py", fs::file_time_type::clock::now() - std::chrono::hours(24 * 400));
    fs::last_write_time(a / "lib" / "util.py", fs::file_time_type::clock::now() + std::chrono::hours(5));
    std::string za = zip_directory(a);
    std::string zb = zip_directory(b);
    CHECK(za == zb);
    CHECK(sha256_hex(za) == sha256_hex(zb));
    CHECK(za.find("__pycache__") == std::string::npos);

    // A content change changes the hash.
    write(b / "lib" / "util.py", "X = 2\n");
    CHECK(sha256_hex(zip_directory(b)) != sha256_hex(za));
}

TEST_CASE("a directory asset is packaged into the output folder and listed in the asset manifest") {
    fs::path dir = code_folder("asset-stack");
    App app;
    auto& stack = make<Stack>(app, "Assets", StackProps{"Assets", {}, {"123456789012", "eu-west-1"}});
    AssetLocation loc = stack.add_directory_asset(dir, "Handler/Code");
    CHECK(loc.hash.size() == 64);
    CHECK(loc.bucket_name == Value("cdk-hnb659fds-assets-123456789012-eu-west-1"));
    CHECK(loc.object_key == Value(loc.hash + ".zip"));
    auto& role = make<CfnResource>(stack, "Role", "AWS::IAM::Role",
        Map{{"AssumeRolePolicyDocument", Map{{"Version", "2012-10-17"},
            {"Statement", List{Map{{"Effect", "Allow"}, {"Action", "sts:AssumeRole"},
                                   {"Principal", Map{{"Service", "lambda.amazonaws.com"}}}}}}}}});
    make<CfnResource>(stack, "Handler", "AWS::Lambda::Function",
                      Map{{"Runtime", "python3.12"}, {"Handler", "main.handler"}, {"Role", role.get_att("Arn")},
                          {"Code", Map{{"S3Bucket", loc.bucket_name}, {"S3Key", loc.object_key}}}});
    Assembly a = unit::synth_and_emit(app, "asset-stack");
    CHECK(a.file("asset." + loc.hash + ".zip") == zip_directory(dir));
    json manifest = unit::parse_json(a.file("Assets.assets.json"));
    json entry = manifest["files"][loc.hash];
    CHECK(entry["source"] == json{{"path", "asset." + loc.hash + ".zip"}, {"packaging", "file"}});
    CHECK(entry["destinations"]["123456789012-eu-west-1"]["objectKey"] == loc.hash + ".zip");
    CHECK(entry["destinations"]["123456789012-eu-west-1"]["bucketName"] == "cdk-hnb659fds-assets-123456789012-eu-west-1");
}

TEST_CASE("a bucket and prefix the app names replace the CDK bootstrap bucket") {
    App app(AppProps{AssetSettings{"my-assets-${AWS::Region}", "leafsynth/"}});
    auto& stack = make<Stack>(app, "Custom", StackProps{"Custom", {}, {{}, "eu-west-1"}});
    AssetLocation loc = stack.add_asset("hello", ".txt", "greeting");
    CHECK(loc.bucket_name == Value("my-assets-eu-west-1"));
    CHECK(loc.object_key == Value("leafsynth/" + sha256_hex("hello") + ".txt"));
    make<CfnResource>(stack, "Q", "AWS::SQS::Queue");
    Assembly a = app.synth();
    json manifest = unit::parse_json(a.file("Custom.assets.json"));
    CHECK(manifest["files"][loc.hash]["destinations"]["current_account-eu-west-1"]["bucketName"] == "my-assets-eu-west-1");
}

TEST_CASE("an unknown account stays a placeholder in asset locations") {
    App app;
    auto& stack = make<Stack>(app, "Agnostic", StackProps{"Agnostic", {}, {{}, "eu-west-1"}});
    AssetLocation loc = stack.add_asset("x", ".json", "x");
    CHECK(loc.bucket_name == Fn::sub("cdk-hnb659fds-assets-${AWS::AccountId}-eu-west-1"));
}
