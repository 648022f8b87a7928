#pragma once
// The command line's reference, made from its own definitions (the CLI11 tree main.cpp builds):
// the man page leafsynth(1) and the bash and zsh completion scripts. One source of truth: a
// subcommand or option added to the CLI appears in all three without another list to keep.
//
// What an option's value is completed with comes from its type name: "FILE" files, "DIR"
// folders, "PROFILE" the profiles of the AWS config files; a `CLI::IsMember` check's choices
// ("{json,yaml}") are offered as words.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace leafsynth::cli {

/// leafsynth(1) in roff (`man -l` reads it): synopsis, every visible subcommand with its
/// arguments and options, exit status, environment, examples (from the top-level footer).
std::string man_page(const CLI::App& cli, std::string_view version);

/// The shells completion_script() writes for.
inline constexpr std::string_view kCompletionShells[] = {"bash", "zsh"};

/// A completion script for `shell` ("bash" or "zsh"): subcommands, their options, option values
/// (choices, files, folders, profiles) and file arguments.
std::string completion_script(const CLI::App& cli, std::string_view shell);

/// Adds `leafsynth completion SHELL` and the hidden `leafsynth manpage` (used by the build) to
/// `cli`; returns them so main() can tell which ran.
struct ReferenceCommands {
    CLI::App* completion;
    CLI::App* manpage;
    std::string shell;
};
void add_reference_commands(CLI::App& cli, ReferenceCommands& commands);

} // namespace leafsynth::cli
