// Templates, manifests and folders as untrusted input: every bad input is one InputError naming
// the file (and line and column where there is one), on one line, of bounded length; nothing
// recurses without bound (nesting, YAML aliases, nested stacks that nest themselves); and the
// plain-parsing replacements of the former std::regex checks type YAML scalars and find asset
// hashes exactly as before.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"
#include "support.hpp"

using leafsynth::AssemblyFiles;
using leafsynth::parse_template;
using nlohmann::json;

namespace {

/// The message of the InputError that `f` throws ("" when it throws none), checked to be one
/// bounded line.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const leafsynth::InputError& e) {
        const std::string message = e.what();
        CHECK(message.find('\n') == std::string::npos);
        CHECK(message.size() < 2000);
        return message;
    }
    return "";
}

std::string parse_error(const std::string& text, const std::string& origin = "t.yaml") {
    return error_of([&] { (void)parse_template(text, origin); });
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

const char* kTopic = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n";

} // namespace

TEST_CASE("Input: plain YAML scalars are typed as before (null, booleans, integers, floats, else strings)") {
    auto value = [](const std::string& scalar) { return parse_template("Metadata:\n  V: " + scalar + "\n")["Metadata"]["V"]; };
    for (const char* null_text : {"~", "null", "Null", "NULL"}) CHECK(value(null_text).is_null());
    CHECK(value("true") == true);
    CHECK(value("TRUE") == true);
    CHECK(value("False") == false);
    CHECK(value("yes") == "yes"); // YAML 1.2: only true/false
    CHECK(value("0") == 0);
    CHECK(value("-0") == 0);
    CHECK(value("+5") == 5);
    CHECK(value("1800") == 1800);
    CHECK(value("-12") == -12);
    CHECK(value("012") == "012"); // a leading zero is not an integer
    CHECK(value("99999999999999999999") == "99999999999999999999"); // beyond int64: a string
    CHECK(value("1.5") == 1.5);
    CHECK(value("5.") == 5.0);
    CHECK(value(".5") == 0.5);
    CHECK(value("-.5e1") == -5.0);
    CHECK(value("1e3") == 1000.0);
    CHECK(value("1.5E-2") == 0.015);
    CHECK(value("1e999") == "1e999"); // out of range: a string
    for (const char* s : {"1e", "e5", ".", "+", "1.2.3", "0x1F", "1_000", ".inf", "1e+", "12abc"})
        CHECK(value(s) == s);
    CHECK(value("'12'") == "12");
    CHECK(value("!!str 12") == "12");
    CHECK(value("!!int 12") == 12);
}

TEST_CASE("Input: scalars of a million characters are read without recursion (no std::regex)") {
    const std::string digits(1'000'000, '7');
    CHECK(parse_template("Metadata:\n  V: " + digits + "\n")["Metadata"]["V"] == digits);
    const std::string floaty = digits + "." + digits; // out of a double's range: a string, as before
    CHECK(parse_template("Metadata:\n  V: " + floaty + "\n")["Metadata"]["V"] == floaty);
}

