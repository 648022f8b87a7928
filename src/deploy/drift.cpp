#include "deploy/drift.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "aws_api/role_sessions.hpp"
#include "deploy/assets.hpp"
#include "deploy/environment.hpp"
#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kStackType = "AWS::CloudFormation::Stack";
/// Levels of nested stacks followed below a stack of the app (as `diff`'s limit): bounds what an
/// endpoint answering nonsense could make us check.
constexpr int kMaxNestedDepth = 16;
constexpr const char* kGrant = "cloudformation:DescribeStacks, ListStackResources, DetectStackDrift, "
                               "DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts";

bool is_drifted_status(const std::string& status) { return status == "MODIFIED" || status == "DELETED"; }

/// Not checked by CloudFormation: left out by the detection, or said so.
bool is_unchecked_status(const std::string& status) { return !is_drifted_status(status) && status != "IN_SYNC"; }

/// One stack being checked. Nodes live in a deque (references stay valid as nested stacks are
/// added); only the worker checking a node writes it, the lock guards the deque and the queue.
struct Node {
    StackDrift drift;
    bool top = false;                  ///< A stack of the app (looked up by name); else a nested stack (by ARN).
    std::string lookup;                ///< The name or ARN the calls use.
    std::string role;                  ///< The role the calls use (the top-level stack's lookup role), or empty.
    std::string display;               ///< `Parent/Nested` for messages.
    int depth = 0;                     ///< Levels of nesting below the app's stack.
    std::vector<std::size_t> children; ///< Nested stacks' nodes.
    std::string fatal;                 ///< Why the stack could not be checked at all (thrown at the end).
};

std::string fallback_failure(const std::string& action, const std::string& what, const aws_api::ApiError& e) {
    return action + " on " + what + " failed: " + (e.code().empty() ? "" : e.code() + ": ") +
           one_line_excerpt(e.api_message(), 300);
}

/// Checks one stack with `cf`; nested stacks found go to `on_nested(logical id, ARN)` at once, so
/// that they are checked while this one's detection runs.
void check_stack(aws_api::CloudFormationClient& cf, Node& n, const DriftRunOptions& o,
                 const std::function<void(const std::string&, const std::string&)>& on_nested) {
    StackDrift& d = n.drift;
    const std::string what = "stack " + n.display + " in " + d.region;
    std::string action = "cloudformation:DescribeStacks";
    try {
        if (n.top) {
            const auto described = cf.describe_stack(n.lookup);
            if (!described) return; // NotDeployed
            if (described->status == "REVIEW_IN_PROGRESS") {
                d.reason = "REVIEW_IN_PROGRESS: a change set was created for it but never executed";
                return;
            }
            d.stack_id = described->stack_id;
        } else {
            if (n.lookup.empty()) {
                d.reason = "the nested stack has no physical id (it was not created)";
                return;
            }
            const auto described = cf.describe_stack(n.lookup); // by ARN: a deleted one is DELETE_COMPLETE
            if (!described || described->status == "DELETE_COMPLETE") {
                d.reason = "the nested stack " + n.lookup + " no longer exists";
                return;
            }
            d.stack_id = n.lookup;
        }

        action = "cloudformation:ListStackResources";
        std::vector<aws_api::StackResourceSummary> resources;
        try {
            resources = cf.list_stack_resources(d.stack_id);
        } catch (const aws_api::ApiError& e) {
            if (!aws_api::is_stack_missing(e)) throw;
            d.stack_id.clear(); // deleted meanwhile
            return;
        }
        for (const auto& r : resources)
            if (r.type == kStackType) on_nested(r.logical_id, r.physical_id);

        action = "cloudformation:DetectStackDrift";
        std::string detection;
        try {
            detection = cf.detect_stack_drift(d.stack_id);
        } catch (const aws_api::ApiError& e) {
            if (aws_api::is_stack_missing(e)) {
                d.stack_id.clear();
                return;
            }
            if (e.code() != "ValidationError") throw;
            // e.g. an operation in progress, or a status drift detection does not support
            d.state = DriftState::DetectionFailed;
            d.reason = "CloudFormation refused to detect drift: " + one_line_excerpt(e.api_message(), 300);
            return;
        }

        action = "cloudformation:DescribeStackDriftDetectionStatus";
        const auto start = Clock::now();
        auto wait = o.poll.first;
        aws_api::DriftDetectionStatus status = cf.describe_stack_drift_detection_status(detection);
        while (status.detection_status == "DETECTION_IN_PROGRESS") {
            if (Clock::now() - start + wait > o.poll.timeout) {
                d.state = DriftState::DetectionFailed;
                d.detection_status = status.detection_status;
                d.reason = "stopped waiting after " + std::to_string(o.poll.timeout.count()) +
                           " s: the detection (" + detection + ") is still in progress";
                return;
            }
            std::this_thread::sleep_for(wait);
            wait = std::min(wait * 2, o.poll.cap);
            status = cf.describe_stack_drift_detection_status(detection);
        }
        d.stack_drift_status = status.stack_drift_status;
        d.detection_status = status.detection_status;

        action = "cloudformation:DescribeStackResourceDrifts";
        const auto drifts = cf.describe_stack_resource_drifts(d.stack_id);
        std::map<std::string, ResourceDrift> by_id;
        for (const auto& r : resources)
            if (!r.logical_id.empty())
                by_id[r.logical_id] = {.logical_id = r.logical_id,
                                       .physical_id = r.physical_id,
                                       .type = r.type,
                                       .status = "NOT_CHECKED",
                                       .reason = "",
                                       .differences = {}};
        for (const auto& x : drifts) {
            if (x.logical_id.empty()) continue;
            ResourceDrift& r = by_id[x.logical_id];
            r.logical_id = x.logical_id;
            if (r.physical_id.empty()) r.physical_id = x.physical_id;
            if (r.type.empty()) r.type = x.type;
            r.status = x.status.empty() ? "NOT_CHECKED" : x.status;
            r.reason = x.reason;
            r.differences = x.differences;
        }
        bool drifted = d.stack_drift_status == "DRIFTED";
        for (auto& [id, r] : by_id) {
            // a nested stack not checked itself is reported as the nested stack it is
            if (r.type == kStackType && is_unchecked_status(r.status)) continue;
            drifted |= is_drifted_status(r.status);
            d.resources.push_back(std::move(r));
        }
        if (status.detection_status == "DETECTION_FAILED") {
            d.state = DriftState::DetectionFailed;
            d.reason = status.detection_status_reason.empty() ? "DETECTION_FAILED (no reason given)"
                                                              : one_line_excerpt(status.detection_status_reason, 500);
        } else {
            d.state = drifted ? DriftState::Drifted : DriftState::InSync;
        }
    } catch (const aws_api::ApiError& e) {
        n.fatal = o.failure ? o.failure(action, what, cf.query().options().endpoint, e) : fallback_failure(action, what, e);
    } catch (const std::exception& e) {
        n.fatal = action + " on " + what + ": " + e.what();
    }
}

