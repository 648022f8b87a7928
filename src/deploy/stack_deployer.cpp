#include "deploy/stack_deployer.hpp"

#include <algorithm>
#include <ctime>
#include <set>
#include <thread>

#include "deploy/progress.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

namespace {

using aws_api::StackEvent;
using Clock = std::chrono::steady_clock;

bool ends_with(const std::string& s, std::string_view suffix) { return s.ends_with(suffix); }

bool in_progress(const std::string& status) { return ends_with(status, "_IN_PROGRESS"); }

/// The waits of a poll loop: first, then doubling up to the cap; false once interrupted or past the timeout.
class Waiter {
public:
    Waiter(const StackRunOptions& options) : options_(options), wait_(options.poll.first), start_(Clock::now()) {}

    bool wait() {
        const auto until = Clock::now() + wait_;
        while (Clock::now() < until) {
            if (interrupted()) return false;
            std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(100), until - Clock::now()));
        }
        wait_ = std::min(wait_ * 2, options_.poll.cap);
        return !interrupted() && Clock::now() - start_ < options_.poll.timeout;
    }

    /// Stopped by Ctrl-C; a cancel (--cancel-on-interrupt) waits on for the rollback.
    bool interrupted() const {
        return options_.interrupted && options_.interrupted->load() && !(options_.cancel && options_.cancel->load());
    }

private:
    const StackRunOptions& options_;
    std::chrono::milliseconds wait_;
    Clock::time_point start_;
};

void say(const StackRunOptions& o, const std::string& line) {
    if (o.say) o.say(line);
}

/// True for an answer a poll shrugs off once the client's own retries are spent: throttling and
/// the service's transient errors. The operation goes on in CloudFormation; the next poll asks again.
bool transient(const aws_api::ApiError& e) {
    return aws_api::is_retryable_code(e.code()) || e.http_status() >= 500;
}

/// Polls in a row that CloudFormation answered with a transient error: each is said and shrugged
/// off (the operation goes on; the next poll asks again) up to a bound, so a service that only
/// errs ends the wait with its error instead of polling for hours.
class PollFailures {
public:
    static constexpr int kMaxInARow = 10;
    void ok() { in_a_row_ = 0; }
    /// Call from a catch handler: rethrows `e` unless it is transient and below the bound.
    void failed(const aws_api::ApiError& e, const StackRunOptions& options) {
        if (!transient(e) || ++in_a_row_ >= kMaxInARow) throw;
        say(options, "polling: " + (e.code().empty() ? "HTTP " + std::to_string(e.http_status()) : e.code()) +
                         " (throttled or busy); asking again");
    }

private:
    int in_a_row_ = 0;
};

/// The first failure among events (oldest first), preferring a resource over a nested stack.
const StackEvent* first_failure(const std::vector<StackEvent>& events) {
    const StackEvent* first = nullptr;
    for (const auto& e : events) {
        if (!e.status.ends_with("_FAILED") || e.status_reason.find("cancelled") != std::string::npos) continue;
        if (!first) first = &e;
        if (e.resource_type != "AWS::CloudFormation::Stack") return &e;
    }
    return first;
}

