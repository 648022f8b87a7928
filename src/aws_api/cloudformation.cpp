#include "aws_api/cloudformation.hpp"

namespace leafsynth::aws_api {

namespace {

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

} // namespace

CloudFormationClient::CloudFormationClient(ClientOptions options) : client_(for_cloudformation(std::move(options))) {}

bool is_stack_missing(const ApiError& e) {
    return e.code() == "ValidationError" && e.api_message().find("does not exist") != std::string::npos;
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
    for (const auto& p : s.child("Parameters").children("member")) {
        out.parameters.emplace_back(child_text(p, "ParameterKey"), child_text(p, "ParameterValue"));
    }
    return out;
}

std::string CloudFormationClient::get_template(const std::string& stack) {
    const pugi::xml_document doc = client_.call("GetTemplate", {{"StackName", stack}, {"TemplateStage", "Original"}});
    return xml_text(doc, "TemplateBody");
}

std::vector<StackResourceSummary> CloudFormationClient::list_stack_resources(const std::string& stack) {
    std::vector<StackResourceSummary> out;
    std::string token;
    for (int page = 0; page < 1000; ++page) { // bounded: a stack has at most 500 resources
        std::vector<std::pair<std::string, std::string>> params = {{"StackName", stack}};
        if (!token.empty()) params.emplace_back("NextToken", token);
        const pugi::xml_document doc = client_.call("ListStackResources", params);
        for (const auto& m : members(doc, "StackResourceSummaries")) {
            const pugi::xml_node r = m.node();
            out.push_back({child_text(r, "LogicalResourceId"), child_text(r, "PhysicalResourceId"),
                           child_text(r, "ResourceType"), child_text(r, "ResourceStatus")});
        }
        const pugi::xpath_node next = doc.select_node("//NextToken");
        token = next ? next.node().text().get() : "";
        if (token.empty()) break;
    }
    return out;
}

} // namespace leafsynth::aws_api
