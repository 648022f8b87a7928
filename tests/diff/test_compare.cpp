// Semantic equality and template loading: what must not count as a change.

#include <catch2/catch.hpp>

#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"

using leafsynth::diff_templates;
using leafsynth::parse_template;
using leafsynth::values_equal;
using nlohmann::json;

namespace {

const char* kJson = R"({
 "AWSTemplateFormatVersion": "2010-09-09",
 "Description": "A test template",
 "Parameters": {"Vpc": {"Type": "String"}},
 "Resources": {
  "Sg": {
   "Type": "AWS::EC2::SecurityGroup",
   "Properties": {
    "GroupDescription": "traffic",
    "VpcId": {"Ref": "Vpc"},
    "SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "FromPort": 25565, "ToPort": 25565, "IpProtocol": "tcp"}]
   }
  },
  "Fn": {
   "Type": "AWS::Lambda::Function",
   "DependsOn": ["Sg", "Role"],
   "Properties": {
    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
    "Timeout": 30,
    "Environment": {"Variables": {"GROUP": {"Fn::Sub": "${Sg}-x"}, "JOINED": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}}}
   }
  },
  "Role": {
   "Type": "AWS::IAM::Role",
   "Properties": {
    "AssumeRolePolicyDocument": {
     "Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
   }
  }
 },
 "Outputs": {"SgId": {"Value": {"Fn::GetAtt": ["Sg", "GroupId"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Sg"}}}}
})";

// The same template in YAML: short-form tags, other key order, numbers as strings, GetAtt as A.B,
// DependsOn in another order, Action as a list.
const char* kYaml = R"(
Description: A test template
AWSTemplateFormatVersion: "2010-09-09"
Outputs:
  SgId:
    Export:
      Name: !Sub "${AWS::StackName}-Sg"
    Value: !GetAtt Sg.GroupId
Parameters:
  Vpc:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [sts:AssumeRole]
            Principal:
              Service: [lambda.amazonaws.com]
  Fn:
    DependsOn: [Role, Sg]
    Type: AWS::Lambda::Function
    Properties:
      Timeout: "30"
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          JOINED: !Join ["", [a, !Ref "AWS::Region"]]
          GROUP: !Sub "${Sg}-x"
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref Vpc
      GroupDescription: traffic
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: "25565"
          ToPort: 25565
          CidrIp: 0.0.0.0/0
)";

} // namespace

TEST_CASE("YAML short-form tags become their long forms") {
    const json t = parse_template("Resources:\n  A:\n    Type: Custom::X\n    Properties:\n      R: !Ref B\n      G: !GetAtt B.Arn\n"
                                  "      S: !Sub '${B}'\n      J: !Join [',', [!Ref B, c]]\n      C: !Condition IsProd\n"
                                  "      N: !GetAtt B.Endpoint.Address\n");
    const json& p = t["Resources"]["A"]["Properties"];
    CHECK(p["R"] == json{{"Ref", "B"}});
    CHECK(p["G"] == json{{"Fn::GetAtt", {"B", "Arn"}}});
    CHECK(p["S"] == json{{"Fn::Sub", "${B}"}});
    CHECK(p["J"] == json{{"Fn::Join", {",", {{{"Ref", "B"}}, "c"}}}});
    CHECK(p["C"] == json{{"Condition", "IsProd"}});
    CHECK(p["N"] == json{{"Fn::GetAtt", {"B", "Endpoint.Address"}}});
}

TEST_CASE("YAML scalars: quoted stay strings, plain ones are typed") {
    const json t = parse_template("Metadata:\n  A: '12'\n  B: 12\n  C: true\n  D: \"true\"\n  E: ~\n  F: 1.5\n  G: abc\n")["Metadata"];
    CHECK(t["A"] == "12");
    CHECK(t["B"] == 12);
    CHECK(t["C"] == true);
    CHECK(t["D"] == "true");
    CHECK(t["E"].is_null());
    CHECK(t["F"] == 1.5);
    CHECK(t["G"] == "abc");
}

TEST_CASE("parse_template rejects what is not a template") {
    CHECK_THROWS_AS(parse_template("{\"Resources\": ", "broken.json"), leafsynth::InputError);
    CHECK_THROWS_WITH(parse_template("{\"Resources\": ", "broken.json"), Catch::Contains("broken.json"));
    CHECK_THROWS_AS(parse_template("- a\n- b\n", "list.yaml"), leafsynth::InputError);
    CHECK_THROWS_AS(parse_template("a: [b\n", "bad.yaml"), leafsynth::InputError);
    // A YAML flow mapping starts like JSON but is read as YAML.
    CHECK(parse_template("{Resources: {T: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref N}}}}")
          == json::parse(R"({"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "N"}}}}})"));
}

TEST_CASE("values_equal: numbers and numeric strings, booleans and their strings") {
    CHECK(values_equal(json(1800), json("1800")));
    CHECK(values_equal(json("1800"), json(1800)));
    CHECK(values_equal(json(1800.0), json(1800)));
    CHECK(values_equal(json(0.5), json("0.5")));
    CHECK(values_equal(json(true), json("true")));
    CHECK(values_equal(json("False"), json(false)));
    CHECK(values_equal(json(123456789012), json("123456789012")));
    CHECK_FALSE(values_equal(json(123), json("0123")));
    CHECK_FALSE(values_equal(json(1800), json("1801")));
    CHECK_FALSE(values_equal(json("abc"), json("abd")));
    CHECK_FALSE(values_equal(json(true), json("yes")));
    CHECK_FALSE(values_equal(json(1), json(true)));
    CHECK_FALSE(values_equal(json::array({1, 2}), json::array({2, 1})));
    CHECK(values_equal(json::parse(R"({"a": 1, "b": [ "2", {"c": true} ]})"),
                       json::parse(R"({"b": [2, {"c": "true"}], "a": "1"})")));
    CHECK_FALSE(values_equal(json::parse(R"({"a": 1})"), json::parse(R"({"a": 1, "b": null})")));
}

TEST_CASE("The YAML and JSON forms of one template have no differences") {
    const auto d = diff_templates(parse_template(kJson, "t.json"), parse_template(kYaml, "t.yaml"));
    CHECK(d.empty());
    CHECK(d.resources.empty());
    CHECK(d.entries.empty());
    CHECK(d.sections.empty());
    CHECK(d.security.empty());
}

TEST_CASE("A real difference next to the semantic equalities is still found") {
    std::string yaml = kYaml;
    yaml.replace(yaml.find("Timeout: \"30\""), 13, "Timeout: \"31\"");
    const auto d = diff_templates(parse_template(kJson), parse_template(yaml));
    REQUIRE(d.resources.size() == 1);
    CHECK(d.resources[0].logical_id == "Fn");
    REQUIRE(d.resources[0].changes.size() == 1);
    CHECK(d.resources[0].changes[0].path == "Properties.Timeout");
    CHECK(d.resources[0].changes[0].old_value == 30);
    CHECK(d.resources[0].changes[0].new_value == "31");
}

TEST_CASE("Fn::Sub with an empty variable map equals the plain Fn::Sub") {
    const json a = json::parse(R"({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": ["x-${AWS::Region}", {}]}}}}})");
    const json b = json::parse(R"({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": "x-${AWS::Region}"}}}}})");
    CHECK(diff_templates(a, b).empty());
}
