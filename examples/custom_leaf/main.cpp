// custom_leaf OUTDIR [REGION]: one Terraria server, described in C++ instead of a YAML file, plus
// the shared Base stack, synthesized into OUTDIR as a cloud assembly.
#include <iostream>

#include "leafsynth/containermanager/container_manager_app.hpp"
#include "leafsynth/leafsynth.hpp"

namespace cm = leafsynth::containermanager;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " OUTDIR [REGION]\n";
        return 2;
    }
    cm::BaseConfig base;
    base.domain.name = "games.example.org";
    base.vpc.max_azs = 2;

    cm::LeafInput terraria;
    terraria.container_id = "terraria";
    cm::LeafConfig& c = terraria.config;
    c.ec2.instance_type = "t3.medium";
    c.container.image = "ryshe/terraria";
    c.container.ports = {{cm::PortProtocol::Tcp, 7777, {}}};
    c.container.environment = {{"WORLD_FILENAME", "world.wld"}};
    cm::VolumeConfig worlds;
    worlds.paths = {{"/world", false, {}}};
    c.volumes = {worlds};
    c.watchdog.threshold = 300;
    c.watchdog.minutes_without_connections = 10;
    c.dashboard.interval_minutes = 60;

    cm::StackContext context;
    context.main_region = argc > 2 ? argv[2] : "eu-central-1";
    try {
        leafsynth::App app;
        cm::build_container_manager(app, base, {terraria}, context);
        leafsynth::Assembly assembly = app.synth();
        leafsynth::write_assembly(assembly, argv[1]);
        std::cout << leafsynth::deployment_listing(assembly);
    } catch (const std::exception& e) {
        std::cerr << "custom_leaf: error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
