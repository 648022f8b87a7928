// The security section of a diff: IAM statements (identity policies, trust policies, resource
// policies, Lambda permissions), managed policy attachments and security-group rules added or
// removed between two templates.

#include <map>
#include <set>

#include "diff/diff_internal.hpp"

namespace leafsynth {

namespace detail {
namespace {

/// Properties that hold a resource policy document, on any resource type.
const std::vector<std::string>& resource_policy_properties() {
    static const std::vector<std::string> p = {"PolicyDocument", "KeyPolicy", "FileSystemPolicy",
                                               "RepositoryPolicyText", "ResourcePolicy", "AccessPolicies",
                                               "PolicyText"};
    return p;
}

bool is_identity(const std::string& type) {
    return type == "AWS::IAM::Role" || type == "AWS::IAM::User" || type == "AWS::IAM::Group";
}

bool is_identity_policy(const std::string& type) {
    return type == "AWS::IAM::Policy" || type == "AWS::IAM::ManagedPolicy";
}

std::vector<std::string> rendered_list(const json& value) {
    std::vector<std::string> out;
    if (value.is_null()) return out;
    if (value.is_array()) {
        for (const auto& e : value) out.push_back(render_value(e));
    } else {
        out.push_back(render_value(value));
    }
    return out;
}

/// A policy document given as a JSON string (AWS::Logs::ResourcePolicy), possibly built with
/// Fn::Join or Fn::Sub: parsed, with intrinsic parts rendered as `${...}` text.
json parse_document_string(const json& value) {
    std::string text;
    if (value.is_string()) {
        text = value.get<std::string>();
    } else if (value.is_object() && value.size() == 1 && value.contains("Fn::Sub")) {
        const json& arg = value["Fn::Sub"];
        if (arg.is_string()) text = arg.get<std::string>();
        else if (arg.is_array() && !arg.empty() && arg[0].is_string()) text = arg[0].get<std::string>();
    } else if (value.is_object() && value.size() == 1 && value.contains("Fn::Join")) {
        const json& arg = value["Fn::Join"];
        if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string() || !arg[1].is_array()) return nullptr;
        const std::string sep = arg[0].get<std::string>();
        for (std::size_t i = 0; i < arg[1].size(); ++i) {
            if (i) text += sep;
            const json& part = arg[1][i];
            if (part.is_string()) {
                text += part.get<std::string>();
                continue;
            }
            // An intrinsic part sits inside a JSON string literal: escape what would end it.
            for (char c : render_value(part)) {
                if (c == '"' || c == '\\') text += '\\';
                text += c;
            }
        }
    } else {
        return nullptr;
    }
    // The string is a value of the template: nested too deeply, it is not read as a policy.
    if (json_too_deep_at(text) != std::string_view::npos) return nullptr;
    try {
        json doc = json::parse(text);
        return doc.is_object() && doc.contains("Statement") ? canonical_value(doc) : json(nullptr);
    } catch (const json::exception&) {
        return nullptr;
    }
}

/// A statement found in a template, before it is compared.
struct FoundStatement {
    std::string key;
    PolicyStatementChange row;
};

std::vector<std::string> render_principals(const json& principal) {
    std::vector<std::string> out;
    if (principal.is_null()) return out;
    if (!principal.is_object()) {
        for (const auto& p : rendered_list(principal)) out.push_back(p);
        return out;
    }
    for (const auto& [kind, value] : principal.items())
        for (const auto& v : rendered_list(value)) out.push_back(v == "*" && kind == "AWS" ? "*" : kind + ":" + v);
    return out;
}

void add_statements(const std::string& holder, const std::string& type, const std::string& location,
                    const json& document, const std::vector<std::string>& attached_to,
                    const std::vector<std::string>& default_resources, std::vector<FoundStatement>& out) {
    json doc = document;
    if (!doc.is_object() || !doc.contains("Statement")) doc = parse_document_string(document);
    if (doc.is_null()) {
        // Not readable as a policy: compare it as one opaque row.
        PolicyStatementChange row;
        row.holder = holder;
        row.holder_type = type;
        row.location = location;
        row.effect = "?";
        row.resources = {render_value(document)};
        row.statement = document;
        out.push_back({holder + "|" + location + "|" + compact(comparable_form(document)), std::move(row)});
        return;
    }
    const json statements = doc["Statement"].is_array() ? doc["Statement"] : json::array({doc["Statement"]});
    for (const auto& s : statements) {
        PolicyStatementChange row;
        row.holder = holder;
        row.holder_type = type;
        row.location = location;
        row.statement = s;
        if (!s.is_object()) {
            row.effect = "?";
            out.push_back({holder + "|" + location + "|" + compact(comparable_form(s)), std::move(row)});
            continue;
        }
        row.effect = s.contains("Effect") ? render_value(s["Effect"]) : "?";
        for (const auto& a : rendered_list(s.value("Action", json()))) row.actions.push_back(a);
        for (const auto& a : rendered_list(s.value("NotAction", json()))) row.actions.push_back("NOT " + a);
        if (s.contains("Principal")) row.principals = render_principals(s["Principal"]);
        else if (s.contains("NotPrincipal"))
            for (const auto& p : render_principals(s["NotPrincipal"])) row.principals.push_back("NOT " + p);
        else row.principals = attached_to;
        for (const auto& r : rendered_list(s.value("Resource", json()))) row.resources.push_back(r);
        for (const auto& r : rendered_list(s.value("NotResource", json()))) row.resources.push_back("NOT " + r);
        if (row.resources.empty()) row.resources = default_resources;
        if (s.contains("Condition")) row.condition = compact(rendered_form(s["Condition"]));
        std::string attached;
        for (const auto& a : attached_to) attached += a + ",";
        out.push_back({holder + "|" + location + "|" + attached + "|" + compact(comparable_form(s)), std::move(row)});
    }
}

void add_lambda_permission(const std::string& holder, const json& props, std::vector<FoundStatement>& out) {
    PolicyStatementChange row;
    row.holder = holder;
    row.holder_type = "AWS::Lambda::Permission";
    row.location = "Permission";
    row.effect = "Allow";
    row.actions = rendered_list(props.value("Action", json()));
    const std::string principal = render_value(props.value("Principal", json("")));
    row.principals = {principal == "*" || principal.find(".amazonaws.com") == std::string::npos
                          ? principal
                          : "Service:" + principal};
    row.resources = rendered_list(props.value("FunctionName", json()));
    json condition = json::object();
    if (props.contains("SourceArn")) condition["ArnLike"]["AWS:SourceArn"] = props["SourceArn"];
    if (props.contains("SourceAccount")) condition["StringEquals"]["AWS:SourceAccount"] = props["SourceAccount"];
    if (props.contains("PrincipalOrgID")) condition["StringEquals"]["aws:PrincipalOrgID"] = props["PrincipalOrgID"];
    if (props.contains("FunctionUrlAuthType"))
        condition["StringEquals"]["lambda:FunctionUrlAuthType"] = props["FunctionUrlAuthType"];
    if (!condition.empty()) row.condition = compact(rendered_form(condition));
    row.statement = {{"Effect", "Allow"}, {"Action", props.value("Action", json())},
                     {"Principal", props.value("Principal", json())}, {"Resource", props.value("FunctionName", json())}};
    if (!condition.empty()) row.statement["Condition"] = condition;
    out.push_back({holder + "|Permission|" + compact(comparable_form(row.statement)), std::move(row)});
}

/// One security-group rule found in a template.
struct FoundRule {
    std::string key;
    SecurityGroupRuleChange row;
};

std::string protocol_name(const json& p) {
    const std::string s = p.is_null() ? "-1" : render_value(p);
    if (s == "-1") return "all";
    if (s == "6") return "tcp";
    if (s == "17") return "udp";
    if (s == "1") return "icmp";
    if (s == "58") return "icmpv6";
    return s;
}

void add_rule(const std::string& holder, const std::string& group, const std::string& direction, const json& rule,
              std::vector<FoundRule>& out) {
    SecurityGroupRuleChange row;
    row.holder = holder;
    row.group = group;
    row.direction = direction;
    row.rule = rule;
    if (!rule.is_object()) {
        row.peer = render_value(rule);
        out.push_back({holder + "|" + direction + "|" + group + "|" + compact(comparable_form(rule)), std::move(row)});
        return;
    }
    row.protocol = protocol_name(rule.value("IpProtocol", json()));
    const json from = rule.value("FromPort", json()), to = rule.value("ToPort", json());
    const std::string f = from.is_null() ? "" : render_value(from), t = to.is_null() ? "" : render_value(to);
    if (row.protocol == "all" || (f.empty() && t.empty()) || (f == "-1" && (t == "-1" || t.empty())))
        row.ports = "all";
    else if (f == t || t.empty()) row.ports = f;
    else if (f.empty()) row.ports = t;
    else row.ports = f + "-" + t;
    for (const char* key : {"CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourceSecurityGroupName",
                            "SourcePrefixListId", "DestinationSecurityGroupId", "DestinationPrefixListId"}) {
        if (!rule.contains(key)) continue;
        std::string peer = render_value(rule[key]);
        if (std::string(key).find("PrefixList") != std::string::npos) peer = "prefix list " + peer;
        row.peer = row.peer.empty() ? peer : row.peer + ", " + peer;
    }
    if (rule.contains("Description")) row.description = render_value(rule["Description"]);
    if (row.peer == "0.0.0.0/0" || row.peer == "::/0") row.notes.push_back("open to the internet");
    if (row.protocol == "all") row.notes.push_back("all traffic");
    out.push_back({holder + "|" + direction + "|" + group + "|" + compact(comparable_form(rule)), std::move(row)});
}

/// Everything security-relevant in one template.
struct Found {
    std::vector<FoundStatement> statements;
    std::vector<std::pair<std::string, ManagedPolicyChange>> managed;
    std::vector<FoundRule> rules;
};

Found collect(const json& tmpl) {
    Found found;
    if (!tmpl.is_object() || !tmpl.contains("Resources") || !tmpl["Resources"].is_object()) return found;
    for (const auto& [id, resource] : tmpl["Resources"].items()) {
        if (!resource.is_object()) continue;
        const std::string type = string_member(resource, "Type");
        const json props = resource.value("Properties", json::object());
        if (!props.is_object()) continue;
        const std::string self = "${" + id + "}";
        if (is_identity(type)) {
            if (props.contains("AssumeRolePolicyDocument"))
                add_statements(id, type, "AssumeRolePolicyDocument", props["AssumeRolePolicyDocument"], {},
                               {"${" + id + ".Arn}"}, found.statements);
            if (props.contains("Policies") && props["Policies"].is_array()) {
                for (const auto& p : props["Policies"]) {
                    if (!p.is_object()) continue;
                    const std::string name = render_value(p.value("PolicyName", json("")));
                    add_statements(id, type, "Policies[" + name + "]", p.value("PolicyDocument", json()), {self}, {},
                                   found.statements);
                }
            }
            if (props.contains("ManagedPolicyArns")) {
                for (const auto& arn : props["ManagedPolicyArns"].is_array() ? props["ManagedPolicyArns"]
                                                                              : json::array({props["ManagedPolicyArns"]})) {
                    ManagedPolicyChange row;
                    row.holder = id;
                    row.policy = render_value(arn);
                    found.managed.emplace_back(id + "|" + compact(comparable_form(arn)), std::move(row));
                }
            }
            continue;
        }
        if (is_identity_policy(type)) {
            std::vector<std::string> attached;
            for (const char* key : {"Roles", "Users", "Groups"})
                for (const auto& r : rendered_list(props.value(key, json()))) attached.push_back(r);
            add_statements(id, type, "PolicyDocument", props.value("PolicyDocument", json()), attached, {},
                           found.statements);
            continue;
        }
        if (type == "AWS::Lambda::Permission") {
            add_lambda_permission(id, props, found.statements);
            continue;
        }
        if (type == "AWS::EC2::SecurityGroup") {
            for (const auto& [key, direction] : {std::pair{"SecurityGroupIngress", "ingress"},
                                                 std::pair{"SecurityGroupEgress", "egress"}}) {
                if (!props.contains(key)) continue;
                const json& rules = props[key];
                for (const auto& r : rules.is_array() ? rules : json::array({rules}))
                    add_rule(id, self, direction, r, found.rules);
            }
            continue;
        }
        if (type == "AWS::EC2::SecurityGroupIngress" || type == "AWS::EC2::SecurityGroupEgress") {
            json rule = props;
            std::string group = props.contains("GroupId") ? render_value(props["GroupId"])
                                                          : render_value(props.value("GroupName", json("")));
            rule.erase("GroupId");
            rule.erase("GroupName");
            add_rule(id, group, type == "AWS::EC2::SecurityGroupIngress" ? "ingress" : "egress", rule, found.rules);
            continue;
        }
        for (const auto& key : resource_policy_properties()) {
            if (!props.contains(key)) continue;
            const json& doc = props[key];
            // Only values that are (or read as) policy documents: PolicyDocument is also the name
            // of unrelated properties elsewhere.
            if ((doc.is_object() && doc.contains("Statement")) || !parse_document_string(doc).is_null())
                add_statements(id, type, key, doc, {}, {}, found.statements);
        }
    }
    return found;
}

/// Rows present more often on one side than the other: `removed` from the old side, `added` from the new one.
template <typename Row, typename KeyOf, typename RowOf>
void multiset_diff(const std::vector<Row>& olds, const std::vector<Row>& news, KeyOf key_of, RowOf row_of,
                   std::vector<std::remove_reference_t<decltype(row_of(std::declval<const Row&>()))>>& out) {
    std::map<std::string, long> balance;
    for (const auto& r : news) balance[key_of(r)] += 1;
    for (const auto& r : olds) balance[key_of(r)] -= 1;
    std::map<std::string, long> removed_left = balance, added_left = balance;
    for (const auto& r : olds) {
        long& left = removed_left[key_of(r)];
        if (left < 0) {
            auto row = row_of(r);
            row.kind = ChangeKind::Removed;
            out.push_back(std::move(row));
            ++left;
        }
    }
    for (const auto& r : news) {
        long& left = added_left[key_of(r)];
        if (left > 0) {
            auto row = row_of(r);
            row.kind = ChangeKind::Added;
            out.push_back(std::move(row));
            --left;
        }
    }
}

} // namespace

SecurityChanges diff_security(const json& old_template, const json& new_template) {
    const Found olds = collect(old_template), news = collect(new_template);
    SecurityChanges out;
    multiset_diff(
        olds.statements, news.statements, [](const FoundStatement& f) { return f.key; },
        [](const FoundStatement& f) { return f.row; }, out.statements);
    multiset_diff(
        olds.managed, news.managed, [](const auto& f) { return f.first; }, [](const auto& f) { return f.second; },
        out.managed_policies);
    multiset_diff(
        olds.rules, news.rules, [](const FoundRule& f) { return f.key; }, [](const FoundRule& f) { return f.row; },
        out.rules);
    for (auto& s : out.statements) {
        s.widening = (s.kind == ChangeKind::Added && s.effect == "Allow") ||
                     (s.kind == ChangeKind::Removed && s.effect == "Deny");
        for (const auto& p : s.principals)
            if (p == "*" || p == "AWS:*") {
                s.notes.push_back("wildcard principal");
                break;
            }
        for (const auto& r : s.resources)
            if (r == "*") {
                s.notes.push_back("wildcard resource");
                break;
            }
        for (const auto& a : s.actions)
            if (a == "*" || (a.size() > 2 && a.compare(a.size() - 2, 2, ":*") == 0)) {
                s.notes.push_back("wildcard action");
                break;
            }
    }
    for (auto& m : out.managed_policies) m.widening = m.kind == ChangeKind::Added;
    for (auto& r : out.rules) r.widening = r.kind == ChangeKind::Added;
    return out;
}

} // namespace detail

} // namespace leafsynth
