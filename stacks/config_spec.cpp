// The config formats as data (config_spec.hpp), and their JSON Schema.

#include "leafsynth/containermanager/config_spec.hpp"

#include <nlohmann/json.hpp>

#include <climits>
#include <stdexcept>

#include "leafsynth/aws/ecs.hpp"
#include "leafsynth/containermanager/config.hpp"

namespace leafsynth::containermanager {

namespace {

using Type = ConfigKey::Type;

std::string json_bool(bool b) { return b ? "true" : "false"; }

ConfigKey integer(std::string name, long long minimum, std::optional<long long> maximum, std::string description,
                  std::string default_json = "", bool required = false) {
    return ConfigKey{.name = std::move(name), .type = Type::Integer, .required = required,
                     .description = std::move(description), .minimum = minimum, .maximum = maximum,
                     .default_json = std::move(default_json)};
}

ConfigKey boolean(std::string name, bool default_value, std::string description) {
    return ConfigKey{.name = std::move(name), .type = Type::Boolean, .description = std::move(description),
                     .default_json = json_bool(default_value)};
}

ConfigKey text(std::string name, bool required, std::string description, std::string pattern = "") {
    return ConfigKey{.name = std::move(name), .type = Type::String, .required = required,
                     .description = std::move(description), .pattern = std::move(pattern)};
}

ConfigKey map(std::string name, bool required, std::string description, std::vector<ConfigKey> keys) {
    return ConfigKey{.name = std::move(name), .type = Type::Map, .required = required,
                     .description = std::move(description), .keys = std::move(keys)};
}

ConfigKey list(std::string name, bool required, std::string description, ConfigKey item, std::size_t min_items,
               std::size_t max_items) {
    return ConfigKey{.name = std::move(name), .type = Type::List, .required = required,
                     .description = std::move(description), .min_items = min_items, .max_items = max_items,
                     .keys = {std::move(item)}};
}

// constexpr: constant-initialized, so a spec built during another file's static initialization sees it.
constexpr std::pair<std::string_view, std::string_view> kSnsProtocols[] = {
    {"Email", "email"},   {"Email-JSON", "email-json"}, {"SMS", "sms"},
    {"HTTP", "http"},     {"HTTPS", "https"},           {"SQS", "sqs"},
    {"Lambda", "lambda"}, {"Application", "application"}, {"Firehose", "firehose"}};

ConfigKey alert_subscription() {
    ConfigKey entry{.type = Type::OneKeyMap,
                    .description = "One subscription: the SNS protocol and its endpoint, e.g. 'Email: me@example.com'.",
                    .value_type = Type::String};
    for (const auto& [name, sns] : kSnsProtocols) entry.words.emplace_back(name);
    return list("AlertSubscription", false,
                "Who is told about alarms: SNS subscriptions of the alert topic (protocols case-insensitive).",
                std::move(entry), 0, 0);
}

ConfigKey make_base() {
    const BaseConfig d;
    return map("", true, "The base config (base-stack-config.yaml): what every container's stacks share.",
               {map("Vpc", false, "The VPC the containers run in.",
                    {integer("MaxAZs", 1, 16, "Availability zones to spread the VPC's public subnets over.",
                             std::to_string(d.vpc.max_azs)),
                     boolean("RestrictDefaultSecurityGroup", d.vpc.restrict_default_security_group,
                             "Remove every rule of the VPC's default security group (a custom resource does).")}),
                map("Domain", true, "The DNS domain the containers are found under: <container id>.<Name>.",
                    {text("Name", true, "The domain name, e.g. example.com (lower-cased)."),
                     ConfigKey{.name = "HostedZoneId", .type = Type::String,
                               .description = "The id of an existing Route 53 hosted zone of the domain; without it "
                                              "the base stack creates the zone."}}),
                alert_subscription()});
}

ConfigKey make_leaf() {
    const LeafConfig d;
    ConfigKey port{.type = Type::OneKeyMap,
                   .description = "One port the server listens on: 'TCP: 25565' or 'UDP: 2456' (case-insensitive).",
                   .minimum = 1, .maximum = 65535, .words = {"TCP", "UDP"}, .value_type = Type::Integer};
    ConfigKey path = map("", false, "One folder of the volume, mounted in the container.",
                         {text("Path", true, "An absolute path inside the container, e.g. /data.", "^/"),
                          boolean("ReadOnly", VolumePath{}.read_only, "Mount it read-only.")});
    const VolumeConfig volume_defaults;
    ConfigKey volume = map(
        "", false, "One EFS file system, mounted at its paths.",
        {ConfigKey{.name = "Type", .type = Type::String, .description = "The kind of volume: only EFS (any case).",
                   .default_json = "\"EFS\"", .words = {"EFS"}},
         boolean("EnableBackups", volume_defaults.enable_backups,
                 "Back the file system up with AWS Backup (default: true when the maturity is prod, false for devel)."),
         boolean("KeepOnDelete", volume_defaults.keep_on_delete,
                 "Keep the file system when its stack is deleted or it is replaced (default: true when the maturity "
                 "is prod, false for devel)."),
         list("Paths", true, "The folders of the file system to mount.", std::move(path), 1, 0)});
    return map(
        "", true, "A leaf config: one game-server container, named after the file (minecraft.yaml: minecraft).",
        {map("Ec2", true, "The EC2 instance the container runs on.",
             {text("InstanceType", true, "The instance type, family.size in lower case, e.g. m5.large or t4g.medium.",
                   "^[a-z][a-z0-9-]*\\.[a-z0-9][a-z0-9-]*$")}),
         map("Container", true, "The game server's container.",
             {text("Image", true, "The container image, e.g. itzg/minecraft-server (lower-cased).", "^\\S+$"),
              // 59: each port is an inbound rule of a security group that takes 60, SSH being one.
              list("Ports", true, "The ports the server listens on, each an inbound rule of its security group.",
                   std::move(port), 1, 59),
              ConfigKey{.name = "Environment", .type = Type::TextMap,
                        .description = "Environment variables of the container, 'NAME: value' (every value becomes "
                                       "text; YAML booleans True/False)."},
              integer("StopTimeoutSeconds", aws::ecs::kMinStopTimeoutSeconds, aws::ecs::kMaxStopTimeoutSeconds,
                      "Seconds the server has to save and exit after SIGTERM before it is killed.",
                      std::to_string(d.container.stop_timeout_seconds))}),
         list("Volumes", false, "Persistent storage: EFS file systems mounted into the container.", std::move(volume),
              0, 20),
         map("Watchdog", true, "When the server counts as idle and is stopped.",
             {integer("MinutesWithoutConnections", 2, 1440,
                      "Minutes of traffic below Threshold after which the server is stopped.",
                      std::to_string(d.watchdog.minutes_without_connections)),
              integer("Threshold", 0, INT_MAX - 1,
                      "Bytes per second of network traffic below which the server counts as idle.", "", true),
              map("InstanceLeftUp", false, "An alarm when the instance has run for long.",
                  {integer("DurationHours", 1, 24, "Hours the instance may run before the alarm.",
                           std::to_string(d.watchdog.instance_left_up.duration_hours)),
                   boolean("ShouldStop", d.watchdog.instance_left_up.should_stop,
                           "Stop the instance when the alarm fires, not only alert.")})}),
         alert_subscription(),
         map("Dashboard", false, "A CloudWatch dashboard of the container.",
             {boolean("Enabled", d.dashboard.enabled, "Make the dashboard."),
              integer("IntervalMinutes", 1, std::nullopt, "The period of the dashboard's graphs, in minutes.",
                      std::to_string(d.dashboard.interval_minutes)),
              boolean("ShowContainerTimestamp", d.dashboard.show_container_timestamp,
                      "Show when the container last started.")})});
}

// --- JSON Schema ---

using Json = nlohmann::ordered_json;

/// `TCP` as a case-insensitive ECMAScript pattern: `[Tt][Cc][Pp]`.
std::string any_case(std::string_view word) {
    std::string out;
    for (char c : word) {
        const char lo = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        const char up = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        if (lo != up) out += std::string("[") + up + lo + "]";
        else if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += std::string("\\") + c;
        else out += c;
    }
    return out;
}

std::string words_pattern(const std::vector<std::string>& words) {
    std::string alternatives;
    for (const auto& w : words) alternatives += (alternatives.empty() ? "" : "|") + any_case(w);
    return "^(" + alternatives + ")$";
}

/// A scalar of `type`, or an `!ENV ${NAME}` reference (read as text by editors) in its place.
Json scalar_schema(Type type, const ConfigKey& key) {
    Json s = Json::object();
    switch (type) {
    case Type::Integer:
        s["type"] = "integer";
        if (key.minimum) s["minimum"] = *key.minimum;
        if (key.maximum) s["maximum"] = *key.maximum;
        return Json{{"anyOf", Json::array({s, Json{{"$ref", "#/$defs/env"}}})}};
    case Type::Boolean:
        return Json{{"anyOf", Json::array({Json{{"type", "boolean"}}, Json{{"$ref", "#/$defs/yaml11Boolean"}},
                                           Json{{"$ref", "#/$defs/env"}}})}};
    default:
        s["type"] = "string";
        if (!key.pattern.empty()) s["pattern"] = key.pattern;
        if (!key.words.empty()) s["pattern"] = words_pattern(key.words);
        return s;
    }
}

Json schema_of(const ConfigKey& key) {
    Json s = Json::object();
    if (!key.description.empty()) s["description"] = key.description;
    switch (key.type) {
    case Type::Map: {
        // An optional section left empty (its keys commented out) counts as absent.
        s["type"] = key.required || key.name.empty() ? Json("object") : Json::array({"object", "null"});
        Json properties = Json::object();
        Json required = Json::array();
        for (const auto& k : key.keys) {
            properties[k.name] = schema_of(k);
            if (k.required) required.push_back(k.name);
        }
        s["properties"] = std::move(properties);
        if (!required.empty()) s["required"] = std::move(required);
        s["additionalProperties"] = false;
        break;
    }
    case Type::List:
        s["type"] = key.required ? Json("array") : Json::array({"array", "null"});
        s["items"] = schema_of(key.keys.front());
        if (key.min_items) s["minItems"] = key.min_items;
        if (key.max_items) s["maxItems"] = key.max_items;
        break;
    case Type::TextMap:
        s["type"] = Json::array({"object", "null"});
        s["additionalProperties"] = Json{{"type", Json::array({"string", "number", "boolean"})}};
        break;
    case Type::OneKeyMap:
        s["type"] = "object";
        s["minProperties"] = 1;
        s["maxProperties"] = 1;
        s["propertyNames"] = Json{{"pattern", words_pattern(key.words)}};
        // The value: of value_type, within the bounds (the words are the keys').
        s["additionalProperties"] =
            scalar_schema(key.value_type, ConfigKey{.minimum = key.minimum, .maximum = key.maximum});
        break;
    case Type::String:
        if (key.name == "HostedZoneId") {
            s["type"] = Json::array({"string", "null"});
            break;
        }
        [[fallthrough]];
    case Type::Integer:
    case Type::Boolean:
        {
            const Json scalar = scalar_schema(key.type, key); // kept: items() refers to it
            for (const auto& [k, v] : scalar.items()) s[k] = v;
        }
        break;
    }
    if (!key.default_json.empty()) s["default"] = Json::parse(key.default_json);
    return s;
}

} // namespace

const ConfigKey& base_config_spec() {
    static const ConfigKey spec = make_base();
    return spec;
}

const ConfigKey& leaf_config_spec() {
    static const ConfigKey spec = make_leaf();
    return spec;
}

const ConfigKey& config_key(const ConfigKey& root, std::string_view path) {
    const ConfigKey* at = &root;
    while (!path.empty()) {
        if (path.starts_with("[]")) {
            if (at->type != Type::List) throw std::out_of_range("config_key: not a list before '[]'");
            at = &at->keys.front();
            path.remove_prefix(2);
            if (path.starts_with('.')) path.remove_prefix(1);
            continue;
        }
        const auto end = path.find_first_of(".[");
        const std::string_view name = path.substr(0, end);
        const ConfigKey* next = nullptr;
        for (const auto& k : at->keys)
            if (at->type == Type::Map && k.name == name) next = &k;
        if (!next) throw std::out_of_range("config_key: no key '" + std::string(name) + "'");
        at = next;
        path = end == std::string_view::npos ? std::string_view() : path.substr(end);
        if (path.starts_with('.')) path.remove_prefix(1);
    }
    return *at;
}

std::vector<std::string_view> key_names(const ConfigKey& map) {
    std::vector<std::string_view> out;
    for (const auto& k : map.keys) out.push_back(k.name);
    return out;
}

std::span<const std::pair<std::string_view, std::string_view>> sns_protocols() { return kSnsProtocols; }

std::string config_json_schema(std::string_view which) {
    const bool leaf = which == "leaf";
    if (!leaf && which != "base") throw std::invalid_argument("config_json_schema: 'leaf' or 'base'");
    const ConfigKey& spec = leaf ? leaf_config_spec() : base_config_spec();
    Json schema = Json::object();
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
    schema["title"] = leaf ? "leafsynth leaf config" : "leafsynth base config";
    const Json body = schema_of(spec); // kept: items() refers to it
    for (const auto& [k, v] : body.items()) schema[k] = v;
    schema["$defs"] = Json{
        {"env", Json{{"description", "An !ENV value: ${NAME} (or ${NAME:default}) replaced by the environment "
                                     "variable NAME when the config is read."},
                     {"type", "string"},
                     {"pattern", "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\\}"}}},
        {"yaml11Boolean", Json{{"description", "A YAML 1.1 boolean as PyYAML (the original tool's reader) and "
                                               "leafsynth read it."},
                               {"enum", Json::array({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
                                                     "off", "Off", "OFF"})}}}};
    return schema.dump(2) + "\n";
}

} // namespace leafsynth::containermanager
