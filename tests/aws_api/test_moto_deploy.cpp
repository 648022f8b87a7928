// End to end against a real moto_server (on PATH; missing is a failure, as in
// tests/deploy/moto_harness.py) that the test starts on 127.0.0.1 on a free port, waits for
// (bounded) and always stops (SIGTERM to its process group, SIGKILL after 5 s): S3 CreateBucket,
// PutObject, HeadObject, HeadBucket; then the deploy sequence on a tiny template uploaded to S3:
// CreateChangeSet CREATE by TemplateURL, DescribeChangeSet until CREATE_COMPLETE, ExecuteChangeSet,
// DescribeStacks until CREATE_COMPLETE (tags; outputs when moto has them), DescribeStackEvents (with a stop
// condition), ListExports, an UPDATE change set with the same template (is_no_changes),
// DeleteChangeSet, DeleteStack.
//
// What moto 5.2 does not do, so this test cannot show: no outputs or exports for a stack made by a
// change set (see below); it does not verify Content-MD5 (a wrong
// one is accepted; real S3 answers 400 BadDigest; the header's value is checked by
// test_s3_client.cpp), nor SigV4 signatures; it has no ListImports, UpdateTerminationProtection,
// ContinueUpdateRollback or CancelUpdateStack (test_cloudformation_calls.cpp covers those against
// the scripted server). moto reads a TemplateURL's bucket and key from its path only when the URL
// contains "localhost" (see tests/deploy/deploy_assembly.py), so the URL given is
// http://localhost:PORT/<bucket>/<key>, though the clients talk to 127.0.0.1.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws_api/cloudformation.hpp"
#include "aws_api/s3_client.hpp"
#include "test_client_options.hpp"

extern char** environ;

using namespace leafsynth::aws_api;

namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

/// A moto_server on 127.0.0.1, in its own session (process group), with fake credentials and no
/// proxy variables; its output goes to a log file shown when it fails to start.
class MotoServer {
public:
    MotoServer() : port_(free_port()) {
        log_ = (std::filesystem::temp_directory_path() / ("leafsynth-moto-" + std::to_string(::getpid()) + ".log")).string();
        std::vector<std::string> env_text;
        for (char** e = environ; *e; ++e) {
            const std::string var = *e;
            const std::string name = var.substr(0, var.find('='));
            std::string lower = name;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower == "http_proxy" || lower == "https_proxy" || lower == "all_proxy" || name.rfind("AWS_", 0) == 0)
                continue;
            env_text.push_back(var);
        }
        for (const char* v : {"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_DEFAULT_REGION=us-east-1",
                              "PYTHONUNBUFFERED=1"})
            env_text.emplace_back(v);
        std::vector<char*> envp;
        for (auto& v : env_text) envp.push_back(v.data());
        envp.push_back(nullptr);
        const std::string port = std::to_string(port_);
        std::vector<std::string> args_text = {"moto_server", "-H", "127.0.0.1", "-p", port};
        std::vector<char*> argv;
        for (auto& a : args_text) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
        const int rc = ::posix_spawnp(&pid_, "moto_server", &actions, &attr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) {
            pid_ = -1;
            FAIL("cannot start moto_server (is moto[server] installed and on PATH?): " << std::strerror(rc));
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!accepts_connections(port_)) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL("moto_server exited before it was ready; log:\n" << log_text());
            }
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                FAIL("moto_server not ready on port " << port_ << " after 30 s; log:\n" << log_text());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ~MotoServer() {
        stop();
        std::error_code ec;
        std::filesystem::remove(log_, ec);
    }
    MotoServer(const MotoServer&) = delete;
    MotoServer& operator=(const MotoServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string log_text() const {
        std::ifstream in(log_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    void stop() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) != pid_) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(-pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        pid_ = -1;
    }

    int port_;
    pid_t pid_ = -1;
    std::string log_;
};

ClientOptions moto_options(const std::string& url) {
    return test_client_options(url, "us-east-1", {"testing", "testing", "", "moto"}, std::chrono::milliseconds(15000),
                               2, std::chrono::milliseconds(50));
}

/// Calls `poll` every 100 ms until it returns true, for at most 10 s.
template <typename Poll>
bool eventually(Poll&& poll) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!poll()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

const std::string kTemplate = R"({
  "Parameters": {"Name": {"Type": "String", "Default": "leafsynth-e2e-topic"}},
  "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}},
  "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "leafsynth-e2e-TopicArn"}}}
})";

} // namespace

