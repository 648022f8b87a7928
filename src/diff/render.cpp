// The reports of `leafsynth diff`: human text (optionally coloured) and JSON.

#include <algorithm>
#include <sstream>

#include "diff/diff_internal.hpp"

namespace leafsynth {

namespace detail {
namespace {

constexpr std::size_t kMaxValueWidth = 160;

/// ANSI styles, or nothing when colour is off.
struct Style {
    bool on = false;
    std::string wrap(const std::string& code, const std::string& text) const {
        return on ? "\x1b[" + code + "m" + text + "\x1b[0m" : text;
    }
    std::string added(const std::string& t) const { return wrap("32", t); }
    std::string removed(const std::string& t) const { return wrap("31", t); }
    std::string modified(const std::string& t) const { return wrap("33", t); }
    std::string danger(const std::string& t) const { return wrap("1;31", t); }
    std::string bold(const std::string& t) const { return wrap("1", t); }
    std::string dim(const std::string& t) const { return wrap("2", t); }
    std::string kind(ChangeKind k, const std::string& t) const {
        return k == ChangeKind::Added ? added(t) : k == ChangeKind::Removed ? removed(t) : modified(t);
    }
};

std::string marker(ChangeKind k) {
    return k == ChangeKind::Added ? "[+]" : k == ChangeKind::Removed ? "[-]" : "[~]";
}

std::string shown(const json& value) {
    std::string text = compact(value);
    if (text.size() <= kMaxValueWidth) return text;
    std::size_t cut = kMaxValueWidth - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut; // not inside a UTF-8 sequence
    return text.substr(0, cut) + "...";
}

/// Two long strings that differ somewhere in the middle (a dashboard body, a policy in a JSON
/// string): the part that differs with some context on each side.
std::pair<std::string, std::string> excerpts(const std::string& a, const std::string& b) {
    constexpr std::size_t kContext = 40;
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
    // Do not cut a UTF-8 sequence in two.
    auto cut_start = [&](const std::string& s, std::size_t at) {
        while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
        return at;
    };
    auto part = [&](const std::string& s) {
        const std::size_t start = cut_start(s, pre > kContext ? pre - kContext : 0);
        std::size_t end = std::min(s.size(), s.size() - suf + kContext);
        while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
        std::string text = json(s.substr(start, end - start)).dump(-1, ' ', false, json::error_handler_t::replace);
        if (start > 0) text = "..." + text;
        if (end < s.size()) text += "...";
        return text;
    };
    return {part(a), part(b)};
}

std::string value_change_line(const ValueChange& c) {
    switch (c.kind) {
    case ChangeKind::Added: return c.path + ": " + shown(c.new_value);
    case ChangeKind::Removed: return c.path + ": " + shown(c.old_value);
    case ChangeKind::Modified:
        if (c.old_value.is_string() && c.new_value.is_string() &&
            (c.old_value.get_ref<const std::string&>().size() > kMaxValueWidth / 2 ||
             c.new_value.get_ref<const std::string&>().size() > kMaxValueWidth / 2)) {
            const auto [a, b] = excerpts(c.old_value.get<std::string>(), c.new_value.get<std::string>());
            return c.path + ": " + a + " -> " + b;
        }
        return c.path + ": " + shown(c.old_value) + " -> " + shown(c.new_value);
    }
    return c.path;
}

std::string impact_text(Impact impact) {
    switch (impact) {
    case Impact::UpdateInPlace: return "update in place";
    case Impact::MayReplace: return "MAY BE REPLACED";
    case Impact::WillReplace: return "WILL BE REPLACED";
    case Impact::None: return "";
    }
    return "";
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        auto nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) return out;
        start = nl + 1;
    }
}

/// Display width of UTF-8 text (code points; the tables hold no wide characters).
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// A boxed table; cells may hold several lines; `row_style` colours each data row.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& row_codes, const Style& style, const std::string& indent) {
    std::vector<std::size_t> widths(header.size(), 0);
    for (std::size_t c = 0; c < header.size(); ++c) widths[c] = width(header[c]);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            for (const auto& line : split_lines(row[c])) widths[c] = std::max(widths[c], width(line));
    std::string rule = indent + "+";
    for (auto w : widths) rule += std::string(w + 2, '-') + "+";
    rule += "\n";
    auto line_of = [&](const std::vector<std::string>& cells, std::size_t k) {
        std::string out = indent + "|";
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const auto lines = split_lines(cells[c]);
            const std::string text = k < lines.size() ? lines[k] : "";
            out += " " + text + std::string(widths[c] - width(text), ' ') + " |";
        }
        return out;
    };
    std::string out = rule + line_of(header, 0) + "\n" + rule;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::size_t height = 1;
        for (const auto& cell : rows[r]) height = std::max(height, split_lines(cell).size());
        for (std::size_t k = 0; k < height; ++k) out += style.wrap(row_codes[r], line_of(rows[r], k)) + "\n";
    }
    return out + rule;
}

