#pragma once
/// @file value.hpp
/// The typed value every template property is made of: plain JSON-like data or an intrinsic.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace leafsynth {

class CfnElement;
class CfnCondition;
class Value;

/// An ordered list of values (a JSON array).
using List = std::vector<Value>;
/// A map from string keys to values (a JSON object). Keys are kept sorted so output is deterministic.
using Map = std::map<std::string, Value>;

/// One CloudFormation intrinsic function or reference, kept typed until synthesis.
///
/// Why typed: a reference made from a handle (`queue.ref()`) only becomes a logical id, an
/// `Fn::ImportValue` or a parameter once the synthesizer knows which stack consumes it.
struct Intrinsic {
    /// Which function this is.
    enum class Kind {
        Ref,          ///< `Ref` to an element (target) or a named pseudo parameter (args[0]).
        GetAtt,       ///< `Fn::GetAtt` of an element (target) and an attribute.
        Sub,          ///< `Fn::Sub` with args[0] the body and, when present, args[1] a map of variables.
        Join,         ///< `Fn::Join` [delimiter, list].
        Select,       ///< `Fn::Select` [index, list].
        Split,        ///< `Fn::Split` [delimiter, source].
        GetAZs,       ///< `Fn::GetAZs` region ("" for the stack's region).
        ImportValue,  ///< `Fn::ImportValue` export name.
        If,           ///< `Fn::If` [condition, then, else]; the condition is `condition`.
        Base64,       ///< `Fn::Base64` value.
        FindInMap,    ///< `Fn::FindInMap` [map, top key, second key].
        Cidr,         ///< `Fn::Cidr` [ip block, count, cidr bits].
        Equals,       ///< `Fn::Equals` [a, b] (condition function).
        And,          ///< `Fn::And` [conditions...] (condition function).
        Or,           ///< `Fn::Or` [conditions...] (condition function).
        Not,          ///< `Fn::Not` [condition] (condition function).
        Condition,    ///< `{"Condition": name}` inside a condition expression.
    };

    Kind kind;                               ///< The function.
    std::vector<Value> args;                 ///< Its arguments, in CloudFormation's order.
    const CfnElement* target = nullptr;      ///< For Ref/GetAtt made from a handle: the element.
    const CfnCondition* condition = nullptr; ///< For If/Condition: the condition handle.
    std::string name;                        ///< Ref to a named thing (pseudo parameter) or GetAtt attribute.
};

/// A template value: null, bool, integer, number, string, list, map, or an intrinsic.
class Value {
public:
    /// The variant that holds the value.
    using Storage = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, List, Map,
                                 std::shared_ptr<const Intrinsic>>;

    /// Null.
    Value() : v_(nullptr) {}
    /// Null.
    Value(std::nullptr_t) : v_(nullptr) {}
    /// A boolean.
    Value(bool b) : v_(b) {}
    /// An integer (any integral type but bool).
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    Value(I i) : v_(static_cast<std::int64_t>(i)) {}
    /// A floating-point number.
    Value(double d) : v_(d) {}
    /// A string.
    Value(const char* s) : v_(std::string(s)) {}
    /// A string.
    Value(std::string s) : v_(std::move(s)) {}
    /// A list.
    Value(List l) : v_(std::move(l)) {}
    /// A map.
    Value(Map m) : v_(std::move(m)) {}
    /// An intrinsic.
    Value(Intrinsic i) : v_(std::make_shared<const Intrinsic>(std::move(i))) {}

    /// True when null.
    bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
    /// True when a boolean.
    bool is_bool() const { return std::holds_alternative<bool>(v_); }
    /// True when an integer.
    bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
    /// True when a floating-point number.
    bool is_double() const { return std::holds_alternative<double>(v_); }
    /// True when a string.
    bool is_string() const { return std::holds_alternative<std::string>(v_); }
    /// True when a list.
    bool is_list() const { return std::holds_alternative<List>(v_); }
    /// True when a map.
    bool is_map() const { return std::holds_alternative<Map>(v_); }
    /// True when an intrinsic.
    bool is_intrinsic() const { return std::holds_alternative<std::shared_ptr<const Intrinsic>>(v_); }

    /// The boolean; throws std::bad_variant_access otherwise.
    bool as_bool() const { return std::get<bool>(v_); }
    /// The integer; throws std::bad_variant_access otherwise.
    std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
    /// The number; throws std::bad_variant_access otherwise.
    double as_double() const { return std::get<double>(v_); }
    /// The string; throws std::bad_variant_access otherwise.
    const std::string& as_string() const { return std::get<std::string>(v_); }
    /// The list; throws std::bad_variant_access otherwise.
    const List& as_list() const { return std::get<List>(v_); }
    /// The list, mutable; throws std::bad_variant_access otherwise.
    List& as_list() { return std::get<List>(v_); }
    /// The map; throws std::bad_variant_access otherwise.
    const Map& as_map() const { return std::get<Map>(v_); }
    /// The map, mutable; throws std::bad_variant_access otherwise.
    Map& as_map() { return std::get<Map>(v_); }
    /// The intrinsic; throws std::bad_variant_access otherwise.
    const Intrinsic& as_intrinsic() const { return *std::get<std::shared_ptr<const Intrinsic>>(v_); }

    /// The underlying variant, for std::visit.
    const Storage& storage() const { return v_; }

    /// Structural equality (intrinsics compare by kind, target and arguments).
    friend bool operator==(const Value& a, const Value& b);
    /// Structural inequality.
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

private:
    Storage v_;
};

/// True when the value contains an intrinsic anywhere (it is not known until deployment).
bool is_unresolved(const Value& v);

} // namespace leafsynth
