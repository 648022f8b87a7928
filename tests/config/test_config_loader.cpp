// Loading the sample configs, defaults, maturity, `!ENV` substitution and Environment values.

#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace leafsynth::containermanager;
using config_tests::fake_environment;
using config_tests::problems_of;
using config_tests::shared_config;
using config_tests::write_scratch;

namespace {

std::vector<std::pair<std::string, std::string>> env_pairs(const LeafConfig& config) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& e : config.container.environment)
        out.emplace_back(e.name, e.value);
    return out;
}

/// The file's text with carriage returns dropped (a checkout may convert line endings).
std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    return text;
}

} // namespace

TEST_CASE("the copies of the shared sample configs match ../shared/configs when it is there", "[config]") {
    const std::filesystem::path shared(LEAFSYNTH_SHARED_CONFIGS_DIR);
    for (const char* name : {"base-stack-config.yaml", "minecraft.java.example.yaml", "valheim.example.yaml"}) {
        INFO(name);
        REQUIRE(std::filesystem::exists(shared_config(name)));
        if (std::filesystem::exists(shared / name)) CHECK(read_all(shared / name) == read_all(shared_config(name)));
    }
}

TEST_CASE("the base sample config loads with its values and defaults", "[config][base]") {
    const auto config = load_base_config(shared_config("base-stack-config.yaml"),
                                         fake_environment({{"DOMAIN_NAME", "Example.COM"},
                                                           {"HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"},
                                                           {"EMAIL", "Ops@Example.com"}}));
    CHECK(config.file == shared_config("base-stack-config.yaml"));
    CHECK(config.vpc.max_azs == 1);
    CHECK(config.vpc.restrict_default_security_group);
    CHECK(config.domain.name == "example.com"); // lower-cased
    REQUIRE(config.domain.hosted_zone_id);
    CHECK(*config.domain.hosted_zone_id == "Z0123456789ABCDEFGHIJ");
    REQUIRE(config.alert_subscriptions.size() == 1);
    CHECK(config.alert_subscriptions[0].protocol == "email");
    CHECK(config.alert_subscriptions[0].endpoint == "Ops@Example.com"); // endpoints keep their case
    CHECK(config.alert_subscriptions[0].location.line == 10);
    CHECK(config.alert_subscriptions[0].location.column == 5);
}

TEST_CASE("the base sample config loads with the environment unset: values become UNDECLARED", "[config][base][env]") {
    const auto config = load_base_config(shared_config("base-stack-config.yaml"), fake_environment({}));
    CHECK(config.domain.name == "undeclared");
    REQUIRE(config.domain.hosted_zone_id);
    CHECK(*config.domain.hosted_zone_id == "UNDECLARED");
    REQUIRE(config.alert_subscriptions.size() == 1);
    CHECK(config.alert_subscriptions[0].endpoint == "UNDECLARED");
}

TEST_CASE("base config defaults and optional keys", "[config][base]") {
    SECTION("only the domain") {
        const auto path = write_scratch("base-minimal.yaml", "Domain:\n  Name: games.example.org\n");
        const auto config = load_base_config(path, fake_environment({}));
        CHECK(config.vpc.max_azs == 1);
        CHECK(config.vpc.restrict_default_security_group);
        CHECK(config.domain.name == "games.example.org");
        CHECK_FALSE(config.domain.hosted_zone_id);
        CHECK(config.alert_subscriptions.empty());
    }
    SECTION("every key set, protocols case-insensitive") {
        const auto path = write_scratch("base-full.yaml", "Vpc:\n"
                                                          "  MaxAZs: 3\n"
                                                          "  RestrictDefaultSecurityGroup: false\n"
                                                          "Domain:\n"
                                                          "  Name: Example.com\n"
                                                          "  HostedZoneId: ''\n"
                                                          "AlertSubscription:\n"
                                                          "  - email-json: a@b.c\n"
                                                          "  - SMS: '+15550100'\n"
                                                          "  - https: https://hooks.example.com/x\n");
        const auto config = load_base_config(path, fake_environment({}));
        CHECK(config.vpc.max_azs == 3);
        CHECK_FALSE(config.vpc.restrict_default_security_group);
        CHECK(config.domain.name == "example.com");
        CHECK_FALSE(config.domain.hosted_zone_id); // empty means "create the zone"
        REQUIRE(config.alert_subscriptions.size() == 3);
        CHECK(config.alert_subscriptions[0].protocol == "email-json");
        CHECK(config.alert_subscriptions[1].protocol == "sms");
        CHECK(config.alert_subscriptions[1].endpoint == "+15550100");
        CHECK(config.alert_subscriptions[2].protocol == "https");
    }
    SECTION("an empty AlertSubscription (entries commented out) is an empty list") {
        const auto path = write_scratch("base-empty-alerts.yaml",
                                        "Domain:\n  Name: example.com\nAlertSubscription:\n#  - Email: x@y.z\n");
        CHECK(load_base_config(path, fake_environment({})).alert_subscriptions.empty());
    }
}

