#pragma once
/// @file link_together_stack.hpp
/// `<AppId>-<Alpha>-LinkTogetherStack` (us-east-1): the start-system Lambda and the subscription
/// filter on the Domain stack's query log group that triggers it.

#include <string>

#include "leafsynth/aws/lambda.hpp"
#include "leafsynth/containermanager/domain_stack.hpp"
#include "leafsynth/containermanager/leaf_stack.hpp"

namespace leafsynth::containermanager {

/// What the LinkTogether stack uses of the leaf stack.
struct LeafLink {
    Value asg_name;              ///< The leaf's Auto Scaling group name (a handle from the leaf, linked across regions).
    std::string leaf_stack_name; ///< The leaf stack's name: the metric namespace.
    std::string leaf_region;     ///< The leaf stack's region, where the ASG and the metric live.
};

/// The LeafLink of a leaf stack: its EcsAsg nested stack's ASG name, its name and region.
LeafLink leaf_link(const LeafStack& leaf);

/// The LinkTogether stack of one leaf.
class LinkTogetherStack : public Stack {
public:
    /// Creates the stack under `scope` (the App), pinned to us-east-1.
    LinkTogetherStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const DomainStack& domain,
                      const LeafStack& leaf, const StackContext& context);
    /// Creates the stack from what it uses of the leaf stack only (the constructor above uses
    /// leaf_link(leaf)). Throws InputError when the leaf region or stack name is empty.
    LinkTogetherStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const DomainStack& domain,
                      const LeafLink& leaf, const StackContext& context);

    /// The start-system Lambda function.
    aws::lambda::Function& start_system() const { return *start_system_; }

private:
    aws::lambda::Function* start_system_ = nullptr;
};

} // namespace leafsynth::containermanager
