#include "hello_app.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>
#include <vector>

namespace hello {

using namespace leafsynth;

namespace {

std::string where(const std::string& file, const YAML::Mark& mark, const std::string& key) {
    return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": " + key;
}

int read_int(const std::string& file, const YAML::Node& node, const std::string& key, int lo, int hi,
             std::vector<std::string>& errors) {
    try {
        int v = node.as<int>();
        if (v < lo || v > hi)
            errors.push_back(where(file, node.Mark(), key) + ": " + std::to_string(v) + " is out of range; use " +
                             std::to_string(lo) + ".." + std::to_string(hi));
        return v;
    } catch (const YAML::Exception&) {
        errors.push_back(where(file, node.Mark(), key) + ": expected an integer, got '" + node.Scalar() + "'");
        return lo;
    }
}

// Case-insensitive edit distance, for "did you mean" suggestions.
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The known key closest to `key`, when it is close enough to be a likely typo; else "".
std::string near_miss(const std::string& key, const std::set<std::string>& known) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const auto& k : known) {
        std::size_t d = distance(key, k);
        if (d < best_d) best_d = d, best = k;
    }
    if (best.empty() && key.size() >= 4) // a truncated key: "VisibilityTimeout"
        for (const auto& k : known)
            if (distance(key, k.substr(0, key.size())) == 0) return k;
    return best;
}

// True when `node` is a map; otherwise records an error naming the key and returns false.
bool expect_map(const std::string& file, const YAML::Node& node, const std::string& key,
                const std::string& what, std::vector<std::string>& errors) {
    if (node.IsMap()) return true;
    errors.push_back(where(file, node.Mark(), key) + ": expected " + what);
    return false;
}

// The scalar's text; records an error (and returns "") when the node is a list or map.
std::string read_string(const std::string& file, const YAML::Node& node, const std::string& key,
                        std::vector<std::string>& errors) {
    if (node.IsScalar()) return node.Scalar();
    if (node.IsNull()) return "";
    errors.push_back(where(file, node.Mark(), key) + ": expected a single value, not a " +
                     (node.IsMap() ? "map" : "list"));
    return "";
}

void check_keys(const std::string& file, const YAML::Node& map, const std::string& prefix,
                const std::set<std::string>& known, std::vector<std::string>& errors) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        std::string k = it->first.Scalar();
        if (!known.count(k)) {
            std::string message = where(file, it->first.Mark(), prefix + k) + ": unknown key";
            if (std::string guess = near_miss(k, known); !guess.empty())
                message += "; did you mean '" + guess + "'?";
            std::string list;
            for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
            errors.push_back(message + " (expected one of " + list + ")");
        }
    }
}

} // namespace