TEST_CASE("the Minecraft sample leaf config loads with its values and defaults (prod)", "[config][leaf]") {
    const auto config = load_leaf_config(shared_config("minecraft.java.example.yaml"), Maturity::Prod,
                                         fake_environment({{"MC_VERSION", "1.21.4"}}));
    CHECK(config.maturity == Maturity::Prod);
    CHECK(config.ec2.instance_type == "m5.large");
    CHECK(config.container.image == "itzg/minecraft-server");
    REQUIRE(config.container.ports.size() == 2);
    CHECK(config.container.ports[0].protocol == PortProtocol::Tcp);
    CHECK(config.container.ports[0].port == 25565);
    CHECK(config.container.ports[0].location.line == 9);
    CHECK(config.container.ports[0].location.column == 7);
    CHECK(config.container.ports[1].protocol == PortProtocol::Udp);
    CHECK(config.container.ports[1].port == 19132);
    CHECK(to_string(config.container.ports[1].protocol) == "udp");
    // Not in the sample: the default, the longest stop timeout ECS allows.
    CHECK(config.container.stop_timeout_seconds == 120);
    CHECK(config.container.stop_timeout_seconds == kDefaultStopTimeoutSeconds);

    const std::vector<std::pair<std::string, std::string>> expected_env{
        {"EULA", "True"},
        {"INIT_MEMORY", "7G"},
        {"MAX_MEMORY", "7G"},
        {"TYPE", "PAPER"},
        {"MOTD", "\\u00a78The \\u00a74\\u00a7lPerfect\\u00a78 Minecraft Server (on %VERSION%)"},
        {"VERSION", "1.21.4"},
        {"TUNE_VIRTUALIZED", "True"},
        {"RCRON_PASSWORD", "UNDECLARED"},
        {"PLUGINS",
         "https://download.geysermc.org/v2/projects/geyser/versions/latest/builds/latest/downloads/spigot\n"
         "https://download.geysermc.org/v2/projects/floodgate/versions/latest/builds/latest/downloads/spigot\n"},
        {"MODRINTH_DOWNLOAD_DEPENDENCIES", "required"},
        {"MODRINTH_PROJECTS", "viaversion\nviabackwards\nsleeper\ngriefprevention\n"},
    };
    CHECK(env_pairs(config) == expected_env);

    REQUIRE(config.volumes.size() == 1);
    const auto& volume = config.volumes[0];
    CHECK(volume.type == VolumeType::Efs);
    CHECK(volume.enable_backups);
    CHECK(volume.keep_on_delete);
    REQUIRE(volume.paths.size() == 1);
    CHECK(volume.paths[0].path == "/data");
    CHECK_FALSE(volume.paths[0].read_only);

    CHECK(config.watchdog.threshold == 1850);
    CHECK(config.watchdog.minutes_without_connections == 5);
    CHECK(config.watchdog.instance_left_up.duration_hours == 8);
    CHECK_FALSE(config.watchdog.instance_left_up.should_stop);
    CHECK(config.alert_subscriptions.empty());
    CHECK(config.dashboard.enabled);
    CHECK(config.dashboard.interval_minutes == 30);
    CHECK(config.dashboard.show_container_timestamp);
}

