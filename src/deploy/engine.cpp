#include "deploy/engine.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <mutex>
#include <set>

#include "aws_api/cloudformation.hpp"
#include "aws_api/deployed_stacks.hpp"
#include "aws_api/s3_client.hpp"
#include "deploy/assets.hpp"
#include "deploy/bootstrap_stack.hpp"
#include "deploy/environment.hpp"
#include "deploy/exports.hpp"
#include "deploy/progress.hpp"
#include "aws_api/role_sessions.hpp"
#include "deploy/scheduler.hpp"
#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/diff.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The publishing role of a stack's template asset (filled), or empty.
std::string publishing_role(const StackArtifactManifest& s, const std::string& account, const std::string& region) {
    for (const auto& a : s.assets)
        if (a.source_path == s.template_file)
            for (const auto& d : a.destinations)
                if (!d.assume_role_arn.empty()) return fill_placeholders(d.assume_role_arn, account, region);
    return {};
}

/// `s3://bucket/key` → bucket and key.
std::pair<std::string, std::string> split_s3_url(const std::string& url) {
    const std::string rest = url.substr(5);
    const auto slash = rest.find('/');
    return {rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
}

/// Adds up what needs approval in a stack diff and its nested stacks.
void approval_needs(const StackDiff& d, std::size_t& widening, std::vector<std::string>& hazards,
                    const std::string& path) {
    widening += d.diff.security.widening_count();
    for (const auto& r : d.diff.resources)
        for (const auto& h : r.hazards) hazards.push_back(path + ": " + r.logical_id + ": " + h);
    for (const auto& n : d.nested) approval_needs(n, widening, hazards, path + "/" + n.name);
}

struct Job {
    const PlannedStack* planned = nullptr;
    std::string account, region;
    StackOutcome outcome;
};

/// The templates of the stacks being deployed, each parsed once: the top-level ones (a template
/// that cannot be read is an InputError, before anything changes) and the nested ones among their
/// assets (only counted for progress).
class Templates {
public:
    Templates(const AssemblyFiles& files, std::string root) : files_(files), root_(std::move(root)) {}

    /// A stack's top-level template.
    const json& top(const StackArtifactManifest& s) {
        auto [it, fresh] = parsed_.try_emplace(s.template_file);
        if (fresh) it->second = parse_template(files_.at(s.template_file), root_ + s.template_file);
        return it->second;
    }

    /// Its template's and its nested templates' text, to look for imports in.
    std::string text(const StackArtifactManifest& s) const {
        std::string out = files_.at(s.template_file);
        for (const auto& path : nested_paths(s)) out += files_.at(path);
        return out;
    }

    /// The resources of its template and nested templates.
    std::size_t resource_count(const StackArtifactManifest& s) {
        std::size_t n = count_of(top(s));
        for (const auto& path : nested_paths(s)) {
            auto [it, fresh] = parsed_.try_emplace(path);
            if (fresh) {
                try {
                    it->second = parse_template(files_.at(path), root_ + path);
                } catch (const std::exception&) {
                    // the nested template fails its deploy in CloudFormation; here it only counts
                }
            }
            n += count_of(it->second);
        }
        return n;
    }

private:
    static std::size_t count_of(const json& t) {
        return t.is_object() && t.contains("Resources") && t["Resources"].is_object() ? t["Resources"].size() : 0;
    }
    std::vector<std::string> nested_paths(const StackArtifactManifest& s) const {
        std::vector<std::string> out;
        for (const auto& a : s.assets)
            if (a.source_path != s.template_file && a.source_path.find(".template.") != std::string::npos &&
                files_.count(a.source_path))
                out.push_back(a.source_path);
        return out;
    }

    const AssemblyFiles& files_;
    std::string root_;
    std::map<std::string, json> parsed_;
};

} // namespace

