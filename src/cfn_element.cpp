#include "leafsynth/cfn_element.hpp"

#include "leafsynth/stack.hpp"

namespace leafsynth {

CfnElement::CfnElement(Construct& scope, std::string id)
    : Construct(scope, std::move(id)), stack_(&Stack::of(scope)) {}

std::string CfnElement::logical_id() const {
    if (logical_id_override_) return *logical_id_override_;
    return stack_->allocate_logical_id(*this);
}

} // namespace leafsynth
