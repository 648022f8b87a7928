// Every intrinsic function and pseudo parameter, in JSON and in YAML short form.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>
#include <string>

#include "support.hpp"

using namespace leafsynth;
using unit::json;

namespace {

ParameterProps parameter(std::string type, Value default_value, std::string description = {},
                         std::vector<std::string> allowed_values = {}) {
    ParameterProps p;
    p.type = std::move(type);
    p.default_value = std::move(default_value);
    p.description = std::move(description);
    p.allowed_values = std::move(allowed_values);
    return p;
}

/// A stack whose resources use every intrinsic, with lint-clean properties.
void build_intrinsics_stack(App& app) {
    auto& stack = make<Stack>(app, "Intrinsics", StackProps{"", "Every intrinsic function leafsynth writes", {}});

    auto& env = make<CfnParameter>(stack, "Env", parameter("String", "dev", "Deployment stage", {"dev", "prod"}));
    auto& vpc_cidr = make<CfnParameter>(stack, "VpcCidr", parameter("String", "10.0.0.0/16"));

    auto& is_prod = make<CfnCondition>(stack, "IsProd", Fn::equals(env.ref(), "prod"));
    auto& in_us_east_1 = make<CfnCondition>(stack, "InUsEast1", Fn::equals(Aws::region(), "us-east-1"));
    auto& prod_in_us_east_1 =
        make<CfnCondition>(stack, "ProdInUsEast1", Fn::and_({Fn::condition(is_prod), Fn::condition(in_us_east_1)}));
    auto& prod_or_us_east_1 =
        make<CfnCondition>(stack, "ProdOrUsEast1", Fn::or_({Fn::condition(is_prod), Fn::condition(in_us_east_1)}));
    auto& not_prod = make<CfnCondition>(stack, "NotProd", Fn::not_(Fn::condition(is_prod)));

    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic",
                                    Map{{"DisplayName", Fn::join("-", List{Aws::stack_name(), "alerts"})}});
    auto& queue = make<CfnResource>(
        stack, "Queue", "AWS::SQS::Queue",
        Map{{"QueueName", Fn::sub("${AWS::StackName}-jobs")},
            {"MessageRetentionPeriod", Fn::if_(is_prod, 1209600, 345600)},
            {"KmsMasterKeyId", Fn::if_(prod_or_us_east_1, "alias/aws/sqs", Aws::no_value())}});
    make<CfnResource>(stack, "Subscription", "AWS::SNS::Subscription",
                      Map{{"TopicArn", topic.ref()}, {"Protocol", "sqs"}, {"Endpoint", queue.get_att("Arn")}});
    make<CfnResource>(
        stack, "QueuePolicy", "AWS::SQS::QueuePolicy",
        Map{{"Queues", List{queue.ref()}},
            {"PolicyDocument",
             Map{{"Version", "2012-10-17"},
                 {"Statement", List{Map{{"Effect", "Allow"},
                                        {"Principal", Map{{"Service", Fn::sub("sns.${AWS::URLSuffix}")}}},
                                        {"Action", "sqs:SendMessage"},
                                        {"Resource", queue.get_att("Arn")},
                                        {"Condition", Map{{"ArnEquals", Map{{"aws:SourceArn", topic.ref()}}}}}}}}}}});

    auto& bucket = make<CfnResource>(stack, "Bucket", "AWS::S3::Bucket");
    make<CfnResource>(
        stack, "BucketPolicy", "AWS::S3::BucketPolicy",
        Map{{"Bucket", bucket.ref()},
            {"PolicyDocument",
             Map{{"Version", "2012-10-17"},
                 {"Statement",
                  List{Map{{"Effect", "Deny"},
                           {"Principal", Map{{"AWS", "*"}}},
                           {"Action", "s3:*"},
                           {"Resource", Fn::sub("arn:${AWS::Partition}:s3:::${Name}/*", Map{{"Name", bucket.ref()}})},
                           {"Condition", Map{{"Bool", Map{{"aws:SecureTransport", "false"}}}}}}}}}}});

    auto& vpc = make<CfnResource>(stack, "Vpc", "AWS::EC2::VPC", Map{{"CidrBlock", vpc_cidr.ref()}});
    make<CfnResource>(stack, "Subnet", "AWS::EC2::Subnet",
                      Map{{"VpcId", vpc.ref()},
                          {"CidrBlock", Fn::select(0, Fn::cidr(vpc.get_att("CidrBlock"), 4, 8))},
                          {"AvailabilityZone", Fn::select(0, Fn::get_azs())}});

