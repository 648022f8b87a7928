#pragma once
/// @file domain_stack.hpp
/// `<AppId>-<Alpha>-DomainStack` (us-east-1): the leaf's sub-domain zone with query logging.

#include <memory>
#include "leafsynth/containermanager/base_stack.hpp"

namespace leafsynth::containermanager {

/// The Domain stack of one leaf.
class DomainStack : public Stack {
public:
    /// Creates the stack under `scope` (the App), pinned to us-east-1.
    DomainStack(Construct& scope, const LeafNames& names, const BaseStack& base, const StackContext& context);

    /// The sub-domain hosted zone's id.
    Value sub_hosted_zone_id() const;
    /// The query log group's name.
    Value query_log_group_name() const;
    /// The query log group's ARN.
    Value query_log_group_arn() const;

private:
    struct Parts;
    std::shared_ptr<Parts> parts_;
};

} // namespace leafsynth::containermanager
