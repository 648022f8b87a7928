// Validation: every problem of a file in one error, each with file:line:column and key path.

#include "support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace leafsynth::containermanager;
using config_tests::data_file;
using config_tests::fake_environment;
using config_tests::problems_of;
using config_tests::write_scratch;

namespace {

std::vector<std::string> leaf_problems(const std::string& path, Maturity maturity = Maturity::Prod) {
    return problems_of([&] { load_leaf_config(path, maturity, fake_environment({})); });
}

std::vector<std::string> base_problems(const std::string& path) {
    return problems_of([&] { load_base_config(path, fake_environment({})); });
}

/// Prefixes every line with `file:`.
std::vector<std::string> in_file(const std::string& file, const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        out.push_back(file + ":" + l);
    return out;
}

} // namespace

TEST_CASE("a leaf config with many problems: one error lists them all, in file order", "[config][errors]") {
    const std::string file = data_file("bad-leaf.yaml");
    const std::vector<std::string> expected = in_file(
        file,
        {
            "3:17: Ec2.InstanceType: instance type 'M5.Large' is not valid; did you mean 'm5.large'? (instance types "
            "are lower-case)",
            "8:12: Container.Ports[1].TCP: port 25565/TCP is already listed at line 7 (Container.Ports[0]); remove one "
            "of them",
            "9:12: Container.Ports[2].UDP: must be a port number from 1 to 65535, found 70000; use the port the server "
            "listens on",
            "10:7: Container.Ports[3].TPC: unknown protocol 'TPC'; did you mean 'TCP'?",
            "11:7: Container.Ports[4].QUIC: unknown protocol 'QUIC'; use TCP or UDP",
            "14:11: Container.Environment.LIST: expected a text value, found a list; write the value on the key's "
            "line, in quotes if it starts with '[' or '{'",
            "16:11: Volumes[0].Type: unsupported volume type 'S3'; only EFS is supported (the default), remove the key "
            "or write 'EFS'",
            "17:20: Volumes[0].EnableBackups: expected true or false, found 'maybe'; write true or false",
            "21:15: Volumes[1].Paths[0].Path: the path 'relative/dir' is not absolute; start it with '/', e.g. "
            "'/relative/dir'",
            "22:19: Volumes[1].Paths[0].ReadOnly: expected true or false, found the quoted text 'true'; write true or "
            "false without quotes",
            "23:9: Volumes[1].Paths[0].Mode: unknown key; the keys allowed under Volumes[1].Paths[0] are Path, "
            "ReadOnly",
            "24:1: Watchdog.Threshold: required key is missing; add 'Threshold: <bytes per second>' under Watchdog",
            "25:30: Watchdog.MinutesWithoutConnections: must be from 2 to 1440, found 1; use 2 or more minutes, at "
            "most a day (the alarm watches 1-minute periods)",
            "26:3: Watchdog.Treshold: unknown key; did you mean 'Threshold'?",
            "28:20: Watchdog.InstanceLeftUp.DurationHours: must be from 1 to 24, found 0; use 1 or more hours, at "
            "most a day (the alarm watches 1-minute periods)",
            "30:5: AlertSubscription[0].Emial: unknown SNS protocol 'Emial'; did you mean 'Email'?",
            "31:5: AlertSubscription[1].Pigeon: unknown SNS protocol 'Pigeon'; use one of Email, Email-JSON, SMS, "
            "HTTP, HTTPS, SQS, Lambda, Application, Firehose",
            "33:3: Dashboard: expected a map (keys: Enabled, IntervalMinutes, ShowContainerTimestamp), found a list; "
            "remove the '- ' in front of the keys",
            "34:1: Extra: unknown key; the keys allowed at the top level are Ec2, Container, Volumes, Watchdog, "
            "AlertSubscription, Dashboard",
        });

    // One exception, an InputError, whose message is exactly those lines.
    std::string message;
    try {
        load_leaf_config(file, Maturity::Prod, fake_environment({}));
        FAIL("the bad leaf config loaded");
    } catch (const leafsynth::InputError& e) {
        message = e.what();
        const auto* config_error = dynamic_cast<const ConfigError*>(&e);
        REQUIRE(config_error != nullptr);
        REQUIRE(config_error->problems().size() == expected.size());
        CHECK(config_error->problems()[3].key_path == "Container.Ports[3].TPC");
        CHECK(config_error->problems()[3].location.line == 10);
        CHECK(config_error->problems()[3].location.column == 7);
        CHECK(config_error->problems()[3].location.file == file);
    }
    std::string expected_message;
    for (const auto& line : expected)
        expected_message += (expected_message.empty() ? "" : "\n") + line;
    CHECK(message == expected_message);
    CHECK(leaf_problems(file) == expected);
    // The devel maturity changes defaults, not validation.
    CHECK(leaf_problems(file, Maturity::Devel) == expected);
}

