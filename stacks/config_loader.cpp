// The ContainerManager config loader: YAML -> BaseConfig / LeafConfig, with `!ENV` substitution,
// defaults and validation. Every problem of a file is collected and reported together.

#include "leafsynth/containermanager/config.hpp"
#include "leafsynth/containermanager/config_spec.hpp"

#include "leafsynth/aws/ecs.hpp"
#include "detail/near_miss.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

namespace leafsynth::containermanager {

namespace {

// ------------------------------------------------------------------------------------------------
// Small string helpers (ASCII only: config keys, protocols and names are ASCII).
// ------------------------------------------------------------------------------------------------

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

/// Why an absolute path cannot be an EFS access point root directory, or "" when it can.
std::string efs_path_problem(const std::string& path) {
    if (path.size() > 100) return "is longer than 100 characters";
    int components = 0;
    std::size_t start = 1;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        if (part.empty()) return "has an empty component ('//')";
        if (part.front() == '.') return "has a component starting with '.' (" + part + ")";
        if (part.find_first_of("$#<>;`|&?{}^*") != std::string::npos)
            return "has a character EFS does not allow in " + part;
        ++components;
        start = end + 1;
    }
    if (components > 4) return "has " + std::to_string(components) + " components, more than 4";
    return {};
}

bool has_space_or_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
    });
}

/// A value as an error message shows it: quoted, on one line, cut when long (see quote_excerpt).
std::string in_quotes(std::string_view s) { return quote_excerpt(s, 120); }

// Limits: configs are small; anything far beyond these is a mistake or an attack, and reading it
// would crash (yaml-cpp's parser recurses once per nesting level) or eat memory.
constexpr std::uintmax_t kMaxConfigBytes = 1024 * 1024;        ///< The file's size.
constexpr int kMaxNesting = 64;                                ///< Levels of maps and lists.
constexpr std::size_t kMaxExpandedBytes = 16 * 1024 * 1024;    ///< Values read, aliases expanded.
constexpr std::size_t kMaxPaths = 40;                          ///< `Volumes[].Paths` entries in all.
// The other bounds (of each value and list) are the spec's (config_spec.cpp).

/// An integer key's rule as messages state it: "from 1 to 16", "0 or more", "more than 0".
std::string range_rule(const ConfigKey& k) {
    const long long min = k.minimum.value_or(0);
    if (k.maximum && *k.maximum < INT_MAX - 1) return "from " + std::to_string(min) + " to " + std::to_string(*k.maximum);
    return min == 0 ? "0 or more" : "more than " + std::to_string(min - 1);
}

/// `family.size` as EC2 writes instance types (`^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$`), at most
/// 64 characters (the longest today are about 20).
bool instance_type_form(std::string_view s) {
    const std::size_t dot = s.find('.');
    if (s.size() > 64 || dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
    auto part_ok = [](std::string_view p) {
        return std::all_of(p.begin(), p.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
    };
    const std::string_view family = s.substr(0, dot), size = s.substr(dot + 1);
    return family.front() >= 'a' && family.front() <= 'z' && part_ok(family) && size.front() != '-' && part_ok(size);
}

/// A number as a message shows it: as written, or quoted and cut when it is long.
std::string shown_number(std::string_view text) {
    return text.size() <= 40 ? std::string(text) : in_quotes(text);
}

/// Where the first byte of `text` that is not part of valid UTF-8 is (0-based line and byte column).
std::optional<std::pair<int, int>> invalid_utf8(std::string_view text) {
    int line = 0, column = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > text.size() || (n == 2 && b < 0xc2) || (n == 4 && b > 0xf4)) return std::pair{line, column};
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) return std::pair{line, column};
        if (n == 3) {
            const auto c = static_cast<unsigned char>(text[i + 1]);
            if ((b == 0xe0 && c < 0xa0) || (b == 0xed && c >= 0xa0)) return std::pair{line, column}; // overlong, surrogate
        }
        if (n == 4) {
            const auto c = static_cast<unsigned char>(text[i + 1]);
            if ((b == 0xf0 && c < 0x90) || (b == 0xf4 && c >= 0x90)) return std::pair{line, column};
        }
        if (b == '\n') {
            ++line;
            column = 0;
        } else {
            column += static_cast<int>(n);
        }
        i += n;
    }
    return std::nullopt;
}

/// Where `text` first nests maps and lists deeper than `limit` (0-based line and column), from a
/// cheap scan that runs before the YAML parser: block levels by indentation (and `- - ` written on
/// one line), flow levels by brackets outside quotes and comments. It may count a level too many,
/// never too few.
std::optional<std::pair<int, int>> too_deep(std::string_view text, int limit) {
    std::vector<int> indents; // block levels open at the start of the current line
    int flow = 0;
    char quote = 0;
    int line = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view l = text.substr(start, end - start);
        std::size_t pos = 0;
        int block = static_cast<int>(indents.size());
        if (quote == 0 && flow == 0) {
            while (pos < l.size() && l[pos] == ' ') ++pos;
            if (pos < l.size() && l[pos] != '#' && l[pos] != '\r') {
                const int indent = static_cast<int>(pos);
                while (!indents.empty() && indents.back() >= indent) indents.pop_back();
                indents.push_back(indent);
                block = static_cast<int>(indents.size());
                // Compact nested lists: `- - - x`.
                while (pos < l.size() && l[pos] == '-' && (pos + 1 == l.size() || l[pos + 1] == ' ')) {
                    ++block;
                    pos += 1;
                    while (pos < l.size() && l[pos] == ' ') ++pos;
                }
                if (block > limit) return std::pair{line, static_cast<int>(pos)};
            }
        }
        for (; pos < l.size(); ++pos) {
            const char c = l[pos];
            if (quote == '"') {
                if (c == '\\') ++pos;
                else if (c == '"') quote = 0;
                continue;
            }
            if (quote == '\'') {
                if (c == '\'' && pos + 1 < l.size() && l[pos + 1] == '\'') ++pos;
                else if (c == '\'') quote = 0;
                continue;
            }
            const bool token_start = pos == 0 || std::string_view(" \t[{,:").find(l[pos - 1]) != std::string_view::npos;
            if (c == '#' && (pos == 0 || l[pos - 1] == ' ' || l[pos - 1] == '\t')) break;
            if ((c == '"' || c == '\'') && token_start) {
                quote = c;
            } else if ((c == '[' || c == '{') && (token_start || flow > 0)) {
                if (block + ++flow > limit) return std::pair{line, static_cast<int>(pos)};
            } else if ((c == ']' || c == '}') && flow > 0) {
                --flow;
            }
        }
        ++line;
        start = end + 1;
    }
    return std::nullopt;
}

