#include "leafsynth/bootstrap_contract.hpp"

namespace leafsynth::bootstrap {

namespace {
std::string named(std::string_view what, std::string_view account, std::string_view region) {
    std::string out = "cdk-";
    out.append(kQualifier).append("-").append(what).append("-").append(account).append("-").append(region);
    return out;
}
} // namespace

std::string assets_bucket_name(std::string_view account, std::string_view region) {
    return named("assets", account, region);
}

std::string container_assets_repository_name(std::string_view account, std::string_view region) {
    return named("container-assets", account, region);
}

std::string role_name(std::string_view role, std::string_view account, std::string_view region) {
    return named(std::string(role) + "-role", account, region);
}

std::string role_arn(std::string_view role, std::string_view account, std::string_view region) {
    return "arn:${AWS::Partition}:iam::" + std::string(account) + ":role/" + role_name(role, account, region);
}

} // namespace leafsynth::bootstrap
