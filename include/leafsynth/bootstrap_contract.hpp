#pragma once
/// @file bootstrap_contract.hpp
/// The AWS CDK bootstrap contract (the default "modern" bootstrap, qualifier `hnb659fds`): the
/// names a synthesized app refers to (asset bucket, roles, version parameter) and the names
/// `leafsynth bootstrap` creates, kept here once for both. An environment bootstrapped by
/// `cdk bootstrap` satisfies it, and one bootstrapped by leafsynth serves `cdk deploy`.

#include <string>
#include <string_view>

namespace leafsynth::bootstrap {

/// The bootstrap qualifier of CDK's default stack synthesizer.
inline constexpr std::string_view kQualifier = "hnb659fds";

/// The name of the bootstrap stack in each environment.
inline constexpr std::string_view kToolkitStackName = "CDKToolkit";

/// The bootstrap version every synthesized stack requires (`requiresBootstrapStackVersion`):
/// version 6 is the first with the file-publishing, deploy and execution roles this layout uses.
inline constexpr int kRequiredVersion = 6;

/// The version `leafsynth bootstrap` writes: the contract it implements (the asset bucket and
/// repository, the five roles, the version parameter). A newer version already in an
/// environment (from `cdk bootstrap`) is kept, never lowered.
inline constexpr int kToolkitVersion = 6;

/// The SSM parameter holding an environment's bootstrap version.
inline constexpr std::string_view kVersionParameter = "/cdk-bootstrap/hnb659fds/version";

/// `cdk-hnb659fds-assets-<account>-<region>`: the file asset bucket. Account and region may be
/// the placeholders `${AWS::AccountId}` and `${AWS::Region}` (for Fn::Sub).
std::string assets_bucket_name(std::string_view account, std::string_view region);

/// `cdk-hnb659fds-container-assets-<account>-<region>`: the image asset repository.
std::string container_assets_repository_name(std::string_view account, std::string_view region);

/// `cdk-hnb659fds-<role>-role-<account>-<region>` for `file-publishing`, `image-publishing`,
/// `lookup`, `deploy` or `cfn-exec`.
std::string role_name(std::string_view role, std::string_view account, std::string_view region);

/// `arn:${AWS::Partition}:iam::<account>:role/<role_name(...)>`.
std::string role_arn(std::string_view role, std::string_view account, std::string_view region);

} // namespace leafsynth::bootstrap
