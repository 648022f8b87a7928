#!/usr/bin/env python3
"""The quick start's two commands set up and build what each needs, and no more.

usage: test_setup.py --source-dir SRC

`cmake/setup.sh --list` prints what each mode would install (the main job's build packages; the
tests' tools on top; the sanitizer stage's clang), and `cmake/run.sh configure-synth` configures
the tree `bash cmake/run.sh synth` builds, in a temporary folder: its build of `leafsynth`
compiles no test and no example.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

from cli_support import run_tests

ARGS = None


def setup_list(*flags):
    proc = subprocess.run(["bash", str(pathlib.Path(ARGS.source_dir) / "cmake" / "setup.sh"), "--list", *flags],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"setup.sh --list {' '.join(flags)} failed: {proc.stderr}")
    return set(proc.stdout.split())


class SetupTest(unittest.TestCase):
    def test_the_main_job_installs_only_what_building_needs(self):
        build = setup_list()
        for needed in ("build-essential", "cmake", "libzip-dev", "libyaml-cpp-dev", "libcurl4-openssl-dev"):
            self.assertIn(needed, build)
        for test_only in ("catch2", "python3-venv", "nodejs", "npm", "clang", "openssl"):
            self.assertNotIn(test_only, build)

    def test_the_tests_install_their_tools_on_top(self):
        build, tests, sanitize = setup_list(), setup_list("--tests"), setup_list("--sanitize")
        self.assertLess(build, tests)
        self.assertIn("catch2", tests)
        self.assertIn("python3-venv", tests)
        self.assertNotIn("clang", tests)
        self.assertLess(tests, sanitize)
        self.assertIn("clang", sanitize)

    def test_an_unknown_option_is_one_clear_error(self):
        proc = subprocess.run(["bash", str(pathlib.Path(ARGS.source_dir) / "cmake" / "setup.sh"), "--everything"],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("unknown option '--everything'", proc.stderr)

    @unittest.skipUnless(shutil.which("ninja"), "ninja is not installed: run.sh uses CMake's default generator")
    def test_the_main_job_builds_no_test_and_no_example(self):
        with tempfile.TemporaryDirectory(prefix="leafsynth-synth-tree-") as tree:
            env = dict(os.environ, LEAFSYNTH_BUILD_DIR=tree)
            proc = subprocess.run(["bash", str(pathlib.Path(ARGS.source_dir) / "cmake" / "run.sh"), "configure-synth"],
                                  capture_output=True, text=True, env=env)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            cache = (pathlib.Path(tree) / "CMakeCache.txt").read_text()
            self.assertIn("LEAFSYNTH_BUILD_TESTS:BOOL=OFF", cache)
            commands = subprocess.run(["ninja", "-C", tree, "-t", "commands", "leafsynth_cli"],
                                      capture_output=True, text=True, check=True).stdout.splitlines()
            compiles = [c for c in commands if " -c " in c]
            self.assertTrue(any("src/cli/main.cpp" in c for c in compiles))
            self.assertTrue(any("stage_files.cmake" in c for c in commands), "the Lambda handlers are not staged")
            source = str(pathlib.Path(ARGS.source_dir).resolve())
            for c in compiles:
                self.assertNotIn(source + "/tests/", c)
                self.assertNotIn(source + "/examples/", c)


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    return run_tests(rest)


if __name__ == "__main__":
    sys.exit(main())
