#include "init_command.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "command_support.hpp"
#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/containermanager/config_spec.hpp"
#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::cli {

namespace {

namespace fs = std::filesystem;
using containermanager::ConfigKey;

/// A value as YAML writes it: plain when that reads back as the same text, else double-quoted.
std::string yaml_scalar(std::string_view s) {
    bool plain = !s.empty() && (std::isalnum(static_cast<unsigned char>(s.front())) || s.front() == '/');
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./@-").find(c) != std::string_view::npos))
            plain = false;
    static const std::string_view words[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"};
    for (auto w : words) {
        std::string lower;
        for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == w) plain = false;
    }
    return plain ? std::string(s) : nlohmann::json(std::string(s)).dump();
}

/// `text` as `#` comment lines of at most about 100 columns, indented by `indent`.
void comment(std::string& out, int indent, std::string_view text) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(start, end - start);
        if (!line.empty() && pad.size() + 2 + line.size() + 1 + word.size() > 100) {
            out += pad + "# " + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + std::string(word);
        start = end + 1;
    }
    if (!line.empty()) out += pad + "# " + line + "\n";
}

/// What init sets: a key path's value (`Ec2.InstanceType` -> `m5.large`), or the lines below it.
struct Given {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> blocks;
    bool below(const std::string& path) const {
        const auto has = [&](const auto& m) {
            auto it = m.lower_bound(path + ".");
            return it != m.end() && it->first.starts_with(path + ".");
        };
        return has(scalars) || has(blocks) || blocks.count(path) || scalars.count(path);
    }
};

std::string default_text(const ConfigKey& k) {
    const auto value = nlohmann::json::parse(k.default_json);
    return value.is_string() ? yaml_scalar(value.get<std::string>()) : value.dump();
}

/// Every key of `map`: what `given` sets, the rest commented out with its default; each with its
/// description from the spec above it.
void render(std::string& out, const ConfigKey& map, const std::string& prefix, int indent, bool commented,
            const Given& given) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    for (const ConfigKey& k : map.keys) {
        const std::string path = prefix.empty() ? k.name : prefix + "." + k.name;
        const bool set = !commented && given.below(path);
        const std::string hash = set || (!commented && k.required) ? "" : "# ";
        comment(out, indent, k.description);
        if (auto s = given.scalars.find(path); s != given.scalars.end() && !commented) {
            out += pad + k.name + ": " + s->second + "\n";
        } else if (auto b = given.blocks.find(path); b != given.blocks.end() && !commented) {
            out += pad + k.name + ":\n";
            for (const auto& line : b->second) out += pad + "  " + line + "\n";
        } else if (k.type == ConfigKey::Type::Map && !k.keys.empty()) {
            out += pad + hash + k.name + ":\n";
            render(out, k, path, indent + 2, !hash.empty(), given);
        } else {
            out += pad + "# " + k.name + ":" + (k.default_json.empty() ? "" : " " + default_text(k)) + "\n";
        }
        if (indent == 0) out += "\n";
    }
}

std::string header(std::string_view format, const std::string& what) {
    std::string out;
    if (auto schema = containermanager::installed_schema(format))
        out += "# yaml-language-server: $schema=" + schema->string() + "\n";
    comment(out, 0, what);
    return out + "\n";
}

/// "TCP: 25565" from "tcp:25565".
std::string port_entry(const std::string& text) {
    const ConfigKey& port = containermanager::config_key(containermanager::leaf_config_spec(), "Container.Ports[]");
    const long long lo = port.minimum.value_or(1), hi = port.maximum.value_or(65535);
    const auto colon = text.find(':');
    std::string protocol = text.substr(0, colon);
    for (auto& c : protocol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    long long number = -1; // stays out of range unless the text after ':' is 1 to 6 digits
    if (colon != std::string::npos && colon + 1 < text.size() && colon + 7 >= text.size()) {
        number = 0;
        for (char c : text.substr(colon + 1)) {
            if (c < '0' || c > '9') {
                number = -1;
                break;
            }
            number = number * 10 + (c - '0');
        }
    }
    bool known = false;
    for (const auto& w : port.words) known = known || w == protocol;
    if (!known || number < lo || number > hi)
        throw InputError(fmt::format("--port {}: write PROTOCOL:PORT with TCP or UDP and a port from {} to {}, "
                                     "e.g. tcp:25565",
                                     quote_excerpt(text), lo, hi));
    return protocol + ": " + std::to_string(number);
}

/// Writes `text` to `path` through a file beside it, after `check` has read it there; nothing is
/// left behind when check throws.
fs::path write_checked(const fs::path& path, const std::string& text) {
    fs::path tmp = path;
    tmp += ".init-" + std::to_string(::getpid());
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
    if (!fs::is_regular_file(tmp) || fs::file_size(tmp) != text.size()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw InputError("cannot write " + path.string() + "; check the folder exists and is writable");
    }
    return tmp;
}

/// A loader's message about `tmp`, told about the file it will be.
std::string as_final(std::string message, const fs::path& tmp, const fs::path& path) {
    const std::string from = tmp.string(), to = path.string();
    for (auto at = message.find(from); at != std::string::npos; at = message.find(from, at + to.size()))
        message.replace(at, from.size(), to);
    return message;
}

} // namespace