TEST_CASE("the Valheim sample leaf config loads, volume defaults follow the maturity", "[config][leaf]") {
    const auto env = fake_environment({{"VALHEIM_PASS", "s3cret pass"}});
    const auto prod = load_leaf_config(shared_config("valheim.example.yaml"), Maturity::Prod, env);
    const auto devel = load_leaf_config(shared_config("valheim.example.yaml"), Maturity::Devel, env);

    for (const auto* config : {&prod, &devel}) {
        CHECK(config->ec2.instance_type == "m5.large");
        CHECK(config->container.image == "lloesche/valheim-server");
        REQUIRE(config->container.ports.size() == 2);
        CHECK(config->container.ports[0].protocol == PortProtocol::Udp);
        CHECK(config->container.ports[0].port == 2456);
        CHECK(config->container.ports[1].port == 2457);
        const std::vector<std::pair<std::string, std::string>> expected_env{
            {"SERVER_NAME", "Christian Minecraft Server"},
            {"WORLD_NAME", "Valhalla"},
            {"SERVER_PASS", "s3cret pass"},
            {"SERVER_ARGS", "-modifier resources most -modifier portals casual"},
            {"SERVER_PUBLIC", "False"},
            {"UPDATE_IF_IDLE", "False"},
            {"RESTART_IF_IDLE", "False"},
            {"UPDATE_CRON", ""},
            {"RESTART_CRON", ""},
            {"BACKUPS", "False"},
        };
        CHECK(env_pairs(*config) == expected_env);
        REQUIRE(config->volumes.size() == 2);
        REQUIRE(config->volumes[0].paths.size() == 1);
        CHECK(config->volumes[0].paths[0].path == "/config");
        REQUIRE(config->volumes[1].paths.size() == 1);
        CHECK(config->volumes[1].paths[0].path == "/opt/valheim");
        // The second volume sets both explicitly.
        CHECK_FALSE(config->volumes[1].enable_backups);
        CHECK_FALSE(config->volumes[1].keep_on_delete);
        CHECK(config->watchdog.threshold == 750);
        CHECK(config->watchdog.minutes_without_connections == 5);
    }
    CHECK(prod.maturity == Maturity::Prod);
    CHECK(devel.maturity == Maturity::Devel);
    // The first volume takes the defaults: true in prod, false in devel.
    CHECK(prod.volumes[0].enable_backups);
    CHECK(prod.volumes[0].keep_on_delete);
    CHECK_FALSE(devel.volumes[0].enable_backups);
    CHECK_FALSE(devel.volumes[0].keep_on_delete);
}

TEST_CASE("the Minecraft sample in devel keeps its explicit volume settings", "[config][leaf]") {
    const auto config =
        load_leaf_config(shared_config("minecraft.java.example.yaml"), Maturity::Devel, fake_environment({}));
    REQUIRE(config.volumes.size() == 1);
    CHECK(config.volumes[0].enable_backups);
    CHECK(config.volumes[0].keep_on_delete);
    CHECK(env_pairs(config)[5] == std::pair<std::string, std::string>{"VERSION", "UNDECLARED"});
}

TEST_CASE("the loaders read the process environment by default", "[config][env]") {
    ::setenv("LEAFSYNTH_CONFIG_TEST_DOMAIN", "From-Process.Example", 1);
    ::unsetenv("LEAFSYNTH_CONFIG_TEST_UNSET");
    const auto path = write_scratch("base-process-env.yaml", "Domain:\n"
                                                             "  Name: !ENV ${LEAFSYNTH_CONFIG_TEST_DOMAIN}\n"
                                                             "  HostedZoneId: !ENV ${LEAFSYNTH_CONFIG_TEST_UNSET}\n");
    const auto config = load_base_config(path);
    CHECK(config.domain.name == "from-process.example");
    CHECK(config.domain.hosted_zone_id == std::optional<std::string>("UNDECLARED"));
    CHECK(process_environment("LEAFSYNTH_CONFIG_TEST_DOMAIN") == std::optional<std::string>("From-Process.Example"));
    CHECK_FALSE(process_environment("LEAFSYNTH_CONFIG_TEST_UNSET"));
}

