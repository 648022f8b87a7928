#pragma once
/// @file link_together_stack.hpp
/// `<AppId>-<Alpha>-LinkTogetherStack` (us-east-1): the start-system Lambda and the subscription
/// filter on the Domain stack's query log group that triggers it.

#include "leafsynth/containermanager/domain_stack.hpp"
#include "leafsynth/containermanager/leaf_stack.hpp"

namespace leafsynth::containermanager {

/// The LinkTogether stack of one leaf.
class LinkTogetherStack : public Stack {
public:
    /// Creates the stack under `scope` (the App), pinned to us-east-1.
    LinkTogetherStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const DomainStack& domain,
                      const LeafStack& leaf, const StackContext& context);
};

} // namespace leafsynth::containermanager
