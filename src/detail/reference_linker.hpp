#pragma once
// Internal: where a reference between stacks turns into nested-stack parameters and outputs,
// an export and Fn::ImportValue, or a cross-region SSM parameter.

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "leafsynth/value.hpp"

namespace leafsynth {
class CfnElement;
class CfnParameter;
class NestedStack;
class Stack;
} // namespace leafsynth

namespace leafsynth::detail {

class CrossRegionWriters;

/// Decides how a value travels from the stack that produces it to the stack that consumes it,
/// creating what is needed on the way (once per producer, attribute and consumer):
/// - consumer contains the producer (nested below it): an Output in each nested stack on the way,
///   read with `Fn::GetAtt <Nested>.Outputs.<Name>`;
/// - consumer is a nested stack: a Parameter of the consumer, given by its parent;
/// - two top-level stacks in one region: an Output with an Export and `Fn::ImportValue`;
/// - two top-level stacks in different regions: the producer writes an SSM parameter in the
///   consumer's region (CrossRegionWriters), the consumer reads it through a template Parameter of
///   type `AWS::SSM::Parameter::Value<String>` whose default is the parameter's name.
class ReferenceLinker {
public:
    /// One linker lives as long as its App, so synthesizing twice reuses what it created.
    ReferenceLinker();
    ~ReferenceLinker();

    /// Where problems (missing regions, another account) go during the current synthesis.
    void set_errors(std::vector<std::string>* errors) {
        errors_ = errors;
        reported_.clear();
    }

    /// The value standing for `target` (Ref when `attribute` is empty, else Fn::GetAtt) inside
    /// `consumer`. `where` is the construct path of the element that uses it (for messages).
    /// Safe to call from several threads (templates are built in parallel): once discovery has
    /// converged, every call finds what the first one made.
    Value link(const CfnElement& target, const std::string& attribute, const Stack& consumer, const std::string& where);
    /// The outputs and parameters linking created since the last call, in the order it created
    /// them (the cross-region writers' resources refer only to their own stack, so they are not
    /// listed): discovery walks them for references of their own.
    std::vector<const CfnElement*> take_created() {
        std::lock_guard lock(mutex_);
        return std::exchange(created_, {});
    }
    /// Completes what linking made (the cross-region writers' parameter lists); called once the
    /// discovery of references has converged.
    void finish();

    /// Stack dependencies created by references: consumer -> producer -> first reference ("where -> target").
    const std::map<const Stack*, std::map<const Stack*, std::string>>& dependencies() const { return deps_; }

    /// What the resource of `nested` passes as its Parameters: parameter logical id -> value in
    /// the parent (thread-safe, as link()).
    Map nested_parameter_values(const NestedStack& nested) const;

private:
    Value link_locked(const CfnElement& target, const std::string& attribute, const Stack& consumer,
                      const std::string& where);
    void fail(const std::tuple<const CfnElement*, std::string, const Stack*>& key, std::string message);

    std::vector<std::string>* errors_ = nullptr;
    std::map<std::tuple<const CfnElement*, std::string, const Stack*>, std::string> failures_;
    std::set<std::string> reported_; // failures already reported in this synthesis
    std::map<std::pair<const CfnElement*, std::string>, std::string> exports_; // value -> export name
    std::map<std::tuple<const CfnElement*, std::string, const Stack*>, Value> cache_;
    std::map<const Stack*, std::map<const Stack*, std::string>> deps_;
    std::map<const NestedStack*, std::map<const CfnParameter*, Value>> nested_params_;
    std::unique_ptr<CrossRegionWriters> writers_;
    std::vector<const CfnElement*> created_;
    mutable std::mutex mutex_; // link() may be called from the threads building templates
};

/// The stack directly containing `stack` when it is nested, else nullptr.
const Stack* parent_stack(const Stack& stack);
/// True when `s` is `ancestor` or nested (at any depth) inside it.
bool stack_contains(const Stack& ancestor, const Stack& s);
/// The top-level stack containing `stack` (itself when top-level).
const Stack& root_stack(const Stack& stack);

} // namespace leafsynth::detail
