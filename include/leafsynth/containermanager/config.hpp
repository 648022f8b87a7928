#pragma once
/// @file config.hpp
/// The ContainerManager config files (base and leaf), their loader, and the names derived from them.
///
/// Both loaders read YAML, substitute `!ENV ${NAME}` values, apply the documented defaults and validate
/// everything. They collect every problem of a file and throw a single ConfigError (an InputError) that
/// lists them, one per line, as `file:line:column: Key.Path: what is wrong; how to fix`.
///
/// Key paths use the config's own key names joined by `.`; list items are written with a 0-based index,
/// e.g. `Volumes[1].Paths[0].Path` is the `Path` of the first path of the second volume.
///
/// Reading rules beyond the spec tables: keys are case-sensitive (a near miss gets "did you mean"); an
/// optional section or list left empty (e.g. `AlertSubscription:` with its entries commented out) counts as
/// absent; a scalar key without a value is an error; integers are plain decimal; booleans are YAML 1.1's
/// (`true`/`false`, `yes`/`no`, `on`/`off` in PyYAML's spellings) and must not be quoted; a value tagged
/// `!ENV` is read after substitution (so `!ENV ${AZS}` may fill an integer); other tags are errors.

#include "leafsynth/errors.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leafsynth::containermanager {

// ---------------------------------------------------------------------------------------------------------
// Maturity and names
// ---------------------------------------------------------------------------------------------------------

/// How the app is deployed: production, or a development copy beside it.
enum class Maturity { Prod, Devel };

/// The maturity's name as the spec writes it: `prod` or `devel`.
std::string_view to_string(Maturity maturity);

/// Parses a maturity name (`prod` or `devel`, case-insensitive); throws InputError for anything else.
Maturity parse_maturity(std::string_view text);

/// The application id: `ContainerManager` for prod, `ContainerManager-<maturity>` otherwise, with the
/// maturity written as the spec names it (lower-case), i.e. `ContainerManager-devel`.
std::string application_id(Maturity maturity);

/// The container id of a leaf config file: its base name without the (last) extension, lower-cased
/// (`configs/Minecraft.java.example.yaml` -> `minecraft.java.example`). Does not validate.
std::string container_id_from_path(std::string_view path);

/// The container id as Python's `str.title()` followed by dropping every non-letter would write it
/// (`minecraft.java.example` -> `MinecraftJavaExample`). A letter that follows a non-letter (or starts the
/// text) is upper-cased, every other letter lower-cased. Only ASCII letters count as letters.
std::string container_id_alpha(std::string_view container_id);

/// Checks a container id (from a file name or given explicitly): non-empty, only `a-z`, `0-9`, `-`, `_`
/// and `.`, no empty or over-long (> 63) dot-separated label, at least one letter (so the alpha form is
/// not empty). Throws InputError naming the problem otherwise.
void validate_container_id(std::string_view container_id);

/// `<AppId>-BaseStack`.
std::string base_stack_name(std::string_view app_id);
/// `<AppId>-<Alpha>`: the leaf's stack id (the `StackId` tag and the prefix of its three stack names).
std::string leaf_stack_id(std::string_view app_id, std::string_view container_id);
/// `<AppId>-<Alpha>-DomainStack`.
std::string domain_stack_name(std::string_view app_id, std::string_view container_id);
/// `<AppId>-<Alpha>-Stack` (the leaf, or "main", stack).
std::string leaf_stack_name(std::string_view app_id, std::string_view container_id);
/// `<AppId>-<Alpha>-LinkTogetherStack`.
std::string link_together_stack_name(std::string_view app_id, std::string_view container_id);

/// The leaf's sub-domain: `<container id>.<domain name>`, lower-case.
std::string sub_domain(std::string_view container_id, std::string_view domain_name);

/// The Route 53 query-log filter term for a sub-domain: `" <sub-domain> A "` (the surrounding spaces keep
/// `_tcp.` look-ups and longer names from matching).
std::string dns_log_filter(std::string_view sub_domain);