/// The first quoted value in `text` (before byte `end`) that opens on one line and closes on a
/// later one, or is never closed: its opening quote's 0-based line and column, and the line it
/// ends on. YAML allows such values, but in a config they are nearly always a missing quote.
struct QuoteSpan {
    int line = 0, column = 0, end_line = 0;
};
std::optional<QuoteSpan> runaway_quote(std::string_view text, std::size_t end) {
    int line = 0;
    std::size_t line_start = 0;
    char quote = 0;
    bool comment = false;
    QuoteSpan open;
    end = std::min(end, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            comment = false;
            continue;
        }
        if (quote != 0) {
            bool closed = false;
            if (quote == '"' && c == '\\') ++i;
            else if (quote == '"' && c == '"') closed = true;
            else if (quote == '\'' && c == '\'' && i + 1 < end && text[i + 1] == '\'') ++i;
            else if (quote == '\'' && c == '\'') closed = true;
            if (closed) {
                quote = 0;
                if (line > open.line) {
                    open.end_line = line;
                    return open;
                }
            }
            continue;
        }
        if (comment) continue;
        const bool token_start =
            i == line_start || std::string_view(" \t[{,:").find(text[i - 1]) != std::string_view::npos;
        if (c == '#' && (i == line_start || text[i - 1] == ' ' || text[i - 1] == '\t')) {
            comment = true;
        } else if ((c == '"' || c == '\'') && token_start) {
            quote = c;
            open = {line, static_cast<int>(i - line_start), line};
        }
    }
    if (quote != 0 && line > open.line) {
        open.end_line = line;
        return open;
    }
    return std::nullopt;
}

/// Where the YAML documents of a stream start, read with yaml-cpp's event parser and no tree: at
/// most `limit` of them. yaml-cpp's LoadAll cannot be used on untrusted text: on a `,` outside any
/// flow collection (`,`, `[a]\n,`, `- a\n,`, `&a ,`; found by fuzzing) its parser never consumes
/// the token and yields empty documents until memory runs out. Throws YAML::Exception on a syntax error.
class DocumentStarts final : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

std::vector<YAML::Mark> document_starts(const std::string& text, std::size_t limit) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts handler;
    while (handler.starts.size() < limit && parser.HandleNextDocument(handler)) {
    }
    return handler.starts;
}

/// An integer as YAML 1.1 (PyYAML, the original tool's reader) resolves a plain scalar: decimal,
/// `0`-prefixed octal (`010` is 8), `0x` hexadecimal, `0b` binary, `_` separators, and base 60
/// (`1:30` is 90). nullopt when it is not one; `overflow` set when it is one too large for a long long.
std::optional<long long> yaml11_int(std::string_view s, bool& overflow) {
    overflow = false;
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    auto accumulate = [&](std::string_view digits, int base, long long& value) {
        bool any = false;
        for (char c : digits) {
            if (c == '_') continue;
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (d >= base) return false;
            any = true;
            if (value > (LLONG_MAX - d) / base) overflow = true;
            else value = value * base + d;
        }
        return any || digits.empty();
    };
    long long value = 0;
    bool ok = false;
    if (s.starts_with("0b")) {
        ok = s.size() > 2 && accumulate(s.substr(2), 2, value);
    } else if (s.starts_with("0x")) {
        ok = s.size() > 2 && accumulate(s.substr(2), 16, value);
    } else if (s.find(':') != std::string_view::npos) {
        // [1-9][0-9_]*(:[0-5]?[0-9])+
        const std::size_t colon = s.find(':');
        const std::string_view head = s.substr(0, colon);
        ok = !head.empty() && head.front() >= '1' && head.front() <= '9' && accumulate(head, 10, value);
        std::string_view rest = s.substr(colon);
        while (ok && !rest.empty()) {
            rest.remove_prefix(1); // ':'
            const std::size_t next = rest.find(':');
            const std::string_view part = rest.substr(0, next);
            long long sixty = 0;
            ok = !part.empty() && part.size() <= 2 && part.find('_') == std::string_view::npos &&
                 accumulate(part, 10, sixty) && sixty < 60 && (part.size() == 1 || part.front() <= '5');
            if (value > (LLONG_MAX - sixty) / 60) overflow = true;
            else value = value * 60 + sixty;
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
        }
    } else if (s.front() == '0' && s.size() > 1) {
        ok = accumulate(s.substr(1), 8, value);
    } else {
        ok = s.front() != '_' && accumulate(s, 10, value);
    }
    if (!ok) return std::nullopt;
    return negative ? -value : value;
}

using leafsynth::detail::near_miss; // "did you mean", shared with the schema check

std::string join(const std::vector<std::string_view>& words, std::string_view separator = ", ") {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += separator;
        out += words[i];
    }
    return out;
}