int run_deploy(const DeployOptions& options) {
    ProgressView print(options.out, options.progress == Progress::Live);
    const std::string root = options.assembly_dir.string() + "/";
    const AssemblyFiles files = read_assembly_dir(options.assembly_dir);
    const AssemblyManifest manifest = read_assembly_manifest(files, root);
    if (!manifest.has_manifest)
        throw InputError(root + ": no manifest.json: give the folder of a 'leafsynth synth -o DIR' or 'cdk synth' output");
    const Plan plan = make_plan(manifest, options.selection);
    if (plan.stacks.empty()) throw InputError(root + "manifest.json: the app has no stacks to deploy");
    for (const auto& p : plan.stacks)
        if (p.stack->docker_images > 0)
            throw InputError("stack " + p.stack->stack_name + " has " + std::to_string(p.stack->docker_images) +
                             " container image asset(s); leafsynth publishes file assets only (build and push images "
                             "with 'cdk deploy')");
    for (const auto& [stack, values] : options.parameters) {
        if (stack == "*") continue;
        bool known = false;
        for (const auto& p : plan.stacks) known |= p.stack->stack_name == stack;
        if (!known) throw InputError("--parameters " + stack + ":...: no stack of this deploy is named " + stack);
    }

    aws_api::init_http();
    const aws_api::Session session(options.session);

    // --- environments: account and bootstrap -----------------------------------------------------
    std::vector<Job> jobs(plan.stacks.size());
    std::set<std::string> regions;
    for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
        jobs[i].planned = &plan.stacks[i];
        jobs[i].region = stack_region(*plan.stacks[i].stack, options.default_region);
        regions.insert(jobs[i].region);
    }
    const std::string account = caller_account(session, *regions.begin());
    std::map<std::string, int> required; // region -> highest version a stack there needs
    for (auto& j : jobs) {
        const auto& s = *j.planned->stack;
        check_account(s, account, session);
        j.account = account;
        required[j.region] = std::max(required[j.region], s.requires_bootstrap_version);
    }
    for (const auto& [region, version] : required) {
        aws_api::CloudFormationClient cf(session.client_options(aws_api::kCloudFormation, region, env_name(account, region)));
        const auto have = bootstrap_version(cf);
        if (!have)
            throw InputError("the environment " + env_name(account, region) +
                             " is not bootstrapped (no CDKToolkit stack): run 'leafsynth bootstrap " +
                             env_name(account, region) + "' first; nothing was changed");
        if (*have > 0 && *have < version)
            throw InputError("the environment " + env_name(account, region) + " is bootstrapped with version " +
                             std::to_string(*have) + ", but the app needs " + std::to_string(version) +
                             ": run 'leafsynth bootstrap " + env_name(account, region) + "'; nothing was changed");
    }

    // --- review: leafsynth's diff against what is deployed ---------------------------------------
    // As `cdk deploy`: each stack is read and changed as its deploy role (roles.session_for).
    aws_api::RoleSessions roles(session, [&](const std::string& note) { print.line(note); });
    std::vector<aws_api::StackRef> refs;
    for (const auto& j : jobs)
        refs.push_back({.name = j.planned->stack->stack_name,
                        .region = j.region,
                        .role_arn = fill_placeholders(j.planned->stack->assume_role_arn, j.account, j.region)});
    const std::vector<DeployedStack> deployed = aws_api::fetch_deployed_stacks(refs,
                                                                               {.profile = options.session.profile,
                                                                                .timeout = options.session.timeout,
                                                                                .concurrency = 8,
                                                                                .progress = {},
                                                                                .env = options.session.env,
                                                                                .note = {},
                                                                                .role_purpose = "deploy role"},
                                                                               roles);
    AssemblyDiff review = diff_deployed(deployed, files);
    Templates templates(files, root);
    std::erase_if(review.stacks, [&](const StackDiff& d) {
        return std::none_of(jobs.begin(), jobs.end(), [&](const Job& j) { return j.planned->stack->stack_name == d.name; });
    });
    std::size_t widening = 0;
    std::vector<std::string> hazards;
    for (const auto& d : review.stacks) approval_needs(d, widening, hazards, d.name);
    if (review.has_differences()) print.line(render_diff(review));
    else print.line("leafsynth's diff: no differences with the deployed stacks (change sets still run, for values "
                    "read at deploy time such as SSM parameters)");
    std::string reason;
    if (options.approval != Approval::Never) {
        if (!hazards.empty()) reason = std::to_string(hazards.size()) + " stateful resource(s) replaced or removed";
        else if (options.approval == Approval::Broadening && widening > 0)
            reason = std::to_string(widening) + " security change(s) that widen permissions";
        else if (options.approval == Approval::AnyChange && review.has_differences()) reason = "the stacks change";
    }
    bool stateful_approved = !hazards.empty() && options.approval == Approval::Never;
    if (!reason.empty()) {
        const std::optional<bool> yes =
            options.ask ? options.ask("Deploy these changes (" + reason + ")?") : std::optional<bool>();
        if (!yes) {
            print.line("leafsynth: approval needed (" + reason + ") and there is no terminal to ask on: nothing was "
                       "changed; review the diff above, then run again with --require-approval never");
            return kDeployNotApproved;
        }
        if (!*yes) {
            print.line("Not approved: nothing was changed.");
            return kDeployNotApproved;
        }
        stateful_approved = true;
    }

    // --- exports that would go while still imported (src/deploy/exports.cpp) ----------------------
    std::vector<ExportJob> export_jobs;
    std::vector<std::size_t> totals; // resources per job, for the live view
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto& s = *jobs[i].planned->stack;
        export_jobs.push_back({.stack_name = s.stack_name,
                               .region = jobs[i].region,
                               .stack_id = deployed[i].exists ? deployed[i].stack_id : std::string(),
                               .new_template = templates.top(s),
                               .new_text = templates.text(s),
                               .depends_on = jobs[i].planned->depends_on});
        totals.push_back(templates.resource_count(s));
    }
    std::map<std::string, std::unique_ptr<aws_api::CloudFormationClient>> export_clients;
    auto cf_in = [&](const std::string& region) -> aws_api::CloudFormationClient& {
        auto& c = export_clients[region];
        if (!c) c = std::make_unique<aws_api::CloudFormationClient>(
                    session.client_options(aws_api::kCloudFormation, region, env_name(account, region)));
        return *c;
    };
    const ExportPlan exports_plan = plan_export_removals(
        export_jobs, [&](const std::string& region) { return cf_in(region).list_exports(); },
        [&](const std::string& region, const std::string& name) { return cf_in(region).list_imports(name); });
    for (const auto& note : exports_plan.notes) print.line("note: " + note);
    std::map<std::size_t, std::pair<std::string, std::string>> template_override; // job -> bucket, key

    // --- assets, all before any stack changes -----------------------------------------------------
    std::vector<AssetUpload> uploads;
    std::set<std::pair<std::string, std::string>> queued;
    for (const auto& j : jobs)
        for (auto& u : uploads_for(j.planned->stack->assets, options.assembly_dir, j.account, j.region))
            if (queued.insert({u.bucket, u.key}).second) uploads.push_back(std::move(u));
    for (const auto& [i, tmpl] : exports_plan.kept) {
        const auto& s = *jobs[i].planned->stack;
        const std::string text = tmpl.dump(1) + "\n";
        const auto [bucket, key] = split_s3_url(fill_placeholders(s.template_object_url, jobs[i].account, jobs[i].region));
        const std::string kept_key = sha256_hex(text) + ".json";
        template_override[i] = {bucket, kept_key};
        uploads.push_back({.display_name = s.stack_name + " Template (with kept exports)",
                           .source = {},
                           .zip = false,
                           .bucket = bucket,
                           .key = kept_key,
                           .region = jobs[i].region,
                           .contents = text,
                           .in_memory = true,
                           .role_arn = publishing_role(s, jobs[i].account, jobs[i].region)});
    }
    std::size_t uploaded = 0, bytes = 0;
    publish_assets(uploads, roles, options.asset_parallelism, [&](const AssetResult& r) {
        uploaded += r.uploaded;
        bytes += r.bytes;
        if (options.progress != Progress::Quiet && r.uploaded) print.line("  published " + r.url + "  " + r.display_name);
    });
    print.line(fmt::format("Assets: {} published ({} bytes), {} already there", uploaded, bytes, uploads.size() - uploaded));

    // --- stacks, in dependency order --------------------------------------------------------------
    // What a job waits for: the stacks it depends on, and importers updated before an export goes.
    std::vector<std::vector<std::size_t>> waits(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        waits[i] = jobs[i].planned->depends_on;
        waits[i].insert(waits[i].end(), exports_plan.waits[i].begin(), exports_plan.waits[i].end());
    }
    auto run_job = [&](Job& j, aws_api::CloudFormationClient& cf) {
        const auto& s = *j.planned->stack;
        for (std::size_t d : waits[static_cast<std::size_t>(&j - jobs.data())]) {
            const auto r = jobs[d].outcome.result;
            if (r == StackResult::Failed || r == StackResult::Skipped) {
                j.outcome.result = StackResult::Skipped;
                j.outcome.message = "not started: " + jobs[d].planned->stack->stack_name + " " + to_string(r);
                print.line(s.stack_name + ": skipped (" + jobs[d].planned->stack->stack_name + " " + to_string(r) + ")");
                return;
            }
        }
        if ((options.interrupted && options.interrupted->load()) || (options.cancel && options.cancel->load())) {
            j.outcome.result = StackResult::Skipped;
            j.outcome.message = "not started: interrupted (Ctrl-C)";
            return;
        }
        StackJob job;
        job.stack_name = s.stack_name;
        job.region = j.region;
        if (s.template_object_url.empty())
            throw InputError("stack " + s.stack_name + " has no stackTemplateAssetObjectUrl in " + s.manifest +
                             ": leafsynth deploys templates from the asset bucket; synthesize with leafsynth or cdk 2");
        auto [bucket, key] = split_s3_url(fill_placeholders(s.template_object_url, j.account, j.region));
        if (auto o = template_override.find(static_cast<std::size_t>(&j - jobs.data())); o != template_override.end())
            std::tie(bucket, key) = o->second;
        aws_api::S3Client s3(session.client_options(aws_api::kS3, j.region, "stack " + s.stack_name));
        job.template_url = s3.object_url(bucket, key);
        const json& tmpl = export_jobs[static_cast<std::size_t>(&j - jobs.data())].new_template;
        if (tmpl.contains("Parameters") && tmpl["Parameters"].is_object()) job.template_parameters = tmpl["Parameters"];
        job.parameters = s.parameters;
        for (const char* scope : {"*", s.stack_name.c_str()}) {
            auto it = options.parameters.find(scope);
            if (it != options.parameters.end())
                for (const auto& [k, v] : it->second) job.parameters[k] = v;
        }
        for (const auto& [k, v] : s.tags) job.tags.emplace_back(k, v);
        job.termination_protection = s.termination_protection;
        // As `cdk deploy`: the execution role goes with the deploy role (an account bootstrapped
        // without the roles, where the deploy role could not be assumed, has neither).
        if (roles.assumed(fill_placeholders(s.assume_role_arn, j.account, j.region)))
            job.execution_role_arn = fill_placeholders(s.execution_role_arn, j.account, j.region);
        StackRunOptions run{.disable_rollback = options.disable_rollback,
                            .wait_in_progress = options.wait_in_progress,
                            .continue_rollback = options.continue_rollback,
                            .poll = options.poll,
                            .confirm_stateful = {},
                            .say = [&](const std::string& line) { print.line(s.stack_name + ": " + line); },
                            .on_event = event_follower(print, options.progress, s.stack_name, j.region),
                            .interrupted = options.interrupted,
                            .cancel = options.cancel};
        if (!stateful_approved && options.approval != Approval::Never)
            run.confirm_stateful = [&](const std::string& question) {
                std::lock_guard lock(print.mutex()); // no output while the question waits
                const auto yes = options.ask ? options.ask(question + ". Go on?") : std::optional<bool>();
                return yes.value_or(false);
            };
        print.line(s.stack_name + " (" + j.region + "): deploying");
        print.stack_started(s.stack_name, j.region, totals[static_cast<std::size_t>(&j - jobs.data())]);
        j.outcome = outcome_of([&] { return deploy_stack(cf, job, run); },
                               [&](const aws_api::ApiError& e) {
                                   return session.failure_message("the CloudFormation request",
                                                                  "stack " + s.stack_name + " in " + j.region,
                                                                  cf.query().options().endpoint, e,
                                                                  "the CloudFormation, S3 and IAM actions the deploy role has");
                               });
        print.stack_finished(s.stack_name);
        print.line(outcome_line(s.stack_name, j.region, j.outcome));
    };
    const int workers = std::max(1, std::min<int>(options.concurrency, static_cast<int>(jobs.size())));
    // per worker: a client per region and deploy role
    std::vector<std::map<std::pair<std::string, std::string>, std::unique_ptr<aws_api::CloudFormationClient>>> clients(
        workers);
    run_in_order(waits, workers, [&](std::size_t i, std::size_t worker) {
        Job& j = jobs[i];
        try {
            const std::string role = fill_placeholders(j.planned->stack->assume_role_arn, j.account, j.region);
            auto& cf = clients[worker][{j.region, role}];
            if (!cf)
                cf = std::make_unique<aws_api::CloudFormationClient>(
                    roles.session_for(role, j.region, "deploy role")
                        .client_options(aws_api::kCloudFormation, j.region, "stack " + j.planned->stack->stack_name));
            run_job(j, *cf);
        } catch (const std::exception& e) { // never out of a worker thread
            j.outcome.result = StackResult::Failed;
            j.outcome.message = e.what();
        }
    });

    // --- report -----------------------------------------------------------------------------------
    print.stop();
    bool failed = false;
    json outputs = json::object();
    print.line("");
    print.line(fmt::format("{:<56} {:<12} {:<10} {:>8}", "Stack", "Region", "Result", "Time"));
    for (const auto& j : jobs) {
        const auto& s = *j.planned->stack;
        failed |= j.outcome.result == StackResult::Failed || j.outcome.result == StackResult::Skipped;
        print.line(fmt::format("{:<56} {:<12} {:<10} {:>8}", s.stack_name, j.region, to_string(j.outcome.result),
                               duration_text(j.outcome.duration)));
        if (!j.outcome.message.empty() && j.outcome.result != StackResult::Unchanged)
            print.line("  " + j.outcome.message);
        json mine = json::object();
        for (const auto& o : j.outcome.outputs) {
            mine[o.key] = o.value;
            print.line("  output " + o.key + " = " + o.value);
        }
        if (!mine.empty()) outputs[s.stack_name] = mine;
    }
    if (!options.outputs_file.empty()) {
        const fs::path target(options.outputs_file);
        const fs::path temp = target.string() + ".tmp";
        {
            std::ofstream f(temp, std::ios::binary | std::ios::trunc);
            f << outputs.dump(2) << "\n";
            if (!f) throw Error("cannot write " + temp.string());
        }
        fs::rename(temp, target);
        print.line("Outputs written to " + target.string());
    }
    return failed ? kDeployFailed : kDeployOk;
}