/// The stack ARN in "Embedded stack arn:aws:cloudformation:... was not successfully ...", or empty.
std::string embedded_stack(const std::string& reason) {
    const auto at = reason.find("arn:aws");
    if (reason.find("Embedded stack") == std::string::npos || at == std::string::npos) return {};
    const auto end = reason.find(' ', at);
    return reason.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// Follows the events of a stack and its nested stacks from the moment the watch starts.
class EventWatch {
public:
    EventWatch(aws_api::CloudFormationClient& cf, std::string stack_id, const StackRunOptions& options)
        : cf_(cf), options_(options) {
        add_stack(stack_id);
    }

    /// Reads the new events of every watched stack; nested stacks that appear are watched too.
    void poll() {
        std::vector<StackEvent> fresh;
        for (std::size_t i = 0; i < stacks_.size(); ++i) { // grows while iterating: index, not iterator
            const std::string id = stacks_[i].stack_id;
            for (auto& e : cf_.describe_stack_events(id, [&](const StackEvent& e) {
                     return seen_.count(e.event_id) || (since_ > 0 && parse_timestamp(e.timestamp) + 1 < since_);
                 })) {
                seen_.insert(e.event_id);
                if (e.resource_type == "AWS::CloudFormation::Stack" && e.physical_id.starts_with("arn:") &&
                    e.physical_id != stacks_[0].stack_id)
                    add_stack(e.physical_id);
                fresh.push_back(std::move(e));
            }
        }
        // Oldest first across the stack and its nested stacks (each answer is newest first).
        std::stable_sort(fresh.begin(), fresh.end(), [](const StackEvent& a, const StackEvent& b) {
            return parse_timestamp(a.timestamp) < parse_timestamp(b.timestamp);
        });
        for (const auto& e : fresh) {
            all_.push_back(e);
            if (options_.on_event) options_.on_event(e);
        }
    }

    /// Marks every event there is now as seen (call before the operation starts).
    void skip_existing() {
        since_ = static_cast<double>(std::time(nullptr)) - 5; // clocks differ a little
        try {
            for (const auto& e : cf_.describe_stack_events(stacks_[0].stack_id, [](const StackEvent&) { return false; }))
                seen_.insert(e.event_id);
        } catch (const aws_api::ApiError& e) {
            if (!transient(e)) throw; // throttled: the time filter alone keeps old events out
        }
    }

    /// The first resource that failed (followed into nested stacks), as a sentence, or empty.
    std::string root_cause() const {
        const StackEvent* first = first_failure(all_);
        if (!first) return {};
        // A nested stack's failure names the nested stack ("Embedded stack arn:... was not
        // successfully created: ..."): its own events hold the resource that really failed.
        std::vector<StackEvent> inner;
        for (int depth = 0; depth < 5 && first->resource_type == "AWS::CloudFormation::Stack"; ++depth) {
            const std::string arn = embedded_stack(first->status_reason);
            if (arn.empty()) break;
            try {
                inner = cf_.describe_stack_events(arn, [](const StackEvent&) { return false; });
            } catch (const std::exception&) {
                break; // the parent's reason is still an answer
            }
            std::reverse(inner.begin(), inner.end());
            const StackEvent* deeper = first_failure(inner);
            if (!deeper) break;
            first = deeper;
        }
        // The stack's own failure (no resource failed), e.g. "Export X cannot be deleted as it is in use by Y".
        if (first->physical_id == stacks_[0].stack_id && first->resource_type == "AWS::CloudFormation::Stack")
            return first->status + ": " + (first->status_reason.empty() ? "no reason given" : first->status_reason);
        std::string where = first->resource_type + " " + first->logical_id;
        if (first->stack_id != stacks_[0].stack_id) where += " (in nested stack " + first->stack_name + ")";
        return where + " " + first->status + ": " + (first->status_reason.empty() ? "no reason given" : first->status_reason);
    }

private:
    struct Watched {
        std::string stack_id;
    };
    void add_stack(const std::string& id) {
        for (const auto& w : stacks_)
            if (w.stack_id == id) return;
        stacks_.push_back({id});
    }

    aws_api::CloudFormationClient& cf_;
    const StackRunOptions& options_;
    std::vector<Watched> stacks_;
    std::set<std::string> seen_;
    std::vector<StackEvent> all_;
    double since_ = 0;
};

/// Waits until the stack is in no operation; returns its description (nullopt: it is gone).
std::optional<aws_api::StackDescription> settle(aws_api::CloudFormationClient& cf, const std::string& stack,
                                                 const StackRunOptions& options, EventWatch* events) {
    Waiter waiter(options);
    PollFailures failures;
    std::optional<aws_api::StackDescription> d;
    bool cancelled = false;
    for (;;) {
        try {
            if (events) events->poll();
            d = cf.describe_stack(stack);
            failures.ok();
            if (!d || !in_progress(d->status)) {
                if (events) events->poll(); // the last events
                return d;
            }
            if (!cancelled && options.cancel && options.cancel->load() && d->status == "UPDATE_IN_PROGRESS") {
                say(options, "cancelling the update (Ctrl-C with --cancel-on-interrupt); waiting for its rollback");
                cf.cancel_update_stack(d->stack_id);
                cancelled = true;
            }
        } catch (const aws_api::ApiError& e) {
            failures.failed(e, options);
        }
        if (!waiter.wait()) return d;
    }
}

/// An outcome being made, and how long it took once finished.
struct Timed {
    Clock::time_point started = Clock::now();
    StackOutcome out;
    StackOutcome finish(StackResult result) {
        out.result = result;
        out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        return out;
    }
};

/// Waits for an operation in progress on `current` (one started elsewhere), which is updated;
/// false (with `out` saying why) when it must not or did not end.
bool wait_for_operation(aws_api::CloudFormationClient& cf, std::optional<aws_api::StackDescription>& current,
                        const StackRunOptions& options, StackOutcome& out) {
    if (!current || !in_progress(current->status) || current->status == "REVIEW_IN_PROGRESS") return true;
    if (!options.wait_in_progress) {
        out.status = current->status;
        out.message = "the stack is " + current->status + " (another operation is running); wait for it or run "
                      "again without --no-wait-in-progress";
        return false;
    }
    say(options, "waiting: the stack is " + current->status + " (an operation started elsewhere)");
    current = settle(cf, current->stack_id, options, nullptr);
    if (current && in_progress(current->status)) {
        out.status = current->status;
        out.message = "stopped waiting while the stack was " + current->status;
        return false;
    }
    return true;
}

/// After a wait: the outcome when it was interrupted or gave up with the stack still in progress.
std::optional<std::string> stopped_waiting(const std::optional<aws_api::StackDescription>& settled,
                                           const StackRunOptions& options) {
    if (options.interrupted && options.interrupted->load() && !(options.cancel && options.cancel->load()))
        return "interrupted: stopped waiting" + (settled ? " while the stack was " + settled->status : std::string()) +
               "; CloudFormation goes on (see the stack's events)";
    if (settled && in_progress(settled->status))
        return "stopped waiting; the stack is still " + settled->status + " (CloudFormation goes on)";
    return std::nullopt;
}

aws_api::ChangeSetDescription wait_for_change_set(aws_api::CloudFormationClient& cf, const std::string& id,
                                                  const StackRunOptions& options) {
    Waiter waiter(options);
    PollFailures failures;
    aws_api::ChangeSetDescription d;
    for (;;) {
        try {
            d = cf.describe_change_set(id, "");
            if (d.status == "CREATE_COMPLETE" || d.status == "FAILED" || d.status == "DELETE_COMPLETE") return d;
            failures.ok();
        } catch (const aws_api::ApiError& e) {
            failures.failed(e, options);
        }
        if (!waiter.wait()) return d;
    }
}

std::string change_line(const aws_api::ResourceChange& c) {
    const char* mark = c.action == "Add" ? "[+]" : c.action == "Remove" ? "[-]" : "[~]";
    std::string line = std::string(mark) + " " + c.resource_type + " " + c.logical_id;
    if (c.action == "Modify" && !c.replacement.empty() && c.replacement != "False")
        line += c.replacement == "True" ? "  WILL BE REPLACED" : "  MAY BE REPLACED (Replacement: Conditional)";
    return line;
}

std::vector<aws_api::ChangeSetParameter> parameters_for(const StackJob& job, const aws_api::StackDescription* deployed) {
    std::vector<aws_api::ChangeSetParameter> out;
    for (const auto& item : job.template_parameters.items()) {
        const std::string& name = item.key(); // not a structured binding: clang 14 cannot capture one
        const nlohmann::json& declared = item.value();
        auto given = job.parameters.find(name);
        if (given != job.parameters.end()) {
            out.push_back({.key = name, .value = given->second, .use_previous_value = false});
            continue;
        }
        if (declared.is_object() && declared.contains("Default")) continue; // the template's default
        const bool had = deployed && std::any_of(deployed->parameters.begin(), deployed->parameters.end(),
                                                 [&](const auto& p) { return p.first == name; });
        if (had) {
            out.push_back({.key = name, .value = "", .use_previous_value = true});
            continue;
        }
        throw InputError("stack " + job.stack_name + ": the template's parameter " + name +
                         " has no default and no value; give one with --parameters " + job.stack_name + ":" + name +
                         "=VALUE");
    }
    return out;
}

std::string unique_change_set_name() {
    return "leafsynth-deploy-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count());
}

} // namespace

