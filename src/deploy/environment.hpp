#pragma once
/// @file environment.hpp
/// What deploy, destroy and bootstrap learn about an environment (aws://ACCOUNT/REGION) before
/// they change it: the account the credentials belong to, and the bootstrap version. Internal to
/// the leafsynth CLI (not installed).

#include <optional>
#include <string>

#include "aws_api/cloudformation.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/assembly_manifest.hpp"

namespace leafsynth::deploy {

/// `aws://ACCOUNT/REGION`.
std::string env_name(const std::string& account, const std::string& region);

/// The account the session's credentials belong to (STS GetCallerIdentity in `region`); throws
/// InputError with the session's failure message when it cannot be learned.
std::string caller_account(const aws_api::Session& session, const std::string& region);

/// The region a stack deploys to: its own, else `default_region` (CDK's environment-agnostic
/// stacks); throws InputError when neither is there.
std::string stack_region(const StackArtifactManifest& stack, const std::string& default_region);

/// Throws InputError when the stack names an account other than `account` (the credentials').
void check_account(const StackArtifactManifest& stack, const std::string& account, const aws_api::Session& session);

/// The bootstrap version of an environment from its CDKToolkit stack: nullopt when not
/// bootstrapped, 0 when the stack says no version.
std::optional<int> bootstrap_version(aws_api::CloudFormationClient& cf);

} // namespace leafsynth::deploy
