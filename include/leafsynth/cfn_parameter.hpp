#pragma once
/// @file cfn_parameter.hpp
/// A template Parameter.

#include <optional>
#include <string>
#include <vector>

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth {

/// Options of a CfnParameter.
struct ParameterProps {
    std::string type = "String";              ///< CloudFormation parameter type.
    Value default_value{};                    ///< Default (null: none).
    std::string description{};                  ///< Description.
    std::vector<std::string> allowed_values{};  ///< AllowedValues.
    std::string allowed_pattern{};              ///< AllowedPattern.
    std::string constraint_description{};       ///< ConstraintDescription.
    std::optional<double> min_value{};        ///< MinValue (numbers).
    std::optional<double> max_value{};        ///< MaxValue (numbers).
    std::optional<int> min_length{};          ///< MinLength (strings).
    std::optional<int> max_length{};          ///< MaxLength (strings).
    bool no_echo = false;                     ///< NoEcho.
};

/// An entry of the template's Parameters section.
class CfnParameter : public CfnElement {
public:
    /// What construct_cast<CfnParameter> looks for.
    static constexpr ConstructKind kind = ConstructKind::Parameter;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = CfnParameter;
    /// Creates a parameter under `scope`.
    CfnParameter(Construct& scope, std::string id, ParameterProps props = {});
    /// The options it was made with.
    const ParameterProps& props() const { return props_; }
    /// `Ref` to the parameter's value.
    Value ref() const;

protected:
    std::vector<std::string> validate() const override;

private:
    ParameterProps props_;
};

} // namespace leafsynth
