#include "cli_reference.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

namespace leafsynth::cli {

namespace {

/// What an option's or argument's value is completed with.
enum class ValueKind { None, File, Dir, Profile, Choice };

/// One option or positional argument, as the reference documents it.
struct OptionInfo {
    std::vector<std::string> names; ///< `-o`, `--output`; empty for a positional argument
    std::string positional;         ///< the argument's name (`configs`), for a positional
    std::string description;
    std::string value_name;          ///< `FILE`, `DIR`, `TEXT`, `INT` ...; empty for a flag
    std::vector<std::string> choices; ///< an IsMember check's words
    ValueKind kind = ValueKind::None;
    bool repeatable = false; ///< an option given more than once, or an argument taking several values
    bool required = false;
};

/// One subcommand.
struct CommandInfo {
    std::string name, description, footer;
    std::vector<OptionInfo> options;     ///< in the order they were added, --help first
    std::vector<OptionInfo> positionals;
};

OptionInfo option_info(const CLI::Option& opt) {
    OptionInfo o;
    o.description = opt.get_description();
    o.required = opt.get_required();
    if (opt.get_positional()) o.positional = opt.get_name(true, false);
    for (const auto& s : opt.get_snames()) o.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) o.names.push_back("--" + l);
    if (opt.get_type_size() != 0) {
        const std::string full = opt.get_type_name(); // e.g. TEXT:{json,yaml}
        o.value_name = full.substr(0, full.find(':'));
        if (auto open = full.find(":{"); open != std::string::npos) {
            const auto close = full.find('}', open);
            std::string_view list(full.data() + open + 2, close - open - 2);
            while (!list.empty()) {
                const auto comma = list.find(',');
                o.choices.emplace_back(list.substr(0, comma));
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        }
        o.kind = !o.choices.empty()            ? ValueKind::Choice
                 : o.value_name == "FILE"      ? ValueKind::File
                 : o.value_name == "DIR"       ? ValueKind::Dir
                 : o.value_name == "PROFILE"   ? ValueKind::Profile
                                               : ValueKind::None;
        o.repeatable = opt.get_expected_max() > 1 || opt.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    }
    return o;
}

/// The visible subcommands (a hidden one has an empty group), in the order they were added.
std::vector<CommandInfo> commands_of(const CLI::App& cli) {
    std::vector<CommandInfo> out;
    const std::string inherited = cli.get_footer(); // CLI11 gives a subcommand its parent's footer
    for (const CLI::App* sub : cli.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
        CommandInfo c{.name = sub->get_name(), .description = sub->get_description(), .footer = sub->get_footer() == inherited ? "" : sub->get_footer(),
                      .options = {}, .positionals = {}};
        for (const CLI::Option* opt : sub->get_options()) {
            OptionInfo o = option_info(*opt);
            (o.positional.empty() ? c.options : c.positionals).push_back(std::move(o));
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<OptionInfo> top_options(const CLI::App& cli) {
    std::vector<OptionInfo> out;
    for (const CLI::Option* opt : cli.get_options()) out.push_back(option_info(*opt));
    return out;
}

// --- man page ---

/// Text for roff: backslashes escaped, dashes as minus signs, no control word at a line's start.
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
        line_start = c == '\n';
    }
    return out;
}

/// `.TP` paragraph of one option: `-o, --output DIR` and its description.
void man_option(std::string& out, const OptionInfo& o) {
    out += ".TP\n";
    std::string head;
    for (const auto& n : o.names) head += (head.empty() ? "" : ", ") + std::string("\\fB") + roff(n) + "\\fR";
    if (!o.value_name.empty()) head += " \\fI" + roff(o.value_name) + "\\fR";
    out += head + "\n" + roff(o.description);
    if (!o.choices.empty()) {
        std::string words;
        for (const auto& c : o.choices) words += (words.empty() ? "" : ", ") + c;
        out += " (one of: " + roff(words) + ")";
    }
    if (o.repeatable) out += "; repeatable";
    out += ".\n";
}

/// The lines of `text` between a line starting with `heading` and the next empty line.
std::vector<std::string> paragraph_after(const std::string& text, std::string_view heading) {
    std::vector<std::string> lines;
    bool in = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!in && line.starts_with(heading)) {
            in = true;
            line = line.substr(heading.size());
            while (!line.empty() && line.front() == ' ') line.erase(0, 1);
            if (!line.empty()) lines.push_back(line);
        } else if (in) {
            if (line.empty()) break;
            lines.push_back(line);
        }
        start = end + 1;
    }
    return lines;
}

std::string synopsis_of(const CommandInfo& c) {
    std::string s = "\\fBleafsynth " + roff(c.name) + "\\fR";
    for (const auto& p : c.positionals) {
        const std::string arg = "\\fI" + roff(p.positional) + "\\fR" + (p.repeatable ? " ..." : "");
        s += p.required ? " " + arg : " [" + arg + "]";
    }
    s += " [\\fIoptions\\fR]";
    return s;
}

} // namespace