TEST_CASE("End to end against moto_server: S3 upload, change set create and execute, events, no-change update, delete",
          "[moto]") {
    MotoServer moto;
    INFO("moto_server on " << moto.url());
    S3Client s3(moto_options(moto.url()));
    CloudFormationClient cf(moto_options(moto.url()));

    // S3: the bucket, the template object, its size.
    const std::string bucket = "leafsynth-e2e-assets";
    const std::string key = "app/template.json";
    CHECK(s3.bucket_region(bucket) == std::nullopt);
    s3.create_bucket(bucket);
    s3.create_bucket(bucket); // an owned bucket again: not an error
    CHECK(s3.bucket_region(bucket).has_value());
    CHECK_FALSE(s3.head_object(bucket, key));
    s3.put_object(bucket, key, kTemplate, "application/json");
    const auto info = s3.head_object(bucket, key);
    REQUIRE(info);
    CHECK(info->size == kTemplate.size());
    CHECK(info->etag.size() == 34); // "<32 hex digits of the MD5>"
    s3.put_object(bucket, "dir with space/a+b.txt", "x");
    CHECK(s3.head_object(bucket, "dir with space/a+b.txt").value().size == 1);
    // Binary, over libcurl's 1 MiB `Expect: 100-continue` threshold (an asset zip).
    std::string zip(3 * 1024 * 1024 + 7, '\0');
    for (std::size_t i = 0; i < zip.size(); ++i) zip[i] = static_cast<char>((i * 131) % 251);
    s3.put_object(bucket, "app/asset.zip", zip, "application/zip");
    CHECK(s3.head_object(bucket, "app/asset.zip").value().size == zip.size());
    try {
        s3.put_object("leafsynth-no-such-bucket", key, "x");
        FAIL("no error");
    } catch (const ApiError& e) {
        CHECK(e.http_status() == 404);
        CHECK(e.code() == "NoSuchBucket");
    }

    // CloudFormation: create by change set from the uploaded template.
    const std::string template_url = "http://localhost:" + std::to_string(moto.port()) + "/" + bucket + "/" + key;
    const ChangeSetCreated created = cf.create_change_set({
        .stack_name = "LeafsynthE2E",
        .change_set_name = "leafsynth-create",
        .change_set_type = "CREATE",
        .template_url = template_url,
        .parameters = {{.key = "Name", .value = "leafsynth-e2e-topic", .use_previous_value = false}},
        .capabilities = {"CAPABILITY_IAM"},
        .tags = {{"app", "leafsynth"}},
        .include_nested_stacks = false,
        .description = "leafsynth e2e",
        .role_arn = "",
    });
    CHECK(created.change_set_id.find(":changeSet/leafsynth-create/") != std::string::npos);
    CHECK(created.stack_id.find(":stack/LeafsynthE2E/") != std::string::npos);
    ChangeSetDescription cs;
    REQUIRE(eventually([&] {
        cs = cf.describe_change_set("leafsynth-create", "LeafsynthE2E");
        return cs.status != "CREATE_PENDING" && cs.status != "CREATE_IN_PROGRESS";
    }));
    CHECK(cs.status == "CREATE_COMPLETE");
    CHECK(cs.execution_status == "AVAILABLE");
    CHECK_FALSE(is_no_changes(cs));
    REQUIRE(cs.changes.size() == 1);
    CHECK(cs.changes[0].action == "Add");
    CHECK(cs.changes[0].logical_id == "Topic");
    CHECK(cs.changes[0].resource_type == "AWS::SNS::Topic");

    cf.execute_change_set(created.change_set_id, "");
    std::optional<StackDescription> stack;
    REQUIRE(eventually([&] {
        stack = cf.describe_stack("LeafsynthE2E");
        return stack && stack->status.find("IN_PROGRESS") == std::string::npos;
    }));
    CHECK(stack->status == "CREATE_COMPLETE");
    CHECK(stack->stack_id == created.stack_id);
    // moto 5.2 builds no outputs (and so no exports) for a stack made by a change set:
    // ChangeSet.apply updates the resources only, the stack keeps the output map of its empty
    // template. So outputs and exports are checked when moto has them (test_cloudformation_calls.cpp
    // checks their parsing against the scripted server).
    if (!stack->outputs.empty()) {
        REQUIRE(stack->outputs.size() == 1);
        CHECK(stack->outputs[0].key == "TopicArn");
        CHECK(stack->outputs[0].value.find(":leafsynth-e2e-topic") != std::string::npos);
        CHECK(stack->outputs[0].export_name == "leafsynth-e2e-TopicArn");
    }
    CHECK(stack->tags == std::vector<std::pair<std::string, std::string>>{{"app", "leafsynth"}});
    CHECK_FALSE(stack->creation_time.empty());
    CHECK_FALSE(stack->termination_protection);

    // Events: newest first; a poll that stops at the newest one it has seen reads nothing new.
    const auto events = cf.describe_stack_events("LeafsynthE2E");
    REQUIRE(events.size() >= 2);
    CHECK(events.front().logical_id == "LeafsynthE2E");
    CHECK(events.front().status == "CREATE_COMPLETE");
    CHECK(events.front().stack_id == created.stack_id);
    CHECK_FALSE(events.front().event_id.empty());
    CHECK_FALSE(events.front().timestamp.empty());
    const std::string newest = events.front().event_id;
    CHECK(cf.describe_stack_events("LeafsynthE2E", [&](const StackEvent& e) { return e.event_id == newest; }).empty());

    const std::vector<StackExport> exports = cf.list_exports();
    CHECK(exports.size() == stack->outputs.size());
    for (const StackExport& e : exports) {
        CHECK(e.name == "leafsynth-e2e-TopicArn");
        CHECK(e.exporting_stack_id == created.stack_id);
    }

    // The same template and parameters again: a change set with no changes.
    cf.create_change_set({.stack_name = "LeafsynthE2E",
                          .change_set_name = "leafsynth-update",
                          .change_set_type = "UPDATE",
                          .template_url = template_url,
                          .parameters = {{.key = "Name", .value = "leafsynth-e2e-topic", .use_previous_value = false}},
                          .capabilities = {"CAPABILITY_IAM"},
                          .tags = {{"app", "leafsynth"}},
                          .include_nested_stacks = false,
                          .description = "",
                          .role_arn = ""});
    const ChangeSetDescription same = cf.describe_change_set("leafsynth-update", "LeafsynthE2E");
    CHECK(same.status == "FAILED");
    CHECK(is_no_changes(same));
    cf.delete_change_set("leafsynth-update", "LeafsynthE2E");
    CHECK_THROWS_AS(cf.describe_change_set("leafsynth-update", "LeafsynthE2E"), ApiError);

    cf.delete_stack("LeafsynthE2E");
    REQUIRE(eventually([&] {
        const auto s = cf.describe_stack("LeafsynthE2E");
        return !s || s->status == "DELETE_COMPLETE";
    }));
}