/// Every name of one leaf, computed together.
struct LeafNames {
    std::string app_id;              ///< `ContainerManager` or `ContainerManager-devel`.
    std::string container_id;        ///< As given (e.g. `minecraft.java.example`).
    std::string alpha;               ///< container_id_alpha(container_id).
    std::string stack_id;            ///< `<AppId>-<Alpha>`.
    std::string base_stack;          ///< `<AppId>-BaseStack`.
    std::string domain_stack;        ///< `<AppId>-<Alpha>-DomainStack`.
    std::string leaf_stack;          ///< `<AppId>-<Alpha>-Stack`.
    std::string link_together_stack; ///< `<AppId>-<Alpha>-LinkTogetherStack`.
    std::string sub_domain;          ///< `<container id>.<Domain.Name>`, lower-case.
    std::string dns_log_filter;      ///< `" <sub-domain> A "`.
};

/// All names of a leaf for a maturity, container id and domain name (validates the container id).
LeafNames leaf_names(Maturity maturity, std::string_view container_id, std::string_view domain_name);

// ---------------------------------------------------------------------------------------------------------
// Config values
// ---------------------------------------------------------------------------------------------------------

/// Where something was written in a config file. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
    std::string file; ///< The path as given to the loader.
    int line = 0;     ///< 1-based line, 0 when unknown.
    int column = 0;   ///< 1-based column, 0 when unknown.
};

/// `file:line:column` (or just `file` when the position is unknown).
std::string to_string(const SourceLocation& location);

/// One `AlertSubscription` entry: `{Protocol: endpoint}`.
struct AlertSubscription {
    /// The SNS protocol, lower-cased as AWS::SNS::Subscription's `Protocol` expects it
    /// (`email`, `email-json`, `sms`, `http`, `https`, `sqs`, `lambda`, `application`, `firehose`).
    std::string protocol;
    std::string endpoint;    ///< The endpoint (address, URL, ARN...), as written after `!ENV` substitution.
    SourceLocation location; ///< Where the entry starts.
};

/// `Vpc` of the base config.
struct VpcConfig {
    int max_azs = 1;                             ///< `Vpc.MaxAZs` (>= 1).
    bool restrict_default_security_group = true; ///< `Vpc.RestrictDefaultSecurityGroup`.
};

/// `Domain` of the base config.
struct DomainConfig {
    std::string name;                          ///< `Domain.Name`, lower-cased (required).
    /// `Domain.HostedZoneId`; absent, null or "" -> nullopt: the base stack then creates the root zone. An
    /// unset `!ENV` variable gives `UNDECLARED`, as the spec says, not nullopt.
    std::optional<std::string> hosted_zone_id;
};

/// The base config (`base-stack-config.yaml`).
struct BaseConfig {
    std::string file;                                   ///< The path it was loaded from.
    VpcConfig vpc;                                      ///< `Vpc`.
    DomainConfig domain;                                ///< `Domain` (required).
    std::vector<AlertSubscription> alert_subscriptions; ///< `AlertSubscription` (may be empty).
};

/// `Ec2` of a leaf config.
struct Ec2Config {
    std::string instance_type; ///< `Ec2.InstanceType`, `family.size` (e.g. `m5.large`), required.
};

/// Transport protocol of a container port.
enum class PortProtocol { Tcp, Udp };

/// `tcp` or `udp` (as security groups and ECS port mappings write it).
std::string_view to_string(PortProtocol protocol);

/// One `Container.Ports` entry: `{TCP: port}` or `{UDP: port}`.
struct PortMapping {
    PortProtocol protocol = PortProtocol::Tcp; ///< The map's key, case-insensitive in the file.
    int port = 0;                              ///< 1..65535.
    SourceLocation location;                   ///< Where the entry starts.
};

/// One `Container.Environment` entry. Values are always strings: YAML booleans (plain `true`, `yes`,
/// `on`, ... in any of PyYAML's spellings) become `True`/`False` as the original Python tool wrote them;
/// numbers and other plain scalars are kept exactly as written; `!ENV` values after substitution.
struct EnvironmentVariable {
    std::string name;  ///< The key.
    std::string value; ///< The value as a string.
};

/// `Container.StopTimeoutSeconds` when the config does not give it: the longest ECS allows, so a game
/// server has as long as it can get to save its world after SIGTERM.
inline constexpr int kDefaultStopTimeoutSeconds = 120;

/// `Container` of a leaf config.
struct ContainerConfig {
    std::string image;                            ///< `Container.Image`, lower-cased, required.
    std::vector<PortMapping> ports;               ///< `Container.Ports`, required, at least one.
    std::vector<EnvironmentVariable> environment; ///< `Container.Environment`, in file order.
    /// `Container.StopTimeoutSeconds`: how long the container has to exit after SIGTERM before it is
    /// killed (2 to 120, the range ECS accepts); the instance is kept until then when it shuts down.
    int stop_timeout_seconds = kDefaultStopTimeoutSeconds;
};