std::string man_page(const CLI::App& cli, std::string_view version) {
    const std::vector<CommandInfo> commands = commands_of(cli);
    std::string out;
    out += fmt::format(".TH LEAFSYNTH 1 \"\" \"leafsynth {}\" \"User Commands\"\n", version);
    std::string summary = cli.get_description();
    if (summary.starts_with("leafsynth: ")) summary = summary.substr(11);
    if (!summary.empty() && summary.back() == '.') summary.pop_back();
    out += ".SH NAME\nleafsynth \\- " + roff(summary) + "\n";
    out += ".SH SYNOPSIS\n";
    for (const auto& c : commands) out += synopsis_of(c) + "\n.br\n";
    out += "\\fBleafsynth\\fR \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n";
    out += ".SH DESCRIPTION\n" + roff(cli.get_description()) + "\n";
    out += ".PP\nEach command prints its own help with \\fB\\-\\-help\\fR; `\\fBleafsynth completion bash\\fR|\\fBzsh\\fR' "
           "prints a completion script.\n";
    out += ".SH OPTIONS\n";
    for (const auto& o : top_options(cli)) man_option(out, o);
    out += ".SH COMMANDS\n";
    for (const auto& c : commands) {
        out += ".SS \"" + roff(c.name) + "\"\n" + synopsis_of(c) + "\n.PP\n" + roff(c.description) + ".\n";
        for (const auto& p : c.positionals) {
            out += ".TP\n\\fI" + roff(p.positional) + "\\fR\n" + roff(p.description) + ".\n";
        }
        for (const auto& o : c.options) man_option(out, o);
        if (!c.footer.empty()) {
            std::string text = roff(c.footer);
            for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 5)) text.replace(at, 1, "\n.br\n");
            out += ".PP\n" + text + "\n";
        }
    }
    const std::string footer = cli.get_footer();
    if (auto exit_codes = paragraph_after(footer, "Exit codes:"); !exit_codes.empty()) {
        out += ".SH \"EXIT STATUS\"\n";
        for (const auto& l : exit_codes) out += roff(l) + "\n";
    }
    out += ".SH ENVIRONMENT\n"
           ".TP\n\\fBAWS_REGION\\fR, \\fBAWS_DEFAULT_REGION\\fR\nThe main region when \\fB\\-\\-region\\fR is not given.\n"
           ".TP\n\\fBAWS_PROFILE\\fR\nThe AWS profile when \\fB\\-\\-profile\\fR is not given.\n"
           ".TP\n\\fBNO_COLOR\\fR\nWhen set and not empty, no colours.\n"
           ".TP\n\\fBLEAFSYNTH_LAMBDA_DIR\\fR\nThe folder of the Lambda handlers the stacks package (by default "
           "\\fIshare/leafsynth/lambda\\fR beside the installed program).\n";
    if (auto examples = paragraph_after(footer, "Examples:"); !examples.empty()) {
        out += ".SH EXAMPLES\n";
        for (const auto& l : examples) {
            // "  leafsynth synth ...   what it does": the command, then its comment.
            std::string_view line = l;
            while (line.starts_with(' ')) line.remove_prefix(1);
            const auto gap = line.find("  ");
            std::string_view command = line.substr(0, gap), comment;
            if (gap != std::string_view::npos) {
                comment = line.substr(gap);
                while (comment.starts_with(' ')) comment.remove_prefix(1);
            }
            out += ".TP\n\\fB" + roff(command) + "\\fR\n" + (comment.empty() ? std::string() : roff(comment)) + "\n";
        }
    }
    out += ".SH \"SEE ALSO\"\n\\fBcfn\\-lint\\fR(1), \\fBaws\\fR(1), \\fBcdk\\fR(1)\n";
    return out;
}

