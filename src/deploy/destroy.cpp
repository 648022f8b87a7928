#include "deploy/destroy.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "aws_api/cloudformation.hpp"
#include "deploy/assets.hpp"
#include "deploy/environment.hpp"
#include "deploy/progress.hpp"
#include "aws_api/role_sessions.hpp"
#include "deploy/scheduler.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

namespace {

using nlohmann::json;

/// One resource of a deployed stack (or of one of its nested stacks) and what deleting the stack does to it.
struct Resource {
    std::string where;       ///< The nested stacks it is in (`Volumes/`), empty for the stack itself.
    std::string logical_id;  ///< Its logical id.
    std::string type;        ///< Its type.
    std::string physical_id; ///< Its physical id.
    std::string policy;      ///< DeletionPolicy: `Delete`, `Retain`, `RetainExceptOnCreate` or `Snapshot`.

    bool retained() const { return policy == "Retain" || policy == "RetainExceptOnCreate"; }
};

/// A stack of the destroy as it is deployed.
struct Deployed {
    bool exists = false;
    std::string stack_id, status;
    bool protection = false;
    std::vector<Resource> resources;
    std::vector<std::string> notes;
    std::string error; ///< Why it could not be read.
};

/// What a destroy does with one planned stack.
enum class Fate { Delete, Gone, Protected, KeptForDependent };

struct Item {
    const PlannedStack* planned = nullptr;
    std::string region;
    Deployed deployed;
    Fate fate = Fate::Delete;
    std::string kept_because; ///< For KeptForDependent: the kept stack that depends on it.
    StackOutcome outcome;
};

std::string policy_of(const json& tmpl, const std::string& logical_id) {
    if (!tmpl.is_object() || !tmpl.contains("Resources") || !tmpl["Resources"].is_object()) return "Delete";
    const json& resources = tmpl["Resources"];
    auto it = resources.find(logical_id);
    if (it == resources.end() || !it->is_object()) return "Delete";
    auto p = it->find("DeletionPolicy");
    return p != it->end() && p->is_string() ? p->get<std::string>() : "Delete";
}

/// Reads a stack's template and resources, and its nested stacks' (a retained nested stack keeps
/// its resources: they are not listed one by one).
void read_resources(aws_api::CloudFormationClient& cf, const std::string& stack_id, const std::string& where,
                    int depth, Deployed& out) {
    const json tmpl = parse_template(cf.get_template(stack_id), "the deployed template of " + stack_id);
    for (const auto& r : cf.list_stack_resources(stack_id)) {
        if (r.status == "DELETE_COMPLETE" || r.status == "DELETE_SKIPPED") continue;
        Resource res{.where = where,
                     .logical_id = r.logical_id,
                     .type = r.type,
                     .physical_id = r.physical_id,
                     .policy = policy_of(tmpl, r.logical_id)};
        const bool nested = r.type == "AWS::CloudFormation::Stack" && r.physical_id.starts_with("arn:");
        const bool descend = nested && !res.retained() && depth < 5;
        out.resources.push_back(std::move(res));
        if (!descend) continue;
        try {
            read_resources(cf, r.physical_id, where + r.logical_id + "/", depth + 1, out);
        } catch (const aws_api::ApiError& e) {
            out.notes.push_back("the resources of nested stack " + where + r.logical_id + " could not be read (" +
                                e.code() + ")");
        }
    }
}

Deployed read_deployed(aws_api::CloudFormationClient& cf, const std::string& stack_name) {
    Deployed d;
    const auto s = cf.describe_stack(stack_name);
    if (!s || s->status == "DELETE_COMPLETE") return d;
    d.exists = true;
    d.stack_id = s->stack_id;
    d.status = s->status;
    d.protection = s->termination_protection;
    read_resources(cf, s->stack_id, "", 0, d);
    return d;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string resource_line(const Resource& r) {
    return fmt::format("{:<32} {}{}  {}  (DeletionPolicy {})", r.type, r.where, r.logical_id,
                       r.physical_id.empty() ? "(no physical id)" : r.physical_id, r.policy);
}

} // namespace

int run_destroy(const DestroyOptions& options) {
    ProgressView print(options.out, options.progress == Progress::Live);
    const std::string root = options.assembly_dir.string() + "/";
    const AssemblyFiles files = read_assembly_dir(options.assembly_dir);
    const AssemblyManifest manifest = read_assembly_manifest(files, root, {.assets = false});
    if (!manifest.has_manifest)
        throw InputError(root + ": no manifest.json: give the folder of a 'leafsynth synth -o DIR' or 'cdk synth' output");
    const Plan plan = make_destroy_plan(manifest, options.selection);
    if (plan.stacks.empty()) throw InputError(root + "manifest.json: the app has no stacks to destroy");

    std::vector<Item> items(plan.stacks.size());
    std::set<std::string> regions;
    for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
        items[i].planned = &plan.stacks[i];
        items[i].region = stack_region(*plan.stacks[i].stack, options.default_region);
        regions.insert(items[i].region);
    }

