#pragma once
/// @file construct.hpp
/// The construct tree: every node (app, stack, resource, output, higher-level construct) is a Construct.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leafsynth {

class App;
class Construct;
namespace detail {
struct ParallelChildren;
}

/// The synthesizer's own classes that walks over the tree look for, one bit each; a construct
/// carries the bits of its class and of its bases (a NestedStack is a Stack too). See construct_cast.
enum class ConstructKind : std::uint8_t {
    App = 1,
    Stack = 2,
    NestedStack = 4,
    Element = 8,
    Resource = 16,
    Output = 32,
    Parameter = 64,
    Condition = 128,
};

/// Something applied to every construct below a scope just before synthesis (tags are aspects).
class Aspect {
public:
    virtual ~Aspect() = default;
    /// Called once for the scope it was added to and once for every descendant, parents first.
    virtual void visit(Construct& node) = 0;
};

/// A node of the construct tree. Children are kept in insertion order; ids are unique among siblings.
///
/// Construct with `make<T>(scope, id, ...)` so the parent owns the child, or as a member / local
/// whose lifetime outlives synthesis (it unregisters itself from its parent when destroyed).
class Construct {
public:
    /// Creates a construct under `scope`. Throws ConstructError when the id is empty, contains
    /// '/', or is already used by a sibling.
    Construct(Construct& scope, std::string id);
    virtual ~Construct();
    Construct(const Construct&) = delete;
    Construct& operator=(const Construct&) = delete;

    /// This construct's id among its siblings.
    const std::string& id() const { return id_; }
    /// The parent, or nullptr for the root (the App).
    Construct* parent() const { return parent_; }
    /// The path from the root, ids joined by '/', without the root's empty id (e.g. `Stack/Queue/Resource`).
    std::string path() const;
    /// The chain of constructs from the root down to this one, both included.
    std::vector<const Construct*> scopes() const;
    /// The children, in insertion order.
    const std::vector<Construct*>& children() const { return children_; }
    /// The child with this id, or nullptr.
    Construct* find_child(std::string_view id) const;
    /// This construct and every descendant, depth first, parents before children.
    std::vector<Construct*> descendants_and_self();
    /// The root of the tree.
    Construct& root();
    /// The root of the tree.
    const Construct& root() const;
    /// True when this construct is of the class `kind` stands for, or derives from it.
    bool is(ConstructKind kind) const { return (kinds_ & static_cast<std::uint8_t>(kind)) != 0; }

    /// Declares that this construct must be deployed after `other`: within one stack every resource
    /// below this construct gets a `DependsOn` on every resource below `other`; across stacks the
    /// stacks are ordered.
    void add_dependency(Construct& other);
    /// The constructs this one depends on, in the order they were added.
    const std::vector<Construct*>& dependencies() const { return dependencies_; }

    /// Adds an aspect, applied to this construct and its descendants at synthesis.
    void add_aspect(std::shared_ptr<Aspect> aspect);
    /// The aspects added to this construct.
    const std::vector<std::shared_ptr<Aspect>>& aspects() const { return aspects_; }

    /// Adds a check run at validation; every message it returns becomes an error on this path.
    /// Checks of different constructs run at the same time on different threads: a check reads
    /// the tree and returns messages; it changes nothing.
    void add_validation(std::function<std::vector<std::string>()> check);
    /// Runs this construct's own checks (the virtual hook and the added ones).
    std::vector<std::string> run_validations() const;

    /// Takes ownership of a child created with this construct as its scope (used by make()).
    void adopt(std::unique_ptr<Construct> child);

    /// Runs `build(i)` for every `i` below `count` at the same time on `jobs` threads (0: one per
    /// core), each task creating its own children of this construct (and constructs inside them):
    /// afterwards the children come in the order of `i`, as if the tasks had run one after the
    /// other. A task may read the rest of the tree but must not change it, nor walk this
    /// construct's children while the tasks run; the ids of different tasks' children must differ
    /// (else which task fails depends on timing). When tasks throw, the exception of the lowest
    /// `i` is rethrown once all have ended; what the tasks created stays, in order.
    void build_children_in_parallel(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& build);

    /// Called once per synthesis for every construct, parents first, after aspects and before
    /// validation: the place to finish what depends on the whole tree (e.g. a DependsOn on a policy
    /// that may have been filled after the construct was made).
    virtual void prepare() {}

protected:
    /// Creates the root of a tree (the App).
    explicit Construct(std::nullptr_t root_marker);
    /// Marks this construct as being of the class `kind` stands for (called by that class's
    /// constructor, so that construct_cast needs no dynamic_cast).
    void mark_kind(ConstructKind kind) { kinds_ |= static_cast<std::uint8_t>(kind); }
    /// Override to report problems with this construct; called at validation, at the same time
    /// as other constructs' validate() on other threads: read the tree, change nothing (not even
    /// another construct's caches).
    virtual std::vector<std::string> validate() const { return {}; }

private:
    std::string id_;
    Construct* parent_ = nullptr;
    std::uint8_t kinds_ = 0; // ConstructKind bits
    /// Set while build_children_in_parallel runs: registering and finding children then lock.
    detail::ParallelChildren* parallel_ = nullptr;
    std::vector<Construct*> children_;
    /// children_ by id (views of their id_), so a lookup or a new child does not walk them all.
    std::unordered_map<std::string_view, Construct*> child_index_;
    std::vector<std::unique_ptr<Construct>> owned_;
    std::vector<Construct*> dependencies_;
    std::vector<std::shared_ptr<Aspect>> aspects_;
    std::vector<std::function<std::vector<std::string>()>> validations_;
};

/// `c` as a `T` when it is one, else nullptr, for T one of App, Stack, NestedStack, CfnElement,
/// CfnResource, CfnOutput, CfnParameter and CfnCondition (other classes, a typed resource
/// included, need a dynamic_cast): a bit test where a `dynamic_cast` per node was a fifth of
/// linking a large app.
template <class T>
T* construct_cast(Construct* c) noexcept {
    static_assert(std::is_same_v<T, typename T::kind_class>,
                  "construct_cast knows App, Stack, NestedStack and the Cfn element classes; use dynamic_cast");
    return c != nullptr && c->is(T::kind) ? static_cast<T*>(c) : nullptr;
}
/// `c` as a `const T` when it is one, else nullptr (see the other overload).
template <class T>
const T* construct_cast(const Construct* c) noexcept {
    static_assert(std::is_same_v<T, typename T::kind_class>,
                  "construct_cast knows App, Stack, NestedStack and the Cfn element classes; use dynamic_cast");
    return c != nullptr && c->is(T::kind) ? static_cast<const T*>(c) : nullptr;
}

/// Creates a `T` under `scope`, owned by it, and returns a reference to it.
/// `T`'s constructor takes `(Construct& scope, std::string id, args...)`.
template <class T, class... Args>
T& make(Construct& scope, std::string id, Args&&... args) {
    auto owned = std::make_unique<T>(scope, std::move(id), std::forward<Args>(args)...);
    T& result = *owned;
    scope.adopt(std::move(owned));
    return result;
}

/// Creates a `T` whose constructor takes `(Construct& scope, args...)` and chooses its own id
/// (e.g. a stack named by its config), owned by `scope`.
template <class T, class... Args>
T& own(Construct& scope, Args&&... args) {
    auto owned = std::make_unique<T>(scope, std::forward<Args>(args)...);
    T& result = *owned;
    scope.adopt(std::move(owned));
    return result;
}

} // namespace leafsynth
