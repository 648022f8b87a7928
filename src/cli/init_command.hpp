#pragma once
// `leafsynth init ID`: a new leaf config (and a base config when there is none beside it),
// commented from the config spec, that synthesizes as written.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace leafsynth::cli {

struct InitArgs {
    std::string id;                              ///< The container id, and the file's name.
    std::string image = "itzg/minecraft-server"; ///< Container.Image.
    std::vector<std::string> ports;              ///< PROTOCOL:PORT; none given: tcp:25565.
    std::string instance_type = "m5.large";      ///< Ec2.InstanceType.
    std::vector<std::string> volumes;            ///< Absolute paths, one EFS volume holding them all.
    long long threshold = 1850;                  ///< Watchdog.Threshold.
    std::string domain = "games.example.com";    ///< Domain.Name of a new base config.
    std::string dir = ".";                       ///< Where the files go.
    bool force = false;                          ///< Overwrite ID.yaml.
};

CLI::App* add_init_command(CLI::App& cli, InitArgs& args);

/// Writes the files; throws InputError (nothing written) when an argument is wrong or the file exists.
int run_init(const InitArgs& args);

} // namespace leafsynth::cli
