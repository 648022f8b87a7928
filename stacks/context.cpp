#include "leafsynth/containermanager/context.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"

namespace leafsynth::containermanager {

namespace {

namespace fs = std::filesystem;

/// Where the handlers are below a prefix, in an install and in a build tree alike.
const fs::path kRelative = fs::path("share") / "leafsynth" / "lambda";

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

} // namespace

std::filesystem::path default_lambda_dir() {
    if (const char* env = std::getenv("LEAFSYNTH_LAMBDA_DIR"); env && *env) {
        if (holds_handlers(env)) return env;
        throw InputError(std::string("LEAFSYNTH_LAMBDA_DIR is '") + env +
                         "', which does not hold the folders start_system/, asg_state_change_hook/ and "
                         "break_crash_loop/; point it at leafsynth's share/leafsynth/lambda, or unset it");
    }
    // Nothing of the build tree is compiled in: the handlers are found beside the program (or
    // shared library) itself, in share/leafsynth/lambda of its folder or of one of the two above
    // it: bin/../share of an install wherever it was moved, the top of a build tree (which stages
    // a copy there) from a program anywhere up to two folders below it.
    std::vector<fs::path> looked;
    if (fs::path dir = own_folder(); !dir.empty())
        for (int up = 0; up < 3; ++up, dir = dir.parent_path()) {
            looked.push_back(dir / kRelative);
            if (holds_handlers(looked.back())) return looked.back();
            if (dir == dir.root_path()) break;
        }
    // A program elsewhere, linking the installed library: the install prefix it was built for,
    // then the XDG data folders (default /usr/local/share and /usr/share: a Debian package's).
    looked.push_back(LEAFSYNTH_INSTALLED_LAMBDA_DIR);
    if (holds_handlers(looked.back())) return looked.back();
    const char* xdg = std::getenv("XDG_DATA_DIRS");
    std::string_view dirs = xdg && *xdg ? xdg : "/usr/local/share:/usr/share";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        if (dir.empty() || !fs::path(dir).is_absolute()) continue;
        const fs::path candidate = fs::path(dir) / "leafsynth" / "lambda";
        if (std::find(looked.begin(), looked.end(), candidate) != looked.end()) continue;
        looked.push_back(candidate);
        if (holds_handlers(candidate)) return candidate;
    }
    std::string where;
    for (const auto& l : looked) where += (where.empty() ? "" : ", ") + l.string();
    throw InputError("cannot find the ContainerManager's Lambda handlers (start_system/, asg_state_change_hook/, "
                     "break_crash_loop/); looked in " + where +
                     "; install leafsynth (cmake --install), or set LEAFSYNTH_LAMBDA_DIR to a folder holding "
                     "them (stacks/lambda of the source tree), or give StackContext::lambda_dir");
}

Value auto_scaling_group_arn(const Value& asg_name) {
    return Fn::sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:"
                   "autoScalingGroupName/${AsgName}",
                   Map{{"AsgName", asg_name}});
}

} // namespace leafsynth::containermanager
