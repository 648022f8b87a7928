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
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace {

constexpr int kMaxNesting = 16; // deeper than CloudFormation allows; only stops cycles

/// The AWS regions (commercial, China, GovCloud) as of late 2026, to tell a mistyped region from
/// a network problem before any request. A newer region works with an explicit endpoint.
bool is_known_region(const std::string& region) {
    static const std::set<std::string> regions = {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1",
        "sa-east-1", "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"};
    return regions.count(region) != 0;
}

std::optional<std::string> nonempty(const EnvLookup& env, const char* name) {
    auto v = env(name);
    return v && !v->empty() ? v : std::nullopt;
}

/// One stack (or nested stack) to read.
struct Task {
    DeployedStack* node;  // where the answer goes (stable: vectors are sized before tasks point in)
    std::string stack;    // name or ARN to ask for
    std::string display;  // `Stack` or `Stack/NestedId`, for messages
    std::size_t top;      // index of the top-level stack, to report the first failure in app order
    int depth;
};

const std::set<std::string>& rejected_codes() {
    static const std::set<std::string> codes = {"InvalidClientTokenId", "SignatureDoesNotMatch",
                                                "UnrecognizedClientException", "IncompleteSignature",
                                                "InvalidSignatureException", "AuthFailure",
                                                "MissingAuthenticationToken", "InvalidAccessKeyId"};
    return codes;
}

const std::set<std::string>& expired_codes() {
    static const std::set<std::string> codes = {"ExpiredToken", "ExpiredTokenException", "RequestExpired",
                                                "TokenRefreshRequired"};
    return codes;
}

const std::set<std::string>& denied_codes() {
    static const std::set<std::string> codes = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                                                "UnauthorizedAccess"};
    return codes;
}

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

/// A worker thread's current stack (its top-level index) and the flag that stops its requests.
struct Slot {
    std::atomic<std::size_t> top{kNone};
    std::atomic<bool> cancel{false};
};

class Fetcher {
public:
    Fetcher(const FetchOptions& options, Credentials credentials) : options_(options), credentials_(std::move(credentials)) {}

    std::vector<DeployedStack> run(const std::vector<StackRef>& stacks) {
        settings_ = load_settings(options_.profile, options_.env);
        max_attempts_ = read_max_attempts();
        ca_bundle_ = read_ca_bundle();
        std::vector<DeployedStack> out(stacks.size());
        for (std::size_t i = 0; i < stacks.size(); ++i) {
            out[i].name = stacks[i].name;
            out[i].region = stacks[i].region;
            // Endpoints are resolved up front (the map is read-only once the threads run).
            if (client_options(stacks[i].region).endpoint_source == "the region" && !is_known_region(stacks[i].region))
                throw InputError("unknown region '" + stacks[i].region + "' (stack " + stacks[i].name +
                                 "): not an AWS region; check --region and the config's regions, or set "
                                 "AWS_ENDPOINT_URL_CLOUDFORMATION for a region newer than this leafsynth");
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
    int read_max_attempts() const {
        std::optional<std::string> v = nonempty(options_.env, "AWS_MAX_ATTEMPTS");
        std::string source = "AWS_MAX_ATTEMPTS";
        if (!v) {
            v = config_value(settings_, "max_attempts");
            source = "max_attempts in profile '" + settings_.profile + "' of " + settings_.config_file;
        }
        if (!v) return 3; // the AWS SDKs' standard retry mode
        try {
            std::size_t used = 0;
            const int n = std::stoi(*v, &used);
            if (used == v->size() && n >= 1 && n <= 100) return n;
        } catch (const std::exception&) {
        }
        throw InputError(source + " is '" + *v + "': give a whole number of attempts from 1 to 100");
    }

    std::string read_ca_bundle() const {
        std::optional<std::string> v = nonempty(options_.env, "AWS_CA_BUNDLE");
        std::string source = "AWS_CA_BUNDLE";
        if (!v) {
            v = config_value(settings_, "ca_bundle");
            source = "ca_bundle in profile '" + settings_.profile + "' of " + settings_.config_file;
        }
        if (!v) return {};
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*v, ec))
            throw InputError(source + " names '" + *v + "', which is not a file: give a PEM file of CA certificates");
        return *v;
    }

