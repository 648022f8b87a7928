#include "aws_api/credential_provider.hpp"

#include <utility>

#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

CredentialProvider::CredentialProvider(Credentials initial, Fetch fetch, std::chrono::seconds refresh_window)
    : credentials_(std::move(initial)), fetch_(std::move(fetch)), window_(refresh_window) {}

Credentials CredentialProvider::current() {
    std::lock_guard lock(mutex_); // a refresh happens under it: the other threads wait for its result
    if (!fetch_ || credentials_.expiration == 0) return credentials_;
    const std::time_t now = std::time(nullptr);
    if (credentials_.expiration - static_cast<std::time_t>(window_.count()) > now) return credentials_;
    const bool still_valid = credentials_.expiration > now;
    if (still_valid && now < retry_after_) return credentials_;
    try {
        Credentials fresh = fetch_();
        credentials_ = std::move(fresh);
        ++refreshes_;
        retry_after_ = 0;
    } catch (const Error&) {
        if (!still_valid) throw;
        retry_after_ = now + 30; // keep the valid ones; do not ask on every request
    }
    return credentials_;
}

Credentials CredentialProvider::peek() const {
    std::lock_guard lock(mutex_);
    return credentials_;
}

void CredentialProvider::set_refresh_window(std::chrono::seconds window) {
    std::lock_guard lock(mutex_);
    window_ = window;
}

int CredentialProvider::refreshes() const {
    std::lock_guard lock(mutex_);
    return refreshes_;
}

} // namespace leafsynth::aws_api