namespace {

// --- completion ---

std::string joined(const std::vector<std::string>& words, std::string_view sep = " ") {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
    return out;
}

/// The bash commands that fill COMPREPLY for a value of `kind`.
std::string bash_values(const OptionInfo& o) {
    switch (o.kind) {
    case ValueKind::Choice: return "COMPREPLY=($(compgen -W \"" + joined(o.choices) + "\" -- \"$cur\"))";
    case ValueKind::File: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))";
    case ValueKind::Dir: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))";
    case ValueKind::Profile: return "COMPREPLY=($(compgen -W \"$(_leafsynth_profiles)\" -- \"$cur\"))";
    case ValueKind::None: return "COMPREPLY=()";
    }
    return "COMPREPLY=()";
}

std::string bash_script(const CLI::App& cli) {
    const std::vector<CommandInfo> commands = commands_of(cli);
    std::vector<std::string> names, top;
    for (const auto& c : commands) names.push_back(c.name);
    for (const auto& o : top_options(cli))
        for (const auto& n : o.names) top.push_back(n);
    std::string out =
        "# bash completion for leafsynth, written by `leafsynth completion bash`.\n"
        "# Install: leafsynth completion bash > ~/.local/share/bash-completion/completions/leafsynth\n"
        "\n"
        "_leafsynth_profiles() {\n"
        "    sed -n -e 's/^\\[profile  *\\([^]]*\\)\\].*/\\1/p' -e 's/^\\[\\([^] ]*\\)\\].*/\\1/p' \\\n"
        "        \"${AWS_CONFIG_FILE:-$HOME/.aws/config}\" \"${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}\" "
        "2>/dev/null | sort -u\n"
        "}\n"
        "\n"
        "_leafsynth() {\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n"
        "    # --name=value: bash splits at '='\n"
        "    if [[ $cur == = ]]; then cur=; elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "        case ${COMP_WORDS[i]} in\n"
        "            " + joined(names, "|") + ") cmd=${COMP_WORDS[i]}; break ;;\n"
        "        esac\n"
        "    done\n"
        "    if [[ -z $cmd ]]; then\n"
        "        COMPREPLY=($(compgen -W \"" + joined(names) + " " + joined(top) + "\" -- \"$cur\"))\n"
        "        return\n"
        "    fi\n"
        "    case $cmd in\n";
    for (const auto& c : commands) {
        out += "    " + c.name + ")\n";
        std::vector<std::string> flags;
        std::string values;
        for (const auto& o : c.options) {
            for (const auto& n : o.names) flags.push_back(n);
            if (o.value_name.empty()) continue;
            values += "            " + joined(o.names, "|") + ") " + bash_values(o) + "; return ;;\n";
        }
        if (!values.empty()) out += "        case $prev in\n" + values + "        esac\n";
        out += "        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"" + joined(flags) +
               "\" -- \"$cur\")); return; fi\n";
        out += "        " + (c.positionals.empty() ? std::string("COMPREPLY=()") : bash_values(c.positionals.front())) +
               "\n        ;;\n";
    }
    out += "    esac\n"
           "}\n"
           "complete -F _leafsynth leafsynth\n";
    return out;
}

/// Text for a zsh single-quoted string.
std::string zsh_quoted(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out;
}

/// A description for an `_arguments` spec: brackets and backslashes escaped, one line.
std::string zsh_description(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '[' || c == ']' || c == '\\') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return zsh_quoted(out);
}

std::string zsh_action(const OptionInfo& o) {
    switch (o.kind) {
    case ValueKind::Choice: return "(" + joined(o.choices) + ")";
    case ValueKind::File: return "_files";
    case ValueKind::Dir: return "_files -/";
    case ValueKind::Profile: return "_leafsynth_profiles";
    case ValueKind::None: return " ";
    }
    return " ";
}

