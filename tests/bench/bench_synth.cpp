// Benchmark (not a test): wall time of synthesizing the ContainerManager app with 1 and 100
// containers, built from C++ values, templates serialized in memory (no disk writes).
//
//   make -C build leafsynth_bench && ./build/tests/bench/leafsynth_bench [runs]
//
// Prints the median and min of `runs` (default 5) for each size.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "leafsynth/containermanager/container_manager_app.hpp"
#include "leafsynth/leafsynth.hpp"

namespace cm = leafsynth::containermanager;

namespace {

cm::LeafInput leaf(int i) {
    cm::LeafInput in;
    // Letters only: the stack names use the id's letters (digits are dropped), so they must differ there.
    std::string suffix;
    for (int n = i; ; n = n / 26 - 1) {
        suffix.insert(suffix.begin(), static_cast<char>('a' + n % 26));
        if (n < 26) break;
    }
    in.container_id = "game-" + suffix;
    cm::LeafConfig& c = in.config;
    c.ec2.instance_type = "m5.large";
    c.container.image = "itzg/minecraft-server";
    c.container.ports = {{cm::PortProtocol::Tcp, 25565, {}}, {cm::PortProtocol::Udp, 19132, {}}};
    c.container.environment = {{"EULA", "True"}, {"TYPE", "PAPER"}};
    cm::VolumeConfig volume;
    volume.paths = {{"/data", false, {}}};
    c.volumes = {volume};
    c.watchdog.threshold = 1850;
    return in;
}

double synth_seconds(int containers, std::size_t& files, std::size_t& bytes) {
    cm::BaseConfig base;
    base.domain.name = "example.com";
    base.domain.hosted_zone_id = "Z0123456789ABCDEFGHIJ";
    std::vector<cm::LeafInput> leaves;
    for (int i = 0; i < containers; ++i) leaves.push_back(leaf(i));
    cm::StackContext context;
    context.account = "123456789012";
    context.main_region = "us-west-2";
    auto start = std::chrono::steady_clock::now();
    leafsynth::App app;
    cm::build_container_manager(app, base, leaves, context);
    leafsynth::Assembly assembly = app.synth();
    auto end = std::chrono::steady_clock::now();
    files = assembly.files.size();
    bytes = 0;
    for (const auto& f : assembly.files) bytes += f.contents.size();
    return std::chrono::duration<double>(end - start).count();
}

} // namespace

int main(int argc, char** argv) {
    int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    for (int containers : {1, 100}) {
        std::vector<double> times;
        std::size_t files = 0, bytes = 0;
        for (int r = 0; r < runs; ++r) times.push_back(synth_seconds(containers, files, bytes));
        std::sort(times.begin(), times.end());
        std::printf("synth %3d container%s: median %8.1f ms  min %8.1f ms  (%zu files, %.1f MB, %d runs)\n", containers,
                    containers == 1 ? " " : "s", times[times.size() / 2] * 1000, times.front() * 1000, files,
                    static_cast<double>(bytes) / 1e6, runs);
    }
    return 0;
}
