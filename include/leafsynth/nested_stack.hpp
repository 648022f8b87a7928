#pragma once
/// @file nested_stack.hpp
/// A nested stack: its own template, deployed as an `AWS::CloudFormation::Stack` resource of its parent.

#include <string>

#include "leafsynth/stack.hpp"

namespace leafsynth {

class CfnResource;

/// A stack inside another stack. Its template is a file asset of the top-level stack; in the parent
/// it is an `AWS::CloudFormation::Stack` whose logical id is readable and stable: the nested stack's
/// path below the parent stack (non-alphanumerics removed) plus `NestedStack`, e.g. `VolumesNestedStack`.
///
/// References between a nested stack and its parent or siblings are wired automatically through
/// nested-stack Parameters and Outputs (`Fn::GetAtt <Nested>.Outputs.<Name>`).
class NestedStack : public Stack {
public:
    /// What construct_cast<NestedStack> looks for.
    static constexpr ConstructKind kind = ConstructKind::NestedStack;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = NestedStack;
    /// Creates a nested stack under `scope`, which must be inside a stack.
    NestedStack(Construct& scope, std::string id, StackProps props = {});

    /// The stack that holds this nested stack's resource.
    Stack& parent_stack() const { return parent_stack_; }
    /// The `AWS::CloudFormation::Stack` resource in the parent stack.
    CfnResource& stack_resource() const { return *resource_; }
    /// `<top-level artifact id>.<path below it>` (e.g. `MyStack.Volumes`).
    std::string artifact_id() const override;
    /// `<artifact id>.nested.template.json` (or `.yaml`).
    std::string template_file(bool yaml = false) const override;

protected:
    std::vector<std::string> validate() const override;

private:
    Stack& parent_stack_;
    CfnResource* resource_;
};

} // namespace leafsynth
