// The Vpc and KeyPair constructs: subnet blocks, zones, routes, the shared provider of the
// default-security-group restriction and its least-privilege policy, input checks; and the inline
// Python code of that provider run against moto (python3 with boto3 and moto, as the Lambda tests).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "leafsynth/aws/vpc.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/stack.hpp"
#include "support.hpp"

using namespace leafsynth;
using namespace leafsynth::aws::ec2;
using unit::json;

namespace {

std::map<std::string, json> resources_by_type(const json& t, const std::string& type) {
    std::map<std::string, json> out;
    for (const auto& [id, r] : t["Resources"].items())
        if (r["Type"] == type) out[id] = r;
    return out;
}

} // namespace

TEST_CASE("split_cidr divides a block evenly, as CDK does", "[vpc]") {
    CHECK(split_cidr("10.0.0.0/16", 1) == std::vector<std::string>{"10.0.0.0/16"});
    CHECK(split_cidr("10.0.0.0/16", 2) == std::vector<std::string>{"10.0.0.0/17", "10.0.128.0/17"});
    CHECK(split_cidr("10.0.0.0/16", 3) == std::vector<std::string>{"10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"});
    CHECK(split_cidr("10.0.0.0/16", 4).back() == "10.0.192.0/18");
    CHECK(split_cidr("10.0.0.0/16", 5) ==
          std::vector<std::string>{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19"});
    CHECK(split_cidr("192.168.4.0/24", 2) == std::vector<std::string>{"192.168.4.0/25", "192.168.4.128/25"});
    // Host bits of the block are ignored.
    CHECK(split_cidr("10.1.2.3/16", 2).front() == "10.1.0.0/17");
    CHECK_THROWS_AS(split_cidr("10.0.0.0/26", 8), InputError); // /29 subnets
    CHECK_THROWS_AS(split_cidr("10.0.0/16", 1), InputError);
    CHECK_THROWS_AS(split_cidr("10.0.0.300/16", 1), InputError);
    CHECK_THROWS_AS(split_cidr("10.0.0.0/33", 1), InputError);
    CHECK_THROWS_AS(split_cidr("10.0.0.0/16x", 1), InputError);
    CHECK_THROWS_AS(split_cidr("10.0.0.0/16", 0), InputError);
}

TEST_CASE("a Vpc: one public subnet per zone, routes through the internet gateway", "[vpc]") {
    App app;
    Stack stack(app, "Net", StackProps{"Net", {}, {"123456789012", "ap-southeast-2"}});
    auto& vpc = make<Vpc>(stack, "Vpc", VpcProps{"10.20.0.0/16", 2, "Public", true});
    REQUIRE(vpc.public_subnets().size() == 2);
    CHECK(vpc.public_subnets()[1]->cidr() == "10.20.128.0/17");
    CHECK(vpc.public_subnet_ids()[0] == vpc.public_subnets()[0]->subnet().ref());
    CHECK(vpc.restrict_default_security_group() != nullptr);
    Assembly a = unit::synth_and_emit(app, "vpc-two-zones");
    json t = unit::template_of(a);

    auto subnets = resources_by_type(t, "AWS::EC2::Subnet");
    REQUIRE(subnets.size() == 2);
    std::map<int, std::string> zones;
    for (const auto& [id, s] : subnets) {
        zones[s["Properties"]["AvailabilityZone"]["Fn::Select"][0].get<int>()] = s["Properties"]["CidrBlock"];
        CHECK(s["Properties"]["AvailabilityZone"]["Fn::Select"][1] == json{{"Fn::GetAZs", ""}});
    }
    CHECK(zones == std::map<int, std::string>{{0, "10.20.0.0/17"}, {1, "10.20.128.0/17"}});

    // Each subnet: its own route table, associated, with a default route via the attached gateway.
    auto tables = resources_by_type(t, "AWS::EC2::RouteTable");
    auto routes = resources_by_type(t, "AWS::EC2::Route");
    auto associations = resources_by_type(t, "AWS::EC2::SubnetRouteTableAssociation");
    REQUIRE(tables.size() == 2);
    REQUIRE(routes.size() == 2);
    REQUIRE(associations.size() == 2);
    const std::string igw = resources_by_type(t, "AWS::EC2::InternetGateway").begin()->first;
    const std::string attachment = resources_by_type(t, "AWS::EC2::VPCGatewayAttachment").begin()->first;
    for (const auto& [id, r] : routes) {
        CHECK(r["Properties"]["GatewayId"] == json{{"Ref", igw}});
        CHECK(r["Properties"]["DestinationCidrBlock"] == "0.0.0.0/0");
        CHECK(r["DependsOn"] == json::array({attachment}));
        CHECK(tables.count(r["Properties"]["RouteTableId"]["Ref"].get<std::string>()) == 1);
    }
    for (const auto& [id, r] : associations) {
        CHECK(tables.count(r["Properties"]["RouteTableId"]["Ref"].get<std::string>()) == 1);
        CHECK(subnets.count(r["Properties"]["SubnetId"]["Ref"].get<std::string>()) == 1);
    }
    CHECK(resources_by_type(t, "AWS::EC2::NatGateway").empty());
}

TEST_CASE("two Vpcs in one stack share one restriction provider, each group in its policy", "[vpc]") {
    App app;
    Stack stack(app, "TwoNets", StackProps{"TwoNets", {}, {"", "eu-west-1"}});
    make<Vpc>(stack, "A", VpcProps{});
    make<Vpc>(stack, "B", VpcProps{"10.1.0.0/16", 1, "Public", true});
    make<Vpc>(stack, "C", VpcProps{"10.2.0.0/16", 1, "Public", false});
    Assembly a = unit::synth_and_emit(app, "vpc-shared-provider");
    json t = unit::template_of(a);

    CHECK(resources_by_type(t, "AWS::Lambda::Function").size() == 1);
    auto roles = resources_by_type(t, "AWS::IAM::Role");
    REQUIRE(roles.size() == 1);
    const json statement = roles.begin()->second["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
    REQUIRE(statement["Resource"].size() == 2);
    std::set<std::string> groups;
    for (const auto& r : statement["Resource"]) groups.insert(r["Fn::Sub"][1]["GroupId"]["Fn::GetAtt"][0].get<std::string>());
    std::set<std::string> restricted; // the VPCs of A and B, not C
    for (const auto& [id, v] : resources_by_type(t, "AWS::EC2::VPC"))
        if (v["Properties"]["CidrBlock"] != "10.2.0.0/16") restricted.insert(id);
    CHECK(restricted.size() == 2);
    CHECK(groups == restricted);
    // No wildcard anywhere in the provider's permissions.
    CHECK(roles.begin()->second["Properties"]["Policies"].dump().find("\"*\"") == std::string::npos);

    auto custom = resources_by_type(t, "Custom::VpcRestrictDefaultSG");
    CHECK(custom.size() == 2); // not for C
    for (const auto& [id, r] : custom) {
        CHECK(r["DeletionPolicy"] == "Delete");
        CHECK(r["Properties"]["ServiceToken"]["Fn::GetAtt"][0] == resources_by_type(t, "AWS::Lambda::Function").begin()->first);
    }
}

TEST_CASE("Vpc and KeyPair input checks", "[vpc]") {
    App app;
    Stack stack(app, "Bad", StackProps{"Bad", {}, {"", "us-east-1"}});
    CHECK_THROWS_AS(make<Vpc>(stack, "Zero", VpcProps{"10.0.0.0/16", 0, "Public", true}), InputError);
    CHECK_THROWS_AS(make<Vpc>(stack, "Many", VpcProps{"10.0.0.0/16", 17, "Public", true}), InputError);
    CHECK_THROWS_AS(make<Vpc>(stack, "Big", VpcProps{"10.0.0.0/8", 1, "Public", true}), InputError);
    CHECK_THROWS_AS(make<Vpc>(stack, "Junk", VpcProps{"ten/16", 1, "Public", true}), InputError);
    CHECK_THROWS_AS(make<KeyPair>(stack, "NoName", KeyPairProps{}), InputError);
    auto& key = make<KeyPair>(stack, "Key", KeyPairProps{"my-key", "ed25519", "ppk"});
    CHECK(key.key_name() == key.resource().ref());
    CHECK(key.resource().properties().at("KeyType") == Value("ed25519"));
    CHECK(key.resource().properties().at("KeyFormat") == Value("ppk"));
}

// ------------------------------------------------------------------------------------------------
// The inline code against moto
// ------------------------------------------------------------------------------------------------

namespace {

/// Runs the handler (module file argv[1]) against moto with the default rules of a real default
/// security group, answering CloudFormation on a local HTTP server; prints one line per check.
constexpr const char* kDriver = R"PY(
import http.server, importlib.util, json, os, sys, threading
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                   "AWS_DEFAULT_REGION": "us-west-2", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
for v in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(v, None)
import boto3
from moto import mock_aws

class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
server.bodies = []
threading.Thread(target=server.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d/response" % server.server_address[1]

spec = importlib.util.spec_from_file_location("restrict", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
with mock_aws():
    spec.loader.exec_module(mod)
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                               {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    account = "123456789012"
    # A real default group also lets its members talk to each other.
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg, "UserId": account}]}])

    def rules():
        g = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
        return len(g["IpPermissions"]), len(g["IpPermissionsEgress"])

    def call(kind, group, physical=None):
        event = {"RequestType": kind, "ResponseURL": url, "StackId": "arn:aws:cloudformation:us-west-2:1:stack/S/x",
                 "RequestId": "r", "LogicalResourceId": "Restrict",
                 "ResourceProperties": {"ServiceToken": "t", "DefaultSecurityGroupId": group, "Account": account}}
        if physical:
            event["PhysicalResourceId"] = physical
        mod.handler(event, None)
        return server.bodies[-1]

    print("before", *rules())
    r = call("Create", sg)
    print("create", r["Status"], r["PhysicalResourceId"] == sg, *rules())
    r = call("Update", sg, sg)
    print("update", r["Status"], *rules())
    r = call("Delete", sg, sg)
    print("delete", r["Status"], *rules())
    r = call("Delete", sg, sg)
    print("delete-again", r["Status"], *rules())
    r = call("Create", "sg-0000000000000dead")
    print("create-missing", r["Status"], bool(r["Reason"]))
    r = call("Delete", "sg-0000000000000dead", "sg-0000000000000dead")
    print("delete-missing", r["Status"])
server.shutdown()
)PY";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("the default-security-group handler strips and restores the default rules (moto)", "[vpc][moto]") {
    const auto dir = unit::scratch_dir("restrict-default-sg");
    std::ofstream(dir / "restrict.py") << restrict_default_security_group_code();
    std::ofstream(dir / "driver.py") << kDriver;
    const std::string command = "python3 " + (dir / "driver.py").string() + " " + (dir / "restrict.py").string() + " > " +
                                (dir / "out.txt").string() + " 2> " + (dir / "err.txt").string();
    const int status = std::system(command.c_str());
    const std::string out = read_file(dir / "out.txt");
    INFO(out << read_file(dir / "err.txt"));
    REQUIRE(status == 0);
    CHECK(unit::has_line(out, "before 1 1"));
    CHECK(unit::has_line(out, "create SUCCESS True 0 0"));
    CHECK(unit::has_line(out, "update SUCCESS 0 0"));
    CHECK(unit::has_line(out, "delete SUCCESS 1 1"));
    CHECK(unit::has_line(out, "delete-again SUCCESS 1 1"));
    CHECK(unit::has_line(out, "create-missing FAILED True"));
    CHECK(unit::has_line(out, "delete-missing SUCCESS"));
}
