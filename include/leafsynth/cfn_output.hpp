#pragma once
/// @file cfn_output.hpp
/// A template Output, optionally exported.

#include <string>

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth {

class CfnCondition;

/// Options of a CfnOutput.
struct OutputProps {
    Value value{};                             ///< The output's value (required).
    std::string description{};                   ///< Optional description.
    std::string export_name{};                   ///< When set, the value is exported under this name.
    const CfnCondition* condition = nullptr;   ///< Output only when this condition holds.
};

/// An entry of the template's Outputs section.
class CfnOutput : public CfnElement {
public:
    /// What construct_cast<CfnOutput> looks for.
    static constexpr ConstructKind kind = ConstructKind::Output;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = CfnOutput;
    /// Creates an output under `scope`.
    CfnOutput(Construct& scope, std::string id, OutputProps props);
    /// The options it was made with.
    const OutputProps& props() const { return props_; }
    /// `Fn::ImportValue` of the export name, for use in another stack of the same region.
    Value import_value() const;

protected:
    std::vector<std::string> validate() const override;

private:
    OutputProps props_;
};

} // namespace leafsynth
