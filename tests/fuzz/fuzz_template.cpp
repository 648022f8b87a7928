// libFuzzer target: the template reader (parse_template, src/diff/template_loader.cpp) on
// arbitrary text. Built twice:
//   fuzz_template_json  the input as given (JSON unless it does not start with '{'; invalid JSON
//                       that starts with '{' is retried as a YAML flow mapping, as the reader does)
//   fuzz_template_yaml  the input behind a YAML document marker ("---\n"), so it always takes the
//                       YAML path (yaml-cpp, short-form tags, scalar typing)
// The documented answer to bad input is an InputError. A template that parses must then compare
// equal to itself (values_equal) and give an empty diff against itself (diff_templates): a
// difference there is reported as a finding too.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "leafsynth/diff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#ifdef LEAFSYNTH_FUZZ_TEMPLATE_YAML
    std::string text = "---\n";
#else
    std::string text;
#endif
    text.append(reinterpret_cast<const char*>(data), size);
    nlohmann::json doc;
    bool parsed = false;
    leafsynth_fuzz::expect_only<leafsynth::InputError>("parse_template", [&] {
        doc = leafsynth::parse_template(text, "fuzz.template");
        parsed = true;
    });
    if (!parsed) return 0;
    leafsynth_fuzz::expect_only<leafsynth::InputError>("values_equal/diff_templates", [&] {
        if (!leafsynth::values_equal(doc, doc)) leafsynth_fuzz::finding("values_equal", "a template is not equal to itself");
        const leafsynth::TemplateDiff self = leafsynth::diff_templates(doc, doc);
        if (!self.empty()) leafsynth_fuzz::finding("diff_templates", "a template differs from itself");
    });
    return 0;
}
