#!/usr/bin/env python3
"""Golden templates: the committed output in templates/ must equal what leafsynth synthesizes now.

usage: check_golden.py LEAFSYNTH MULTI_REGION_EXAMPLE SOURCE_DIR [--update]

TYPED_SERVICES_EXAMPLE is the typed_services_example beside MULTI_REGION_EXAMPLE (both are built in
the build folder's root). Each entry of SETS is synthesized into a temporary folder and compared file by file (names and
bytes) with templates/<name>/. With --update the folders in templates/ are replaced instead:

    cmake --build build --target leafsynth_cli multi_region_example typed_services_example
    python3 tests/golden/check_golden.py build/leafsynth build/multi_region_example . --update
"""
import difflib
import filecmp
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

# The values the shared sample configs read with !ENV: the same as the CDK reference output.
SAMPLE_ENV = {
    "DOMAIN_NAME": "example.com",
    "HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ",
    "EMAIL": "alerts@example.com",
    "MC_VERSION": "1.21.4",
    "RCRON_PASSWORD": "not-a-secret",
    "VALHEIM_PASS": "not-a-secret",
}


def sets(leafsynth, multi_region, src):
    examples = sorted(str(p) for p in (src / "examples" / "containermanager").glob("*.yaml"))
    samples = [str(src / "tests" / "config" / "data" / "shared" / n)
               for n in ("minecraft.java.example.yaml", "valheim.example.yaml")]
    base = str(src / "tests" / "config" / "data" / "shared" / "base-stack-config.yaml")
    synth = [leafsynth, "synth", "--account", "123456789012"]
    return {
        "containermanager-us-west-2": (synth + examples + ["--region", "us-west-2", "-o"], {}),
        "containermanager-us-east-1": (synth + examples + ["--region", "us-east-1", "-o"], {}),
        "sample-configs-us-west-2": (synth + samples + ["--base", base, "--region", "us-west-2", "-o"], SAMPLE_ENV),
        "multi-region-us-west-2": ([multi_region, "{out}", "us-west-2"], {}),
        "typed-services-us-west-2": ([str(pathlib.Path(multi_region).with_name("typed_services_example")), "{out}"], {}),
    }


def run(cmd, out, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(extra_env)
    env["HOME"] = str(out.parent)
    args = [a.replace("{out}", str(out)) for a in cmd]
    if "{out}" not in " ".join(cmd):
        args.append(str(out))
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")


def compare(golden, fresh):
    problems = []
    g = sorted(p.relative_to(golden).as_posix() for p in golden.rglob("*") if p.is_file()) if golden.exists() else []
    f = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    for name in sorted(set(g) - set(f)):
        problems.append(f"  {name}: in templates/ but no longer synthesized")
    for name in sorted(set(f) - set(g)):
        problems.append(f"  {name}: synthesized but not in templates/")
    for name in sorted(set(f) & set(g)):
        if not filecmp.cmp(golden / name, fresh / name, shallow=False):
            problems.append(f"  {name}: differs")
            if name.endswith((".json", ".yaml")):
                diff = difflib.unified_diff((golden / name).read_text().splitlines(), (fresh / name).read_text().splitlines(),
                                            "templates/" + name, "synthesized/" + name, lineterm="", n=2)
                problems.extend("    " + line for line in list(diff)[:40])
    return problems


def main():
    leafsynth, multi_region, src = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    update = "--update" in sys.argv[4:]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (cmd, env) in sets(leafsynth, multi_region, src).items():
            out = pathlib.Path(tmp) / name
            run(cmd, out, env)
            golden = src / "templates" / name
            if update:
                shutil.rmtree(golden, ignore_errors=True)
                shutil.copytree(out, golden)
                print(f"updated templates/{name}")
                continue
            problems = compare(golden, out)
            if problems:
                failed += 1
                print(f"FAIL {name}: synthesized output differs from templates/{name}")
                print("\n".join(problems))
            else:
                print(f"ok   {name}")
    if failed:
        print("\nIf the change is intended, regenerate the golden templates:\n"
              "  python3 tests/golden/check_golden.py build/leafsynth build/multi_region_example . --update")
    print(f"{len(sets(leafsynth, multi_region, src)) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
