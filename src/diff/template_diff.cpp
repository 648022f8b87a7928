// Comparing two templates: sections, named entries, resources (with their replacement
// classification and stateful hazards), and the security section.

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "diff/create_only_properties.hpp"
#include "diff/diff_internal.hpp"

namespace leafsynth {

namespace detail {

namespace {

/// Sections whose value is a map of named entries, compared entry by entry.
const std::set<std::string>& entry_sections() {
    static const std::set<std::string> s = {"Parameters", "Outputs", "Conditions", "Mappings", "Rules"};
    return s;
}

/// Resource types that hold data or state a replacement or deletion loses.
const std::set<std::string>& stateful_types() {
    static const std::set<std::string> s = {
        "AWS::EFS::FileSystem",       "AWS::Route53::HostedZone",   "AWS::Logs::LogGroup",
        "AWS::S3::Bucket",            "AWS::DynamoDB::Table",       "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",        "AWS::EC2::Volume",           "AWS::KMS::Key",
        "AWS::SQS::Queue",            "AWS::ECR::Repository",       "AWS::SecretsManager::Secret",
        "AWS::EC2::KeyPair",          "AWS::Cognito::UserPool",     "AWS::Kinesis::Stream",
        "AWS::Backup::BackupVault",   "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain",
        "AWS::ElastiCache::ReplicationGroup", "AWS::Neptune::DBCluster", "AWS::DocDB::DBCluster",
    };
    return s;
}

bool is_custom_type(const std::string& type) {
    return type.rfind("Custom::", 0) == 0 || type == "AWS::CloudFormation::CustomResource";
}

bool keeps_resource(const std::string& policy) {
    return policy == "Retain" || policy == "RetainExceptOnCreate" || policy == "Snapshot";
}

/// Every value at a dotted path below `value` ('*' matches every list item or map value), with the
/// concrete path of each; absent paths give nothing.
void values_at(const json& value, const std::vector<std::string>& parts, std::size_t k, const std::string& path,
               std::vector<std::pair<std::string, json>>& out) {
    if (k == parts.size()) {
        out.emplace_back(path, value);
        return;
    }
    const std::string& part = parts[k];
    if (part == "*") {
        if (value.is_object())
            for (const auto& [key, item] : value.items()) values_at(item, parts, k + 1, join_path(path, key), out);
        if (!value.is_array()) return;
        for (std::size_t i = 0; i < value.size(); ++i)
            values_at(value[i], parts, k + 1, path + "[" + std::to_string(i) + "]", out);
        return;
    }
    if (!value.is_object()) return;
    auto it = value.find(part);
    if (it == value.end()) return;
    values_at(*it, parts, k + 1, join_path(path, part), out);
}

std::vector<std::string> split_dots(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto dot = path.find('.', start);
        parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

/// True when a change path goes through an intrinsic function whose result a changed literal
/// argument may not change (`X.Ref`, `Fn::GetAtt`, `Fn::If`, `Fn::Select`, ...). Literal parts of
/// `Fn::Join`, `Fn::Sub` and `Fn::Base64` do change the result.
bool inside_intrinsic(const std::string& path) {
    for (const auto& segment : split_dots(path)) {
        const std::string key = segment.substr(0, segment.find('['));
        if (key == "Fn::Join" || key == "Fn::Sub" || key == "Fn::Base64") continue;
        if (key == "Ref" || key == "Condition" || key.rfind("Fn::", 0) == 0) return true;
    }
    return false;
}

/// How a create-only property changed: not at all, only through intrinsic-function values
/// (which may resolve to the same thing), or to a different literal value.
enum class PropertyChange { None, ThroughIntrinsics, Literal };

PropertyChange create_only_change(const json& old_props, const json& new_props, const std::string& property) {
    const auto parts = split_dots(property);
    std::vector<std::pair<std::string, json>> olds, news;
    values_at(old_props, parts, 0, "", olds);
    values_at(new_props, parts, 0, "", news);
    json a = json::array(), b = json::array();
    for (auto& [p, v] : olds) a.push_back(v);
    for (auto& [p, v] : news) b.push_back(v);
    if (values_equal(a, b)) return PropertyChange::None;
    // Present on one side only: a definite change.
    if (olds.empty() != news.empty()) {
        const json& present = olds.empty() ? b : a;
        return contains_intrinsic(present) ? PropertyChange::ThroughIntrinsics : PropertyChange::Literal;
    }
    std::vector<ValueChange> changes;
    diff_values("", a, b, changes);
    for (const auto& c : changes)
        if (!contains_intrinsic(c.old_value) && !contains_intrinsic(c.new_value) && !inside_intrinsic(c.path))
            return PropertyChange::Literal;
    return PropertyChange::ThroughIntrinsics;
}

/// A create-only path as the paths that changed: itself without `*`, otherwise each concrete path
/// it stands for (`ContainerDefinitions[0].PortMappings[0].HostPort`) whose value differs.
std::vector<std::string> concrete_paths(const json& old_props, const json& new_props, const std::string& property) {
    if (property.find('*') == std::string::npos) return {property};
    const auto parts = split_dots(property);
    std::vector<std::pair<std::string, json>> olds, news;
    values_at(old_props, parts, 0, "", olds);
    values_at(new_props, parts, 0, "", news);
    std::map<std::string, std::pair<const json*, const json*>> both;
    for (const auto& [p, v] : olds) both[p].first = &v;
    for (const auto& [p, v] : news) both[p].second = &v;
    std::vector<std::string> out;
    for (const auto& [p, v] : both)
        if (!v.first || !v.second || !values_equal(*v.first, *v.second)) out.push_back(p);
    return out;
}

/// Keeps the most specific paths: drops `A` when `A.B` (or `A[0]...`) is also there.
std::vector<std::string> most_specific(std::vector<std::string> paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        bool has_child = std::any_of(paths.begin(), paths.end(), [&](const std::string& q) {
            return q.size() > p.size() && q.compare(0, p.size(), p) == 0 && (q[p.size()] == '.' || q[p.size()] == '[');
        });
        if (!has_child) out.push_back(p);
    }
    return out;
}

void classify(ResourceChange& change, const json& old_res, const json& new_res) {
    change.impact = Impact::UpdateInPlace;
    auto raise = [&](Impact impact) {
        if (static_cast<int>(impact) > static_cast<int>(change.impact)) change.impact = impact;
    };
    if (change.old_type != change.new_type) {
        raise(Impact::WillReplace);
        change.reasons.push_back("the type changes: " + change.old_type + " -> " + change.new_type);
        return;
    }
    const json empty = json::object();
    const json& old_props = old_res.contains("Properties") ? old_res["Properties"] : empty;
    const json& new_props = new_res.contains("Properties") ? new_res["Properties"] : empty;
    const bool properties_changed = !values_equal(old_props, new_props);
    if (!values_equal(member(old_res, "Condition"), member(new_res, "Condition"))) {
        raise(Impact::MayReplace);
        change.reasons.push_back("its Condition changes: it may be created or deleted");
    }
    if (!properties_changed || is_custom_type(change.new_type) || change.new_type == "AWS::CloudFormation::Stack")
        return;
    const CreateOnlyEntry* entry = find_create_only(change.new_type);
    if (!entry) {
        raise(Impact::MayReplace);
        change.reasons.push_back("no create-only property data for " + change.new_type +
                                 " in the resource schemas: properties changed");
        return;
    }
    std::vector<std::string> literal, through_intrinsics, conditional;
    auto add = [&](std::vector<std::string>& to, const std::string& p) {
        for (auto& c : concrete_paths(old_props, new_props, p)) to.push_back(std::move(c));
    };
    for (const auto& p : entry->always) {
        switch (create_only_change(old_props, new_props, p)) {
        case PropertyChange::Literal: add(literal, p); break;
        case PropertyChange::ThroughIntrinsics: add(through_intrinsics, p); break;
        case PropertyChange::None: break;
        }
    }
    for (const auto& p : entry->conditional)
        if (create_only_change(old_props, new_props, p) != PropertyChange::None) add(conditional, p);
    for (const auto& p : most_specific(literal)) {
        raise(Impact::WillReplace);
        change.reasons.push_back(p + " is create-only");
    }
    for (const auto& p : most_specific(through_intrinsics)) {
        raise(Impact::MayReplace);
        change.reasons.push_back(p + " is create-only and its value involves intrinsic functions");
    }
    for (const auto& p : most_specific(conditional)) {
        raise(Impact::MayReplace);
        change.reasons.push_back(p + " is conditionally create-only");
    }
}

void add_hazards(ResourceChange& change, const json& old_res, const json& new_res) {
    const std::string old_del = string_member(old_res, "DeletionPolicy"), new_del = string_member(new_res, "DeletionPolicy");
    const std::string old_rep = string_member(old_res, "UpdateReplacePolicy"),
                      new_rep = string_member(new_res, "UpdateReplacePolicy");
    change.stateful = stateful_types().count(change.type()) || stateful_types().count(change.old_type) ||
                      keeps_resource(old_del) || keeps_resource(new_del) || keeps_resource(old_rep) ||
                      keeps_resource(new_rep);
    const bool snapshot_default = change.type() == "AWS::RDS::DBCluster" || change.type() == "AWS::RDS::DBInstance";
    auto show = [&](const std::string& p) {
        return p.empty() ? std::string(snapshot_default ? "(default: Snapshot)" : "(default: Delete)") : p;
    };
    const std::string what = change.stateful ? "stateful resource " + change.type() : change.type();
    switch (change.kind) {
    case ChangeKind::Removed:
        if (!change.stateful) break;
        if (keeps_resource(old_del))
            change.hazards.push_back("REMOVED from the stack: " + what + " (DeletionPolicy " + old_del +
                                     " keeps the physical resource, no longer managed)");
        else
            change.hazards.push_back("REMOVED: " + what + " is deleted with its data");
        break;
    case ChangeKind::Modified:
        if (change.stateful && change.impact == Impact::WillReplace)
            change.hazards.push_back("REPLACED: " + what + " - a new, empty one is created" +
                                     (keeps_resource(new_rep) ? " (UpdateReplacePolicy " + new_rep + " keeps the old one)"
                                                              : " and the old one is deleted with its data"));
        else if (change.stateful && change.impact == Impact::MayReplace)
            change.hazards.push_back("MAY BE REPLACED: " + what + " - a replacement starts empty");
        if (old_del != new_del)
            change.hazards.push_back("DeletionPolicy changes: " + show(old_del) + " -> " + show(new_del));
        if (old_rep != new_rep)
            change.hazards.push_back("UpdateReplacePolicy changes: " + show(old_rep) + " -> " + show(new_rep));
        break;
    case ChangeKind::Added: break;
    }
}

const json& section_of(const json& tmpl, const std::string& name) {
    static const json empty = json::object();
    if (!tmpl.is_object()) return empty;
    auto it = tmpl.find(name);
    return it != tmpl.end() && it->is_object() ? *it : empty;
}

/// Every leaf of a value: path → compact JSON.
void leaves(const json& value, const std::string& path, std::map<std::string, std::string>& out) {
    const bool intrinsic = value.is_object() && value.size() == 1 &&
                           (value.begin().key() == "Ref" || value.begin().key().rfind("Fn::", 0) == 0);
    if (value.is_object() && !value.empty() && !intrinsic) {
        for (const auto& [k, v] : value.items()) leaves(v, join_path(path, k), out);
    } else if (value.is_array() && !value.empty()) {
        for (std::size_t i = 0; i < value.size(); ++i) leaves(value[i], path + "[" + std::to_string(i) + "]", out);
    } else {
        out[path] = compact(comparable_form(value));
    }
}

/// The share of property leaves two resources have in common (0 to 1).
double similarity(const json& a, const json& b) {
    std::map<std::string, std::string> la, lb;
    const json empty = json::object();
    leaves(a.contains("Properties") ? a["Properties"] : empty, "", la);
    leaves(b.contains("Properties") ? b["Properties"] : empty, "", lb);
    if (la.empty() && lb.empty()) return 1.0;
    std::size_t same = 0;
    for (const auto& [path, v] : la) {
        auto it = lb.find(path);
        same += it != lb.end() && it->second == v;
    }
    return static_cast<double>(same) / static_cast<double>(std::max(la.size(), lb.size()));
}

/// Pairs removed and added resources of one type that are mostly alike: a replacement under a
/// new logical id (e.g. a construct id derived from a changed value).
void pair_renamed(const json& olds, const json& news, std::vector<ResourceChange>& changes) {
    constexpr double kMinSimilarity = 0.6;
    std::vector<ResourceChange*> removed, added;
    for (auto& c : changes) {
        if (c.kind == ChangeKind::Removed) removed.push_back(&c);
        if (c.kind == ChangeKind::Added) added.push_back(&c);
    }
    if (removed.empty() || added.empty() || removed.size() * added.size() > 10'000) return;
    std::vector<std::tuple<double, ResourceChange*, ResourceChange*>> candidates;
    for (auto* r : removed)
        for (auto* a : added)
            if (r->old_type == a->new_type) {
                const double s = similarity(olds[r->logical_id], news[a->logical_id]);
                if (s >= kMinSimilarity) candidates.emplace_back(s, r, a);
            }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
    for (auto& [s, r, a] : candidates) {
        if (!r->counterpart.empty() || !a->counterpart.empty()) continue;
        r->counterpart = a->logical_id;
        a->counterpart = r->logical_id;
        if (r->stateful)
            r->hazards.push_back("REPLACED under a new logical id by " + a->logical_id + ": " + r->old_type +
                                 " is stateful; the new one starts empty");
    }
}

/// Every reference to another resource below `value`: (path, logical id) for `Ref`,
/// `Fn::GetAtt` and the `${Id}` / `${Id.Attr}` of `Fn::Sub` (pseudo parameters and the
/// substitution's own variables left out).
void references(const json& value, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
    if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) references(value[i], path + "[" + std::to_string(i) + "]", out);
        return;
    }
    if (!value.is_object()) return;
    if (value.size() == 1) {
        const std::string& key = value.begin().key();
        const json& arg = value.begin().value();
        if (key == "Ref" && arg.is_string()) {
            if (arg.get<std::string>().rfind("AWS::", 0) != 0) out.emplace_back(join_path(path, key), arg.get<std::string>());
            return;
        }
        if (key == "Fn::GetAtt") {
            std::string target, attribute;
            if (arg.is_array() && !arg.empty() && arg[0].is_string()) {
                target = arg[0].get<std::string>();
                if (arg.size() > 1 && arg[1].is_string()) attribute = arg[1].get<std::string>();
            } else if (arg.is_string()) {
                const std::string text = arg.get<std::string>();
                target = text.substr(0, text.find('.'));
                if (text.find('.') != std::string::npos) attribute = text.substr(text.find('.') + 1);
            }
            // A nested stack's output is its own value: `<Id>.Outputs.<Name>`.
            if (attribute.rfind("Outputs.", 0) == 0) target += "." + attribute;
            if (!target.empty()) out.emplace_back(join_path(path, key), target);
            return;
        }
        if (key == "Fn::Sub") {
            const json& text = arg.is_array() && !arg.empty() ? arg[0] : arg;
            const json variables = arg.is_array() && arg.size() > 1 && arg[1].is_object() ? arg[1] : json::object();
            if (text.is_string()) {
                const std::string t = text.get<std::string>();
                for (auto open = t.find("${"); open != std::string::npos; open = t.find("${", open + 2)) {
                    const auto close = t.find('}', open);
                    if (close == std::string::npos) break;
                    std::string name = t.substr(open + 2, close - open - 2);
                    if (name.empty() || name[0] == '!') continue; // ${!Literal}
                    name = name.substr(0, name.find('.'));
                    if (name.rfind("AWS::", 0) != 0 && !variables.contains(name))
                        out.emplace_back(join_path(path, key), name);
                }
            }
            if (arg.is_array() && arg.size() > 1) references(arg[1], join_path(path, key) + "[1]", out);
            return;
        }
    }
    for (const auto& [k, v] : value.items()) references(v, join_path(path, k), out);
}

/// A property path as tokens, list indexes as '*': `A[0].B` -> {A, *, B}.
std::vector<std::string> path_tokens(const std::string& path) {
    std::vector<std::string> out;
    std::string token;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '.' || c == '[') {
            if (!token.empty()) out.push_back(token);
            token.clear();
            if (c == '[') {
                out.push_back("*");
                i = path.find(']', i);
                if (i == std::string::npos) break;
            }
        } else {
            token += c;
        }
    }
    if (!token.empty()) out.push_back(token);
    return out;
}

