// Comparing cloud assemblies: stacks from manifest.json, nested stacks through their parents'
// AWS::CloudFormation::Stack resources, and the two-template form.

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "detail/parallel.hpp"
#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth {

namespace fs = std::filesystem;

namespace detail {
namespace {


bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Files worth reading from an output folder: manifests, asset manifests, templates (not CDK's
/// construct tree, tree.json, which can be large and is never compared).
bool is_assembly_file(const std::string& name) {
    if (name.rfind("asset.", 0) == 0 || name == "tree.json") return false;
    return ends_with(name, ".json") || ends_with(name, ".yaml") || ends_with(name, ".yml");
}

void read_dir(const fs::path& dir, const std::string& prefix, AssemblyFiles& out, int depth, std::uintmax_t& budget) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // Nested cloud assemblies (CDK stages) live in assembly-* folders; a symbolic link to a
        // folder is not followed (it could lead back up).
        if (it->is_directory(ec)) {
            std::error_code link_ec;
            if (name.rfind("assembly-", 0) == 0 && depth < kMaxAssemblyNesting && !it->is_symlink(link_ec))
                read_dir(it->path(), prefix + name + "/", out, depth + 1, budget);
            continue;
        }
        // read_input_file refuses what is not a regular file (a FIFO would block).
        if (is_assembly_file(name)) out[prefix + name] = read_input_file(it->path(), &budget);
    }
    if (ec) throw InputError(one_line(dir.string(), 4096) + ": cannot be listed: " + ec.message());
}

/// The asset hash in a nested stack's TemplateURL: the first 64 lowercase hex digits followed by
/// `.json`, `.yaml` or `.yml` (how CDK and leafsynth name template assets), or nothing.
std::optional<std::string> asset_hash(const std::string& url) {
    constexpr std::size_t kHexDigits = 64;
    auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    for (std::size_t dot = url.find('.', kHexDigits); dot != std::string::npos; dot = url.find('.', dot + 1)) {
        if (url.compare(dot + 1, 4, "json") != 0 && url.compare(dot + 1, 4, "yaml") != 0 &&
            url.compare(dot + 1, 3, "yml") != 0)
            continue;
        const std::size_t start = dot - kHexDigits;
        if (std::all_of(url.begin() + static_cast<std::ptrdiff_t>(start), url.begin() + static_cast<std::ptrdiff_t>(dot), is_hex))
            return url.substr(start, kHexDigits);
    }
    return std::nullopt;
}

/// A top-level stack of an assembly.
struct StackEntry {
    std::string name;
    std::string region;
    std::string template_file;
};

std::vector<StackEntry> stacks_of(const AssemblyFiles& files, const std::string& root) {
    std::vector<StackEntry> out;
    for (auto& s : read_assembly_manifest(files, root, {.assets = false}).stacks)
        out.push_back({std::move(s.stack_name), std::move(s.region), std::move(s.template_file)});
    return out;
}

/// One side of a comparison: its files, parsed templates, and how nested templates are found.
class Side {
public:
    /// `root` is how the files are named in errors: the folder they were read from (`before/`),
    /// or "" for the app's own output.
    explicit Side(const AssemblyFiles& files, std::string label = "output", std::string root = {})
        : files_(files), label_(std::move(label)), root_(std::move(root)) {}
    virtual ~Side() = default;

    /// What this side is, for notes: `old output`, `new output`, `deployed stack`.
    const std::string& label() const { return label_; }

    const AssemblyFiles& files() const { return files_; }

    /// The file at `path` as errors name it.
    virtual std::string display(const std::string& path) const { return root_ + path; }

    /// The size of the file at `path` (0 when absent).
    std::size_t size_of(const std::string& path) const {
        auto it = files_.find(path);
        return it == files_.end() ? 0 : it->second.size();
    }

    /// The parsed template at `path` (cached). Throws InputError when absent or unreadable.
    const json& template_at(const std::string& path) { return *parsed_at(path); }

