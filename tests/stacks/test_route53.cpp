// The Route 53 constructs: public hosted zones (with and without query logging) and record sets.
#include <catch2/catch.hpp>

#include "leafsynth/aws/route53.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::aws::route53;
using unit::json;

TEST_CASE("fully qualified names end with exactly one dot", "[route53]") {
    CHECK(fully_qualified("example.com") == "example.com.");
    CHECK(fully_qualified("example.com.") == "example.com.");
    CHECK(fully_qualified("example.com..") == "example.com.");
}

TEST_CASE("a public hosted zone and its records", "[route53]") {
    App app;
    Stack stack(app, "Dns", StackProps{"Dns", {}, {"", "us-east-1"}});
    auto& logs = make<CfnResource>(stack, "Logs", "AWS::Logs::LogGroup", Map{{"RetentionInDays", 1}});
    auto& zone = make<PublicHostedZone>(stack, "Zone",
                                        HostedZoneProps{"sub.example.com.", "a comment", logs.get_att("Arn"),
                                                        RemovalPolicy::Destroy});
    auto& plain = make<PublicHostedZone>(stack, "Plain", HostedZoneProps{"other.example.org", {}, {}, RemovalPolicy::Retain});
    CHECK(zone.zone_name() == "sub.example.com");
    CHECK(zone.hosted_zone_id() == zone.resource().ref());
    CHECK(zone.name_servers() == zone.resource().get_att("NameServers"));
    make<RecordSet>(stack, "Ns", RecordSetProps{plain.hosted_zone_id(), "sub.other.example.org", "NS", zone.name_servers(), 300});
    make<RecordSet>(stack, "A", RecordSetProps{zone.hosted_zone_id(), "sub.example.com", "A", List{"0.0.0.0"}, 1});
    Assembly a = unit::synth_and_emit(app, "route53-zones");
    json t = unit::template_of(a);

    const json& z = t["Resources"][zone.resource().logical_id()];
    CHECK(z["Type"] == "AWS::Route53::HostedZone");
    CHECK(z["Properties"]["Name"] == "sub.example.com.");
    CHECK(z["Properties"]["HostedZoneConfig"] == json{{"Comment", "a comment"}});
    CHECK(z["Properties"]["QueryLoggingConfig"] ==
          json{{"CloudWatchLogsLogGroupArn", {{"Fn::GetAtt", {logs.logical_id(), "Arn"}}}}});
    CHECK(z["DeletionPolicy"] == "Delete");

    const json& p = t["Resources"][plain.resource().logical_id()];
    CHECK(p["Properties"]["Name"] == "other.example.org.");
    CHECK_FALSE(p["Properties"].contains("HostedZoneConfig"));
    CHECK_FALSE(p["Properties"].contains("QueryLoggingConfig"));
    CHECK(p["DeletionPolicy"] == "Retain");

    int records = 0;
    for (const auto& [id, r] : t["Resources"].items()) {
        if (r["Type"] != "AWS::Route53::RecordSet") continue;
        ++records;
        const json& props = r["Properties"];
        if (props["Type"] == "NS") {
            CHECK(props["HostedZoneId"] == json{{"Ref", plain.resource().logical_id()}});
            CHECK(props["Name"] == "sub.other.example.org.");
            CHECK(props["ResourceRecords"] == json{{"Fn::GetAtt", {zone.resource().logical_id(), "NameServers"}}});
            CHECK(props["TTL"] == "300");
        } else {
            CHECK(props["Type"] == "A");
            CHECK(props["HostedZoneId"] == json{{"Ref", zone.resource().logical_id()}});
            CHECK(props["ResourceRecords"] == json::array({"0.0.0.0"}));
            CHECK(props["TTL"] == "1");
        }
        CHECK(r["DeletionPolicy"] == "Delete");
    }
    CHECK(records == 2);
}

TEST_CASE("Route 53 input checks", "[route53]") {
    App app;
    Stack stack(app, "Bad", StackProps{"Bad", {}, {"", "us-east-1"}});
    CHECK_THROWS_AS(make<PublicHostedZone>(stack, "NoName", HostedZoneProps{"", "", {}, RemovalPolicy::Destroy}), InputError);
    CHECK_THROWS_AS(make<PublicHostedZone>(stack, "Dot", HostedZoneProps{".", "", {}, RemovalPolicy::Destroy}), InputError);
    CHECK_THROWS_AS(make<PublicHostedZone>(stack, "Long", HostedZoneProps{"a.com", std::string(257, 'x'), {}, RemovalPolicy::Destroy}),
                    InputError);
    CHECK_THROWS_AS(make<RecordSet>(stack, "NoZone", RecordSetProps{{}, "a.com", "A", List{"1.2.3.4"}, 60}), InputError);
    CHECK_THROWS_AS(make<RecordSet>(stack, "NoType", RecordSetProps{"Z1", "a.com", "", List{"1.2.3.4"}, 60}), InputError);
    CHECK_THROWS_AS(make<RecordSet>(stack, "NoName", RecordSetProps{"Z1", "", "A", List{"1.2.3.4"}, 60}), InputError);
    CHECK_THROWS_AS(make<RecordSet>(stack, "NoValues", RecordSetProps{"Z1", "a.com", "A", List{}, 60}), InputError);
    CHECK_THROWS_AS(make<RecordSet>(stack, "Negative", RecordSetProps{"Z1", "a.com", "A", List{"1.2.3.4"}, -1}), InputError);
}