TEST_CASE("!ENV substitution", "[config][env]") {
    const auto env =
        fake_environment({{"A", "alpha"}, {"B", "beta"}, {"EMPTY", ""}, {"PORT", "2456"}, {"YES", "true"}});

    SECTION("substitute_environment itself") {
        CHECK(substitute_environment("${A}", env) == "alpha");
        CHECK(substitute_environment("${MISSING}", env) == "UNDECLARED");
        CHECK(substitute_environment("x-${A}-${B}-${A}-${MISSING}-y", env) == "x-alpha-beta-alpha-UNDECLARED-y");
        CHECK(substitute_environment("${EMPTY}", env) == ""); // set but empty is not unset
        CHECK(substitute_environment("no references", env) == "no references");
        CHECK(substitute_environment("${MISSING:fallback}", env) == "fallback");
        CHECK(substitute_environment("${A:fallback}", env) == "alpha");
        CHECK(substitute_environment("keep $A and {A} and $ {A}", env) == "keep $A and {A} and $ {A}");
        CHECK(substitute_environment("${${A}}", env) == "${alpha}"); // the inner reference only
        CHECK(substitute_environment("${}${A}", env) == "${}alpha");
        CHECK(substitute_environment("tail ${A", env) == "tail ${A");
    }

    SECTION("in a leaf config: strings, several in one value, ints, bools; untagged values stay literal") {
        const auto path = write_scratch("leaf-env.yaml", "Ec2:\n"
                                                         "  InstanceType: !ENV ${INSTANCE}\n"
                                                         "Container:\n"
                                                         "  Image: !ENV \"registry/${A}:${B}\"\n"
                                                         "  Ports:\n"
                                                         "    - UDP: !ENV ${PORT}\n"
                                                         "  Environment:\n"
                                                         "    BOTH: !ENV ${A} and ${B} and ${NOPE}\n"
                                                         "    UNSET: !ENV ${NOPE}\n"
                                                         "    ENV_BOOL: !ENV ${YES}\n"
                                                         "    LITERAL: ${A}\n"
                                                         "Volumes:\n"
                                                         "  - EnableBackups: !ENV ${YES}\n"
                                                         "    Paths:\n"
                                                         "      - Path: !ENV /srv/${A}\n"
                                                         "Watchdog:\n"
                                                         "  Threshold: !ENV ${PORT}\n");
        const auto leaf = load_leaf_config(
            path, Maturity::Devel,
            fake_environment(
                {{"A", "Alpha"}, {"B", "Beta"}, {"PORT", "2456"}, {"YES", "true"}, {"INSTANCE", "t4g.nano"}}));
        CHECK(leaf.ec2.instance_type == "t4g.nano");
        CHECK(leaf.container.image == "registry/alpha:beta"); // lower-cased after substitution
        REQUIRE(leaf.container.ports.size() == 1);
        CHECK(leaf.container.ports[0].port == 2456);
        const std::vector<std::pair<std::string, std::string>> expected_env{
            {"BOTH", "Alpha and Beta and UNDECLARED"},
            {"UNSET", "UNDECLARED"},
            {"ENV_BOOL", "true"}, // a substituted value is a string, not a YAML boolean
            {"LITERAL", "${A}"},
        };
        CHECK(env_pairs(leaf) == expected_env);
        REQUIRE(leaf.volumes.size() == 1);
        CHECK(leaf.volumes[0].enable_backups); // devel default is false; !ENV gave true
        CHECK(leaf.volumes[0].paths.at(0).path == "/srv/Alpha");
        CHECK(leaf.watchdog.threshold == 2456);
    }
}

TEST_CASE("Environment values: every YAML boolean spelling becomes True/False, everything else is kept",
          "[config][leaf]") {
    const auto path = write_scratch("leaf-env-values.yaml", "Ec2: {InstanceType: t3.micro}\n"
                                                            "Container:\n"
                                                            "  Image: Nginx\n"
                                                            "  Ports: [{TCP: 80}, {tcp: 443}]\n"
                                                            "  Environment:\n"
                                                            "    A: true\n"
                                                            "    B: FALSE\n"
                                                            "    C: yes\n"
                                                            "    D: Off\n"
                                                            "    E: \"true\"\n"
                                                            "    F: 'yes'\n"
                                                            "    G: 42\n"
                                                            "    H: 0.50\n"
                                                            "    I: y\n"
                                                            "    J: !!str on\n"
                                                            "    K: \"\"\n"
                                                            "    L: two words\n"
                                                            "Watchdog:\n"
                                                            "  Threshold: 0\n");
    const auto leaf = load_leaf_config(path, Maturity::Prod, fake_environment({}));
    const std::vector<std::pair<std::string, std::string>> expected_env{
        {"A", "True"}, {"B", "False"}, {"C", "True"}, {"D", "False"}, {"E", "true"}, {"F", "yes"},
        {"G", "42"},   {"H", "0.50"},  {"I", "y"},    {"J", "on"},    {"K", ""},     {"L", "two words"},
    };
    CHECK(env_pairs(leaf) == expected_env);
    CHECK(leaf.container.image == "nginx");
    REQUIRE(leaf.container.ports.size() == 2);
    CHECK(leaf.container.ports[1].protocol == PortProtocol::Tcp);
    CHECK(leaf.container.ports[1].port == 443);
    CHECK(leaf.watchdog.threshold == 0);
    CHECK(leaf.volumes.empty());
}

