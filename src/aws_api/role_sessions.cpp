#include "aws_api/role_sessions.hpp"

#include "aws_api/credentials.hpp"

namespace leafsynth::aws_api {

RoleSessions::RoleSessions(const Session& base, std::function<void(const std::string&)> note)
    : base_(base), note_(std::move(note)) {}

const Session& RoleSessions::session_for(const std::string& role_arn, const std::string& region,
                                                  const std::string& purpose) {
    if (role_arn.empty()) return base_;
    std::lock_guard lock(mutex_); // one AssumeRole per role, whichever thread asks first
    auto it = assumed_.find(role_arn);
    if (it == assumed_.end()) {
        std::string why;
        std::optional<Session> role = base_.assume(role_arn, region, "", &why);
        it = assumed_.emplace(role_arn, role ? std::make_unique<Session>(std::move(*role)) : nullptr).first;
        if (!role && note_) {
            const auto own = base_.credentials();
            note_("note: cannot assume the " + purpose + " " + role_arn + " (" + why + "); using your own credentials (" +
                  own.source + ", access key " + masked_key_id(own.access_key_id) + ") instead");
        }
    }
    return it->second ? *it->second : base_;
}

bool RoleSessions::assumed(const std::string& role_arn) const {
    std::lock_guard lock(mutex_);
    auto it = assumed_.find(role_arn);
    return it != assumed_.end() && it->second != nullptr;
}

} // namespace leafsynth::aws_api
