#pragma once
// Internal: the Lambda-backed custom resource a producer stack uses to write values for
// consumer stacks in other regions into SSM parameters.

#include <map>
#include <string>
#include <vector>

#include "leafsynth/value.hpp"

namespace leafsynth {
class CfnResource;
class Construct;
class Stack;
} // namespace leafsynth

namespace leafsynth::detail {

/// The inline Python source of the writer function (src/detail/cross_region_writer.py).
const std::string& cross_region_writer_code();

/// Creates, per producer stack, one writer function (inline Python, least-privilege role) and per
/// consumer region one `Custom::LeafsynthCrossRegionParameters` resource listing the parameters of
/// every consumer stack in that region.
class CrossRegionWriters {
public:
    /// Makes `producer` write `value` to SSM parameter `name` in `consumer`'s region.
    void write(Stack& producer, const Stack& consumer, const std::string& name, const Value& value);
    /// Sets each writer resource's `Parameters`, once all references are linked; a write after it
    /// sets its resource's parameters at once.
    void finish();

private:
    struct Writer {
        Construct* scope = nullptr;
        CfnResource* role_policy = nullptr;
        CfnResource* function = nullptr;
        std::map<std::string, CfnResource*> resources; // consumer region -> custom resource
        std::map<std::string, Map> parameters;         // consumer region -> parameters
    };
    void update_policy(Writer& w, const Stack& producer);
    std::map<const Stack*, Writer> writers_;
    bool finished_ = false;
};

} // namespace leafsynth::detail
