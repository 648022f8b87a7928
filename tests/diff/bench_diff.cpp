// Benchmark: diffing two 500-resource templates (built on demand: `make leafsynth_diff_bench`;
// never run as a test). Prints the median time of parse + compare + render over several runs.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "leafsynth/diff.hpp"

namespace {

using nlohmann::json;

/// A template with `n` resources of the kinds ContainerManager uses; `variant` changes about one
/// resource in ten (instance types, ports, paths, policy statements).
json make_template(int n, int variant) {
    json resources = json::object();
    for (int i = 0; i < n; ++i) {
        const std::string id = "Resource" + std::to_string(i);
        const bool changed = variant != 0 && i % 10 == 3;
        switch (i % 5) {
        case 0:
            resources[id] = {{"Type", "AWS::EC2::SecurityGroup"},
                             {"Properties",
                              {{"GroupDescription", "group " + std::to_string(i)},
                               {"VpcId", {{"Ref", "Vpc"}}},
                               {"SecurityGroupIngress",
                                json::array({{{"IpProtocol", "tcp"}, {"FromPort", changed ? 2000 + i : 1000 + i},
                                              {"ToPort", changed ? 2000 + i : 1000 + i}, {"CidrIp", "0.0.0.0/0"}}})}}}};
            break;
        case 1:
            resources[id] = {{"Type", "AWS::IAM::Role"},
                             {"Properties",
                              {{"AssumeRolePolicyDocument",
                                {{"Version", "2012-10-17"},
                                 {"Statement", json::array({{{"Effect", "Allow"}, {"Action", "sts:AssumeRole"},
                                                             {"Principal", {{"Service", "ecs-tasks.amazonaws.com"}}}}})}}},
                               {"Policies",
                                json::array({{{"PolicyName", "p"},
                                              {"PolicyDocument",
                                               {{"Version", "2012-10-17"},
                                                {"Statement", json::array({{{"Effect", "Allow"},
                                                                            {"Action", changed ? json("s3:*") : json("s3:GetObject")},
                                                                            {"Resource", {{"Fn::GetAtt", {"Bucket", "Arn"}}}}}})}}}}})}}}};
            break;
        case 2:
            resources[id] = {{"Type", "AWS::EC2::LaunchTemplate"},
                             {"Properties",
                              {{"LaunchTemplateData",
                                {{"InstanceType", changed ? "m5.xlarge" : "m5.large"}, {"ImageId", {{"Ref", "Ami"}}}}}}}};
            break;
        case 3:
            resources[id] = {{"Type", "AWS::EFS::AccessPoint"},
                             {"Properties",
                              {{"FileSystemId", {{"Ref", "Fs"}}},
                               {"RootDirectory", {{"Path", changed ? "/data2" : "/data"}}}}}};
            break;
        default:
            resources[id] = {{"Type", "AWS::ECS::TaskDefinition"},
                             {"Properties",
                              {{"Family", "f" + std::to_string(i)},
                               {"ContainerDefinitions",
                                json::array({{{"Name", "c"}, {"Image", "img"},
                                              {"PortMappings", json::array({{{"ContainerPort", changed ? 81 : 80}}})}}})}}}};
        }
    }
    return {{"AWSTemplateFormatVersion", "2010-09-09"}, {"Resources", resources}};
}

} // namespace

int main() {
    const std::string old_text = make_template(500, 0).dump(1);
    const std::string new_text = make_template(500, 1).dump(1);
    std::vector<double> times;
    std::size_t changed = 0, output = 0;
    for (int run = 0; run < 9; ++run) {
        const auto start = std::chrono::steady_clock::now();
        const json a = leafsynth::parse_template(old_text, "old");
        const json b = leafsynth::parse_template(new_text, "new");
        const leafsynth::TemplateDiff d = leafsynth::diff_templates(a, b);
        leafsynth::AssemblyDiff assembly;
        assembly.stacks.push_back({});
        assembly.stacks.back().name = "Bench";
        assembly.stacks.back().status = leafsynth::StackStatus::Modified;
        assembly.stacks.back().diff = d;
        output = leafsynth::render_diff(assembly).size();
        const auto end = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
        changed = d.resources.size();
    }
    std::sort(times.begin(), times.end());
    std::printf("diff of two 500-resource templates (%zu resources changed, %zu bytes of report): median %.1f ms, "
                "min %.1f ms over %zu runs\n",
                changed, output, times[times.size() / 2], times.front(), times.size());
    return 0;
}
