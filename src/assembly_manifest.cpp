// Reading a cloud assembly's manifest.json and asset manifests back (leafsynth's or `cdk synth`'s).

#include "leafsynth/assembly_manifest.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>

#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace {

using ojson = nlohmann::ordered_json;
using detail::folder_of;
using detail::is_template_name;
using detail::one_line;

/// One JSON file being read, for located errors.
class JsonFile {
public:
    JsonFile(const std::string& text, std::string origin)
        : text_(text), origin_(std::move(origin)), doc_(detail::parse_json_checked<ojson>(text, origin_)) {}

    const ojson& doc() const { return doc_; }
    const std::string& origin() const { return origin_; }

    [[noreturn]] void fail(const std::vector<std::string>& path, const std::string& message) const {
        detail::throw_input(origin_, detail::nearest_key(path, detail::json_key_locator(text_)), detail::key_path(path),
                            message);
    }

    /// `object[key]` when it is a non-empty string, nullopt when absent; an error otherwise.
    std::optional<std::string> string_or_absent(const ojson& object, const char* key, std::vector<std::string> path) const {
        auto m = object.find(key);
        if (m == object.end()) return std::nullopt;
        path.push_back(key);
        if (!m->is_string() || m->get_ref<const std::string&>().empty()) fail(path, "must be a non-empty string");
        return m->get<std::string>();
    }

    /// `object[key]` when it is an object (an empty one when absent); an error otherwise.
    const ojson& object_or_empty(const ojson& object, const char* key, std::vector<std::string> path) const {
        static const ojson empty = ojson::object();
        auto m = object.find(key);
        if (m == object.end()) return empty;
        path.push_back(key);
        if (!m->is_object()) fail(path, "must be an object");
        return *m;
    }

    /// An object of strings to strings (tags, parameters).
    std::map<std::string, std::string> string_map(const ojson& object, const char* key, std::vector<std::string> path) const {
        std::map<std::string, std::string> out;
        const ojson& m = object_or_empty(object, key, path);
        path.push_back(key);
        for (const auto& [k, v] : m.items()) {
            if (!v.is_string()) {
                path.push_back(k);
                fail(path, "must be a string");
            }
            out[k] = v.get<std::string>();
        }
        return out;
    }

private:
    const std::string& text_;
    std::string origin_;
    ojson doc_;
};

/// `aws://ACCOUNT/REGION` → account and region (empty for `unknown-account` / `unknown-region`).
void read_environment(const std::string& env, StackArtifactManifest& out) {
    if (!env.starts_with("aws://")) return;
    const std::string rest = env.substr(6);
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return;
    const std::string account = rest.substr(0, slash), region = rest.substr(slash + 1);
    if (account != "unknown-account") out.account = account;
    if (region != "unknown-region") out.region = region;
}

class ManifestReader {
public:
    ManifestReader(const AssemblyFiles& files, std::string root, bool with_assets)
        : files_(files), root_(std::move(root)), with_assets_(with_assets) {}

    AssemblyManifest read() {
        AssemblyManifest out;
        out.has_manifest = files_.count("manifest.json") > 0;
        read_level("", out.stacks, 0);
        return out;
    }

private:
    const AssemblyFiles& files_;
    std::string root_;
    bool with_assets_;
    std::set<std::string> visited_;

    std::string in_folder(const std::string& prefix) const {
        return root_.empty() ? std::string("the assembly") : "the folder " + one_line(root_ + prefix, 200);
    }

