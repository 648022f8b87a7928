#pragma once
/// @file pattern.hpp
/// Internal: the `pattern` of a resource schema (a JSON Schema regular expression) matched with
/// PCRE2, each pattern compiled once.

#include <optional>
#include <string_view>

namespace leafsynth::cfn::detail {

/// Whether `text` contains a match of `pattern` (JSON Schema semantics: a search, anchored only
/// where the pattern says `^`/`$`; `\uXXXX` escapes as ECMA-262 writes them). Empty when the
/// pattern cannot be checked: PCRE2 cannot compile it (a few schema patterns use Java classes such
/// as `\p{Graph}`, ranges of UTF-16 surrogates, or ranges like `[\w-.]` that JavaScript reads
/// loosely) or the match gives up (PCRE2's match limit). Thread-safe.
std::optional<bool> pattern_matches(std::string_view pattern, std::string_view text);

/// Whether PCRE2 compiles `pattern` (for the test that says which schema patterns are not checked).
bool pattern_compiles(std::string_view pattern);

} // namespace leafsynth::cfn::detail
