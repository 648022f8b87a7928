#pragma once
/// @file fn.hpp
/// CloudFormation intrinsic functions and pseudo parameters, as typed values.

#include <string>

#include "leafsynth/value.hpp"

namespace leafsynth {

class CfnCondition;

/// The intrinsic functions. References to resources are made through their handles
/// (`resource.ref()`, `resource.get_att("Arn")`), never from hand-typed logical ids.
namespace Fn {

/// `Fn::Sub` with a body that may use `${AWS::Region}` style variables.
Value sub(std::string body);
/// `Fn::Sub` with explicit variables (values may be references).
Value sub(std::string body, Map variables);
/// `Fn::Join`: the values joined with the delimiter.
Value join(std::string delimiter, List values);
/// `Fn::Join` of a list-valued expression (e.g. a `get_att` that returns a list).
Value join(std::string delimiter, Value list);
/// `Fn::Select`: element `index` of a list.
Value select(int index, Value list);
/// `Fn::Split`: the source split on the delimiter.
Value split(std::string delimiter, Value source);
/// `Fn::GetAZs` for a region ("" means the stack's own region).
Value get_azs(Value region = std::string());
/// `Fn::ImportValue` of an export name.
Value import_value(Value export_name);
/// `Fn::If`: `when_true` if the condition holds, else `when_false`.
Value if_(const CfnCondition& condition, Value when_true, Value when_false);
/// `Fn::Base64` of a value.
Value base64(Value value);
/// `Fn::FindInMap` in the template's Mappings.
Value find_in_map(Value map_name, Value top_key, Value second_key);
/// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits out of `ip_block`.
Value cidr(Value ip_block, Value count, Value cidr_bits);

/// A value as JSON text, e.g. for policy documents and dashboard bodies that CloudFormation takes
/// as strings. Intrinsics inside become string pieces of an `Fn::Join` (each in JSON quotes), so
/// the result is a plain string when the value holds none. A string value made with
/// `Fn::join("", {...})` is spliced piece by piece with its literal pieces escaped, so text mixing
/// literals and references (e.g. a Logs Insights query naming a log group) stays valid JSON.
Value to_json_string(const Value& value);

/// `Fn::Equals` (for conditions).
Value equals(Value a, Value b);
/// `Fn::And` of 2 to 10 conditions.
Value and_(List conditions);
/// `Fn::Or` of 2 to 10 conditions.
Value or_(List conditions);
/// `Fn::Not` of a condition.
Value not_(Value condition);
/// `{"Condition": name}`: another condition, inside a condition expression.
Value condition(const CfnCondition& condition);

} // namespace Fn

/// The pseudo parameters, as `Ref` values.
namespace Aws {
/// `AWS::AccountId`.
Value account_id();
/// `AWS::Region`.
Value region();
/// `AWS::Partition`.
Value partition();
/// `AWS::StackName`.
Value stack_name();
/// `AWS::StackId`.
Value stack_id();
/// `AWS::URLSuffix`.
Value url_suffix();
/// `AWS::NoValue`: removes the property it is assigned to.
Value no_value();
/// `AWS::NotificationARNs`.
Value notification_arns();
} // namespace Aws

} // namespace leafsynth
