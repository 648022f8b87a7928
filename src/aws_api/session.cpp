#include "aws_api/session.hpp"

#include <filesystem>
#include <set>

#include "aws_api/assume_role.hpp"
#include "aws_api/credential_provider.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::aws_api {

namespace {

std::optional<std::string> nonempty(const EnvLookup& env, const char* name) {
    auto v = env(name);
    return v && !v->empty() ? v : std::nullopt;
}

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
                                                "UnauthorizedAccess", "Forbidden"};
    return codes;
}

int read_max_attempts(const SessionOptions& options, const AwsSettings& settings) {
    std::optional<std::string> v = nonempty(options.env, "AWS_MAX_ATTEMPTS");
    std::string source = "AWS_MAX_ATTEMPTS";
    if (!v) {
        v = config_value(settings, "max_attempts");
        source = "max_attempts in profile '" + settings.profile + "' of " + settings.config_file;
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

std::string read_ca_bundle(const SessionOptions& options, const AwsSettings& settings) {
    std::optional<std::string> v = nonempty(options.env, "AWS_CA_BUNDLE");
    std::string source = "AWS_CA_BUNDLE";
    if (!v) {
        v = config_value(settings, "ca_bundle");
        source = "ca_bundle in profile '" + settings.profile + "' of " + settings.config_file;
    }
    if (!v) return {};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*v, ec))
        throw InputError(source + " names '" + *v + "', which is not a file: give a PEM file of CA certificates");
    return *v;
}

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

Session::Session(SessionOptions options)
    : options_(std::move(options)),
      settings_(load_settings(options_.profile, options_.env)),
      max_attempts_(read_max_attempts(options_, settings_)),
      ca_bundle_(read_ca_bundle(options_, settings_)),
      provider_(resolve_credential_provider(settings_, options_.env,
                                            {.ca_bundle = ca_bundle_,
                                             .timeout = options_.timeout,
                                             .max_attempts = max_attempts_,
                                             .mfa_prompt = {}})) {}

Credentials Session::credentials() const { return provider_->current(); }

std::optional<Session> Session::assume(const std::string& role_arn, const std::string& region,
                                       const std::string& session_name, std::string* why_not) const {
    ClientOptions sts = client_options(kSts, region, "role " + role_arn);
    sts.service = "sts";
    sts.api_version = "2011-06-15";
    AssumeRoleRequest request;
    request.role_arn = role_arn;
    request.session_name = session_name.empty() ? default_session_name() : session_name;
    Credentials first;
    try {
        first = assume_role(sts, request);
    } catch (const ApiError& e) {
        // Not about the role: these credentials rejected or expired, or STS busy or failing
        // (after the client's retries): one error, not a silent switch of credentials.
        if (rejected_codes().count(e.code()) || expired_codes().count(e.code()) || e.http_status() >= 500 ||
            is_retryable_code(e.code()))
            throw InputError(failure_message("sts:AssumeRole", "role " + role_arn, sts.endpoint, e,
                                             "sts:AssumeRole on the role"));
        if (why_not) *why_not = e.what(); // already redacted: e.g. "HTTP 403 AccessDenied: User: ... is not authorized ..."
        return std::nullopt;
    } catch (const TransportError& e) {
        throw InputError("sts:AssumeRole of role " + role_arn + " at " + sts.endpoint + ": " + e.what());
    }
    // Fetched again, with this session's (themselves refreshed) credentials, before they expire.
    CredentialProvider::Fetch fetch = [sts, request] {
        try {
            return assume_role(sts, request);
        } catch (const Error& e) {
            throw InputError("cannot renew the credentials of role " + request.role_arn + " (sts:AssumeRole at " +
                             sts.endpoint + "): " + e.what());
        }
    };
    Session assumed = *this;
    assumed.provider_ = std::make_shared<CredentialProvider>(std::move(first), std::move(fetch));
    return assumed;
}

ClientOptions Session::client_options(const Service& service, const std::string& region, const std::string& what) const {
    ClientOptions o;
    o.region = region;
    std::tie(o.endpoint, o.endpoint_source) =
        service_endpoint(service.host_prefix, service.env_suffix, region, options_.profile, options_.env);
    if (o.endpoint_source == "the region" && !is_known_region(region))
        throw InputError("unknown region '" + region + "' (" + what + "): not an AWS region; check --region and the "
                         "config's regions, or set AWS_ENDPOINT_URL_" + service.env_suffix +
                         " for a region newer than this leafsynth");
    o.credentials = provider_->peek();
    o.provider = provider_;
    o.ca_bundle = ca_bundle_;
    o.timeout = options_.timeout;
    o.max_attempts = max_attempts_;
    return o;
}

std::string Session::failure_message(const std::string& action, const std::string& what, const std::string& endpoint,
                                     const ApiError& e, const std::string& grant) const {
    const Credentials current = provider_->peek();
    const std::string creds = "the AWS credentials from " + current.source + " (access key " +
                              masked_key_id(current.access_key_id) + ")";
    const std::string said = e.code() + (e.api_message().empty() ? "" : ": " + e.api_message());
    if (rejected_codes().count(e.code()))
        return creds + " were rejected by " + endpoint + " (" + said +
               "); check the access key id and secret, or use another profile (--profile)";
    if (expired_codes().count(e.code()))
        return creds + " have expired (" + said + "); refresh them (log in again or renew the session) " +
               (e.code() == "RequestExpired" ? "or check this machine's clock, " : "") + "and run again";
    if (denied_codes().count(e.code()) || e.http_status() == 403)
        return "access denied: " + action + " on " + what + " for " + creds + " (" + said + "); grant " + grant;
    return action + " on " + what + " failed: " + e.what();
}

} // namespace leafsynth::aws_api
