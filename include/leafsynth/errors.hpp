#pragma once
/// @file errors.hpp
/// The exceptions leafsynth throws. Each carries what is wrong and where.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leafsynth {

/// Base class of every leafsynth error.
class Error : public std::runtime_error {
public:
    /// An error with a one-line message.
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Misuse of the construct tree (an id clash, an invalid id), raised where it happens.
class ConstructError : public Error {
public:
    using Error::Error;
};

/// Input that cannot be used (a config file, a command-line value).
class InputError : public Error {
public:
    using Error::Error;
};

/// Every problem found while validating an app, each prefixed with its construct path.
class ValidationError : public Error {
public:
    /// Collects the messages; what() lists them all, one per line.
    explicit ValidationError(std::vector<std::string> messages);
    /// The individual messages, in the order they were found: each construct's own checks in
    /// construct-tree order, then the problems found while linking and building each template.
    const std::vector<std::string>& messages() const { return messages_; }

private:
    std::vector<std::string> messages_;
};

/// `text` as an error message may show it: on one line (newlines, tabs, backslashes and other
/// control characters, and bytes that are not UTF-8, written as `\n`, `\t`, `\\`, `\xNN`), cut
/// after `max_chars` characters with the total length said (`aaaa... (30000 bytes in all)`), so a
/// message never echoes a whole file or splits across lines.
std::string one_line_excerpt(std::string_view text, std::size_t max_chars = 80);

/// one_line_excerpt() in single quotes: `'aaaa...' (30000 bytes in all)`.
std::string quote_excerpt(std::string_view text, std::size_t max_chars = 80);

} // namespace leafsynth
