#pragma once
/// @file near_miss.hpp
/// Internal: "did you mean" suggestions, shared by the config loader, the diff reader and the
/// schema check.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leafsynth::detail {

/// Case-insensitive optimal-string-alignment distance (a transposition counts as one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate `word` most likely stands for: a case-insensitive match, else the closest one
/// within two edits (and fewer edits than the candidate has characters, so short words do not
/// match anything); nullopt for words over 64 characters.
std::optional<std::string> near_miss(std::string_view word, const std::vector<std::string_view>& candidates);

} // namespace leafsynth::detail