TEST_CASE("Input: nesting deeper than 200 levels is refused at its position, before parsing recurses") {
    const auto started = std::chrono::steady_clock::now();
    // 200 levels (the template, Metadata, 198 lists) are fine in both formats; 201 are not.
    CHECK_NOTHROW(parse_template("{\"Metadata\": {\"V\": " + repeat("[", 198) + repeat("]", 198) + "}}", "ok.json"));
    CHECK_NOTHROW(parse_template("Metadata:\n  V: " + repeat("[", 198) + repeat("]", 198) + "\n", "ok.yaml"));
    CHECK_THAT(parse_error("{\"Metadata\": {\"V\": " + repeat("[", 199) + repeat("]", 199) + "}}", "no.json"),
               Catch::StartsWith("no.json:1:218: nested more than 200 levels deep"));
    CHECK_THAT(parse_error("Metadata:\n  V: " + repeat("[", 199) + repeat("]", 199) + "\n", "no.yaml"),
               Catch::StartsWith("no.yaml:2:204: Metadata.V[0]"));
    // 10,000 levels: JSON, YAML flow, YAML block, YAML block sequences.
    std::string e = parse_error("{\"Metadata\": " + repeat("[", 10'000) + repeat("]", 10'000) + "}", "deep.json");
    CHECK_THAT(e, Catch::StartsWith("deep.json:1:213: nested more than 200 levels deep"));
    e = parse_error("Metadata:\n  P: " + repeat("[", 10'000) + repeat("]", 10'000) + "\n", "deep.yaml");
    CHECK_THAT(e, Catch::StartsWith("deep.yaml:2:204: Metadata.P[0][0][0]"));
    CHECK_THAT(e, Catch::Contains("nested more than 200 levels deep"));
    std::string block = "Metadata:\n";
    for (int i = 1; i <= 10'000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    e = parse_error(block, "block.yaml");
    CHECK_THAT(e, Catch::StartsWith("block.yaml:201:201: Metadata.k.k.k.k.(190 more).k.k.k.k.k: nested more than 200"));
    e = parse_error("Metadata:\n  " + repeat("- ", 10'000) + "x\n", "seq.yaml");
    CHECK_THAT(e, Catch::StartsWith("seq.yaml:2:"));
    CHECK_THAT(e, Catch::Contains("nested more than 200 levels deep"));
    // A policy document inside a JSON string nested that deep is not read as a policy (no crash).
    const std::string deep_string = json(repeat("[", 100'000) + repeat("]", 100'000)).dump();
    const json t = parse_template(R"({"Resources": {"P": {"Type": "AWS::Logs::ResourcePolicy", "Properties": {"PolicyDocument": )" +
                                  deep_string + "}}}}");
    CHECK_NOTHROW(leafsynth::diff_templates(json::object(), t));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("Input: YAML aliases are expanded within a budget, a billion laughs fails at once") {
    // Ordinary anchors and aliases work.
    const json t = parse_template("Metadata:\n  A: &tags [x, y]\n  B: *tags\n  C: &name hello\n  *name : *name\n");
    CHECK(t["Metadata"]["B"] == json({"x", "y"}));
    CHECK(t["Metadata"]["hello"] == "hello");
    // The classic bomb: nine levels of nine aliases each (10^9 strings), 540 bytes.
    std::string bomb = "Metadata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    const std::string names = "abcdefghi";
    for (std::size_t i = 1; i < names.size(); ++i) {
        bomb += std::string("  ") + names[i] + ": &" + names[i] + " [";
        for (int k = 0; k < 9; ++k) bomb += std::string(k ? ", " : "") + "*" + names[i - 1];
        bomb += "]\n";
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string e = parse_error(bomb, "laughs.yaml");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    CHECK_THAT(e, Catch::StartsWith("laughs.yaml:"));
    CHECK_THAT(e, Catch::Contains("YAML anchors and aliases copy more than 100000 values"));
    // An alias inside the node it names is a cycle.
    CHECK_THAT(parse_error("Metadata:\n  a: &a [x, *a]\n", "cycle.yaml"),
               Catch::StartsWith("cycle.yaml:2:13: Metadata.a[1]: this alias refers to a node that contains it"));
}

TEST_CASE("Input: text that is not UTF-8, binary data and UTF-16 are located errors, a UTF-8 BOM is fine") {
    CHECK_THAT(parse_error("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: \"a\xff\"}\n", "t.yaml"),
               Catch::StartsWith("t.yaml:4:31: not UTF-8 text: byte 0xFF"));
    CHECK_THAT(parse_error("{\"Resources\": {\"T\": \xc3(}}", "t.json"), Catch::StartsWith("t.json:1:21: not UTF-8 text: byte 0xC3"));
    CHECK_THAT(parse_error(std::string("Resources:\n  \0x", 15), "nul.yaml"),
               Catch::StartsWith("nul.yaml:2:3: control character U+0000 (binary data?)"));
    CHECK_THAT(parse_error("\xff\xfeR\0e\0", "u16.yaml"), Catch::StartsWith("u16.yaml:1:1: the file is UTF-16 or UTF-32 text"));
    CHECK_THAT(parse_error("\xed\xa0\x80", "surrogate.yaml"), Catch::Contains("not UTF-8 text"));
    CHECK(parse_template(std::string("\xEF\xBB\xBF") + kTopic)["Resources"]["Topic"]["Type"] == "AWS::SNS::Topic");
    CHECK(parse_template(std::string("\xEF\xBB\xBF") + R"({"Resources": {}})").contains("Resources"));
    // Escapes that make invalid UTF-8 in a value.
    CHECK_THAT(parse_error("Metadata:\n  V: \"\\ud800\"\n", "esc.yaml"), Catch::StartsWith("esc.yaml:2:"));
}

TEST_CASE("Input: a syntax error is one located error, an unclosed quote too (yaml-cpp takes it as closed)") {
    std::string e = parse_error("Resources:\n  T:\n    Type: \"AWS::SNS::Topic\n", "q.yaml");
    CHECK(e == "q.yaml:3:11: Resources.T.Type: the quoted string that starts here is not closed: add the closing \"");
    e = parse_error("Resources:\n  T:\n    Type: !Sub 'x\n", "q.yaml");
    CHECK_THAT(e, Catch::StartsWith("q.yaml:3:11: Resources.T.Type: the quoted string that starts here is not closed"));
    CHECK_NOTHROW(parse_template("Metadata:\n  A: 'it''s'\n  B: \"say \\\"hi\\\"\"\n  C: it's\n  D: \"two\n    lines\"\n"));
    e = parse_error("Metadata:\n  A: [x, y\n", "flow.yaml");
    CHECK_THAT(e, Catch::StartsWith("flow.yaml:3:1: not valid YAML: end of sequence flow not found"));
    e = parse_error("Metadata:\n  A: x\n  - y\n", "mix.yaml");
    CHECK_THAT(e, Catch::StartsWith("mix.yaml:3:3: not valid YAML:"));
    e = parse_error(R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"})", "cut.json");
    CHECK(e == "cut.json:1:48: not valid JSON: syntax error while parsing object - unexpected end of input; "
               "expected '}' (the file ends early: is it cut short?)");
    CHECK(parse_error(R"({"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"N": 1e999}}}})", "big.json") ==
          "big.json:1:69: not valid JSON: number overflow parsing '1e999' (too large for a number: write it as a string)");
    CHECK(parse_error("", "empty.json") ==
          "empty.json:1:1: the file is empty: a template is a mapping with a Resources section (and optionally Parameters, Outputs, ...)");
    CHECK_THAT(parse_error("# only a comment\n", "c.yaml"), Catch::StartsWith("c.yaml:1:1: the file is empty"));
    CHECK_THAT(parse_error("- a\n- b\n", "list.yaml"), Catch::StartsWith("list.yaml:1:1: not a CloudFormation template: the top level is a list"));
    // A second document, and lines after the top-level mapping that yaml-cpp would drop.
    CHECK_THAT(parse_error(std::string(kTopic) + "---\nResources: {}\n", "two.yaml"),
               Catch::StartsWith("two.yaml:4:1: a second YAML document starts here"));
    CHECK_NOTHROW(parse_template(std::string(kTopic) + "---\n"));
    CHECK_THAT(parse_error("- a\nResources: {}\n", "junk.yaml"),
               Catch::StartsWith("junk.yaml:2:1: this is not part of the template's top-level mapping"));
}

TEST_CASE("Input: unknown YAML tags are errors naming the tag and its position, CloudFormation's short forms are not") {
    const std::string e = parse_error("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Foo bar\n", "tag.yaml");
    CHECK_THAT(e, Catch::StartsWith("tag.yaml:5:18: Resources.T.Properties.TopicName: unknown YAML tag '!Foo'"));
    CHECK_THAT(e, Catch::Contains("!Ref, !GetAtt, !Sub"));
    CHECK_THAT(parse_error("Metadata:\n  A: !getatt X.Y\n"), Catch::Contains("unknown YAML tag '!getatt' (did you mean !GetAtt?)"));
    CHECK_THAT(parse_error("Metadata:\n  A: !Foo [a]\n", "seq.yaml"), Catch::StartsWith("seq.yaml:2:6: Metadata.A: unknown YAML tag '!Foo'"));
    CHECK_THAT(parse_error("Metadata:\n  A: !" + std::string(30'000, 'X') + " a\n"), Catch::Contains("XXX... (30001 bytes in all)"));
    const json t = parse_template(
        "Metadata:\n  A: [!Ref a, !GetAtt b.c, !Sub s, !Join [',', [x]], !Select [0, [x]], !Split [',', s], "
        "!FindInMap [m, k, v], !GetAZs r, !ImportValue i, !Base64 x, !Cidr [c, 1, 2], !If [c, a, b], "
        "!Equals [a, b], !And [!Condition c], !Or [!Condition c], !Not [!Condition c], !Condition c, "
        "!Transform {Name: n}, !ToJsonString {a: b}, !Length [a]]\n");
    const json& a = t["Metadata"]["A"];
    REQUIRE(a.size() == 20);
    CHECK(a[0] == json{{"Ref", "a"}});
    CHECK(a[1] == json{{"Fn::GetAtt", {"b", "c"}}});
    CHECK(a[13] == json{{"Fn::And", {{{"Condition", "c"}}}}});
    CHECK(a[17] == json{{"Fn::Transform", {{"Name", "n"}}}});
    CHECK(a[19] == json{{"Fn::Length", {"a"}}});
}

TEST_CASE("Input: sections of the wrong type, resources without a Type and the like are errors with the key path") {
    CHECK(parse_error("Resources: [a, b]\n") == "t.yaml:1:1: Resources: must be a mapping of names to entries, not a list");
    CHECK_THAT(parse_error("Resources: text\n"), Catch::Contains("Resources: must be a mapping of names to entries, not a string"));
    CHECK(parse_error("Resources:\n") ==
          "t.yaml:1:1: Resources: must be a mapping of names to entries, not empty (null); give its entries, or remove the key");
    CHECK_THAT(parse_error(R"({"Resources": {}, "Parameters": [1]})", "p.json"),
               Catch::StartsWith("p.json:1:19: Parameters: must be a mapping of names to entries, not a list"));
    CHECK_THAT(parse_error(std::string(kTopic) + "Outputs: 5\n"), Catch::StartsWith("t.yaml:4:1: Outputs: must be a mapping"));
    CHECK_THAT(parse_error(std::string(kTopic) + "Conditions: [a]\n"), Catch::StartsWith("t.yaml:4:1: Conditions: must be a mapping"));
    CHECK(parse_error("Resource:\n  T:\n    Type: AWS::SNS::Topic\n").rfind(
              "t.yaml:1:1: Resource: not a template section (did you mean Resources?); the sections are", 0) == 0);
    CHECK(parse_error("Resources:\n  T:\n    Properties: {}\n") ==
          "t.yaml:2:3: Resources.T: the resource has no Type: give one, such as AWS::SNS::Topic");
    CHECK_THAT(parse_error(R"({"Resources": {"T": {"Type": 5}}})", "n.json"),
               Catch::StartsWith("n.json:1:22: Resources.T.Type: must be a resource type such as AWS::SNS::Topic, not a number"));
    CHECK_THAT(parse_error("Resources:\n  T:\n    Type: SNS Topic\n"),
               Catch::StartsWith("t.yaml:3:5: Resources.T.Type: 'SNS Topic' is not a resource type"));
    CHECK_THAT(parse_error("Resources:\n  T: AWS::SNS::Topic\n"),
               Catch::StartsWith("t.yaml:2:3: Resources.T: a resource must be a mapping with Type and Properties, not a string"));
    CHECK_THAT(parse_error(std::string(kTopic) + "    Properties: [a]\n"),
               Catch::StartsWith("t.yaml:4:5: Resources.Topic.Properties: must be a mapping, not a list"));
    CHECK_THAT(parse_error(std::string(kTopic) + "    DependsOn: [{a: b}]\n"),
               Catch::StartsWith("t.yaml:4:5: Resources.Topic.DependsOn: must be a logical id or a list of logical ids"));
    CHECK_THAT(parse_error("Resources:\n  My-Topic:\n    Type: AWS::SNS::Topic\n"),
               Catch::StartsWith("t.yaml:2:3: Resources.My-Topic: not a logical id"));
    CHECK_THAT(parse_error(std::string(kTopic) + "Parameters:\n  P: {Default: 1}\n"),
               Catch::StartsWith("t.yaml:5:3: Parameters.P: the parameter needs a Type"));
    CHECK_THAT(parse_error(std::string(kTopic) + "Outputs:\n  O: {Export: {Name: x}}\n"),
               Catch::StartsWith("t.yaml:5:3: Outputs.O: the output has no Value"));
    CHECK_THAT(parse_error(std::string(kTopic) + "Mappings:\n  M: [a]\n"), Catch::StartsWith("t.yaml:5:3: Mappings.M: must be a mapping"));
    // What CloudFormation accepts stays accepted.
    CHECK_NOTHROW(parse_template("Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Topics: [N, [a, b], {'T${N}': {Type: AWS::SNS::Topic}}]\n"
                                 "  Fn: {Type: Custom::My-Thing_1@x}\n  Mod: {Type: Org::Service::Thing::MODULE, DependsOn: Fn}\n"
                                 "Globals: {Function: {Timeout: 3}}\nHooks: {}\nRules: {}\nConditions: {C: !Equals [a, b]}\n"
                                 "Outputs:\n  Fn::ForEach::Outs: [N, [a], {'O${N}': {Value: x}}]\n"));
}

TEST_CASE("Input: a key given twice is an error naming both places") {
    CHECK(parse_error("Resources:\n  T:\n    Type: AWS::SNS::Topic\n  T:\n    Type: AWS::SQS::Queue\n") ==
          "t.yaml:4:3: Resources.T: given twice in one mapping (first at line 2); only one of them would count: remove or rename one");
    CHECK(parse_error("{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"},\n \"T\": {\"Type\": \"AWS::SQS::Queue\"}}}", "d.json") ==
          "d.json:2:2: Resources.T: given twice in one object (first at line 1); only one of them would count: remove or rename one");
}

TEST_CASE("Input: odd values in messages stay on one line and short") {
    // A key with a line break, a 10 MB type, a 30,000-character logical id.
    CHECK(parse_error(R"({"Resources": {"A\nB": {"Type": 1}}})", "nl.json") ==
          "nl.json:1:16: Resources.A\\nB: not a logical id: logical ids are 1 to 255 letters and digits");
    const std::string big(10'000'000, 'x');
    const std::string e = parse_error(R"({"Resources": {"T": {"Type": ")" + big + "\"}}}", "big.json");
    CHECK_THAT(e, Catch::StartsWith("big.json:1:22: Resources.T.Type: 'xxxx"));
    CHECK_THAT(e, Catch::Contains("... (10000000 bytes in all)' is not a resource type"));
    const std::string id(30'000, 'L');
    CHECK_THAT(parse_error(R"({"Resources": {")" + id + R"(": {"Type": "AWS::SNS::Topic"}}})", "id.json"),
               Catch::Contains("(30000 bytes in all): not a logical id"));
}

TEST_CASE("Input: diff_templates and the security section take values of any type without throwing") {
    const json odd = json::parse(R"({"Resources": {
        "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Effect": ["Allow"], "Action": 5}]},
              "Policies": ["x", {"PolicyName": 1, "PolicyDocument": {"Statement": {"Effect": {"Ref": "E"}}}}]}},
        "G": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": ["x", {"IpProtocol": [1]}]}},
        "S": 7, "N": {"Type": 5}, "P": {"Type": "AWS::Lambda::Permission", "Properties": {"Principal": [1]}}}})");
    CHECK_NOTHROW(leafsynth::diff_templates(json::object(), odd));
    CHECK_NOTHROW(leafsynth::diff_templates(odd, json::object()));
    json other = odd;
    other["Resources"]["S"] = 8;
    other["Resources"]["N"] = {{"Type", 6}, {"Condition", 1}};
    CHECK_NOTHROW(leafsynth::diff_templates(odd, other));
}