std::string row_code(ChangeKind k, bool widening) {
    if (widening) return "31";
    return k == ChangeKind::Added ? "32" : k == ChangeKind::Removed ? "31" : "33";
}

std::string sign(ChangeKind k) { return k == ChangeKind::Added ? "+" : k == ChangeKind::Removed ? "-" : "~"; }

void render_security(const SecurityChanges& s, const Style& style, const std::string& indent, std::ostringstream& out) {
    if (s.empty()) return;
    out << indent << style.bold("Security changes") << "\n";
    const std::string in = indent + "  ";
    if (!s.statements.empty()) {
        out << in << "IAM statements\n";
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> codes;
        for (const auto& st : s.statements) {
            std::string note = st.widening ? "WIDENS" : "";
            for (const auto& n : st.notes) note += (note.empty() ? "" : "\n") + n;
            rows.push_back({sign(st.kind), st.holder + "\n" + st.location, st.effect, join(st.actions, "\n"),
                            join(st.principals, "\n"), join(st.resources, "\n"), st.condition, note});
            codes.push_back(row_code(st.kind, st.widening));
        }
        out << table({"", "Where", "Effect", "Action", "Principal", "Resource", "Condition", "Note"}, rows, codes,
                     style, in);
    }
    if (!s.managed_policies.empty()) {
        out << in << "Managed policy attachments\n";
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> codes;
        for (const auto& m : s.managed_policies) {
            rows.push_back({sign(m.kind), m.holder, m.policy, m.widening ? "WIDENS" : ""});
            codes.push_back(row_code(m.kind, m.widening));
        }
        out << table({"", "Where", "Managed policy", "Note"}, rows, codes, style, in);
    }
    if (!s.rules.empty()) {
        out << in << "Security group rules\n";
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> codes;
        for (const auto& r : s.rules) {
            std::string note = r.widening ? "WIDENS" : "";
            for (const auto& n : r.notes) note += (note.empty() ? "" : "\n") + n;
            rows.push_back({sign(r.kind), r.holder, r.group, r.direction, r.protocol, r.ports, r.peer, r.description,
                            note});
            codes.push_back(row_code(r.kind, r.widening));
        }
        out << table({"", "Where", "Group", "Dir", "Protocol", "Ports", "Peer", "Description", "Note"}, rows, codes,
                     style, in);
    }
}

void render_template(const TemplateDiff& d, const Style& style, const std::string& indent, std::ostringstream& out) {
    const std::string in = indent + "  ";
    const std::string in2 = indent + "      ";
    if (!d.sections.empty()) {
        out << indent << style.bold("Template") << "\n";
        for (const auto& c : d.sections)
            out << in << style.kind(c.kind, marker(c.kind) + " " + value_change_line(c)) << "\n";
    }
    std::string section;
    for (const auto& e : d.entries) {
        if (e.section != section) {
            section = e.section;
            out << indent << style.bold(section) << "\n";
        }
        out << in << style.kind(e.kind, marker(e.kind) + " " + join_path("", e.name)) << "\n"; // quoted when unusual
        for (const auto& c : e.changes)
            out << in2 << style.kind(c.kind, marker(c.kind) + " " + value_change_line(c)) << "\n";
    }
    if (!d.resources.empty()) out << indent << style.bold("Resources") << "\n";
    for (const auto& r : d.resources) {
        std::string head = marker(r.kind) + " " + r.type() + " " + r.logical_id;
        std::string line = style.kind(r.kind, head);
        if (!r.counterpart.empty())
            line += style.bold(r.kind == ChangeKind::Added ? "  replaces " + r.counterpart + " (new logical id)"
                                                           : "  replaced by " + r.counterpart + " (new logical id)");
        if (r.kind == ChangeKind::Modified) {
            const std::string impact = impact_text(r.impact);
            line += "  " + (r.impact == Impact::UpdateInPlace ? style.dim(impact) : style.danger(impact));
            if (!r.reasons.empty()) line += " (" + join(r.reasons, "; ") + ")";
        }
        out << in << line << "\n";
        for (const auto& h : r.hazards) out << in2 << style.danger("!!! " + h) << "\n";
        for (const auto& c : r.changes)
            out << in2 << style.kind(c.kind, marker(c.kind) + " " + value_change_line(c)) << "\n";
    }
    render_security(d.security, style, indent, out);
}

