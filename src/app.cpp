#include "leafsynth/app.hpp"

#include <algorithm>
#include <map>

#include "detail/serialize.hpp"
#include "detail/template_builder.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/stack.hpp"

namespace leafsynth {

const std::string& Assembly::file(const std::string& path) const {
    for (const auto& f : files)
        if (f.path == path) return f.contents;
    throw Error("the assembly has no file '" + path + "'");
}

App::App() : Construct(nullptr) {}

std::vector<Stack*> App::stacks() {
    std::vector<Stack*> out;
    for (Construct* c : descendants_and_self())
        if (auto* s = dynamic_cast<Stack*>(c)) out.push_back(s);
    return out;
}

namespace {

/// Orders stacks so each comes after the stacks it depends on (stable: tree order otherwise).
/// A cycle is reported with the chain of stacks that forms it.
std::vector<Stack*> deployment_order(const std::vector<Stack*>& stacks, std::vector<std::string>& errors) {
    std::map<const Stack*, std::vector<const Stack*>> deps;
    for (Stack* s : stacks) deps[s] = detail::stack_dependencies(*s);
    std::vector<Stack*> order;
    std::map<const Stack*, int> state; // 0 new, 1 visiting, 2 done
    std::vector<const Stack*> chain;
    std::function<void(Stack*)> visit = [&](Stack* s) {
        if (state[s] == 2) return;
        if (state[s] == 1) {
            std::string text;
            auto it = std::find(chain.begin(), chain.end(), s);
            for (; it != chain.end(); ++it) text += (*it)->stack_name() + " -> ";
            errors.push_back(s->path() + ": stacks depend on each other in a cycle: " + text + s->stack_name() +
                             "; remove one of these dependencies");
            return;
        }
        state[s] = 1;
        chain.push_back(s);
        for (const Stack* d : deps[s]) visit(const_cast<Stack*>(d));
        chain.pop_back();
        state[s] = 2;
        order.push_back(s);
    };
    for (Stack* s : stacks) visit(s);
    return order;
}

} // namespace

Assembly App::synth(const SynthOptions& options) {
    // 1. prepare: apply aspects (tags) once, parents before children, so deeper scopes win ties.
    if (!prepared_) {
        for (Construct* c : descendants_and_self())
            for (const auto& aspect : c->aspects())
                for (Construct* target : c->descendants_and_self()) aspect->visit(*target);
        prepared_ = true;
    }

    // 2. validate: every construct's own checks, each prefixed with its path.
    std::vector<std::string> errors;
    for (Construct* c : descendants_and_self())
        for (const auto& m : c->run_validations()) errors.push_back((c->path().empty() ? "App" : c->path()) + ": " + m);

    std::vector<Stack*> all = stacks();
    if (all.empty()) errors.push_back("App: the app has no stacks; add at least one Stack");
    std::map<std::string, const Stack*> names;
    for (Stack* s : all) {
        auto [it, fresh] = names.emplace(s->artifact_id(), s);
        if (!fresh)
            errors.push_back(s->path() + ": stack artifact '" + s->artifact_id() + "' clashes with '" +
                             it->second->path() + "'; give the stacks different ids");
    }
    std::vector<Stack*> order = deployment_order(all, errors);

    // 3. resolve every stack's template (collecting problems), 4. serialize.
    const bool yaml = options.format == TemplateFormat::Yaml;
    Assembly assembly;
    for (Stack* s : order) {
        detail::Json doc = detail::build_template(*s, errors);
        StackSummary summary;
        summary.name = s->stack_name();
        summary.artifact_id = s->artifact_id();
        summary.region = s->environment().region;
        summary.account = s->environment().account;
        summary.resources = doc["Resources"].size();
        summary.template_file = s->template_file(yaml);
        for (const Stack* d : detail::stack_dependencies(*s)) summary.dependencies.push_back(d->stack_name());
        std::sort(summary.dependencies.begin(), summary.dependencies.end());
        assembly.files.push_back({summary.template_file, yaml ? detail::to_yaml_text(doc) : detail::to_json_text(doc)});
        assembly.stacks.push_back(std::move(summary));
    }
    if (!errors.empty()) throw ValidationError(std::move(errors));
    std::sort(assembly.files.begin(), assembly.files.end(),
              [](const AssemblyFile& a, const AssemblyFile& b) { return a.path < b.path; });
    return assembly;
}

} // namespace leafsynth
