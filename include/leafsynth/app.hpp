#pragma once
/// @file app.hpp
/// The App: the root of the construct tree, and synthesis into an output folder.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "leafsynth/asset.hpp"
#include "leafsynth/construct.hpp"

namespace leafsynth {

class Stack;
namespace detail {
class ReferenceLinker;
}

/// Template serialization format.
enum class TemplateFormat {
    Json, ///< JSON, 1-space indented as CDK writes it.
    Yaml  ///< YAML with CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...).
};

/// Options of App::synth.
struct SynthOptions {
    TemplateFormat format = TemplateFormat::Json; ///< Template format.
    /// Threads building and serializing the top-level stacks' templates (each with its nested
    /// stacks): 0 for one per core. The output is the same byte for byte whatever the number.
    std::size_t jobs = 0;
};

/// One file of a synthesized assembly.
struct AssemblyFile {
    std::string path;     ///< Relative path inside the output folder.
    std::string contents; ///< Bytes to write.
};

/// What was synthesized for one stack.
struct StackSummary {
    std::string name;                      ///< Stack name.
    std::string artifact_id;               ///< Artifact id (file stem).
    std::string region;                    ///< Region, or empty when not pinned.
    std::string account;                   ///< Account, or empty.
    std::size_t resources = 0;             ///< Number of resources in the template.
    std::string template_file;             ///< Template path inside the output folder.
    std::vector<std::string> dependencies; ///< Names of the stacks it depends on.
    std::string parent;                    ///< For a nested stack: its parent's name; empty otherwise.
};

/// The in-memory result of synthesis: every file, plus a summary per stack in deployment order.
struct Assembly {
    std::vector<AssemblyFile> files;  ///< Files, sorted by path.
    std::vector<StackSummary> stacks; ///< Top-level stacks in deployment order, each followed by its nested stacks.
    std::vector<std::string> warnings; ///< Things that work but deserve attention (e.g. a template too big to pass inline).
    /// The contents of a file by relative path; throws Error when absent.
    const std::string& file(const std::string& path) const;
};

/// Options of an App.
struct AppProps {
    AssetSettings assets; ///< Where assets are published.
};

/// The root of a construct tree.
class App : public Construct {
public:
    /// What construct_cast<App> looks for.
    static constexpr ConstructKind kind = ConstructKind::App;
    /// The class `kind` stands for (derived classes inherit it: construct_cast refuses them).
    using kind_class = App;
    /// An empty app.
    explicit App(AppProps props = {});
    ~App() override;

    /// The asset settings.
    const AssetSettings& asset_settings() const { return props_.assets; }

    /// The stacks of this app, in construct-tree order.
    std::vector<Stack*> stacks();

    /// Runs the pipeline (prepare → validate → resolve → serialize) and returns every file.
    /// Throws ValidationError listing every problem, each prefixed with its construct path.
    Assembly synth(const SynthOptions& options = {});

private:
    AppProps props_;
    bool prepared_ = false;
    std::unique_ptr<detail::ReferenceLinker> linker_; // kept so a second synth reuses what it created
};

/// The deployment order as `leafsynth ls` prints it: one line per top-level stack, tab-separated:
/// name, region (or `-`), account (or `-`), the stacks it depends on (comma-separated, or `-`).
std::string deployment_listing(const Assembly& assembly);

/// The file write_assembly() leaves in every folder it writes. Only a folder with it (or an empty
/// one, or none) is ever replaced, so a mistyped `-o` never deletes a folder of the user's.
inline constexpr const char* kOutputMarker = ".leafsynth-output";

/// Writes an assembly to `outdir` atomically: the files (and the kOutputMarker file) are written to
/// a temporary sibling folder which then replaces `outdir`; on any failure `outdir` is left exactly
/// as it was. Throws InputError, writing nothing, when `outdir` exists and is not a folder, is a
/// symbolic link, or is a non-empty folder without the marker (a folder leafsynth did not write);
/// throws Error when a file's path is empty, absolute or leaves `outdir` through `..`.
void write_assembly(const Assembly& assembly, const std::filesystem::path& outdir);

} // namespace leafsynth
