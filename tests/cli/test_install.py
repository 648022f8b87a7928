#!/usr/bin/env python3
"""The installed leafsynth, away from the tree it was built in.

usage: test_install.py --build-dir BUILD --source-dir SRC --cmake CMAKE --cpack CPACK --cli BUILD/leafsynth [--config CFG]

`cmake --install BUILD` into a temporary prefix, which is then moved elsewhere (an install is
relocatable); the moved `bin/leafsynth` synthesizes the bundled example from another working
directory with the build and source trees out of sight (in a private mount namespace with an
empty tmpfs over each, when `unshare` may do that here; otherwise the trees stay but no path of
them is in the installed programs, which is checked either way). Its output must be byte for
byte that of the build tree's `leafsynth` for the same configs: the Lambda handlers it packaged
are the installed ones, found beside the program.

The Debian packages (cmake/package.cmake), made with CPack from the same tree: their fields and
contents (`dpkg-deb -I`, `-c`), a Depends naming the package of every shared library the
programs load (dpkg-shlibdeps' work, checked against `dpkg -S` of what `ldd` resolves), and the
unpacked `leafsynth` (`dpkg-deb -x` into a temporary root) run from there like the install.
"""
import argparse
import filecmp
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from cli_support import run, run_tests

ARGS = None


def can_hide_trees() -> bool:
    """True when this process may mount over folders in a private mount namespace."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp"],
                           capture_output=True)
    return probe.returncode == 0


def hidden_trees_command(cmd, trees):
    """`cmd` run with an empty tmpfs over each of `trees` when possible, else `cmd` as it is."""
    if not can_hide_trees():
        print("note: cannot mount in a private namespace here; the trees stay in place", file=sys.stderr)
        return [str(c) for c in cmd]
    # The build tree first: it may be inside the source tree, which is then out of sight.
    hide = " && ".join(f"mount -t tmpfs none '{t}'" for t in trees)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            f"{hide} && test ! -e '{trees[0]}/CMakeCache.txt' && exec \"$@\"", "sh", *[str(c) for c in cmd]]


def copy_example_configs(source: pathlib.Path, to: pathlib.Path):
    to.mkdir()
    for f in sorted((source / "examples" / "containermanager").glob("*.yaml")):
        shutil.copy(f, to / f.name)


def synth_args(configs: pathlib.Path, out: pathlib.Path):
    return ["synth", *sorted(str(p) for p in configs.glob("*.yaml")), "--region", "us-west-2",
            "--account", "123456789012", "-o", str(out)]


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
        copy_example_configs(cls.source, cls.configs)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def synth_args(self, out: pathlib.Path):
        return synth_args(self.configs, out)

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
        cmd = hidden_trees_command([self.prefix / "bin" / "leafsynth", *self.synth_args(actual)],
                                   [self.build, self.source])
        env = {k: v for k, v in os.environ.items() if k != "LEAFSYNTH_LAMBDA_DIR"}
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


def deb_field(deb: pathlib.Path, field: str) -> str:
    return run(["dpkg-deb", "-f", deb, field]).stdout.strip()


class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-package-"))
        cls.build = pathlib.Path(ARGS.build_dir).resolve()
        cls.source = pathlib.Path(ARGS.source_dir).resolve()
        cmd = [ARGS.cpack, "--config", cls.build / "CPackConfig.cmake", "-B", cls.work / "packages"]
        if ARGS.config:
            cmd += ["-C", ARGS.config]
        run(cmd)
        debs = sorted((cls.work / "packages").glob("*.deb"))
        cls.debs = {deb_field(d, "Package"): d for d in debs}
        cls.version = run([ARGS.cli, "--version"]).stdout.split()[1]
        cls.arch = run(["dpkg", "--print-architecture"]).stdout.strip()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def contents(self, name):
        """The paths in package `name` (without the leading '.')."""
        out = run(["dpkg-deb", "-c", self.debs[name]]).stdout
        return {line.split()[5][1:] for line in out.splitlines() if len(line.split()) >= 6}

    def test_two_packages_named_for_debian(self):
        self.assertEqual(sorted(self.debs), ["leafsynth", "libleafsynth-dev"])
        for name, deb in self.debs.items():
            self.assertEqual(deb.name, f"{name}_{self.version}-1_{self.arch}.deb")
            self.assertEqual(deb_field(deb, "Version"), f"{self.version}-1")
            self.assertEqual(deb_field(deb, "Architecture"), self.arch)
            self.assertTrue(deb_field(deb, "Maintainer"))
            self.assertTrue(deb_field(deb, "Description"))

    def test_the_cli_package_holds_the_programs_and_their_reference(self):
        paths = self.contents("leafsynth")
        for p in ("/usr/bin/leafsynth", "/usr/libexec/leafsynth/leafsynth-aws",
                  "/usr/share/leafsynth/lambda/start_system/main.py", "/usr/share/man/man1/leafsynth.1.gz",
                  "/usr/share/bash-completion/completions/leafsynth", "/usr/share/zsh/vendor-completions/_leafsynth",
                  "/usr/share/doc/leafsynth/LICENSE"):
            self.assertIn(p, paths)
        self.assertFalse([p for p in paths if not p.startswith("/usr/")], "files outside /usr")
        self.assertFalse([p for p in paths if "/include/" in p or p.endswith(".a")], "development files in the CLI package")

    def test_the_dev_package_holds_headers_libraries_and_the_cmake_package(self):
        paths = self.contents("libleafsynth-dev")
        for p in ("/usr/include/leafsynth/leafsynth.hpp", "/usr/include/leafsynth/version.hpp",
                  "/usr/lib/cmake/leafsynth/leafsynthConfig.cmake", "/usr/lib/cmake/leafsynth/leafsynthTargets.cmake"):
            self.assertIn(p, paths)
        self.assertTrue(any(p.endswith("/libleafsynth.a") for p in paths))
        self.assertFalse([p for p in paths if "/bin/" in p], "programs in the dev package")
        depends = deb_field(self.debs["libleafsynth-dev"], "Depends")
        self.assertIn(f"leafsynth (= {self.version}-1)", depends)
        for dev in ("libyaml-cpp-dev", "libzip-dev", "libssl-dev", "libfmt-dev", "nlohmann-json3-dev"):
            self.assertIn(dev, depends)

    def test_depends_names_the_package_of_every_shared_library_the_programs_load(self):
        root = self.work / "root-deps"
        run(["dpkg-deb", "-x", self.debs["leafsynth"], root])
        depends = {d.strip().split()[0] for d in deb_field(self.debs["leafsynth"], "Depends").split(",")}
        self.assertIn("libc6", depends)
        for program in (root / "usr/bin/leafsynth", root / "usr/libexec/leafsynth/leafsynth-aws"):
            # What the program itself needs (its NEEDED entries; what those need is their own
            # packages' Depends), located where the loader finds it.
            needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", program]).stdout)
            located = {}
            for line in run(["ldd", program]).stdout.splitlines():
                self.assertNotIn("not found", line)
                if "=>" in line:
                    name, path = line.split("=>")[0].strip(), line.split("=>")[1].split()[0]
                    located[name] = path
                elif line.split() and line.split()[0].startswith("/"):  # the dynamic loader
                    located[os.path.basename(line.split()[0])] = line.split()[0]
            self.assertIn("libstdc++.so.6", needed)
            for name in needed:
                lib = located[name]
                owner = subprocess.run(["dpkg", "-S", os.path.realpath(lib)], capture_output=True, text=True)
                if owner.returncode != 0:  # merged /usr: the package lists /lib/..., ldd says /usr/lib/...
                    owner = subprocess.run(["dpkg", "-S", lib.replace("/usr/lib/", "/lib/", 1)],
                                           capture_output=True, text=True)
                self.assertEqual(owner.returncode, 0, f"no package owns {lib}")
                package = owner.stdout.split(":")[0]
                self.assertIn(package, depends, f"{program.name} needs {name} of {package}, not in Depends")

    def test_apt_would_install_it_here(self):
        # A simulation (-s): apt resolves the Depends against this system and changes nothing.
        proc = run(["apt-get", "-s", "install", str(self.debs["leafsynth"])])
        self.assertIn(f"Inst leafsynth ({self.version}-1", proc.stdout)

    def test_the_unpacked_package_runs_from_any_folder(self):
        root = self.work / "root"
        run(["dpkg-deb", "-x", self.debs["leafsynth"], root])
        out = run([root / "usr/bin/leafsynth", "--version"]).stdout
        self.assertEqual(out.split()[:2], ["leafsynth", self.version])
        # The examples the package holds, against the build tree's output for the source's.
        configs = root / "usr/share/doc/leafsynth/examples/containermanager"
        self.assertEqual(sorted(p.name for p in configs.iterdir()),
                         sorted(p.name for p in (self.source / "examples/containermanager").glob("*.yaml")))
        expected, actual = self.work / "expected", self.work / "actual"
        run([ARGS.cli, *synth_args(self.source / "examples/containermanager", expected)])
        env = {k: v for k, v in os.environ.items() if k != "LEAFSYNTH_LAMBDA_DIR"}
        run(hidden_trees_command([root / "usr/bin/leafsynth", *synth_args(configs, actual)], [self.build, self.source]),
            cwd=self.work, env=env)
        self.assertEqual(differing_files(expected, actual), [])
        page = run(["man", "-l", root / "usr/share/man/man1/leafsynth.1.gz"], env=dict(os.environ, MANWIDTH="100")).stdout
        self.assertIn("leafsynth synth", page)


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--cmake", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--cpack", required=True)
    parser.add_argument("--config", default="")
    ARGS, rest = parser.parse_known_args()
    return run_tests(rest)


if __name__ == "__main__":
    sys.exit(main())