std::string status_text(StackStatus s) {
    switch (s) {
    case StackStatus::Added: return "new stack: every resource is added";
    case StackStatus::Removed: return "only in the old output: every resource is removed";
    case StackStatus::Modified: return "modified";
    case StackStatus::Unchanged: return "no differences";
    }
    return "";
}

/// True when the stack or a nested one carries notes (shown even when unchanged).
bool has_notes(const StackDiff& s) {
    return !s.notes.empty() || std::any_of(s.nested.begin(), s.nested.end(), has_notes);
}

void render_stack(const StackDiff& s, const Style& style, const std::string& indent, bool nested,
                  std::ostringstream& out) {
    std::string title = nested ? "Nested stack " + s.name : "Stack " + s.name;
    if (!s.region.empty()) title += " (" + s.region + ")";
    const std::string status = status_text(s.status);
    out << indent << style.bold(title) << ": "
        << (s.status == StackStatus::Unchanged ? style.dim(status)
            : s.status == StackStatus::Added   ? style.added(status)
            : s.status == StackStatus::Removed ? style.removed(status)
                                               : style.modified(status))
        << "\n";
    for (const auto& n : s.notes) out << indent << "  note: " << n << "\n";
    if (s.status != StackStatus::Unchanged) render_template(s.diff, style, indent + "  ", out);
    for (const auto& child : s.nested)
        if (child.has_differences() || has_notes(child)) render_stack(child, style, indent + "  ", true, out);
}

/// Counts over a whole comparison.
struct Totals {
    std::size_t stacks = 0, differing = 0, added = 0, removed = 0, modified = 0, will = 0, may = 0;
    std::size_t other = 0, security = 0, widening = 0;
    std::vector<std::string> hazards; // "<stack path>: <logical id>: <hazard>"
    std::vector<std::string> widenings;
};