std::string child_path(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

/// The YAML 1.1 booleans as PyYAML resolves them (the original tool's YAML library).
std::optional<bool> yaml11_bool(std::string_view s) {
    static const std::array<std::string_view, 9> yes{"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const std::array<std::string_view, 9> no{"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    if (std::find(yes.begin(), yes.end(), s) != yes.end()) return true;
    if (std::find(no.begin(), no.end(), s) != no.end()) return false;
    return std::nullopt;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// ------------------------------------------------------------------------------------------------
// The loader: reads one file, records problems, converts nodes.
// ------------------------------------------------------------------------------------------------

/// A node in context: where it is (for null values: where its key is) and its key path.
struct Item {
    YAML::Node node;
    YAML::Mark mark; ///< The value's position (its key's for a null value).
    std::string path;
    YAML::Mark key_mark; ///< The key's position (the entry's for list items): where a missing child is reported.
};

/// A scalar's text and how it was written.
struct Scalar {
    std::string text;
    bool plain = false;    ///< Unquoted and untagged: YAML may read it as a bool, an int, ...
    bool from_env = false; ///< Came from `!ENV` substitution.
};

/// The checked keys of one map, in file order.
struct Fields {
    YAML::Mark mark;  ///< Where the map's key is: missing keys are reported there.
    std::string path; ///< The map's key path.
    std::vector<std::pair<std::string, Item>> entries;

    const Item* find(std::string_view key) const {
        for (const auto& [k, item] : entries)
            if (k == key) return &item;
        return nullptr;
    }
};

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Scalar: {
        std::string text = node.Scalar();
        if (text.size() > 40) text = text.substr(0, 37) + "...";
        return "the value " + in_quotes(text);
    }
    case YAML::NodeType::Undefined:
        break;
    }
    return "nothing";
}

class Loader {
public:
    Loader(std::string file, const EnvironmentLookup& lookup) : file_(std::move(file)), lookup_(lookup) {}

    SourceLocation where(const YAML::Mark& mark) const {
        SourceLocation location;
        location.file = file_;
        if (mark.line >= 0 && mark.column >= 0) {
            location.line = mark.line + 1;
            location.column = mark.column + 1;
        }
        return location;
    }

    void problem(const YAML::Mark& mark, std::string path, std::string message) {
        ConfigProblem p;
        p.location = where(mark);
        p.key_path = std::move(path);
        p.message = hide_secrets(std::move(message));
        problems_.push_back(std::move(p));
    }

    /// `message` with every value that came from `!ENV` (often a password) replaced by a mention of
    /// where it came from. Values shorter than 4 characters are left: they would garble the message
    /// and hide nothing.
    std::string hide_secrets(std::string message) const {
        for (const auto& [value, reference] : env_values_) {
            if (value.size() < 4 || value == "UNDECLARED") continue;
            for (std::size_t at = message.find(value); at != std::string::npos; at = message.find(value, at)) {
                const std::string shown = "<the value of !ENV " + reference + ">";
                message.replace(at, value.size(), shown);
                at += shown.size();
            }
        }
        return message;
    }

    /// A problem with the file as a whole (no position, or 1:1 when `at_start`).
    void file_problem(std::string message, bool at_start = false) {
        ConfigProblem p;
        p.location.file = file_;
        p.location.line = at_start ? 1 : 0;
        p.location.column = at_start ? 1 : 0;
        p.message = std::move(message);
        problems_.push_back(std::move(p));
    }

    void finish() {
        if (problems_.empty()) return;
        // A quoted value that runs over several lines has most likely lost its closing quote: the
        // lines it swallowed make the other problems. Say that alone.
        if (!runaway_quotes_.empty()) problems_ = {runaway_quotes_.front()};
        throw ConfigError(std::move(problems_));
    }

    /// The byte offset where 0-based `line` starts in the file's text.
    std::size_t line_offset(int line) const {
        std::size_t offset = 0;
        for (int l = 0; l < line && offset != std::string::npos; ++l) {
            offset = text_.find('\n', offset);
            if (offset != std::string::npos) ++offset;
        }
        return offset == std::string::npos ? text_.size() : offset;
    }

    /// Notes a quoted scalar whose closing quote is on a later line than its opening one.
    void check_quote_span(const Item& item) {
        const YAML::Mark mark = item.node.Mark();
        if (mark.line < 0 || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return;
        const std::size_t open = static_cast<std::size_t>(mark.pos);
        const char q = text_[open];
        if (q != '"' && q != '\'') return;
        std::size_t i = open + 1;
        int lines = 0;
        for (; i < text_.size(); ++i) {
            const char c = text_[i];
            if (c == '\n') ++lines;
            if (q == '"' && c == '\\') ++i;
            else if (c == q) {
                if (q == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') ++i;
                else break;
            }
        }
        if (lines == 0) return;
        ConfigProblem p;
        p.location = where(mark);
        p.key_path = item.path;
        p.message = "this quoted value runs on " +
                    (i >= text_.size() ? std::string("to the end of the file")
                                       : "to line " + std::to_string(mark.line + 1 + lines)) +
                    ": its closing quote is probably missing; close the quote on this line";
        runaway_quotes_.push_back(std::move(p));
    }

    /// Reads and parses the file; nullopt (with problems recorded) when that is not possible.
    std::optional<YAML::Node> parse() {
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path p(file_);
        const auto status = fs::status(p, ec);
        if (!fs::exists(status)) {
            std::string hint = "check the path";
            if (p.is_relative()) {
                std::error_code cwd_ec;
                const auto cwd = fs::current_path(cwd_ec);
                if (!cwd_ec) hint += " (it is relative to the current directory " + cwd.string() + ")";
            }
            file_problem("config file not found; " + hint);
            return std::nullopt;
        }
        if (fs::is_directory(status)) {
            file_problem("is a directory, not a config file; give the path of a .yaml file");
            return std::nullopt;
        }
        if (!fs::is_regular_file(status)) {
            file_problem("is not a regular file (a device, pipe or socket); give the path of a .yaml file");
            return std::nullopt;
        }
        if (const auto size = fs::file_size(p, ec); !ec && size > kMaxConfigBytes) {
            file_problem("the file is " + std::to_string(size) + " bytes; a config is at most " +
                         std::to_string(kMaxConfigBytes / 1024) + " KiB (is this the right file?)");
            return std::nullopt;
        }
        std::ifstream in(p, std::ios::binary);
        std::ostringstream text;
        if (in) text << in.rdbuf();
        if (!in || in.bad()) {
            file_problem("config file cannot be read; check its permissions");
            return std::nullopt;
        }
        text_ = text.str();
        if (text_.size() > kMaxConfigBytes) { // grew while being read
            file_problem("the file is larger than " + std::to_string(kMaxConfigBytes / 1024) + " KiB, the most a config may be");
            return std::nullopt;
        }
        if (auto bad = invalid_utf8(text_)) {
            YAML::Mark mark;
            mark.line = bad->first;
            mark.column = bad->second;
            problem(mark, "", "the file is not valid UTF-8 here (byte " +
                                  quote_excerpt(text_.substr(line_offset(bad->first) + bad->second, 1)) +
                                  "); save it as UTF-8");
            return std::nullopt;
        }
        if (auto deep = too_deep(text_, kMaxNesting)) {
            YAML::Mark mark;
            mark.line = deep->first;
            mark.column = deep->second;
            problem(mark, "", "maps and lists are nested more than " + std::to_string(kMaxNesting) +
                                  " levels deep here; a config needs a few levels only");
            return std::nullopt;
        }
        std::vector<YAML::Mark> starts;
        YAML::Node document;
        try {
            // The first document, whether a second one starts, and a third: a stray ',' inside the
            // second shows as the start of the next one.
            starts = document_starts(text_, 3);
            if (!starts.empty()) document = YAML::Load(text_);
        } catch (const YAML::Exception& e) {
            // A quote left open makes the parser fail lines later, somewhere unrelated: point at the quote.
            const std::size_t at = e.mark.pos >= 0 ? static_cast<std::size_t>(e.mark.pos) + 1 : text_.size();
            if (auto q = runaway_quote(text_, at)) {
                YAML::Mark mark;
                mark.line = q->line;
                mark.column = q->column;
                problem(mark, "",
                        "this quote is not closed on its line: the value runs on to line " +
                            std::to_string(q->end_line + 1) + ", where the YAML then fails (" + e.msg +
                            "); close the quote on this line");
                return std::nullopt;
            }
            problem(e.mark, "", "YAML syntax error: " + e.msg + "; fix the YAML syntax at this position");
            return std::nullopt;
        }
        // A ',' that no [ ] list or { } map holds starts an empty "document" that the parser never
        // gets past: the second start lies on it (and so does the first, for a ',' opening the file).
        for (const YAML::Mark& at : starts) {
            if (at.pos >= 0 && static_cast<std::size_t>(at.pos) < text_.size() && text_[at.pos] == ',') {
                problem(at, "", "YAML syntax error: a ',' outside any [ ] list or { } map; remove it");
                return std::nullopt;
            }
        }
        if (starts.empty() || document.IsNull()) {
            file_problem("the config file is empty; see the documented keys", true);
            return std::nullopt;
        }
        if (starts.size() > 1) {
            problem(starts[1], "",
                    "a second YAML document starts here; a config file holds one document, remove the '---' "
                    "separator and what follows or merge it into the first");
        }
        return document;
    }

    /// A map's keys checked against `allowed`: non-scalar keys, duplicates and unknown keys are problems.
    std::optional<Fields> fields(const Item& item, const std::vector<std::string_view>& allowed,
                                 std::string_view expected_hint) {
        if (!item.node.IsMap()) {
            wrong_type(item, "a map", expected_hint);
            return std::nullopt;
        }
        if (!untagged_collection(item)) return std::nullopt;
        Fields f{item.key_mark.line >= 0 ? item.key_mark : item.mark, item.path, {}};
        std::map<std::string, YAML::Mark> seen;
        for (auto it = item.node.begin(); it != item.node.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            if (!key.IsScalar()) {
                problem(key.Mark(), item.path,
                        "a key must be a plain name, found " + describe(key) + "; use one of: " + join(allowed));
                continue;
            }
            const std::string name = key.Scalar();
            const std::string path = child_path(item.path, name);
            if (auto [pos, inserted] = seen.emplace(name, key.Mark()); !inserted) {
                problem(key.Mark(), path,
                        "duplicate key (first given at line " + std::to_string(pos->second.line + 1) +
                            "); remove one of them");
                continue;
            }
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                const std::string where_text = item.path.empty() ? "at the top level" : "under " + item.path;
                if (auto suggestion = near_miss(name, allowed))
                    problem(key.Mark(), path, "unknown key; did you mean " + in_quotes(*suggestion) + "?");
                else
                    problem(key.Mark(), path, "unknown key; the keys allowed " + where_text + " are " + join(allowed));
                continue;
            }
            f.entries.emplace_back(
                name,
                Item{value, value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark(), path, key.Mark()});
        }
        return f;
    }

    /// The child `key` of a map, or nullopt. A missing required key is a problem.
    std::optional<Item> get(const Fields& f, std::string_view key, bool required, std::string_view example = {}) {
        if (const Item* item = f.find(key)) return *item;
        if (required) {
            const std::string where_text = f.path.empty() ? "at the top level" : "under " + f.path;
            std::string fix = example.empty() ? "add " + in_quotes(std::string(key) + ": ...")
                                              : "add " + in_quotes(std::string(key) + ": " + std::string(example));
            problem(f.mark, child_path(f.path, key), "required key is missing; " + fix + " " + where_text);
        }
        return std::nullopt;
    }

    /// The child of a map that `key` describes (a problem when it is required and missing).
    std::optional<Item> get(const Fields& f, const ConfigKey& key, std::string_view example = {}) {
        return get(f, key.name, key.required, example);
    }

    /// The section `key` describes, as required_section() or optional_section() reads it (as the
    /// spec says it is required or not), with the keys the spec gives it.
    std::optional<Fields> section(const Fields& parent, const ConfigKey& key, std::string_view needs = {}) {
        const std::vector<std::string_view> allowed = key_names(key);
        return key.required ? required_section(parent, key.name, allowed, needs)
                            : optional_section(parent, key.name, allowed);
    }

    /// A section that may be left out or empty (null): nullopt then; a problem if it is not a map.
    std::optional<Fields> optional_section(const Fields& parent, std::string_view key,
                                           const std::vector<std::string_view>& allowed) {
        auto item = get(parent, key, false);
        if (!item || item->node.IsNull()) return std::nullopt;
        return fields(*item, allowed, "keys: " + join(allowed));
    }

    /// A section that must be there and be a map; `needs` names its required keys, e.g. "'Name: <domain>'".
    std::optional<Fields> required_section(const Fields& parent, std::string_view key,
                                           const std::vector<std::string_view>& allowed, std::string_view needs) {
        auto item = get(parent, key, false);
        if (!item) {
            const std::string where_text = parent.path.empty() ? "at the top level" : "under " + parent.path;
            problem(parent.mark, child_path(parent.path, key),
                    "required section is missing; add " + in_quotes(std::string(key) + ":") + " " + where_text +
                        " with " + std::string(needs) + " indented below it");
            return std::nullopt;
        }
        if (item->node.IsNull()) {
            problem(item->mark, item->path, "section is empty; add " + std::string(needs) + " indented below it");
            return std::nullopt;
        }
        return fields(*item, allowed, "keys: " + join(allowed));
    }

    /// A list that may be left out or empty (null): empty then; a problem if it is not a list.
    std::vector<Item> optional_list(const Fields& parent, std::string_view key, std::string_view entry_hint) {
        auto item = get(parent, key, false);
        if (!item || item->node.IsNull()) return {};
        return list_items(*item, entry_hint);
    }

    std::vector<Item> list_items(const Item& item, std::string_view entry_hint) {
        std::vector<Item> out;
        if (!item.node.IsSequence()) {
            wrong_type(item, "a list", entry_hint);
            return out;
        }
        if (!untagged_collection(item)) return out;
        std::size_t i = 0;
        for (const auto& child : item.node) {
            YAML::Mark mark = child.Mark();
            if (child.IsNull() || mark.line < 0) mark = item.mark;
            out.push_back(Item{child, mark, index_path(item.path, i++), mark});
        }
        return out;
    }

    /// A map or list must not carry a tag (`!ENV` and the others take single values): a problem if it does.
    bool untagged_collection(const Item& item) {
        const std::string& tag = item.node.Tag();
        if (tag.empty() || tag == "?" || tag == "!" || tag == "tag:yaml.org,2002:map" || tag == "tag:yaml.org,2002:seq")
            return true;
        problem(item.mark, item.path,
                "the tag " + in_quotes(tag) + " stands on " + (item.node.IsMap() ? "a map" : "a list") +
                    "; tags such as !ENV take a single value: put it on each value instead");
        return false;
    }

    /// `hint` describes what is expected in more detail (shown in parentheses).
    void wrong_type(const Item& item, std::string_view expected, std::string_view hint) {
        std::string fix;
        if (expected == "a map" && item.node.IsSequence())
            fix = "remove the '- ' in front of the keys";
        else if (expected == "a list" && item.node.IsMap())
            fix = "start each entry with '- '";
        else if (item.path.empty())
            fix = "a config file is a map: write its keys at the start of the lines";
        else
            fix = "write " + std::string(expected) + " on the lines below the key, indented";
        std::string what = "expected " + std::string(expected);
        if (!hint.empty()) what += " (" + std::string(hint) + ")";
        problem(item.mark, item.path, what + ", found " + describe(item.node) + "; " + fix);
    }

    /// A scalar with `!ENV` substituted; a problem for null, lists, maps and unsupported tags.
    std::optional<Scalar> scalar(const Item& item, std::string_view expected) {
        if (item.node.IsNull()) {
            problem(item.mark, item.path, "has no value; write " + std::string(expected) + " or remove the key");
            return std::nullopt;
        }
        if (!item.node.IsScalar()) {
            problem(item.mark, item.path,
                    "expected " + std::string(expected) + ", found " + describe(item.node) +
                        "; write a single value on the key's line");
            return std::nullopt;
        }
        if (over_budget_) return std::nullopt;
        expanded_bytes_ += item.node.Scalar().size();
        if (expanded_bytes_ > kMaxExpandedBytes) {
            over_budget_ = true;
            problem(item.mark, item.path,
                    "the config's values add up to more than " + std::to_string(kMaxExpandedBytes / (1024 * 1024)) +
                        " MiB here (YAML aliases repeating a large value?); write each value once");
            return std::nullopt;
        }
        const std::string& tag = item.node.Tag();
        Scalar s{item.node.Scalar(), false, false};
        if (tag == "!ENV") {
            s.text = substitute_environment(s.text, lookup_);
            s.from_env = true;
            if (s.text != item.node.Scalar()) env_values_.emplace(s.text, item.node.Scalar());
            if (invalid_utf8(s.text)) {
                problem(item.mark, item.path,
                        "the value of !ENV " + in_quotes(item.node.Scalar()) +
                            " is not valid UTF-8; set the variable to UTF-8 text");
                return std::nullopt;
            }
        } else if (tag == "?") {
            s.plain = true;
        } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
            s.plain = false;
            check_quote_span(item);
        } else if (tag.rfind("tag:yaml.org,2002:", 0) == 0) {
            s.plain = true;
        } else {
            problem(item.mark, item.path, "unsupported tag " + in_quotes(tag) + "; the only tag allowed is !ENV");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string> string_value(const Item& item, std::string_view expected = "a text value") {
        auto s = scalar(item, expected);
        if (!s) return std::nullopt;
        return std::move(s->text);
    }

    /// An integer in [min, max]; `rule` says the range in words ("at least 2"), `fix` how to fix it.
    std::optional<int> int_value(const Item& item, long long min, long long max, std::string_view rule,
                                 std::string_view fix) {
        auto s = scalar(item, "a whole number");
        if (!s) return std::nullopt;
        const std::string_view text = s->from_env ? trim(s->text) : std::string_view(s->text);
        if (!s->plain && !s->from_env) {
            problem(item.mark, item.path,
                    "expected a whole number, found the quoted text " + in_quotes(text) + "; remove the quotes");
            return std::nullopt;
        }
        // Plain values as the original tool's YAML 1.1 reader has them (`010` is 8); values from
        // !ENV are text to it, read as decimal.
        long long value = 0;
        bool out_of_range = false;
        std::optional<long long> parsed;
        if (s->from_env) {
            std::string_view digits = text;
            if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
            const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (!digits.empty() && ptr == digits.data() + digits.size() &&
                (ec == std::errc() || ec == std::errc::result_out_of_range)) {
                parsed = value;
                out_of_range = ec == std::errc::result_out_of_range;
            }
        } else {
            parsed = yaml11_int(text, out_of_range);
        }
        if (!parsed) {
            problem(item.mark, item.path,
                    "expected a whole number, found " + in_quotes(text) + (s->from_env ? " (from !ENV)" : "") +
                        "; write a number such as " + std::to_string(std::max<long long>(min, 1)));
            return std::nullopt;
        }
        value = *parsed;
        if (out_of_range || value > max) {
            const std::string max_text = std::to_string(max);
            const std::string bound = rule.find(max_text) != std::string_view::npos
                                          ? std::string(rule)
                                          : std::string(rule) + " and at most " + max_text;
            problem(item.mark, item.path,
                    "must be " + bound + ", found " + shown_number(text) + "; " + std::string(fix));
            return std::nullopt;
        }
        if (value < min) {
            problem(item.mark, item.path,
                    "must be " + std::string(rule) + ", found " + shown_number(text) + "; " + std::string(fix));
            return std::nullopt;
        }
        return static_cast<int>(value);
    }

    std::optional<bool> bool_value(const Item& item) {
        auto s = scalar(item, "true or false");
        if (!s) return std::nullopt;
        const std::string_view text = s->from_env ? trim(s->text) : std::string_view(s->text);
        std::optional<bool> b;
        if (s->plain || s->from_env) b = yaml11_bool(text);
        if (!b) {
            problem(item.mark, item.path,
                    "expected true or false, found " +
                        (s->plain || s->from_env ? in_quotes(text) : "the quoted text " + in_quotes(text)) +
                        "; write true or false" + (s->plain || s->from_env ? "" : " without quotes"));
        }
        return b;
    }

    /// Reads an optional int/bool field into `target` (kept as the default when absent or invalid).
    void opt_int(const Fields& f, std::string_view key, int& target, long long min, long long max,
                 std::string_view rule, std::string_view fix) {
        if (auto item = get(f, key, false))
            if (auto v = int_value(*item, min, max, rule, fix)) target = *v;
    }
    /// An optional integer `key` (bounds from the spec), the rule stated as range_rule() words it
    /// followed by `rule_note`.
    void opt_int(const Fields& f, const ConfigKey& key, int& target, std::string_view fix, std::string_view rule_note = {}) {
        opt_int(f, key.name, target, key.minimum.value_or(LLONG_MIN), key.maximum.value_or(INT_MAX),
                range_rule(key) + std::string(rule_note), fix);
    }
    void opt_bool(const Fields& f, std::string_view key, bool& target) {
        if (auto item = get(f, key, false))
            if (auto v = bool_value(*item)) target = *v;
    }

    std::vector<AlertSubscription> alert_subscriptions(const Fields& root) {
        const auto protocols = sns_protocols();
        std::vector<std::string_view> names;
        for (const auto& p : protocols)
            names.push_back(p.first);

        std::vector<AlertSubscription> out;
        const std::string hint = "of one-key maps such as '- Email: me@example.com'";
        for (const Item& entry : optional_list(root, "AlertSubscription", hint)) {
            if (!entry.node.IsMap() || entry.node.size() != 1) {
                if (entry.node.IsMap())
                    problem(entry.mark, entry.path,
                            "expected one 'Protocol: endpoint' pair, found " + std::to_string(entry.node.size()) +
                                "; put each subscription in its own list entry");
                else
                    wrong_type(entry, "a map", "one 'Protocol: endpoint' pair, e.g. 'Email: me@example.com'");
                continue;
            }
            const auto pair = *entry.node.begin();
            const YAML::Node key = pair.first;
            if (!key.IsScalar()) {
                problem(key.Mark(), entry.path,
                        "the protocol must be a name, found " + describe(key) + "; use one of " + join(names));
                continue;
            }
            const std::string protocol = key.Scalar();
            const std::string path = child_path(entry.path, protocol);
            auto known = std::find_if(protocols.begin(), protocols.end(),
                                      [&](const auto& p) { return iequals(p.first, protocol); });
            std::optional<std::string> endpoint = string_value(
                Item{pair.second, pair.second.IsNull() ? key.Mark() : pair.second.Mark(), path, key.Mark()},
                "the endpoint");
            if (known == protocols.end()) {
                const auto suggestion = near_miss(protocol, names);
                problem(
                    key.Mark(), path,
                    "unknown SNS protocol " + in_quotes(protocol) + "; " +
                        (suggestion ? "did you mean " + in_quotes(*suggestion) + "?" : "use one of " + join(names)));
                continue;
            }
            if (!endpoint) continue;
            if (trim(*endpoint).empty()) {
                problem(pair.second.Mark(), path, "the endpoint is empty; write the address, URL or ARN to notify");
                continue;
            }
            out.push_back({std::string(known->second), *endpoint, where(entry.mark)});
        }
        return out;
    }

private:
    std::string file_;
    const EnvironmentLookup& lookup_;
    std::vector<ConfigProblem> problems_;
    std::vector<ConfigProblem> runaway_quotes_;
    std::string text_;
    std::size_t expanded_bytes_ = 0;
    bool over_budget_ = false;
    std::map<std::string, std::string> env_values_; ///< value from !ENV -> the `${...}` text it came from
};

bool valid_domain_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
        if (++label > 63) return false;
    }
    return label != 0;
}

// The keys of each section, from the spec.
const ConfigKey& kBaseSpec = base_config_spec();
const ConfigKey& kLeafSpec = leaf_config_spec();
const std::vector<std::string_view> kBaseKeys = key_names(kBaseSpec);
const std::vector<std::string_view> kLeafKeys = key_names(kLeafSpec);
const std::vector<std::string_view> kVolumeKeys = key_names(config_key(kLeafSpec, "Volumes[]"));
const std::vector<std::string_view> kPathKeys = key_names(config_key(kLeafSpec, "Volumes[].Paths[]"));

void read_container(Loader& L, const Fields& root, LeafConfig& config) {
    auto container =
        L.section(root, config_key(kLeafSpec, "Container"), "'Image: <image>' and 'Ports: <list of ports>'");
    if (!container) return;

    if (auto item = L.get(*container, config_key(kLeafSpec, "Container.Image"), "<registry/name:tag>")) {
        if (auto image = L.string_value(*item, "an image name")) {
            if (trim(*image).empty())
                L.problem(item->mark, item->path,
                          "the image name is empty; write the image, e.g. 'itzg/minecraft-server'");
            else if (has_space_or_control(*image))
                L.problem(item->mark, item->path,
                          "the image name " + in_quotes(*image) + " contains spaces; remove them");
            else
                config.container.image = lower(*image);
        }
    }

    const ConfigKey& ports_spec = config_key(kLeafSpec, "Container.Ports");
    const std::size_t max_ports = ports_spec.max_items;
    if (auto ports_item = L.get(*container, ports_spec, "[{TCP: <port>}]")) {
        if (ports_item->node.IsNull()) {
            L.problem(ports_item->mark, ports_item->path, "no ports given; list at least one, e.g. '- TCP: 25565'");
        } else if (ports_item->node.IsSequence() && ports_item->node.size() > max_ports) {
            L.problem(ports_item->mark, ports_item->path,
                      std::to_string(ports_item->node.size()) + " ports; at most " + std::to_string(max_ports) +
                          ": each is an inbound rule of the container's security group, which takes 60 (the VPC "
                          "quota 'Inbound or outbound rules per security group'; SSH takes one); list only the "
                          "ports the server listens on");
        } else {
            const std::vector<std::string_view> protocols{"TCP", "UDP"};
            std::map<std::pair<PortProtocol, int>, std::pair<int, std::string>> seen;
            const auto entries = L.list_items(*ports_item, "of one-key maps such as '- TCP: 25565'");
            if (entries.empty() && ports_item->node.IsSequence() && ports_item->node.size() == 0)
                L.problem(ports_item->mark, ports_item->path, "no ports given; list at least one, e.g. '- TCP: 25565'");
            for (const Item& entry : entries) {
                if (!entry.node.IsMap() || entry.node.size() != 1) {
                    if (entry.node.IsMap())
                        L.problem(entry.mark, entry.path,
                                  "expected one 'Protocol: port' pair, found " + std::to_string(entry.node.size()) +
                                      "; put each port in its own list entry");
                    else
                        L.wrong_type(entry, "a map", "one 'Protocol: port' pair, e.g. 'TCP: 25565'");
                    continue;
                }
                const auto pair = *entry.node.begin();
                const YAML::Node key = pair.first;
                if (!key.IsScalar()) {
                    L.problem(key.Mark(), entry.path,
                              "the protocol must be TCP or UDP, found " + describe(key) +
                                  "; write 'TCP: <port>' or 'UDP: <port>'");
                    continue;
                }
                const std::string name = key.Scalar();
                const std::string path = child_path(entry.path, name);
                const Item value{pair.second, pair.second.IsNull() ? key.Mark() : pair.second.Mark(), path, key.Mark()};
                auto port =
                    L.int_value(value, ports_spec.keys.front().minimum.value_or(1), ports_spec.keys.front().maximum.value_or(65535),
                                "a port number " + range_rule(ports_spec.keys.front()), "use the port the server listens on");
                std::optional<PortProtocol> protocol;
                if (iequals(name, "TCP"))
                    protocol = PortProtocol::Tcp;
                else if (iequals(name, "UDP"))
                    protocol = PortProtocol::Udp;
                else {
                    const auto suggestion = near_miss(name, protocols);
                    L.problem(key.Mark(), path,
                              "unknown protocol " + in_quotes(name) + "; " +
                                  (suggestion ? "did you mean " + in_quotes(*suggestion) + "?" : "use TCP or UDP"));
                }
                if (!protocol || !port) continue;
                const auto [it, inserted] =
                    seen.emplace(std::pair{*protocol, *port}, std::pair{value.mark.line + 1, entry.path});
                if (!inserted) {
                    L.problem(value.mark, path,
                              "port " + std::to_string(*port) + "/" + (*protocol == PortProtocol::Tcp ? "TCP" : "UDP") +
                                  " is already listed at line " + std::to_string(it->second.first) + " (" +
                                  it->second.second + "); remove one of them");
                    continue;
                }
                config.container.ports.push_back({*protocol, *port, L.where(entry.mark)});
            }
        }
    }

    const ConfigKey& stop_timeout = config_key(kLeafSpec, "Container.StopTimeoutSeconds");
    L.opt_int(*container, stop_timeout, config.container.stop_timeout_seconds,
              "use the seconds the server needs to save and exit after SIGTERM, at most " +
                  std::to_string(stop_timeout.maximum.value_or(0)),
              " (what ECS allows)");

    if (auto env_item = L.get(*container, "Environment", false); env_item && !env_item->node.IsNull()) {
        if (!env_item->node.IsMap()) {
            L.wrong_type(*env_item, "a map", "'NAME: value' lines");
        } else {
            std::map<std::string, int> seen;
            for (auto it = env_item->node.begin(); it != env_item->node.end(); ++it) {
                const YAML::Node key = it->first;
                const YAML::Node value = it->second;
                if (!key.IsScalar() || key.Scalar().empty()) {
                    L.problem(key.Mark(), env_item->path,
                              "an environment variable name must be non-empty text, found " + describe(key) +
                                  "; write 'NAME: value'");
                    continue;
                }
                const std::string name = key.Scalar();
                const std::string path = child_path(env_item->path, name);
                if (auto [pos, inserted] = seen.emplace(name, key.Mark().line + 1); !inserted) {
                    L.problem(key.Mark(), path,
                              "duplicate variable (first given at line " + std::to_string(pos->second) +
                                  "); remove one of them");
                    continue;
                }
                const Item item{value, value.IsNull() ? key.Mark() : value.Mark(), path, key.Mark()};
                if (value.IsNull()) {
                    L.problem(item.mark, path, "has no value; write a value, or \"\" for an empty one");
                    continue;
                }
                if (!value.IsScalar()) {
                    L.problem(item.mark, path,
                              "expected a text value, found " + describe(value) +
                                  "; write the value on the key's line, in quotes if it starts with '[' or '{'");
                    continue;
                }
                auto s = L.scalar(item, "a text value");
                if (!s) continue;
                std::string text = std::move(s->text);
                if (s->plain)
                    if (auto b = yaml11_bool(text)) text = *b ? "True" : "False";
                config.container.environment.push_back({name, std::move(text)});
            }
        }
    }
}

void read_volumes(Loader& L, const Fields& root, LeafConfig& config) {
    const bool prod = config.maturity == Maturity::Prod;
    std::map<std::string, std::pair<int, std::string>> seen_paths; // normalized path -> (line, key path)
    const std::size_t max_volumes = config_key(kLeafSpec, "Volumes").max_items;
    if (auto item = L.get(root, "Volumes", false); item && item->node.IsSequence() && item->node.size() > max_volumes) {
        L.problem(item->mark, item->path,
                  std::to_string(item->node.size()) + " volumes; at most " + std::to_string(max_volumes) +
                      " (each is an EFS file system the instance mounts, and the leaf's nested stacks would pass "
                      "more outputs than CloudFormation allows); put several paths on one volume instead");
        return;
    }
    std::size_t path_count = 0;
    for (const Item& entry : L.optional_list(root, "Volumes", "one entry per volume, each starting with '- '")) {
        auto f = L.fields(entry, kVolumeKeys, "keys: " + join(kVolumeKeys));
        if (!f) continue;
        VolumeConfig volume;
        volume.enable_backups = prod;
        volume.keep_on_delete = prod;
        volume.location = L.where(entry.mark);
        if (auto item = L.get(*f, "Type", false)) {
            if (auto type = L.string_value(*item, "EFS")) {
                if (!iequals(trim(*type), "EFS"))
                    L.problem(item->mark, item->path,
                              "unsupported volume type " + in_quotes(*type) +
                                  "; only EFS is supported (the default), remove the key or write 'EFS'");
            }
        }
        L.opt_bool(*f, "EnableBackups", volume.enable_backups);
        L.opt_bool(*f, "KeepOnDelete", volume.keep_on_delete);
        if (auto paths = L.get(*f, config_key(kLeafSpec, "Volumes[].Paths"), "[{Path: /data}]")) {
            if (paths->node.IsNull() || (paths->node.IsSequence() && paths->node.size() == 0)) {
                L.problem(paths->mark, paths->path, "no paths given; list at least one, e.g. '- Path: /data'");
            } else {
                for (const Item& path_entry : L.list_items(*paths, "one entry per path, e.g. '- Path: /data'")) {
                    if (++path_count > kMaxPaths) {
                        L.problem(path_entry.mark, path_entry.path,
                                  "more than " + std::to_string(kMaxPaths) +
                                      " volume paths in all; each is an EFS access point and a mount, and the leaf's "
                                      "nested stacks would pass more parameters than CloudFormation allows; "
                                      "mount a parent folder instead");
                        return;
                    }
                    auto pf = L.fields(path_entry, kPathKeys, "keys: " + join(kPathKeys));
                    if (!pf) continue;
                    VolumePath vp;
                    vp.location = L.where(path_entry.mark);
                    L.opt_bool(*pf, "ReadOnly", vp.read_only);
                    auto path_item = L.get(*pf, config_key(kLeafSpec, "Volumes[].Paths[].Path"), "/absolute/path");
                    if (!path_item) continue;
                    auto text = L.string_value(*path_item, "an absolute path");
                    if (!text) continue;
                    if (text->empty() || text->front() != '/') {
                        L.problem(path_item->mark, path_item->path,
                                  "the path " + in_quotes(*text) + " is not absolute; start it with '/', e.g. " +
                                      in_quotes("/" + *text));
                        continue;
                    }
                    if (has_space_or_control(*text)) {
                        L.problem(path_item->mark, path_item->path,
                                  "the path " + in_quotes(*text) +
                                      " contains spaces or control characters; remove them");
                        continue;
                    }
                    std::string normalized = *text;
                    while (normalized.size() > 1 && normalized.back() == '/')
                        normalized.pop_back();
                    // Each path becomes an EFS access point root directory, which EFS limits to at
                    // most 4 components, none starting with '.', at most 100 characters.
                    if (std::string why = efs_path_problem(normalized); !why.empty()) {
                        L.problem(path_item->mark, path_item->path,
                                  "the path " + in_quotes(*text) + " " + why +
                                      " (EFS access point limits); mount a shorter parent folder instead");
                        continue;
                    }
                    const auto [it, inserted] =
                        seen_paths.emplace(normalized, std::pair{path_item->mark.line + 1, path_item->path});
                    if (!inserted) {
                        L.problem(path_item->mark, path_item->path,
                                  "the path " + in_quotes(*text) + " is already mounted at line " +
                                      std::to_string(it->second.first) + " (" + it->second.second +
                                      "); mount each path once");
                        continue;
                    }
                    vp.path = *text;
                    volume.paths.push_back(std::move(vp));
                }
            }
        }
        config.volumes.push_back(std::move(volume));
    }
}

void read_watchdog(Loader& L, const Fields& root, LeafConfig& config) {
    auto wd = L.section(root, config_key(kLeafSpec, "Watchdog"), "'Threshold: <bytes per second>'");
    if (!wd) return;
    L.opt_int(*wd, config_key(kLeafSpec, "Watchdog.MinutesWithoutConnections"),
              config.watchdog.minutes_without_connections,
              "use 2 or more minutes, at most a day (the alarm watches 1-minute periods)");
    const ConfigKey& threshold = config_key(kLeafSpec, "Watchdog.Threshold");
    if (auto item = L.get(*wd, threshold, "<bytes per second>"))
        if (auto v = L.int_value(*item, threshold.minimum.value_or(0), threshold.maximum.value_or(INT_MAX - 1),
                                 range_rule(threshold),
                                 "use the traffic in bytes per second below which the server counts as idle"))
            config.watchdog.threshold = *v;
    if (auto left_up = L.section(*wd, config_key(kLeafSpec, "Watchdog.InstanceLeftUp"))) {
        L.opt_int(*left_up, config_key(kLeafSpec, "Watchdog.InstanceLeftUp.DurationHours"),
                  config.watchdog.instance_left_up.duration_hours,
                  "use 1 or more hours, at most a day (the alarm watches 1-minute periods)");
        L.opt_bool(*left_up, "ShouldStop", config.watchdog.instance_left_up.should_stop);
    }
}

} // namespace

