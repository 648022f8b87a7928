#!/usr/bin/env python3
"""Generates src/diff/create_only_properties.cpp: the create-only properties of every AWS resource
type leafsynth uses, from the CloudFormation resource provider schemas that cfn-lint carries.

`leafsynth diff` classifies a changed resource as "will be replaced" when a create-only property
changed (and "may be replaced" when a conditionally create-only one did); this script produces the
table it reads.

usage: generate_create_only.py [--source-dir SRC] [--region us-east-1] [--check] [--cfn-lint PATH]

The resource types are every "AWS::Service::Type" string found in the golden templates
(templates/), the library and stacks sources (src/, stacks/, include/) and the examples, plus
EXTRA_TYPES below. Types without a schema (e.g. Custom::*) are skipped. With --check nothing is
written: the exit status is 1 when the file in the repository differs from what would be generated
(a test runs this so a new resource type, or a cfn-lint upgrade, is noticed).

The schemas are read through the cfnlint Python package. When this interpreter cannot import it,
--cfn-lint names the cfn-lint program whose interpreter (its #! line, e.g. a virtualenv's python)
runs the script instead.

The table depends on the cfn-lint version's schemas: after a cfn-lint upgrade, --check may report
the table out of date; regenerate and commit it.

Regenerate after adding a resource type to leafsynth:
    python3 tests/diff/generate_create_only.py
"""
import argparse
import pathlib
import re
import sys

# Types worth knowing even when leafsynth does not emit them yet: other policy holders and
# common stateful resources, so a diff of a hand-written template classifies them too.
EXTRA_TYPES = [
    "AWS::IAM::Group",
    "AWS::KMS::Alias",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::SQS::QueuePolicy",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::Lambda::LayerVersion",
]

SCAN_DIRS = ["templates", "src", "stacks", "include", "examples"]
SCAN_SUFFIXES = {".json", ".yaml", ".yml", ".cpp", ".hpp", ".py"}
TYPE_RE = re.compile(r"\bAWS::[A-Za-z0-9]+::[A-Za-z0-9]+\b")
OUTPUT = pathlib.Path("src") / "diff" / "create_only_properties.cpp"


def used_types(source_dir: pathlib.Path) -> set:
    types = set(EXTRA_TYPES)
    for sub in SCAN_DIRS:
        for path in sorted((source_dir / sub).rglob("*")):
            if path.suffix not in SCAN_SUFFIXES or not path.is_file():
                continue
            if path.resolve() == (source_dir / OUTPUT).resolve():
                continue
            types.update(TYPE_RE.findall(path.read_text(errors="replace")))
    return types


def to_path(pointer: str) -> str:
    """'/properties/RootDirectory/Path' -> 'RootDirectory.Path' ('*' stays for array items)."""
    parts = pointer.split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1] != "properties":
        raise ValueError(f"unexpected create-only pointer {pointer!r}")
    return ".".join(parts[2:])


def cpp_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reexec_with_cfn_lint_python(cfn_lint: str):
    """Runs this script again with the interpreter of the cfn-lint program, if it has one."""
    import os
    import shutil
    program = shutil.which(cfn_lint) or cfn_lint
    try:
        first = pathlib.Path(program).read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        first = ""
    interpreter = first[2:].strip().split()[0] if first.startswith("#!") and first[2:].strip() else ""
    if "python" not in pathlib.Path(interpreter).name:
        # A wrapper (e.g. a pyenv shim): the python3 on PATH is the next best guess.
        interpreter = shutil.which("python3") or ""
    if not interpreter or pathlib.Path(interpreter).resolve() == pathlib.Path(sys.executable).resolve():
        return
    args = [a for i, a in enumerate(sys.argv) if a != "--cfn-lint" and (i == 0 or sys.argv[i - 1] != "--cfn-lint")]
    os.execv(interpreter, [interpreter, *args])


def generate(source_dir: pathlib.Path, region: str, cfn_lint: str = None) -> str:
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
        from cfnlint.schema.manager import ResourceNotFoundError
        import cfnlint
    except ImportError:
        if cfn_lint:
            reexec_with_cfn_lint_python(cfn_lint)
        sys.exit("generate_create_only.py: error: cfn-lint (Python package cfnlint) is not importable by "
                 f"{sys.executable}; install cfn-lint or pass --cfn-lint PATH")
    version = getattr(cfnlint, "__version__", None)
    if version is None:
        from importlib.metadata import version as pkg_version
        version = pkg_version("cfn-lint")

    rows = []
    for type_name in sorted(used_types(source_dir)):
        try:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, type_name).schema
        except ResourceNotFoundError:
            continue
        always = sorted({to_path(p) for p in schema.get("createOnlyProperties", [])})
        conditional = sorted({to_path(p) for p in schema.get("conditionalCreateOnlyProperties", [])})
        rows.append((type_name, always, conditional))

    out = [
        "// GENERATED by tests/diff/generate_create_only.py from the CloudFormation resource provider",
        f"// schemas of cfn-lint {version} ({region}). Do not edit: rerun the script.",
        "//",
        "// Per resource type: its create-only properties (a change replaces the resource) and its",
        "// conditionally create-only properties (a change may replace it), as dotted paths below",
        "// Properties; '*' stands for any item of a list.",
        "",
        '#include "diff/create_only_properties.hpp"',
        "",
        "namespace leafsynth::detail {",
        "",
        "const std::vector<CreateOnlyEntry>& create_only_table() {",
        "    static const std::vector<CreateOnlyEntry> table = {",
    ]
    for type_name, always, conditional in rows:
        a = ", ".join(cpp_string(p) for p in always)
        c = ", ".join(cpp_string(p) for p in conditional)
        out.append(f"        {{{cpp_string(type_name)}, {{{a}}}, {{{c}}}}},")
    out += [
        "    };",
        "    return table;",
        "}",
        "",
        "} // namespace leafsynth::detail",
        "",
    ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", default=str(pathlib.Path(__file__).resolve().parents[2]))
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the checked-in file is not what would be generated")
    parser.add_argument("--cfn-lint", help="the cfn-lint program, whose Python is used when this one lacks cfnlint")
    args = parser.parse_args()
    source_dir = pathlib.Path(args.source_dir)
    text = generate(source_dir, args.region, args.cfn_lint)
    target = source_dir / OUTPUT
    if args.check:
        current = target.read_text() if target.exists() else ""
        # The cfn-lint version line may differ between machines; compare the table itself.
        strip = lambda t: [l for l in t.splitlines() if not l.startswith("// schemas of cfn-lint")]
        if strip(current) != strip(text):
            print(f"{target} is out of date: run python3 tests/diff/generate_create_only.py", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.write_text(text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
