#pragma once
/// @file cfn_condition.hpp
/// A template Condition.

#include <string>

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth {

/// An entry of the template's Conditions section, built from Fn::equals / and_ / or_ / not_.
class CfnCondition : public CfnElement {
public:
    /// What construct_cast<CfnCondition> looks for.
    static constexpr ConstructKind kind = ConstructKind::Condition;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = CfnCondition;
    /// Creates a condition under `scope` with the given expression.
    CfnCondition(Construct& scope, std::string id, Value expression);
    /// The condition expression.
    const Value& expression() const { return expression_; }

private:
    Value expression_;
};

} // namespace leafsynth
