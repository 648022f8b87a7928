"""Shared by the Python tests of tests/cli: running a command, and running a test module."""
import subprocess
import sys
import unittest


def run(cmd, **kwargs):
    """Runs a command; fails with its output when it exits non-zero."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(
            f"command failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}")
    return proc


def run_tests(rest) -> int:
    """Runs the module's unittest cases verbosely with the command line's leftover arguments
    (test names); 0 when all passed."""
    return 0 if unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result.wasSuccessful() else 1