TEST_CASE("a base config with several problems", "[config][errors]") {
    const std::string file = data_file("bad-base.yaml");
    CHECK(base_problems(file) ==
          in_file(
              file,
              {
                  "3:3: Vpc.MaxAzs: unknown key; did you mean 'MaxAZs'?",
                  "4:33: Vpc.RestrictDefaultSecurityGroup: expected true or false, found 'maybe'; write true or false",
                  "5:1: Domain.Name: required key is missing; add 'Name: <your domain, e.g. example.com>' under Domain",
                  "7:3: Domain.name: unknown key; did you mean 'Name'?",
                  "9:3: AlertSubscription: expected a list (of one-key maps such as '- Email: me@example.com'), found "
                  "a map; start each entry with '- '",
              }));
}

TEST_CASE("a missing file, a directory, an empty file", "[config][errors]") {
    const std::string missing = (std::filesystem::path(LEAFSYNTH_CONFIG_SCRATCH_DIR) / "does-not-exist.yaml").string();
    CHECK(leaf_problems(missing) == std::vector<std::string>{missing + ": config file not found; check the path"});
    CHECK(base_problems(missing) == std::vector<std::string>{missing + ": config file not found; check the path"});
    CHECK_THROWS_AS(load_base_config(missing, fake_environment({})), leafsynth::InputError);

    const auto relative = leaf_problems("no-such-dir/leaf.yaml");
    REQUIRE(relative.size() == 1);
    CHECK_THAT(relative[0], Catch::StartsWith("no-such-dir/leaf.yaml: config file not found; check the path (it is "
                                              "relative to the current directory "));

    const std::string dir = data_file("shared");
    CHECK(leaf_problems(dir) ==
          std::vector<std::string>{dir + ": is a directory, not a config file; give the path of a .yaml file"});

    const auto empty = write_scratch("empty.yaml", "# only a comment\n");
    CHECK(base_problems(empty) ==
          std::vector<std::string>{empty + ":1:1: the config file is empty; see the documented keys"});
}

TEST_CASE("YAML syntax errors are reported with file:line:column", "[config][errors]") {
    const auto unclosed = write_scratch("syntax-unclosed.yaml", "Ec2:\n  InstanceType: m5.large\nContainer:\n"
                                                                "  Image: [a, b\n  Ports: 1\n");
    CHECK(leaf_problems(unclosed) ==
          std::vector<std::string>{unclosed + ":5:8: YAML syntax error: end of sequence flow not found; fix the YAML "
                                              "syntax at this position"});

    const auto bad_indent = write_scratch("syntax-indent.yaml", "Domain:\n  Name: a.com\n    HostedZoneId: Z1\n");
    const auto problems = base_problems(bad_indent);
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Catch::StartsWith(bad_indent + ":3:") && Catch::Contains("YAML syntax error: "));

    const auto two_documents =
        write_scratch("two-documents.yaml", "Domain:\n  Name: a.com\n---\nDomain:\n  Name: b.com\n");
    CHECK(base_problems(two_documents) ==
          std::vector<std::string>{two_documents + ":3:1: a second YAML document starts here; a config file holds one "
                                                   "document, remove the '---' separator and what follows or merge it "
                                                   "into the first"});

    // yaml-cpp's LoadAll never returns on a ',' outside a flow collection (found by fuzzing): each
    // is one located error, after a complete top-level node as at the start of a document.
    const std::vector<std::pair<std::string, std::string>> commas = {
        {",\n", ":1:1:"},           {"[a]\n,\n", ":2:1:"},      {"- a\n,\n", ":2:1:"},
        {"\"x\"\n,\n", ":2:1:"},    {"&a ,\n", ":1:4:"},         {"Domain:\n  Name: a.com\n---\n,\n", ":4:1:"},
        {"--- ,\n", ":1:5:"},        {"# c\n  , x\n", ":2:3:"}};
    int n = 0;
    for (const auto& [text, where] : commas) {
        const auto path = write_scratch("stray-comma-" + std::to_string(n++) + ".yaml", text);
        CHECK(base_problems(path) ==
              std::vector<std::string>{path + where + " YAML syntax error: a ',' outside any [ ] list or { } map; "
                                                      "remove it"});
    }
}

