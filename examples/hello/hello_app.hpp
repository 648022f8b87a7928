#pragma once
/// @file hello_app.hpp
/// The small example app `leafsynth synth` builds from a hello config (until the ContainerManager
/// stacks exist): an SNS topic subscribed by an SQS queue, with a queue policy and an output.

#include <map>
#include <string>

#include "leafsynth/leafsynth.hpp"

namespace hello {

/// The settings of the hello app (see examples/hello/hello.yaml).
struct HelloConfig {
    std::string stack_name = "LeafsynthHello";           ///< Stack name.
    std::string description;                             ///< Template description.
    std::string region;                                  ///< Region (empty: not pinned).
    std::map<std::string, std::string> tags;             ///< Tags on every resource.
    int retention_days = 4;                              ///< Queue message retention, 1..14 days.
    int visibility_timeout_seconds = 30;                 ///< Queue visibility timeout, 0..43200.
    std::string topic_display_name = "hello";            ///< Topic display name.
};

/// Reads a hello config; throws leafsynth::InputError naming file:line:column and key path.
HelloConfig load_config(const std::string& path);

/// Adds the hello stack to `app`.
leafsynth::Stack& build(leafsynth::App& app, const HelloConfig& config);

} // namespace hello
