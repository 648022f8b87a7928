#pragma once
/// @file cfn_element.hpp
/// The base of everything that appears in a template section (resources, outputs, parameters, conditions).

#include <optional>
#include <string>

#include "leafsynth/construct.hpp"

namespace leafsynth {

class Stack;

/// An entry of a template section, with a logical id allocated by its stack.
class CfnElement : public Construct {
public:
    /// What construct_cast<CfnElement> looks for.
    static constexpr ConstructKind kind = ConstructKind::Element;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = CfnElement;
    /// Creates the element under `scope`; it belongs to the nearest enclosing Stack.
    CfnElement(Construct& scope, std::string id);

    /// The stack this element belongs to.
    Stack& stack() const { return *stack_; }
    /// The logical id: the override when set, else what the stack allocates (once: it depends
    /// only on the construct path, which does not change).
    const std::string& logical_id() const;
    /// Replaces the allocated logical id with `id`.
    void override_logical_id(std::string id) { logical_id_override_ = std::move(id); }

private:
    Stack* stack_;
    std::optional<std::string> logical_id_override_;
    mutable std::string allocated_logical_id_; ///< Empty until first asked for.
};

} // namespace leafsynth
