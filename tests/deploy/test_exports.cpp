// Export removals without the deadlock (src/deploy/exports.cpp): an importer of this deploy that
// drops the import goes first; one outside the deploy, one that still imports, or one that would
// make a cycle keeps the export (with its deployed value) for one more deployment.

#include <catch2/catch.hpp>

#include "deploy/exports.hpp"

using leafsynth::deploy::ExportJob;
using leafsynth::deploy::plan_export_removals;
using nlohmann::json;

namespace {

const json kWithExport = json::parse(R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}},
  "Outputs": {"Arn": {"Value": {"Ref": "T"}, "Export": {"Name": "P:Arn"}}}})");
const json kWithout = json::parse(R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})");

std::vector<leafsynth::aws_api::StackExport> exports_of(const std::string&) {
    return {{.exporting_stack_id = "arn:p", .name = "P:Arn", .value = "arn:sns:topic"},
            {.exporting_stack_id = "arn:other", .name = "O:X", .value = "x"}};
}

} // namespace

TEST_CASE("Exports: an importer that drops the import is updated before the exporter") {
    std::vector<ExportJob> jobs = {
        {.stack_name = "P", .region = "r", .stack_id = "arn:p", .new_template = kWithout, .new_text = "{}", .depends_on = {}},
        {.stack_name = "C", .region = "r", .stack_id = "arn:c", .new_template = json::object(), .new_text = "{}", .depends_on = {}}};
    int imports_asked = 0;
    const auto plan = plan_export_removals(jobs, exports_of, [&](const std::string&, const std::string& name) {
        ++imports_asked;
        CHECK(name == "P:Arn");
        return std::vector<std::string>{"C"};
    });
    CHECK(imports_asked == 1); // only the export P drops
    CHECK(plan.waits == std::vector<std::vector<std::size_t>>{{1}, {}});
    CHECK(plan.kept.empty());
    REQUIRE(plan.notes.size() == 1);
    CHECK(plan.notes[0] == "P: its export P:Arn goes once C no longer imports it: C is updated first");
}

TEST_CASE("Exports: kept with its value while still imported, outside the deploy or through a cycle") {
    auto kept_value = [](const leafsynth::deploy::ExportPlan& plan) {
        REQUIRE(plan.kept.count(0) == 1);
        const json& outputs = plan.kept.at(0)["Outputs"];
        REQUIRE(outputs.size() == 1);
        CHECK(outputs.begin()->at("Export") == json{{"Name", "P:Arn"}});
        return outputs.begin()->at("Value");
    };
    // An importer outside the deploy.
    std::vector<ExportJob> alone = {
        {.stack_name = "P", .region = "r", .stack_id = "arn:p", .new_template = kWithout, .new_text = "{}", .depends_on = {}}};
    auto plan = plan_export_removals(alone, exports_of, [](const std::string&, const std::string&) {
        return std::vector<std::string>{"Elsewhere"};
    });
    CHECK(kept_value(plan) == "arn:sns:topic");
    CHECK(plan.notes == std::vector<std::string>{"P: keeping its export P:Arn for one more deployment: Elsewhere still "
                                                 "imports it (deploy again once they no longer do)"});
    // An importer of this deploy whose new template still imports it.
    std::vector<ExportJob> still = alone;
    still.push_back({.stack_name = "C", .region = "r", .stack_id = "arn:c", .new_template = json::object(),
                     .new_text = R"({"Fn::ImportValue": "P:Arn"})", .depends_on = {}});
    plan = plan_export_removals(still, exports_of, [](const std::string&, const std::string&) {
        return std::vector<std::string>{"C"};
    });
    CHECK(kept_value(plan) == "arn:sns:topic");
    CHECK(plan.waits[0].empty());
    // One that drops it but already waits for the exporter: waiting both ways would never end.
    std::vector<ExportJob> cycle = alone;
    cycle.push_back({.stack_name = "C", .region = "r", .stack_id = "arn:c", .new_template = json::object(),
                     .new_text = "{}", .depends_on = {0}});
    plan = plan_export_removals(cycle, exports_of, [](const std::string&, const std::string&) {
        return std::vector<std::string>{"C"};
    });
    CHECK(kept_value(plan) == "arn:sns:topic");
    CHECK(plan.waits[0].empty());
    // Nothing to do: the export stays in the new template, or the stack is not deployed.
    std::vector<ExportJob> same = {
        {.stack_name = "P", .region = "r", .stack_id = "arn:p", .new_template = kWithExport, .new_text = "{}", .depends_on = {}},
        {.stack_name = "N", .region = "r", .stack_id = "", .new_template = kWithout, .new_text = "{}", .depends_on = {}}};
    plan = plan_export_removals(same, exports_of, [](const std::string&, const std::string&) -> std::vector<std::string> {
        FAIL("no export is removed, so no importer is looked up");
        return {};
    });
    CHECK(plan.kept.empty());
    CHECK(plan.notes.empty());
}
