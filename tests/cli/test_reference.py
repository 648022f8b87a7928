#!/usr/bin/env python3
"""The man page and the shell completions, against the CLI's own help.

usage: test_reference.py --cli BUILD/leafsynth --build-dir BUILD

Every subcommand `leafsynth --help` lists and every option its `--help` lists are in the man
page (rendered by `man -l`, no groff warning) and are offered by the completions. The bash script
is run in bash (the completion function called as bash calls it: COMP_WORDS, COMP_CWORD), the zsh
script in zsh with zsh's completion functions `_arguments` and `_describe` standing in as
recorders. The files the build wrote (share/man, share/bash-completion, share/zsh) are what the
CLI prints.
"""
import argparse
import gzip
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from cli_support import run_tests

ARGS = None


def cli(*args, **kwargs):
    proc = subprocess.run([ARGS.cli, *args], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"leafsynth {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def help_commands():
    """The subcommands `leafsynth --help` lists."""
    text = cli("--help")
    block = text.split("Subcommands:", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.split()]


def help_options(command):
    """The option names `leafsynth COMMAND --help` lists (-o, --output, ...)."""
    text = cli(command, "--help")
    block = text.split("Options:", 1)[1].split("\n\n", 1)[0]
    names = []
    for line in block.splitlines():
        if not line.startswith("  -"):
            continue
        head = line.strip().split("  ")[0]
        names += [n for n in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", head)]
    return names


def bash_complete(script: pathlib.Path, words, cwd=None, env=None):
    """What the bash completion offers for `words` (the last one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (f"source '{script}'\n"
               f"COMP_WORDS=({quoted}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()\n"
               "_leafsynth\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          cwd=cwd, env=env)
    if proc.returncode != 0 or proc.stderr:
        raise AssertionError(f"bash completion of {words} failed: {proc.stderr}")
    return sorted(w for w in proc.stdout.splitlines() if w)


class ManPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.roff = cli("manpage")
        proc = subprocess.run(["groff", "-man", "-ww", "-z"], input=cls.roff, capture_output=True, text=True)
        cls.groff_warnings = proc.stderr
        with tempfile.NamedTemporaryFile("w", suffix=".1", delete=False) as f:
            f.write(cls.roff)
        cls.page = subprocess.run(["man", "-l", f.name], capture_output=True, text=True,
                                  env=dict(os.environ, MANWIDTH="200")).stdout
        os.unlink(f.name)

    def test_groff_reads_it_without_a_warning(self):
        self.assertEqual(self.groff_warnings, "")
        self.assertTrue(self.roff.startswith(".TH LEAFSYNTH 1 "))

    def test_every_command_and_option_of_the_help_is_in_it(self):
        commands = help_commands()
        self.assertIn("synth", commands)
        self.assertIn("completion", commands)
        self.assertNotIn("manpage", commands)
        part = self.page.split("\nCOMMANDS\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
        pieces = re.split(r"(?m)^   (\S+)$", part)
        sections = dict(zip(pieces[1::2], pieces[2::2]))
        self.assertEqual(list(sections), commands)
        for command in commands:
            for option in help_options(command):
                self.assertRegex(sections[command], r"(?m)^\s+(-\w, )?" + re.escape(option) + r"\b",
                                 f"{command} {option} is not in the man page")
        for heading in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES"):
            self.assertRegex(self.page, f"(?m)^{heading}$")

    def test_the_built_page_is_what_the_cli_prints(self):
        built = pathlib.Path(ARGS.build_dir) / "share" / "man" / "man1" / "leafsynth.1.gz"
        self.assertEqual(gzip.decompress(built.read_bytes()).decode(), self.roff)


class BashCompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-completion-"))
        cls.script = cls.work / "leafsynth.bash"
        cls.script.write_text(cli("completion", "bash"))
        (cls.work / "game.yaml").write_text("")
        (cls.work / "games").mkdir()
        (cls.work / "gone.txt").write_text("")
        (cls.work / "aws-config").write_text("[default]\nregion = us-west-2\n[profile dev]\n[profile prod-admin]\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def complete(self, *words, env=None):
        return bash_complete(self.script, ["leafsynth", *words], cwd=self.work, env=env)

    def test_the_built_script_is_what_the_cli_prints(self):
        built = pathlib.Path(ARGS.build_dir) / "share" / "bash-completion" / "completions" / "leafsynth"
        self.assertEqual(built.read_text(), self.script.read_text())

    def test_subcommands(self):
        self.assertEqual(self.complete("sy"), ["synth"])
        self.assertEqual(self.complete("d"), ["deploy", "destroy", "diff", "drift"])
        self.assertEqual(sorted(w for w in self.complete("") if not w.startswith("-")), sorted(help_commands()))

    def test_every_option_of_every_command(self):
        for command in help_commands():
            offered = self.complete(command, "-")
            for option in help_options(command):
                self.assertIn(option, offered, f"{command} {option}")

    def test_option_values(self):
        self.assertEqual(self.complete("synth", "x.yaml", "--format", ""), ["json", "yaml"])
        self.assertEqual(self.complete("synth", "--format", "=", "y"), ["yaml"])
        self.assertEqual(self.complete("graph", "--format", ""), ["dot", "mermaid", "png", "svg"])
        self.assertEqual(self.complete("graph", "--detail", ""), ["constructs", "resources"])
        self.assertEqual(self.complete("deploy", "--require-approval", "b"), ["broadening"])
        self.assertEqual(self.complete("synth", "-o", "g"), ["games"])  # folders only
        self.assertEqual(self.complete("synth", "--base", "ga"), ["game.yaml", "games"])
        self.assertEqual(self.complete("synth", "--region", ""), [])
        self.assertEqual(self.complete("completion", ""), ["bash", "zsh"])
        env = dict(os.environ, AWS_CONFIG_FILE=str(self.work / "aws-config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(self.work / "none"))
        self.assertEqual(self.complete("deploy", "--profile", "", env=env), ["default", "dev", "prod-admin"])

    def test_file_arguments(self):
        self.assertEqual(self.complete("synth", "g"), ["game.yaml", "games", "gone.txt"])
        self.assertEqual(self.complete("diff", "--fail", "game"), ["game.yaml", "games"])


@unittest.skipUnless(shutil.which("zsh"), "zsh is not installed (bash cmake/setup.sh --tests installs it)")
class ZshCompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-zsh-"))
        cls.script = cls.work / "_leafsynth"
        cls.script.write_text(cli("completion", "zsh"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def recorded(self, state, words):
        """What _leafsynth hands zsh's _arguments / _describe when the state is `state` (the
        script, as zsh's autoload runs it, calls _leafsynth at its end)."""
        program = f"""
_arguments() {{ if [[ $1 == -C ]]; then state={state}; return 0; fi; print -rl -- "ARGS" "$@" }}
_describe() {{ print -rl -- "DESCRIBE" "${{(@P)${{@[-1]}}}}" }}
words=({' '.join(words)})
source '{self.script}'
"""
        proc = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True)
        if proc.returncode != 0 or proc.stderr:
            raise AssertionError(f"zsh: {proc.stderr}")
        return proc.stdout.splitlines()

    def test_the_script_parses(self):
        proc = subprocess.run(["zsh", "-n", str(self.script)], capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertTrue(self.script.read_text().startswith("#compdef leafsynth\n"))

    def test_the_built_script_is_what_the_cli_prints(self):
        built = pathlib.Path(ARGS.build_dir) / "share" / "zsh" / "vendor-completions" / "_leafsynth"
        self.assertEqual(built.read_text(), self.script.read_text())

    def test_subcommands_with_their_descriptions(self):
        out = self.recorded("command", ["leafsynth"])
        self.assertEqual(out[0], "DESCRIBE")
        names = [entry.split(":", 1)[0] for entry in out[1:]]
        self.assertEqual(names, help_commands())
        self.assertIn("synth:Synthesize the app's templates into an output folder (a cloud assembly)", out)

    def test_every_option_of_every_command_with_its_values(self):
        for command in help_commands():
            specs = self.recorded("args", [command])
            self.assertEqual(specs[0], "ARGS", command)
            text = "\n".join(specs)
            for option in help_options(command):
                self.assertRegex(text, "(?m)^(\\([^)]*\\))?\\*?" + re.escape(option) + "(\\[|$)", f"{command} {option}")
        synth = self.recorded("args", ["synth"])
        self.assertIn("--format[Template format: json or yaml]:TEXT:(json yaml)", synth)
        self.assertIn("(-o --output)-o[Output folder (default: ./leafsynth.out)]:DIR:_files -/", synth)
        self.assertIn("*:configs:_files", synth)
        deploy = "\n".join(self.recorded("args", ["deploy"]))
        self.assertIn("*--stack[", deploy)  # repeatable
        self.assertIn(":PROFILE:_leafsynth_profiles", deploy)


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--build-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    return run_tests(rest)


if __name__ == "__main__":
    sys.exit(main())