    make<CfnResource>(stack, "AccountParam", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", Fn::select(4, Fn::split(":", Aws::stack_id()))}});
    make<CfnResource>(stack, "ImportedParam", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", Fn::import_value("shared-vpc-id")}});
    make<CfnResource>(stack, "StageImportParam", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", Fn::import_value(Fn::sub("${Env}-shared-value"))}});

    make<CfnResource>(
        stack, "LaunchTemplate", "AWS::EC2::LaunchTemplate",
        Map{{"LaunchTemplateData",
             Map{{"InstanceType", "t3.micro"},
                 {"UserData", Fn::base64(Fn::sub("#!/bin/bash\necho ${AWS::StackName} > /tmp/stack\n"))}}}});
    auto& plain_template = make<CfnResource>(
        stack, "PlainLaunchTemplate", "AWS::EC2::LaunchTemplate",
        Map{{"LaunchTemplateData", Map{{"UserData", Fn::base64("#!/bin/bash\necho hello\n")}}}});
    plain_template.set_condition(prod_in_us_east_1);

    auto output = [&](const char* id, Value value) { make<CfnOutput>(stack, id, OutputProps{std::move(value), "", "", nullptr}); };
    output("AccountId", Aws::account_id());
    output("Region", Aws::region());
    output("Partition", Aws::partition());
    output("StackName", Aws::stack_name());
    output("StackId", Aws::stack_id());
    output("UrlSuffix", Aws::url_suffix());
    output("NotificationArns", Fn::join(",", Aws::notification_arns()));
    output("Stage", env.ref());
    make<CfnOutput>(stack, "DevNote", OutputProps{"a development stack", "Only outside prod", "", &not_prod});
}

/// JSON pointer into the template -> the exact JSON expected there.
const std::vector<std::pair<std::string, std::string>> kExpectedJson{
    // Ref to parameter handles, Equals / And / Or / Not / Condition in the Conditions section.
    {"/Conditions/IsProd", R"({"Fn::Equals": [{"Ref": "Env"}, "prod"]})"},
    {"/Conditions/InUsEast1", R"({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})"},
    {"/Conditions/ProdInUsEast1", R"({"Fn::And": [{"Condition": "IsProd"}, {"Condition": "InUsEast1"}]})"},
    {"/Conditions/ProdOrUsEast1", R"({"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "InUsEast1"}]})"},
    {"/Conditions/NotProd", R"({"Fn::Not": [{"Condition": "IsProd"}]})"},
    // Join, Sub without variables, If (with AWS::NoValue), Ref and GetAtt of resource handles.
    {"/Resources/Topic/Properties/DisplayName", R"({"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "alerts"]]})"},
    {"/Resources/Queue/Properties/QueueName", R"({"Fn::Sub": "${AWS::StackName}-jobs"})"},
    {"/Resources/Queue/Properties/MessageRetentionPeriod", R"({"Fn::If": ["IsProd", 1209600, 345600]})"},
    {"/Resources/Queue/Properties/KmsMasterKeyId",
     R"({"Fn::If": ["ProdOrUsEast1", "alias/aws/sqs", {"Ref": "AWS::NoValue"}]})"},
    {"/Resources/Subscription/Properties",
     R"({"Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}, "Protocol": "sqs", "TopicArn": {"Ref": "Topic"}})"},
    {"/Resources/QueuePolicy/Properties/Queues", R"([{"Ref": "Queue"}])"},
    {"/Resources/QueuePolicy/Properties/PolicyDocument/Statement/0/Principal/Service",
     R"({"Fn::Sub": "sns.${AWS::URLSuffix}"})"},
    {"/Resources/QueuePolicy/Properties/PolicyDocument/Statement/0/Condition",
     R"({"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}})"},
    // Sub with variables.
    {"/Resources/BucketPolicy/Properties/PolicyDocument/Statement/0/Resource",
     R"({"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Name}/*", {"Name": {"Ref": "Bucket"}}]})"},
    // Select, Cidr, GetAZs (of the stack's own region).
    {"/Resources/Vpc/Properties/CidrBlock", R"({"Ref": "VpcCidr"})"},
    {"/Resources/Subnet/Properties/CidrBlock",
     R"({"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]})"},
    {"/Resources/Subnet/Properties/AvailabilityZone", R"({"Fn::Select": [0, {"Fn::GetAZs": ""}]})"},
    // Split, ImportValue (plain and of a Sub).
    {"/Resources/AccountParam/Properties/Value", R"({"Fn::Select": [4, {"Fn::Split": [":", {"Ref": "AWS::StackId"}]}]})"},
    {"/Resources/ImportedParam/Properties/Value", R"({"Fn::ImportValue": "shared-vpc-id"})"},
    {"/Resources/StageImportParam/Properties/Value", R"({"Fn::ImportValue": {"Fn::Sub": "${Env}-shared-value"}})"},
    // Base64 of a Sub and of a plain string.
    {"/Resources/LaunchTemplate/Properties/LaunchTemplateData/UserData",
     R"({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::StackName} > /tmp/stack\n"}})"},
    {"/Resources/PlainLaunchTemplate/Properties/LaunchTemplateData/UserData",
     R"({"Fn::Base64": "#!/bin/bash\necho hello\n"})"},
    {"/Resources/PlainLaunchTemplate/Condition", R"("ProdInUsEast1")"},
    // Pseudo parameters.
    {"/Outputs/AccountId/Value", R"({"Ref": "AWS::AccountId"})"},
    {"/Outputs/Region/Value", R"({"Ref": "AWS::Region"})"},
    {"/Outputs/Partition/Value", R"({"Ref": "AWS::Partition"})"},
    {"/Outputs/StackName/Value", R"({"Ref": "AWS::StackName"})"},
    {"/Outputs/StackId/Value", R"({"Ref": "AWS::StackId"})"},
    {"/Outputs/UrlSuffix/Value", R"({"Ref": "AWS::URLSuffix"})"},
    {"/Outputs/NotificationArns/Value", R"({"Fn::Join": [",", {"Ref": "AWS::NotificationARNs"}]})"},
    {"/Outputs/Stage/Value", R"({"Ref": "Env"})"},
    {"/Outputs/DevNote", R"({"Description": "Only outside prod", "Value": "a development stack", "Condition": "NotProd"})"},
    {"/Parameters/Env",
     R"({"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"], "Description": "Deployment stage"})"},
};

/// Lines the YAML template must contain, exactly (indentation included).
const std::vector<std::string> kExpectedYamlLines{
    "  IsProd: !Equals",
    "    - !Ref Env",
    "    - !Ref AWS::Region",
    "  ProdInUsEast1: !And",
    "  ProdOrUsEast1: !Or",
    "  NotProd: !Not",
    "    - !Condition IsProd",
    "    - !Condition InUsEast1",
    "      DisplayName: !Join",
    "          - !Ref AWS::StackName",
    "      KmsMasterKeyId: !If",
    "        - ProdOrUsEast1",
    "        - !Ref AWS::NoValue",
    "      QueueName: !Sub \"${AWS::StackName}-jobs\"",
    "      Endpoint: !GetAtt Queue.Arn",
    "      TopicArn: !Ref Topic",
    "              Service: !Sub \"sns.${AWS::URLSuffix}\"",
    "            Resource: !GetAtt Queue.Arn",
    "            Resource: !Sub",
    "              - \"arn:${AWS::Partition}:s3:::${Name}/*\"",
    "              - Name: !Ref Bucket",
    "                aws:SecureTransport: \"false\"",
    "      CidrBlock: !Ref VpcCidr",
    "      AvailabilityZone: !Select",
    "        - !GetAZs \"\"",
    "        - !Cidr",
    "          - !GetAtt Vpc.CidrBlock",
    "        - !Split",
    "          - !Ref AWS::StackId",
    "      Value: !ImportValue shared-vpc-id",
    // A YAML node takes one tag: an intrinsic around a short-form intrinsic is written long.
    "        Fn::ImportValue: !Sub \"${Env}-shared-value\"",
    "          Fn::Base64: !Sub \"#!/bin/bash\\necho ${AWS::StackName} > /tmp/stack\\n\"",
    "        UserData: !Base64 \"#!/bin/bash\\necho hello\\n\"",
    "    Condition: ProdInUsEast1",
    "    Value: !Ref AWS::AccountId",
    "    Value: !Ref AWS::Partition",
    "    Value: !Ref AWS::StackName",
    "    Value: !Ref AWS::URLSuffix",
    "      - !Ref AWS::NotificationARNs",
    "    Value: !Ref Env",
    "    Condition: NotProd",
};

} // namespace

TEST_CASE("every intrinsic is written in its exact JSON form", "[intrinsics][json]") {
    App app;
    build_intrinsics_stack(app);
    const json doc = unit::template_of(unit::synth_and_emit(app, "intrinsics"));
    for (const auto& [pointer, expected] : kExpectedJson) {
        INFO(pointer);
        REQUIRE(doc.contains(json::json_pointer(pointer)));
        CHECK(doc.at(json::json_pointer(pointer)) == json::parse(expected));
    }
    CHECK(doc["Resources"].size() == 13);
    CHECK(doc["Outputs"].size() == 9);
    // The Bucket has no properties, so no Properties key.
    CHECK(doc["Resources"]["Bucket"] == json::parse(R"({"Type": "AWS::S3::Bucket",
                                                     "Metadata": {"aws:cdk:path": "Intrinsics/Bucket"}})"));
}

TEST_CASE("the JSON template has CloudFormation's section order, 1-space indented", "[intrinsics][json]") {
    App app;
    build_intrinsics_stack(app);
    const std::string text = app.synth().file("Intrinsics.template.json");
    const auto ordered = nlohmann::ordered_json::parse(text);
    std::vector<std::string> sections;
    for (const auto& [key, value] : ordered.items()) sections.push_back(key);
    CHECK(sections == std::vector<std::string>{"Description", "Parameters", "Conditions", "Resources", "Outputs"});
    CHECK(text.rfind("{\n \"Description\": \"Every intrinsic function leafsynth writes\",\n \"Parameters\": {\n  \"Env\": {", 0) == 0);
    CHECK(text.back() == '\n');
    // Resources keep construct-tree order.
    std::vector<std::string> ids;
    for (const auto& [key, value] : ordered["Resources"].items()) ids.push_back(key);
    CHECK(ids == std::vector<std::string>{"Topic", "Queue", "Subscription", "QueuePolicy", "Bucket", "BucketPolicy", "Vpc",
                                          "Subnet", "AccountParam", "ImportedParam", "StageImportParam", "LaunchTemplate",
                                          "PlainLaunchTemplate"});
}

TEST_CASE("every intrinsic is written in YAML short form", "[intrinsics][yaml]") {
    App app;
    build_intrinsics_stack(app);
    const Assembly assembly = app.synth({TemplateFormat::Yaml});
    const std::string& text = assembly.file("Intrinsics.template.yaml");
    for (const auto& line : kExpectedYamlLines) {
        INFO("expected line: [" << line << "]");
        CHECK(unit::has_line(text, line));
    }
    // No node carries two tags.
    for (const auto& line : unit::lines_of(text)) {
        INFO(line);
        CHECK(line.find("!Base64 !") == std::string::npos);
        CHECK(line.find("!ImportValue !") == std::string::npos);
    }
}

TEST_CASE("the YAML template reads back to the same structure as the JSON one", "[intrinsics][yaml]") {
    App app;
    build_intrinsics_stack(app);
    const json from_json = unit::template_of(app.synth());
    const json from_yaml = unit::yaml_to_json(app.synth({TemplateFormat::Yaml}).file("Intrinsics.template.yaml"));
    CHECK(from_yaml == from_json);
    // Spot checks that the reader really decodes the tags.
    CHECK(from_yaml["Resources"]["Subscription"]["Properties"]["Endpoint"] ==
          json::parse(R"({"Fn::GetAtt": ["Queue", "Arn"]})"));
    CHECK(from_yaml["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"] ==
          json::parse(R"({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::StackName} > /tmp/stack\n"}})"));
}

TEST_CASE("Fn::FindInMap in JSON and YAML", "[intrinsics]") {
    // leafsynth has no Mappings section yet, so this template is not deployable and is not
    // emitted for the lint pass; the function's form is still checked.
    App app;
    auto& stack = make<Stack>(app, "FindInMap");
    make<CfnResource>(stack, "Queue", "AWS::SQS::Queue",
                      Map{{"DelaySeconds", Fn::find_in_map("StageMap", Aws::region(), "Delay")}});
    const json doc = unit::template_of(app.synth());
    CHECK(doc["Resources"]["Queue"]["Properties"]["DelaySeconds"] ==
          json::parse(R"({"Fn::FindInMap": ["StageMap", {"Ref": "AWS::Region"}, "Delay"]})"));
    const std::string yaml = app.synth({TemplateFormat::Yaml}).file("FindInMap.template.yaml");
    CHECK(unit::has_line(yaml, "      DelaySeconds: !FindInMap"));
    CHECK(unit::has_line(yaml, "        - StageMap"));
    CHECK(unit::has_line(yaml, "        - !Ref AWS::Region"));
    CHECK(unit::has_line(yaml, "        - Delay"));
    CHECK(unit::yaml_to_json(yaml) == doc);
}

TEST_CASE("intrinsics are typed values until synthesis", "[intrinsics]") {
    App app;
    auto& stack = make<Stack>(app, "Typed");
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    const Value ref = queue.ref();
    REQUIRE(ref.is_intrinsic());
    CHECK(ref.as_intrinsic().kind == Intrinsic::Kind::Ref);
    CHECK(ref.as_intrinsic().target == &queue);
    CHECK(queue.get_att("Arn").as_intrinsic().name == "Arn");
    CHECK(ref == queue.ref());
    CHECK(ref != queue.get_att("Arn"));
    CHECK(Fn::sub("x") == Fn::sub("x", Map{}));
    CHECK(is_unresolved(Map{{"A", List{1, "two", Fn::join(",", List{"a"})}}}));
    CHECK_FALSE(is_unresolved(Map{{"A", List{1, "two", 3.5, true}}}));
}

TEST_CASE("YAML scalars read back as the same strings, numbers and booleans", "[intrinsics][yaml]") {
    // Strings a YAML 1.1 reader (cfn-lint's PyYAML) would take for something else unless quoted,
    // strings YAML syntax forbids plain, and numbers. Resource Metadata takes any structure.
    const std::vector<std::string> strings{
        "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "Null", "~", "", "123", "0123", "-7",
        "1.5", "1e3", ".5", ".inf", ".NaN", "0x1F", "0o17", "12:30", "12:30:45", "2024-01-02", "-", "- item",
        "a: b", "ends:", "#comment", "a #b", "*alias", "&anchor", "!tag", "@at", "%percent", "`tick", "{x}", "[x]",
        "'single'", "\"double\"", "back\\slash", " leading", "trailing ", "multi\nline", "tab\tin", "?", ":",
        ",comma", "|pipe", ">fold", "é unicode", "plain words", "arn:aws:s3:::bucket/*", "$dollar", "{{not-a-reference}}",
        "/path/to/x", "Service::Name", "key=value", "<<"};
    List list;
    for (const auto& s : strings) list.push_back(s);
    const Map numbers{{"Int", 42},         {"Negative", -3},       {"Zero", 0},      {"Big", std::int64_t{1} << 40},
                      {"Half", 0.5},       {"Tiny", 1e-7},         {"Huge", 1e30},   {"Whole", 3.0},
                      {"NegativeFloat", -2.25}, {"True", true}, {"False", false}};

    App app;
    auto& stack = make<Stack>(app, "YamlScalars");
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    queue.add_metadata("Strings", list);
    queue.add_metadata("Numbers", numbers);
    Map keys;
    for (const auto& s : strings)
        if (!s.empty()) keys[s] = "key";
    queue.add_metadata("Keys", keys);

    const json from_json = unit::template_of(unit::synth_and_emit(app, "yaml-scalars"));
    const std::string yaml = app.synth({TemplateFormat::Yaml}).file("YamlScalars.template.yaml");
    const json from_yaml = unit::yaml_to_json(yaml);
    const json& strings_back = from_yaml["Resources"]["Queue"]["Metadata"]["Strings"];
    REQUIRE(strings_back.size() == strings.size());
    for (std::size_t i = 0; i < strings.size(); ++i) {
        INFO("string [" << strings[i] << "] came back as " << strings_back[i].dump());
        CHECK(strings_back[i] == json(strings[i]));
    }
    const json& numbers_back = from_yaml["Resources"]["Queue"]["Metadata"]["Numbers"];
    for (const auto& [key, value] : from_json["Resources"]["Queue"]["Metadata"]["Numbers"].items()) {
        INFO(key << " = " << value.dump() << " came back as " << numbers_back[key].dump());
        CHECK(numbers_back[key] == value);
        CHECK(numbers_back[key].is_number_float() == value.is_number_float());
        CHECK(numbers_back[key].is_boolean() == value.is_boolean());
    }
    CHECK(from_yaml == from_json);
}