    /// The parsed templates at `path` here and at `other_path` of `other`. When the two texts are
    /// byte-identical (most stacks, when one config of many changed), they are parsed once and
    /// both sides share the result, so `&first == &second` says the templates are the same.
    static std::pair<const json*, const json*> templates_at(Side& one, const std::string& path, Side& other,
                                                            const std::string& other_path) {
        auto a = one.files_.find(path), b = other.files_.find(other_path);
        if (a != one.files_.end() && b != other.files_.end() && a->second == b->second &&
            !one.parsed_.count(path) && !other.parsed_.count(other_path)) {
            std::shared_ptr<const json> shared = one.parsed_at(path);
            other.parsed_.emplace(other_path, shared);
            return {shared.get(), shared.get()};
        }
        return {one.parsed_at(path).get(), other.parsed_at(other_path).get()};
    }

    /// The template file of the nested stack a parent's AWS::CloudFormation::Stack resource
    /// deploys, or nothing when it cannot be found.
    virtual std::optional<std::string> nested_template(const std::string& logical_id, const json& resource,
                                                       const std::string& parent_path) {
        const std::string folder = folder_of(parent_path);
        if (resource.contains("Metadata") && resource["Metadata"].is_object()) {
            const json& md = resource["Metadata"];
            auto p = md.find("aws:asset:path");
            if (p != md.end() && p->is_string() && files_.count(folder + p->get<std::string>()))
                return folder + p->get<std::string>();
        }
        const json& props = member(resource, "Properties");
        if (!props.is_object() || !props.contains("TemplateURL")) return std::nullopt;
        const std::string url = render_value(props["TemplateURL"]);
        if (const std::optional<std::string> hash = asset_hash(url)) {
            if (auto own = in_own_manifest(parent_path, *hash)) return own;
            index_manifests(folder);
            auto found = by_hash_.find(folder + "|" + *hash);
            if (found == by_hash_.end()) {
                index_contents(folder);
                found = by_hash_.find(folder + "|" + *hash);
            }
            if (found != by_hash_.end()) return found->second;
        }
        // A plain relative path (a hand-written parent next to its nested templates).
        if (url.find("://") == std::string::npos && files_.count(folder + url)) return folder + url;
        // leafsynth's file naming: <parent>.<Id>.nested.template.<ext> for the resource <Id>NestedStack.
        const std::string parent_name = parent_path.substr(folder.size());
        const auto dot = parent_name.find(".template.");
        const std::string suffix = "NestedStack";
        if (dot != std::string::npos && ends_with(logical_id, suffix) && logical_id.size() > suffix.size()) {
            const std::string stem = parent_name.substr(0, dot) + "." +
                                     logical_id.substr(0, logical_id.size() - suffix.size()) + ".nested.template.";
            for (const char* ext : {"json", "yaml", "yml"})
                if (files_.count(folder + stem + ext)) return folder + stem + ext;
        }
        return std::nullopt;
    }

    /// Parses the templates of both sides up front, on every core (a large app has thousands).
    /// A template with the same name and text on both sides is parsed once and shared, as
    /// templates_at() does. A template that does not parse keeps its error until it is asked for,
    /// so what is reported does not change; one never asked for is never reported.
    static void parse_all(Side& old_side, Side& new_side) {
        struct Job {
            Side* side;
            const std::string* path;
            const std::string* text;
            Side* twin; // the other side, when it has the same file with the same text
            std::shared_ptr<const json> doc;
            std::exception_ptr error;
        };
        std::vector<Job> jobs;
        std::set<std::string> shared;
        for (const auto& [path, text] : new_side.files_) {
            if (!is_template_name(path.substr(folder_of(path).size())) || new_side.parsed_.count(path)) continue;
            auto o = old_side.files_.find(path);
            const bool same = o != old_side.files_.end() && o->second == text && !old_side.parsed_.count(path);
            if (same) shared.insert(path);
            jobs.push_back({&new_side, &path, &text, same ? &old_side : nullptr, nullptr, nullptr});
        }
        for (const auto& [path, text] : old_side.files_)
            if (is_template_name(path.substr(folder_of(path).size())) && !shared.count(path) &&
                !old_side.parsed_.count(path))
                jobs.push_back({&old_side, &path, &text, nullptr, nullptr, nullptr});
        run_in_parallel(jobs.size(), 0, [&](std::size_t i) {
            Job& j = jobs[i];
            try {
                j.doc = std::make_shared<const json>(parse_template(*j.text, j.side->display(*j.path)));
            } catch (...) {
                j.error = std::current_exception();
            }
        });
        for (Job& j : jobs) {
            if (!j.doc) {
                // Not kept for the twin: its error names its own file, so it is parsed if asked for.
                j.side->failed_.emplace(*j.path, j.error);
                continue;
            }
            j.side->parsed_.emplace(*j.path, j.doc);
            if (j.twin) j.twin->parsed_.emplace(*j.path, j.doc);
        }
    }

private:
    /// The parsed template at `path` (cached). Throws InputError when absent or unreadable.
    const std::shared_ptr<const json>& parsed_at(const std::string& path) {
        auto cached = parsed_.find(path);
        if (cached != parsed_.end()) return cached->second;
        if (auto failed = failed_.find(path); failed != failed_.end()) std::rethrow_exception(failed->second);
        auto it = files_.find(path);
        if (it == files_.end()) throw InputError(one_line(display(path), 4096) + ": template not found in the " + label_);
        return parsed_.emplace(path, std::make_shared<const json>(parse_template(it->second, display(path))))
            .first->second;
    }

