#!/usr/bin/env python3
"""Tests of the leafsynth command-line tool, run as a user would run it.

usage: test_cli.py --cli PATH/TO/leafsynth --source-dir SRC [--cfn-lint CFN_LINT] [--emitted-dir DIR]
                   [unittest arguments...]

With --emitted-dir the templates synthesized from examples/hello are copied to DIR/cli/ for the
final cfn-lint pass over every emitted template.
"""
import argparse
import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

ARGS = None
STACK = "LeafsynthHello"
ERROR_PREFIX = "leafsynth: error: "


def hello_yaml() -> pathlib.Path:
    return pathlib.Path(ARGS.source_dir).resolve() / "examples" / "hello" / "hello.yaml"


def project_version() -> str:
    text = (pathlib.Path(ARGS.source_dir) / "CMakeLists.txt").read_text()
    m = re.search(r"project\(\s*leafsynth\s+VERSION\s+([0-9.]+)", text)
    assert m, "no project(leafsynth VERSION ...) in CMakeLists.txt"
    return m.group(1)


def leafsynth(*args, cwd=None):
    return subprocess.run([ARGS.cli, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def snapshot(folder: pathlib.Path) -> dict:
    """Every file below `folder` (relative path → bytes), and every folder (→ None)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that accepts CloudFormation's short-form tags (`!Ref`, `!GetAtt`, ...)."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {f"!{suffix}": value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-cli-test-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_config(self, name: str, text: str) -> pathlib.Path:
        path = self.tmp / name
        path.write_text(text)
        return path

    def assert_ok(self, proc):
        self.assertEqual(proc.returncode, 0, f"exit {proc.returncode}; stderr:\n{proc.stderr}")
        self.assertEqual(proc.stderr, "")


class SynthTest(TempDirTest):
    EXPECTED_TYPES = {
        "Topic": "AWS::SNS::Topic",
        "Queue": "AWS::SQS::Queue",
        "Subscription": "AWS::SNS::Subscription",
        # A two-component path: the CDK logical id is the joined path plus an MD5 suffix.
        "QueuePolicy" + hashlib.md5(b"Queue/Policy").hexdigest()[:8].upper(): "AWS::SQS::QueuePolicy",
    }

    def synth(self, fmt=None, outdir=None):
        outdir = outdir or self.tmp / f"out-{fmt or 'default'}"
        args = ["synth", hello_yaml(), "-o", outdir] + (["--format", fmt] if fmt else [])
        proc = leafsynth(*args)
        self.assert_ok(proc)
        return proc, outdir

    def lint_and_emit(self, template: pathlib.Path):
        proc = subprocess.run([ARGS.cfn_lint, "--format", "parseable", "--", str(template)],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, f"cfn-lint findings in {template.name}:\n{proc.stdout}{proc.stderr}")
        if ARGS.emitted_dir:
            dest = pathlib.Path(ARGS.emitted_dir) / "cli"
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template, dest / template.name)

    def check_summary(self, stdout: str, outdir: pathlib.Path, template_name: str):
        lines = stdout.splitlines()
        self.assertEqual(lines[0], f"Synthesized 1 stack (4 resources) into {outdir}/")
        self.assertEqual(len(lines), 2, stdout)
        self.assertEqual(lines[1].split(), [STACK, "us-west-2", "4", "resources", f"{outdir}/{template_name}"])

    def test_json(self):
        proc, outdir = self.synth()  # JSON is the default format
        template = outdir / f"{STACK}.template.json"
        self.check_summary(proc.stdout, outdir, template.name)
        self.assertFalse(any(p.name.endswith(".template.yaml") for p in outdir.iterdir()))
        t = json.loads(template.read_text())
        self.assertEqual({k: v["Type"] for k, v in t["Resources"].items()}, self.EXPECTED_TYPES)
        self.assertEqual(t["Resources"]["Queue"]["Properties"]["MessageRetentionPeriod"], 4 * 86400)
        self.assertEqual(t["Outputs"]["QueueUrl"]["Export"], {"Name": f"{STACK}-QueueUrl"})
        self.lint_and_emit(template)
        # --format json gives the same bytes as the default.
        _, explicit = self.synth("json")
        self.assertEqual(snapshot(explicit), snapshot(outdir))

    def test_yaml(self):
        proc, outdir = self.synth("yaml")
        template = outdir / f"{STACK}.template.yaml"
        self.check_summary(proc.stdout, outdir, template.name)
        self.assertFalse(any(p.name.endswith(".template.json") for p in outdir.iterdir()))
        t = yaml.load(template.read_text(), Loader=_CfnLoader)
        self.assertEqual({k: v["Type"] for k, v in t["Resources"].items()}, self.EXPECTED_TYPES)
        self.assertEqual(t["Resources"]["Subscription"]["Properties"]["TopicArn"], {"!Ref": "Topic"})
        self.assertEqual(t["Outputs"]["QueueUrl"]["Export"], {"Name": f"{STACK}-QueueUrl"})
        self.lint_and_emit(template)

    def test_deterministic(self):
        for fmt in ("json", "yaml"):
            with self.subTest(fmt=fmt):
                _, first = self.synth(fmt, self.tmp / f"{fmt}-1")
                _, second = self.synth(fmt, self.tmp / f"{fmt}-2")
                a, b = snapshot(first), snapshot(second)
                self.assertTrue(a, "nothing was written")
                self.assertEqual(a, b)

    def test_region_override(self):
        _, outdir = self.synth(outdir=self.tmp / "default-region")
        proc = leafsynth("synth", hello_yaml(), "-o", self.tmp / "eu", "--region", "eu-west-1")
        self.assert_ok(proc)
        self.assertIn(" eu-west-1 ", proc.stdout)
        self.assertEqual(sorted(snapshot(self.tmp / "eu")), sorted(snapshot(outdir)))


class InfoTest(TempDirTest):
    def test_ls(self):
        proc = leafsynth("ls", hello_yaml())
        self.assert_ok(proc)
        self.assertEqual(proc.stdout, f"{STACK}\tus-west-2\t-\t-\n")

    def test_ls_region_override(self):
        proc = leafsynth("ls", hello_yaml(), "--region", "ap-southeast-2")
        self.assert_ok(proc)
        self.assertEqual(proc.stdout, f"{STACK}\tap-southeast-2\t-\t-\n")

    def test_ls_writes_nothing(self):
        proc = leafsynth("ls", hello_yaml(), cwd=self.tmp)
        self.assert_ok(proc)
        self.assertEqual(list(self.tmp.iterdir()), [])

    def test_version(self):
        proc = leafsynth("--version")
        self.assert_ok(proc)
        self.assertEqual(proc.stdout.strip(), f"leafsynth {project_version()}")

    def test_help(self):
        proc = leafsynth("--help")
        self.assert_ok(proc)
        out = proc.stdout
        for needle in ("synth", "ls", "--version", "Examples:",
                       "leafsynth synth examples/hello/hello.yaml",
                       "leafsynth ls examples/hello/hello.yaml"):
            self.assertIn(needle, out)
        m = re.search(r"Exit codes:(.*)", out, re.S)
        self.assertIsNotNone(m, out)
        self.assertRegex(m.group(1), r"0 success")
        self.assertRegex(m.group(1), r"1 a finding")
        self.assertRegex(m.group(1), r"2 bad input")

    def test_subcommand_help(self):
        proc = leafsynth("synth", "--help")
        self.assert_ok(proc)
        for needle in ("--output", "--format", "--region", "json", "yaml"):
            self.assertIn(needle, proc.stdout)


class ErrorTest(TempDirTest):
    """Bad input: exit 2, nothing on stdout, every stderr line `leafsynth: error: ...`, nothing written."""

    def assert_error(self, args, *needles, lines=1):
        before = snapshot(self.tmp)
        proc = leafsynth(*args, cwd=self.tmp)  # without -o the default output would land in cwd
        self.assertEqual(proc.returncode, 2, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        self.assertEqual(proc.stdout, "")
        err = proc.stderr.splitlines()
        self.assertEqual(len(err), lines, proc.stderr)
        for line in err:
            self.assertTrue(line.startswith(ERROR_PREFIX), f"not an error line: {line!r}")
        for needle in needles:
            if isinstance(needle, re.Pattern):
                self.assertRegex(proc.stderr, needle)
            else:
                self.assertIn(needle, proc.stderr)
        self.assertEqual(snapshot(self.tmp), before, "a failing run wrote files")
        return err

    def test_missing_config(self):
        for cmd in ("synth", "ls"):
            with self.subTest(cmd=cmd):
                self.assert_error([cmd, "no-such.yaml"], "no-such.yaml", "no such config file")

    def test_yaml_syntax_error(self):
        path = self.write_config("syntax.yaml", "StackName: X\nQueue:\n  RetentionDays: 4\n"
                                                "    VisibilityTimeoutSeconds: 3\n")
        self.assert_error(["synth", path], re.compile(re.escape(str(path)) + r":4:\d+: YAML syntax error"))
        path = self.write_config("flow.yaml", "StackName: X\nTags: [a, b\nQueue:\n  RetentionDays: 4\n")
        self.assert_error(["ls", path], re.compile(re.escape(str(path)) + r":\d+:\d+: YAML syntax error"))

    def test_unknown_key(self):
        path = self.write_config("typo.yaml", "StackName: X\nQueue:\n  RetentionDay: 4\n")
        self.assert_error(["synth", path], f"{path}:3:3: Queue.RetentionDay: unknown key",
                          "did you mean 'RetentionDays'?")
        path = self.write_config("top.yaml", "StackName: X\nTopc:\n  DisplayName: t\n")
        self.assert_error(["synth", path], f"{path}:2:1: Topc: unknown key", "did you mean 'Topic'?")

    def test_unknown_key_without_near_miss(self):
        path = self.write_config("far.yaml", "StackName: X\nQueue:\n  Colour: blue\n")
        err = self.assert_error(["synth", path], f"{path}:3:3: Queue.Colour: unknown key",
                                "RetentionDays", "VisibilityTimeoutSeconds")
        self.assertNotIn("did you mean", err[0])

    def test_out_of_range(self):
        path = self.write_config("range.yaml", "StackName: X\nQueue:\n  RetentionDays: 99\n")
        self.assert_error(["synth", path], f"{path}:3:18: Queue.RetentionDays: 99 is out of range", "1..14")

    def test_not_an_integer(self):
        path = self.write_config("nan.yaml", "Queue:\n  VisibilityTimeoutSeconds: soon\n")
        self.assert_error(["synth", path], f"{path}:2:29: Queue.VisibilityTimeoutSeconds: expected an integer",
                          "soon")

    def test_wrong_shape(self):
        path = self.write_config("shape.yaml", "StackName: X\nQueue: 5\n")
        self.assert_error(["synth", path], f"{path}:2:8: Queue: expected a map")

    def test_invalid_stack_name_and_region(self):
        path = self.write_config("names.yaml", "StackName: my_stack\nRegion: moon\n")
        self.assert_error(["synth", path], f"{path}:1:12: StackName: 'my_stack'", f"{path}:2:9: Region: 'moon'",
                          lines=2)

    def test_every_problem_is_reported(self):
        path = self.write_config("many.yaml", "StackName: X\nQueue:\n  RetentionDays: 0\nTopic:\n  Name: t\n")
        self.assert_error(["synth", path], f"{path}:3:18: Queue.RetentionDays: 0 is out of range",
                          f"{path}:5:3: Topic.Name: unknown key", lines=2)

    def test_bad_region_option(self):
        self.assert_error(["synth", hello_yaml(), "--region", "mars-1"], "--region", "mars-1")

    def test_bad_format(self):
        self.assert_error(["synth", hello_yaml(), "--format", "xml"], "--format", "xml")

    def test_no_subcommand(self):
        self.assert_error([], "subcommand")

    def test_unknown_subcommand(self):
        self.assert_error(["frobnicate", hello_yaml()], "frobnicate")

    def test_unknown_option(self):
        self.assert_error(["synth", hello_yaml(), "--bogus"], "--bogus")
        self.assert_error(["--bogus"], "--bogus")

    def test_missing_config_argument(self):
        self.assert_error(["synth"], "config")


class AtomicOutputTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.parent = self.tmp / "parent"
        self.out = self.parent / "out"
        self.out.mkdir(parents=True)
        (self.out / "sentinel.txt").write_bytes(b"keep me\n")
        (self.out / "nested").mkdir()
        (self.out / "nested" / "old.template.json").write_bytes(b"{}\n")

    def test_failed_synth_leaves_folder_untouched(self):
        before = snapshot(self.parent)
        bad = self.write_config("bad.yaml", "StackName: X\nQueue:\n  RetentionDays: 99\n")
        for args in (["synth", bad, "-o", self.out],
                     ["synth", hello_yaml(), "-o", self.out, "--format", "xml"],
                     ["synth", hello_yaml(), "-o", self.out, "--region", "nowhere"]):
            with self.subTest(args=args[1:]):
                proc = leafsynth(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
                self.assertEqual(snapshot(self.parent), before)

    def test_successful_synth_replaces_folder(self):
        fresh = self.tmp / "fresh"
        proc = leafsynth("synth", hello_yaml(), "-o", fresh)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        expected = snapshot(fresh)
        self.assertIn(f"{STACK}.template.json", expected)

        proc = leafsynth("synth", hello_yaml(), "-o", self.out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(snapshot(self.out), expected)  # exactly the new files: no sentinel, no old ones
        # No temporary or backup sibling is left next to the output folder.
        self.assertEqual([p.name for p in self.parent.iterdir()], ["out"])

    def test_output_path_is_a_file(self):
        target = self.parent / "a-file"
        target.write_bytes(b"not a folder\n")
        before = snapshot(self.parent)
        proc = leafsynth("synth", hello_yaml(), "-o", target)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
        self.assertIn(str(target), proc.stderr)
        self.assertEqual(snapshot(self.parent), before)


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--cfn-lint", default="cfn-lint")
    parser.add_argument("--emitted-dir", default="")
    ARGS, rest = parser.parse_known_args()
    ARGS.cli = str(pathlib.Path(ARGS.cli).resolve())
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
