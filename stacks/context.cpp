#include "leafsynth/containermanager/context.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string_view>
#include <system_error>

#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth::containermanager {

namespace {

namespace fs = std::filesystem;

bool holds_handlers(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "start_system", ec) && fs::is_directory(dir / "asg_state_change_hook", ec) &&
           fs::is_directory(dir / "break_crash_loop", ec);
}

/// The folder of the program or shared library this code is part of (empty when unknown).
fs::path own_folder() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&holds_handlers), &info) == 0 || !info.dli_fname) return {};
    std::error_code ec;
    fs::path file = fs::canonical(info.dli_fname, ec);
    if (ec) file = fs::canonical("/proc/self/exe", ec);
    return ec ? fs::path() : file.parent_path();
}

/// The places a data path below `share/` is looked for, nearest first, each checked by `found`:
/// beside the program (or shared library) holding this code, in its folder or up to two above
/// (bin/../share of an install wherever it was moved, the top of a build tree, which stages a
/// copy there); the install prefix leafsynth was built for; the XDG data folders (default
/// /usr/local/share and /usr/share: a Debian package's). `looked` gets every place tried.
std::optional<fs::path> find_shared(const fs::path& relative, const std::function<bool(const fs::path&)>& found,
                                    std::vector<fs::path>& looked) {
    const auto try_path = [&](const fs::path& candidate) {
        if (std::find(looked.begin(), looked.end(), candidate) != looked.end()) return false;
        looked.push_back(candidate);
        return found(candidate);
    };
    if (fs::path dir = own_folder(); !dir.empty())
        for (int up = 0; up < 3; ++up, dir = dir.parent_path()) {
            if (try_path(dir / "share" / relative)) return looked.back();
            if (dir == dir.root_path()) break;
        }
    if (try_path(fs::path(LEAFSYNTH_INSTALLED_DATA_DIR) / relative)) return looked.back();
    const char* xdg = std::getenv("XDG_DATA_DIRS");
    std::string_view dirs = xdg && *xdg ? xdg : "/usr/local/share:/usr/share";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        if (!dir.empty() && fs::path(dir).is_absolute() && try_path(fs::path(dir) / relative)) return looked.back();
    }
    return std::nullopt;
}

} // namespace

std::filesystem::path default_lambda_dir() {
    if (const char* env = std::getenv("LEAFSYNTH_LAMBDA_DIR"); env && *env) {
        if (holds_handlers(env)) return env;
        throw InputError(std::string("LEAFSYNTH_LAMBDA_DIR is '") + env +
                         "', which does not hold the folders start_system/, asg_state_change_hook/ and "
                         "break_crash_loop/; point it at leafsynth's share/leafsynth/lambda, or unset it");
    }
    // Nothing of the build tree is compiled in: see find_shared().
    std::vector<fs::path> looked;
    if (auto dir = find_shared(fs::path("leafsynth") / "lambda", holds_handlers, looked)) return *dir;
    std::string where;
    for (const auto& l : looked) where += (where.empty() ? "" : ", ") + l.string();
    throw InputError("cannot find the ContainerManager's Lambda handlers (start_system/, asg_state_change_hook/, "
                     "break_crash_loop/); looked in " + where +
                     "; install leafsynth (cmake --install), or set LEAFSYNTH_LAMBDA_DIR to a folder holding "
                     "them (stacks/lambda of the source tree), or give StackContext::lambda_dir");
}

std::optional<std::filesystem::path> installed_schema(std::string_view format) {
    std::vector<fs::path> looked;
    return find_shared(fs::path("leafsynth") / "schemas" / (std::string(format) + ".schema.json"),
                       [](const fs::path& p) {
                           std::error_code ec;
                           return fs::is_regular_file(p, ec);
                       },
                       looked);
}

Value auto_scaling_group_arn(const Value& asg_name) {
    return Fn::sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                   "autoScalingGroupName/${AsgName}",
                   Map{{"AsgName", asg_name}});
}

} // namespace leafsynth::containermanager
