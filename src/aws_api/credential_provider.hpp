#pragma once
/// @file credential_provider.hpp
/// Credentials that stay valid through a long run: a provider holds the current credentials and
/// the way to fetch fresh ones, and fetches them again (once, whatever the number of threads
/// asking) when they expire within a refresh window. The HTTP layer asks it before every attempt
/// (ClientOptions::provider), so a deploy never signs with expired assumed-role, SSO or web
/// identity credentials. Internal to the leafsynth CLI (not installed).

#include <chrono>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>

#include "aws_api/credentials.hpp"

namespace leafsynth::aws_api {

/// Thread-safe current credentials, refreshed before they expire.
class CredentialProvider {
public:
    /// Fetches fresh credentials (the same way as the first ones); throws InputError when it cannot.
    using Fetch = std::function<Credentials()>;

    /// How long before their expiration credentials are fetched again, unless set otherwise.
    static constexpr std::chrono::seconds kDefaultRefreshWindow{300};

    /// A provider of `initial`, refreshed with `fetch` when they expire within `refresh_window`.
    /// Credentials without an expiration (0), or no `fetch`, are never refreshed.
    explicit CredentialProvider(Credentials initial, Fetch fetch = {},
                                std::chrono::seconds refresh_window = kDefaultRefreshWindow);

    /// The credentials to sign with now. When they expire within the refresh window, fetches fresh
    /// ones first: one thread fetches, the others wait for it. When that fetch fails while the
    /// current credentials are still valid, those are returned (and the fetch retried no sooner than
    /// 30 s later); when they have expired, the fetch's InputError is thrown.
    Credentials current();

    /// The current credentials as they are, without refreshing (for messages).
    Credentials peek() const;

    /// Sets the refresh window (tests use a short or long one).
    void set_refresh_window(std::chrono::seconds window);

    /// How many times fresh credentials were fetched (the first ones not counted).
    int refreshes() const;

private:
    mutable std::mutex mutex_;
    Credentials credentials_;
    Fetch fetch_;
    std::chrono::seconds window_;
    int refreshes_ = 0;
    std::time_t retry_after_ = 0; // after a failed refresh of still-valid credentials
};

} // namespace leafsynth::aws_api
