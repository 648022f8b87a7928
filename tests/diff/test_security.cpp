// The security section: IAM statements, managed policies and security-group rules added or removed.

#include <catch2/catch.hpp>

#include <algorithm>

#include "leafsynth/diff.hpp"

using leafsynth::ChangeKind;
using leafsynth::diff_templates;
using leafsynth::PolicyStatementChange;
using leafsynth::SecurityChanges;
using leafsynth::SecurityGroupRuleChange;
using nlohmann::json;

namespace {

json resources(const json& r) { return json{{"Resources", r}}; }

SecurityChanges security(const json& old_resources, const json& new_resources) {
    return diff_templates(resources(old_resources), resources(new_resources)).security;
}

json role(const json& statements, const json& managed = json::array()) {
    json r = json::parse(R"({"Type": "AWS::IAM::Role", "Properties": {
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}})");
    r["Properties"]["Policies"] = json::array(
        {{{"PolicyName", "inline"}, {"PolicyDocument", {{"Version", "2012-10-17"}, {"Statement", statements}}}}});
    if (!managed.empty()) r["Properties"]["ManagedPolicyArns"] = managed;
    return r;
}

bool has_note(const std::vector<std::string>& notes, const std::string& n) {
    return std::find(notes.begin(), notes.end(), n) != notes.end();
}

json sg(const json& ingress) {
    return {{"Type", "AWS::EC2::SecurityGroup"},
            {"Properties", {{"GroupDescription", "game"}, {"VpcId", {{"Ref", "Vpc"}}}, {"SecurityGroupIngress", ingress}}}};
}

json tcp_rule(int port) {
    return {{"IpProtocol", "tcp"}, {"FromPort", port}, {"ToPort", port}, {"CidrIp", "0.0.0.0/0"},
            {"Description", "game port " + std::to_string(port)}};
}

} // namespace

TEST_CASE("An inline role policy statement added is a widening row with the role as principal") {
    const json s1 = json::parse(R"([{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": {"Fn::GetAtt": ["Logs", "Arn"]}}])");
    json s2 = s1;
    s2.push_back(json::parse(R"({"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"})"));
    const SecurityChanges s = security({{"Role", role(s1)}}, {{"Role", role(s2)}});
    REQUIRE(s.statements.size() == 1);
    const PolicyStatementChange& row = s.statements[0];
    CHECK(row.kind == ChangeKind::Added);
    CHECK(row.holder == "Role");
    CHECK(row.location == "Policies[inline]");
    CHECK(row.effect == "Allow");
    CHECK(row.actions == std::vector<std::string>{"s3:*", "s3:GetObject"});
    CHECK(row.principals == std::vector<std::string>{"${Role}"});
    CHECK(row.resources == std::vector<std::string>{"*"});
    CHECK(row.widening);
    CHECK(has_note(row.notes, "wildcard resource"));
    CHECK(has_note(row.notes, "wildcard action"));
    CHECK(s.widening_count() == 1);
    CHECK(s.rules.empty());
    CHECK(s.managed_policies.empty());
}

TEST_CASE("A changed statement is one removed and one added row, a removed Allow narrows") {
    const json s1 = json::parse(R"([{"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}}])");
    const json s2 = json::parse(R"([{"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "OtherTopic"}}])");
    const SecurityChanges s = security({{"Role", role(s1)}}, {{"Role", role(s2)}});
    REQUIRE(s.statements.size() == 2);
    CHECK(s.statements[0].kind == ChangeKind::Removed);
    CHECK(s.statements[0].resources == std::vector<std::string>{"${Topic}"});
    CHECK_FALSE(s.statements[0].widening);
    CHECK(s.statements[1].kind == ChangeKind::Added);
    CHECK(s.statements[1].resources == std::vector<std::string>{"${OtherTopic}"});
    CHECK(s.statements[1].widening);
}

TEST_CASE("Statements only reordered or rewritten in an equivalent form are not security changes") {
    const json s1 = json::parse(R"([{"Effect": "Allow", "Action": ["b:B", "a:A"], "Resource": "*"},
                                     {"Effect": "Allow", "Action": "c:C", "Resource": ["x"]}])");
    const json s2 = json::parse(R"([{"Effect": "Allow", "Action": "c:C", "Resource": "x"},
                                     {"Resource": "*", "Effect": "Allow", "Action": ["a:A", "b:B"]}])");
    const auto d = diff_templates(resources({{"Role", role(s1)}}), resources({{"Role", role(s2)}}));
    CHECK(d.security.empty());
    CHECK(d.resources.empty());
}

