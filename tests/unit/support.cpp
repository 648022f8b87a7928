#include "support.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace unit {

namespace fs = std::filesystem;

json parse_json(const std::string& text) { return json::parse(text); }

namespace {

/// A plain (untagged, unquoted) scalar, typed by the YAML 1.1 rules of PyYAML's resolver.
json plain_scalar(const std::string& s) {
    static const std::regex null_re("^(~|null|Null|NULL|)$");
    static const std::regex bool_re("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
    static const std::regex true_re("^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$");
    static const std::regex dec_re("^[-+]?(0|[1-9][0-9]*)$");
    static const std::regex other_int_re("^[-+]?(0b[0-1_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+|[1-9][0-9_]*)$");
    static const std::regex float_re(
        "^([-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
        "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$");
    if (std::regex_match(s, null_re)) return nullptr;
    if (std::regex_match(s, bool_re)) return std::regex_match(s, true_re);
    if (std::regex_match(s, dec_re)) return std::stoll(s);
    // Other YAML 1.1 numbers: never what leafsynth means, so make them stand out.
    if (std::regex_match(s, other_int_re) || std::regex_match(s, float_re)) {
        try {
            std::size_t used = 0;
            double d = std::stod(s, &used);
            if (used == s.size()) return d;
        } catch (const std::exception&) {
        }
        return "<YAML 1.1 number " + s + ">";
    }
    return s;
}

json convert(const YAML::Node& node);

json untagged(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar:
        // yaml-cpp gives quoted scalars the tag "!" and plain ones "?".
        return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& e : node) out.push_back(convert(e));
        return out;
    }
    case YAML::NodeType::Map: {
        json out = json::object();
        for (auto it = node.begin(); it != node.end(); ++it) out[it->first.Scalar()] = convert(it->second);
        return out;
    }
    default: throw std::runtime_error("undefined YAML node");
    }
}

json convert(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return untagged(node);
    if (tag.size() < 2 || tag[0] != '!' || tag[1] == '!')
        throw std::runtime_error("unexpected YAML tag '" + tag + "'");
    const std::string name = tag.substr(1);
    // The argument of a tag is read as a string when it is a scalar: `!Ref Topic`.
    json arg = node.IsScalar() ? json(node.Scalar()) : untagged(node);
    if (name == "Ref" || name == "Condition") return json{{name, arg}};
    if (name == "GetAtt" && arg.is_string()) {
        const std::string s = arg.get<std::string>();
        const auto dot = s.find('.');
        if (dot == std::string::npos) throw std::runtime_error("!GetAtt without a '.': " + s);
        return json{{"Fn::GetAtt", json::array({s.substr(0, dot), s.substr(dot + 1)})}};
    }
    return json{{"Fn::" + name, arg}};
}

} // namespace

json yaml_to_json(const std::string& text) { return convert(YAML::Load(text)); }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    const auto lines = lines_of(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

json template_of(const leafsynth::Assembly& assembly, const std::string& artifact) {
    if (artifact.empty()) {
        // The assembly also holds manifest.json and asset manifests: pick the only template.
        std::vector<const leafsynth::AssemblyFile*> templates;
        for (const auto& f : assembly.files)
            if (f.path.find(".template.json") != std::string::npos) templates.push_back(&f);
        if (templates.size() != 1)
            throw std::runtime_error("the assembly has " + std::to_string(templates.size()) + " templates, not 1");
        return parse_json(templates.front()->contents);
    }
    return parse_json(assembly.file(artifact + ".template.json"));
}

namespace {
void write_file(const fs::path& path, const std::string& contents) {
    fs::create_directories(path.parent_path());
    std::ofstream os(path, std::ios::binary | std::ios::trunc);
    os.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    os.close();
    if (!os) throw std::runtime_error("cannot write " + path.string());
}

void emit(const leafsynth::Assembly& assembly, const std::string& name) {
    const fs::path dir = emit_root();
    std::size_t templates = 0;
    for (const auto& f : assembly.files) templates += f.path.find(".template.") != std::string::npos;
    const bool several = templates > 1;
    for (const auto& f : assembly.files) {
        // Only templates are linted; f.path is `<artifact>[.nested].template.json|yaml`.
        if (f.path.find(".template.") == std::string::npos) continue;
        const std::string file = several ? name + "." + f.path : name + f.path.substr(f.path.find(".template."));
        write_file(dir / file, f.contents);
    }
}
} // namespace

leafsynth::Assembly synth_and_emit(leafsynth::App& app, const std::string& name) {
    leafsynth::Assembly json_assembly = app.synth();
    emit(json_assembly, name);
    emit(app.synth({leafsynth::TemplateFormat::Yaml}), name);
    return json_assembly;
}

std::string ssm_parameter_of(const json& t, const json& value) {
    if (value.is_string()) {
        const std::string s = value;
        const std::string prefix = "{{resolve:ssm:";
        if (s.rfind(prefix, 0) == 0 && s.size() > prefix.size() + 2)
            return s.substr(prefix.size(), s.size() - prefix.size() - 2);
        return {};
    }
    if (!value.is_object() || !value.contains("Ref") || !t.contains("Parameters")) return {};
    const json& p = t["Parameters"].value(value["Ref"].get<std::string>(), json());
    if (!p.is_object() || p["Type"] != "AWS::SSM::Parameter::Value<String>") return {};
    return p["Default"];
}

fs::path scratch_dir(const std::string& name) {
    const fs::path dir = fs::path(scratch_root()) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string rel = fs::relative(e.path(), dir).generic_string();
        if (e.is_directory()) {
            out[rel] = "<dir>";
        } else {
            std::ifstream in(e.path(), std::ios::binary);
            std::ostringstream buf;
            buf << in.rdbuf();
            out[rel] = buf.str();
        }
    }
    return out;
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace unit
