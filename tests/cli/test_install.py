#!/usr/bin/env python3
"""The installed leafsynth, away from the tree it was built in.

usage: test_install.py --build-dir BUILD --source-dir SRC --cmake CMAKE --cli BUILD/leafsynth [--config CFG]

`cmake --install BUILD` into a temporary prefix, which is then moved elsewhere (an install is
relocatable); the moved `bin/leafsynth` synthesizes the bundled example from another working
directory with the build and source trees out of sight (in a private mount namespace with an
empty tmpfs over each, when `unshare` may do that here; otherwise the trees stay but no path of
them is in the installed programs, which is checked either way). Its output must be byte for
byte that of the build tree's `leafsynth` for the same configs: the Lambda handlers it packaged
are the installed ones, found beside the program.
"""
import argparse
import filecmp
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None


def run(cmd, **kwargs):
    """Runs a command; fails with its output when it exits non-zero."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(
            f"command failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}")
    return proc


def can_hide_trees() -> bool:
    """True when this process may mount over folders in a private mount namespace."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp"],
                           capture_output=True)
    return probe.returncode == 0


def differing_files(a: pathlib.Path, b: pathlib.Path):
    """Paths (relative) that are in only one of two folders or differ in content."""
    out = []
    cmp = filecmp.dircmp(a, b)
    stack = [(cmp, pathlib.Path())]
    while stack:
        c, rel = stack.pop()
        out += [str(rel / n) for n in c.left_only + c.right_only + c.funny_files]
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        out += [str(rel / n) for n in mismatch + errors]
        stack += [(sub, rel / name) for name, sub in c.subdirs.items()]
    return sorted(out)


class InstalledTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-install-"))
        cls.build = pathlib.Path(ARGS.build_dir).resolve()
        cls.source = pathlib.Path(ARGS.source_dir).resolve()
        staging = cls.work / "staging"
        cmd = [ARGS.cmake, "--install", cls.build, "--prefix", staging]
        if ARGS.config:
            cmd += ["--config", ARGS.config]
        run(cmd)
        # Moved after installing: nothing may depend on the prefix it was installed to.
        cls.prefix = cls.work / "moved" / "usr"
        cls.prefix.parent.mkdir()
        staging.rename(cls.prefix)
        cls.configs = cls.work / "configs"
        cls.configs.mkdir()
        for f in sorted((cls.source / "examples" / "containermanager").glob("*.yaml")):
            shutil.copy(f, cls.configs / f.name)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def synth_args(self, out: pathlib.Path):
        return ["synth", *sorted(str(p) for p in self.configs.glob("*.yaml")), "--region", "us-west-2",
                "--account", "123456789012", "-o", str(out)]

    def test_installed_files(self):
        for rel in ("bin/leafsynth", "libexec/leafsynth/leafsynth-aws",
                    "share/leafsynth/lambda/start_system/main.py",
                    "share/leafsynth/lambda/asg_state_change_hook/main.py",
                    "share/leafsynth/lambda/break_crash_loop/main.py",
                    "include/leafsynth/leafsynth.hpp", "lib/cmake/leafsynth/leafsynthConfig.cmake"):
            self.assertTrue((self.prefix / rel).is_file(), f"{rel} was not installed")
        self.assertFalse(list(self.prefix.rglob("__pycache__")), "Python caches were installed")

    def test_no_path_of_the_build_or_source_tree_is_in_the_programs(self):
        for program in [self.prefix / "bin" / "leafsynth", self.prefix / "libexec" / "leafsynth" / "leafsynth-aws"]:
            data = program.read_bytes()
            for tree in (self.build, self.source):
                self.assertNotIn(str(tree).encode() + b"/", data, f"{program.name} holds the path {tree}")

    def test_synthesizes_the_example_without_the_trees(self):
        expected = self.work / "expected"
        run([ARGS.cli, *self.synth_args(expected)])
        actual = self.work / "actual"
        cmd = [self.prefix / "bin" / "leafsynth", *self.synth_args(actual)]
        env = {k: v for k, v in os.environ.items() if k != "LEAFSYNTH_LAMBDA_DIR"}
        if can_hide_trees():
            # The build tree first: it may be inside the source tree, which is then out of sight.
            hide = " && ".join(f"mount -t tmpfs none '{t}'" for t in (self.build, self.source))
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   f"{hide} && test ! -e '{self.build}/CMakeCache.txt' && exec \"$@\"", "sh", *cmd]
        else:
            print("note: cannot mount in a private namespace here; the trees stay in place", file=sys.stderr)
        run(cmd, cwd=self.work, env=env)
        self.assertEqual(differing_files(expected, actual), [])
        self.assertTrue(any(actual.glob("asset.*.zip")), "no Lambda handler was packaged")

    def test_a_missing_handler_folder_is_one_clear_error(self):
        env = dict(os.environ, LEAFSYNTH_LAMBDA_DIR=str(self.work / "nowhere"))
        proc = subprocess.run([str(self.prefix / "bin" / "leafsynth"), *self.synth_args(self.work / "bad")],
                              capture_output=True, text=True, env=env, cwd=self.work)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("LEAFSYNTH_LAMBDA_DIR", proc.stderr)
        self.assertIn(str(self.work / "nowhere"), proc.stderr)
        self.assertFalse((self.work / "bad").exists(), "a failed synth left an output folder")


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--cmake", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--config", default="")
    ARGS, rest = parser.parse_known_args()
    return 0 if unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