StackDrift tree_of(std::deque<Node>& nodes, std::size_t index) {
    Node& n = nodes[index];
    StackDrift out = std::move(n.drift);
    for (std::size_t c : n.children) out.nested.push_back(tree_of(nodes, c));
    std::stable_sort(out.nested.begin(), out.nested.end(),
                     [](const StackDrift& a, const StackDrift& b) { return a.name < b.name; });
    return out;
}

/// The first fatal message in report order (a stack, then its nested stacks by logical id).
const std::string* first_fatal(const std::deque<Node>& nodes, std::size_t index) {
    const Node& n = nodes[index];
    if (!n.fatal.empty()) return &n.fatal;
    std::vector<std::size_t> children = n.children;
    std::sort(children.begin(), children.end(),
              [&](std::size_t a, std::size_t b) { return nodes[a].drift.name < nodes[b].drift.name; });
    for (std::size_t c : children)
        if (const std::string* f = first_fatal(nodes, c)) return f;
    return nullptr;
}

} // namespace

const char* to_string(DriftState state) {
    switch (state) {
    case DriftState::InSync: return "in_sync";
    case DriftState::Drifted: return "drifted";
    case DriftState::NotDeployed: return "not_deployed";
    case DriftState::DetectionFailed: return "detection_failed";
    }
    return "";
}

bool StackDrift::drifted() const {
    if (state == DriftState::Drifted) return true;
    if (std::any_of(resources.begin(), resources.end(), [](const ResourceDrift& r) { return is_drifted_status(r.status); }))
        return true;
    return std::any_of(nested.begin(), nested.end(), [](const StackDrift& n) { return n.drifted(); });
}

bool DriftReport::has_drift() const {
    return std::any_of(stacks.begin(), stacks.end(), [](const StackDrift& s) { return s.drifted(); });
}

std::vector<std::string> DriftReport::failed_stacks() const {
    std::vector<std::string> out;
    std::function<void(const StackDrift&, const std::string&)> visit = [&](const StackDrift& s, const std::string& path) {
        if (s.state == DriftState::DetectionFailed) out.push_back(path);
        for (const auto& n : s.nested) visit(n, path + "/" + n.name);
    };
    for (const auto& s : stacks) visit(s, s.name);
    return out;
}