TEST_CASE("wrong shapes: top level, sections, duplicates, tags", "[config][errors]") {
    SECTION("a list at the top level") {
        const auto file = write_scratch("top-list.yaml", "- Domain: a.com\n");
        CHECK(base_problems(file) ==
              std::vector<std::string>{file + ":1:1: expected a map (keys: Vpc, Domain, AlertSubscription), found a "
                                              "list; remove the '- ' in front of the keys"});
    }
    SECTION("required sections missing or empty") {
        const auto file = write_scratch("only-dashboard.yaml", "Dashboard:\n  Enabled: true\nEc2:\n");
        CHECK(leaf_problems(file) ==
              in_file(file, {
                                "1:1: Container: required section is missing; add 'Container:' at the top level with "
                                "'Image: <image>' and 'Ports: <list of ports>' indented below it",
                                "1:1: Watchdog: required section is missing; add 'Watchdog:' at the top level with "
                                "'Threshold: <bytes per second>' indented below it",
                                "3:1: Ec2: section is empty; add 'InstanceType: <e.g. m5.large>' indented below it",
                            }));
    }
    SECTION("duplicate keys and unsupported tags") {
        const auto file = write_scratch(
            "duplicates.yaml", "Domain:\n  Name: a.com\n  Name: b.com\n  HostedZoneId: !Ref Zone\nDomain: {}\n");
        CHECK(base_problems(file) ==
              in_file(file, {
                                "3:3: Domain.Name: duplicate key (first given at line 2); remove one of them",
                                "4:17: Domain.HostedZoneId: unsupported tag '!Ref'; the only tag allowed is !ENV",
                                "5:1: Domain: duplicate key (first given at line 1); remove one of them",
                            }));
    }
    SECTION("a scalar where a map is expected, and an invalid domain name") {
        const auto file = write_scratch("scalar-section.yaml", "Vpc: 2\nDomain:\n  Name: Bad_Domain..com\n");
        CHECK(base_problems(file) ==
              in_file(file, {
                                "1:6: Vpc: expected a map (keys: MaxAZs, RestrictDefaultSecurityGroup), found the "
                                "value '2'; write a map on the lines below the key, indented",
                                "3:9: Domain.Name: the domain name 'Bad_Domain..com' is not valid; use letters, "
                                "digits, '-' and dots, e.g. 'example.com'",
                            }));
    }
}

