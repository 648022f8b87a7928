#pragma once
// Internal: turns one Stack into its template (resolving every typed value) and checks it.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "leafsynth/stack.hpp"
#include "leafsynth/value.hpp"

namespace leafsynth {
class CfnResource;
}

namespace leafsynth::detail {

class ReferenceLinker;
using Json = nlohmann::ordered_json;

/// Extra DependsOn between resources of one stack, found by the synthesizer (e.g. an
/// add_dependency between constructs in two nested stacks becomes one between their stack resources).
using ExtraDependsOn = std::map<const CfnResource*, std::set<const CfnResource*>>;

/// Resolves typed values as seen from one consuming stack, collecting errors.
class Resolver {
public:
    /// `consumer` is the stack whose template is being built; problems go to `errors`.
    /// References to other stacks go through `linker` (when null, they are errors).
    Resolver(const Stack& consumer, std::vector<std::string>& errors, ReferenceLinker* linker = nullptr)
        : consumer_(consumer), errors_(errors), linker_(linker) {}

    /// Resolves `value` found at `where` (a construct path) into template JSON.
    Json resolve(const Value& value, const std::string& where);
    /// Resolves `map` as resolve() does, without copying it into a Value first.
    Json resolve(const Map& map, const std::string& where);
    /// Resolves `map` as resolve() does, with `value` under `key` in place of what `map` holds
    /// there (a resource's properties with its rendered tags, without copying the properties).
    Json resolve_with(const Map& map, const std::string& key, const Value& value, const std::string& where);

    /// Walks `value` (held by `element`) for references to other stacks and has the linker make
    /// what carries each one here, as resolve() would, without building JSON or reporting problems.
    void discover(const Value& value, const CfnElement& element);

    /// Logical ids referenced (Ref / GetAtt) since the last clear().
    const std::set<std::string>& referenced() const { return referenced_; }
    /// Forgets the referenced ids.
    void clear_referenced() { referenced_.clear(); }

private:
    Json resolve_intrinsic(const Intrinsic& in, const std::string& where);
    std::string element_id(const CfnElement& target, const std::string& where, const char* what);
    bool foreign(const CfnElement& target, const std::string& where);

    const Stack& consumer_;
    std::vector<std::string>& errors_;
    ReferenceLinker* linker_;
    std::set<std::string> referenced_;
};

/// Builds the template of `stack`. Problems are appended to `errors`, each prefixed with a construct path.
Json build_template(const Stack& stack, std::vector<std::string>& errors, ReferenceLinker* linker = nullptr,
                    const ExtraDependsOn& extra = {});

/// Walks every value of every element of `stack` once, so the linker creates what references
/// to other stacks need (outputs, parameters, exports, writers) before any template is built.
void discover_references(const Stack& stack, ReferenceLinker& linker);
/// The same for some elements, each in its own stack: what linking created
/// (ReferenceLinker::take_created), which may hold references too.
void discover_references(const std::vector<const CfnElement*>& elements, ReferenceLinker& linker);

/// Every CfnResource in `scope`'s subtree, without descending into nested stacks.
void collect_resources(const Construct& scope, std::vector<const CfnResource*>& out);

} // namespace leafsynth::detail
