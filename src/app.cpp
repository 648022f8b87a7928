#include "leafsynth/app.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "detail/cloud_assembly.hpp"
#include "detail/parallel.hpp"
#include "detail/reference_linker.hpp"
#include "detail/serialize.hpp"
#include "detail/template_builder.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/nested_stack.hpp"
#include "leafsynth/stack.hpp"

namespace leafsynth {

const std::string& Assembly::file(const std::string& path) const {
    for (const auto& f : files)
        if (f.path == path) return f.contents;
    throw Error("the assembly has no file '" + path + "'");
}

std::string deployment_listing(const Assembly& assembly) {
    std::string out;
    for (const auto& s : assembly.stacks) {
        if (!s.parent.empty()) continue;
        std::string deps;
        for (const auto& d : s.dependencies) deps += (deps.empty() ? "" : ",") + d;
        out += s.name + "\t" + (s.region.empty() ? "-" : s.region) + "\t" + (s.account.empty() ? "-" : s.account) +
               "\t" + (deps.empty() ? "-" : deps) + "\n";
    }
    return out;
}

App::App(AppProps props)
    : Construct(nullptr), props_(std::move(props)), linker_(std::make_unique<detail::ReferenceLinker>()) {
    mark_kind(ConstructKind::App);
}

App::~App() = default;

std::vector<Stack*> App::stacks() {
    std::vector<Stack*> out;
    for (Construct* c : descendants_and_self())
        if (auto* s = construct_cast<Stack>(c)) out.push_back(s);
    return out;
}

namespace {

using StackDeps = std::map<const Stack*, std::map<const Stack*, std::string>>; // consumer -> producer -> why

using detail::collect_resources;
using detail::stack_contains;

/// `r` as seen from `ancestor`: itself when in that stack, else the stack resource of the nested
/// stack below `ancestor` that holds it.
const CfnResource* as_seen_from(const Stack& ancestor, const CfnResource* r) {
    const Stack* s = &r->stack();
    if (s == &ancestor) return r;
    while (detail::parent_stack(*s) != &ancestor) s = detail::parent_stack(*s);
    return &dynamic_cast<const NestedStack&>(*s).stack_resource();
}

/// add_dependency() between constructs of different stacks: top-level stacks are ordered; within
/// one top-level stack, the nested stack resources get a DependsOn in their common ancestor.
void construct_dependencies(const std::vector<Construct*>& all, StackDeps& deps, detail::ExtraDependsOn& extra) {
    for (Construct* c : all) {
        for (Construct* d : c->dependencies()) {
            auto* cs = construct_cast<Stack>(c);
            auto* ds = construct_cast<Stack>(d);
            std::string why = "add_dependency: " + c->path() + " -> " + d->path();
            std::vector<const CfnResource*> from, to;
            if (cs) {
                if (auto* n = construct_cast<NestedStack>(cs)) from.push_back(&n->stack_resource());
            } else {
                collect_resources(*c, from);
            }
            if (ds) {
                if (auto* n = construct_cast<NestedStack>(ds)) to.push_back(&n->stack_resource());
            } else {
                collect_resources(*d, to);
            }
            const Stack& c_root = detail::root_stack(cs ? *cs : Stack::of(*c));
            const Stack& d_root = detail::root_stack(ds ? *ds : Stack::of(*d));
            if (&c_root != &d_root) {
                deps[&c_root].emplace(&d_root, why);
                continue;
            }
            for (const CfnResource* f : from) {
                for (const CfnResource* t : to) {
                    if (&f->stack() == &t->stack()) continue; // DependsOn written by the template builder
                    const Stack* common = &f->stack();
                    while (!stack_contains(*common, t->stack())) common = detail::parent_stack(*common);
                    const CfnResource* a = as_seen_from(*common, f);
                    const CfnResource* b = as_seen_from(*common, t);
                    if (a != b) extra[a].insert(b);
                }
            }
        }
    }
}

/// Orders top-level stacks so each comes after the stacks it depends on (construct-tree order
/// otherwise). A cycle is reported with the chain of stacks and the reference behind each link.
std::vector<const Stack*> deployment_order(const std::vector<const Stack*>& roots, const StackDeps& deps,
                                           std::vector<std::string>& errors) {
    std::vector<const Stack*> order;
    std::map<const Stack*, int> state; // 0 new, 1 visiting, 2 done
    std::vector<const Stack*> chain;
    std::function<void(const Stack*)> visit = [&](const Stack* s) {
        if (state[s] == 2) return;
        if (state[s] == 1) {
            std::string text;
            auto it = std::find(chain.begin(), chain.end(), s);
            for (; it != chain.end(); ++it) {
                const Stack* next = (it + 1 != chain.end()) ? *(it + 1) : s;
                text += "\n    " + (*it)->stack_name() + " depends on " + next->stack_name() + " (" +
                        deps.at(*it).at(next) + ")";
            }
            errors.push_back(s->path() + ": stacks depend on each other in a cycle:" + text +
                             "\n    remove one of these references or dependencies");
            return;
        }
        state[s] = 1;
        chain.push_back(s);
        if (auto it = deps.find(s); it != deps.end())
            for (const auto& [d, why] : it->second) {
                (void)why;
                visit(d);
            }
        chain.pop_back();
        state[s] = 2;
        order.push_back(s);
    };
    for (const Stack* s : roots) visit(s);
    return order;
}

std::size_t count_occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

/// The checks CloudFormation applies to a template body.
void check_template_limits(const Stack& stack, const std::string& text, std::vector<std::string>& errors,
                           std::vector<std::string>& warnings) {
    const std::string& name = stack.stack_name();
    if (text.size() > 1000000)
        errors.push_back(stack.path() + ": the template of '" + name + "' is " + std::to_string(text.size()) +
                         " bytes; CloudFormation accepts at most 1,000,000 (S3-hosted): split it into nested stacks");
    else if (text.size() > 51200 && !construct_cast<NestedStack>(&stack))
        warnings.push_back(stack.path() + ": the template of '" + name + "' is " + std::to_string(text.size()) +
                           " bytes, over the 51,200 that can be passed inline; deploy it from S3 (the CDK CLI does)");
    std::size_t dynamic = count_occurrences(text, "{{resolve:");
    if (dynamic > 60)
        errors.push_back(stack.path() + ": the template of '" + name + "' has " + std::to_string(dynamic) +
                         " dynamic references; CloudFormation allows 60: move consumers into another stack");
}

} // namespace

Assembly App::synth(const SynthOptions& options) {
    // 1. prepare: apply aspects (tags) once, parents before children, so deeper scopes win ties;
    // then each construct's prepare() hook.
    if (!prepared_) {
        for (Construct* c : descendants_and_self())
            for (const auto& aspect : c->aspects())
                for (Construct* target : c->descendants_and_self()) aspect->visit(*target);
        prepared_ = true;
    }
    for (Construct* c : descendants_and_self()) c->prepare();

    // 2. validate: every construct's own checks, each prefixed with its path. The checks only
    // read (a resource's validate() merges its own properties, nobody else's), so they run on
    // every core, in slices of the tree, their messages kept in tree order.
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
    {
        const std::vector<Construct*> all = descendants_and_self();
        constexpr std::size_t kSlice = 256;
        std::vector<std::vector<std::string>> found((all.size() + kSlice - 1) / kSlice);
        detail::run_in_parallel(found.size(), options.jobs, [&](std::size_t slice) {
            for (std::size_t i = slice * kSlice; i < std::min(all.size(), (slice + 1) * kSlice); ++i)
                for (const auto& m : all[i]->run_validations())
                    found[slice].push_back((all[i]->path().empty() ? "App" : all[i]->path()) + ": " + m);
        });
        for (auto& messages : found)
            for (auto& m : messages) errors.push_back(std::move(m));
    }

    const std::vector<Stack*> all_stacks = stacks(); // linking adds elements, never stacks
    std::vector<const Stack*> roots;
    for (Stack* s : all_stacks)
        if (!detail::parent_stack(*s)) roots.push_back(s);
    if (roots.empty()) errors.push_back("App: the app has no stacks; add at least one Stack");
    std::map<std::string, const Stack*> artifacts;
    for (Stack* s : all_stacks) {
        auto [it, fresh] = artifacts.emplace(s->artifact_id(), s);
        if (!fresh)
            errors.push_back(s->path() + ": stack artifact '" + s->artifact_id() + "' clashes with '" +
                             it->second->path() + "'; give the stacks different ids");
    }

    // 3. resolve references between stacks: the linker creates outputs, parameters, exports and
    // writers; what it creates may hold references too, so that is walked, until it creates nothing.
    detail::ReferenceLinker& linker = *linker_;
    linker.set_errors(&errors);
    struct Detach {
        detail::ReferenceLinker& l;
        ~Detach() { l.set_errors(nullptr); }
    } detach{linker};
    // The stacks are walked on every core (reading only), then what they reference is linked on
    // one thread, stack after stack, as one walk would: what linking makes does not depend on timing.
    {
        std::vector<std::vector<detail::FoundReference>> found(all_stacks.size());
        detail::run_in_parallel(all_stacks.size(), options.jobs,
                                [&](std::size_t i) { found[i] = detail::collect_references(*all_stacks[i]); });
        for (std::size_t i = 0; i < all_stacks.size(); ++i) detail::link_references(*all_stacks[i], found[i], linker);
    }
    for (std::size_t pass = 1; pass < 8; ++pass) {
        const std::vector<const CfnElement*> created = linker.take_created();
        if (created.empty()) break;
        detail::discover_references(created, linker);
    }
    linker.finish();
    const std::vector<Construct*> linked = descendants_and_self(); // the tree does not change after linking
    StackDeps deps = linker.dependencies();
    detail::ExtraDependsOn extra;
    construct_dependencies(linked, deps, extra);
    std::vector<const Stack*> order = deployment_order(roots, deps, errors);

    // Export names are unique per account and region.
    std::map<std::string, const CfnOutput*> exports;
    for (Construct* c : linked) {
        auto* o = construct_cast<CfnOutput>(c);
        if (!o || o->props().export_name.empty()) continue;
        const Environment& env = o->stack().environment();
        std::string key = env.account + "/" + env.region + "/" + o->props().export_name;
        auto [it, fresh] = exports.emplace(key, o);
        if (!fresh)
            errors.push_back(o->path() + ": export name '" + o->props().export_name + "' is also used by '" +
                             it->second->path() + "' in the same account and region; export names must be unique");
    }

    // 4. build and serialize, nested stacks before their parents (a parent's TemplateURL holds the
    // nested template's hash). Each top-level stack with its nested stacks is one task, and the
    // tasks run in parallel (detail/parallel.hpp): a task changes only its own stacks (their nested
    // stack resources), the linker is only asked for what discovery already made (link() locks),
    // and what a task finds goes to its own StackBuild, merged below in deployment order, so the
    // output and the order of problems do not depend on timing. Logical ids are computed lazily
    // and merged properties were rendered by validation: computing every logical id here first
    // (on every core, each element its own) leaves the tasks nothing to write outside their own stacks.
    {
        constexpr std::size_t kSlice = 1024;
        detail::run_in_parallel((linked.size() + kSlice - 1) / kSlice, options.jobs, [&](std::size_t slice) {
            for (std::size_t i = slice * kSlice; i < std::min(linked.size(), (slice + 1) * kSlice); ++i)
                if (auto* e = construct_cast<CfnElement>(linked[i])) (void)e->logical_id();
        });
    }
    const bool yaml = options.format == TemplateFormat::Yaml;
    const std::string ext = yaml ? ".yaml" : ".json";
    struct StackBuild {
        detail::StackArtifact artifact;
        std::vector<StackSummary> summaries; // the stack's own, then its nested stacks'
        std::vector<AssemblyFile> files;
        std::vector<std::string> errors, warnings;
    };
    // Builds `stack` (its nested stacks first) into `out`; returns the SHA-256 of its template.
    std::function<std::string(const Stack&, StackBuild&, std::vector<StackSummary>&)> build =
        [&](const Stack& stack, StackBuild& out, std::vector<StackSummary>& nested_summaries) {
            for (Construct* child : const_cast<Stack&>(stack).descendants_and_self()) {
                auto* n = construct_cast<NestedStack>(child);
                if (!n || &n->parent_stack() != &stack) continue;
                const std::string hash = build(*n, out, nested_summaries);
                out.artifact.assets.push_back({hash, n->template_file(yaml), ext, n->path() + " Nested Template"});
                CfnResource& resource = n->stack_resource();
                resource.set_property("TemplateURL", stack.asset_location(hash, ext).http_url);
                Map parameters = linker.nested_parameter_values(*n);
                resource.set_property("Parameters", parameters.empty() ? Value() : Value(parameters));
            }
            detail::Json doc = detail::build_template(stack, out.errors, &linker, extra);
            std::string text;
            try {
                // The JSON writer checks every string is UTF-8; the YAML writer would copy bad bytes.
                if (yaml) (void)doc.dump();
                text = yaml ? detail::to_yaml_text(doc) : detail::to_json_text(doc);
            } catch (const nlohmann::json::type_error& e) {
                const std::string what = e.what();
                const auto detail_at = what.find("] ");
                out.errors.push_back(stack.path() + ": a text value in the template is not valid UTF-8 (" +
                                     (detail_at == std::string::npos ? what : what.substr(detail_at + 2)) +
                                     "); give every string as UTF-8");
            }
            check_template_limits(stack, text, out.errors, out.warnings);
            StackSummary summary;
            summary.name = stack.stack_name();
            summary.artifact_id = stack.artifact_id();
            summary.region = stack.environment().region;
            summary.account = stack.environment().account;
            summary.resources = doc["Resources"].size();
            summary.template_file = stack.template_file(yaml);
            if (auto* n = construct_cast<NestedStack>(&stack)) {
                summary.parent = n->parent_stack().stack_name();
                nested_summaries.push_back(summary);
            } else {
                if (auto it = deps.find(&stack); it != deps.end())
                    for (const auto& [d, why] : it->second) summary.dependencies.push_back(d->stack_name());
                std::sort(summary.dependencies.begin(), summary.dependencies.end());
                out.summaries.push_back(summary);
            }
            out.files.push_back({summary.template_file, std::move(text)});
            return sha256_hex(out.files.back().contents);
        };

    std::vector<StackBuild> built(order.size());
    detail::run_in_parallel(order.size(), options.jobs, [&](std::size_t i) {
        const Stack* s = order[i];
        StackBuild& out = built[i];
        detail::StackArtifact& artifact = out.artifact;
        artifact.stack = s;
        std::vector<StackSummary> nested;
        artifact.template_hash = build(*s, out, nested);
        for (auto& n : nested) out.summaries.push_back(std::move(n));
        artifact.template_file = s->template_file(yaml);
        artifact.assets.insert(artifact.assets.begin(),
                               {artifact.template_hash, artifact.template_file, ext, s->stack_name() + " Template"});
        for (const auto& a : s->assets()) {
            auto dot = a.file_name.find('.', std::string("asset.").size());
            artifact.assets.push_back({a.hash, a.file_name, dot == std::string::npos ? "" : a.file_name.substr(dot),
                                       a.display_name});
            out.files.push_back({a.file_name, a.contents});
        }
        if (auto it = deps.find(s); it != deps.end())
            for (const auto& [d, why] : it->second) artifact.dependencies.push_back(d->artifact_id());
        std::sort(artifact.dependencies.begin(), artifact.dependencies.end());
        out.files.push_back({s->artifact_id() + ".assets.json", detail::asset_manifest_json(artifact)});
    });

    Assembly assembly;
    std::vector<detail::StackArtifact> manifest;
    manifest.reserve(built.size());
    std::set<std::string> asset_files; // an asset shared by stacks (a handler folder) is one file
    for (auto& b : built) {
        for (auto& e : b.errors) errors.push_back(std::move(e));
        for (auto& w : b.warnings) warnings.push_back(std::move(w));
        for (auto& summary : b.summaries) assembly.stacks.push_back(std::move(summary));
        for (auto& f : b.files)
            if (!f.path.starts_with("asset.") || asset_files.insert(f.path).second) assembly.files.push_back(std::move(f));
        manifest.push_back(std::move(b.artifact));
    }
    assembly.files.push_back({"manifest.json", detail::manifest_json(manifest)});

    if (!errors.empty()) throw ValidationError(std::move(errors));
    assembly.warnings = std::move(warnings);
    std::sort(assembly.files.begin(), assembly.files.end(),
              [](const AssemblyFile& a, const AssemblyFile& b) { return a.path < b.path; });
    return assembly;
}

} // namespace leafsynth