    /// The file the asset manifest of the stack at `parent_path` lists under `hash`: the
    /// manifest the parent was itself found in, else the one named after it
    /// (`<artifact>.assets.json` beside `<artifact>.template.json`, as leafsynth and CDK write
    /// them). One small file read instead of every manifest of the folder; and when two stacks
    /// hold nested templates with the same text (the same hash), each finds its own file.
    std::optional<std::string> in_own_manifest(const std::string& parent_path, const std::string& hash) {
        std::string manifest;
        if (auto m = manifest_of_.find(parent_path); m != manifest_of_.end()) {
            manifest = m->second;
        } else {
            const auto dot = parent_path.find(".template.", folder_of(parent_path).size());
            if (dot == std::string::npos) return std::nullopt;
            manifest = parent_path.substr(0, dot) + ".assets.json";
        }
        const auto& entries = manifest_entries(manifest);
        auto found = entries.find(hash);
        if (found == entries.end()) return std::nullopt;
        manifest_of_.emplace(found->second, manifest);
        return found->second;
    }

    /// hash → template file, for the files in `folder`, from all its asset manifests.
    void index_manifests(const std::string& folder) {
        if (!indexed_.insert(folder).second) return;
        for (const auto& [path, contents] : files_)
            if (folder_of(path) == folder && ends_with(path, ".assets.json"))
                for (const auto& [hash, file] : manifest_entries(path)) by_hash_.emplace(folder + "|" + hash, file);
    }

    /// hash → file of what the asset manifest at `manifest` lists and this side has (cached;
    /// empty when there is no such manifest or it cannot be read).
    const std::map<std::string, std::string>& manifest_entries(const std::string& manifest) {
        auto cached = manifest_entries_.find(manifest);
        if (cached != manifest_entries_.end()) return cached->second;
        std::map<std::string, std::string>& entries = manifest_entries_[manifest];
        auto text = files_.find(manifest);
        if (text == files_.end()) return entries;
        const std::string folder = folder_of(manifest);
        try {
            const json assets = parse_json_checked<json>(text->second, display(manifest));
            const json& asset_files = member(assets, "files");
            if (!asset_files.is_object()) return entries;
            for (const auto& [hash, entry] : asset_files.items()) {
                const std::string source = string_member(member(entry, "source"), "path");
                if (!source.empty() && files_.count(folder + source)) entries.emplace(hash, folder + source);
            }
        } catch (const Error&) {
            // An unreadable asset manifest only means fewer ways to find nested templates.
        }
        return entries;
    }

    /// hash → template file from the SHA-256 of every template in `folder`: for a folder whose
    /// manifests do not name the template (hand-made, or manifests missing). Only when needed:
    /// hashing every template of a large app costs more than the rest of the comparison.
    void index_contents(const std::string& folder) {
        if (!hashed_.insert(folder).second) return;
        for (const auto& [path, contents] : files_)
            if (folder_of(path) == folder && is_template_name(path.substr(folder.size())))
                by_hash_.emplace(folder + "|" + sha256_hex(contents), path);
    }

