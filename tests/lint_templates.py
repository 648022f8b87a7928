#!/usr/bin/env python3
"""Runs cfn-lint over every template below a folder; fails on any error or warning.

usage: lint_templates.py CFN_LINT DIR [DIR...]
Fails too when a DIR holds no template: a lint pass over nothing proves nothing.
"""
import pathlib
import subprocess
import sys


def main() -> int:
    cfn_lint = sys.argv[1]
    files = []
    for root in map(pathlib.Path, sys.argv[2:]):
        found = sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".template.json", ".template.yaml")))
        if not found:
            print(f"no templates found below {root}", file=sys.stderr)
            return 1
        files += found
    # cfn-lint exits non-zero on errors (2), warnings (4) and informational findings (8).
    proc = subprocess.run([cfn_lint, "--format", "parseable", "--", *map(str, files)], capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    print(f"cfn-lint checked {len(files)} templates: exit {proc.returncode}")
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