int run_bootstrap(const BootstrapOptions& options) {
    ProgressView print(options.out, false);
    aws_api::init_http();
    const aws_api::Session session(options.session);
    const std::string body = bootstrap_template_json();
    bool failed = false;
    for (const auto& env : options.environments) {
        const std::string account = caller_account(session, env.region);
        if (!env.account.empty() && env.account != account)
            throw InputError("cannot bootstrap " + env_name(env.account, env.region) + ": the credentials (" +
                             session.credentials().source + ") are for account " + account +
                             "; use credentials of that account (--profile)");
        const std::string name = env_name(account, env.region);
        aws_api::CloudFormationClient cf(session.client_options(aws_api::kCloudFormation, env.region, name));
        const auto have = bootstrap_version(cf);
        StackJob job;
        job.stack_name = std::string(bootstrap::kToolkitStackName);
        job.region = env.region;
        job.template_body = body;
        if (have && *have > bootstrap::kToolkitVersion) {
            print.line(name + ": already bootstrapped with version " + std::to_string(*have) +
                       " (newer than leafsynth's " + std::to_string(bootstrap::kToolkitVersion) + "): left as it is");
            continue;
        }
        StackRunOptions run{.disable_rollback = false,
                            .wait_in_progress = true,
                            .continue_rollback = false,
                            .poll = options.poll,
                            .confirm_stateful = {},
                            .say = [&](const std::string& line) { print.line(name + ": " + line); },
                            .on_event = {},
                            .interrupted = options.interrupted,
                            .cancel = nullptr};
        const StackOutcome outcome = deploy_stack(cf, job, run);
        if (outcome.result == StackResult::Unchanged)
            print.line(name + ": already bootstrapped (version " + std::to_string(bootstrap::kToolkitVersion) +
                       "): nothing changed");
        else if (outcome.result == StackResult::Created || outcome.result == StackResult::Updated)
            print.line(name + ": bootstrapped (" + to_string(outcome.result) + ", version " +
                       std::to_string(bootstrap::kToolkitVersion) + ")");
        else {
            failed = true;
            print.line(name + ": bootstrap failed: " + outcome.message);
        }
    }
    return failed ? kDeployFailed : kDeployOk;
}

} // namespace leafsynth::deploy
