#pragma once
// Internal: small text helpers shared by the synthesizer.

#include <cctype>
#include <string>

namespace leafsynth::detail {

/// `s` with every character that is not an ASCII letter or digit removed (the logical-id alphabet).
inline std::string alphanumeric(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
    return out;
}

} // namespace leafsynth::detail