/// The create-only property (`always` or `conditional` list) that a path below Properties lies in, or "".
std::string create_only_property(const std::vector<std::string>& properties, const std::string& path) {
    const auto tokens = path_tokens(path);
    for (const auto& p : properties) {
        const auto parts = split_dots(p);
        if (parts.size() <= tokens.size() && std::equal(parts.begin(), parts.end(), tokens.begin())) return p;
    }
    return {};
}

/// Knock-on changes: a resource that will be replaced gets a new physical id (and attributes),
/// so every resource referring to it is updated too, and replaced when the reference is in a
/// create-only property. Followed to a fixed point within the template.
void follow_replacements(const json& olds, const json& news, std::vector<ResourceChange>& out,
                         const std::set<std::string>& changing) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> refs; // id -> (path, target)
    for (const auto& [id, r] : news.items()) {
        if (!olds.contains(id) || !r.is_object() || !r.contains("Properties")) continue;
        references(r["Properties"], "", refs[id]);
    }
    std::set<std::string> propagated;
    for (bool again = true, first = true; again; first = false) {
        again = false;
        std::vector<std::string> replaced;
        if (first) replaced.assign(changing.begin(), changing.end());
        for (const auto& c : out)
            if (c.kind == ChangeKind::Modified && c.impact == Impact::WillReplace && !propagated.count(c.logical_id))
                replaced.push_back(c.logical_id);
        for (const auto& r_id : replaced) {
            propagated.insert(r_id);
            for (const auto& [id, list] : refs) {
                if (id == r_id) continue;
                for (const auto& [path, target] : list) {
                    if (target != r_id) continue;
                    auto change = std::find_if(out.begin(), out.end(),
                                               [&, &id = id](const ResourceChange& c) { return c.logical_id == id; });
                    if (change == out.end()) {
                        ResourceChange c;
                        c.logical_id = id;
                        c.kind = ChangeKind::Modified;
                        c.old_type = string_member(olds[id], "Type");
                        c.new_type = string_member(news[id], "Type");
                        c.impact = Impact::UpdateInPlace;
                        out.push_back(std::move(c));
                        change = std::prev(out.end());
                    }
                    if (change->kind != ChangeKind::Modified) continue;
                    if (std::find(change->caused_by.begin(), change->caused_by.end(), r_id) == change->caused_by.end())
                        change->caused_by.push_back(r_id);
                    const CreateOnlyEntry* entry = find_create_only(change->new_type);
                    const std::string always = entry ? create_only_property(entry->always, path) : "";
                    const std::string conditional = entry ? create_only_property(entry->conditional, path) : "";
                    // A resource's physical id changes when it is replaced; a parameter's or a
                    // nested stack output's value changes because of a replacement elsewhere.
                    const bool output = r_id.find(".Outputs.") != std::string::npos;
                    const std::string what = !changing.count(r_id) ? r_id + ", which will be replaced"
                                             : output              ? r_id + ", whose value changes"
                                                                   : "parameter " + r_id + ", whose value changes";
                    std::string reason;
                    Impact impact = Impact::UpdateInPlace;
                    if (!always.empty()) {
                        impact = Impact::WillReplace;
                        reason = always + " is create-only and refers to " + what;
                    } else if (!conditional.empty()) {
                        impact = Impact::MayReplace;
                        reason = conditional + " is conditionally create-only and refers to " + what;
                    } else {
                        reason = path_tokens(path).front() + " refers to " + what;
                    }
                    if (std::find(change->reasons.begin(), change->reasons.end(), reason) == change->reasons.end())
                        change->reasons.push_back(reason);
                    if (static_cast<int>(impact) > static_cast<int>(change->impact)) {
                        change->impact = impact;
                        again = again || impact == Impact::WillReplace;
                    }
                    change->hazards.clear();
                    add_hazards(*change, olds[id], news[id]);
                }
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const ResourceChange& a, const ResourceChange& b) { return a.logical_id < b.logical_id; });
}

