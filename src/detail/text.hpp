#pragma once
// Internal: small text helpers shared by the synthesizer.

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace leafsynth::detail {

/// ASCII classes, independent of the locale (std::isalpha and friends depend on it).
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_letter(char c) { return is_lower(c) || is_upper(c); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alnum(char c) { return is_letter(c) || is_digit(c); }

/// True when `s` is `min`..`max` characters long and every character satisfies `ok`. Plain loops
/// instead of std::regex: libstdc++'s regex recurses once per character and overflows the stack on
/// long input.
template <class Pred>
bool all_of_length(std::string_view s, std::size_t min, std::size_t max, Pred ok) {
    if (s.size() < min || s.size() > max) return false;
    for (char c : s)
        if (!ok(c)) return false;
    return true;
}

/// `s` with every character that is not an ASCII letter or digit removed (the logical-id alphabet).
inline std::string alphanumeric(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
    return out;
}

} // namespace leafsynth::detail