// ------------------------------------------------------------------------------------------------
// Names
// ------------------------------------------------------------------------------------------------

std::string_view to_string(Maturity maturity) { return maturity == Maturity::Prod ? "prod" : "devel"; }

Maturity parse_maturity(std::string_view text) {
    if (iequals(text, "prod")) return Maturity::Prod;
    if (iequals(text, "devel")) return Maturity::Devel;
    throw InputError("unknown maturity " + in_quotes(text) + "; use 'prod' or 'devel'");
}

std::string application_id(Maturity maturity) {
    if (maturity == Maturity::Prod) return "ContainerManager";
    return "ContainerManager-" + std::string(to_string(maturity));
}

std::string container_id_from_path(std::string_view path) {
    std::string name = std::filesystem::path(std::string(path)).stem().string();
    return lower(name);
}

std::string container_id_alpha(std::string_view container_id) {
    std::string out;
    bool previous_is_letter = false;
    for (char c : container_id) {
        const bool letter = is_ascii_letter(c);
        if (letter) out += previous_is_letter ? ascii_lower(c) : ascii_upper(c);
        previous_is_letter = letter;
    }
    return out;
}

void validate_container_id(std::string_view id) {
    const std::string shown = in_quotes(id);
    if (id.empty()) throw InputError("the container id is empty; name the leaf config file, or pass a container id");
    std::size_t label = 0;
    for (char c : id) {
        if (c == '.') {
            if (label == 0)
                throw InputError("container id " + shown + " has an empty part between dots; remove the extra dot");
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            throw InputError("container id " + shown + " contains " + in_quotes(std::string(1, c)) +
                             "; use only lower-case letters, digits, '-', '_' and '.'");
        if (++label > 63)
            throw InputError("container id " + shown + " has a part longer than 63 characters; shorten it");
    }
    if (label == 0) throw InputError("container id " + shown + " ends with a dot; remove it");
    if (container_id_alpha(id).empty())
        throw InputError("container id " + shown + " has no letter; stack names are built from its letters, add some");
}

std::string base_stack_name(std::string_view app_id) { return std::string(app_id) + "-BaseStack"; }

std::string leaf_stack_id(std::string_view app_id, std::string_view container_id) {
    return std::string(app_id) + "-" + container_id_alpha(container_id);
}

std::string domain_stack_name(std::string_view app_id, std::string_view container_id) {
    return leaf_stack_id(app_id, container_id) + "-DomainStack";
}

std::string leaf_stack_name(std::string_view app_id, std::string_view container_id) {
    return leaf_stack_id(app_id, container_id) + "-Stack";
}

std::string link_together_stack_name(std::string_view app_id, std::string_view container_id) {
    return leaf_stack_id(app_id, container_id) + "-LinkTogetherStack";
}

std::string sub_domain(std::string_view container_id, std::string_view domain_name) {
    return lower(std::string(container_id) + "." + std::string(domain_name));
}

std::string dns_log_filter(std::string_view sub_domain_name) { return " " + std::string(sub_domain_name) + " A "; }

LeafNames leaf_names(Maturity maturity, std::string_view container_id, std::string_view domain_name) {
    validate_container_id(container_id);
    LeafNames n;
    n.app_id = application_id(maturity);
    n.container_id = std::string(container_id);
    n.alpha = container_id_alpha(container_id);
    n.stack_id = leaf_stack_id(n.app_id, container_id);
    n.base_stack = base_stack_name(n.app_id);
    n.domain_stack = domain_stack_name(n.app_id, container_id);
    n.leaf_stack = leaf_stack_name(n.app_id, container_id);
    n.link_together_stack = link_together_stack_name(n.app_id, container_id);
    n.sub_domain = sub_domain(container_id, domain_name);
    n.dns_log_filter = dns_log_filter(n.sub_domain);
    return n;
}

std::string_view to_string(PortProtocol protocol) { return protocol == PortProtocol::Tcp ? "tcp" : "udp"; }

// ------------------------------------------------------------------------------------------------
// Problems
// ------------------------------------------------------------------------------------------------

std::string to_string(const SourceLocation& location) {
    if (location.line <= 0) return location.file;
    return location.file + ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
}

std::string ConfigProblem::to_string() const {
    std::string out = containermanager::to_string(location) + ": ";
    if (!key_path.empty()) out += key_path + ": ";
    return out + message;
}

namespace {
std::vector<ConfigProblem> sorted(std::vector<ConfigProblem> problems) {
    std::stable_sort(problems.begin(), problems.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
        return std::pair{a.location.line, a.location.column} < std::pair{b.location.line, b.location.column};
    });
    return problems;
}

std::string joined(const std::vector<ConfigProblem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        if (!out.empty()) out += '\n';
        out += p.to_string();
    }
    return out;
}
} // namespace

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : InputError(joined(sorted(problems))), problems_(sorted(std::move(problems))) {}

