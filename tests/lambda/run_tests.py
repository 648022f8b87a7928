"""CTest entry for the Lambda handler tests: python3 -m unittest discovery over this folder.

Fails (exit 1) when any test fails or errors, and also when no test ran at all (which
plain `python3 -m unittest` before Python 3.12 would report as success).
"""

import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # never leave __pycache__ in stacks/lambda/* (zipped as is)

HERE = Path(__file__).resolve().parent


def main():
    suite = unittest.defaultTestLoader.discover(str(HERE), pattern="test_*.py", top_level_dir=str(HERE))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if result.testsRun == 0:
        print("error: no Lambda handler test ran", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