    const AssemblyFiles& files_;
    std::string label_;
    std::string root_;
    std::map<std::string, std::shared_ptr<const json>> parsed_;
    std::map<std::string, std::exception_ptr> failed_; // parse_all's errors, raised when asked for
    std::map<std::string, std::string> by_hash_;
    std::set<std::string> indexed_; // folders whose manifests are in by_hash_
    std::set<std::string> hashed_;  // folders whose templates' hashes are in by_hash_
    std::map<std::string, std::map<std::string, std::string>> manifest_entries_; // manifest -> hash -> file
    std::map<std::string, std::string> manifest_of_; // template -> the manifest it was found in
};

/// Holds the files of a DeployedSide (constructed before its Side base, which keeps a reference).
struct DeployedFiles {
    AssemblyFiles deployed_files;
    std::map<std::string, std::string> nested; // parent key + '\n' + logical id -> child key
};

/// The deployed stacks as one side of a comparison: each template under a made-up key
/// (`<region>/<name>.template`, nested ones below their parent's key), nested stacks found by
/// logical id from ListStackResources rather than through TemplateURL.
class DeployedSide : private DeployedFiles, public Side {
public:
    explicit DeployedSide(const std::vector<DeployedStack>& stacks) : Side(deployed_files, "deployed stack") {
        for (const auto& d : stacks)
            if (d.exists) add(d, key(d.region, d.name), 0);
    }

    static std::string key(const std::string& region, const std::string& name) {
        return region + "/" + name + ".template";
    }

    std::string display(const std::string& path) const override { return "the deployed template of " + path; }

    std::optional<std::string> nested_template(const std::string& logical_id, const json&,
                                               const std::string& parent_path) override {
        auto it = nested.find(parent_path + "\n" + logical_id);
        if (it == nested.end()) return std::nullopt;
        return it->second;
    }

private:
    void add(const DeployedStack& d, const std::string& k, int depth) {
        deployed_files[k] = d.template_body;
        if (depth >= kMaxNestedStackDepth) return;
        for (const auto& child : d.nested) {
            if (!child.exists) continue;
            const std::string ck = k + "/" + child.name;
            nested[k + "\n" + child.name] = ck;
            add(child, ck, depth + 1);
        }
    }
};

bool is_nested_stack(const json& resource) { return string_member(resource, "Type") == "AWS::CloudFormation::Stack"; }

/// The logical ids of the nested stacks of a template.
std::vector<std::string> nested_ids(const json& tmpl) {
    std::vector<std::string> out;
    if (!tmpl.contains("Resources") || !tmpl["Resources"].is_object()) return out;
    for (const auto& [id, r] : tmpl["Resources"].items())
        if (is_nested_stack(r)) out.push_back(id);
    return out;
}

bool is_template_url_change(const ValueChange& c) {
    const std::string p = "Properties.TemplateURL";
    return c.path == p || c.path.rfind(p + ".", 0) == 0 || c.path.rfind(p + "[", 0) == 0;
}

/// The stacks on the way down from a top-level stack to the one being compared, and what
/// comparing has cost so far, so that templates that include themselves, or each other many
/// times over, end in an error instead of an endless or exponential descent.
struct Nesting {
    struct Level {
        std::optional<std::string> old_path, new_path;
        std::string id; ///< Logical id in the parent (empty for the top-level stack).
    };
    std::vector<Level> chain;
    std::size_t comparisons = 0;
    std::uintmax_t bytes = 0;

    /// `Top.template.json > A > B` on one side, shortened in the middle when long.
    std::string path_text(const Side& side, bool old) const {
        std::vector<std::string> parts;
        for (const auto& level : chain) {
            const std::optional<std::string>& path = old ? level.old_path : level.new_path;
            parts.push_back(level.id.empty() ? side.display(path.value_or("")) : level.id);
        }
        std::string out;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (parts.size() > 8 && i >= 3 && i + 4 < parts.size()) {
                if (i == 3) out += " > ...";
                continue;
            }
            out += (i ? " > " : "") + one_line(parts[i], 60);
        }
        return out;
    }
};

/// Where the resource `id` is in the template at `path` of `side`, for errors about it.
[[noreturn]] void fail_at_resource(const Side& side, const std::string& path, const std::string& id,
                                   const std::string& message) {
    auto it = side.files().find(path);
    const TextPosition where = it == side.files().end() ? TextPosition{} : template_key_position(it->second, {"Resources", id});
    throw_input(side.display(path), where, key_path({"Resources", id}), message);
}

