// Output: synthesis is deterministic, and write_assembly replaces the output folder atomically.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

using namespace leafsynth;
namespace fs = std::filesystem;
using unit::json;

namespace {

/// A multi-stack app with most features: tags, a cross-stack reference, a nested stack,
/// parameters, conditions, dependencies and outputs.
void build_rich_app(App& app) {
    const Environment env{"", "us-east-1"};
    auto& shared = make<Stack>(app, "DeterminismShared", StackProps{"", "Shared resources", env});
    auto& topic = make<CfnResource>(shared, "Topic", "AWS::SNS::Topic");
    auto& queue = make<CfnResource>(shared, "Queue", "AWS::SQS::Queue", Map{{"DelaySeconds", 5}});
    make<CfnResource>(shared, "Subscription", "AWS::SNS::Subscription",
                      Map{{"TopicArn", topic.ref()}, {"Protocol", "sqs"}, {"Endpoint", queue.get_att("Arn")}});
    auto& logs = make<NestedStack>(shared, "Logs");
    make<CfnResource>(logs, "Group", "AWS::Logs::LogGroup", Map{{"RetentionInDays", 14}});

    auto& service = make<Stack>(app, "DeterminismService", StackProps{"", "", env});
    ParameterProps stage;
    stage.default_value = "dev";
    stage.allowed_values = {"dev", "prod"};
    auto& stage_param = make<CfnParameter>(service, "Stage", stage);
    auto& is_prod = make<CfnCondition>(service, "IsProd", Fn::equals(stage_param.ref(), "prod"));
    auto& worker = make<Construct>(service, "Worker");
    auto& dlq = make<CfnResource>(worker, "DeadLetters", "AWS::SQS::Queue");
    auto& jobs = make<CfnResource>(
        worker, "Jobs", "AWS::SQS::Queue",
        Map{{"RedrivePolicy", Map{{"deadLetterTargetArn", dlq.get_att("Arn")}, {"maxReceiveCount", 3}}},
            {"MessageRetentionPeriod", Fn::if_(is_prod, 1209600, 345600)}});
    auto& alarms = make<CfnResource>(service, "Alarms", "AWS::SNS::Topic");
    alarms.add_dependency(worker);
    make<CfnResource>(service, "SharedQueueArn", "AWS::SSM::Parameter",
                      Map{{"Type", "String"}, {"Value", queue.get_att("Arn")}});
    make<CfnOutput>(service, "JobsUrl", OutputProps{jobs.ref(), "The jobs queue", "", nullptr});

    Tags::of(app).add("Project", "leafsynth");
    Tags::of(service).add("Service", "worker");
}

/// Writes `contents` to `path`, creating folders.
void write_text(const fs::path& path, const std::string& contents) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
}

/// The snapshot a written assembly must produce: its files, plus the folders they imply.
std::map<std::string, std::string> expected_snapshot(const Assembly& assembly) {
    std::map<std::string, std::string> out;
    out[kOutputMarker] =
        "This folder was written by leafsynth, which replaces it as a whole on the next synth into it.\n";
    for (const auto& f : assembly.files) {
        out[f.path] = f.contents;
        for (fs::path p = fs::path(f.path).parent_path(); !p.empty(); p = p.parent_path()) out[p.generic_string()] = "<dir>";
    }
    return out;
}

Assembly small_assembly(const std::string& stack_name) {
    App app;
    auto& stack = make<Stack>(app, stack_name);
    make<CfnResource>(stack, "Queue", "AWS::SQS::Queue");
    return app.synth();
}

} // namespace

