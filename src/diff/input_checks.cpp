// Reading what `leafsynth diff` is given as untrusted input: files of bounded size that are
// regular files, UTF-8 text, JSON of bounded nesting, and error messages that point at the
// place (file:line:column) and stay on one line however long or odd the value they mention.

#include <algorithm>
#include <fstream>
#include <sstream>

#include "diff/diff_internal.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::detail {

namespace fs = std::filesystem;

namespace {

/// The length of the UTF-8 sequence starting at `i` (1 to 4), or 0 when it is not valid UTF-8
/// (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b = byte(i);
    if (b < 0x80) return 1;
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    else if (b == 0xE0) n = 3, lo = 0xA0;
    else if (b == 0xED) n = 3, hi = 0x9F; // no UTF-16 surrogates
    else if (b >= 0xE1 && b <= 0xEF) n = 3;
    else if (b == 0xF0) n = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) n = 4;
    else if (b == 0xF4) n = 4, hi = 0x8F; // at most U+10FFFF
    else return 0;
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

std::string hex_byte(unsigned char b) {
    static const char* digits = "0123456789ABCDEF";
    return std::string{digits[b >> 4], digits[b & 0xF]};
}

std::string megabytes(std::uintmax_t bytes) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MB";
    return out.str();
}

} // namespace

bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

TextPosition position_at(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    TextPosition p{1, 1};
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

std::string one_line(std::string_view s, std::size_t max_chars) { return one_line_excerpt(s, max_chars); }

std::string key_path(const std::vector<std::string>& keys) {
    constexpr std::size_t kEnds = 5; // a long path keeps this many keys at each end
    std::string out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys.size() > 2 * kEnds + 1 && i >= kEnds && i + kEnds < keys.size()) {
            if (i == kEnds) out += ".(" + std::to_string(keys.size() - 2 * kEnds) + " more)";
            continue;
        }
        const bool index = !keys[i].empty() && keys[i].front() == '[';
        out += (out.empty() || index ? "" : ".") + (index ? keys[i] : one_line(keys[i], 60));
    }
    return out;
}

std::string located(const std::string& origin, TextPosition where, const std::string& path) {
    std::string out = one_line(origin, 4096);
    if (where.known()) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
    if (!path.empty()) out += ": " + path;
    return out;
}

void throw_input(const std::string& origin, TextPosition where, const std::string& path, const std::string& message) {
    throw InputError(located(origin, where, path) + ": " + message);
}

void check_text(std::string_view text, const std::string& origin) {
    auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
    if (starts("\xFF\xFE") || starts("\xFE\xFF") || starts(std::string_view("\0\0\xFE\xFF", 4)))
        throw_input(origin, {1, 1}, "",
                    "the file is UTF-16 or UTF-32 text; save it as UTF-8 (CloudFormation reads templates as UTF-8)");
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const std::size_t n = utf8_sequence(text, i);
        if (n == 0)
            throw_input(origin, position_at(text, i), "",
                        "not UTF-8 text: byte 0x" + hex_byte(c) +
                            " (binary data, or text in another encoding: save it as UTF-8)");
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            throw_input(origin, position_at(text, i), "",
                        "control character U+00" + hex_byte(c) +
                            " (binary data?): JSON and YAML templates cannot contain it; write it as an escape "
                            "in a quoted string");
        i += n;
    }
}

std::size_t json_too_deep_at(std::string_view text) {
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxNestingDepth) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

namespace {

/// The text of a JSON string token (with its quotes), decoded; the raw text when it does not decode.
std::string decode_json_string(std::string_view token) {
    if (token.size() >= 2 && token.find('\\') == std::string_view::npos) return std::string(token.substr(1, token.size() - 2));
    try {
        const json s = json::parse(token);
        if (s.is_string()) return s.get<std::string>();
    } catch (const json::exception&) {
    }
    return std::string(token);
}

/// Calls `on_key(offset, keys, first_offset)` for every object key of well-formed JSON text, with
/// the keys leading to it (`keys`, the key itself last; empty strings stand for list items) and
/// the offset of the same key earlier in the same object (or npos). Stops when it returns false.
template <typename OnKey>
void walk_json_keys(std::string_view text, OnKey on_key) {
    struct Frame {
        bool object = false;
        bool expect_key = false;
        std::map<std::string, std::size_t> seen;
    };
    std::vector<Frame> stack;
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            const std::size_t start = i;
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
            if (stack.empty() || !stack.back().object || !stack.back().expect_key) continue;
            Frame& f = stack.back();
            f.expect_key = false;
            keys.back() = decode_json_string(text.substr(start, std::min(i, text.size() - 1) - start + 1));
            auto [it, inserted] = f.seen.emplace(keys.back(), start);
            if (!on_key(start, keys, inserted ? std::string_view::npos : it->second)) return;
        } else if (c == '{' || c == '[') {
            stack.push_back({c == '{', c == '{', {}});
            keys.emplace_back();
        } else if (c == '}' || c == ']') {
            if (stack.empty()) continue;
            stack.pop_back();
            keys.pop_back();
        } else if (c == ',' && !stack.empty() && stack.back().object) {
            stack.back().expect_key = true;
        }
    }
}

} // namespace