DriftReport detect_drift(const std::vector<DriftTarget>& targets, const CloudFormationClientFactory& clients,
                         const DriftRunOptions& options) {
    std::deque<Node> nodes;
    std::deque<std::size_t> queue;
    for (const auto& t : targets) {
        Node n;
        n.drift.name = t.stack_name;
        n.drift.region = t.region;
        n.top = true;
        n.lookup = t.stack_name;
        n.role = t.role_arn;
        n.display = t.stack_name;
        queue.push_back(nodes.size());
        nodes.push_back(std::move(n));
    }
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t active = 0;
    int done = 0;
    bool stop = false;
    std::set<std::string> seen_ids; // nested stacks' ARNs

    auto worker = [&] {
        std::map<std::string, std::unique_ptr<aws_api::CloudFormationClient>> mine; // one client per region
        for (;;) {
            Node* node = nullptr;
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] { return stop || !queue.empty() || active == 0; });
                if (stop || queue.empty()) return;
                node = &nodes[queue.front()];
                queue.pop_front();
                ++active;
            }
            auto on_nested = [&](const std::string& logical_id, const std::string& arn) {
                Node child;
                child.drift.name = logical_id;
                child.drift.region = node->drift.region;
                child.lookup = arn;
                child.role = node->role;
                child.display = node->display + "/" + logical_id;
                child.depth = node->depth + 1;
                std::lock_guard lock(mutex);
                if (!arn.empty() && !seen_ids.insert(arn).second) return; // a stack nesting itself: once
                node->children.push_back(nodes.size());
                if (child.depth > kMaxNestedDepth) {
                    child.drift.state = DriftState::DetectionFailed;
                    child.drift.reason = "not checked: nested more than " + std::to_string(kMaxNestedDepth) +
                                         " levels deep";
                } else {
                    queue.push_back(nodes.size());
                }
                nodes.push_back(std::move(child));
                cv.notify_one();
            };
            try {
                auto& cf = mine[node->drift.region + "\n" + node->role];
                if (!cf) cf = clients(node->drift.region, node->role, "stack " + node->display);
                check_stack(*cf, *node, options, on_nested);
            } catch (const std::exception& e) {
                node->fatal = e.what(); // no client for the region (e.g. not a region)
            }
            {
                std::lock_guard lock(mutex);
                --active;
                ++done;
                if (!node->fatal.empty()) stop = true; // no new stack starts after a failure
                if (options.progress) options.progress(done, static_cast<int>(nodes.size()));
            }
            cv.notify_all();
        }
    };
    std::vector<std::thread> threads;
    const int workers = std::max(1, options.concurrency);
    for (int t = 0; t < workers; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    for (std::size_t i = 0; i < targets.size(); ++i)
        if (const std::string* f = first_fatal(nodes, i)) throw InputError(*f);
    DriftReport report;
    for (std::size_t i = 0; i < targets.size(); ++i) report.stacks.push_back(tree_of(nodes, i));
    return report;
}

DriftReport run_drift(const DriftOptions& options) {
    const std::string& root = options.root;
    const AssemblyManifest manifest = read_assembly_manifest(options.files, root, ManifestReadOptions{.assets = false});
    if (!manifest.has_manifest)
        throw InputError((root.empty() ? std::string("the assembly") : root) +
                         ": no manifest.json: give the folder of a 'leafsynth synth -o DIR' or 'cdk synth' output");
    Selection selection = options.selection;
    selection.exclusively = true; // the stacks named, not what they depend on
    const Plan plan = make_plan(manifest, selection);
    if (plan.stacks.empty()) throw InputError(root + "manifest.json: the app has no stacks to check");
    std::set<const StackArtifactManifest*> chosen;
    for (const auto& p : plan.stacks) chosen.insert(p.stack);

    std::vector<DriftTarget> targets;
    std::vector<const StackArtifactManifest*> with_account;
    for (const auto& s : manifest.stacks) { // the app's order
        if (!chosen.count(&s)) continue;
        const std::string region = stack_region(s, options.default_region);
        // As `cdk drift`: read as the stack's lookup role when its account is known.
        targets.push_back({.stack_name = s.stack_name,
                           .region = region,
                           .role_arn = s.account.empty() ? std::string()
                                                         : fill_placeholders(s.lookup_role_arn, s.account, region)});
        if (!s.account.empty()) with_account.push_back(&s);
    }

    aws_api::init_http();
    const aws_api::Session session(options.session);
    if (!with_account.empty()) {
        // A stack of another account would look "not deployed": say which credentials to use instead.
        const std::string account = caller_account(session, targets.front().region);
        for (const auto* s : with_account) check_account(*s, account, session);
    }
    DriftRunOptions run = options.run;
    if (!run.failure)
        run.failure = [&session](const std::string& action, const std::string& what, const std::string& endpoint,
                                 const aws_api::ApiError& e) { return session.failure_message(action, what, endpoint, e, kGrant); };
    std::mutex notes_mutex;
    aws_api::RoleSessions roles(session, [&](const std::string& note) {
        const std::lock_guard lock(notes_mutex);
        std::cerr << "leafsynth: " << note << "\n";
    });
    const CloudFormationClientFactory factory = [&roles](const std::string& region, const std::string& role,
                                                         const std::string& what) {
        return std::make_unique<aws_api::CloudFormationClient>(
            roles.session_for(role, region, "lookup role").client_options(aws_api::kCloudFormation, region, what));
    };
    return detect_drift(targets, factory, run);
}

