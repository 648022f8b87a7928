#include "aws_api/cloudformation.hpp"

namespace leafsynth::aws_api {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr int kMaxPages = 1000; // bounds every paginated loop

ClientOptions for_cloudformation(ClientOptions o) {
    o.service = "cloudformation";
    o.api_version = "2010-05-15";
    return o;
}

/// The `<member>` children of the first element named `list` below `node`.
pugi::xpath_node_set members(const pugi::xml_node& node, const char* list) {
    return node.select_nodes((std::string(".//") + list + "/member").c_str());
}

std::string child_text(const pugi::xml_node& node, const char* name) {
    return node.child(name).text().get();
}

/// The `<ActionResult>` element of an answer (or the root, for an unusual answer).
pugi::xml_node result_of(const pugi::xml_document& doc, const std::string& action) {
    const pugi::xpath_node result = doc.select_node(("//" + action + "Result").c_str());
    return result ? result.node() : doc.document_element();
}

/// Calls `action` page after page (NextToken) and hands each answer's result element to `page`,
/// which returns false to stop early. Bounded to kMaxPages pages.
template <typename OnPage>
void for_each_page(QueryClient& client, const std::string& action, const Params& params, OnPage&& page) {
    std::string token;
    for (int n = 0; n < kMaxPages; ++n) {
        Params with_token = params;
        if (!token.empty()) with_token.emplace_back("NextToken", token);
        const pugi::xml_document doc = client.call(action, with_token);
        const pugi::xml_node result = result_of(doc, action);
        if (!page(result)) return;
        token = child_text(result, "NextToken");
        if (token.empty()) return;
    }
}

/// `StackName` (and `ChangeSetName`) for a change set call: the stack may be empty with an ARN.
Params change_set_params(const std::string& change_set, const std::string& stack) {
    Params params = {{"ChangeSetName", change_set}};
    if (!stack.empty()) params.emplace_back("StackName", stack);
    return params;
}

std::vector<std::pair<std::string, std::string>> key_values(const pugi::xml_node& list, const char* key,
                                                            const char* value) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& m : list.children("member")) out.emplace_back(child_text(m, key), child_text(m, value));
    return out;
}

} // namespace

CloudFormationClient::CloudFormationClient(ClientOptions options) : client_(for_cloudformation(std::move(options))) {}

bool is_stack_missing(const ApiError& e) {
    return e.code() == "ValidationError" && e.api_message().find("does not exist") != std::string::npos;
}

bool is_no_changes(const ChangeSetDescription& change_set) {
    const std::string& reason = change_set.status_reason;
    return change_set.status == "FAILED" && (reason.find("didn't contain changes") != std::string::npos ||
                                             reason.find("No updates are to be performed") != std::string::npos);
}

std::optional<StackDescription> CloudFormationClient::describe_stack(const std::string& stack) {
    pugi::xml_document doc;
    try {
        doc = client_.call("DescribeStacks", {{"StackName", stack}});
    } catch (const ApiError& e) {
        if (is_stack_missing(e)) return std::nullopt;
        throw;
    }
    const pugi::xpath_node_set stacks = members(doc, "Stacks");
    if (stacks.empty()) return std::nullopt;
    const pugi::xml_node s = stacks.first().node();
    StackDescription out;
    out.stack_id = child_text(s, "StackId");
    out.name = child_text(s, "StackName");
    out.status = child_text(s, "StackStatus");
    out.status_reason = child_text(s, "StackStatusReason");
    out.parameters = key_values(s.child("Parameters"), "ParameterKey", "ParameterValue");
    for (const auto& o : s.child("Outputs").children("member"))
        out.outputs.push_back({child_text(o, "OutputKey"), child_text(o, "OutputValue"), child_text(o, "ExportName"),
                               child_text(o, "Description")});
    out.tags = key_values(s.child("Tags"), "Key", "Value");
    out.termination_protection = child_text(s, "EnableTerminationProtection") == "true";
    out.creation_time = child_text(s, "CreationTime");
    out.last_updated_time = child_text(s, "LastUpdatedTime");
    return out;
}

std::string CloudFormationClient::get_template(const std::string& stack) {
    const pugi::xml_document doc = client_.call("GetTemplate", {{"StackName", stack}, {"TemplateStage", "Original"}});
    return xml_text(doc, "TemplateBody");
}

std::vector<StackResourceSummary> CloudFormationClient::list_stack_resources(const std::string& stack) {
    std::vector<StackResourceSummary> out;
    for_each_page(client_, "ListStackResources", {{"StackName", stack}}, [&](const pugi::xml_node& result) {
        for (const auto& r : result.child("StackResourceSummaries").children("member"))
            out.push_back({child_text(r, "LogicalResourceId"), child_text(r, "PhysicalResourceId"),
                           child_text(r, "ResourceType"), child_text(r, "ResourceStatus")});
        return true;
    });
    return out;
}