TEST_CASE("two identical apps synthesize byte-identical assemblies", "[output][determinism]") {
    App first;
    build_rich_app(first);
    App second;
    build_rich_app(second);
    const Assembly a = unit::synth_and_emit(first, "determinism");
    const Assembly b = second.synth();
    REQUIRE(a.files.size() == b.files.size());
    for (std::size_t i = 0; i < a.files.size(); ++i) {
        INFO(a.files[i].path);
        CHECK(a.files[i].path == b.files[i].path);
        CHECK(a.files[i].contents == b.files[i].contents);
    }
    // Files are sorted by path, and the templates are there.
    for (std::size_t i = 1; i < a.files.size(); ++i) CHECK(a.files[i - 1].path < a.files[i].path);
    CHECK_NOTHROW(a.file("DeterminismShared.template.json"));
    CHECK_NOTHROW(a.file("DeterminismService.template.json"));

    const Assembly ya = first.synth({TemplateFormat::Yaml});
    const Assembly yb = second.synth({TemplateFormat::Yaml});
    REQUIRE(ya.files.size() == yb.files.size());
    for (std::size_t i = 0; i < ya.files.size(); ++i) CHECK(ya.files[i].contents == yb.files[i].contents);
}

TEST_CASE("synthesizing the same app again gives the same bytes (aspects apply once)", "[output][determinism]") {
    App app;
    build_rich_app(app);
    const Assembly first = app.synth();
    app.synth({TemplateFormat::Yaml});
    const Assembly again = app.synth();
    REQUIRE(first.files.size() == again.files.size());
    for (std::size_t i = 0; i < first.files.size(); ++i) {
        INFO(first.files[i].path);
        CHECK(first.files[i].contents == again.files[i].contents);
    }
    const json doc = unit::template_of(again, "DeterminismService");
    CHECK(doc["Resources"]["Alarms"]["Properties"]["Tags"].size() == 2);
}

TEST_CASE("write_assembly of two identical apps writes identical folders", "[output][determinism]") {
    const fs::path dir = unit::scratch_dir("output-determinism");
    App first;
    build_rich_app(first);
    App second;
    build_rich_app(second);
    const Assembly a = first.synth();
    write_assembly(a, dir / "first");
    write_assembly(second.synth(), dir / "second");
    const auto one = unit::snapshot(dir / "first");
    CHECK(one == unit::snapshot(dir / "second"));
    CHECK(one == expected_snapshot(a));
}

TEST_CASE("write_assembly replaces an existing folder wholesale and leaves no temporary folder", "[output][atomic]") {
    const fs::path dir = unit::scratch_dir("output-replace");
    const fs::path out = dir / "cdk.out";
    // A folder leafsynth wrote before (it has the marker), with files the new output does not have.
    write_text(out / kOutputMarker, "written by leafsynth");
    write_text(out / "stale.txt", "old");
    write_text(out / "nested" / "old.template.json", "{}");
    const Assembly assembly = small_assembly("Replace");
    write_assembly(assembly, out);
    CHECK(unit::snapshot(out) == expected_snapshot(assembly));
    CHECK(unit::entries(dir) == std::vector<std::string>{"cdk.out"});

    // A second write over it, with a trailing slash, replaces it again.
    const Assembly other = small_assembly("Other");
    write_assembly(other, out.string() + "/");
    CHECK(unit::snapshot(out) == expected_snapshot(other));
    CHECK(unit::entries(dir) == std::vector<std::string>{"cdk.out"});

    // A folder that does not exist yet (nor its parent) is created.
    write_assembly(assembly, dir / "deeper" / "out");
    CHECK(unit::snapshot(dir / "deeper" / "out") == expected_snapshot(assembly));
    CHECK(unit::entries(dir / "deeper") == std::vector<std::string>{"out"});
}