/// Compares one stack and, recursively, its nested stacks (the stack is `nesting.chain.back()`).
/// `changing` names this stack's Parameters whose value changes (a replacement in the parent or a
/// sibling feeds them); the names of this stack's Outputs whose value changes go to
/// `changing_outputs`. Replacements are followed across nested stacks that way: parent resource
/// -> child parameter, child output -> parent resource or sibling parameter, until nothing more
/// changes.
StackDiff diff_stack(Side& old_side, Side& new_side, Nesting& nesting, const std::set<std::string>& changing = {},
                     std::set<std::string>* changing_outputs = nullptr) {
    const std::optional<std::string> old_path = nesting.chain.back().old_path;
    const std::optional<std::string> new_path = nesting.chain.back().new_path;
    ++nesting.comparisons;
    nesting.bytes += (old_path ? old_side.size_of(*old_path) : 0) + (new_path ? new_side.size_of(*new_path) : 0);
    if (nesting.comparisons > kMaxStackComparisons || nesting.bytes > kMaxComparedBytes) {
        const auto& top = nesting.chain.front();
        throw InputError(one_line(top.new_path ? new_side.display(*top.new_path) : old_side.display(*top.old_path), 4096) +
                         ": its nested stacks would mean comparing more than " + std::to_string(kMaxStackComparisons) +
                         " stacks or " + std::to_string(kMaxComparedBytes >> 20) +
                         " MB of templates (now at " + (top.new_path ? nesting.path_text(new_side, false)
                                                                     : nesting.path_text(old_side, true)) +
                         "): do nested templates include each other many times over?");
    }
    StackDiff out;
    out.old_template = old_path.value_or("");
    out.new_template = new_path.value_or("");
    const json empty = json::object();
    const auto [old_p, new_p] = old_path && new_path ? Side::templates_at(old_side, *old_path, new_side, *new_path)
                                                     : std::pair<const json*, const json*>{
                                                           old_path ? &old_side.template_at(*old_path) : &empty,
                                                           new_path ? &new_side.template_at(*new_path) : &empty};
    const json& old_t = *old_p;
    const json& new_t = *new_p;
    // The same text on both sides has no differences of its own (only values changing upstream,
    // `changing`, can make its resources change).
    if (old_p != new_p || !changing.empty()) out.diff = diff_templates_seeded(old_t, new_t, changing);

    // Nested stacks: by logical id, the new template's first, then those only in the old one.
    std::vector<std::string> ids = nested_ids(new_t);
    for (const auto& id : nested_ids(old_t))
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    auto resource_in = [](const json& t, const std::string& id) -> const json* {
        return t.contains("Resources") && t["Resources"].contains(id) && is_nested_stack(t["Resources"][id])
                   ? &t["Resources"][id]
                   : nullptr;
    };
    // A nested stack whose template is one of the stacks it is in: a cycle, on either side.
    auto check_cycle = [&](const Side& side, const std::optional<std::string>& file, const std::string& parent,
                           const std::string& id, bool old) {
        if (!file) return;
        for (const auto& level : nesting.chain)
            if ((old ? level.old_path : level.new_path) == file)
                fail_at_resource(side, parent, id,
                                 "the nested stack's template is " + one_line(side.display(*file), 200) +
                                     ", which already contains it (" + nesting.path_text(side, old) + " > " +
                                     one_line(id, 60) +
                                     "): a stack cannot nest itself; point its TemplateURL at another template");
        if (static_cast<int>(nesting.chain.size()) > kMaxNestedStackDepth)
            fail_at_resource(side, parent, id,
                             "nested stacks more than " + std::to_string(kMaxNestedStackDepth) + " levels deep (" +
                                 nesting.path_text(side, old) + " > " + one_line(id, 60) +
                                 "): is a template nesting itself through others?");
    };
    std::set<std::string> child_outputs; // "<Id>.Outputs.<Name>" whose value changes
    // What changes value in this template besides its own replacements.
    auto seeds = [&] {
        std::set<std::string> out = changing;
        out.insert(child_outputs.begin(), child_outputs.end());
        return out;
    };
    std::vector<std::string> nested_notes;
    constexpr int kMaxRounds = 8; // each round only adds changing values; this bounds pathological chains
    for (int round = 0; round < kMaxRounds; ++round) {
        const std::set<std::string> sources = changing_values(out.diff, seeds());
        out.nested.clear();
        nested_notes.clear();
        std::set<std::string> found_outputs;
        for (const auto& id : ids) {
            const json* o = resource_in(old_t, id);
            const json* n = resource_in(new_t, id);
            std::optional<std::string> o_file = o ? old_side.nested_template(id, *o, *old_path) : std::nullopt;
            std::optional<std::string> n_file = n ? new_side.nested_template(id, *n, *new_path) : std::nullopt;
            if ((o && !o_file) || (n && !n_file)) {
                nested_notes.push_back("nested stack " + id + ": its template was not found in the " +
                                       (o && !o_file ? old_side.label() : new_side.label()) +
                                       ", so only the parent's resource is compared");
                continue;
            }
            if (o) check_cycle(old_side, o_file, *old_path, id, true);
            if (n) check_cycle(new_side, n_file, *new_path, id, false);
    // The child's parameters whose value changes: those its parent passes from a changing value.
            std::set<std::string> child_params;
            if (n && n->contains("Properties") && (*n)["Properties"].contains("Parameters") &&
                (*n)["Properties"]["Parameters"].is_object())
                for (const auto& [key, value] : (*n)["Properties"]["Parameters"].items())
                    if (refers_to_any(value, sources)) child_params.insert(key);
            std::set<std::string> outputs;
            nesting.chain.push_back({o_file, n_file, id});
            StackDiff child = diff_stack(old_side, new_side, nesting, child_params, &outputs);
            nesting.chain.pop_back();
            child.name = id;
            for (const auto& name : outputs) found_outputs.insert(id + ".Outputs." + name);
            out.nested.push_back(std::move(child));
        }
        if (found_outputs == child_outputs) break;
        child_outputs = found_outputs;
        out.diff = diff_templates_seeded(old_t, new_t, seeds());
    }
    out.notes.insert(out.notes.end(), nested_notes.begin(), nested_notes.end());
    // Both templates of a nested stack are known: its TemplateURL (a content hash) says nothing more.
    for (const auto& child : out.nested) {
        auto rc = std::find_if(out.diff.resources.begin(), out.diff.resources.end(),
                               [&](const ResourceChange& r) { return r.logical_id == child.name; });
        if (rc != out.diff.resources.end() && rc->kind == ChangeKind::Modified) {
            rc->changes.erase(std::remove_if(rc->changes.begin(), rc->changes.end(), is_template_url_change),
                              rc->changes.end());
            if (rc->changes.empty() && rc->caused_by.empty()) out.diff.resources.erase(rc);
        }
    }
    if (changing_outputs && new_t.contains("Outputs") && new_t["Outputs"].is_object()) {
        const std::set<std::string> sources = changing_values(out.diff, seeds());
        for (const auto& [name, output] : new_t["Outputs"].items())
            if (output.is_object() && output.contains("Value") && refers_to_any(output["Value"], sources))
                changing_outputs->insert(name);
    }
    // The security rows of a nested stack resource never include TemplateURL; nothing to redo.
    if (!old_path) out.status = StackStatus::Added;
    else if (!new_path) out.status = StackStatus::Removed;
    else if (!out.diff.empty() || std::any_of(out.nested.begin(), out.nested.end(),
                                             [](const StackDiff& c) { return c.has_differences(); }))
        out.status = StackStatus::Modified;
    else out.status = StackStatus::Unchanged;
    return out;
}