void count(const StackDiff& s, const std::string& path, Totals& t) {
    ++t.stacks;
    t.differing += s.has_differences();
    for (const auto& r : s.diff.resources) {
        if (r.kind == ChangeKind::Added) ++t.added;
        else if (r.kind == ChangeKind::Removed) ++t.removed;
        else ++t.modified;
        t.will += r.impact == Impact::WillReplace;
        t.may += r.impact == Impact::MayReplace;
        for (const auto& h : r.hazards) t.hazards.push_back(path + ": " + r.logical_id + ": " + h);
    }
    t.other += s.diff.sections.size() + s.diff.entries.size();
    const auto& sec = s.diff.security;
    t.security += sec.statements.size() + sec.managed_policies.size() + sec.rules.size();
    t.widening += sec.widening_count();
    for (const auto& c : s.nested) count(c, path + "/" + c.name, t);
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

json value_change_json(const ValueChange& c) {
    json j = {{"path", c.path}, {"kind", to_string(c.kind)}};
    if (c.kind != ChangeKind::Added) j["old"] = c.old_value;
    if (c.kind != ChangeKind::Removed) j["new"] = c.new_value;
    return j;
}

json changes_json(const std::vector<ValueChange>& changes) {
    json out = json::array();
    for (const auto& c : changes) out.push_back(value_change_json(c));
    return out;
}

json security_json(const SecurityChanges& s) {
    json statements = json::array(), managed = json::array(), rules = json::array();
    for (const auto& st : s.statements)
        statements.push_back({{"kind", to_string(st.kind)},
                              {"holder", st.holder},
                              {"holder_type", st.holder_type},
                              {"location", st.location},
                              {"effect", st.effect},
                              {"actions", st.actions},
                              {"principals", st.principals},
                              {"resources", st.resources},
                              {"condition", st.condition},
                              {"statement", st.statement},
                              {"widening", st.widening},
                              {"notes", st.notes}});
    for (const auto& m : s.managed_policies)
        managed.push_back(
            {{"kind", to_string(m.kind)}, {"holder", m.holder}, {"policy", m.policy}, {"widening", m.widening}});
    for (const auto& r : s.rules)
        rules.push_back({{"kind", to_string(r.kind)},
                         {"holder", r.holder},
                         {"group", r.group},
                         {"direction", r.direction},
                         {"protocol", r.protocol},
                         {"ports", r.ports},
                         {"peer", r.peer},
                         {"description", r.description},
                         {"rule", r.rule},
                         {"widening", r.widening},
                         {"notes", r.notes}});
    return {{"iam_statements", statements}, {"managed_policies", managed}, {"security_group_rules", rules}};
}

json stack_json(const StackDiff& s) {
    json resources = json::array();
    for (const auto& r : s.diff.resources) {
        json j = {{"logical_id", r.logical_id}, {"kind", to_string(r.kind)}, {"type", r.type()},
                  {"impact", to_string(r.impact)}, {"reasons", r.reasons},  {"stateful", r.stateful},
                  {"hazards", r.hazards},          {"changes", changes_json(r.changes)}};
        if (!r.counterpart.empty()) j["counterpart"] = r.counterpart;
        if (!r.caused_by.empty()) j["caused_by"] = r.caused_by;
        if (r.kind == ChangeKind::Modified && r.old_type != r.new_type) {
            j["old_type"] = r.old_type;
            j["new_type"] = r.new_type;
        }
        resources.push_back(std::move(j));
    }
    json entries = json::array();
    for (const auto& e : s.diff.entries)
        entries.push_back({{"section", e.section},
                           {"name", e.name},
                           {"kind", to_string(e.kind)},
                           {"changes", changes_json(e.changes)}});
    json nested = json::array();
    for (const auto& c : s.nested) nested.push_back(stack_json(c));
    return {{"name", s.name},
            {"region", s.region},
            {"status", to_string(s.status)},
            {"old_template", s.old_template},
            {"new_template", s.new_template},
            {"notes", s.notes},
            {"deployed_status", s.deployed_status},
            {"sections", changes_json(s.diff.sections)},
            {"entries", entries},
            {"resources", resources},
            {"security", security_json(s.diff.security)},
            {"nested", nested}};
}

} // namespace

std::string change_line(const ValueChange& c) { return marker(c.kind) + " " + value_change_line(c); }

} // namespace detail

std::string render_diff(const AssemblyDiff& diff, const DiffRenderOptions& options) {
    using namespace detail;
    Style style{options.color};
    std::ostringstream out;
    Totals totals;
    for (const auto& s : diff.stacks) {
        render_stack(s, style, "", false, out);
        count(s, s.name, totals);
    }
    out << "\n";
    if (!diff.has_differences()) {
        out << "No differences (" << plural(totals.stacks, "stack") << " compared, nested stacks included).\n";
        return out.str();
    }
    if (!totals.hazards.empty()) {
        out << style.danger("!!! " + plural(totals.hazards.size(), "hazard") + ": data may be lost or kept behind") << "\n";
        for (const auto& h : totals.hazards) out << style.danger("  " + h) << "\n";
    }
    out << "Summary: " << totals.differing << " of " << plural(totals.stacks, "stack")
        << " differ (nested included); resources: " << totals.added << " added, " << totals.modified << " modified ("
        << totals.will << " will be replaced, " << totals.may << " may be replaced), " << totals.removed
        << " removed; " << plural(totals.other, "other template change") << "; "
        << plural(totals.security, "security change") << " (" << totals.widening << " widening).\n";
    return out.str();
}

nlohmann::json diff_to_json(const AssemblyDiff& diff) {
    using namespace detail;
    Totals totals;
    json stacks = json::array();
    for (const auto& s : diff.stacks) {
        stacks.push_back(stack_json(s));
        count(s, s.name, totals);
    }
    return {{"differences", diff.has_differences()},
            {"summary",
             {{"stacks", totals.stacks},
              {"stacks_differing", totals.differing},
              {"resources_added", totals.added},
              {"resources_modified", totals.modified},
              {"resources_removed", totals.removed},
              {"will_replace", totals.will},
              {"may_replace", totals.may},
              {"other_changes", totals.other},
              {"security_changes", totals.security},
              {"widening", totals.widening},
              {"hazards", totals.hazards}}},
            {"stacks", stacks}};
}

} // namespace leafsynth
