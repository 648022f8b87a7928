#include "leafsynth/cfn_condition.hpp"

namespace leafsynth {

CfnCondition::CfnCondition(Construct& scope, std::string id, Value expression)
    : CfnElement(scope, std::move(id)), expression_(std::move(expression)) {
    mark_kind(ConstructKind::Condition);
}

} // namespace leafsynth