    aws_api::init_http();
    const aws_api::Session session(options.session);
    const std::string account = caller_account(session, *regions.begin());
    for (const auto& item : items) check_account(*item.planned->stack, account, session);

    // --- what is deployed: each stack, its resources and nested stacks (read-only) ---------------
    // As `cdk destroy`: each stack as its deploy role, deleted with its execution role (both only
    // when the deploy role can be assumed; else the user's own credentials, with a note).
    aws_api::RoleSessions roles(session, [&](const std::string& note) { print.line(note); });
    auto deploy_role = [&](const Item& item) {
        return fill_placeholders(item.planned->stack->assume_role_arn, account, item.region);
    };
    const int workers = std::max(1, std::min<int>(options.concurrency, static_cast<int>(items.size())));
    std::vector<std::map<std::pair<std::string, std::string>, std::unique_ptr<aws_api::CloudFormationClient>>> clients(
        workers);
    auto client = [&](std::size_t worker, const Item& item) -> aws_api::CloudFormationClient& {
        const std::string role = deploy_role(item);
        auto& cf = clients[worker][{item.region, role}];
        if (!cf)
            cf = std::make_unique<aws_api::CloudFormationClient>(
                roles.session_for(role, item.region, "deploy role")
                    .client_options(aws_api::kCloudFormation, item.region, env_name(account, item.region)));
        return *cf;
    };
    run_in_order(std::vector<std::vector<std::size_t>>(items.size()), workers, [&](std::size_t i, std::size_t worker) {
        Item& item = items[i];
        const std::string& name = item.planned->stack->stack_name;
        try {
            item.deployed = read_deployed(client(worker, item), name);
        } catch (const aws_api::ApiError& e) {
            item.deployed.error = session.failure_message("cloudformation:DescribeStacks", "stack " + name + " in " +
                                                          item.region, env_name(account, item.region), e,
                                                          "cloudformation:DescribeStacks, GetTemplate and ListStackResources");
        } catch (const std::exception& e) {
            item.deployed.error = "stack " + name + " in " + item.region + ": " + e.what();
        }
    });
    for (const auto& item : items)
        if (!item.deployed.error.empty()) throw InputError(item.deployed.error + "; nothing was deleted");

    // --- what stays: protected stacks not named, and what they depend on ------------------------
    for (std::size_t i = 0; i < items.size(); ++i) {
        Item& item = items[i];
        if (!item.deployed.exists) {
            item.fate = Fate::Gone;
            continue;
        }
        const bool protected_stack = item.deployed.protection || item.planned->stack->termination_protection;
        if (protected_stack && !item.planned->named) item.fate = Fate::Protected;
        // Its dependents come earlier in the plan: one that stays keeps this one too.
        for (std::size_t d : item.planned->depends_on)
            if (item.fate == Fate::Delete &&
                (items[d].fate == Fate::Protected || items[d].fate == Fate::KeptForDependent)) {
                item.fate = Fate::KeptForDependent;
                item.kept_because = items[d].planned->stack->stack_name;
            }
    }

