#include "leafsynth/region.hpp"

#include <cstdlib>
#include <fstream>
#include <string_view>
#include <vector>

#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// The `region` key of `[default]` / `[profile NAME]` in an AWS config file, or nullopt.
std::optional<std::string> region_from_config(const std::string& path, const std::string& profile) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    const std::string wanted = profile == "default" ? "default" : "profile " + profile;
    bool inside = false;
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            std::string name = trim(line.substr(1, line.size() - 2));
            // `[default]` may also be written `[profile default]`.
            inside = name == wanted || (profile == "default" && name == "profile default");
            continue;
        }
        if (!inside) continue;
        auto eq = line.find('=');
        if (eq != std::string::npos && trim(line.substr(0, eq)) == "region") return trim(line.substr(eq + 1));
    }
    return std::nullopt;
}

} // namespace

bool is_region_name(std::string_view s) {
    if (s.size() > 32) return false;
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t dash = s.find('-', start);
        parts.push_back(s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start));
        if (dash == std::string_view::npos) break;
        start = dash + 1;
    }
    auto all = [](std::string_view p, bool (*ok)(char)) {
        if (p.empty()) return false;
        for (char c : p)
            if (!ok(c)) return false;
        return true;
    };
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (parts.size() < 3 || parts.front().size() != 2 || !all(parts.front(), lower) || !all(parts.back(), digit))
        return false;
    for (std::size_t i = 1; i + 1 < parts.size(); ++i)
        if (!all(parts[i], lower)) return false;
    return true;
}

namespace {

RegionChoice checked(RegionChoice choice) {
    if (!is_region_name(choice.region))
        throw InputError("region " + quote_excerpt(choice.region) + " (from " + choice.source +
                         ") is not a region name such as 'us-east-1'; fix it or pass --region");
    return choice;
}

} // namespace

std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

RegionChoice resolve_main_region(const std::string& flag, const EnvLookup& env) {
    if (!flag.empty()) return checked({flag, "--region"});
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        auto v = env(name);
        if (v && !v->empty()) return checked({*v, name});
    }
    std::string path;
    if (auto f = env("AWS_CONFIG_FILE"); f && !f->empty()) path = *f;
    else if (auto home = env("HOME"); home && !home->empty()) path = *home + "/.aws/config";
    std::string profile = "default";
    if (auto p = env("AWS_PROFILE"); p && !p->empty()) profile = *p;
    if (!path.empty())
        if (auto r = region_from_config(path, profile); r && !r->empty())
            return checked({*r, path + " [" + (profile == "default" ? "default" : "profile " + profile) + "]"});
    throw InputError("no region given: pass --region REGION, set AWS_REGION or AWS_DEFAULT_REGION, or set "
                     "'region' in the [" + profile + "] profile of " + (path.empty() ? "~/.aws/config" : path));
}

} // namespace leafsynth
