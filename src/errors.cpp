#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace {
std::string join_messages(const std::vector<std::string>& messages) {
    std::string out = std::to_string(messages.size()) + (messages.size() == 1 ? " problem" : " problems") +
                      " found:";
    for (const auto& m : messages) out += "\n  " + m;
    return out;
}
} // namespace

std::string quote_excerpt(std::string_view text, std::size_t max_chars) {
    std::string out = "'";
    std::size_t chars = 0, i = 0;
    auto hex = [&](unsigned char b) {
        static const char* digits = "0123456789abcdef";
        out += "\\x";
        out += digits[b >> 4];
        out += digits[b & 15];
    };
    while (i < text.size() && chars < max_chars) {
        const auto b = static_cast<unsigned char>(text[i]);
        // The length of a valid UTF-8 sequence starting here (0: not valid).
        std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (n > 1) {
            if (i + n > text.size()) n = 0;
            for (std::size_t k = 1; k < n; ++k)
                if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) n = 0;
            if (n == 2 && b < 0xc2) n = 0; // overlong
        }
        if (n == 0) {
            hex(b);
            ++i;
        } else if (n == 1 && (b < 0x20 || b == 0x7f)) {
            if (b == '\n') out += "\\n";
            else if (b == '\t') out += "\\t";
            else if (b == '\r') out += "\\r";
            else hex(b);
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
        ++chars;
    }
    out += "'";
    if (i < text.size()) {
        out.insert(out.size() - 1, "\u2026");
        out += " (" + std::to_string(text.size()) + " bytes)";
    }
    return out;
}

ValidationError::ValidationError(std::vector<std::string> messages)
    : Error(join_messages(messages)), messages_(std::move(messages)) {}

} // namespace leafsynth