    // --- exports the stacks going have that stacks staying import ---------------------------------
    std::map<std::string, std::string> deleting; // stack id -> name
    for (const auto& item : items)
        if (item.fate == Fate::Delete) deleting[item.deployed.stack_id] = item.planned->stack->stack_name;
    std::vector<std::string> warnings;
    for (const auto& region : regions) {
        bool any = false;
        for (const auto& item : items) any |= item.fate == Fate::Delete && item.region == region;
        if (!any) continue;
        aws_api::CloudFormationClient cf(session.client_options(aws_api::kCloudFormation, region, env_name(account, region)));
        std::set<std::string> staying_names;
        for (const auto& e : cf.list_exports()) {
            auto owner = deleting.find(e.exporting_stack_id);
            if (owner == deleting.end()) continue;
            for (const auto& importer : cf.list_imports(e.name)) {
                bool going = false;
                for (const auto& [id, name] : deleting) going |= name == importer;
                if (!going)
                    warnings.push_back("stack " + owner->second + " exports " + e.name + ", which stack " + importer +
                                       " imports and keeps: deleting " + owner->second +
                                       " will fail (DELETE_FAILED) until " + importer + " no longer imports it");
            }
        }
    }

    // --- the listing ------------------------------------------------------------------------------
    std::size_t stacks_going = 0, resources_going = 0, retained = 0;
    print.line("leafsynth destroy in " + env_name(account, regions.size() == 1 ? *regions.begin() : "...") + ":");
    for (const auto& item : items) {
        const auto& s = *item.planned->stack;
        const std::string head = "  " + s.stack_name + " (" + item.region + "): ";
        switch (item.fate) {
        case Fate::Gone: print.line(head + "not deployed: already gone"); continue;
        case Fate::Protected:
            print.line(head + "kept: termination protection is on (name it with --stack " + s.stack_name +
                       " to delete it)");
            continue;
        case Fate::KeptForDependent:
            print.line(head + "kept: " + item.kept_because + " depends on it and is kept");
            continue;
        case Fate::Delete: break;
        }
        ++stacks_going;
        std::size_t kept = 0, snapshots = 0;
        for (const auto& r : item.deployed.resources) {
            kept += r.retained();
            snapshots += r.policy == "Snapshot";
        }
        const std::size_t deleted = item.deployed.resources.size() - kept;
        resources_going += deleted;
        retained += kept;
        std::string summary = "delete (" + item.deployed.status + "): " + plural(deleted, "resource", "resources") + " deleted";
        if (snapshots) summary += " (" + std::to_string(snapshots) + " after a snapshot)";
        if (kept) summary += ", " + std::to_string(kept) + " retained";
        if (item.planned->named && (item.deployed.protection || s.termination_protection))
            summary += "; termination protection is lifted first (named with --stack)";
        print.line(head + summary);
        for (const auto& r : item.deployed.resources)
            if (r.retained() || r.policy == "Snapshot")
                print.line(std::string("      ") + (r.retained() ? "retain    " : "snapshot  ") + resource_line(r));
        for (const auto& n : item.deployed.notes) print.line("      note: " + n);
    }
    for (const auto& w : warnings) print.line("warning: " + w);
    if (stacks_going == 0) {
        print.line("Nothing to delete.");
        return kDestroyOk;
    }

    // --- the question ------------------------------------------------------------------------------
    if (!options.force) {
        const std::string question = "Delete " + plural(stacks_going, "stack", "stacks") + " and " +
                                     plural(resources_going, "resource", "resources") +
                                     (retained ? " (" + std::to_string(retained) + " retained)" : std::string()) + "?";
        const std::optional<bool> yes = options.ask ? options.ask(question) : std::optional<bool>();
        if (!yes) {
            print.line("leafsynth: confirmation needed and there is no terminal to ask on: nothing was deleted; "
                       "review the list above, then run again with --force");
            return kDestroyNotConfirmed;
        }
        if (!*yes) {
            print.line("Not confirmed: nothing was deleted.");
            return kDestroyNotConfirmed;
        }
    }