TEST_CASE("wrong values: types, ranges, empties, duplicates", "[config][errors]") {
    const auto file = write_scratch("misc-values.yaml", "Ec2:\n"
                                                        "  InstanceType: large\n"
                                                        "Container:\n"
                                                        "  Image:\n"
                                                        "  Ports: []\n"
                                                        "  Environment:\n"
                                                        "    A:\n"
                                                        "    B: ok\n"
                                                        "    B: again\n"
                                                        "Volumes:\n"
                                                        "  - Paths:\n"
                                                        "      - Path: /data\n"
                                                        "  - Paths:\n"
                                                        "      - Path: /data/\n"
                                                        "  - Paths: []\n"
                                                        "  - KeepOnDelete: 1\n"
                                                        "Watchdog:\n"
                                                        "  Threshold: 12.5\n"
                                                        "  MinutesWithoutConnections: \"5\"\n"
                                                        "  InstanceLeftUp:\n"
                                                        "    DurationHours: 99999999999999999999\n"
                                                        "AlertSubscription:\n"
                                                        "  - Email: a@b.c\n"
                                                        "    SMS: \"+1555\"\n"
                                                        "  - Email:\n"
                                                        "  - Lambda: \"\"\n"
                                                        "Dashboard:\n"
                                                        "  IntervalMinutes: -3\n");
    CHECK(leaf_problems(file) ==
          in_file(
              file,
              {
                  "2:17: Ec2.InstanceType: instance type 'large' is not of the form family.size; write e.g. 'm5.large' "
                  "or 't4g.nano'",
                  "4:3: Container.Image: has no value; write an image name or remove the key",
                  "5:10: Container.Ports: no ports given; list at least one, e.g. '- TCP: 25565'",
                  "7:5: Container.Environment.A: has no value; write a value, or \"\" for an empty one",
                  "9:5: Container.Environment.B: duplicate variable (first given at line 8); remove one of them",
                  "14:15: Volumes[1].Paths[0].Path: the path '/data/' is already mounted at line 12 "
                  "(Volumes[0].Paths[0].Path); mount each path once",
                  "15:12: Volumes[2].Paths: no paths given; list at least one, e.g. '- Path: /data'",
                  "16:5: Volumes[3].Paths: required key is missing; add 'Paths: [{Path: /data}]' under Volumes[3]",
                  "16:19: Volumes[3].KeepOnDelete: expected true or false, found '1'; write true or false",
                  "18:14: Watchdog.Threshold: expected a whole number, found '12.5'; write a number such as 1",
                  "19:30: Watchdog.MinutesWithoutConnections: expected a whole number, found the quoted text '5'; "
                  "remove the quotes",
                  "21:20: Watchdog.InstanceLeftUp.DurationHours: must be from 1 to 24, found "
                  "99999999999999999999; use 1 or more hours, at most a day (the alarm watches 1-minute periods)",
                  "23:5: AlertSubscription[0]: expected one 'Protocol: endpoint' pair, found 2; put each subscription "
                  "in its own list entry",
                  "25:5: AlertSubscription[1].Email: has no value; write the endpoint or remove the key",
                  "26:13: AlertSubscription[2].Lambda: the endpoint is empty; write the address, URL or ARN to notify",
                  "28:20: Dashboard.IntervalMinutes: must be more than 0, found -3; use 1 or more (minutes)",
              }));
}

TEST_CASE("!ENV values are validated after substitution", "[config][errors][env]") {
    const auto file = write_scratch("env-invalid.yaml", "Vpc:\n"
                                                        "  MaxAZs: !ENV ${AZS}\n"
                                                        "  RestrictDefaultSecurityGroup: !ENV ${RESTRICT}\n"
                                                        "Domain:\n"
                                                        "  Name: !ENV ${DOMAIN}\n");
    CHECK(
        problems_of([&] {
            load_base_config(file, fake_environment({{"AZS", "two"}, {"RESTRICT", "sure"}, {"DOMAIN", "x.y"}}));
        }) ==
        in_file(file,
                {
                    "2:11: Vpc.MaxAZs: expected a whole number, found 'two' (from !ENV); write a number such as 1",
                    // A value from !ENV (often a password) is never echoed; 'two' is too short to hide.
                    "3:33: Vpc.RestrictDefaultSecurityGroup: expected true or false, found '<the value of !ENV "
                    "${RESTRICT}>'; write true or false",
                }));
    const auto ok = load_base_config(file, fake_environment({{"AZS", " 2 "}, {"RESTRICT", "off"}, {"DOMAIN", "x.y"}}));
    CHECK(ok.vpc.max_azs == 2);
    CHECK_FALSE(ok.vpc.restrict_default_security_group);
}

