#pragma once
// ClientOptions for the AWS API tests: a local endpoint, fake credentials, short backoff and
// timeouts, every field given (GCC warns on designated initializers that omit one).

#include <chrono>
#include <string>

#include "aws_api/query_client.hpp"

namespace {

/// Options for a test server at `url`; the clients set service and API version themselves.
[[maybe_unused]] leafsynth::aws_api::ClientOptions test_client_options(
    const std::string& url, const std::string& region, leafsynth::aws_api::Credentials credentials,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000), int max_attempts = 3,
    std::chrono::milliseconds backoff_base = std::chrono::milliseconds(1)) {
    return {.service = "",
            .api_version = "",
            .region = region,
            .endpoint = url,
            .endpoint_source = "test",
            .credentials = std::move(credentials),
            .ca_bundle = "",
            .timeout = timeout,
            .connect_timeout = std::chrono::milliseconds(5000),
            .max_attempts = max_attempts,
            .backoff_base = backoff_base,
            .backoff_cap = backoff_base * 10,
            .cancel = nullptr,
            .provider = nullptr};
}

} // namespace
