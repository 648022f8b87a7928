#include "leafsynth/cfn_parameter.hpp"

#include <set>

namespace leafsynth {

CfnParameter::CfnParameter(Construct& scope, std::string id, ParameterProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {
    mark_kind(ConstructKind::Parameter);
}

Value CfnParameter::ref() const {
    Intrinsic i{Intrinsic::Kind::Ref, {}, this, nullptr, {}};
    return Value(std::move(i));
}

std::vector<std::string> CfnParameter::validate() const {
    static const std::set<std::string> plain = {
        "String", "Number", "List<Number>", "CommaDelimitedList"};
    const std::string& t = props_.type;
    bool ok = plain.count(t) || t.rfind("AWS::", 0) == 0 || t.rfind("List<AWS::", 0) == 0;
    std::vector<std::string> errors;
    if (!ok)
        errors.push_back("parameter type '" + t +
                         "' is not a CloudFormation parameter type (String, Number, List<Number>, "
                         "CommaDelimitedList, AWS::..., or an SSM parameter type)");
    return errors;
}

} // namespace leafsynth