TEST_CASE("did-you-mean: near misses by case or up to two edits, else the allowed keys", "[config][errors]") {
    const auto file = write_scratch("near-misses.yaml", "Ec2:\n"
                                                        "  instancetype: m5.large\n"
                                                        "Container:\n"
                                                        "  Imgae: nginx\n"
                                                        "  Ports: [{TCP: 80}]\n"
                                                        "  Enviroment: {}\n"
                                                        "Watchdog:\n"
                                                        "  Threshold: 10\n"
                                                        "  InstanceLeftUp: {DurationHour: 2, Stop: true}\n"
                                                        "Dashbaord: {}\n"
                                                        "Volume: []\n");
    CHECK(leaf_problems(file) ==
          in_file(file,
                  {
                      "1:1: Ec2.InstanceType: required key is missing; add 'InstanceType: <e.g. m5.large>' under Ec2",
                      "2:3: Ec2.instancetype: unknown key; did you mean 'InstanceType'?",
                      "3:1: Container.Image: required key is missing; add 'Image: <registry/name:tag>' under Container",
                      "4:3: Container.Imgae: unknown key; did you mean 'Image'?",
                      "6:3: Container.Enviroment: unknown key; did you mean 'Environment'?",
                      "9:20: Watchdog.InstanceLeftUp.DurationHour: unknown key; did you mean 'DurationHours'?",
                      "9:37: Watchdog.InstanceLeftUp.Stop: unknown key; the keys allowed under Watchdog.InstanceLeftUp "
                      "are DurationHours, ShouldStop",
                      "10:1: Dashbaord: unknown key; did you mean 'Dashboard'?",
                      "11:1: Volume: unknown key; did you mean 'Volumes'?",
                  }));
}

TEST_CASE("config: volume paths must fit an EFS access point") {
    auto dir = std::filesystem::temp_directory_path() / "leafsynth-efs-paths";
    std::filesystem::create_directories(dir);
    auto file = dir / "deep.yaml";
    std::ofstream(file) << "Ec2:\n  InstanceType: m5.large\nContainer:\n  Image: x\n  Ports:\n    - TCP: 1\n"
                           "Volumes:\n  - Paths:\n      - Path: /root/.local/share\n      - Path: /a/b/c/d/e\n      - Path: /a/b/c/d\n"
                           "Watchdog:\n  Threshold: 1\n";
    try {
        leafsynth::containermanager::load_leaf_config(file.string(), leafsynth::containermanager::Maturity::Prod);
        FAIL("expected a ConfigError");
    } catch (const leafsynth::containermanager::ConfigError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK_THAT(e.problems()[0].to_string(),
                   Catch::Contains(":9:15: Volumes[0].Paths[0].Path: the path '/root/.local/share' has a component starting with '.'"));
        CHECK_THAT(e.problems()[1].to_string(),
                   Catch::Contains(":10:15: Volumes[0].Paths[1].Path: the path '/a/b/c/d/e' has 5 components, more than 4"));
    }
}

TEST_CASE("Container.StopTimeoutSeconds: a whole number of seconds ECS accepts", "[config][errors]") {
    const std::string head = "Ec2:\n  InstanceType: m5.large\nContainer:\n  Image: nginx\n  Ports:\n    - TCP: 80\n"
                             "  StopTimeoutSeconds: ";
    const std::string tail = "\nWatchdog:\n  Threshold: 10\n";
    struct Case {
        const char* value;
        const char* problem;
    };
    const Case cases[] = {
        {"1", "7:23: Container.StopTimeoutSeconds: must be from 2 to 120 (what ECS allows), found 1; use the seconds "
              "the server needs to save and exit after SIGTERM, at most 120"},
        {"121", "7:23: Container.StopTimeoutSeconds: must be from 2 to 120 (what ECS allows), found 121; use the "
                "seconds the server needs to save and exit after SIGTERM, at most 120"},
        {"1.5", "7:23: Container.StopTimeoutSeconds: expected a whole number, found '1.5'; write a number such as 2"},
        {"\"60\"", "7:23: Container.StopTimeoutSeconds: expected a whole number, found the quoted text '60'; remove "
                   "the quotes"},
    };
    for (const auto& c : cases) {
        INFO(c.value);
        const auto file = write_scratch("stop-timeout.yaml", head + c.value + tail);
        CHECK(leaf_problems(file) == in_file(file, {c.problem}));
    }
    const auto near = write_scratch("stop-timeout-typo.yaml", head.substr(0, head.size() - 22) +
                                                               "  StopTimeoutSecond: 30" + tail);
    const auto problems = leaf_problems(near);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("Container.StopTimeoutSecond: unknown key") != std::string::npos);
    CHECK(problems[0].find("did you mean 'StopTimeoutSeconds'?") != std::string::npos);
}