TEST_CASE("Input: a nested stack's TemplateURL hash is found by plain parsing, as the regex found it") {
    const std::string nested = R"({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})";
    const std::string hash = leafsynth::sha256_hex(nested);
    auto parent = [](const std::string& url) {
        return json{{"Resources", {{"ChildNestedStack", {{"Type", "AWS::CloudFormation::Stack"},
                                                         {"Properties", {{"TemplateURL", url}}}}}}}}.dump();
    };
    for (const std::string& url : {"https://s3.amazonaws.com/b/" + hash + ".json", "https://b/f" + hash + ".yaml?x=1",
                                   "https://b/" + hash + ".yml", "s3://b/x.json/" + hash + ".json"}) {
        AssemblyFiles files = {{"P.template.json", parent(url)}, {"whatever.json", nested}};
        files["whatever.template.json"] = nested;
        const auto d = leafsynth::diff_assemblies(files, files);
        INFO(url);
        REQUIRE(d.stacks.size() == 2); // P and the nested template named like a top-level one
        const auto& p = d.stacks[0].name == "P" ? d.stacks[0] : d.stacks[1];
        REQUIRE(p.nested.size() == 1);
        CHECK(p.notes.empty());
        CHECK(p.nested[0].new_template == "whatever.template.json");
    }
    // Not a hash: 63 digits, upper case, or no extension after it.
    for (const std::string& url : {"https://b/" + hash.substr(1) + ".json", "https://b/" + hash + ".txt"}) {
        AssemblyFiles files = {{"P.template.json", parent(url)}, {"whatever.template.json", nested}};
        const auto d = leafsynth::diff_assemblies(files, files);
        const auto& p = d.stacks[0].name == "P" ? d.stacks[0] : d.stacks[1];
        CHECK(p.nested.empty());
        CHECK(p.notes.size() == 1);
    }
}

