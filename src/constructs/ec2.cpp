#include "leafsynth/aws/ec2.hpp"

#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/stack.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::aws::ec2 {

namespace {

Value rule_value(const Rule& rule) {
    Map m{{"IpProtocol", rule.protocol}};
    if (rule.protocol != "-1") {
        m["FromPort"] = rule.from_port;
        m["ToPort"] = rule.to_port;
    }
    if (!rule.cidr_ip.empty()) m["CidrIp"] = rule.cidr_ip;
    if (!rule.description.empty()) m["Description"] = rule.description;
    return m;
}

// aws-cdk-lib's Names.uniqueId: the logical-id rule applied to the whole path below the App.
std::string unique_id(const Construct& construct) {
    std::vector<std::string> components;
    for (const Construct* c : construct.scopes())
        if (c->parent()) components.push_back(c->id());
    return make_unique_id(components);
}

// Appends `text` to a list of parts, merging it with a trailing string part.
void append_text(List& parts, const std::string& text) {
    if (text.empty()) return;
    if (!parts.empty() && parts.back().is_string()) parts.back() = parts.back().as_string() + text;
    else parts.push_back(text);
}

} // namespace

Rule tcp_rule(int port, std::string cidr_ip, std::string description) {
    return port_rule("tcp", port, std::move(cidr_ip), std::move(description));
}

Rule port_rule(const std::string& protocol, int port, std::string cidr_ip, std::string description) {
    return Rule{protocol, port, port, std::move(cidr_ip), std::move(description)};
}

SecurityGroup::SecurityGroup(Construct& scope, std::string id, SecurityGroupProps props)
    : Construct(scope, std::move(id)), rules_quota_(props.rules_quota) {
    Map properties{{"GroupDescription", props.description}, {"VpcId", props.vpc_id}};
    if (!props.name_tag.empty()) properties["Tags"] = List{Map{{"Key", "Name"}, {"Value", props.name_tag}}};
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EC2::SecurityGroup", std::move(properties));
    if (props.allow_all_outbound) {
        egress_.push_back(rule_value(Rule{"-1", 0, 0, "0.0.0.0/0", "Allow all outbound traffic by default"}));
    } else {
        // Matches no traffic; keeps EC2 from adding its default allow-all egress rule.
        egress_.push_back(rule_value(Rule{"icmp", 252, 86, "255.255.255.255/32", "Disallow all traffic"}));
        placeholder_egress_ = true;
    }
}

void SecurityGroup::add_ingress_rule(const Rule& rule) { ingress_.push_back(rule_value(rule)); }

void SecurityGroup::add_egress_rule(const Rule& rule) {
    if (placeholder_egress_) {
        egress_.clear();
        placeholder_egress_ = false;
    }
    egress_.push_back(rule_value(rule));
}

CfnResource& SecurityGroup::add_ingress_from(const SecurityGroup& peer, const std::string& protocol, int port,
                                             std::string description) {
    Map properties{{"GroupId", group_id()},
                   {"IpProtocol", protocol},
                   {"FromPort", port},
                   {"ToPort", port},
                   {"SourceSecurityGroupId", peer.group_id()}};
    if (!description.empty()) properties["Description"] = std::move(description);
    ++ingress_resources_;
    return make<CfnResource>(*this, "from " + unique_id(peer) + ":" + std::to_string(port),
                             "AWS::EC2::SecurityGroupIngress", std::move(properties));
}

void SecurityGroup::prepare() {
    Map rendered{{"SecurityGroupEgress", egress_}};
    if (!ingress_.empty()) rendered["SecurityGroupIngress"] = ingress_;
    resource_->render_properties(std::move(rendered));
}

std::vector<std::string> SecurityGroup::validate() const {
    std::vector<std::string> problems;
    const auto inbound = ingress_.size() + static_cast<std::size_t>(ingress_resources_);
    const auto outbound = placeholder_egress_ ? std::size_t{0} : egress_.size();
    for (const auto& [count, direction] : {std::pair{inbound, "inbound"}, std::pair{outbound, "outbound"}}) {
        if (count > static_cast<std::size_t>(rules_quota_))
            problems.push_back("the security group has " + std::to_string(count) + " " + direction + " rules; the VPC " +
                               "quota 'Inbound or outbound rules per security group' allows " +
                               std::to_string(rules_quota_) +
                               " (60 unless raised for the account): use fewer rules, or set rules_quota to the "
                               "account's raised quota");
    }
    return problems;
}

void UserData::add_command(std::string line) { lines_.push_back(List{std::move(line)}); }

void UserData::add_command(List parts) { lines_.push_back(std::move(parts)); }

Value UserData::script() const {
    List parts{"#!/bin/bash"};
    for (const auto& line : lines_) {
        append_text(parts, "\n");
        for (const auto& part : line) {
            if (part.is_string()) append_text(parts, part.as_string());
            else parts.push_back(part);
        }
    }
    if (parts.size() == 1 && parts.front().is_string()) return parts.front();
    return Fn::join("", std::move(parts));
}

Value UserData::render() const { return Fn::base64(script()); }

LaunchTemplate::LaunchTemplate(Construct& scope, std::string id, LaunchTemplateProps props)
    : Construct(scope, std::move(id)), role_(props.role) {
    Map data{{"InstanceType", props.instance_type}, {"ImageId", props.image_id}};
    if (!props.security_group_ids.empty()) data["SecurityGroupIds"] = props.security_group_ids;
    if (!props.key_name.is_null()) data["KeyName"] = props.key_name;
    if (role_) {
        profile_ = &make<CfnResource>(*this, "Profile", "AWS::IAM::InstanceProfile",
                                      Map{{"Roles", List{role_->role_name()}}});
        data["IamInstanceProfile"] = Map{{"Arn", profile_->get_att("Arn")}};
    }
    if (props.user_data) data["UserData"] = props.user_data->render();
    if (props.require_imdsv2) data["MetadataOptions"] = Map{{"HttpTokens", "required"}};
    if (props.detailed_monitoring) data["Monitoring"] = Map{{"Enabled", true}};
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::EC2::LaunchTemplate",
                                   Map{{"LaunchTemplateData", std::move(data)}});
    // As CDK does: the Name tag on the template, hence on what it launches too.
    if (!props.instance_name_tag.empty()) Tags::of(*this).add("Name", props.instance_name_tag);
}

void LaunchTemplate::prepare() {
    // The template's tags (after the tag aspects have run) go to the instances and their volumes,
    // the root EBS volume included: EC2 tags them at launch.
    const List tags = resource_->tags()->key_value_list();
    List specs;
    if (!tags.empty())
        for (const char* type : {"instance", "volume"}) specs.push_back(Map{{"ResourceType", type}, {"Tags", tags}});
    resource_->render_properties(specs.empty() ? Map{} : Map{{"LaunchTemplateData", Map{{"TagSpecifications", specs}}}});

    if (!role_) return;
    CfnResource* policy = role_->default_policy();
    if (policy && &policy->stack() == &resource_->stack()) resource_->add_depends_on(*policy);
}

std::string ssm_dynamic_reference(const std::string& parameter_name) {
    return "{{resolve:ssm:" + parameter_name + "}}";
}

} // namespace leafsynth::aws::ec2
