#include "detail/property_path.hpp"

#include <charconv>

#include "detail/text.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth::detail {

namespace {

std::string what_and_path(std::string_view what, std::string_view path) {
    return std::string(what) + " " + quote_excerpt(path);
}

std::string valid_indices(std::size_t size) {
    return size == 0 ? std::string("the list is empty") : "use an index from 0 to " + std::to_string(size - 1);
}

} // namespace

std::vector<std::string> split_property_path(std::string_view path, const std::string& construct_path,
                                             std::string_view what) {
    auto fail = [&](const std::string& why) {
        throw ConstructError("'" + construct_path + "': " + what_and_path(what, path) + ": " + why +
                             "; write segments separated by '.', with '\\.' for a dot and '\\\\' for a backslash "
                             "inside a segment");
    };
    if (path.empty()) fail("the path is empty");
    std::vector<std::string> segments(1);
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '\\') {
            if (i + 1 == path.size() || (path[i + 1] != '.' && path[i + 1] != '\\'))
                fail("a backslash at character " + std::to_string(i + 1) + " escapes nothing");
            segments.back() += path[++i];
        } else if (c == '.') {
            if (segments.back().empty()) fail("segment " + std::to_string(segments.size()) + " is empty");
            segments.emplace_back();
        } else {
            segments.back() += c;
        }
    }
    if (segments.back().empty()) fail("segment " + std::to_string(segments.size()) + " is empty");
    return segments;
}

std::optional<std::size_t> list_index(std::string_view segment) {
    if (!all_of_length(segment, 1, segment.size(), is_digit)) return std::nullopt;
    std::size_t index = 0;
    auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
    // Too large for size_t: past the end of any list.
    if (error != std::errc() || end != segment.data() + segment.size()) return static_cast<std::size_t>(-1);
    return index;
}

std::string join_property_path(const std::vector<std::string>& segments, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && i < segments.size(); ++i) {
        if (i > 0) out += '.';
        for (char c : segments[i]) {
            if (c == '.' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out;
}

std::string index_past_end(std::string_view what, std::string_view path, const std::vector<std::string>& segments,
                           std::size_t depth, std::size_t size) {
    return what_and_path(what, path) + ": index " + segments[depth] + " is past the end of the list at '" +
           join_property_path(segments, depth) + "', which has " + std::to_string(size) +
           (size == 1 ? " element" : " elements") + "; " + valid_indices(size);
}

std::string not_an_index(std::string_view what, std::string_view path, const std::vector<std::string>& segments,
                         std::size_t depth, std::size_t size) {
    return what_and_path(what, path) + ": '" + join_property_path(segments, depth) + "' is a list, so '" +
           segments[depth] + "' must be an element's index; " + valid_indices(size);
}

} // namespace leafsynth::detail
