#include "leafsynth/cfn/field.hpp"

namespace leafsynth::cfn::detail {

Map members(std::initializer_list<Member> list) {
    Map m;
    for (const auto& [name, value] : list)
        if (!value->is_null()) m.emplace(name, *value);
    return m;
}

FieldBase::FieldBase(Value value) : value_(std::move(value)) {}
FieldBase::FieldBase(const FieldBase& other) = default;
FieldBase::FieldBase(FieldBase&& other) noexcept = default;
FieldBase& FieldBase::operator=(const FieldBase& other) = default;
FieldBase& FieldBase::operator=(FieldBase&& other) noexcept = default;
FieldBase::~FieldBase() = default;

} // namespace leafsynth::cfn::detail
