#pragma once
/// @file field.hpp
/// The member type of the generated typed resources (`leafsynth/cfn/<service>.hpp`): a property
/// that is unset, a value of the schema's type, or any `Value` (an intrinsic such as `ref()` or
/// `Fn::GetAtt`, or raw data the schema check reads at synthesis). What compiles is what the
/// schema allows: `Field<std::int64_t>` takes integers and `Value`s, never a string.

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::cfn {

template <class T>
class Field;

namespace detail {

template <class T>
struct is_field : std::false_type {};
template <class T>
struct is_field<Field<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class E>
struct is_vector<std::vector<E>> : std::true_type {
    using element = E;
};

template <class T>
struct is_optional : std::false_type {};
template <class E>
struct is_optional<std::optional<E>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class E>
struct is_string_map<std::map<std::string, E>> : std::true_type {
    using element = E;
};

/// A generated property struct: it renders itself with `to_value()`.
template <class U>
concept Renderable = requires(const U& u) {
    { u.to_value() } -> std::same_as<Value>;
};

/// Something with begin() and end() (a container, an initializer list, an array).
template <class U>
concept Iterable = requires(const U& u) {
    std::begin(u);
    std::end(u);
};

/// What a `Field<T>` takes besides a `Value`: exactly bool for bool; integers (not bool) for
/// integers; numbers for numbers; text for strings; the struct for a struct; for a list or a
/// map, a range of (or a map to) things its element takes; for `Value` (JSON), anything a
/// Value is made of or a generated struct.
template <class T, class U>
constexpr bool accepts() {
    using D = std::remove_cvref_t<U>;
    if constexpr (is_field<D>::value || std::is_same_v<D, Value>) return false; // the other constructors
    else if constexpr (is_optional<D>::value) return accepts<T, const typename D::value_type&>(); // nullopt: unset
    else if constexpr (std::is_same_v<T, bool>) return std::is_same_v<D, bool>;
    else if constexpr (std::is_same_v<T, std::int64_t>) return std::is_integral_v<D> && !std::is_same_v<D, bool>;
    else if constexpr (std::is_same_v<T, double>) return std::is_arithmetic_v<D> && !std::is_same_v<D, bool>;
    else if constexpr (std::is_same_v<T, std::string>) return std::is_convertible_v<const U&, std::string_view>;
    else if constexpr (std::is_same_v<T, Value>) return std::is_constructible_v<Value, U> || Renderable<D>;
    else if constexpr (is_vector<T>::value) {
        if constexpr (Iterable<D>)
            return std::is_convertible_v<decltype(*std::begin(std::declval<const D&>())), typename is_vector<T>::element>;
        else return false;
    } else if constexpr (is_string_map<T>::value) {
        if constexpr (is_string_map<D>::value)
            return std::is_convertible_v<const typename is_string_map<D>::element&, typename is_string_map<T>::element>;
        else return false;
    } else return std::is_same_v<D, T> || std::is_base_of_v<T, D>;
}

/// The Value of something a Field<T> accepted.
template <class T, class U>
Value to_value(U&& u) {
    using D = std::remove_cvref_t<U>;
    if constexpr (is_optional<D>::value) return u ? to_value<T>(*u) : Value();
    else if constexpr (std::is_same_v<T, bool>) return Value(u);
    else if constexpr (std::is_same_v<T, std::int64_t>) return Value(static_cast<std::int64_t>(u));
    else if constexpr (std::is_same_v<T, double>) return Value(static_cast<double>(u));
    else if constexpr (std::is_same_v<T, std::string>) return Value(std::string(std::string_view(u)));
    else if constexpr (std::is_same_v<T, Value>) {
        if constexpr (Renderable<D>) return u.to_value();
        else return Value(std::forward<U>(u));
    } else if constexpr (is_vector<T>::value) {
        List items;
        for (auto&& item : u) items.push_back(typename is_vector<T>::element(item).value());
        return Value(std::move(items));
    } else if constexpr (is_string_map<T>::value) {
        Map entries;
        for (const auto& [key, item] : u) entries.emplace(key, typename is_string_map<T>::element(item).value());
        return Value(std::move(entries));
    } else return u.to_value();
}

/// One property of a generated struct: its CloudFormation name and its value (null: unset).
struct Member {
    const char* name;   ///< The CloudFormation name.
    const Value* value; ///< The value; null when the property is not set.
};

/// The map of the members that are set (out of line, like FieldBase's copies and destructor:
/// a program pays for one call per member, not for inlined variant code).
Map members(std::initializer_list<Member> list);

/// What every Field holds: a Value (null: unset).
class FieldBase {
public:
    FieldBase() = default;
    explicit FieldBase(Value value);
    FieldBase(const FieldBase& other);
    FieldBase(FieldBase&& other) noexcept;
    FieldBase& operator=(const FieldBase& other);
    FieldBase& operator=(FieldBase&& other) noexcept;
    ~FieldBase();

    /// True when set.
    bool has_value() const { return !value_.is_null(); }
    /// The value as the template gets it (null when unset).
    const Value& value() const { return value_; }

private:
    Value value_;
};

} // namespace detail

/// A property of a generated resource or property struct: unset, a `T`, or any `Value`.
///
/// `T` is `bool`, `std::int64_t`, `double`, `std::string`, `Value` (free-form JSON), a generated
/// struct, `std::vector<Field<E>>` or `std::map<std::string, Field<E>>`. Lists take braces:
/// `.subnet_ids = {"subnet-1", subnet.ref()}`. A `std::optional` of what it takes is unset when
/// empty; so is a null `Value`.
template <class T>
class Field : public detail::FieldBase {
public:
    /// Unset: the property is left out of the template.
    Field() = default;
    /// Any value: an intrinsic (`queue.attr_arn()`, `Fn::Sub`, ...) or raw data, checked
    /// against the schema at synthesis.
    template <class V>
        requires std::is_same_v<std::remove_cvref_t<V>, Value>
    Field(V&& value) : FieldBase(Value(std::forward<V>(value))) {}
    /// A value of the schema's type.
    template <class U>
        requires(detail::accepts<T, U>())
    Field(U&& value) : FieldBase(detail::to_value<T>(std::forward<U>(value))) {}
    /// A list, item by item (for list properties).
    template <class E = T>
        requires detail::is_vector<E>::value
    Field(std::initializer_list<typename detail::is_vector<E>::element> items) : FieldBase(detail::to_value<T>(items)) {}
    /// A map, entry by entry (for map properties).
    template <class E = T>
        requires detail::is_string_map<E>::value
    Field(std::initializer_list<std::pair<const std::string, typename detail::is_string_map<E>::element>> entries)
        : FieldBase(detail::to_value<T>(std::map<std::string, typename detail::is_string_map<E>::element>(entries))) {}
};

/// A tag (`Key`/`Value`), as the resources whose `Tags` are a list of them take it. Tags given
/// in the properties are the resource's initial tags; `Tags::of()` can still override them.
struct Tag {
    Field<std::string> key{};   ///< `Key`: the tag's name.
    Field<std::string> value{}; ///< `Value`: the tag's value.
    /// The CloudFormation value.
    Value to_value() const { return detail::members({{"Key", &key.value()}, {"Value", &value.value()}}); }
};

} // namespace leafsynth::cfn
