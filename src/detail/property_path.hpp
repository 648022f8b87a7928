#pragma once
// Internal: the path syntax of CfnResource::set_property and the overrides (`Properties.Rules.0.Id`,
// `a\.b`), shared by the resource and the template builder.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leafsynth::detail {

/// The segments of `path`: `.` separates them, `\.` is a literal dot and `\\` a backslash.
/// Throws ConstructError naming `construct_path`, `what` (e.g. `add_override`) and the path when
/// it is empty, has an empty segment, or has a backslash before anything else.
std::vector<std::string> split_property_path(std::string_view path, const std::string& construct_path,
                                             std::string_view what);

/// The list index a segment stands for when it is a non-negative integer (digits only), else nothing.
std::optional<std::size_t> list_index(std::string_view segment);

/// The first `count` segments joined back into a path, dots and backslashes escaped.
std::string join_property_path(const std::vector<std::string>& segments, std::size_t count);

/// The message (without the construct path, which the caller puts first) for an index past the
/// end of a list: `what` and its `path`, which list (the first `depth` segments), its length and
/// how to fix it.
std::string index_past_end(std::string_view what, std::string_view path, const std::vector<std::string>& segments,
                           std::size_t depth, std::size_t size);

/// The message (without the construct path) for segment `depth`, which is not an index, where the
/// value is a list of `size` elements.
std::string not_an_index(std::string_view what, std::string_view path, const std::vector<std::string>& segments,
                         std::size_t depth, std::size_t size);

} // namespace leafsynth::detail