void diff_resources(const json& old_t, const json& new_t, std::vector<ResourceChange>& out,
                    const std::set<std::string>& changing) {
    const json& olds = section_of(old_t, "Resources");
    const json& news = section_of(new_t, "Resources");
    // The new template's order is nlohmann's (sorted by logical id); removed ones interleave.
    std::set<std::string> ids;
    for (const auto& [id, r] : olds.items()) ids.insert(id);
    for (const auto& [id, r] : news.items()) ids.insert(id);
    for (const auto& id : ids) {
        const bool in_old = olds.contains(id), in_new = news.contains(id);
        ResourceChange change;
        change.logical_id = id;
        const json none = json::object();
        const json& o = in_old ? olds[id] : none;
        const json& n = in_new ? news[id] : none;
        change.old_type = string_member(o, "Type");
        change.new_type = string_member(n, "Type");
        if (!in_old) {
            change.kind = ChangeKind::Added;
        } else if (!in_new) {
            change.kind = ChangeKind::Removed;
        } else {
            if (values_equal(o, n)) continue;
            change.kind = ChangeKind::Modified;
            diff_values("", o, n, change.changes);
            classify(change, o, n);
        }
        add_hazards(change, o, n);
        out.push_back(std::move(change));
    }
    follow_replacements(olds, news, out, changing);
    pair_renamed(olds, news, out);
}

} // namespace

