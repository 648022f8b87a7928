#!/usr/bin/env python3
"""The JSON Schemas of the config formats (`leafsynth schema leaf|base`, stacks/schemas/) against the loader.

usage: test_config_schema.py --cli BUILD/leafsynth --config-tests BUILD/.../leafsynth_config_tests --source-dir SRC

- stacks/schemas/*.schema.json are what `leafsynth schema` prints (regenerate them with
  `build/leafsynth schema leaf > stacks/schemas/leaf.schema.json`, and `base`), and are valid
  draft 2020-12 schemas;
- every example and sample config is valid against its schema;
- every config the loader's tests use (tests/config/data/*.yaml, and each file the Catch2 config
  tests write, collected by running them with LEAFSYNTH_CONFIG_SCRATCH_DIR set) is read by the
  loader (through `leafsynth ls`); each problem the loader reports that is about the structure (an
  unknown or missing key, a value of the wrong type or out of its bounds) must have a schema error
  at the same key path or its parent's; and a config the loader accepts, the schema accepts.

Configs are read as an editor's YAML server reads them with `!ENV` declared as a scalar tag: the
value as text.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

try:
    import jsonschema
except ImportError:  # cfn-lint's Python has it (tests/CMakeLists.txt's Python may not)
    jsonschema = None

ARGS = None
STRUCTURAL = re.compile(
    r"unknown key|required key is missing|required section is missing|section is empty|expected a map|"
    r"expected a list|expected a text value|expected true or false|expected one '|must be (an integer|a port number|from|"
    r"0 or more|more than)|no ports given|no paths given|unknown protocol|unknown SNS protocol|ports; at most|"
    r"volumes; at most|has no value|is not absolute|the protocol must be")


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!ENV", lambda loader, node: loader.construct_scalar(node))


def load_yaml(path: pathlib.Path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


def schema(which: str) -> dict:
    return json.loads(subprocess.run([ARGS.cli, "schema", which], capture_output=True, text=True, check=True).stdout)


def key_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out


def parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[:path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if jsonschema is None:
            raise unittest.SkipTest("no jsonschema module in this Python")
        cls.source = pathlib.Path(ARGS.source_dir)
        cls.schemas = {w: schema(w) for w in ("leaf", "base")}
        cls.validators = {w: jsonschema.Draft202012Validator(s) for w, s in cls.schemas.items()}
        cls.example_leaf = cls.source / "examples" / "containermanager" / "minecraft.yaml"
        cls.example_base = cls.source / "examples" / "containermanager" / "base-stack-config.yaml"

    def errors(self, which, data):
        return list(self.validators[which].iter_errors(data))

    def test_the_committed_schemas_are_current(self):
        for which in ("leaf", "base"):
            committed = (self.source / "stacks" / "schemas" / f"{which}.schema.json").read_text()
            printed = subprocess.run([ARGS.cli, "schema", which], capture_output=True, text=True, check=True).stdout
            self.assertEqual(committed, printed, f"stacks/schemas/{which}.schema.json is stale: run "
                                                 f"'build/leafsynth schema {which} > stacks/schemas/{which}.schema.json'")

    def test_they_are_draft_2020_12_schemas_with_descriptions_and_defaults(self):
        for which, s in self.schemas.items():
            jsonschema.Draft202012Validator.check_schema(s)
            self.assertEqual(s["$schema"], "https://json-schema.org/draft/2020-12/schema")
        leaf = self.schemas["leaf"]["properties"]
        self.assertEqual(leaf["Watchdog"]["properties"]["MinutesWithoutConnections"]["default"], 5)
        self.assertEqual(leaf["Container"]["properties"]["StopTimeoutSeconds"]["default"], 120)
        self.assertIn("Threshold", leaf["Watchdog"]["required"])
        self.assertTrue(leaf["Ec2"]["description"])
        self.assertEqual(self.schemas["base"]["properties"]["Vpc"]["properties"]["MaxAZs"]["default"], 1)

    def test_every_example_and_sample_config_is_valid(self):
        configs = sorted((self.source / "examples" / "containermanager").glob("*.yaml"))
        configs += sorted((self.source / "tests" / "config" / "data" / "shared").glob("*.yaml"))
        shared = self.source.parent / "shared" / "configs"
        if shared.is_dir():
            configs += sorted(shared.glob("*.yaml"))
        self.assertGreater(len(configs), 5)
        for path in configs:
            which = "base" if path.name.startswith("base") else "leaf"
            with self.subTest(config=str(path)):
                self.assertEqual([e.message for e in self.errors(which, load_yaml(path))], [])

    def loader_problems(self, path: pathlib.Path, which: str):
        """(key path, message) of each problem the loader reports in `path`, read as a `which` config."""
        leaf, base = (path, self.example_base) if which == "leaf" else (self.example_leaf, path)
        proc = subprocess.run([ARGS.cli, "ls", str(leaf), "--base", str(base), "--region", "us-west-2",
                               "--account", "123456789012"], capture_output=True, text=True,
                              env={"PATH": os.environ.get("PATH", ""), "HOME": tempfile.gettempdir()})
        problems = []
        prefix = f"leafsynth: error: {path}:"
        for line in proc.stderr.splitlines():
            if not line.startswith(prefix):
                continue
            m = re.match(r"(\d+):(\d+): (?:([A-Za-z][\w.\[\]-]*): )?(.*)", line[len(prefix):])
            if m:
                problems.append((int(m.group(1)), m.group(3) or "", m.group(4)))
        return proc.returncode, problems

    def test_the_loaders_structural_problems_are_schema_errors(self):
        with tempfile.TemporaryDirectory(prefix="leafsynth-config-scratch-") as scratch:
            # The Catch2 config tests write their configs here (tests/config/support.cpp).
            subprocess.run([ARGS.config_tests], capture_output=True, text=True,
                           env=dict(os.environ, LEAFSYNTH_CONFIG_SCRATCH_DIR=scratch))
            corpus = sorted((self.source / "tests" / "config" / "data").glob("*.yaml")) + sorted(
                pathlib.Path(scratch).glob("*.yaml"))
            self.assertGreater(len(corpus), 20, "the config tests wrote fewer configs than expected")
            checked, accepted = 0, 0
            for path in corpus:
                text = path.read_text(encoding="utf-8", errors="replace")
                try:
                    docs = list(yaml.load_all(text, Loader=_Loader))
                except yaml.YAMLError:
                    continue  # a syntax error: not the schema's business
                if len(docs) != 1 or not isinstance(docs[0], dict):
                    continue
                data = docs[0]
                which = "base" if set(data) & {"Domain", "Vpc"} or path.name.startswith("base") else "leaf"
                lines = text.splitlines()
                rc, problems = self.loader_problems(path, which)
                errors = self.errors(which, data)
                error_paths = {key_path(e.absolute_path) for e in errors}
                with self.subTest(config=path.name):
                    if rc == 0:
                        accepted += 1
                        self.assertEqual([f"{key_path(e.absolute_path)}: {e.message}" for e in errors], [],
                                         "the loader accepts this config, the schema does not")
                        continue
                    for line, where, message in problems:
                        if not STRUCTURAL.search(message) or "duplicate" in message:
                            continue
                        if 0 < line <= len(lines) and "!ENV" in lines[line - 1]:
                            continue  # its value is only known when the config is read
                        checked += 1
                        self.assertTrue(where in error_paths or parent_path(where) in error_paths,
                                        f"the loader reports '{where}: {message}'; the schema's errors are at "
                                        f"{sorted(error_paths)}")
            print(f"{len(corpus)} configs: {checked} structural problems checked, {accepted} accepted", file=sys.stderr)
            self.assertGreater(checked, 25, "fewer structural problems than the loader's tests have")
            self.assertGreater(accepted, 5, "fewer valid configs than the loader's tests have")


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--config-tests", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    return 0 if unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