/// Kind of a volume. Only EFS exists today.
enum class VolumeType { Efs };

/// One `Volumes[].Paths[]` entry.
struct VolumePath {
    std::string path;        ///< Absolute path inside the container (required).
    bool read_only = false;  ///< `ReadOnly`.
    SourceLocation location; ///< Where the entry starts.
};

/// One `Volumes[]` entry.
struct VolumeConfig {
    VolumeType type = VolumeType::Efs; ///< `Type` (`EFS`, case-insensitive).
    bool enable_backups = true;        ///< `EnableBackups`; defaults to maturity == prod.
    bool keep_on_delete = true;        ///< `KeepOnDelete`; defaults to maturity == prod (true: retain).
    std::vector<VolumePath> paths;     ///< `Paths`, required, at least one.
    SourceLocation location;           ///< Where the entry starts.
};

/// `Watchdog.InstanceLeftUp`.
struct InstanceLeftUpConfig {
    int duration_hours = 8;   ///< `DurationHours` (> 0).
    bool should_stop = false; ///< `ShouldStop`.
};

/// `Watchdog` of a leaf config (required, for its `Threshold`).
struct WatchdogConfig {
    int minutes_without_connections = 5;   ///< `MinutesWithoutConnections` (>= 2).
    int threshold = 0;                     ///< `Threshold`: bytes/s below which the server is idle (>= 0), required.
    InstanceLeftUpConfig instance_left_up; ///< `InstanceLeftUp`.
};

/// `Dashboard` of a leaf config.
struct DashboardConfig {
    bool enabled = true;                  ///< `Enabled`.
    int interval_minutes = 30;            ///< `IntervalMinutes` (> 0).
    bool show_container_timestamp = true; ///< `ShowContainerTimestamp`.
};

/// A leaf config (one file per container).
struct LeafConfig {
    std::string file;                                   ///< The path it was loaded from.
    Maturity maturity = Maturity::Prod;                 ///< The maturity the defaults were computed for.
    Ec2Config ec2;                                      ///< `Ec2` (required).
    ContainerConfig container;                          ///< `Container` (required).
    std::vector<VolumeConfig> volumes;                  ///< `Volumes` (may be empty).
    WatchdogConfig watchdog;                            ///< `Watchdog` (required).
    std::vector<AlertSubscription> alert_subscriptions; ///< `AlertSubscription` (may be empty).
    DashboardConfig dashboard;                          ///< `Dashboard`.
};

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

/// Looks an environment variable up for `!ENV`: its value, or nullopt when it is not set.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (`std::getenv`).
std::optional<std::string> process_environment(const std::string& name);

/// Replaces every `${NAME}` in `text` by lookup(NAME), or by `UNDECLARED` when it is unset. As in the
/// original tool (pyaml_env), `${NAME:fallback}` uses `fallback` instead of `UNDECLARED`.
std::string substitute_environment(std::string_view text, const EnvironmentLookup& lookup);

/// One problem found in a config file.
struct ConfigProblem {
    SourceLocation location; ///< Where (line/column 0 when the file could not be read at all).
    std::string key_path;    ///< E.g. `Volumes[1].Paths[0].Path`; empty for the file as a whole.
    std::string message;     ///< What is wrong; how to fix it.

    /// `file:line:column: Key.Path: message`.
    std::string to_string() const;
};

/// Every problem of one config file. what() lists them, one per line, in file order.
class ConfigError : public InputError {
public:
    /// Takes the (non-empty) problems; what() is their to_string() joined by newlines.
    explicit ConfigError(std::vector<ConfigProblem> problems);
    /// The problems, sorted by position in the file.
    const std::vector<ConfigProblem>& problems() const { return problems_; }

private:
    std::vector<ConfigProblem> problems_;
};

/// Loads and validates a base config. Throws ConfigError listing every problem (including a missing or
/// unreadable file and YAML syntax errors).
BaseConfig load_base_config(const std::string& path, const EnvironmentLookup& lookup = process_environment);

/// Loads and validates a leaf config; `maturity` sets the volume defaults. Throws ConfigError listing every
/// problem (including a missing or unreadable file and YAML syntax errors).
LeafConfig load_leaf_config(const std::string& path, Maturity maturity,
                            const EnvironmentLookup& lookup = process_environment);

} // namespace leafsynth::containermanager