TEST_CASE("write_assembly never replaces a folder leafsynth did not write", "[output][atomic]") {
    const fs::path dir = unit::scratch_dir("output-user-folder");
    // The user's own folder (configs, say): refused, and left exactly as it was.
    write_text(dir / "configs" / "minecraft.yaml", "Ec2: {}");
    const auto before = unit::snapshot(dir);
    try {
        write_assembly(small_assembly("Mine"), dir / "configs");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        const std::string message = e.what();
        CHECK(message.find((dir / "configs").string()) != std::string::npos);
        CHECK(message.find("not written by leafsynth") != std::string::npos);
        CHECK(message.find(kOutputMarker) != std::string::npos);
        CHECK(message.find("-o") != std::string::npos);
    }
    CHECK(unit::snapshot(dir) == before);

    // The current folder and a root cannot be replaced as a whole.
    CHECK_THROWS_AS(write_assembly(small_assembly("Mine"), "."), InputError);
    CHECK_THROWS_AS(write_assembly(small_assembly("Mine"), "/"), InputError);

    // A symbolic link to a folder is not followed and replaced.
    fs::create_directory_symlink(dir / "configs", dir / "link");
    CHECK_THROWS_AS(write_assembly(small_assembly("Mine"), dir / "link"), InputError);
    CHECK(unit::snapshot(dir / "configs") == std::map<std::string, std::string>{{"minecraft.yaml", "Ec2: {}"}});

    // An empty folder is fine, and so is the output of an earlier write (it has the marker).
    fs::create_directory(dir / "empty");
    write_assembly(small_assembly("Mine"), dir / "empty");
    write_assembly(small_assembly("Again"), dir / "empty");
    CHECK(unit::snapshot(dir / "empty") == expected_snapshot(small_assembly("Again")));
}

TEST_CASE("when synthesis fails, the previous output folder is untouched", "[output][atomic]") {
    const fs::path dir = unit::scratch_dir("output-synth-fails");
    const fs::path out = dir / "out";
    write_assembly(small_assembly("Previous"), out);
    const auto before = unit::snapshot(out);

    App broken;
    auto& stack = make<Stack>(broken, "Previous");
    make<CfnResource>(stack, "Queue", "AWS::Nope");
    CHECK_THROWS_AS(write_assembly(broken.synth(), out), ValidationError);
    CHECK(unit::snapshot(out) == before);
    CHECK(unit::entries(dir) == std::vector<std::string>{"out"});
}

TEST_CASE("when writing fails midway, the previous folder is untouched and no temporary folder is left",
          "[output][atomic]") {
    const fs::path dir = unit::scratch_dir("output-write-fails");
    const fs::path out = dir / "out";
    write_assembly(small_assembly("Previous"), out);
    const auto before = unit::snapshot(out);

    // "a" is a file, so "a/b" cannot be written (and the other way round).
    Assembly clash;
    clash.files = {{"a", "file"}, {"a/b", "under a file"}};
    CHECK_THROWS_AS(write_assembly(clash, out), Error);
    CHECK(unit::snapshot(out) == before);
    CHECK(unit::entries(dir) == std::vector<std::string>{"out"});

    Assembly reversed;
    reversed.files = {{"a/b", "under a folder"}, {"a", "file over a folder"}};
    CHECK_THROWS_AS(write_assembly(reversed, out), Error);
    CHECK(unit::snapshot(out) == before);
    CHECK(unit::entries(dir) == std::vector<std::string>{"out"});

    // A folder that did not exist is not created by a failed write.
    CHECK_THROWS_AS(write_assembly(clash, dir / "fresh"), Error);
    CHECK(unit::entries(dir) == std::vector<std::string>{"out"});
}

TEST_CASE("write_assembly refuses an output path that is a file, and file paths outside the folder",
          "[output][atomic]") {
    const fs::path dir = unit::scratch_dir("output-bad-paths");
    write_text(dir / "file", "keep me");
    CHECK_THROWS_AS(write_assembly(small_assembly("Stack"), dir / "file"), InputError);
    CHECK(unit::snapshot(dir) == std::map<std::string, std::string>{{"file", "keep me"}});

    // Every file must stay inside the output folder.
    for (const std::string bad : {"../escape.json", "sub/../../escape.json", "/tmp/leafsynth-absolute.json", ""}) {
        INFO("path [" << bad << "]");
        Assembly assembly;
        assembly.files = {{"ok.json", "{}"}, {bad, "x"}};
        CHECK_THROWS_AS(write_assembly(assembly, dir / "out"), Error);
        CHECK(unit::entries(dir) == std::vector<std::string>{"file"});
    }
    CHECK_FALSE(fs::exists("/tmp/leafsynth-absolute.json"));
}
