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
    // Only the parameters below /leafsynth/<consumer>/<producer>/ in each consumer's region.
    List resources;
    for (const auto& [consumer, region] : w.regions)
        resources.push_back(Fn::sub("arn:${AWS::Partition}:ssm:" + region + ":${AWS::AccountId}:parameter/leafsynth/" +
                                    consumer + "/" + producer.stack_name() + "/*"));
    w.role_policy->set_property(
        "PolicyDocument",
        Map{{"Version", "2012-10-17"},
            {"Statement", List{Map{{"Effect", "Allow"},
                                   {"Action", List{"ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:PutParameter"}},
                                   {"Resource", resources}}}}});
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
    const std::string& cname = consumer.stack_name();
    Map& params = w.parameters[cname];
    params[name] = value;
    w.regions[cname] = consumer.environment().region;
    CfnResource*& resource = w.resources[cname];
    if (!resource) {
        resource = &make<CfnResource>(*w.scope, alphanumeric(cname), "Custom::LeafsynthCrossRegionParameters");
        resource->set_property("ServiceToken", w.function->get_att("Arn"));
        resource->set_property("Region", consumer.environment().region);
        // The function may only write once its permissions exist.
        resource->add_depends_on(*w.role_policy);
        resource->apply_removal_policy(RemovalPolicy::Destroy);
    }
    resource->set_property("Parameters", params);
    update_policy(w, producer);
}

} // namespace leafsynth::detail
