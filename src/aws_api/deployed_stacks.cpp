#include "aws_api/deployed_stacks.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "aws_api/cloudformation.hpp"
#include "aws_api/role_sessions.hpp"
#include "aws_api/session.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace {

constexpr int kMaxNesting = 16; // deeper than CloudFormation allows; only stops cycles

/// One stack (or nested stack) to read.
struct Task {
    DeployedStack* node;  // where the answer goes (stable: vectors are sized before tasks point in)
    std::string stack;    // name or ARN to ask for
    std::string display;  // `Stack` or `Stack/NestedId`, for messages
    std::size_t top;      // index of the top-level stack, to report the first failure in app order
    int depth;
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

/// A worker thread's current stack (its top-level index) and the flag that stops its requests.
struct Slot {
    std::atomic<std::size_t> top{kNone};
    std::atomic<bool> cancel{false};
};

class Fetcher {
public:
    Fetcher(const FetchOptions& options, RoleSessions& roles) : options_(options), roles_(roles) {}

    std::vector<DeployedStack> run(const std::vector<StackRef>& stacks) {
        std::vector<DeployedStack> out(stacks.size());
        for (std::size_t i = 0; i < stacks.size(); ++i) {
            out[i].name = stacks[i].name;
            out[i].region = stacks[i].region;
            // Endpoints and roles are resolved up front (the maps are read-only once the threads run).
            const std::string key = stacks[i].region + "\n" + stacks[i].role_arn;
            keys_.push_back(key);
            if (!per_key_.count(key)) {
                const Session& session = roles_.session_for(stacks[i].role_arn, stacks[i].region, options_.role_purpose);
                per_key_.emplace(key, std::make_pair(&session, session.client_options(kCloudFormation, stacks[i].region,
                                                                                      "stack " + stacks[i].name)));
            }
            queue_.push_back({&out[i], stacks[i].name, stacks[i].name, i, 0});
        }
        known_ = static_cast<int>(queue_.size());
        pending_ = known_;
        const int workers = std::max(1, std::min(options_.concurrency, 64));
        slots_ = std::vector<Slot>(static_cast<std::size_t>(workers));
        std::vector<std::thread> threads;
        for (auto& slot : slots_) threads.emplace_back([this, &slot] { work(slot); });
        for (auto& t : threads) t.join();
        if (!errors_.empty()) {
            // The first failing stack in app order: every stack before it ran to the end.
            const auto first = std::min_element(errors_.begin(), errors_.end(),
                                                [](const auto& a, const auto& b) { return a.first < b.first; });
            throw InputError(first->second);
        }
        return out;
    }

private:
    void work(Slot& slot) {
        std::map<std::string, std::unique_ptr<CloudFormationClient>> clients; // one per region and role per thread
        for (;;) {
            Task task;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return !queue_.empty() || pending_ == 0; });
                if (queue_.empty()) return;
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            if (task.top < first_failed_.load()) {
                auto& client = clients[keys_[task.top]];
                if (!client) {
                    ClientOptions o = per_key_.at(keys_[task.top]).second;
                    o.cancel = &slot.cancel;
                    client = std::make_unique<CloudFormationClient>(std::move(o));
                }
                slot.cancel.store(false);
                slot.top.store(task.top);
                process(*client, task);
                slot.top.store(kNone);
            }
            std::lock_guard lock(mutex_);
            --pending_;
            ++done_;
            if (options_.progress && first_failed_.load() == kNone) options_.progress(done_, known_);
            if (pending_ == 0) cv_.notify_all();
        }
    }

    void process(CloudFormationClient& cf, const Task& task) {
        DeployedStack& node = *task.node;
        std::string action = "DescribeStacks";
        try {
            const auto desc = cf.describe_stack(task.stack);
            if (!desc) {
                if (task.depth > 0) node.notes.push_back("the nested stack " + task.stack + " was not found");
                return;
            }
            if (desc->status == "REVIEW_IN_PROGRESS") {
                node.notes.push_back("the stack exists only as REVIEW_IN_PROGRESS (a change set that was never "
                                     "executed), so it counts as not deployed");
                node.stack_id = desc->stack_id;
                node.status = desc->status;
                return;
            }
            node.exists = true;
            node.stack_id = desc->stack_id;
            node.status = desc->status;
            node.status_reason = desc->status_reason;
            node.parameters = desc->parameters;
            action = "GetTemplate";
            node.template_body = cf.get_template(desc->stack_id);
            action = "ListStackResources";
            std::vector<StackResourceSummary> children;
            for (auto& r : cf.list_stack_resources(desc->stack_id))
                if (r.type == "AWS::CloudFormation::Stack") children.push_back(std::move(r));
            if (children.empty()) return;
            if (task.depth + 1 >= kMaxNesting) {
                node.notes.push_back("nested stacks deeper than " + std::to_string(kMaxNesting) + " levels not read");
                return;
            }
            std::sort(children.begin(), children.end(),
                      [](const auto& a, const auto& b) { return a.logical_id < b.logical_id; });
            node.nested.resize(children.size());
            std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < children.size(); ++i) {
                DeployedStack& child = node.nested[i];
                child.name = children[i].logical_id;
                child.region = node.region;
                if (children[i].physical_id.empty()) {
                    child.notes.push_back("the nested stack has no physical id (" + children[i].status +
                                          "): it was not created");
                    continue;
                }
                queue_.push_back({&child, children[i].physical_id, task.display + "/" + child.name, task.top,
                                  task.depth + 1});
                ++pending_;
                ++known_;
            }
            cv_.notify_all();
        } catch (const ApiError& e) {
            fail(task, failure_message(action, task, e));
        } catch (const TransportError& e) {
            if (std::string(e.what()) == "cancelled") return; // a stack before this one failed
            fail(task, std::string("cloudformation:") + action + " on stack " + task.display + " in " + node.region +
                           ": " + e.what());
        } catch (const std::exception& e) {
            // Anything else (out of memory, ...) must not escape a worker thread (std::terminate).
            fail(task, std::string("cloudformation:") + action + " on stack " + task.display + " in " + node.region +
                           " failed: " + e.what());
        }
    }

    std::string failure_message(const std::string& action, const Task& task, const ApiError& e) const {
        const std::string& region = task.node->region;
        const auto& [session, client_options] = per_key_.at(keys_[task.top]);
        return session->failure_message("cloudformation:" + action, "stack " + task.display + " in " + region,
                                        client_options.endpoint, e,
                                        "cloudformation:DescribeStacks, GetTemplate and ListStackResources (e.g. the "
                                        "ReadOnlyAccess policy)");
    }

    /// Records a failure and stops the work for later stacks (in app order) only, so the error
    /// reported is always the first failing stack's, whatever the timing.
    void fail(const Task& task, std::string message) {
        std::lock_guard lock(mutex_);
        errors_.emplace_back(task.top, std::move(message));
        if (task.top < first_failed_.load()) first_failed_.store(task.top);
        for (auto& slot : slots_)
            if (slot.top.load() > task.top && slot.top.load() != kNone) slot.cancel.store(true);
    }

    const FetchOptions& options_;
    RoleSessions& roles_;                // the roles (or the user's own session)
    std::vector<std::string> keys_;      // per top-level stack: region and lookup role
    std::map<std::string, std::pair<const Session*, ClientOptions>> per_key_; // filled before the threads start
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Task> queue_;
    int pending_ = 0, done_ = 0, known_ = 0;
    std::atomic<std::size_t> first_failed_{kNone}; // top index of the first failing stack
    std::vector<Slot> slots_;                       // one per worker thread
    std::vector<std::pair<std::size_t, std::string>> errors_;
};

} // namespace

std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options) {
    init_http();
    const Session session({.profile = options.profile, .timeout = options.timeout, .env = options.env});
    return fetch_deployed_stacks(stacks, options, session);
}

std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options,
                                                 const Session& session) {
    RoleSessions roles(session, options.note);
    return fetch_deployed_stacks(stacks, options, roles);
}

std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options,
                                                 RoleSessions& roles) {
    init_http();
    Fetcher fetcher(options, roles);
    return fetcher.run(stacks);
}

} // namespace leafsynth::aws_api