const char* to_string(StackResult result) {
    switch (result) {
    case StackResult::Created: return "created";
    case StackResult::Updated: return "updated";
    case StackResult::Unchanged: return "unchanged";
    case StackResult::Failed: return "failed";
    case StackResult::Skipped: return "skipped";
    case StackResult::Deleted: return "deleted";
    case StackResult::Gone: return "gone";
    }
    return "";
}

bool is_stateful_type(const std::string& type) {
    static const std::set<std::string> types = {
        "AWS::EFS::FileSystem", "AWS::Route53::HostedZone", "AWS::Logs::LogGroup", "AWS::S3::Bucket",
        "AWS::EC2::KeyPair", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable", "AWS::KMS::Key", "AWS::ECR::Repository", "AWS::Cognito::UserPool",
        "AWS::SecretsManager::Secret", "AWS::EC2::Volume", "AWS::Kinesis::Stream", "AWS::SQS::Queue",
        "AWS::Elasticsearch::Domain", "AWS::OpenSearchService::Domain", "AWS::ElastiCache::ReplicationGroup"};
    return types.count(type) != 0;
}

double parse_timestamp(const std::string& text) {
    std::tm tm{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    double second = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%lf", &year, &month, &day, &hour, &minute, &second) != 6) return 0;
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = 0;
    return static_cast<double>(timegm(&tm)) + second; // times are UTC (Z or +00:00)
}

StackOutcome outcome_of(const std::function<StackOutcome()>& operation,
                        const std::function<std::string(const aws_api::ApiError&)>& api_failure) {
    StackOutcome failed;
    failed.result = StackResult::Failed;
    try {
        return operation();
    } catch (const aws_api::ApiError& e) {
        failed.message = api_failure(e);
    } catch (const std::exception& e) {
        failed.message = e.what();
    }
    return failed;
}

std::string outcome_line(const std::string& stack, const std::string& region, const StackOutcome& outcome) {
    return stack + " (" + region + "): " + to_string(outcome.result) + (outcome.message.empty() ? "" : ": " + outcome.message) +
           " (" + duration_text(outcome.duration) + ")";
}

StackOutcome deploy_stack(aws_api::CloudFormationClient& cf, const StackJob& job, const StackRunOptions& options) {
    Timed timed;
    StackOutcome& out = timed.out;
    auto finish = [&timed](StackResult result) { return timed.finish(result); };

    // --- the stack as it is ----------------------------------------------------------------------
    std::optional<aws_api::StackDescription> current = cf.describe_stack(job.stack_name);
    if (!wait_for_operation(cf, current, options, out)) return finish(StackResult::Failed);
    if (current && current->status == "ROLLBACK_COMPLETE") {
        // A first creation that failed: CloudFormation can only delete it.
        say(options, "the stack is ROLLBACK_COMPLETE (its first creation failed): deleting it to create it again");
        cf.delete_stack(current->stack_id);
        current = settle(cf, current->stack_id, options, nullptr);
        if (current && current->status != "DELETE_COMPLETE") {
            out.status = current->status;
            out.message = "could not delete the failed stack (" + current->status + "): " + current->status_reason;
            return finish(StackResult::Failed);
        }
        current.reset();
    }
    if (current && current->status == "UPDATE_ROLLBACK_FAILED") {
        if (!options.continue_rollback) {
            out.status = current->status;
            out.message = "the stack is UPDATE_ROLLBACK_FAILED: a rollback could not finish (" + current->status_reason +
                          "); fix the resource named there, then run again with --continue-rollback";
            return finish(StackResult::Failed);
        }
        say(options, "continuing the rollback (UPDATE_ROLLBACK_FAILED)");
        cf.continue_update_rollback(current->stack_id);
        current = settle(cf, current->stack_id, options, nullptr);
        if (!current || current->status != "UPDATE_ROLLBACK_COMPLETE") {
            out.status = current ? current->status : "";
            out.message = "the rollback did not complete (" + out.status + ")";
            return finish(StackResult::Failed);
        }
    }
    if (current && current->status == "DELETE_COMPLETE") current.reset();
    const bool creating = !current || current->status == "REVIEW_IN_PROGRESS";

    // --- the change set ----------------------------------------------------------------------------
    aws_api::ChangeSetRequest request{
        .stack_name = job.stack_name,
        .change_set_name = unique_change_set_name(),
        .change_set_type = creating ? "CREATE" : "UPDATE",
        .template_url = job.template_url,
        .template_body = job.template_body,
        .parameters = parameters_for(job, creating ? nullptr : &*current),
        .capabilities = {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"},
        .tags = job.tags,
        .include_nested_stacks = true,
        .description = "leafsynth deploy",
        .role_arn = job.execution_role_arn};
    say(options, std::string(creating ? "creating" : "updating") + ": change set " + request.change_set_name);
    const aws_api::ChangeSetCreated created = cf.create_change_set(request);
    aws_api::ChangeSetDescription cs = wait_for_change_set(cf, created.change_set_id, options);
    if (aws_api::is_no_changes(cs)) {
        cf.delete_change_set(created.change_set_id, "");
        out.status = current ? current->status : "";
        out.outputs = current ? current->outputs : std::vector<aws_api::StackOutput>{};
        say(options, "no changes");
        if (job.termination_protection && current && !current->termination_protection)
            cf.update_termination_protection(current->stack_id, true);
        return finish(StackResult::Unchanged);
    }
    if (cs.status != "CREATE_COMPLETE") {
        out.status = cs.status;
        out.message = "the change set could not be created (" + cs.status + "): " + cs.status_reason;
        try {
            cf.delete_change_set(created.change_set_id, "");
        } catch (const std::exception&) {
            // leaving a failed change set behind changes nothing
        }
        return finish(StackResult::Failed);
    }
    out.changes = cs.changes;
    std::vector<std::string> stateful;
    // CloudFormation's verdict, nested change sets included (each under its nested stack).
    auto review = [&](auto&& self, const std::vector<aws_api::ResourceChange>& changes, const std::string& indent,
                      const std::string& where, int depth) -> void {
        for (const auto& c : changes) {
            say(options, indent + change_line(c));
            if (is_stateful_type(c.resource_type) &&
                (c.action == "Remove" ||
                 (c.action == "Modify" && (c.replacement == "True" || c.replacement == "Conditional"))))
                stateful.push_back(c.resource_type + " " + where + c.logical_id +
                                   (c.action == "Remove" ? " (removed)" : " (replaced)"));
            if (c.nested_change_set_id.empty() || depth >= 5) continue;
            try {
                const auto nested = cf.describe_change_set(c.nested_change_set_id, "");
                self(self, nested.changes, indent + "    ", where + c.logical_id + "/", depth + 1);
            } catch (const aws_api::ApiError& e) {
                say(options, indent + "    (the nested change set could not be read: " + e.code() + ")");
            }
        }
    };
    review(review, cs.changes, "  ", "", 0);
    if (!stateful.empty() && options.confirm_stateful) {
        std::string list;
        for (const auto& s : stateful) list += (list.empty() ? "" : ", ") + s;
        if (!options.confirm_stateful("stack " + job.stack_name + ": CloudFormation will replace or remove " + list +
                                      ", losing what they hold")) {
            cf.delete_change_set(created.change_set_id, "");
            out.message = "not approved: " + list;
            return finish(StackResult::Skipped);
        }
    }

    // --- execute and watch ------------------------------------------------------------------------
    EventWatch events(cf, created.stack_id, options);
    events.skip_existing();
    cf.execute_change_set(created.change_set_id, "", options.disable_rollback);
    const auto settled = settle(cf, created.stack_id, options, &events);
    if (options.cancel && options.cancel->load() && settled && !in_progress(settled->status) &&
        settled->status != "UPDATE_COMPLETE" && settled->status != "CREATE_COMPLETE") {
        out.status = settled->status;
        out.message = "cancelled (Ctrl-C with --cancel-on-interrupt): " + settled->status;
        return finish(StackResult::Failed);
    }
    out.status = settled ? settled->status : "DELETE_COMPLETE";
    if (auto why = stopped_waiting(settled, options)) {
        out.message = *why;
        return finish(StackResult::Failed);
    }
    if (out.status == "CREATE_COMPLETE" || out.status == "UPDATE_COMPLETE") {
        out.outputs = settled->outputs;
        if (job.termination_protection && !settled->termination_protection)
            cf.update_termination_protection(created.stack_id, true);
        return finish(creating ? StackResult::Created : StackResult::Updated);
    }
    out.message = events.root_cause();
    if (out.message.empty())
        out.message = out.status + (settled && !settled->status_reason.empty() ? ": " + settled->status_reason : "");
    return finish(StackResult::Failed);
}

StackOutcome destroy_stack(aws_api::CloudFormationClient& cf, const std::string& stack, const std::string& role_arn,
                           const StackRunOptions& options) {
    Timed timed;
    StackOutcome& out = timed.out;
    auto finish = [&timed](StackResult result) { return timed.finish(result); };
    std::optional<aws_api::StackDescription> current = cf.describe_stack(stack);
    if (!wait_for_operation(cf, current, options, out)) return finish(StackResult::Failed);
    if (!current || current->status == "DELETE_COMPLETE") {
        out.status = "DELETE_COMPLETE";
        return finish(StackResult::Gone);
    }
    EventWatch events(cf, current->stack_id, options);
    events.skip_existing();
    say(options, "deleting" + std::string(role_arn.empty() ? "" : " (as " + role_arn + ")"));
    cf.delete_stack(current->stack_id, role_arn);
    const auto settled = settle(cf, current->stack_id, options, &events);
    out.status = settled ? settled->status : "DELETE_COMPLETE";
    if (auto why = stopped_waiting(settled, options)) {
        out.message = *why;
        return finish(StackResult::Failed);
    }
    if (out.status == "DELETE_COMPLETE") return finish(StackResult::Deleted);
    out.message = events.root_cause();
    if (out.message.empty())
        out.message = out.status + (settled && !settled->status_reason.empty() ? ": " + settled->status_reason : "");
    return finish(StackResult::Failed);
}

} // namespace leafsynth::deploy
