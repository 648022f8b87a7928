// libFuzzer target: the template and assembly diff (src/diff/*) on documents taken from one input.
//
// The input is split at every line "~~~" (the bytes "\n~~~\n"):
//   part 0   the old Stack.template.json
//   part 1   the new Stack.template.json (missing: "{}", i.e. the stack was removed)
//   part 2+  more files of the old ("o NAME") or new ("n NAME") assembly: the first line is that
//            header, the rest the file (nested templates, manifest.json, *.assets.json)
// Both pairs of top-level templates are compared with diff_templates (when both parse) and the two
// assemblies with diff_assemblies, then the result is rendered as text (render_diff, with and
// without colour) and as JSON (diff_to_json(...).dump(2, ...)), as `leafsynth diff` does.
// The documented answer to bad input is an InputError (leafsynth::Error for the rendering); anything
// else escaping, or a crash, is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "leafsynth/diff.hpp"

namespace {

constexpr size_t kMaxParts = 10;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> parts = leafsynth_fuzz::split(input, "\n~~~\n", kMaxParts);
    leafsynth::AssemblyFiles old_files, new_files;
    old_files["Stack.template.json"] = parts[0];
    new_files["Stack.template.json"] = parts.size() > 1 ? parts[1] : std::string("{}");
    for (size_t i = 2; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        const size_t eol = p.find('\n');
        if (p.size() < 3 || p[1] != ' ' || eol == std::string::npos || eol <= 2) continue;
        auto& files = p[0] == 'n' ? new_files : old_files;
        files[p.substr(2, eol - 2)] = p.substr(eol + 1);
    }

    // Two templates.
    nlohmann::json old_doc, new_doc;
    bool parsed = false;
    leafsynth_fuzz::expect_only<leafsynth::InputError>("parse_template", [&] {
        old_doc = leafsynth::parse_template(old_files["Stack.template.json"], "old");
        new_doc = leafsynth::parse_template(new_files["Stack.template.json"], "new");
        parsed = true;
    });
    if (parsed) {
        leafsynth_fuzz::expect_only<leafsynth::InputError>("diff_templates", [&] {
            const leafsynth::TemplateDiff d = leafsynth::diff_templates(old_doc, new_doc);
            (void)d.empty();
        });
    }

    // Two assemblies, rendered as `leafsynth diff` renders them.
    leafsynth_fuzz::expect_only<leafsynth::Error>("diff_assemblies", [&] {
        const leafsynth::AssemblyDiff d = leafsynth::diff_assemblies(old_files, new_files);
        const std::string text = leafsynth::render_diff(d, {.color = size % 2 == 1});
        // As src/cli/diff_command.cpp writes it: invalid UTF-8 (a file name) replaced, not fatal.
        const std::string json =
            leafsynth::diff_to_json(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        (void)text;
        (void)json;
    });
    return 0;
}
