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

namespace {
/// The first `max_chars` characters of `text`, escaped onto one line; `cut` tells whether more followed.
std::string escaped_prefix(std::string_view text, std::size_t max_chars, bool& cut) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    auto hex = [&](unsigned char b) {
        out += "\\x";
        out += digits[b >> 4];
        out += digits[b & 15];
    };
    std::size_t chars = 0, i = 0;
    for (; i < text.size() && chars < max_chars; ++chars) {
        const auto b = static_cast<unsigned char>(text[i]);
        // The length of a valid UTF-8 sequence starting here (0: not valid).
        std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (n > 1) {
            if (i + n > text.size() || (n == 2 && b < 0xc2)) n = 0;
            for (std::size_t k = 1; n && k < n; ++k)
                if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) n = 0;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        if (n == 0) hex(b);
        else if (b == '\n') out += "\\n";
        else if (b == '\r') out += "\\r";
        else if (b == '\t') out += "\\t";
        else if (b == '\\') out += "\\\\";
        else if (b < 0x20 || b == 0x7f) hex(b);
        else out += static_cast<char>(b);
        ++i;
    }
    cut = i < text.size();
    return out;
}
} // namespace

std::string one_line_excerpt(std::string_view text, std::size_t max_chars) {
    bool cut = false;
    std::string out = escaped_prefix(text, max_chars, cut);
    if (cut) out += "... (" + std::to_string(text.size()) + " bytes in all)";
    return out;
}

std::string quote_excerpt(std::string_view text, std::size_t max_chars) {
    bool cut = false;
    std::string out = "'" + escaped_prefix(text, max_chars, cut) + (cut ? "...'" : "'");
    if (cut) out += " (" + std::to_string(text.size()) + " bytes in all)";
    return out;
}

ValidationError::ValidationError(std::vector<std::string> messages)
    : Error(join_messages(messages)), messages_(std::move(messages)) {}

} // namespace leafsynth
