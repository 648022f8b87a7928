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

/// A reference to an element of another stack, met by a walk and linked afterwards.
struct FoundReference {
    const CfnElement* target; ///< what is referenced
    std::string attribute;    ///< the attribute (GetAtt), or empty (Ref)
    const CfnElement* element; ///< the element whose value holds the reference
};

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
    /// From now on, discover() appends the references it would link to `found` instead, in the
    /// order it meets them, and only reads the tree.
    void collect_into(std::vector<FoundReference>* found) { found_ = found; }

    /// Logical ids referenced (Ref / GetAtt) since the last clear().
    const std::set<std::string>& referenced() const { return referenced_; }
    /// Forgets the referenced ids.
    void clear_referenced() { referenced_.clear(); }

private:
    Json resolve_intrinsic(const Intrinsic& in, const std::string& where);
    /// `map`'s members, with `*value` under `*key` in place of what `map` holds there (when given).
    Json resolve_members(const Map& map, const std::string* key, const Value* value, const std::string& where);
    std::string element_id(const CfnElement& target, const std::string& where, const char* what);
    bool foreign(const CfnElement& target, const std::string& where);

    const Stack& consumer_;
    std::vector<std::string>& errors_;
    ReferenceLinker* linker_;
    std::vector<FoundReference>* found_ = nullptr;
    std::set<std::string> referenced_;
};

/// Builds the template of `stack`. Problems are appended to `errors`, each prefixed with a construct path.
Json build_template(const Stack& stack, std::vector<std::string>& errors, ReferenceLinker* linker = nullptr,
                    const ExtraDependsOn& extra = {});

/// Discovery: every value of every element walked once before any template is built, so the
/// linker creates what references to other stacks need (outputs, parameters, exports, writers):
/// collect_references for each stack, then link_references.
/// The references to other stacks in the values of `stack`'s elements, in the order of the
/// elements and of their values. Only reads the tree: several stacks can be walked at the same time.
std::vector<FoundReference> collect_references(const Stack& stack);
/// Has `linker` make what each of the references `found` in `stack` needs, in their order (and
/// walks what it returns, as discover() does).
void link_references(const Stack& stack, const std::vector<FoundReference>& found, ReferenceLinker& linker);
/// Discovery for some elements, each in its own stack, linking as it walks: what linking created
/// (ReferenceLinker::take_created), which may hold references too.
void discover_references(const std::vector<const CfnElement*>& elements, ReferenceLinker& linker);

/// Every CfnResource in `scope`'s subtree, without descending into nested stacks.
void collect_resources(const Construct& scope, std::vector<const CfnResource*>& out);

} // namespace leafsynth::detail