/// Compares a top-level stack (and its nested stacks).
StackDiff diff_top_stack(Side& old_side, Side& new_side, const std::optional<std::string>& old_path,
                         const std::optional<std::string>& new_path) {
    Nesting nesting;
    nesting.chain.push_back({old_path, new_path, ""});
    return diff_stack(old_side, new_side, nesting);
}

/// The folder's templates and asset manifests (not recursive), for nested stacks of a template
/// given on its own.
AssemblyFiles folder_files(const fs::path& file) {
    AssemblyFiles out;
    const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    std::uintmax_t budget = kMaxFolderBytes;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!it->is_regular_file(ec) || !(is_template_name(name) || ends_with(name, ".assets.json"))) continue;
        try {
            out[name] = read_input_file(it->path(), &budget);
        } catch (const InputError&) {
            // A file that cannot be read (too big, gone) is only a template fewer to find
            // nested stacks in: a nested stack that needs it gets a note saying so.
        }
    }
    return out;
}

/// How the files of the folder of `file` are named in errors: `dir/`, or "" for the current one.
std::string folder_root(const fs::path& file) {
    return file.has_parent_path() ? file.parent_path().string() + "/" : std::string();
}

} // namespace
} // namespace detail

bool AssemblyDiff::has_differences() const {
    return std::any_of(stacks.begin(), stacks.end(), [](const StackDiff& s) { return s.has_differences(); });
}

