#pragma once
/// @file role_sessions.hpp
/// The bootstrap roles a cloud assembly names, as `cdk deploy` uses them: a stack is deployed (and
/// destroyed) as its deploy role (`assumeRoleArn`), with its CloudFormation execution role
/// (`cloudFormationExecutionRoleArn`) passed as the stack's RoleARN, and assets are published as
/// the publishing role of their destination. A role that does not exist or cannot be assumed (an
/// account bootstrapped without those roles, a user without sts:AssumeRole on them) falls back to
/// the user's own credentials, with a one-line note, once per role; `diff` and `drift` read as the
/// lookup role the same way. Internal to the leafsynth CLI.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws_api/session.hpp"

namespace leafsynth::aws_api {

/// Sessions for the roles of an assembly, each assumed once (thread-safe).
class RoleSessions {
public:
    /// Assumes roles with `base`'s credentials; `note` gets each fallback's one line.
    RoleSessions(const Session& base, std::function<void(const std::string&)> note);

    /// The session of role `role_arn` (already filled: no `${AWS::...}` left) through the STS
    /// endpoint of `region`, `purpose` naming it in the note (`deploy role`); the base session when
    /// `role_arn` is empty or the role cannot be assumed. Throws InputError when the failure is not
    /// the role's (the base credentials rejected, STS unreachable).
    const Session& session_for(const std::string& role_arn, const std::string& region,
                                        const std::string& purpose);

    /// True when `role_arn` was assumed (false: not asked for, or the base session stands in).
    bool assumed(const std::string& role_arn) const;

    /// The session the roles are assumed from.
    const Session& base() const { return base_; }

private:
    const Session& base_;
    std::function<void(const std::string&)> note_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Session>> assumed_; // null: fell back to base
};

} // namespace leafsynth::aws_api
