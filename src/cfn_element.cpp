#include "leafsynth/cfn_element.hpp"

#include "leafsynth/stack.hpp"

namespace leafsynth {

CfnElement::CfnElement(Construct& scope, std::string id)
    : Construct(scope, std::move(id)), stack_(&Stack::of(scope)) {
    mark_kind(ConstructKind::Element);
}

const std::string& CfnElement::logical_id() const {
    if (logical_id_override_) return *logical_id_override_;
    if (allocated_logical_id_.empty()) allocated_logical_id_ = stack_->allocate_logical_id(*this);
    return allocated_logical_id_;
}

} // namespace leafsynth
