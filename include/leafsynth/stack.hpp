#pragma once
/// @file stack.hpp
/// A Stack: the unit of deployment, one CloudFormation template.

#include <filesystem>
#include <string>
#include <vector>

#include "leafsynth/asset.hpp"
#include "leafsynth/construct.hpp"

namespace leafsynth {

class CfnElement;

/// Where a stack is deployed. An empty account means "the deploying account" (`AWS::AccountId`).
struct Environment {
    std::string account{}; ///< 12-digit account id, or empty.
    std::string region{};  ///< Region name such as `us-west-2`, or empty when not pinned.
};

/// Options of a Stack.
struct StackProps {
    std::string stack_name{};  ///< CloudFormation stack name; defaults to the construct id.
    std::string description{}; ///< Template Description (at most 1,024 bytes).
    Environment env{};         ///< Account and region.
    /// CloudFormation termination protection (CDK's `terminationProtection`): `leafsynth deploy`
    /// turns it on, and `leafsynth destroy` keeps the stack unless it is named with `--stack`.
    bool termination_protection = false;
};

/// A CloudFormation stack: every CfnElement below it (down to the next stack) lands in its template.
class Stack : public Construct {
public:
    /// What construct_cast<Stack> looks for.
    static constexpr ConstructKind kind = ConstructKind::Stack;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = Stack;
    /// Creates a stack under `scope` (normally the App).
    Stack(Construct& scope, std::string id, StackProps props = {});

    /// The nearest enclosing stack of a construct; throws ConstructError when there is none.
    static Stack& of(const Construct& construct);

    /// The CloudFormation stack name.
    const std::string& stack_name() const { return stack_name_; }
    /// The template Description.
    const std::string& description() const { return description_; }
    /// Sets the template Description.
    void set_description(std::string description) { description_ = std::move(description); }
    /// The environment (account and region) the stack deploys to.
    const Environment& environment() const { return env_; }
    /// Sets the environment (account and region).
    void set_environment(Environment env) { env_ = std::move(env); }
    /// True when the stack is protected from deletion (StackProps::termination_protection).
    bool termination_protection() const { return termination_protection_; }
    /// Turns termination protection on or off.
    void set_termination_protection(bool on) { termination_protection_ = on; }
    /// The name of this stack's artifact in the output folder (its id, made file-safe).
    virtual std::string artifact_id() const;
    /// The template file name in the output folder, e.g. `MyStack.template.json`.
    virtual std::string template_file(bool yaml = false) const;

    /// Adds a directory asset (zipped deterministically, e.g. Lambda code) and returns its location.
    AssetLocation add_directory_asset(const std::filesystem::path& dir, const std::string& display_name);
    /// Adds a file asset and returns its location.
    AssetLocation add_file_asset(const std::filesystem::path& file, const std::string& display_name);
    /// Adds an asset from bytes in memory; `extension` is the key's suffix (e.g. `.zip`, `.json`).
    AssetLocation add_asset(std::string contents, const std::string& extension, const std::string& display_name);

    /// One asset of this stack (nested stacks' assets belong to their top-level stack).
    struct Asset {
        std::string hash;         ///< SHA-256 of the contents.
        std::string file_name;    ///< File name in the output folder.
        std::string display_name; ///< Shown by the CDK CLI.
        std::string contents;     ///< The bytes.
    };
    /// The assets added to this stack and its nested stacks, in the order they were added.
    const std::vector<Asset>& assets() const { return assets_; }
    /// The location of an asset with this hash and extension, as seen from this stack.
    AssetLocation asset_location(const std::string& hash, const std::string& extension) const;

    /// Allocates the logical id of an element of this stack. The default follows aws-cdk-lib:
    /// the element's path below the stack, through make_unique_id(). Override to change the rule.
    virtual std::string allocate_logical_id(const CfnElement& element) const;

    /// The elements (resources, outputs, parameters, conditions) that belong to this stack,
    /// in construct-tree order.
    std::vector<CfnElement*> elements() const;

protected:
    std::vector<std::string> validate() const override;

private:
    std::vector<Asset> assets_;
    std::string stack_name_;
    std::string description_;
    Environment env_;
    bool termination_protection_ = false;
};

} // namespace leafsynth