TEST_CASE("leaf config: every optional key set", "[config][leaf]") {
    const auto path = write_scratch("leaf-full.yaml", "Ec2:\n"
                                                      "  InstanceType: c7i.metal-24xl\n"
                                                      "Container:\n"
                                                      "  Image: ghcr.io/Example/Server:1.0\n"
                                                      "  Ports:\n"
                                                      "    - TCP: 1\n"
                                                      "    - UDP: 65535\n"
                                                      "    - UDP: 1\n"
                                                      "  StopTimeoutSeconds: 45\n"
                                                      "Volumes:\n"
                                                      "  - Type: efs\n"
                                                      "    EnableBackups: false\n"
                                                      "    KeepOnDelete: true\n"
                                                      "    Paths:\n"
                                                      "      - Path: /a\n"
                                                      "        ReadOnly: true\n"
                                                      "      - Path: /b\n"
                                                      "Watchdog:\n"
                                                      "  MinutesWithoutConnections: 2\n"
                                                      "  Threshold: 100\n"
                                                      "  InstanceLeftUp:\n"
                                                      "    DurationHours: 1\n"
                                                      "    ShouldStop: yes\n"
                                                      "AlertSubscription:\n"
                                                      "  - Lambda: arn:aws:lambda:us-west-2:123456789012:function:f\n"
                                                      "Dashboard:\n"
                                                      "  Enabled: false\n"
                                                      "  IntervalMinutes: 1\n"
                                                      "  ShowContainerTimestamp: false\n");
    const auto leaf = load_leaf_config(path, Maturity::Prod, fake_environment({}));
    CHECK(leaf.ec2.instance_type == "c7i.metal-24xl");
    CHECK(leaf.container.image == "ghcr.io/example/server:1.0");
    CHECK(leaf.container.ports.size() == 3); // same port on TCP and UDP is fine
    CHECK(leaf.container.stop_timeout_seconds == 45);
    REQUIRE(leaf.volumes.size() == 1);
    CHECK(leaf.volumes[0].location.line == 11);
    CHECK(leaf.volumes[0].location.column == 5);
    CHECK_FALSE(leaf.volumes[0].enable_backups);
    CHECK(leaf.volumes[0].keep_on_delete);
    REQUIRE(leaf.volumes[0].paths.size() == 2);
    CHECK(leaf.volumes[0].paths[0].read_only);
    CHECK_FALSE(leaf.volumes[0].paths[1].read_only);
    CHECK(leaf.volumes[0].paths[1].location.line == 17);
    CHECK(leaf.watchdog.minutes_without_connections == 2);
    CHECK(leaf.watchdog.threshold == 100);
    CHECK(leaf.watchdog.instance_left_up.duration_hours == 1);
    CHECK(leaf.watchdog.instance_left_up.should_stop);
    REQUIRE(leaf.alert_subscriptions.size() == 1);
    CHECK(leaf.alert_subscriptions[0].protocol == "lambda");
    CHECK(leaf.alert_subscriptions[0].endpoint == "arn:aws:lambda:us-west-2:123456789012:function:f");
    CHECK_FALSE(leaf.dashboard.enabled);
    CHECK(leaf.dashboard.interval_minutes == 1);
    CHECK_FALSE(leaf.dashboard.show_container_timestamp);
}

TEST_CASE("maturity names", "[config][names]") {
    CHECK(to_string(Maturity::Prod) == "prod");
    CHECK(to_string(Maturity::Devel) == "devel");
    CHECK(parse_maturity("prod") == Maturity::Prod);
    CHECK(parse_maturity("Devel") == Maturity::Devel);
    CHECK_THROWS_AS(parse_maturity("staging"), leafsynth::InputError);
    CHECK_THROWS_WITH(parse_maturity("staging"), Catch::Contains("'staging'") && Catch::Contains("'prod' or 'devel'"));
}