std::size_t json_key_offset(std::string_view text, const std::vector<std::string>& path) {
    std::size_t found = std::string_view::npos;
    walk_json_keys(text, [&](std::size_t offset, const std::vector<std::string>& keys, std::size_t) {
        if (keys != path) return true;
        found = offset;
        return false;
    });
    return found;
}

KeyLocator json_key_locator(std::string_view text) {
    return [text](const std::vector<std::string>& path) {
        const std::size_t at = json_key_offset(text, path);
        return at == std::string_view::npos ? TextPosition{} : position_at(text, at);
    };
}

TextPosition nearest_key(const std::vector<std::string>& path, const KeyLocator& locate) {
    for (std::size_t n = path.size(); n > 0; --n)
        if (const TextPosition p = locate({path.begin(), path.begin() + static_cast<std::ptrdiff_t>(n)}); p.known())
            return p;
    return {};
}

void check_json_keys_unique(std::string_view text, const std::string& origin) {
    walk_json_keys(text, [&](std::size_t offset, const std::vector<std::string>& keys, std::size_t first) {
        if (first == std::string_view::npos) return true;
        throw_input(origin, position_at(text, offset), key_path(keys),
                    "given twice in one object (first at line " + std::to_string(position_at(text, first).line) +
                        "); only one of them would count: remove or rename one");
    });
}

namespace {

/// The offset of `token` in JSON text outside strings, or npos.
std::size_t find_outside_strings(std::string_view text, std::string_view token) {
    if (token.empty()) return std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (text.compare(i, token.size(), token) == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

} // namespace

void throw_json_error(const json::exception& e, std::string_view text, const std::string& origin) {
    // "[json.exception.parse_error.101] parse error at line 1, column 15: syntax error while ..."
    std::string what = e.what();
    if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos) what = what.substr(what.find("] ") + 2);
    if (what.rfind("parse error", 0) == 0 && what.find(": ") != std::string::npos) what = what.substr(what.find(": ") + 2);
    std::string message = "not valid JSON: " + one_line(what, 200);
    TextPosition where;
    if (const auto* pe = dynamic_cast<const json::parse_error*>(&e)) {
        where = position_at(text, pe->byte > 0 ? pe->byte - 1 : 0);
        if (pe->byte > text.size()) message += " (the file ends early: is it cut short?)";
    } else if (e.id == 406) { // "number overflow parsing '1e999'"
        const auto open = what.find('\''), close = what.rfind('\'');
        if (open != std::string::npos && close > open) {
            const std::size_t at = find_outside_strings(text, std::string_view(what).substr(open + 1, close - open - 1));
            if (at != std::string_view::npos) where = position_at(text, at);
        }
        message += " (too large for a number: write it as a string)";
    }
    throw_input(origin, where, "", message);
}

template <typename Json>
Json parse_json_checked(std::string_view text, const std::string& origin) {
    check_text(text, origin);
    if (const std::size_t deep = json_too_deep_at(text); deep != std::string_view::npos)
        throw_input(origin, position_at(text, deep), "",
                    "nested more than " + std::to_string(kMaxNestingDepth) +
                        " levels deep (no CloudFormation template or manifest is): is the file generated wrongly?");
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const json::exception& e) {
        throw_json_error(e, text, origin);
    }
    check_json_keys_unique(text, origin);
    return doc;
}

template json parse_json_checked<json>(std::string_view, const std::string&);
template nlohmann::ordered_json parse_json_checked<nlohmann::ordered_json>(std::string_view, const std::string&);

std::string read_input_file(const fs::path& path, std::uintmax_t* budget) {
    const std::string name = path.string();
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw_input(name, {}, "", "no such file");
    if (fs::is_directory(st)) throw_input(name, {}, "", "is a folder, not a file");
    if (!fs::is_regular_file(st))
        throw_input(name, {}, "", "is not a regular file (a FIFO, socket or device): give a file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > kMaxFileBytes)
        throw_input(name, {}, "",
                    megabytes(size) + " is more than leafsynth diff reads (" + megabytes(kMaxFileBytes) +
                        "; CloudFormation takes templates of at most 1 MB)");
    if (budget) {
        if (!ec && size > *budget)
            throw_input(name, {}, "",
                        "its folder holds more than " + megabytes(kMaxFolderBytes) +
                            " of templates and manifests, more than leafsynth diff reads");
        *budget -= ec ? 0 : size;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(name, {}, "", "cannot be read");
    std::string out;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        out.append(buf, static_cast<std::size_t>(in.gcount()));
        if (out.size() > kMaxFileBytes) throw_input(name, {}, "", "grew beyond " + megabytes(kMaxFileBytes) + " while read");
    }
    if (in.bad()) throw_input(name, {}, "", "cannot be read");
    return out;
}

} // namespace leafsynth::detail