TEST_CASE("Trust policies: a new principal that may assume the role") {
    json r2 = role(json::array());
    r2["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {{"AWS", "*"}};
    const SecurityChanges s = security({{"Role", role(json::array())}}, {{"Role", r2}});
    REQUIRE(s.statements.size() == 2);
    const auto& added = s.statements[1];
    CHECK(added.kind == ChangeKind::Added);
    CHECK(added.location == "AssumeRolePolicyDocument");
    CHECK(added.principals == std::vector<std::string>{"*"});
    CHECK(added.actions == std::vector<std::string>{"sts:AssumeRole"});
    CHECK(added.resources == std::vector<std::string>{"${Role.Arn}"});
    CHECK(has_note(added.notes, "wildcard principal"));
    CHECK(s.statements[0].principals == std::vector<std::string>{"Service:lambda.amazonaws.com"});
}

TEST_CASE("Managed policy attachments") {
    const json managed = json::array({{{"Fn::Join", {"", {"arn:", {{"Ref", "AWS::Partition"}}, ":iam::aws:policy/AdministratorAccess"}}}}});
    const SecurityChanges s = security({{"Role", role(json::array())}}, {{"Role", role(json::array(), managed)}});
    REQUIRE(s.managed_policies.size() == 1);
    CHECK(s.managed_policies[0].kind == ChangeKind::Added);
    CHECK(s.managed_policies[0].holder == "Role");
    CHECK(s.managed_policies[0].policy == "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess");
    CHECK(s.managed_policies[0].widening);
    const SecurityChanges back = security({{"Role", role(json::array(), managed)}}, {{"Role", role(json::array())}});
    REQUIRE(back.managed_policies.size() == 1);
    CHECK(back.managed_policies[0].kind == ChangeKind::Removed);
    CHECK_FALSE(back.managed_policies[0].widening);
}

TEST_CASE("AWS::IAM::Policy statements show the roles they are attached to") {
    const json p = json::parse(R"({"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p",
      "Roles": [{"Ref": "TaskRole"}],
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}]}}})");
    const SecurityChanges s = security(json::object(), {{"P", p}});
    REQUIRE(s.statements.size() == 1);
    CHECK(s.statements[0].principals == std::vector<std::string>{"${TaskRole}"});
    CHECK(s.statements[0].location == "PolicyDocument");
    CHECK(s.statements[0].holder_type == "AWS::IAM::Policy");
}

TEST_CASE("Resource policies: SNS topic policy with a wildcard principal, EFS file system policy") {
    const json topic_policy = json::parse(R"({"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "T"}],
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": {"Ref": "T"}}]}}})");
    const json fs = json::parse(R"({"Type": "AWS::EFS::FileSystem", "Properties": {"FileSystemPolicy": {
      "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}})");
    const SecurityChanges s = security({{"Fs", fs}}, {{"Tp", topic_policy}, {"Fs", {{"Type", "AWS::EFS::FileSystem"}}}});
    REQUIRE(s.statements.size() == 2);
    const auto& removed_deny = s.statements[0];
    CHECK(removed_deny.kind == ChangeKind::Removed);
    CHECK(removed_deny.holder == "Fs");
    CHECK(removed_deny.location == "FileSystemPolicy");
    CHECK(removed_deny.effect == "Deny");
    CHECK(removed_deny.widening); // removing a Deny widens
    CHECK(removed_deny.condition == R"({"Bool":{"aws:SecureTransport":"false"}})");
    const auto& topic = s.statements[1];
    CHECK(topic.kind == ChangeKind::Added);
    CHECK(topic.holder == "Tp");
    CHECK(topic.principals == std::vector<std::string>{"*"});
    CHECK(has_note(topic.notes, "wildcard principal"));
    CHECK(topic.widening);
}