AssemblyFiles read_assembly_dir(const std::filesystem::path& dir) {
    if (!fs::is_directory(dir)) throw InputError(detail::one_line(dir.string(), 4096) + ": not a folder");
    AssemblyFiles out;
    std::uintmax_t budget = detail::kMaxFolderBytes;
    detail::read_dir(dir, "", out, 0, budget);
    return out;
}

namespace {
template <class A> AssemblyFiles assembly_files_of(A&& assembly) {
    AssemblyFiles out;
    for (auto& f : assembly.files) {
        const std::string name = f.path.substr(f.path.rfind('/') == std::string::npos ? 0 : f.path.rfind('/') + 1);
        if (!detail::is_assembly_file(name) || f.path.find("asset.") != std::string::npos) continue;
        if constexpr (std::is_const_v<std::remove_reference_t<decltype(f)>>) out[f.path] = f.contents;
        else out[f.path] = std::move(f.contents);
    }
    return out;
}
} // namespace

AssemblyFiles assembly_files(const Assembly& assembly) { return assembly_files_of(assembly); }

AssemblyFiles assembly_files(Assembly&& assembly) { return assembly_files_of(std::move(assembly)); }

AssemblyDiff diff_assemblies(const AssemblyFiles& old_files, const AssemblyFiles& new_files,
                             const std::string& old_root, const std::string& new_root) {
    using namespace detail;
    // The two manifests (thousands of artifacts for a large app) are read side by side; an error
    // in the old one is reported first, as when read in order.
    std::vector<StackEntry> olds, news;
    run_in_parallel(2, 0, [&](std::size_t i) {
        if (i == 0) olds = stacks_of(old_files, old_root);
        else news = stacks_of(new_files, new_root);
    });
    Side old_side(old_files, "old output", old_root), new_side(new_files, "new output", new_root);
    Side::parse_all(old_side, new_side);
    AssemblyDiff out;
    std::vector<bool> matched(olds.size(), false);
    for (const auto& n : news) {
        // By stack name; when several old stacks have it (other regions), the one in the same region.
        std::optional<std::size_t> match;
        for (std::size_t i = 0; i < olds.size(); ++i) {
            if (matched[i] || olds[i].name != n.name) continue;
            if (!match || (olds[i].region == n.region && olds[*match].region != n.region)) match = i;
        }
        std::optional<std::string> old_path;
        if (match) {
            matched[*match] = true;
            old_path = olds[*match].template_file;
        }
        StackDiff sd = diff_top_stack(old_side, new_side, old_path, n.template_file);
        sd.name = n.name;
        sd.region = n.region;
        out.stacks.push_back(std::move(sd));
    }
    for (std::size_t i = 0; i < olds.size(); ++i) {
        if (matched[i]) continue;
        StackDiff sd = diff_top_stack(old_side, new_side, olds[i].template_file, std::nullopt);
        sd.name = olds[i].name;
        sd.region = olds[i].region;
        out.stacks.push_back(std::move(sd));
    }
    return out;
}

