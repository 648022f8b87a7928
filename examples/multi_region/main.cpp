// Synthesizes the multi-region example: multi_region_example OUTDIR [MAIN_REGION] [--yaml]
#include <iostream>
#include <string>

#include "multi_region_app.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " OUTDIR [MAIN_REGION] [--yaml]\n";
        return 2;
    }
    std::string region = argc > 2 && std::string(argv[2]) != "--yaml" ? argv[2] : "us-west-2";
    bool yaml = std::string(argv[argc - 1]) == "--yaml";
    try {
        leafsynth::App app;
        multi_region::build(app, region, "123456789012");
        leafsynth::SynthOptions options;
        options.format = yaml ? leafsynth::TemplateFormat::Yaml : leafsynth::TemplateFormat::Json;
        leafsynth::write_assembly(app.synth(options), argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "multi_region_example: error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
