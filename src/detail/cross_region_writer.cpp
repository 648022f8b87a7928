#include "detail/cross_region_writer.hpp"

#include "detail/text.hpp"

#include <cctype>

#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/stack.hpp"
#include "detail/embedded_cross_region_writer.hpp"

namespace leafsynth::detail {

const std::string& cross_region_writer_code() {
    static const std::string code(kCrossRegionWriterSource);
    return code;
}

void CrossRegionWriters::update_policy(Writer& w, const Stack& producer) {
    // Only this producer's parameters (/leafsynth/<consumer>/<producer>/...), only in the consumer
    // regions. One wildcard per region rather than one ARN per consumer stack: an inline policy may
    // hold 10,240 characters, which a list of ARNs outgrows at about 90 consumers.
    List resources;
    for (const auto& [region, _] : w.resources)
        resources.push_back(Fn::sub("arn:${AWS::Partition}:ssm:" + region + ":${AWS::AccountId}:parameter/leafsynth/*/" +
                                    producer.stack_name() + "/*"));
    w.role_policy->set_property(
        "PolicyDocument",
        Map{{"Version", "2012-10-17"},
            {"Statement", List{Map{{"Effect", "Allow"},
                                   {"Action", List{"ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:PutParameter"}},
                                   {"Resource", resources}},
                               // Before deleting, the writer reads which resource wrote each
                               // parameter (its Description); DescribeParameters has no resource scope.
                               Map{{"Effect", "Allow"}, {"Action", "ssm:DescribeParameters"}, {"Resource", "*"}}}}});
}

void CrossRegionWriters::write(Stack& producer, const Stack& consumer, const std::string& name, const Value& value) {
    Writer& w = writers_[&producer];
    if (!w.scope) {
        Construct& scope = make<Construct>(producer, "LeafsynthCrossRegionWriter");
        w.scope = &scope;
        auto& role = make<CfnResource>(
            scope, "Role", "AWS::IAM::Role",
            Map{{"AssumeRolePolicyDocument",
                 Map{{"Version", "2012-10-17"},
                     {"Statement", List{Map{{"Effect", "Allow"},
                                            {"Principal", Map{{"Service", "lambda.amazonaws.com"}}},
                                            {"Action", "sts:AssumeRole"}}}}}},
                {"ManagedPolicyArns",
                 List{Fn::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}}});
        w.role_policy = &make<CfnResource>(scope, "Policy", "AWS::IAM::Policy",
                                           Map{{"PolicyName", "LeafsynthCrossRegionWriter"},
                                               {"Roles", List{role.ref()}}});
        w.function = &make<CfnResource>(
            scope, "Function", "AWS::Lambda::Function",
            Map{{"Description", "leafsynth: writes values for stacks in other regions to SSM parameters"},
                {"Runtime", "python3.12"},
                {"Handler", "index.handler"},
                {"Timeout", 60},
                {"Role", role.get_att("Arn")},
                {"Code", Map{{"ZipFile", cross_region_writer_code()}}}});
    }
    // One custom resource per consumer region, listing the parameters of all its consumer stacks
    // (as AWS CDK's ExportsWriter does): the producer's template grows by one resource per region,
    // not per consumer stack, so a thousand consumers stay within the 500-resource limit.
    const std::string& region = consumer.environment().region;
    Map& params = w.parameters[region];
    params[name] = value;
    CfnResource*& resource = w.resources[region];
    if (!resource) {
        resource = &make<CfnResource>(*w.scope, "Parameters-" + region, "Custom::LeafsynthCrossRegionParameters");
        resource->set_property("ServiceToken", w.function->get_att("Arn"));
        resource->set_property("Region", region);
        // The function may only write once its permissions exist.
        resource->add_depends_on(*w.role_policy);
        resource->apply_removal_policy(RemovalPolicy::Destroy);
        update_policy(w, producer);
    }
    // The parameter list is set once, by finish(): set on every write, a region with thousands of
    // parameters would copy the whole list thousands of times.
    if (finished_) resource->set_property("Parameters", params);
}

void CrossRegionWriters::finish() {
    for (auto& [producer, w] : writers_)
        for (auto& [region, resource] : w.resources) resource->set_property("Parameters", w.parameters[region]);
    finished_ = true;
}

} // namespace leafsynth::detail