// --- the report ---------------------------------------------------------------------------------

namespace {

/// CloudFormation's PropertyPath (`/Tags/0/Value`) as the diff writes paths (`Tags[0].Value`,
/// unusual keys quoted).
std::string path_of(const std::string& property_path) {
    std::string out;
    std::size_t start = property_path.starts_with('/') ? 1 : 0;
    while (start <= property_path.size()) {
        std::size_t end = property_path.find('/', start);
        if (end == std::string::npos) end = property_path.size();
        std::string key = property_path.substr(start, end - start);
        for (std::size_t at; (at = key.find("~1")) != std::string::npos;) key.replace(at, 2, "/"); // JSON pointer escapes
        for (std::size_t at; (at = key.find("~0")) != std::string::npos;) key.replace(at, 2, "~");
        const bool index = !key.empty() && !out.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        out = index ? out + "[" + key + "]" : detail::join_path(out, key);
        start = end + 1;
    }
    return out;
}

/// A value as CloudFormation gives it (JSON text for numbers, lists and objects; a string as it is).
json value_of(const std::string& text) {
    if (detail::json_too_deep_at(text) != std::string::npos) return text;
    json v = json::parse(text, nullptr, false);
    if (v.is_discarded()) return text;
    return v;
}

ValueChange change_of(const aws_api::PropertyDifference& p) {
    ValueChange c;
    c.path = path_of(p.path);
    c.kind = p.difference_type == "ADD"      ? ChangeKind::Added
             : p.difference_type == "REMOVE" ? ChangeKind::Removed
                                             : ChangeKind::Modified;
    if (c.kind != ChangeKind::Added) c.old_value = value_of(p.expected);
    if (c.kind != ChangeKind::Removed) c.new_value = value_of(p.actual);
    return c;
}

struct Totals {
    std::size_t stacks = 0, drifted = 0, in_sync = 0, not_deployed = 0, failed = 0;
    std::size_t modified = 0, deleted = 0, resources_in_sync = 0, not_checked = 0;
};

void count(const StackDrift& s, Totals& t) {
    ++t.stacks;
    t.drifted += s.state == DriftState::Drifted;
    t.in_sync += s.state == DriftState::InSync;
    t.not_deployed += s.state == DriftState::NotDeployed;
    t.failed += s.state == DriftState::DetectionFailed;
    for (const auto& r : s.resources) {
        if (r.status == "MODIFIED") ++t.modified;
        else if (r.status == "DELETED") ++t.deleted;
        else if (r.status == "IN_SYNC") ++t.resources_in_sync;
        else ++t.not_checked;
    }
    for (const auto& n : s.nested) count(n, t);
}

std::string plural(std::size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string resource_head(const ResourceDrift& r) {
    std::string out = one_line_excerpt(r.type, 200) + " " + one_line_excerpt(r.logical_id, 255);
    if (!r.physical_id.empty()) out += " (" + one_line_excerpt(r.physical_id, 200) + ")";
    return out;
}

std::string state_text(const StackDrift& s) {
    std::size_t checked = 0, drifted = 0, unchecked = 0;
    for (const auto& r : s.resources) {
        if (is_unchecked_status(r.status)) ++unchecked;
        else ++checked;
        drifted += is_drifted_status(r.status);
    }
    const std::string unchecked_text = unchecked ? ", " + std::to_string(unchecked) + " not checked" : "";
    switch (s.state) {
    case DriftState::NotDeployed: return "not deployed" + (s.reason.empty() ? "" : " (" + s.reason + ")");
    case DriftState::DetectionFailed: return "drift detection failed: " + s.reason;
    case DriftState::Drifted:
        return "drifted (" + std::to_string(drifted) + " of " + plural(checked, "resource") + " checked" +
               unchecked_text + ")";
    case DriftState::InSync: return "in sync (" + plural(checked, "resource") + " checked" + unchecked_text + ")";
    }
    return "";
}

void render_stack(const StackDrift& s, const std::string& indent, bool nested, std::ostringstream& out) {
    std::string title = (nested ? "Nested stack " : "Stack ") + one_line_excerpt(s.name, 255);
    if (!nested && !s.region.empty()) title += " (" + s.region + ")";
    out << indent << title << ": " << state_text(s) << "\n";
    const std::string in = indent + "  ", in2 = indent + "    ", in3 = indent + "        ";
    bool header = false;
    for (const auto& r : s.resources) {
        if (!is_drifted_status(r.status)) continue;
        if (!header) out << in << "Resources\n";
        header = true;
        out << in2 << (r.status == "DELETED" ? "[-] " : "[~] ") << resource_head(r) << "  " << r.status;
        if (!r.reason.empty()) out << ": " << one_line_excerpt(r.reason, 300);
        out << "\n";
        for (const auto& p : r.differences) out << in3 << detail::change_line(change_of(p)) << "\n";
    }
    header = false;
    for (const auto& r : s.resources) {
        if (!is_unchecked_status(r.status)) continue;
        if (!header) out << in << "Not checked (CloudFormation cannot detect drift of these)\n";
        header = true;
        out << in2 << resource_head(r);
        if (r.status != "NOT_CHECKED") out << "  " << r.status;
        if (!r.reason.empty()) out << ": " << one_line_excerpt(r.reason, 300);
        out << "\n";
    }
    for (const auto& n : s.nested) render_stack(n, in, true, out);
}

json stack_json(const StackDrift& s) {
    json resources = json::array();
    for (const auto& r : s.resources) {
        json differences = json::array();
        for (const auto& p : r.differences)
            differences.push_back({{"path", p.path},
                                   {"expected", p.expected},
                                   {"actual", p.actual},
                                   {"difference_type", p.difference_type}});
        resources.push_back({{"logical_id", r.logical_id},
                             {"physical_id", r.physical_id},
                             {"type", r.type},
                             {"status", r.status},
                             {"reason", r.reason},
                             {"differences", differences}});
    }
    json nested = json::array();
    for (const auto& n : s.nested) nested.push_back(stack_json(n));
    return {{"name", s.name},
            {"region", s.region},
            {"stack_id", s.stack_id},
            {"status", to_string(s.state)},
            {"stack_drift_status", s.stack_drift_status},
            {"detection_status", s.detection_status},
            {"reason", s.reason},
            {"resources", resources},
            {"nested", nested}};
}

} // namespace

std::string render_drift(const DriftReport& report) {
    std::ostringstream out;
    Totals t;
    for (const auto& s : report.stacks) {
        render_stack(s, "", false, out);
        count(s, t);
    }
    out << "\n";
    const std::string resources = std::to_string(t.modified) + " modified, " + std::to_string(t.deleted) + " deleted, " +
                                  std::to_string(t.resources_in_sync) + " in sync, " + std::to_string(t.not_checked) +
                                  " not checked";
    if (!report.has_drift() && t.failed == 0 && t.not_deployed == 0) {
        out << "No drift (" << plural(t.stacks, "stack") << " checked, nested stacks included; resources: " << resources
            << ").\n";
        return out.str();
    }
    out << "Summary: " << t.drifted << " of " << plural(t.stacks, "stack") << " drifted (nested included)";
    if (t.not_deployed) out << ", " << t.not_deployed << " not deployed";
    if (t.failed) out << ", " << plural(t.failed, "detection") << " failed";
    out << "; resources: " << resources << ".\n";
    return out.str();
}

nlohmann::json drift_to_json(const DriftReport& report) {
    Totals t;
    json stacks = json::array();
    for (const auto& s : report.stacks) {
        stacks.push_back(stack_json(s));
        count(s, t);
    }
    return {{"drifted", report.has_drift()},
            {"summary",
             {{"stacks", t.stacks},
              {"stacks_drifted", t.drifted},
              {"stacks_in_sync", t.in_sync},
              {"stacks_not_deployed", t.not_deployed},
              {"detections_failed", t.failed},
              {"resources_modified", t.modified},
              {"resources_deleted", t.deleted},
              {"resources_in_sync", t.resources_in_sync},
              {"resources_not_checked", t.not_checked}}},
            {"stacks", stacks}};
}

} // namespace leafsynth::deploy