TEST_CASE("Log group resource policies: a JSON string built with Fn::Join is read as statements") {
    auto policy = [](const std::string& service) {
        json parts = json::array({"{\"Statement\":[{\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],"
                                  "\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"" + service + "\"},\"Resource\":\"",
                                  {{"Fn::GetAtt", {"QueryLogGroup", "Arn"}}}, "\"}],\"Version\":\"2012-10-17\"}"});
        return json{{"Type", "AWS::Logs::ResourcePolicy"},
                    {"Properties", {{"PolicyName", "p"}, {"PolicyDocument", {{"Fn::Join", {"", parts}}}}}}};
    };
    const SecurityChanges same = security({{"Rp", policy("route53.amazonaws.com")}}, {{"Rp", policy("route53.amazonaws.com")}});
    CHECK(same.empty());
    const SecurityChanges s = security({{"Rp", policy("route53.amazonaws.com")}}, {{"Rp", policy("es.amazonaws.com")}});
    REQUIRE(s.statements.size() == 2);
    CHECK(s.statements[0].kind == ChangeKind::Removed);
    CHECK(s.statements[0].principals == std::vector<std::string>{"Service:route53.amazonaws.com"});
    CHECK(s.statements[1].kind == ChangeKind::Added);
    CHECK(s.statements[1].principals == std::vector<std::string>{"Service:es.amazonaws.com"});
    CHECK(s.statements[1].actions == std::vector<std::string>{"logs:CreateLogStream", "logs:PutLogEvents"});
    CHECK(s.statements[1].resources == std::vector<std::string>{"${QueryLogGroup.Arn}"});
    CHECK(s.statements[1].location == "PolicyDocument");
}

TEST_CASE("Lambda permissions are statements") {
    const json perm = json::parse(R"({"Type": "AWS::Lambda::Permission", "Properties": {
      "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
      "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}})");
    const SecurityChanges s = security(json::object(), {{"Perm", perm}});
    REQUIRE(s.statements.size() == 1);
    const auto& row = s.statements[0];
    CHECK(row.kind == ChangeKind::Added);
    CHECK(row.location == "Permission");
    CHECK(row.principals == std::vector<std::string>{"Service:events.amazonaws.com"});
    CHECK(row.actions == std::vector<std::string>{"lambda:InvokeFunction"});
    CHECK(row.resources == std::vector<std::string>{"${Fn.Arn}"});
    CHECK(row.condition == R"({"ArnLike":{"AWS:SourceArn":"${Rule.Arn}"}})");
    CHECK(row.widening);
}

TEST_CASE("Security-group rules: a changed inline port removes one rule and adds another") {
    const SecurityChanges s = security({{"Sg", sg(json::array({tcp_rule(22), tcp_rule(25565)}))}},
                                       {{"Sg", sg(json::array({tcp_rule(22), tcp_rule(25566)}))}});
    REQUIRE(s.rules.size() == 2);
    const SecurityGroupRuleChange& removed = s.rules[0];
    const SecurityGroupRuleChange& added = s.rules[1];
    CHECK(removed.kind == ChangeKind::Removed);
    CHECK(removed.ports == "25565");
    CHECK_FALSE(removed.widening);
    CHECK(added.kind == ChangeKind::Added);
    CHECK(added.holder == "Sg");
    CHECK(added.group == "${Sg}");
    CHECK(added.direction == "ingress");
    CHECK(added.protocol == "tcp");
    CHECK(added.ports == "25566");
    CHECK(added.peer == "0.0.0.0/0");
    CHECK(added.description == "game port 25566");
    CHECK(added.widening);
    CHECK(has_note(added.notes, "open to the internet"));
}

TEST_CASE("Security-group rules: numbers as strings are the same rule, separate ingress and egress resources") {
    json as_strings = tcp_rule(22);
    as_strings["FromPort"] = "22";
    CHECK(security({{"Sg", sg(json::array({tcp_rule(22)}))}}, {{"Sg", sg(json::array({as_strings}))}}).empty());

    const json ingress = json::parse(R"({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
      "GroupId": {"Fn::GetAtt": ["EfsSg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
      "SourceSecurityGroupId": {"Fn::GetAtt": ["ContainerSg", "GroupId"]}}})");
    const json egress = json::parse(R"({"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
      "GroupId": "sg-123", "IpProtocol": "-1", "CidrIpv6": "::/0"}})");
    const SecurityChanges s = security({{"In", ingress}}, {{"Out", egress}});
    REQUIRE(s.rules.size() == 2);
    CHECK(s.rules[0].kind == ChangeKind::Removed);
    CHECK(s.rules[0].group == "${EfsSg.GroupId}");
    CHECK(s.rules[0].peer == "${ContainerSg.GroupId}");
    CHECK(s.rules[0].ports == "2049");
    CHECK(s.rules[1].kind == ChangeKind::Added);
    CHECK(s.rules[1].direction == "egress");
    CHECK(s.rules[1].protocol == "all");
    CHECK(s.rules[1].ports == "all");
    CHECK(has_note(s.rules[1].notes, "open to the internet"));
    CHECK(has_note(s.rules[1].notes, "all traffic"));
}
