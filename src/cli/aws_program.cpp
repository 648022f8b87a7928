#include "aws_program.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#ifndef LEAFSYNTH_AWS_PROGRAM_FROM_BINDIR
#error "LEAFSYNTH_AWS_PROGRAM_FROM_BINDIR: the path of leafsynth-aws relative to the bin folder (CMakeLists.txt)"
#endif

namespace leafsynth::cli {

namespace fs = std::filesystem;

namespace {

int g_argc = 0;
char** g_argv = nullptr;

} // namespace

void keep_command_line(int argc, char** argv) {
    g_argc = argc;
    g_argv = argv;
}

std::vector<std::string> aws_program_candidates() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec || self.empty()) self = g_argc > 0 ? fs::absolute(g_argv[0], ec) : fs::path();
    const fs::path dir = self.parent_path();
    return {(dir / "leafsynth-aws").string(), (dir / LEAFSYNTH_AWS_PROGRAM_FROM_BINDIR).lexically_normal().string()};
}

void hand_over_to_aws_program(std::string_view command) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const std::vector<std::string> candidates = aws_program_candidates();
    std::string tried;
    for (const auto& path : candidates) {
        if (::access(path.c_str(), X_OK) == 0) {
            ::execv(path.c_str(), g_argv);
            throw std::runtime_error("'" + std::string(command) + "' runs in leafsynth-aws, and " + path +
                                     " could not be started (" + std::strerror(errno) +
                                     "); reinstall leafsynth (cmake --install, or its package)");
        }
        tried += (tried.empty() ? "" : ", ") + path;
    }
    throw std::runtime_error("'" + std::string(command) +
                             "' talks to AWS and runs in leafsynth-aws, which is not installed here (looked for " + tried +
                             "); install leafsynth completely (cmake --install, or its package)");
}

} // namespace leafsynth::cli