    void read_level(const std::string& prefix, std::vector<StackArtifactManifest>& out, int depth) {
        if (!visited_.insert(prefix).second) return; // listed twice: its stacks are in already
        auto it = files_.find(prefix + "manifest.json");
        if (it == files_.end()) {
            // No manifest: every template at this level that is not a nested one is a stack.
            for (const auto& [path, contents] : files_) {
                if (folder_of(path) != prefix) continue;
                const std::string name = path.substr(prefix.size());
                if (!is_template_name(name) || name.find(".nested.") != std::string::npos) continue;
                StackArtifactManifest s;
                s.artifact_id = s.stack_name = name.substr(0, name.find(".template."));
                s.template_file = path;
                out.push_back(std::move(s));
            }
            return;
        }
        const JsonFile file(it->second, root_ + prefix + "manifest.json");
        const ojson& manifest = file.doc();
        if (!manifest.is_object())
            detail::throw_input(file.origin(), {1, 1}, "", "not a cloud assembly manifest: the top level is not a JSON object");
        if (!manifest.contains("version") && !manifest.contains("artifacts"))
            detail::throw_input(file.origin(), {1, 1}, "",
                                "not a cloud assembly manifest (it has neither \"version\" nor \"artifacts\"): give the "
                                "folder of a 'leafsynth synth -o DIR' or 'cdk synth' output");
        if (manifest.contains("version") && !manifest["version"].is_string())
            file.fail({"version"}, "must be a string, the version of the cloud assembly schema (e.g. \"36.0.0\")");
        if (!manifest.contains("artifacts")) return;
        const ojson& artifacts = manifest["artifacts"];
        if (!artifacts.is_object()) file.fail({"artifacts"}, "must be an object of artifact ids to artifacts");

        // Every artifact's type first: dependencies may name artifacts listed later.
        std::map<std::string, std::string> types;
        for (const auto& [id, artifact] : artifacts.items()) {
            const std::vector<std::string> at = {"artifacts", id};
            if (!artifact.is_object()) file.fail(at, "an artifact must be an object with a type");
            const std::optional<std::string> type = file.string_or_absent(artifact, "type", at);
            if (!type) file.fail(at, "the artifact has no type");
            types[id] = *type;
        }
        for (const auto& [id, artifact] : artifacts.items()) {
            const std::vector<std::string> at = {"artifacts", id};
            const std::string& type = types[id];
            std::vector<std::string> props_path = at;
            props_path.push_back("properties");
            if (artifact.contains("properties") && !artifact["properties"].is_object())
                file.fail(props_path, "must be an object");
            const ojson& props = file.object_or_empty(artifact, "properties", at);
            if (type == "cdk:cloud-assembly") {
                const std::optional<std::string> dir = file.string_or_absent(props, "directoryName", props_path);
                if (!dir) file.fail(props_path, "a nested cloud assembly needs a directoryName");
                if (depth >= kMaxAssemblyNesting)
                    file.fail(at, "cloud assemblies nested more than " + std::to_string(kMaxAssemblyNesting) + " levels deep");
                read_level(prefix + *dir + "/", out, depth + 1);
                continue;
            }
            if (type != "aws:cloudformation:stack") continue;
            out.push_back(read_stack(file, prefix, id, artifact, props, props_path, artifacts, types));
        }
    }

    StackArtifactManifest read_stack(const JsonFile& file, const std::string& prefix, const std::string& id,
                                     const ojson& artifact, const ojson& props, std::vector<std::string> props_path,
                                     const ojson& artifacts, const std::map<std::string, std::string>& types) {
        const std::vector<std::string> at = {"artifacts", id};
        StackArtifactManifest s;
        s.artifact_id = id;
        s.manifest = prefix + "manifest.json";
        s.stack_name = file.string_or_absent(props, "stackName", props_path).value_or(id);
        const std::string template_name =
            file.string_or_absent(props, "templateFile", props_path).value_or(id + ".template.json");
        s.template_file = prefix + template_name;
        if (!files_.count(s.template_file)) {
            props_path.push_back("templateFile");
            file.fail(props_path, "names the template file '" + one_line(template_name, 200) + "', which is not in " +
                                      in_folder(prefix));
        }
        read_environment(file.string_or_absent(artifact, "environment", at).value_or(""), s);
        s.template_object_url = file.string_or_absent(props, "stackTemplateAssetObjectUrl", props_path).value_or("");
        s.assume_role_arn = file.string_or_absent(props, "assumeRoleArn", props_path).value_or("");
        s.execution_role_arn = file.string_or_absent(props, "cloudFormationExecutionRoleArn", props_path).value_or("");
        if (auto v = props.find("lookupRole"); v != props.end()) {
            auto lookup_path = props_path;
            lookup_path.push_back("lookupRole");
            if (!v->is_object()) file.fail(lookup_path, "must be an object with \"arn\" (the bootstrap lookup role)");
            s.lookup_role_arn = file.string_or_absent(*v, "arn", lookup_path).value_or("");
        }
        s.bootstrap_version_parameter =
            file.string_or_absent(props, "bootstrapStackVersionSsmParameter", props_path).value_or("");
        if (auto v = props.find("requiresBootstrapStackVersion"); v != props.end()) {
            if (!v->is_number_integer() || v->get<long long>() < 0 || v->get<long long>() > 100000) {
                props_path.push_back("requiresBootstrapStackVersion");
                file.fail(props_path, "must be a whole number (the bootstrap version the stack needs)");
            }
            s.requires_bootstrap_version = v->get<int>();
        }
        if (auto v = props.find("terminationProtection"); v != props.end()) {
            if (!v->is_boolean()) {
                props_path.push_back("terminationProtection");
                file.fail(props_path, "must be true or false");
            }
            s.termination_protection = v->get<bool>();
        }
        s.tags = file.string_map(props, "tags", props_path);
        s.parameters = file.string_map(props, "parameters", props_path);

        if (auto deps = artifact.find("dependencies"); deps != artifact.end()) {
            std::vector<std::string> deps_path = at;
            deps_path.push_back("dependencies");
            if (!deps->is_array()) file.fail(deps_path, "must be a list of artifact ids");
            for (std::size_t i = 0; i < deps->size(); ++i) {
                const ojson& d = (*deps)[i];
                std::vector<std::string> item = deps_path;
                item.push_back("[" + std::to_string(i) + "]");
                if (!d.is_string()) file.fail(item, "must be an artifact id (a string)");
                const std::string dep = d.get<std::string>();
                auto type = types.find(dep);
                if (type == types.end())
                    file.fail(item, "names the artifact '" + one_line(dep, 120) + "', which the manifest does not have");
                if (type->second == "aws:cloudformation:stack") s.dependencies.push_back(dep);
                else if (type->second == "cdk:asset-manifest" && with_assets_)
                    read_asset_manifest(file, prefix, dep, artifacts[dep], s);
            }
        }
        return s;
    }

