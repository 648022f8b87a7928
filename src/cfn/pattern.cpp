#include "cfn/pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace leafsynth::cfn::detail {

namespace {

struct CodeFree {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
using Code = std::unique_ptr<pcre2_code, CodeFree>;

struct DataFree {
    void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};

Code compile(std::string_view pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    // UTF: patterns and strings are Unicode; ALT_BSUX: `\uXXXX` as in JavaScript; MATCH_INVALID_UTF:
    // a string that is not valid UTF-8 is matched, not refused
    return Code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr));
}

/// The compiled pattern (null when it does not compile), compiled on first use.
const pcre2_code* compiled(std::string_view pattern) {
    static std::mutex mutex;
    static std::map<std::string, Code, std::less<>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(pattern);
    if (it == cache.end()) it = cache.emplace(std::string(pattern), compile(pattern)).first;
    return it->second.get();
}

} // namespace

std::optional<bool> pattern_matches(std::string_view pattern, std::string_view text) {
    const pcre2_code* code = compiled(pattern);
    if (!code) return std::nullopt;
    std::unique_ptr<pcre2_match_data, DataFree> data(pcre2_match_data_create_from_pattern(code, nullptr));
    if (!data) return std::nullopt;
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data.get(), nullptr);
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    return std::nullopt;
}

bool pattern_compiles(std::string_view pattern) { return compile(pattern) != nullptr; }

} // namespace leafsynth::cfn::detail