    const ClientOptions& client_options(const std::string& region) {
        auto it = per_region_.find(region);
        if (it != per_region_.end()) return it->second;
        ClientOptions o;
        o.region = region;
        std::tie(o.endpoint, o.endpoint_source) = cloudformation_endpoint(region, options_.profile, options_.env);
        o.credentials = credentials_;
        o.ca_bundle = ca_bundle_;
        o.timeout = options_.timeout;
        o.max_attempts = max_attempts_;
        return per_region_.emplace(region, std::move(o)).first->second;
    }

    void work(Slot& slot) {
        std::map<std::string, std::unique_ptr<CloudFormationClient>> clients; // one per region per thread
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
                auto& client = clients[task.node->region];
                if (!client) {
                    ClientOptions o = per_region_.at(task.node->region);
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
        const std::string region = task.node->region;
        const std::string creds = "the AWS credentials from " + credentials_.source + " (access key " +
                                  masked_key_id(credentials_.access_key_id) + ")";
        const std::string said = e.code() + (e.api_message().empty() ? "" : ": " + e.api_message());
        if (rejected_codes().count(e.code()))
            return creds + " were rejected by " + per_region_.at(region).endpoint + " (" + said +
                   "); check the access key id and secret, or use another profile (--profile)";
        if (expired_codes().count(e.code()))
            return creds + " have expired (" + said + "); refresh them (log in again or renew the session) " +
                   (e.code() == "RequestExpired" ? "or check this machine's clock, " : "") + "and run again";
        if (denied_codes().count(e.code()) || e.http_status() == 403)
            return "access denied: cloudformation:" + action + " on stack " + task.display + " in " + region +
                   " for " + creds + " (" + said + "); grant cloudformation:DescribeStacks, GetTemplate and "
                   "ListStackResources (e.g. the ReadOnlyAccess policy)";
        return "cloudformation:" + action + " on stack " + task.display + " in " + region + " failed: " + e.what();
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
    Credentials credentials_;
    AwsSettings settings_;
    int max_attempts_ = 3;
    std::string ca_bundle_;
    std::map<std::string, ClientOptions> per_region_; // filled before the threads start
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Task> queue_;
    int pending_ = 0, done_ = 0, known_ = 0;
    std::atomic<std::size_t> first_failed_{kNone}; // top index of the first failing stack
    std::vector<Slot> slots_;                       // one per worker thread
    std::vector<std::pair<std::size_t, std::string>> errors_;
};

} // namespace

std::pair<std::string, std::string> service_endpoint(const std::string& host_prefix, const std::string& env_suffix,
                                                     const std::string& region, const std::string& profile,
                                                     const EnvLookup& env) {
    auto ignore = nonempty(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    const bool use_configured = !ignore || (*ignore != "true" && *ignore != "TRUE" && *ignore != "True");
    if (use_configured) {
        for (const std::string& name : {"AWS_ENDPOINT_URL_" + env_suffix, std::string("AWS_ENDPOINT_URL")})
            if (auto v = nonempty(env, name.c_str())) return {*v, name};
        const AwsSettings settings = load_settings(profile, env);
        if (auto v = config_value(settings, "endpoint_url"))
            return {*v, "endpoint_url in profile '" + settings.profile + "' of " + settings.config_file};
    }
    const std::string suffix = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
    return {"https://" + host_prefix + "." + region + suffix, "the region"};
}

std::pair<std::string, std::string> cloudformation_endpoint(const std::string& region, const std::string& profile,
                                                            const EnvLookup& env) {
    return service_endpoint("cloudformation", "CLOUDFORMATION", region, profile, env);
}

std::vector<DeployedStack> fetch_deployed_stacks(const std::vector<StackRef>& stacks, const FetchOptions& options) {
    init_http();
    const AwsSettings settings = load_settings(options.profile, options.env);
    Fetcher fetcher(options, resolve_credentials(settings, options.env));
    return fetcher.run(stacks);
}

} // namespace leafsynth::aws_api