ChangeSetCreated CloudFormationClient::create_change_set(const ChangeSetRequest& request) {
    Params params = {{"StackName", request.stack_name},
                     {"ChangeSetName", request.change_set_name},
                     {"ChangeSetType", request.change_set_type}};
    if (!request.template_url.empty()) params.emplace_back("TemplateURL", request.template_url);
    if (!request.template_body.empty()) params.emplace_back("TemplateBody", request.template_body);
    for (std::size_t i = 0; i < request.parameters.size(); ++i) {
        const ChangeSetParameter& p = request.parameters[i];
        const std::string prefix = "Parameters.member." + std::to_string(i + 1) + ".";
        params.emplace_back(prefix + "ParameterKey", p.key);
        if (p.use_previous_value) params.emplace_back(prefix + "UsePreviousValue", "true");
        else params.emplace_back(prefix + "ParameterValue", p.value);
    }
    for (std::size_t i = 0; i < request.capabilities.size(); ++i)
        params.emplace_back("Capabilities.member." + std::to_string(i + 1), request.capabilities[i]);
    for (std::size_t i = 0; i < request.tags.size(); ++i) {
        const std::string prefix = "Tags.member." + std::to_string(i + 1) + ".";
        params.emplace_back(prefix + "Key", request.tags[i].first);
        params.emplace_back(prefix + "Value", request.tags[i].second);
    }
    if (request.include_nested_stacks) params.emplace_back("IncludeNestedStacks", "true");
    if (!request.description.empty()) params.emplace_back("Description", request.description);
    if (!request.role_arn.empty()) params.emplace_back("RoleARN", request.role_arn);
    try {
        const pugi::xml_document doc = client_.call("CreateChangeSet", params);
        const pugi::xml_node result = result_of(doc, "CreateChangeSet");
        return {child_text(result, "Id"), child_text(result, "StackId")};
    } catch (const ApiError& e) {
        // A retry after an attempt whose answer was lost finds the change set that attempt made
        // (the names are unique per deploy): its ids are the answer.
        if (!(e.attempts() > 1 && e.code() == "AlreadyExistsException")) throw;
        const ChangeSetDescription made = describe_change_set(request.change_set_name, request.stack_name);
        return {made.change_set_id, made.stack_id};
    }
}

ChangeSetDescription CloudFormationClient::describe_change_set(const std::string& change_set,
                                                               const std::string& stack) {
    ChangeSetDescription out;
    bool first = true;
    for_each_page(client_, "DescribeChangeSet", change_set_params(change_set, stack), [&](const pugi::xml_node& result) {
        if (first) {
            out.change_set_id = child_text(result, "ChangeSetId");
            out.change_set_name = child_text(result, "ChangeSetName");
            out.stack_id = child_text(result, "StackId");
            out.stack_name = child_text(result, "StackName");
            out.status = child_text(result, "Status");
            out.execution_status = child_text(result, "ExecutionStatus");
            out.status_reason = child_text(result, "StatusReason");
            first = false;
        }
        for (const auto& change : result.child("Changes").children("member")) {
            const pugi::xml_node rc = change.child("ResourceChange");
            if (!rc) continue; // a change of another Type (only `Resource` exists today)
            ResourceChange c{child_text(rc, "Action"),       child_text(rc, "LogicalResourceId"),
                             child_text(rc, "PhysicalResourceId"), child_text(rc, "ResourceType"),
                             child_text(rc, "Replacement"),  {},
                             child_text(rc, "ChangeSetId")};
            for (const auto& s : rc.child("Scope").children("member")) c.scope.emplace_back(s.text().get());
            out.changes.push_back(std::move(c));
        }
        return true;
    });
    return out;
}

void CloudFormationClient::execute_change_set(const std::string& change_set, const std::string& stack,
                                              bool disable_rollback) {
    Params params = change_set_params(change_set, stack);
    if (disable_rollback) params.emplace_back("DisableRollback", "true");
    try {
        client_.call("ExecuteChangeSet", params);
    } catch (const ApiError& e) {
        // A retry after an attempt whose answer was lost (a 5xx, a timeout on a busy service) finds
        // the change set already executing or executed: that earlier attempt did the work.
        const std::string& m = e.api_message();
        const bool already = m.find("EXECUTE_IN_PROGRESS") != std::string::npos ||
                             m.find("EXECUTE_COMPLETE") != std::string::npos;
        if (!(e.attempts() > 1 && e.code() == "ValidationError" && already)) throw;
    }
}

void CloudFormationClient::delete_change_set(const std::string& change_set, const std::string& stack) {
    client_.call("DeleteChangeSet", change_set_params(change_set, stack));
}