    // --- deleting, dependents first -----------------------------------------------------------------
    std::vector<std::vector<std::size_t>> waits(items.size());
    std::vector<std::size_t> totals(items.size(), 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
        waits[i] = items[i].planned->depends_on;
        totals[i] = items[i].deployed.resources.size();
    }
    run_in_order(waits, workers, [&](std::size_t i, std::size_t worker) {
        Item& item = items[i];
        const auto& s = *item.planned->stack;
        if (item.fate != Fate::Delete) return;
        for (std::size_t d : waits[i]) {
            const auto r = items[d].outcome.result;
            if (items[d].fate == Fate::Delete && (r == StackResult::Failed || r == StackResult::Skipped)) {
                item.outcome.result = StackResult::Skipped;
                item.outcome.message = "not started: " + items[d].planned->stack->stack_name + " " + to_string(r) +
                                       " (it depends on this stack)";
                print.line(s.stack_name + ": skipped (" + items[d].planned->stack->stack_name + " " + to_string(r) + ")");
                return;
            }
        }
        if (options.interrupted && options.interrupted->load()) {
            item.outcome.result = StackResult::Skipped;
            item.outcome.message = "not started: interrupted (Ctrl-C)";
            return;
        }
        StackRunOptions run{.disable_rollback = false,
                            .wait_in_progress = true,
                            .continue_rollback = false,
                            .poll = options.poll,
                            .confirm_stateful = {},
                            .say = [&](const std::string& line) { print.line(s.stack_name + ": " + line); },
                            .on_event = event_follower(print, options.progress, s.stack_name, item.region),
                            .interrupted = options.interrupted,
                            .cancel = nullptr};
        item.outcome = outcome_of(
            [&] {
                auto& cf = client(worker, item);
                if (item.planned->named && item.deployed.protection) {
                    cf.update_termination_protection(item.deployed.stack_id, false);
                    print.line(s.stack_name + " (" + item.region + "): termination protection lifted");
                }
                print.stack_started(s.stack_name, item.region, totals[i]);
                const std::string execution_role =
                    roles.assumed(deploy_role(item))
                        ? fill_placeholders(item.planned->stack->execution_role_arn, account, item.region)
                        : std::string();
                return destroy_stack(cf, item.deployed.stack_id, execution_role, run);
            },
            [&](const aws_api::ApiError& e) {
                return session.failure_message("the CloudFormation request", "stack " + s.stack_name + " in " + item.region,
                                               env_name(account, item.region), e,
                                               "cloudformation:DeleteStack and the actions deleting its resources need");
            });
        print.stack_finished(s.stack_name);
        print.line(outcome_line(s.stack_name, item.region, item.outcome));
    });

    // --- report -------------------------------------------------------------------------------------
    print.stop();
    bool failed = false;
    print.line("");
    print.line(fmt::format("{:<56} {:<12} {:<10} {:>8}", "Stack", "Region", "Result", "Time"));
    for (const auto& item : items) {
        const auto& s = *item.planned->stack;
        const char* result = item.fate == Fate::Gone ? "gone"
                             : item.fate == Fate::Delete ? to_string(item.outcome.result)
                                                         : "kept";
        failed |= item.fate == Fate::Delete &&
                  (item.outcome.result == StackResult::Failed || item.outcome.result == StackResult::Skipped);
        print.line(fmt::format("{:<56} {:<12} {:<10} {:>8}", s.stack_name, item.region, result,
                               item.fate == Fate::Delete ? duration_text(item.outcome.duration) : ""));
        if (item.fate == Fate::Delete && !item.outcome.message.empty()) print.line("  " + item.outcome.message);
    }
    std::vector<std::string> left;
    for (const auto& item : items) {
        if (item.fate != Fate::Delete || item.outcome.result != StackResult::Deleted) continue;
        for (const auto& r : item.deployed.resources)
            if (r.retained())
                left.push_back(fmt::format("  {:<12} {:<32} {}  ({} {}{}, DeletionPolicy {})", item.region, r.type,
                                           r.physical_id.empty() ? "(no physical id)" : r.physical_id,
                                           item.planned->stack->stack_name, r.where, r.logical_id, r.policy));
    }
    if (!left.empty()) {
        print.line("");
        print.line("Retained, not deleted (they still exist and may cost money; delete them by hand when no longer needed):");
        for (const auto& l : left) print.line(l);
    }
    return failed ? kDestroyFailed : kDestroyOk;
}

} // namespace leafsynth::deploy
