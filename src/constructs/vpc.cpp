#include "leafsynth/aws/vpc.hpp"

#include <array>
#include <cstdint>
#include <sstream>

#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/stack.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::aws::ec2 {

namespace {

/// The id of the per-stack provider of the default-security-group custom resource (as in CDK).
constexpr const char* kProviderId = "Custom::VpcRestrictDefaultSGCustomResourceProvider";

/// Inline Lambda code (ZipFile, at most 4096 bytes). It answers CloudFormation itself through the
/// pre-signed response URL, as the cross-region writer does, so it needs no module beyond boto3.
constexpr const char* kRestrictCode = R"PY(# leafsynth: removes the default rules of a VPC's default security group (inline Lambda code,
# Python 3.12). Properties: DefaultSecurityGroupId, Account. Delete puts the default rules back.
import json
import urllib.request

import boto3
from botocore.exceptions import ClientError


def _call(fn, sg, perms, ignore):
    try:
        fn(GroupId=sg, IpPermissions=perms)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ignore:
            raise


def _rules(sg, account):
    ingress = [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg, "UserId": account}]}]
    egress = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    return ingress, egress


def handler(event, context):
    kind = event["RequestType"]
    props = event.get("ResourceProperties", {})
    sg = props.get("DefaultSecurityGroupId", "")
    status, reason = "SUCCESS", ""
    try:
        ec2 = boto3.client("ec2")
        ingress, egress = _rules(sg, props.get("Account", ""))
        if kind == "Delete":
            gone = ("InvalidPermission.Duplicate", "InvalidGroup.NotFound")
            _call(ec2.authorize_security_group_ingress, sg, ingress, gone)
            _call(ec2.authorize_security_group_egress, sg, egress, gone)
        else:
            missing = ("InvalidPermission.NotFound",)
            _call(ec2.revoke_security_group_ingress, sg, ingress, missing)
            _call(ec2.revoke_security_group_egress, sg, egress, missing)
    except Exception as e:  # report, never hang the stack
        print(f"{kind} failed: {e}")
        if kind != "Delete":
            status, reason = "FAILED", str(e)[:500]
    physical = sg if kind != "Delete" and sg else event.get("PhysicalResourceId") or "none"
    body = json.dumps({
        "Status": status, "Reason": reason or "see CloudWatch Logs", "PhysicalResourceId": physical,
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"], "Data": {},
    }).encode()
    req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                 headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(req, timeout=30)
    return {"Status": status}
)PY";

/// Parses `a.b.c.d/p` into a 32-bit address and a prefix length.
std::pair<std::uint32_t, int> parse_cidr(const std::string& cidr) {
    std::array<unsigned, 4> octets{};
    unsigned prefix = 0;
    char dot1 = 0, dot2 = 0, dot3 = 0, slash = 0;
    std::istringstream in(cidr);
    in >> octets[0] >> dot1 >> octets[1] >> dot2 >> octets[2] >> dot3 >> octets[3] >> slash >> prefix;
    bool ok = !in.fail() && in.peek() == std::char_traits<char>::eof() && dot1 == '.' && dot2 == '.' &&
              dot3 == '.' && slash == '/' && prefix <= 32;
    for (unsigned o : octets) ok = ok && o <= 255;
    if (!ok) throw InputError("'" + cidr + "' is not an IPv4 CIDR block such as 10.0.0.0/16");
    std::uint32_t address = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3];
    return {address, static_cast<int>(prefix)};
}

std::string format_cidr(std::uint32_t address, int prefix) {
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "." +
           std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255) + "/" + std::to_string(prefix);
}

/// The provider (role + function) shared by every Vpc of a stack, made on first use.
CfnResource& restrict_provider(Stack& stack) {
    if (Construct* existing = stack.find_child(kProviderId))
        return dynamic_cast<CfnResource&>(*existing->find_child("Handler"));
    auto& provider = make<Construct>(stack, kProviderId);
    auto& role = make<CfnResource>(
        provider, "Role", "AWS::IAM::Role",
        Map{{"AssumeRolePolicyDocument",
             Map{{"Statement", List{Map{{"Action", "sts:AssumeRole"},
                                        {"Effect", "Allow"},
                                        {"Principal", Map{{"Service", "lambda.amazonaws.com"}}}}}},
                 {"Version", "2012-10-17"}}},
            {"ManagedPolicyArns",
             List{Fn::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}}});
    return make<CfnResource>(
        provider, "Handler", "AWS::Lambda::Function",
        Map{{"Code", Map{{"ZipFile", restrict_default_security_group_code()}}},
            {"Description", "Lambda function for removing all inbound/outbound rules from the VPC default security group"},
            {"Handler", "index.handler"},
            {"MemorySize", 128},
            {"Role", role.get_att("Arn")},
            {"Runtime", "python3.12"},
            {"Timeout", 300}});
}

/// Adds the statement letting the provider change `security_group_id` to its role's inline policies.
void allow_on_security_group(CfnResource& handler, const Value& security_group_id) {
    auto& role = dynamic_cast<CfnResource&>(*handler.parent()->find_child("Role"));
    List resources;
    if (auto it = role.properties().find("Policies"); it != role.properties().end()) {
        const Map& policy = it->second.as_list().front().as_map();
        const Map& statement = policy.at("PolicyDocument").as_map().at("Statement").as_list().front().as_map();
        resources = statement.at("Resource").as_list();
    }
    resources.push_back(Fn::sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${GroupId}",
                                Map{{"GroupId", security_group_id}}));
    Map statement{{"Action", List{"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
                                  "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"}},
                  {"Effect", "Allow"},
                  {"Resource", resources}};
    role.set_property("Policies", List{Map{{"PolicyDocument", Map{{"Statement", List{statement}},
                                                                  {"Version", "2012-10-17"}}},
                                           {"PolicyName", "Inline"}}});
}

} // namespace

