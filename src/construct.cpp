#include "leafsynth/construct.hpp"

#include <algorithm>

#include "leafsynth/errors.hpp"

namespace leafsynth {

Construct::Construct(std::nullptr_t) {}

Construct::Construct(Construct& scope, std::string id) : id_(std::move(id)), parent_(&scope) {
    if (id_.empty())
        throw ConstructError("construct under '" + scope.path() + "': the id is empty; give every construct a non-empty id");
    if (id_.find('/') != std::string::npos)
        throw ConstructError("construct '" + id_ + "' under '" + scope.path() +
                             "': ids must not contain '/'; use another character");
    if (scope.find_child(id_) != nullptr) {
        std::string where = scope.path().empty() ? std::string("the app") : "'" + scope.path() + "'";
        throw ConstructError("there is already a construct with id '" + id_ + "' in " + where +
                             " (path '" + (scope.path().empty() ? id_ : scope.path() + "/" + id_) +
                             "'); choose a different id");
    }
    scope.children_.push_back(this);
    scope.child_index_.emplace(id_, this);
}

Construct::~Construct() {
    // Owned children are destroyed first (by owned_'s destructor after this body); unregister
    // them from children_ is unnecessary. Unregister ourselves from a still-living parent.
    for (auto& child : owned_) child->parent_ = nullptr;
    owned_.clear();
    if (parent_) {
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
    owned_.push_back(std::move(child));
}

} // namespace leafsynth
