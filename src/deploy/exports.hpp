#pragma once
/// @file exports.hpp
/// No export deadlock (aws-cdk 7602, and 34813 across regions): when a stack's new template drops
/// an export that a deployed stack still imports, CloudFormation refuses the update ("Export X
/// cannot be deleted as it is in use by Y"). Before anything changes, each export a deploy would
/// remove is looked up (ListExports, ListImports): a stack of this deploy whose new template no
/// longer imports it is updated first (the exporter waits for it); an importer outside the deploy,
/// or one that still imports it, keeps the export for one more deployment (an output with the
/// deployed value added to the exporter's template, said in a note). Internal to the leafsynth CLI.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws_api/cloudformation.hpp"

namespace leafsynth::deploy {

/// One stack of the deploy, as the export planning sees it.
struct ExportJob {
    std::string stack_name;                 ///< Stack name.
    std::string region;                     ///< Region.
    std::string stack_id;                   ///< The deployed stack's ARN, or empty when it is not deployed.
    nlohmann::json new_template;            ///< Its new top-level template.
    std::string new_text;                   ///< Its new templates' text, nested ones included (to find imports).
    std::vector<std::size_t> depends_on;    ///< Jobs it already waits for.
};

/// What to change in the deploy.
struct ExportPlan {
    std::vector<std::vector<std::size_t>> waits;  ///< Per job: more jobs to wait for (importers updated first).
    std::map<std::size_t, nlohmann::json> kept;   ///< Per job: its template with the exports it must keep.
    std::vector<std::string> notes;               ///< What was decided, for the user.
};

/// Region → its exports (ListExports).
using ListExports = std::function<std::vector<aws_api::StackExport>(const std::string& region)>;
/// Region, export name → the names of the stacks importing it (ListImports).
using ListImports = std::function<std::vector<std::string>(const std::string& region, const std::string& name)>;

/// The plan for `jobs` (in deploy order). Only deployed stacks' exports are looked up.
ExportPlan plan_export_removals(const std::vector<ExportJob>& jobs, const ListExports& list_exports,
                                const ListImports& list_imports);

/// The export names a template declares (literal `Export.Name` strings of its Outputs).
std::vector<std::string> declared_exports(const nlohmann::json& tmpl);

} // namespace leafsynth::deploy
