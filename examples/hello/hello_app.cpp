#include "hello_app.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
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

void check_keys(const std::string& file, const YAML::Node& map, const std::string& prefix,
                const std::set<std::string>& known, std::vector<std::string>& errors) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        std::string k = it->first.Scalar();
        if (!known.count(k)) {
            std::string list;
            for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
            errors.push_back(where(file, it->first.Mark(), prefix + k) + ": unknown key; expected one of " + list);
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
    if (auto n = root["StackName"]) c.stack_name = n.Scalar();
    if (auto n = root["Description"]) c.description = n.Scalar();
    if (auto n = root["Region"]) c.region = n.Scalar();
    if (auto n = root["Tags"]) {
        if (!n.IsMap()) errors.push_back(where(path, n.Mark(), "Tags") + ": expected a map of tag keys to values");
        else
            for (auto it = n.begin(); it != n.end(); ++it) c.tags[it->first.Scalar()] = it->second.Scalar();
    }
    if (auto q = root["Queue"]) {
        check_keys(path, q, "Queue.", {"RetentionDays", "VisibilityTimeoutSeconds"}, errors);
        if (auto n = q["RetentionDays"]) c.retention_days = read_int(path, n, "Queue.RetentionDays", 1, 14, errors);
        if (auto n = q["VisibilityTimeoutSeconds"])
            c.visibility_timeout_seconds = read_int(path, n, "Queue.VisibilityTimeoutSeconds", 0, 43200, errors);
    }
    if (auto t = root["Topic"]) {
        check_keys(path, t, "Topic.", {"DisplayName"}, errors);
        if (auto n = t["DisplayName"]) c.topic_display_name = n.Scalar();
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