std::vector<StackEvent> CloudFormationClient::describe_stack_events(const std::string& stack,
                                                                    const std::function<bool(const StackEvent&)>& stop) {
    std::vector<StackEvent> out;
    for_each_page(client_, "DescribeStackEvents", {{"StackName", stack}}, [&](const pugi::xml_node& result) {
        for (const auto& e : result.child("StackEvents").children("member")) {
            StackEvent event{child_text(e, "EventId"),           child_text(e, "StackName"),
                             child_text(e, "StackId"),           child_text(e, "LogicalResourceId"),
                             child_text(e, "PhysicalResourceId"), child_text(e, "ResourceType"),
                             child_text(e, "Timestamp"),         child_text(e, "ResourceStatus"),
                             child_text(e, "ResourceStatusReason")};
            if (stop && stop(event)) return false;
            out.push_back(std::move(event));
        }
        return true;
    });
    return out;
}

void CloudFormationClient::delete_stack(const std::string& stack, const std::string& role_arn) {
    std::vector<std::pair<std::string, std::string>> params = {{"StackName", stack}};
    if (!role_arn.empty()) params.emplace_back("RoleARN", role_arn);
    client_.call("DeleteStack", params);
}

void CloudFormationClient::update_termination_protection(const std::string& stack, bool enable) {
    client_.call("UpdateTerminationProtection",
                 {{"StackName", stack}, {"EnableTerminationProtection", enable ? "true" : "false"}});
}

void CloudFormationClient::continue_update_rollback(const std::string& stack) {
    client_.call("ContinueUpdateRollback", {{"StackName", stack}});
}

void CloudFormationClient::cancel_update_stack(const std::string& stack) {
    client_.call("CancelUpdateStack", {{"StackName", stack}});
}

std::vector<std::string> CloudFormationClient::list_imports(const std::string& export_name) {
    std::vector<std::string> out;
    try {
        for_each_page(client_, "ListImports", {{"ExportName", export_name}}, [&](const pugi::xml_node& result) {
            for (const auto& m : result.child("Imports").children("member")) out.emplace_back(m.text().get());
            return true;
        });
    } catch (const ApiError& e) {
        // CloudFormation answers "Export 'X' is not imported by any stack." for an unused export.
        if (e.code() == "ValidationError" && e.api_message().find("is not imported by any stack") != std::string::npos)
            return {};
        throw;
    }
    return out;
}

std::vector<StackExport> CloudFormationClient::list_exports() {
    std::vector<StackExport> out;
    for_each_page(client_, "ListExports", {}, [&](const pugi::xml_node& result) {
        for (const auto& m : result.child("Exports").children("member"))
            out.push_back({child_text(m, "ExportingStackId"), child_text(m, "Name"), child_text(m, "Value")});
        return true;
    });
    return out;
}

// --- Drift detection (`leafsynth drift`) --------------------------------------------------------

std::string CloudFormationClient::detect_stack_drift(const std::string& stack) {
    const pugi::xml_document doc = client_.call("DetectStackDrift", {{"StackName", stack}});
    return child_text(result_of(doc, "DetectStackDrift"), "StackDriftDetectionId");
}

DriftDetectionStatus CloudFormationClient::describe_stack_drift_detection_status(const std::string& detection_id) {
    const pugi::xml_document doc =
        client_.call("DescribeStackDriftDetectionStatus", {{"StackDriftDetectionId", detection_id}});
    const pugi::xml_node r = result_of(doc, "DescribeStackDriftDetectionStatus");
    DriftDetectionStatus out;
    out.stack_id = child_text(r, "StackId");
    out.detection_id = child_text(r, "StackDriftDetectionId");
    out.stack_drift_status = child_text(r, "StackDriftStatus");
    out.detection_status = child_text(r, "DetectionStatus");
    out.detection_status_reason = child_text(r, "DetectionStatusReason");
    out.drifted_resource_count = r.child("DriftedStackResourceCount").text().as_int(0);
    out.timestamp = child_text(r, "Timestamp");
    return out;
}

std::vector<StackResourceDrift> CloudFormationClient::describe_stack_resource_drifts(const std::string& stack) {
    std::vector<StackResourceDrift> out;
    for_each_page(client_, "DescribeStackResourceDrifts", {{"StackName", stack}}, [&](const pugi::xml_node& result) {
        for (const auto& m : result.child("StackResourceDrifts").children("member")) {
            StackResourceDrift d{child_text(m, "LogicalResourceId"),        child_text(m, "PhysicalResourceId"),
                                 child_text(m, "ResourceType"),             child_text(m, "StackResourceDriftStatus"),
                                 child_text(m, "DriftStatusReason"),        {},
                                 child_text(m, "Timestamp")};
            for (const auto& p : m.child("PropertyDifferences").children("member"))
                d.differences.push_back({child_text(p, "PropertyPath"), child_text(p, "ExpectedValue"),
                                         child_text(p, "ActualValue"), child_text(p, "DifferenceType")});
            out.push_back(std::move(d));
        }
        return true;
    });
    return out;
}

} // namespace leafsynth::aws_api