/// One `_arguments` spec per option: `'(-o --output)'{-o,--output}'[Output folder]:DIR:_files -/'`;
/// `exclusion` replaces the list of what the option excludes (`- *`: everything).
std::string zsh_spec(const OptionInfo& o, const std::string& exclusion_list = "") {
    std::string spec;
    const std::string desc = "[" + zsh_description(o.description) + "]";
    const std::string value =
        o.value_name.empty() ? "" : ":" + zsh_quoted(o.value_name) + ":" + zsh_quoted(zsh_action(o));
    const std::string star = o.repeatable ? "*" : "";
    const std::string exclusion = !exclusion_list.empty() ? "(" + exclusion_list + ")"
                                  : o.repeatable || o.names.size() == 1 ? ""
                                                                        : "(" + joined(o.names) + ")";
    if (o.names.size() == 1) return "'" + exclusion + star + o.names[0] + desc + value + "'";
    return "'" + exclusion + star + "'{" + joined(o.names, ",") + "}'" + desc + value + "'";
}

std::string zsh_script(const CLI::App& cli) {
    const std::vector<CommandInfo> commands = commands_of(cli);
    std::string out =
        "#compdef leafsynth\n"
        "# zsh completion for leafsynth, written by `leafsynth completion zsh`.\n"
        "# Install: leafsynth completion zsh > \"${fpath[1]}/_leafsynth\"\n"
        "\n"
        "_leafsynth_profiles() {\n"
        "    local -a profiles\n"
        "    profiles=(${(f)\"$(sed -n -e 's/^\\[profile  *\\([^]]*\\)\\].*/\\1/p' -e 's/^\\[\\([^] ]*\\)\\].*/\\1/p' "
        "\"${AWS_CONFIG_FILE:-$HOME/.aws/config}\" \"${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}\" "
        "2>/dev/null | sort -u)\"})\n"
        "    _describe -t profiles 'AWS profile' profiles\n"
        "}\n"
        "\n"
        "_leafsynth() {\n"
        "    local curcontext=$curcontext state line\n"
        "    local -a commands\n"
        "    commands=(\n";
    for (const auto& c : commands) out += "        '" + c.name + ":" + zsh_quoted(c.description) + "'\n";
    out += "    )\n"
           "    _arguments -C \\\n";
    for (const auto& o : top_options(cli)) out += "        " + zsh_spec(o, "- *") + " \\\n";
    out += "        '1: :->command' \\\n"
           "        '*:: :->args'\n"
           "    case $state in\n"
           "    command) _describe -t commands 'leafsynth command' commands ;;\n"
           "    args)\n"
           "        case $words[1] in\n";
    for (const auto& c : commands) {
        out += "        " + c.name + ")\n            _arguments \\\n";
        for (const auto& o : c.options) out += "                " + zsh_spec(o) + " \\\n";
        if (c.positionals.empty()) out += "                '*: :'\n";
        else {
            const OptionInfo& p = c.positionals.front();
            out += "                '*:" + zsh_quoted(p.positional) + ":" + zsh_quoted(zsh_action(p)) + "'\n";
        }
        out += "            ;;\n";
    }
    out += "        esac\n"
           "        ;;\n"
           "    esac\n"
           "}\n"
           "\n"
           "_leafsynth \"$@\"\n";
    return out;
}

} // namespace

std::string completion_script(const CLI::App& cli, std::string_view shell) {
    if (shell == "zsh") return zsh_script(cli);
    return bash_script(cli);
}

void add_reference_commands(CLI::App& cli, ReferenceCommands& commands) {
    commands.completion = cli.add_subcommand("completion", "Print a shell completion script: bash or zsh");
    commands.completion->add_option("shell", commands.shell, "bash or zsh")
        ->required()
        ->check(CLI::IsMember(std::vector<std::string>(std::begin(kCompletionShells), std::end(kCompletionShells))));
    commands.completion->footer("bash: leafsynth completion bash > ~/.local/share/bash-completion/completions/leafsynth\n"
                                "zsh:  leafsynth completion zsh > \"${fpath[1]}/_leafsynth\" (a folder on $fpath)");
    // Hidden (no group): the build writes the man page with it.
    commands.manpage = cli.add_subcommand("manpage", "Print the man page leafsynth(1) in roff");
    commands.manpage->group("");
}

} // namespace leafsynth::cli
