// libFuzzer target: the CloudFormation API answers (src/aws_api/: pugixml parsing in
// query_client.cpp, cloudformation.cpp, deployed_stacks.cpp) on arbitrary bytes, without any
// network: libcurl is replaced by fake_curl.cpp, which answers every request with the input.
//
// Per input:
//   1. DescribeStacks, GetTemplate (its TemplateBody then read by parse_template, as `leafsynth
//      diff` does) and ListStackResources with HTTP 200 (a second ListStackResources page, when
//      the answer has a NextToken, fails as a dropped connection);
//   2. the same answer as an error (HTTP 400 and 503): the Error/Code/Message parsing;
//   3. fetch_deployed_stacks for one stack, every request answered with the input (nested
//      stacks included: ListStackResources entries of type AWS::CloudFormation::Stack are read
//      again with the same answer), then diff_deployed against a one-stack assembly and
//      render_diff, as `leafsynth diff` does against deployed stacks.
// The documented answers to bad input are leafsynth::Error (ApiError, TransportError,
// InputError); anything else escaping, a crash, or more than kRequestBudget requests for one
// input (unbounded fan-out over nested stacks) is a finding.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "aws_api/cloudformation.hpp"
#include "aws_api/deployed_stacks.hpp"
#include "fake_curl.hpp"
#include "fuzz_support.hpp"
#include "leafsynth/diff.hpp"

namespace aws = leafsynth::aws_api;
namespace fake = leafsynth_fuzz::fake_curl;

namespace {

// fetch_deployed_stacks reads nested stacks at most 16 levels deep; an answer that lists one
// nested stack (the same answer again for it) takes 3 requests per level.
constexpr int kRequestBudget = 2000;

aws::ClientOptions client_options() {
    aws::ClientOptions o;
    o.region = "us-east-1";
    o.endpoint = "https://cloudformation.fuzz.invalid";
    o.endpoint_source = "fuzz";
    o.credentials = {"AKIDFUZZFUZZFUZZFUZZ", "fuzz-secret", "", "fuzz"};
    o.max_attempts = 1; // no retries, so no backoff waits
    o.backoff_base = std::chrono::milliseconds(0);
    return o;
}

std::optional<std::string> fuzz_environment(const std::string& name) {
    if (name == "AWS_ACCESS_KEY_ID") return std::string("AKIDFUZZFUZZFUZZFUZZ");
    if (name == "AWS_SECRET_ACCESS_KEY") return std::string("fuzz-secret");
    if (name == "AWS_ENDPOINT_URL_CLOUDFORMATION") return std::string("https://cloudformation.fuzz.invalid");
    if (name == "AWS_MAX_ATTEMPTS") return std::string("1");
    if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") return std::string("/nonexistent/leafsynth-fuzz");
    if (name == "AWS_EC2_METADATA_DISABLED") return std::string("true");
    return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    aws::CloudFormationClient cf(client_options());

    // 1. Answers to the three calls.
    fake::reset(1);
    fake::set_answer(200, body);
    leafsynth_fuzz::expect_only<leafsynth::Error>("describe_stack", [&] { (void)cf.describe_stack("Fuzz"); });
    fake::reset(1);
    leafsynth_fuzz::expect_only<leafsynth::Error>("get_template", [&] {
        const std::string text = cf.get_template("Fuzz");
        (void)leafsynth::parse_template(text, "deployed template");
    });
    fake::reset(1);
    leafsynth_fuzz::expect_only<leafsynth::Error>("list_stack_resources", [&] { (void)cf.list_stack_resources("Fuzz"); });

    // 2. Error answers.
    for (long status : {400L, 503L}) {
        fake::reset(1);
        fake::set_answer(status, body);
        leafsynth_fuzz::expect_only<leafsynth::Error>("error answer", [&] { (void)cf.describe_stack("Fuzz"); });
    }

    // 3. A whole fetch of one stack and its nested stacks, then the diff against it.
    fake::reset(kRequestBudget);
    fake::set_answer(200, body);
    leafsynth_fuzz::expect_only<leafsynth::Error>("fetch_deployed_stacks", [&] {
        aws::FetchOptions options;
        options.timeout = std::chrono::milliseconds(1000);
        options.concurrency = 1;
        options.env = fuzz_environment;
        const auto deployed = aws::fetch_deployed_stacks({{"Fuzz", "us-east-1"}}, options);
        const leafsynth::AssemblyFiles app = {{"Fuzz.template.json", R"({"Resources":{"Topic":{"Type":"AWS::SNS::Topic"}}})"}};
        const leafsynth::AssemblyDiff d = leafsynth::diff_deployed(deployed, app);
        (void)leafsynth::render_diff(d);
    });
    if (fake::requests() > kRequestBudget)
        leafsynth_fuzz::finding("fetch_deployed_stacks", "more than " + std::to_string(kRequestBudget) +
                                                             " requests for one stack (unbounded nested-stack fan-out)");
    return 0;
}