CLI::App* add_init_command(CLI::App& cli, InitArgs& args) {
    CLI::App* cmd = cli.add_subcommand(
        "init", "Write a new leaf config ID.yaml (and base-stack-config.yaml when none is there), commented, ready "
                "to synthesize");
    cmd->add_option("id", args.id, "The container id, also the file's name (e.g. minecraft: minecraft.yaml)")
        ->required()
        ->check(kNonEmpty);
    cmd->add_option("--image", args.image, "Container image (default: itzg/minecraft-server)")->check(kNonEmpty);
    cmd->add_option("--port", args.ports, "A port the server listens on, PROTOCOL:PORT (tcp:25565, udp:19132); "
                                          "repeatable (default: tcp:25565)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--instance-type", args.instance_type, "EC2 instance type (default: m5.large)")->check(kNonEmpty);
    cmd->add_option("--volume", args.volumes, "A folder of the container kept on an EFS volume (e.g. /data); repeatable")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->check(kNonEmpty);
    const ConfigKey& threshold = containermanager::config_key(containermanager::leaf_config_spec(), "Watchdog.Threshold");
    cmd->add_option("--threshold", args.threshold,
                    "Bytes per second of traffic below which the server counts as idle (default: 1850)")
        ->check(CLI::Range(threshold.minimum.value_or(0), threshold.maximum.value_or(INT_MAX - 1)));
    cmd->add_option("--domain", args.domain, "Domain.Name of a new base config (default: games.example.com)")
        ->check(kNonEmpty);
    cmd->add_option("--dir", args.dir, "Where to write the files (default: the current folder)")
        ->type_name("DIR")
        ->check(kNonEmpty);
    cmd->add_flag("-f,--force", args.force, "Overwrite ID.yaml if it exists (an existing base config is kept)");
    cmd->footer("Exit codes: 0 written, 2 bad input or the file exists (nothing written).");
    return cmd;
}

int run_init(const InitArgs& args) {
    containermanager::validate_container_id(args.id);
    for (const auto& v : args.volumes)
        if (!v.starts_with('/'))
            throw InputError("--volume " + quote_excerpt(v) + ": not an absolute path; start it with '/', e.g. '/" + v + "'");
    const fs::path dir(args.dir);
    const fs::path leaf_path = dir / (args.id + ".yaml");
    const fs::path base_path = dir / "base-stack-config.yaml";
    if (fs::exists(leaf_path) && !args.force)
        throw InputError(leaf_path.string() + " exists; leafsynth init does not overwrite it without --force");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw InputError("--dir " + dir.string() + ": cannot create the folder (" + ec.message() + ")");

    Given leaf;
    leaf.scalars["Ec2.InstanceType"] = yaml_scalar(args.instance_type);
    leaf.scalars["Container.Image"] = yaml_scalar(args.image);
    for (const auto& p : args.ports.empty() ? std::vector<std::string>{"tcp:25565"} : args.ports)
        leaf.blocks["Container.Ports"].push_back("- " + port_entry(p));
    if (!args.volumes.empty()) {
        auto& lines = leaf.blocks["Volumes"];
        lines.push_back("- Paths:");
        for (const auto& v : args.volumes) lines.push_back("    - Path: " + yaml_scalar(v));
    }
    leaf.scalars["Watchdog.Threshold"] = std::to_string(args.threshold);
    std::string leaf_text =
        header("leaf", "The leaf config of the container '" + args.id + "', written by leafsynth init: the keys it "
                       "sets, and every other key commented out with its default ('leafsynth schema leaf' describes "
                       "them all). Synthesize it with the base config beside it: leafsynth synth " +
                       leaf_path.filename().string() + " --region us-west-2");
    render(leaf_text, containermanager::leaf_config_spec(), "", 0, false, leaf);
    leaf_text.pop_back(); // the blank line after the last section

    const bool new_base = !fs::exists(base_path);
    std::string base_text;
    if (new_base) {
        Given base;
        base.scalars["Domain.Name"] = yaml_scalar(args.domain);
        base_text = header("base", "The base config, shared by every leaf config beside it, written by leafsynth "
                                   "init ('leafsynth schema base' describes every key).");
        render(base_text, containermanager::base_config_spec(), "", 0, false, base);
        base_text.pop_back();
    }

    // Both read back with the loader before either takes its place: nothing half-written.
    std::vector<std::pair<fs::path, fs::path>> written; // temporary -> final
    try {
        written.emplace_back(write_checked(leaf_path, leaf_text), leaf_path);
        (void)containermanager::load_leaf_config(written.back().first.string(), containermanager::Maturity::Prod);
        if (new_base) {
            written.emplace_back(write_checked(base_path, base_text), base_path);
            (void)containermanager::load_base_config(written.back().first.string());
        }
    } catch (const InputError& e) {
        std::string message = e.what();
        for (const auto& [tmp, path] : written) {
            message = as_final(message, tmp, path);
            fs::remove(tmp, ec);
        }
        throw InputError("the config leafsynth init would write is not valid, so nothing was written:\n" + message);
    }
    for (const auto& [tmp, path] : written) fs::rename(tmp, path);
    fmt::print("Wrote {}{}\n", leaf_path.string(), new_base ? " and " + base_path.string() : "");
    if (!new_base) fmt::print("Kept {}\n", base_path.string());
    fmt::print("Next: leafsynth synth {} --region us-west-2\n", leaf_path.string());
    return 0;
}

} // namespace leafsynth::cli