    void read_asset_manifest(const JsonFile& manifest, const std::string& prefix, const std::string& id,
                             const ojson& artifact, StackArtifactManifest& stack) {
        std::vector<std::string> props_path = {"artifacts", id, "properties"};
        const ojson& props = manifest.object_or_empty(artifact, "properties", {"artifacts", id});
        const std::optional<std::string> name = manifest.string_or_absent(props, "file", props_path);
        if (!name) manifest.fail(props_path, "an asset manifest artifact needs a file");
        auto it = files_.find(prefix + *name);
        if (it == files_.end()) {
            props_path.push_back("file");
            manifest.fail(props_path, "names the asset manifest '" + one_line(*name, 200) + "', which is not in " +
                                          in_folder(prefix));
        }
        const JsonFile file(it->second, root_ + prefix + *name);
        const ojson& doc = file.doc();
        if (!doc.is_object()) detail::throw_input(file.origin(), {1, 1}, "", "not an asset manifest: the top level is not a JSON object");
        const ojson& entries = file.object_or_empty(doc, "files", {});
        for (const auto& [asset_id, entry] : entries.items()) {
            const std::vector<std::string> at = {"files", asset_id};
            if (!entry.is_object()) file.fail(at, "an asset must be an object with a source and destinations");
            FileAsset asset;
            asset.id = asset_id;
            asset.display_name = file.string_or_absent(entry, "displayName", at).value_or(asset_id);
            std::vector<std::string> source_path = at;
            source_path.push_back("source");
            if (!entry.contains("source")) file.fail(at, "the asset has no source");
            const ojson& source = file.object_or_empty(entry, "source", at);
            const std::optional<std::string> path = file.string_or_absent(source, "path", source_path);
            if (!path) file.fail(source_path, "the asset's source has no path (leafsynth publishes files and folders only)");
            if (path->starts_with("/") || path->find("..") != std::string::npos) {
                source_path.push_back("path");
                file.fail(source_path, "must be a path inside the assembly folder");
            }
            asset.source_path = prefix + *path;
            asset.packaging = file.string_or_absent(source, "packaging", source_path).value_or("file");
            if (asset.packaging != "file" && asset.packaging != "zip") {
                source_path.push_back("packaging");
                file.fail(source_path, "must be \"file\" or \"zip\"");
            }
            std::vector<std::string> dest_path = at;
            dest_path.push_back("destinations");
            const ojson& destinations = file.object_or_empty(entry, "destinations", at);
            if (destinations.empty()) file.fail(dest_path, "the asset has no destination");
            for (const auto& [dest_id, d] : destinations.items()) {
                std::vector<std::string> here = dest_path;
                here.push_back(dest_id);
                if (!d.is_object()) file.fail(here, "a destination must be an object with bucketName and objectKey");
                AssetDestination dest;
                dest.id = dest_id;
                const std::optional<std::string> bucket = file.string_or_absent(d, "bucketName", here);
                const std::optional<std::string> key = file.string_or_absent(d, "objectKey", here);
                if (!bucket || !key) file.fail(here, "a destination needs a bucketName and an objectKey");
                dest.bucket_name = *bucket;
                dest.object_key = *key;
                dest.region = file.string_or_absent(d, "region", here).value_or("");
                dest.assume_role_arn = file.string_or_absent(d, "assumeRoleArn", here).value_or("");
                asset.destinations.push_back(std::move(dest));
            }
            stack.assets.push_back(std::move(asset));
        }
        if (auto images = doc.find("dockerImages"); images != doc.end() && images->is_object())
            stack.docker_images += images->size();
    }
};

} // namespace

bool detail::is_template_name(const std::string& name) {
    return name.ends_with(".template.json") || name.ends_with(".template.yaml") || name.ends_with(".template.yml");
}

std::string detail::folder_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

AssemblyManifest read_assembly_manifest(const AssemblyFiles& files, const std::string& root,
                                        const ManifestReadOptions& options) {
    return ManifestReader(files, root, options.assets).read();
}

} // namespace leafsynth