TEST_CASE("Input: nested stacks that nest themselves, too deeply, or too many times over are errors, found fast") {
    auto stack_resource = [](const std::string& file) {
        return json{{"Type", "AWS::CloudFormation::Stack"}, {"Properties", {{"TemplateURL", file}}}};
    };
    const auto started = std::chrono::steady_clock::now();
    // A template whose nested stacks (two of them) point back at itself.
    AssemblyFiles self = {{"Self.template.json", json{{"Resources", {{"A", stack_resource("Self.template.json")},
                                                                      {"B", stack_resource("Self.template.json")}}}}.dump(1)}};
    std::string e = error_of([&] { (void)leafsynth::diff_assemblies(self, self, "old/", "new/"); });
    CHECK_THAT(e, Catch::StartsWith("old/Self.template.json:3:3: Resources.A: the nested stack's template is "
                                    "old/Self.template.json, which already contains it (old/Self.template.json > A)"));
    // A -> B -> A.
    AssemblyFiles ab = {{"A.template.json", json{{"Resources", {{"ToB", stack_resource("B.nested.template.json")}}}}.dump()},
                        {"B.nested.template.json", json{{"Resources", {{"ToA", stack_resource("A.template.json")}}}}.dump()}};
    e = error_of([&] { (void)leafsynth::diff_assemblies({}, ab); });
    CHECK_THAT(e, Catch::StartsWith("B.nested.template.json:1:15: Resources.ToA: the nested stack's template is A.template.json, "
                                    "which already contains it (A.template.json > ToB > ToA)"));
    // A chain of 20 distinct templates: more than 16 levels.
    AssemblyFiles chain;
    for (int i = 0; i < 20; ++i) {
        json r = {{"T", {{"Type", "AWS::SNS::Topic"}}}};
        if (i < 19) r["N"] = stack_resource("C" + std::to_string(i + 1) + ".nested.template.json");
        chain[(i ? "C" + std::to_string(i) + ".nested" : std::string("C0")) + ".template.json"] = json{{"Resources", r}}.dump();
    }
    e = error_of([&] { (void)leafsynth::diff_assemblies(chain, chain); });
    CHECK_THAT(e, Catch::StartsWith("C16.nested.template.json:1:"));
    CHECK_THAT(e, Catch::Contains("Resources.N: nested stacks more than 16 levels deep (C0.template.json > N > N > ... > N"));
    // 15 levels of two stacks that share one template: 2^15 comparisons.
    AssemblyFiles dag;
    for (int i = 0; i < 15; ++i) {
        json r = {{"T", {{"Type", "AWS::SNS::Topic"}}}};
        if (i < 14)
            for (const char* k : {"A", "B"}) r[k] = stack_resource("D" + std::to_string(i + 1) + ".nested.template.json");
        dag[(i ? "D" + std::to_string(i) + ".nested" : std::string("D0")) + ".template.json"] = json{{"Resources", r}}.dump();
    }
    e = error_of([&] { (void)leafsynth::diff_assemblies(dag, dag); });
    CHECK_THAT(e, Catch::StartsWith("D0.template.json: its nested stacks would mean comparing more than 5000 stacks or 64 MB"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    // Shared templates within the limits are fine: 6 levels of two.
    AssemblyFiles small;
    for (const auto& [path, text] : dag)
        if (path.find("D6.") == std::string::npos && path.find("D7.") == std::string::npos && path.find("D8.") == std::string::npos &&
            path.find("D9.") == std::string::npos && path.find("D1") == std::string::npos)
            small[path] = text;
    small["D5.nested.template.json"] = json{{"Resources", {{"T", {{"Type", "AWS::SNS::Topic"}}}}}}.dump();
    CHECK_NOTHROW(leafsynth::diff_assemblies(small, small));
}

TEST_CASE("Input: a corrupt manifest is an error naming the file, not an assembly without stacks") {
    const std::string tmpl = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})";
    const AssemblyFiles good = {{"manifest.json", R"({"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack",
        "properties": {"templateFile": "S.template.json"}}}})"}, {"S.template.json", tmpl}};
    CHECK_NOTHROW(leafsynth::diff_assemblies(good, good, "before/"));
    auto with_manifest = [&](const std::string& manifest) {
        AssemblyFiles f = good;
        f["manifest.json"] = manifest;
        return error_of([&] { (void)leafsynth::diff_assemblies(f, good, "before/"); });
    };
    CHECK_THAT(with_manifest(R"({"version": "36.0.0", "artifacts": {"S": )"),
               Catch::StartsWith("before/manifest.json:1:42: not valid JSON: syntax error while parsing value - unexpected end of input"));
    CHECK(with_manifest("[]") == "before/manifest.json:1:1: not a cloud assembly manifest: the top level is not a JSON object");
    CHECK_THAT(with_manifest("{}"), Catch::StartsWith("before/manifest.json:1:1: not a cloud assembly manifest (it has neither"));
    CHECK(with_manifest(R"({"version": 36})") ==
          "before/manifest.json:1:2: version: must be a string, the version of the cloud assembly schema (e.g. \"36.0.0\")");
    CHECK(with_manifest(R"({"version": "36.0.0", "artifacts": [1]})") ==
          "before/manifest.json:1:23: artifacts: must be an object of artifact ids to artifacts");
    CHECK(with_manifest(R"({"version": "36.0.0", "artifacts": {"S": 5}})") ==
          "before/manifest.json:1:37: artifacts.S: an artifact must be an object with a type");
    CHECK(with_manifest(R"({"version": "36.0.0", "artifacts": {"S": {"type": ["x"]}}})") ==
          "before/manifest.json:1:43: artifacts.S.type: must be a non-empty string");
    CHECK(with_manifest(R"({"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "gone.json"}}}})") ==
          "before/manifest.json:1:94: artifacts.S.properties.templateFile: names the template file 'gone.json', which is not "
          "in the folder before/");
    CHECK_THAT(with_manifest(std::string("{\"version\": \"36.0.0\"") + repeat(", \"x\": [", 1) + repeat("[", 300) + repeat("]", 301) + "}"),
               Catch::StartsWith("before/manifest.json:1:227: nested more than 200 levels deep"));
    // A broken template of the folder is named with the folder too.
    AssemblyFiles broken = good;
    broken["S.template.json"] = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}})";
    CHECK_THAT(error_of([&] { (void)leafsynth::diff_assemblies(broken, good, "before/"); }),
               Catch::StartsWith("before/S.template.json:1:49: not valid JSON"));
}