// ------------------------------------------------------------------------------------------------
// Environment
// ------------------------------------------------------------------------------------------------

std::optional<std::string> process_environment(const std::string& name) {
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    return std::nullopt;
}

std::string substitute_environment(std::string_view text, const EnvironmentLookup& lookup) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = text.find("${", i);
        if (start == std::string_view::npos) break;
        const std::size_t end = text.find('}', start + 2);
        if (end == std::string_view::npos) break;
        const std::string_view inner = text.substr(start + 2, end - start - 2);
        const std::size_t colon = inner.find(':');
        const std::string_view name = inner.substr(0, colon);
        if (name.empty() || inner.find('{') != std::string_view::npos) {
            out.append(text.substr(i, start + 2 - i)); // not a reference: keep "${" and go on after it
            i = start + 2;
            continue;
        }
        out.append(text.substr(i, start - i));
        std::optional<std::string> value = lookup ? lookup(std::string(name)) : std::nullopt;
        if (value)
            out += *value;
        else if (colon != std::string_view::npos)
            out.append(inner.substr(colon + 1));
        else
            out += "UNDECLARED";
        i = end + 1;
    }
    out.append(text.substr(std::min(i, text.size())));
    return out;
}

// ------------------------------------------------------------------------------------------------
// Loaders
// ------------------------------------------------------------------------------------------------

