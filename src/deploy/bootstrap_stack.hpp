#pragma once
/// @file bootstrap_stack.hpp
/// The bootstrap (toolkit) stack `leafsynth bootstrap` deploys into each environment, defined
/// with leafsynth's constructs: the file asset bucket the synthesized templates point at, the
/// image asset repository, the roles of the AWS CDK bootstrap contract and the version parameter
/// (names in leafsynth/bootstrap_contract.hpp). Logical ids and resource types are those of
/// `cdk bootstrap`'s template, so `cdk bootstrap` can later upgrade the stack in place.
/// Internal to the leafsynth CLI (not installed).

#include <string>

#include "leafsynth/stack.hpp"

namespace leafsynth::deploy {

/// Options of the bootstrap stack.
struct BootstrapStackProps {
    /// Days a replaced or deleted version of an asset object is kept before it expires.
    int noncurrent_version_days = 30;
};

/// The `CDKToolkit` stack: environment-agnostic (the template uses `${AWS::AccountId}` and
/// `${AWS::Region}`), so one template serves every environment.
class BootstrapStack : public Stack {
public:
    /// Creates the stack under `scope` (normally an App of its own).
    BootstrapStack(Construct& scope, BootstrapStackProps props = {});
};

/// The bootstrap stack's template as JSON text (synthesized in an App of its own).
std::string bootstrap_template_json(const BootstrapStackProps& props = {});

} // namespace leafsynth::deploy