HelloConfig load_config(const std::string& path) {
    if (!std::filesystem::is_regular_file(path))
        throw InputError(path + ": no such config file; pass the path of a hello config such as examples/hello/hello.yaml");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::ParserException& e) {
        throw InputError(where(path, e.mark, "") + "YAML syntax error: " + e.msg);
    }
    if (!root.IsMap()) throw InputError(path + ":1:1: the config must be a YAML map of keys such as StackName, Queue, Topic");
    std::vector<std::string> errors;
    HelloConfig c;
    check_keys(path, root, "", {"StackName", "Description", "Region", "Tags", "Queue", "Topic"}, errors);
    // The same rules Stack::validate applies, checked here so the message points into the file.
    if (auto n = root["StackName"]) {
        c.stack_name = read_string(path, n, "StackName", errors);
        if (n.IsScalar() && (c.stack_name.size() > 128 ||
                             !std::regex_match(c.stack_name, std::regex("^[A-Za-z][A-Za-z0-9-]*$"))))
            errors.push_back(where(path, n.Mark(), "StackName") + ": '" + c.stack_name +
                             "' is not a stack name; use 1..128 letters, digits and '-', starting with a letter");
    }
    if (auto n = root["Description"]) {
        c.description = read_string(path, n, "Description", errors);
        if (c.description.size() > 1024)
            errors.push_back(where(path, n.Mark(), "Description") + ": " + std::to_string(c.description.size()) +
                             " bytes is too long; CloudFormation allows at most 1024");
    }
    if (auto n = root["Region"]) {
        c.region = read_string(path, n, "Region", errors);
        if (n.IsScalar() && !std::regex_match(c.region, std::regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")))
            errors.push_back(where(path, n.Mark(), "Region") + ": '" + c.region +
                             "' is not a region name such as 'us-east-1'");
    }
    if (auto n = root["Tags"]) {
        if (expect_map(path, n, "Tags", "a map of tag keys to values", errors))
            for (auto it = n.begin(); it != n.end(); ++it)
                c.tags[it->first.Scalar()] = read_string(path, it->second, "Tags." + it->first.Scalar(), errors);
    }
    if (auto q = root["Queue"]; q && expect_map(path, q, "Queue", "a map with RetentionDays, VisibilityTimeoutSeconds", errors)) {
        check_keys(path, q, "Queue.", {"RetentionDays", "VisibilityTimeoutSeconds"}, errors);
        if (auto n = q["RetentionDays"]) c.retention_days = read_int(path, n, "Queue.RetentionDays", 1, 14, errors);
        if (auto n = q["VisibilityTimeoutSeconds"])
            c.visibility_timeout_seconds = read_int(path, n, "Queue.VisibilityTimeoutSeconds", 0, 43200, errors);
    }
    if (auto t = root["Topic"]; t && expect_map(path, t, "Topic", "a map with DisplayName", errors)) {
        check_keys(path, t, "Topic.", {"DisplayName"}, errors);
        if (auto n = t["DisplayName"]) c.topic_display_name = read_string(path, n, "Topic.DisplayName", errors);
    }
    if (!errors.empty()) {
        std::string text = errors.front();
        for (std::size_t i = 1; i < errors.size(); ++i) text += "\n" + errors[i];
        throw InputError(text);
    }
    return c;
}

Stack& build(App& app, const HelloConfig& config) {
    auto& stack = make<Stack>(app, config.stack_name,
                              StackProps{config.stack_name, config.description, Environment{{}, config.region}});

    auto& topic = make<CfnResource>(stack, "Topic", "AWS::SNS::Topic",
                                    Map{{"DisplayName", config.topic_display_name}});
    auto& queue = make<CfnResource>(stack, "Queue", "AWS::SQS::Queue",
                                    Map{{"MessageRetentionPeriod", config.retention_days * 86400},
                                        {"VisibilityTimeout", config.visibility_timeout_seconds}});
    queue.apply_removal_policy(RemovalPolicy::Destroy);

    // Only this topic may send to the queue.
    auto& policy = make<CfnResource>(
        queue, "Policy", "AWS::SQS::QueuePolicy",
        Map{{"Queues", List{queue.ref()}},
            {"PolicyDocument",
             Map{{"Version", "2012-10-17"},
                 {"Statement", List{Map{{"Effect", "Allow"},
                                        {"Principal", Map{{"Service", "sns.amazonaws.com"}}},
                                        {"Action", "sqs:SendMessage"},
                                        {"Resource", queue.get_att("Arn")},
                                        {"Condition", Map{{"ArnEquals", Map{{"aws:SourceArn", topic.ref()}}}}}}}}}}});

    auto& subscription = make<CfnResource>(stack, "Subscription", "AWS::SNS::Subscription",
                                           Map{{"TopicArn", topic.ref()},
                                               {"Protocol", "sqs"},
                                               {"Endpoint", queue.get_att("Arn")},
                                               {"RawMessageDelivery", true}});
    // The queue must accept the topic's messages before the subscription starts sending.
    subscription.add_dependency(policy);

    make<CfnOutput>(stack, "QueueUrl",
                    OutputProps{queue.ref(), "URL of the hello queue",
                                config.stack_name + "-QueueUrl", nullptr});
    make<CfnOutput>(stack, "TopicConsoleName",
                    OutputProps{Fn::join(":", List{Aws::region(), topic.get_att("TopicName")}),
                                "Region and name of the topic", {}, nullptr});

    for (const auto& [k, v] : config.tags) Tags::of(stack).add(k, v);
    return stack;
}

} // namespace hello