BaseConfig load_base_config(const std::string& path, const EnvironmentLookup& lookup) {
    Loader L(path, lookup);
    BaseConfig config;
    config.file = path;
    if (auto doc = L.parse()) {
        if (auto root = L.fields(Item{*doc, doc->Mark(), "", YAML::Mark()}, kBaseKeys, "keys: " + join(kBaseKeys))) {
            if (auto vpc = L.section(*root, config_key(kBaseSpec, "Vpc"))) {
                L.opt_int(*vpc, config_key(kBaseSpec, "Vpc.MaxAZs"), config.vpc.max_azs,
                          "use the number of availability zones to spread the VPC's public subnets over");
                L.opt_bool(*vpc, "RestrictDefaultSecurityGroup", config.vpc.restrict_default_security_group);
            }
            if (auto domain = L.section(*root, config_key(kBaseSpec, "Domain"), "'Name: <your domain>'")) {
                if (auto item = L.get(*domain, config_key(kBaseSpec, "Domain.Name"), "<your domain, e.g. example.com>")) {
                    if (auto name = L.string_value(*item, "a domain name")) {
                        const std::string lowered = lower(trim(*name));
                        if (!valid_domain_name(lowered))
                            L.problem(item->mark, item->path,
                                      "the domain name " + in_quotes(*name) +
                                          " is not valid; use letters, digits, '-' and dots, e.g. 'example.com'");
                        else
                            config.domain.name = lowered;
                    }
                }
                if (auto item = L.get(*domain, "HostedZoneId", false); item && !item->node.IsNull()) {
                    if (auto id = L.string_value(*item, "a hosted zone id")) {
                        const std::string_view trimmed = trim(*id);
                        if (has_space_or_control(trimmed))
                            L.problem(item->mark, item->path,
                                      "the hosted zone id " + in_quotes(*id) + " contains spaces; remove them");
                        else if (!trimmed.empty())
                            config.domain.hosted_zone_id = std::string(trimmed);
                    }
                }
            }
            config.alert_subscriptions = L.alert_subscriptions(*root);
        }
    }
    L.finish();
    return config;
}