std::set<std::string> changing_values(const TemplateDiff& d, const std::set<std::string>& changing) {
    std::set<std::string> out = changing;
    for (const auto& c : d.resources)
        if (c.kind == ChangeKind::Modified && c.impact == Impact::WillReplace) out.insert(c.logical_id);
    return out;
}

bool refers_to_any(const json& value, const std::set<std::string>& names) {
    if (names.empty()) return false;
    std::vector<std::pair<std::string, std::string>> refs;
    references(value, "", refs);
    return std::any_of(refs.begin(), refs.end(), [&](const auto& r) { return names.count(r.second) != 0; });
}

} // namespace detail

std::size_t SecurityChanges::widening_count() const {
    std::size_t n = 0;
    for (const auto& s : statements) n += s.widening;
    for (const auto& m : managed_policies) n += m.widening;
    for (const auto& r : rules) n += r.widening;
    return n;
}

TemplateDiff diff_templates(const nlohmann::json& old_template, const nlohmann::json& new_template) {
    return detail::diff_templates_seeded(old_template, new_template, {});
}

TemplateDiff detail::diff_templates_seeded(const json& old_template, const json& new_template,
                                           const std::set<std::string>& changing) {
    using namespace detail;
    const json old_t = canonical_template(old_template.is_object() ? old_template : json::object());
    const json new_t = canonical_template(new_template.is_object() ? new_template : json::object());
    TemplateDiff out;
    std::set<std::string> names;
    for (const auto& [k, v] : old_t.items()) names.insert(k);
    for (const auto& [k, v] : new_t.items()) names.insert(k);
    for (const auto& name : names) {
        if (name == "Resources") continue;
        const json a = old_t.value(name, json()), b = new_t.value(name, json());
        if (entry_sections().count(name) && (a.is_object() || a.is_null()) && (b.is_object() || b.is_null())) {
            const json& ea = a.is_object() ? a : json::object();
            const json& eb = b.is_object() ? b : json::object();
            std::set<std::string> keys;
            for (const auto& [k, v] : ea.items()) keys.insert(k);
            for (const auto& [k, v] : eb.items()) keys.insert(k);
            for (const auto& key : keys) {
                EntryChange entry{name, key, ChangeKind::Modified, {}};
                if (!ea.contains(key)) entry.kind = ChangeKind::Added;
                else if (!eb.contains(key)) entry.kind = ChangeKind::Removed;
                else if (values_equal(ea[key], eb[key])) continue;
                else diff_values("", ea[key], eb[key], entry.changes);
                out.entries.push_back(std::move(entry));
            }
            continue;
        }
        if (!old_t.contains(name)) out.sections.push_back({name, ChangeKind::Added, nullptr, b});
        else if (!new_t.contains(name)) out.sections.push_back({name, ChangeKind::Removed, a, nullptr});
        else diff_values(name, a, b, out.sections);
    }
    diff_resources(old_t, new_t, out.resources, changing);
    out.security = diff_security(old_t, new_t);
    return out;
}

} // namespace leafsynth
