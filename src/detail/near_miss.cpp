#include "detail/near_miss.hpp"

#include <algorithm>

namespace leafsynth::detail {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

} // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // three rolling rows: the transposition looks two rows back
    std::vector<std::size_t> two(b.size() + 1), one(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) one[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            row[j] = std::min({one[j] + 1, row[j - 1] + 1, one[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
                row[j] = std::min(row[j], two[j - 2] + 1);
        }
        std::swap(two, one);
        std::swap(one, row);
    }
    return one[b.size()];
}

std::optional<std::string> near_miss(std::string_view word, const std::vector<std::string_view>& candidates) {
    if (word.size() > 64) return std::nullopt; // no key is that long, and the distance table would be huge
    for (auto c : candidates)
        if (iequals(word, c)) return std::string(c);
    std::optional<std::string> best;
    std::size_t best_distance = 3;
    for (auto c : candidates) {
        if (c.size() > word.size() + 2 || word.size() > c.size() + 2) continue; // more than two edits apart
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance && d < c.size()) {
            best_distance = d;
            best = std::string(c);
        }
    }
    return best;
}

} // namespace leafsynth::detail
