#include "leafsynth/construct.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <unordered_set>

#include "detail/parallel.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace detail {
/// The state of one build_children_in_parallel: the children the tasks register, with the index
/// of the task that made each, in the order they were registered.
struct ParallelChildren {
    std::mutex mutex;
    std::vector<std::pair<std::size_t, Construct*>> added;
};
} // namespace detail

namespace {
/// The index of the build_children_in_parallel task this thread runs.
thread_local std::size_t current_task = 0;

/// A lock on `scope`'s children while build_children_in_parallel runs for it, else none.
std::unique_lock<std::mutex> lock_children(detail::ParallelChildren* parallel) {
    return parallel ? std::unique_lock<std::mutex>(parallel->mutex) : std::unique_lock<std::mutex>();
}
} // namespace

Construct::Construct(std::nullptr_t) {}

Construct::Construct(Construct& scope, std::string id) : id_(std::move(id)), parent_(&scope) {
    if (id_.empty())
        throw ConstructError("construct under '" + scope.path() + "': the id is empty; give every construct a non-empty id");
    if (id_.find('/') != std::string::npos)
        throw ConstructError("construct '" + id_ + "' under '" + scope.path() +
                             "': ids must not contain '/'; use another character");
    auto lock = lock_children(scope.parallel_);
    if (auto it = scope.child_index_.find(id_); it != scope.child_index_.end()) {
        std::string where = scope.path().empty() ? std::string("the app") : "'" + scope.path() + "'";
        throw ConstructError("there is already a construct with id '" + id_ + "' in " + where +
                             " (path '" + (scope.path().empty() ? id_ : scope.path() + "/" + id_) +
                             "'); choose a different id");
    }
    scope.children_.push_back(this);
    scope.child_index_.emplace(id_, this);
    if (scope.parallel_) scope.parallel_->added.emplace_back(current_task, this);
}

Construct::~Construct() {
    // Owned children are destroyed first (by owned_'s destructor after this body); unregister
    // them from children_ is unnecessary. Unregister ourselves from a still-living parent.
    for (auto& child : owned_) child->parent_ = nullptr;
    owned_.clear();
    if (parent_) {
        auto lock = lock_children(parent_->parallel_);
        if (parent_->parallel_) std::erase_if(parent_->parallel_->added, [&](const auto& a) { return a.second == this; });
        auto& siblings = parent_->children_;
        // the newest child is the likeliest to go (a failed make<>), so look from the back
        if (auto it = std::find(siblings.rbegin(), siblings.rend(), this); it != siblings.rend())
            siblings.erase(std::next(it).base());
        parent_->child_index_.erase(id_);
    }
}

std::string Construct::path() const {
    std::string out;
    for (const Construct* c : scopes()) {
        if (c->parent_ == nullptr) continue; // the root has no id in paths
        if (!out.empty()) out += '/';
        out += c->id_;
    }
    return out;
}

std::vector<const Construct*> Construct::scopes() const {
    std::vector<const Construct*> chain;
    for (const Construct* c = this; c != nullptr; c = c->parent_) chain.push_back(c);
    std::reverse(chain.begin(), chain.end());
    return chain;
}

Construct* Construct::find_child(std::string_view id) const {
    auto lock = lock_children(parallel_);
    auto it = child_index_.find(id);
    return it == child_index_.end() ? nullptr : it->second;
}

std::vector<Construct*> Construct::descendants_and_self() {
    std::vector<Construct*> out;
    std::vector<Construct*> stack{this};
    while (!stack.empty()) {
        Construct* c = stack.back();
        stack.pop_back();
        out.push_back(c);
        for (auto it = c->children_.rbegin(); it != c->children_.rend(); ++it) stack.push_back(*it);
    }
    return out;
}

Construct& Construct::root() {
    Construct* c = this;
    while (c->parent_) c = c->parent_;
    return *c;
}

const Construct& Construct::root() const {
    const Construct* c = this;
    while (c->parent_) c = c->parent_;
    return *c;
}

void Construct::add_dependency(Construct& other) {
    if (&other == this) throw ConstructError("'" + path() + "' cannot depend on itself");
    if (&other.root() != &root())
        throw ConstructError("'" + path() + "' cannot depend on '" + other.path() +
                             "', which belongs to another app");
    if (std::find(dependencies_.begin(), dependencies_.end(), &other) == dependencies_.end())
        dependencies_.push_back(&other);
}

void Construct::add_aspect(std::shared_ptr<Aspect> aspect) { aspects_.push_back(std::move(aspect)); }

void Construct::add_validation(std::function<std::vector<std::string>()> check) {
    validations_.push_back(std::move(check));
}

std::vector<std::string> Construct::run_validations() const {
    std::vector<std::string> out = validate();
    for (const auto& check : validations_)
        for (auto& m : check()) out.push_back(std::move(m));
    return out;
}

void Construct::adopt(std::unique_ptr<Construct> child) {
    if (!child || child->parent_ != this)
        throw ConstructError("adopt: the child was not created with '" + path() + "' as its scope");
    auto lock = lock_children(parallel_);
    owned_.push_back(std::move(child));
}

void Construct::build_children_in_parallel(std::size_t count, std::size_t jobs,
                                           const std::function<void(std::size_t)>& build) {
    if (parallel_)
        throw ConstructError("'" + path() + "': build_children_in_parallel is already running for this construct; "
                             "do not call it from one of its own tasks");
    detail::ParallelChildren state;
    parallel_ = &state;
    std::exception_ptr failure;
    try {
        detail::run_in_parallel(count, jobs, [&](std::size_t i) {
            struct Task { // this thread's task index for the time of build(i), however it ends
                std::size_t outer = current_task;
                explicit Task(std::size_t index) { current_task = index; }
                ~Task() { current_task = outer; }
            } task(i);
            build(i);
        });
    } catch (...) {
        failure = std::current_exception();
    }
    parallel_ = nullptr;
    // The children in the order of their tasks (each task registered its own in program order).
    std::stable_sort(state.added.begin(), state.added.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::unordered_set<const Construct*> added;
    for (const auto& a : state.added) added.insert(a.second);
    std::erase_if(children_, [&](const Construct* c) { return added.count(c) > 0; });
    for (const auto& a : state.added) children_.push_back(a.second);
    if (failure) std::rethrow_exception(failure);
}

} // namespace leafsynth