const std::string& restrict_default_security_group_code() {
    static const std::string code(kRestrictCode);
    return code;
}

std::vector<std::string> split_cidr(const std::string& vpc_cidr, int count) {
    auto [address, prefix] = parse_cidr(vpc_cidr);
    if (count < 1) throw InputError("a VPC needs at least one subnet");
    int bits = 0;
    while ((1 << bits) < count) ++bits;
    const int subnet_prefix = prefix + bits;
    if (subnet_prefix > 28)
        throw InputError("'" + vpc_cidr + "' is too small for " + std::to_string(count) + " subnets (each would be /" +
                         std::to_string(subnet_prefix) + ", smaller than /28)");
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    const std::uint32_t network = address & mask;
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i)
        out.push_back(format_cidr(network + (static_cast<std::uint32_t>(i) << (32 - subnet_prefix)), subnet_prefix));
    return out;
}

PublicSubnet::PublicSubnet(Construct& scope, std::string id, Value vpc_id, Value availability_zone, std::string cidr,
                           Value gateway_id, const CfnResource& gateway_attachment)
    : Construct(scope, std::move(id)), cidr_(std::move(cidr)) {
    subnet_ = &make<CfnResource>(*this, "Subnet", "AWS::EC2::Subnet",
                                 Map{{"AvailabilityZone", std::move(availability_zone)},
                                     {"CidrBlock", cidr_},
                                     {"MapPublicIpOnLaunch", true},
                                     {"VpcId", vpc_id}});
    route_table_ = &make<CfnResource>(*this, "RouteTable", "AWS::EC2::RouteTable", Map{{"VpcId", vpc_id}});
    make<CfnResource>(*this, "RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation",
                      Map{{"RouteTableId", route_table_->ref()}, {"SubnetId", subnet_->ref()}});
    default_route_ = &make<CfnResource>(*this, "DefaultRoute", "AWS::EC2::Route",
                                        Map{{"DestinationCidrBlock", "0.0.0.0/0"},
                                            {"GatewayId", std::move(gateway_id)},
                                            {"RouteTableId", route_table_->ref()}});
    // A route through a gateway that is not attached yet fails.
    default_route_->add_depends_on(gateway_attachment);
    subnet_->tags()->set_tag("Name", path(), 100);
    route_table_->tags()->set_tag("Name", path(), 100);
}

Vpc::Vpc(Construct& scope, std::string id, VpcProps props) : Construct(scope, std::move(id)) {
    if (props.max_azs < 1 || props.max_azs > 16)
        throw InputError(path() + ": max_azs must be between 1 and 16 (got " + std::to_string(props.max_azs) + ")");
    const int prefix = parse_cidr(props.cidr).second;
    if (prefix < 16 || prefix > 24)
        throw InputError(path() + ": the VPC block must be a /16 to /24 (got '" + props.cidr + "')");
    const std::vector<std::string> blocks = split_cidr(props.cidr, props.max_azs);

    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EC2::VPC",
                                   Map{{"CidrBlock", props.cidr},
                                       {"EnableDnsHostnames", true},
                                       {"EnableDnsSupport", true},
                                       {"InstanceTenancy", "default"}});
    resource_->tags()->set_tag("Name", path(), 100);
    igw_ = &make<CfnResource>(*this, "IGW", "AWS::EC2::InternetGateway");
    igw_->tags()->set_tag("Name", path(), 100);
    auto& attachment = make<CfnResource>(*this, "VPCGW", "AWS::EC2::VPCGatewayAttachment",
                                         Map{{"InternetGatewayId", igw_->ref()}, {"VpcId", vpc_id()}});

    for (int i = 0; i < props.max_azs; ++i) {
        auto& subnet = make<PublicSubnet>(*this, props.subnet_group_name + "Subnet" + std::to_string(i + 1), vpc_id(),
                                          Fn::select(i, Fn::get_azs()), blocks[static_cast<std::size_t>(i)],
                                          igw_->ref(), attachment);
        subnet.subnet().tags()->set_tag("aws-cdk:subnet-name", props.subnet_group_name, 100);
        subnet.subnet().tags()->set_tag("aws-cdk:subnet-type", "Public", 100);
        subnets_.push_back(&subnet);
    }

    if (props.restrict_default_security_group) {
        CfnResource& handler = restrict_provider(Stack::of(*this));
        allow_on_security_group(handler, default_security_group_id());
        auto& holder = make<Construct>(*this, "RestrictDefaultSecurityGroupCustomResource");
        restrict_ = &make<CfnResource>(holder, "Default", "Custom::VpcRestrictDefaultSG",
                                       Map{{"Account", Aws::account_id()},
                                           {"DefaultSecurityGroupId", default_security_group_id()},
                                           {"ServiceToken", handler.get_att("Arn")}});
        restrict_->apply_removal_policy(RemovalPolicy::Destroy);
    }
}

std::vector<Value> Vpc::public_subnet_ids() const {
    std::vector<Value> ids;
    for (const PublicSubnet* s : subnets_) ids.push_back(s->subnet_id());
    return ids;
}

KeyPair::KeyPair(Construct& scope, std::string id, KeyPairProps props) : Construct(scope, std::move(id)) {
    if (props.key_name.empty()) throw InputError(path() + ": a key pair needs a name");
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EC2::KeyPair",
                                   Map{{"KeyFormat", props.key_format},
                                       {"KeyName", props.key_name},
                                       {"KeyType", props.key_type}});
}

} // namespace leafsynth::aws::ec2
