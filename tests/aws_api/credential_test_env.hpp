#pragma once
// Helpers of the credential tests (test_assume_role.cpp, test_sso.cpp): a fake environment,
// scratch HOME folders with .aws/, files, the message of an InputError, ISO 8601 times, and the
// answers STS gives.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

namespace {

/// A fake environment: only the variables given exist.
[[maybe_unused]] leafsynth::EnvLookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

/// An empty folder (with .aws/) for one test.
[[maybe_unused]] std::filesystem::path scratch_home(const std::string& name) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("leafsynth-creds-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / ".aws");
    return dir;
}

[[maybe_unused]] void write_file(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

/// The message of the InputError `f` throws (a test failure when it throws none).
[[maybe_unused]] std::string input_error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const leafsynth::InputError& e) {
        return e.what();
    }
    FAIL("no InputError was thrown");
    return {};
}

/// An ISO 8601 UTC time `seconds` from now.
[[maybe_unused]] std::string iso_from_now(long seconds) {
    const std::time_t t = std::time(nullptr) + seconds;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

/// STS's answer to `action` (AssumeRole, AssumeRoleWithWebIdentity) with these credentials,
/// expiring `seconds` from now.
[[maybe_unused]] std::string sts_answer(const std::string& action, const std::string& key, const std::string& secret,
                                        const std::string& token, long seconds = 3600) {
    return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
           "Result><Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>" + secret +
           "</SecretAccessKey><SessionToken>" + token + "</SessionToken><Expiration>" + iso_from_now(seconds) +
           "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
           "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></" + action + "Result><ResponseMetadata>"
           "<RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";
}

/// The access key id a request was signed with (`Credential=KEY/...` of its Authorization header).
[[maybe_unused]] std::string signed_key(const std::string& head) {
    const auto at = head.find("Credential=");
    if (at == std::string::npos) return {};
    return head.substr(at + 11, head.find('/', at) - at - 11);
}

} // namespace