TEST_CASE("Input: folders and files: FIFOs, folders given as files, symbolic links that lead back up") {
    const auto dir = unit::scratch_dir("diff_input_files");
    std::ofstream(dir / "T.template.json") << R"({"Resources": {}})";
    std::filesystem::create_directories(dir / "folder.template.json");
    REQUIRE(::mkfifo((dir / "fifo.template.json").c_str(), 0600) == 0);
    const auto t = dir / "T.template.json";
    CHECK_THAT(error_of([&] { (void)leafsynth::diff_template_files(t, dir / "folder.template.json"); }),
               Catch::EndsWith("folder.template.json: is a folder, not a file"));
    CHECK_THAT(error_of([&] { (void)leafsynth::diff_template_files(t, dir / "fifo.template.json"); }),
               Catch::EndsWith("fifo.template.json: is not a regular file (a FIFO, socket or device): give a file"));
    CHECK_THAT(error_of([&] { (void)leafsynth::diff_template_files(t, dir / "missing.template.json"); }),
               Catch::EndsWith("missing.template.json: no such template file"));
    // In an output folder, a FIFO is an error too (reading it would block); a folder named like a
    // template is passed over.
    CHECK_THAT(error_of([&] { (void)leafsynth::read_assembly_dir(dir); }),
               Catch::EndsWith("fifo.template.json: is not a regular file (a FIFO, socket or device): give a file"));
    // An output folder with links to itself named like nested assemblies: not followed.
    const auto out = unit::scratch_dir("diff_input_loops");
    std::ofstream(out / "T.template.json") << R"({"Resources": {}})";
    std::filesystem::create_directories(out / "folder.template.json");
    std::filesystem::create_directory_symlink(".", out / "assembly-loop");
    std::filesystem::create_directory_symlink(".", out / "assembly-loop2");
    const AssemblyFiles files = leafsynth::read_assembly_dir(out);
    CHECK(files.size() == 1);
    CHECK(files.count("T.template.json") == 1);
}
