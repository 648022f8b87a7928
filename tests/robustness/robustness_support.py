"""Shared by the robustness tests (tests/robustness/test_*.py): run `leafsynth` on bad input as a
careless or hostile user would, and assert the promise every time:

* exit code 2, and exactly one error message on stderr, starting `leafsynth: error: `, that names
  where the problem is (a `file:line:column`, or a construct path) — check_error();
* nothing half-written: the previous output folder is byte-identical afterwards — snapshot();
* no secret in any output — assert_no_secret();
* the process ends by itself, within seconds, without using more memory than allowed: every run
  has a wall-clock timeout and an address-space limit (RUN_TIMEOUT_SECONDS, MEMORY_LIMIT_BYTES).

The CLI's path comes from the LEAFSYNTH_CLI environment variable (set by CTest) and the source
tree from LEAFSYNTH_SOURCE_DIR. Every run gets a controlled environment: no AWS_* variables, HOME
an empty temporary folder, no proxies, so nothing from the host leaks in and nothing leaves it.
"""

import hashlib
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True

ERROR_PREFIX = "leafsynth: error: "
RUN_TIMEOUT_SECONDS = 20
MEMORY_LIMIT_BYTES = 2 * 1024 ** 3  # address space: a run needing more than this counts as runaway


def cli() -> str:
    path = os.environ.get("LEAFSYNTH_CLI")
    if not path:
        raise unittest.SkipTest("LEAFSYNTH_CLI is not set (run through ctest)")
    return path


def source_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("LEAFSYNTH_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def examples() -> pathlib.Path:
    return source_dir() / "examples" / "containermanager"


class Run:
    def __init__(self, args, returncode, stdout, stderr):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        return "Run(%r -> %s)\n--- stdout:\n%s\n--- stderr:\n%s" % (
            self.args, self.returncode, self.stdout[-2000:], self.stderr[-2000:])


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


class RobustnessCase(unittest.TestCase):
    """A scratch folder, a clean environment and the checks of the promise."""

    maxDiff = 4000

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-robustness-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
        self.env["HOME"] = str(self.home)
        self.env["NO_COLOR"] = "1"
        self.env["AWS_EC2_METADATA_DISABLED"] = "true"
        self.env.pop("LEAFSYNTH_CLI", None)

    # --- files -------------------------------------------------------------------

    def write(self, name, content) -> pathlib.Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def base_config(self) -> pathlib.Path:
        return examples() / "base-stack-config.yaml"

    # --- running -----------------------------------------------------------------

    def run_cli(self, *args, env=None, stdin=None, timeout=RUN_TIMEOUT_SECONDS, cwd=None) -> Run:
        full_env = dict(self.env)
        full_env.update(env or {})
        argv = [cli()] + [str(a) for a in args]
        try:
            p = subprocess.run(argv, env=full_env, cwd=str(cwd or self.tmp), input=stdin,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               preexec_fn=_limit_memory)
        except subprocess.TimeoutExpired:
            self.fail("leafsynth %r did not end within %d s" % (args, timeout))
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        run = Run(argv[1:], p.returncode, out, err)
        if p.returncode < 0:
            self.fail("leafsynth was killed by signal %d (crash or runaway memory): %r" % (-p.returncode, run))
        return run

    # --- the promise ---------------------------------------------------------------

    def check_error(self, run, *expected_parts, where=None):
        """Exit 2 and one error message (one or more lines for several problems of a file, each
        line starting with the location) containing `expected_parts`; `where` (a file path, a
        `file:line`, or a construct path) must appear in it."""
        self.assertEqual(run.returncode, 2, run)
        self.assertTrue(run.stderr.startswith(ERROR_PREFIX), run)
        lines = run.stderr.splitlines()
        self.assertEqual(sum(1 for line in lines if line.startswith(ERROR_PREFIX)), 1, run)
        self.assertTrue(run.stderr.endswith("\n"), run)
        for part in expected_parts:
            self.assertIn(part, run.stderr, run)
        if where is not None:
            self.assertIn(str(where), run.stderr, run)
        self.assertLess(len(run.stderr), 20000, "an error message should not echo whole inputs: %r" % run)
        return run.stderr

    def assert_no_secret(self, run, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, run.stdout, run)
            self.assertNotIn(secret, run.stderr, run)


def snapshot(folder: pathlib.Path):
    """Every file below `folder` with the SHA-256 of its content (None when the folder is absent)."""
    folder = pathlib.Path(folder)
    if not folder.exists():
        return None
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return out


def main():
    suite = unittest.defaultTestLoader.discover(str(pathlib.Path(__file__).resolve().parent),
                                                pattern=sys.argv[1] if len(sys.argv) > 1 else "test_*.py")
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if result.testsRun == 0:
        print("error: no robustness test ran", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
