#include "leafsynth/cfn_output.hpp"

#include "cfn/validate.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth {

CfnOutput::CfnOutput(Construct& scope, std::string id, OutputProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {
    mark_kind(ConstructKind::Output);
}

Value CfnOutput::import_value() const { return Fn::import_value(props_.export_name); }

std::vector<std::string> CfnOutput::validate() const {
    std::vector<std::string> errors;
    if (props_.value.is_null()) errors.push_back("output has no value; set OutputProps::value");
    if (props_.export_name.size() > 255)
        errors.push_back("export name is longer than 255 characters; shorten it");
    if (props_.description.size() > 1024)
        errors.push_back("output description is longer than 1024 bytes; shorten it");
    for (auto& f : cfn::detail::attribute_findings(props_.value, "Value")) errors.push_back(std::move(f));
    return errors;
}

} // namespace leafsynth
