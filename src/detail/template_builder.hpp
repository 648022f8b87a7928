#pragma once
// Internal: turns one Stack into its template (resolving every typed value) and checks it.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "leafsynth/stack.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth::detail {

using Json = nlohmann::ordered_json;

/// Resolves typed values as seen from one consuming stack, collecting errors.
class Resolver {
public:
    /// `consumer` is the stack whose template is being built; problems go to `errors`.
    Resolver(const Stack& consumer, std::vector<std::string>& errors) : consumer_(consumer), errors_(errors) {}

    /// Resolves `value` found at `where` (a construct path) into template JSON.
    Json resolve(const Value& value, const std::string& where);

    /// Logical ids referenced (Ref / GetAtt) since the last clear().
    const std::set<std::string>& referenced() const { return referenced_; }
    /// Forgets the referenced ids.
    void clear_referenced() { referenced_.clear(); }

private:
    Json resolve_intrinsic(const Intrinsic& in, const std::string& where);
    std::string element_id(const CfnElement& target, const std::string& where, const char* what);

    const Stack& consumer_;
    std::vector<std::string>& errors_;
    std::set<std::string> referenced_;
};

/// Builds the template of `stack`. Problems are appended to `errors`, each prefixed with a construct path.
Json build_template(const Stack& stack, std::vector<std::string>& errors);

/// The stacks `stack` must be deployed after (from add_dependency across stacks).
std::vector<const Stack*> stack_dependencies(const Stack& stack);

} // namespace leafsynth::detail
