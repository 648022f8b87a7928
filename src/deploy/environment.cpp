#include "deploy/environment.hpp"

#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

std::string env_name(const std::string& account, const std::string& region) { return "aws://" + account + "/" + region; }

std::string caller_account(const aws_api::Session& session, const std::string& region) {
    aws_api::ClientOptions o = session.client_options(aws_api::kSts, region, "the credentials' account");
    o.service = "sts";
    o.api_version = "2011-06-15";
    aws_api::QueryClient sts(std::move(o));
    try {
        const auto doc = sts.call("GetCallerIdentity", {});
        return aws_api::xml_text(doc, "Account");
    } catch (const aws_api::ApiError& e) {
        throw InputError(session.failure_message("sts:GetCallerIdentity", "the credentials",
                                                 sts.options().endpoint, e, "sts:GetCallerIdentity (always allowed)"));
    } catch (const aws_api::TransportError& e) {
        throw InputError(std::string("sts:GetCallerIdentity at ") + sts.options().endpoint + ": " + e.what());
    }
}

std::string stack_region(const StackArtifactManifest& stack, const std::string& default_region) {
    const std::string region = stack.region.empty() ? default_region : stack.region;
    if (region.empty())
        throw InputError("stack " + stack.stack_name +
                         " has no region (an environment-agnostic stack): give --region or set AWS_REGION");
    return region;
}

void check_account(const StackArtifactManifest& stack, const std::string& account, const aws_api::Session& session) {
    if (!stack.account.empty() && stack.account != account)
        throw InputError("stack " + stack.stack_name + " is for account " + stack.account + ", but the credentials (" +
                         session.credentials().source + ") are for account " + account +
                         "; use credentials of that account (--profile), or synthesize for this one (--account)");
}

std::optional<int> bootstrap_version(aws_api::CloudFormationClient& cf) {
    const auto stack = cf.describe_stack(std::string(bootstrap::kToolkitStackName));
    if (!stack || stack->status == "REVIEW_IN_PROGRESS" || stack->status == "ROLLBACK_COMPLETE") return std::nullopt;
    for (const auto& o : stack->outputs)
        if (o.key == "BootstrapVersion") {
            try {
                return std::stoi(o.value);
            } catch (const std::exception&) {
                return 0;
            }
        }
    return 0;
}

} // namespace leafsynth::deploy
