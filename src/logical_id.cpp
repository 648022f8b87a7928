#include "leafsynth/logical_id.hpp"

#include "detail/text.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace {
constexpr std::size_t kHashLen = 8;
constexpr std::size_t kMaxHumanLen = 240;
constexpr std::size_t kMaxIdLen = 255;

std::string digest_hex(const EVP_MD* md, const std::string& data, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
        throw Error("OpenSSL digest failed");
    static const char* lower_digits = "0123456789abcdef";
    static const char* upper_digits = "0123456789ABCDEF";
    const char* digits = upper ? upper_digits : lower_digits;
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex.push_back(digits[out[i] >> 4]);
        hex.push_back(digits[out[i] & 0xF]);
    }
    return hex;
}


bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

std::string md5_hex(const std::string& data) { return digest_hex(EVP_md5(), data, true); }
std::string sha256_hex(const std::string& data) { return digest_hex(EVP_sha256(), data, false); }

std::string make_unique_id(const std::vector<std::string>& input) {
    std::vector<std::string> components;
    for (const auto& c : input)
        if (c != "Default") components.push_back(c);
    if (components.empty()) throw ConstructError("cannot compute a logical id for an empty path");

    // A top-level element keeps its id as is, so hand-written templates migrate unchanged.
    if (components.size() == 1) {
        std::string top = detail::alphanumeric(components[0]);
        if (top.size() <= kMaxIdLen) return top;
    }

    std::string joined;
    for (std::size_t i = 0; i < components.size(); ++i) {
        if (i) joined += '/';
        joined += components[i];
    }
    std::string hash = md5_hex(joined).substr(0, kHashLen);

    // Drop a component when the previous kept one already ends with it (e.g. `Bucket/Bucket`).
    std::vector<std::string> deduped;
    for (const auto& c : components)
        if (deduped.empty() || !ends_with(deduped.back(), c)) deduped.push_back(c);

    std::string human;
    for (const auto& c : deduped)
        if (c != "Resource") human += detail::alphanumeric(c);
    if (human.size() > kMaxHumanLen) human.resize(kMaxHumanLen);
    return human + hash;
}

} // namespace leafsynth