LeafConfig load_leaf_config(const std::string& path, Maturity maturity, const EnvironmentLookup& lookup) {
    Loader L(path, lookup);
    LeafConfig config;
    config.file = path;
    config.maturity = maturity;
    if (auto doc = L.parse()) {
        if (auto root = L.fields(Item{*doc, doc->Mark(), "", YAML::Mark()}, kLeafKeys, "keys: " + join(kLeafKeys))) {
            if (auto ec2 = L.section(*root, config_key(kLeafSpec, "Ec2"), "'InstanceType: <e.g. m5.large>'")) {
                if (auto item = L.get(*ec2, config_key(kLeafSpec, "Ec2.InstanceType"), "<e.g. m5.large>")) {
                    if (auto type = L.string_value(*item, "an instance type such as m5.large")) {
                        if (instance_type_form(*type))
                            config.ec2.instance_type = *type;
                        else if (instance_type_form(lower(trim(*type))))
                            L.problem(item->mark, item->path,
                                      "instance type " + in_quotes(*type) + " is not valid; did you mean " +
                                          in_quotes(lower(trim(*type))) + "? (instance types are lower-case)");
                        else
                            L.problem(item->mark, item->path,
                                      "instance type " + in_quotes(*type) +
                                          " is not of the form family.size; write e.g. 'm5.large' or 't4g.nano'");
                    }
                }
            }
            read_container(L, *root, config);
            read_volumes(L, *root, config);
            read_watchdog(L, *root, config);
            config.alert_subscriptions = L.alert_subscriptions(*root);
            if (auto dashboard = L.section(*root, config_key(kLeafSpec, "Dashboard"))) {
                L.opt_bool(*dashboard, "Enabled", config.dashboard.enabled);
                L.opt_int(*dashboard, config_key(kLeafSpec, "Dashboard.IntervalMinutes"), config.dashboard.interval_minutes,
                          "use 1 or more (minutes)");
                L.opt_bool(*dashboard, "ShowContainerTimestamp", config.dashboard.show_container_timestamp);
            }
        }
    }
    L.finish();
    return config;
}

} // namespace leafsynth::containermanager
