#include "deploy/exports.hpp"

#include <algorithm>
#include <set>

#include "leafsynth/logical_id.hpp"

namespace leafsynth::deploy {

using nlohmann::json;

std::vector<std::string> declared_exports(const json& tmpl) {
    std::vector<std::string> out;
    if (!tmpl.is_object() || !tmpl.contains("Outputs") || !tmpl["Outputs"].is_object()) return out;
    for (const auto& [id, output] : tmpl["Outputs"].items()) {
        if (!output.is_object() || !output.contains("Export")) continue;
        const json& e = output["Export"];
        if (e.is_object() && e.contains("Name") && e["Name"].is_string()) out.push_back(e["Name"].get<std::string>());
    }
    return out;
}

namespace {

/// True when job `from` waits, directly or not, for job `to`.
bool waits_for(std::size_t from, std::size_t to, const std::vector<ExportJob>& jobs,
               const std::vector<std::vector<std::size_t>>& extra) {
    std::vector<std::size_t> todo = {from};
    std::set<std::size_t> seen;
    while (!todo.empty()) {
        const std::size_t j = todo.back();
        todo.pop_back();
        if (j == to) return true;
        if (!seen.insert(j).second) continue;
        for (std::size_t d : jobs[j].depends_on) todo.push_back(d);
        for (std::size_t d : extra[j]) todo.push_back(d);
    }
    return false;
}

} // namespace

ExportPlan plan_export_removals(const std::vector<ExportJob>& jobs, const ListExports& list_exports,
                                const ListImports& list_imports) {
    ExportPlan plan;
    plan.waits.resize(jobs.size());
    std::map<std::string, std::vector<aws_api::StackExport>> exports; // per region, read once
    for (std::size_t p = 0; p < jobs.size(); ++p) {
        const ExportJob& producer = jobs[p];
        if (producer.stack_id.empty()) continue;
        auto [it, fresh] = exports.try_emplace(producer.region);
        if (fresh) it->second = list_exports(producer.region);
        const std::vector<std::string> keeps = declared_exports(producer.new_template);
        for (const auto& e : it->second) {
            if (e.exporting_stack_id != producer.stack_id) continue;
            if (std::find(keeps.begin(), keeps.end(), e.name) != keeps.end()) continue; // still exported
            std::vector<std::string> holding; // importers that keep it in use after this deploy
            for (const auto& importer : list_imports(producer.region, e.name)) {
                auto in_deploy = std::find_if(jobs.begin(), jobs.end(), [&](const ExportJob& j) {
                    return j.stack_name == importer && j.region == producer.region;
                });
                const bool dropped = in_deploy != jobs.end() && in_deploy->new_text.find(e.name) == std::string::npos;
                const std::size_t c = static_cast<std::size_t>(in_deploy - jobs.begin());
                if (dropped && !waits_for(c, p, jobs, plan.waits)) {
                    plan.waits[p].push_back(c);
                    plan.notes.push_back(producer.stack_name + ": its export " + e.name + " goes once " + importer +
                                         " no longer imports it: " + importer + " is updated first");
                } else {
                    holding.push_back(importer);
                }
            }
            if (holding.empty()) continue;
            auto [kept, first] = plan.kept.try_emplace(p, producer.new_template);
            json& outputs = kept->second["Outputs"];
            if (!outputs.is_object()) outputs = json::object();
            outputs["LeafsynthKeptExport" + md5_hex(e.name).substr(0, 8)] = {
                {"Description", "kept by leafsynth deploy while other stacks import it; removed by a later deploy"},
                {"Value", e.value},
                {"Export", {{"Name", e.name}}}};
            std::string who;
            for (const auto& h : holding) who += (who.empty() ? "" : ", ") + h;
            plan.notes.push_back(producer.stack_name + ": keeping its export " + e.name + " for one more deployment: " +
                                 who + " still import" + (holding.size() == 1 ? "s" : "") +
                                 " it (deploy again once they no longer do)");
        }
    }
    return plan;
}

} // namespace leafsynth::deploy