namespace detail {
namespace {

std::string status_advice(const std::string& status) {
    if (status == "ROLLBACK_COMPLETE" || status == "ROLLBACK_FAILED" || status == "CREATE_FAILED" ||
        status == "ROLLBACK_IN_PROGRESS")
        return "its creation failed; delete it before deploying it again";
    if (status == "UPDATE_ROLLBACK_COMPLETE")
        return "its last update failed and was rolled back; compared with the template it rolled back to";
    if (status == "UPDATE_ROLLBACK_FAILED")
        return "its last update failed and could not roll back; continue the rollback "
               "(aws cloudformation continue-update-rollback) before deploying";
    if (status == "DELETE_FAILED") return "deleting it failed; some resources are left";
    if (status.ends_with("_IN_PROGRESS"))
        return "an operation is in progress; compared with its current template, which may change when it ends";
    return "its last operation failed";
}

/// Notes for a deployed stack's state and parameters, set on the comparison of it (recursively).
void annotate(StackDiff& sd, const DeployedStack& d, const json& new_template) {
    sd.old_template = d.exists ? d.stack_id : "";
    sd.deployed_status = d.status;
    for (const auto& n : d.notes) sd.notes.push_back(n);
    if (d.exists && is_troubled_status(d.status))
        sd.notes.push_back("the deployed stack is " + d.status +
                           (d.status_reason.empty() ? "" : " (" + d.status_reason + ")") + ": " +
                           status_advice(d.status));
    // A deployed parameter value that is not the new template's default is kept by deployments
    // that reuse previous values (cdk deploy's default), so it is worth saying.
    if (new_template.contains("Parameters") && new_template["Parameters"].is_object()) {
        for (const auto& [key, value] : d.parameters) {
            auto p = new_template["Parameters"].find(key);
            if (p == new_template["Parameters"].end() || !p->is_object() || !p->contains("Default")) continue;
            const json& def = (*p)["Default"];
            if (values_equal(def, json(value))) continue;
            sd.notes.push_back("parameter " + key + " is deployed with '" + value + "', not the template's default '" +
                               (def.is_string() ? def.get<std::string>() : def.dump()) +
                               "' (a deployment that keeps previous parameter values keeps it)");
        }
    }
    for (const auto& dc : d.nested) {
        auto child = std::find_if(sd.nested.begin(), sd.nested.end(),
                                  [&](const StackDiff& x) { return x.name == dc.name; });
        if (child != sd.nested.end()) {
            annotate(*child, dc, json::object()); // nested parameters come from the parent, not defaults
            continue;
        }
        // Not compared (e.g. never created): its own notes say why, under the parent.
        for (const auto& n : dc.notes) sd.notes.push_back("nested stack " + dc.name + ": " + n);
    }
}

} // namespace
} // namespace detail

bool is_troubled_status(const std::string& status) {
    return status.find("FAILED") != std::string::npos || status.find("ROLLBACK") != std::string::npos ||
           status.ends_with("_IN_PROGRESS");
}

AssemblyDiff diff_deployed(const std::vector<DeployedStack>& deployed, const AssemblyFiles& new_files) {
    using namespace detail;
    const std::vector<StackEntry> news = stacks_of(new_files, "");
    DeployedSide old_side(deployed);
    Side new_side(new_files, "app's output");
    AssemblyDiff out;
    for (const auto& n : news) {
        auto d = std::find_if(deployed.begin(), deployed.end(), [&](const DeployedStack& x) {
            return x.name == n.name && (n.region.empty() || x.region == n.region);
        });
        std::optional<std::string> old_path;
        if (d != deployed.end() && d->exists) old_path = DeployedSide::key(d->region, d->name);
        StackDiff sd = diff_top_stack(old_side, new_side, old_path, n.template_file);
        sd.name = n.name;
        sd.region = n.region.empty() && d != deployed.end() ? d->region : n.region;
        if (d != deployed.end()) annotate(sd, *d, new_side.template_at(n.template_file));
        out.stacks.push_back(std::move(sd));
    }
    return out;
}

AssemblyDiff diff_template_files(const std::filesystem::path& old_file, const std::filesystem::path& new_file) {
    using namespace detail;
    auto load = [](const fs::path& file) {
        std::error_code ec;
        if (!fs::exists(file, ec)) throw InputError(one_line(file.string(), 4096) + ": no such template file");
        const std::string text = read_input_file(file);
        const json tmpl = parse_template(text, file.string());
        AssemblyFiles files;
        // Nested stacks are looked up beside the file, only when there are some.
        if (!nested_ids(tmpl).empty()) files = folder_files(file);
        files[file.filename().string()] = text;
        return files;
    };
    const AssemblyFiles old_files = load(old_file), new_files = load(new_file);
    Side old_side(old_files, "old template's folder", folder_root(old_file)),
        new_side(new_files, "new template's folder", folder_root(new_file));
    AssemblyDiff out;
    StackDiff sd = diff_top_stack(old_side, new_side, old_file.filename().string(), new_file.filename().string());
    std::string name = new_file.filename().string();
    if (name.find(".template.") != std::string::npos) name = name.substr(0, name.find(".template."));
    sd.name = name;
    out.stacks.push_back(std::move(sd));
    return out;
}

} // namespace leafsynth
