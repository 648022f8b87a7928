#include "leafsynth/aws/lambda.hpp"

#include "leafsynth/stack.hpp"

namespace leafsynth::aws::lambda {

Function::Function(Construct& scope, std::string id, FunctionProps props) : Construct(scope, std::move(id)) {
    role_ = props.role;
    if (!role_) {
        role_ = &make<iam::Role>(*this, "ServiceRole",
                                 iam::RoleProps{"lambda.amazonaws.com", {}, {"service-role/AWSLambdaBasicExecutionRole"}});
    }
    AssetLocation code = Stack::of(*this).add_directory_asset(props.code_dir, path() + "/Code");
    Map properties{{"Code", Map{{"S3Bucket", code.bucket_name}, {"S3Key", code.object_key}}},
                   {"Handler", props.handler},
                   {"Role", role_->arn()},
                   {"Runtime", props.runtime}};
    if (props.timeout_seconds) properties["Timeout"] = *props.timeout_seconds;
    if (!props.description.empty()) properties["Description"] = props.description;
    if (!props.environment.empty()) properties["Environment"] = Map{{"Variables", props.environment}};
    if (!props.function_name.is_null()) properties["FunctionName"] = props.function_name;
    if (props.log_group) {
        properties["LoggingConfig"] = Map{{"LogGroup", props.log_group->name()}};
        props.log_group->grant_write(*role_);
    }
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::Lambda::Function", std::move(properties));
}

void Function::prepare() {
    // Run only once the role's permissions exist (grants may come after the function is made).
    CfnResource* policy = role_->default_policy();
    if (policy && &policy->stack() == &resource_->stack()) resource_->add_depends_on(*policy);
}

CfnResource& Function::add_permission(Construct& scope, const std::string& id, const std::string& principal,
                                      Value source_arn) {
    return make<CfnResource>(scope, id, "AWS::Lambda::Permission",
                             Map{{"Action", "lambda:InvokeFunction"},
                                 {"FunctionName", arn()},
                                 {"Principal", principal},
                                 {"SourceArn", std::move(source_arn)}});
}

} // namespace leafsynth::aws::lambda
