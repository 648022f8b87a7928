#!/usr/bin/env python3
"""Tests of the leafsynth command-line tool, run as a user would run it.

usage: test_cli.py --cli PATH/TO/leafsynth --source-dir SRC [--cfn-lint CFN_LINT] [--emitted-dir DIR]
                   [unittest arguments...]

The app is the ContainerManager app built from the configs in examples/containermanager/ (and the
original tool's sample configs in tests/config/data/shared/). With --emitted-dir the templates this
test synthesizes are copied to DIR/cli/ for the final cfn-lint pass over every emitted template.

Every run of the tool gets a controlled environment: no AWS_* variables and HOME pointing at an
empty temporary folder, so the host's AWS settings (region, profile, config file) never leak in.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

ARGS = None
ERROR_PREFIX = "leafsynth: error: "
REGION = "us-west-2"          # the main region the tests give
DOMAIN_REGION = "us-east-1"   # Route 53 query logging: Domain and LinkTogether stacks live here
APP = "ContainerManager"
# Container id (the leaf config's file name) → the letters stack names are built from.
ALPHA = {"minecraft": "Minecraft", "valheim": "Valheim", "echo-server": "EchoServer"}
NESTED = ["SecurityGroups", "Container", "Volumes", "EcsAsg", "Watchdog", "AsgStateChangeHook", "Dashboard"]
# echo-server.yaml turns the dashboard off.
NESTED_OF = {"minecraft": NESTED, "valheim": NESTED, "echo-server": NESTED[:-1]}
# Variables the shared sample configs read through `!ENV`: never taken from the host.
SAMPLE_ENV = ("DOMAIN_NAME", "HOSTED_ZONE_ID", "EMAIL", "MC_VERSION", "RCRON_PASSWORD", "VALHEIM_PASS")

SUMMARY_LINE = re.compile(r"^  (?P<nested>  )?(?P<name>\S+)(?(nested) \(nested\))\s+(?P<region>\S+)\s+"
                          r"(?P<count>\d+) resources  (?P<path>.+)$")


def source_dir() -> pathlib.Path:
    return pathlib.Path(ARGS.source_dir).resolve()


def examples() -> pathlib.Path:
    return source_dir() / "examples" / "containermanager"


def example(name: str) -> pathlib.Path:
    return examples() / f"{name}.yaml"


def shared_samples() -> pathlib.Path:
    return source_dir() / "tests" / "config" / "data" / "shared"


def project_version() -> str:
    text = (source_dir() / "CMakeLists.txt").read_text()
    m = re.search(r"project\(\s*leafsynth\s+VERSION\s+([0-9.]+)", text)
    assert m, "no project(leafsynth VERSION ...) in CMakeLists.txt"
    return m.group(1)


def controlled_env(home: pathlib.Path, extra: dict = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in SAMPLE_ENV}
    env["HOME"] = str(home)
    env.update(extra or {})
    return env


def run_cli(args, home: pathlib.Path, env: dict = None, cwd=None):
    return subprocess.run([ARGS.cli, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=controlled_env(home, env))


def snapshot(folder: pathlib.Path) -> dict:
    """Every file below `folder` (relative path → bytes), and every folder (→ None)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def leaf_stacks(container_id: str, maturity: str = "prod") -> list:
    """The container's top-level stacks in deployment order."""
    prefix = (APP if maturity == "prod" else f"{APP}-{maturity}") + "-" + ALPHA.get(container_id, container_id)
    return [f"{prefix}-DomainStack", f"{prefix}-Stack", f"{prefix}-LinkTogetherStack"]


def app_stacks(container_ids, maturity: str = "prod") -> list:
    base = (APP if maturity == "prod" else f"{APP}-{maturity}") + "-BaseStack"
    return [base] + [s for c in container_ids for s in leaf_stacks(c, maturity)]


def hosted_zones(template: pathlib.Path) -> list:
    """The names of the Route 53 hosted zones a template creates."""
    return [r["Properties"]["Name"] for r in load_template(template)["Resources"].values()
            if r["Type"] == "AWS::Route53::HostedZone"]


def expected_region(stack: str) -> str:
    return DOMAIN_REGION if stack.endswith(("-DomainStack", "-LinkTogetherStack")) else REGION


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that accepts CloudFormation's short-form tags (`!Ref`, `!GetAtt`, ...)."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {f"!{suffix}": value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(path: pathlib.Path) -> dict:
    text = path.read_text()
    return json.loads(text) if path.name.endswith(".json") else yaml.load(text, Loader=_CfnLoader)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-cli-test-"))
        self.home = self.tmp / "home"  # an empty HOME: no ~/.aws/config
        self.home.mkdir()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def leafsynth(self, *args, env=None, cwd=None, home=None):
        return run_cli(args, home or self.home, env, cwd)

    def write_config(self, name: str, text: str) -> pathlib.Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def assert_ok(self, proc):
        self.assertEqual(proc.returncode, 0, f"exit {proc.returncode}; stderr:\n{proc.stderr}")
        self.assertEqual(proc.stderr, "")

    def synth(self, *configs, outdir, fmt=None, extra=(), region=REGION, env=None, cwd=None):
        """A successful synth; `region=None` leaves the main region to the environment."""
        args = ["synth", *configs, "-o", outdir, *extra] + (["--format", fmt] if fmt else [])
        args += ["--region", region] if region else []
        proc = self.leafsynth(*args, env=env, cwd=cwd)
        self.assert_ok(proc)
        return proc

    def ls(self, *args, env=None, cwd=None, home=None):
        proc = self.leafsynth("ls", *args, env=env, cwd=cwd, home=home)
        self.assert_ok(proc)
        return [line.split("\t") for line in proc.stdout.splitlines()]


def parse_summary(test: unittest.TestCase, stdout: str):
    """(first line, [(name, nested parent or None, region, count, path)]) of a synth summary."""
    lines = stdout.splitlines()
    test.assertTrue(lines, "synth printed nothing")
    rows, parent = [], None
    for line in lines[1:]:
        m = SUMMARY_LINE.match(line)
        test.assertIsNotNone(m, f"not a summary line: {line!r}")
        if m["nested"]:
            test.assertIsNotNone(parent, f"a nested stack before any stack: {line!r}")
            rows.append((m["name"], parent, m["region"], int(m["count"]), m["path"]))
        else:
            parent = m["name"]
            rows.append((m["name"], None, m["region"], int(m["count"]), m["path"]))
    return lines[0], rows


class SynthTest(TempDirTest):
    """synth of the bundled example app: every leaf config plus the base config beside them."""
    ORDER = ["minecraft", "valheim", "echo-server"]  # not alphabetical: stacks follow the command line

    def synth_examples(self, fmt=None, outdir=None):
        outdir = outdir or self.tmp / f"out-{fmt or 'default'}"
        proc = self.synth(*(example(c) for c in self.ORDER), outdir=outdir, fmt=fmt)
        return proc, outdir

    def check_summary(self, proc, outdir: pathlib.Path, ext: str):
        first, rows = parse_summary(self, proc.stdout)
        top = [r[0] for r in rows if r[1] is None]
        self.assertEqual(top, app_stacks(self.ORDER))
        nested = [r for r in rows if r[1] is not None]
        self.assertEqual(len(nested), sum(len(NESTED_OF[c]) for c in self.ORDER))

        templates = {p.name for p in outdir.iterdir() if ".template." in p.name}
        self.assertTrue(all(t.endswith(f".template.{ext}") for t in templates), templates)
        listed, total = set(), 0
        for name, parent, region, count, path in rows:
            p = pathlib.Path(path)
            self.assertEqual(p.parent, outdir, path)
            self.assertTrue(p.is_file(), f"listed template {path} does not exist")
            listed.add(p.name)
            t = load_template(p)
            self.assertEqual(len(t["Resources"]), count, f"{p.name}: resource count in the summary")
            total += count
            if parent is None:
                self.assertEqual(p.name, f"{name}.template.{ext}")
                self.assertEqual(region, expected_region(name), name)
            else:
                self.assertEqual(p.name, f"{parent}.{name}.nested.template.{ext}")
                self.assertEqual(region, expected_region(parent), f"{parent}/{name}")
        self.assertEqual(listed, templates, "templates in the folder and in the summary differ")
        self.assertEqual(first, f"Synthesized {len(top)} stacks and {len(nested)} nested stacks "
                                f"({total} resources) into {outdir}/")
        # Each container's leaf stack holds its nested stacks, as AWS::CloudFormation::Stack resources.
        for c in self.ORDER:
            leaf = leaf_stacks(c)[1]
            self.assertEqual([r[0] for r in rows if r[1] == leaf], NESTED_OF[c], leaf)
            t = load_template(outdir / f"{leaf}.template.{ext}")
            stacks = [k for k, v in t["Resources"].items() if v["Type"] == "AWS::CloudFormation::Stack"]
            self.assertEqual(len(stacks), len(NESTED_OF[c]), leaf)
            for other in leaf_stacks(c)[::2]:
                self.assertEqual([r for r in rows if r[1] == other], [], f"{other} has no nested stacks")
        return rows

    def test_json(self):
        proc, outdir = self.synth_examples()  # JSON is the default format
        self.check_summary(proc, outdir, "json")
        # Each container's sub-domain under the base config's domain is the zone of its Domain stack.
        for c in self.ORDER:
            self.assertEqual(hosted_zones(outdir / f"{leaf_stacks(c)[0]}.template.json"),
                             [f"{c}.games.example.com."])
        # --format json gives the same bytes as the default.
        _, explicit = self.synth_examples("json")
        self.assertEqual(snapshot(explicit), snapshot(outdir))

    def test_yaml(self):
        proc, outdir = self.synth_examples("yaml")
        rows = self.check_summary(proc, outdir, "yaml")
        # The same resources as the JSON templates, and CloudFormation short-form tags.
        _, json_dir = self.synth_examples("json")
        short_forms = 0
        for *_, path in rows:
            y = pathlib.Path(path)
            j = json_dir / y.name.replace(".template.yaml", ".template.json")
            self.assertEqual({k: v["Type"] for k, v in load_template(y)["Resources"].items()},
                             {k: v["Type"] for k, v in load_template(j)["Resources"].items()}, y.name)
            short_forms += len(re.findall(r"!(Ref|GetAtt|Sub|Join|ImportValue) ", y.read_text()))
        self.assertGreater(short_forms, 0, "no short-form tags in the YAML templates")
        manifest = json.loads((outdir / "manifest.json").read_text())
        files = [a["properties"]["templateFile"] for a in manifest["artifacts"].values()
                 if a["type"] == "aws:cloudformation:stack"]
        self.assertTrue(files and all(f.endswith(".template.yaml") for f in files), files)

    def test_manifest(self):
        _, outdir = self.synth_examples()
        manifest = json.loads((outdir / "manifest.json").read_text())
        stacks = {k: a for k, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
        self.assertEqual(list(stacks), app_stacks(self.ORDER))
        for name, a in stacks.items():
            self.assertEqual(a["environment"], f"aws://unknown-account/{expected_region(name)}", name)
            self.assertTrue((outdir / a["properties"]["templateFile"]).is_file(), name)

    def test_cfn_lint(self):
        """Every template of the example app (JSON and YAML) and of the shared samples passes cfn-lint."""
        sets = {"json": self.synth_examples("json")[1], "yaml": self.synth_examples("yaml")[1],
                "shared": self.tmp / "shared"}
        self.synth(*sorted(shared_samples().glob("*.yaml")), outdir=sets["shared"],
                   env={"DOMAIN_NAME": "play.example.org", "EMAIL": "ops@example.org", "MC_VERSION": "1.21.1",
                        "RCRON_PASSWORD": "rcon-secret", "VALHEIM_PASS": "valheim-secret",
                        "HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ"})
        templates = {key: sorted(p for p in folder.iterdir() if ".template." in p.name) for key, folder in sets.items()}
        files = [p for ps in templates.values() for p in ps]
        self.assertEqual(len(files), 2 * 30 + 21)
        proc = subprocess.run([ARGS.cfn_lint, "--format", "parseable", "--", *map(str, files)],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, f"cfn-lint findings:\n{proc.stdout}{proc.stderr}")
        if ARGS.emitted_dir:
            dest = pathlib.Path(ARGS.emitted_dir) / "cli"
            shutil.rmtree(dest, ignore_errors=True)  # no stale templates of an earlier app
            for key, ps in templates.items():
                (dest / key).mkdir(parents=True)
                for p in ps:
                    shutil.copy2(p, dest / key / p.name)

    def test_shared_samples_take_env_values(self):
        """The original tool's sample configs: `!ENV ${...}` values come from the environment."""
        out = self.tmp / "shared"
        proc = self.synth(*sorted(shared_samples().glob("*.yaml")), outdir=out,
                          env={"DOMAIN_NAME": "play.example.org", "EMAIL": "ops@example.org",
                               "HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ"})
        first, rows = parse_summary(self, proc.stdout)
        self.assertEqual([r[0] for r in rows if r[1] is None],
                         app_stacks(["MinecraftJavaExample", "ValheimExample"]))
        domain = (out / f"{APP}-MinecraftJavaExample-DomainStack.template.json").read_text()
        self.assertIn("minecraft.java.example.play.example.org", domain)
        self.assertIn("Z0123456789ABCDEFGHIJ", domain)
        self.assertIn("ops@example.org", (out / f"{APP}-BaseStack.template.json").read_text())

    def test_default_output_folder(self):
        proc = self.leafsynth("synth", example("minecraft"), "--region", REGION, cwd=self.tmp)
        self.assert_ok(proc)
        self.assertTrue(proc.stdout.startswith("Synthesized 4 stacks and 7 nested stacks ("), proc.stdout)
        self.assertIn(" into leafsynth.out/\n", proc.stdout.splitlines(keepends=True)[0])
        self.assertTrue((self.tmp / "leafsynth.out" / "manifest.json").is_file())
        self.assertTrue((self.tmp / "leafsynth.out" / f"{APP}-BaseStack.template.json").is_file())

    def test_output_folder_with_trailing_slash(self):
        out = self.tmp / "slash"
        proc = self.synth(example("minecraft"), outdir=f"{out}/")
        first, rows = parse_summary(self, proc.stdout)
        self.assertEqual(first.split(" into ")[1], f"{out}/")
        self.assertEqual(rows[0][4], f"{out}/{APP}-BaseStack.template.json")


class DeterminismTest(TempDirTest):
    CONFIGS = ("minecraft", "valheim", "echo-server")

    def configs(self):
        return [example(c) for c in self.CONFIGS]

    def test_two_synths_are_byte_identical(self):
        for fmt in ("json", "yaml"):
            with self.subTest(fmt=fmt):
                first, second = self.tmp / f"{fmt}-1", self.tmp / f"{fmt}-2"
                self.synth(*self.configs(), outdir=first, fmt=fmt)
                self.synth(*self.configs(), outdir=second, fmt=fmt)
                a, b = snapshot(first), snapshot(second)
                self.assertGreater(len(a), 30, "too little was written")
                self.assertEqual(a, b)

    def test_region_from_env_or_flag_gives_the_same_bytes(self):
        flag, env_region, env_default = self.tmp / "flag", self.tmp / "env", self.tmp / "env-default"
        self.synth(*self.configs(), outdir=flag)
        self.synth(*self.configs(), outdir=env_region, region=None, env={"AWS_REGION": REGION})
        self.synth(*self.configs(), outdir=env_default, region=None, env={"AWS_DEFAULT_REGION": REGION})
        self.assertEqual(snapshot(env_region), snapshot(flag))
        self.assertEqual(snapshot(env_default), snapshot(flag))

    def test_config_path_and_cwd_do_not_matter(self):
        absolute, relative = self.tmp / "abs", self.tmp / "rel"
        self.synth(*self.configs(), outdir=absolute)
        self.synth(*(f"{c}.yaml" for c in self.CONFIGS), outdir=relative, cwd=examples())
        self.assertEqual(snapshot(relative), snapshot(absolute))

    def test_ls_and_graph_are_deterministic(self):
        for cmd in (["ls"], ["graph"], ["graph", "--format", "dot"]):
            with self.subTest(cmd=cmd):
                a = self.leafsynth(*cmd, *self.configs(), "--region", REGION)
                b = self.leafsynth(*cmd, *self.configs(), "--region", REGION)
                self.assert_ok(a)
                self.assertTrue(a.stdout)
                self.assertEqual(a.stdout, b.stdout)


class RegionTest(TempDirTest):
    """The main region: --region, AWS_REGION, AWS_DEFAULT_REGION, the AWS config's profile; else an error."""

    def regions(self, *args, env=None, home=None):
        """stack → region, from `ls minecraft.yaml`."""
        rows = self.ls(example("minecraft"), *args, env=env, home=home)
        return {r[0]: r[1] for r in rows}

    def assert_main_region(self, region, *args, env=None, home=None):
        got = self.regions(*args, env=env, home=home)
        self.assertEqual(got, {s: (DOMAIN_REGION if expected_region(s) == DOMAIN_REGION else region)
                               for s in app_stacks(["minecraft"])})

    def write_aws_config(self, path: pathlib.Path) -> pathlib.Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[default]\nregion = ap-south-1\n\n[profile games]\nregion = sa-east-1\n")
        return path

    def test_flag(self):
        self.assert_main_region("eu-west-1", "--region", "eu-west-1")

    def test_aws_region(self):
        self.assert_main_region("eu-north-1", env={"AWS_REGION": "eu-north-1"})

    def test_aws_default_region(self):
        self.assert_main_region("ca-central-1", env={"AWS_DEFAULT_REGION": "ca-central-1"})

    def test_aws_config_file(self):
        cfg = self.write_aws_config(self.tmp / "aws-config")
        self.assert_main_region("ap-south-1", env={"AWS_CONFIG_FILE": str(cfg)})
        self.assert_main_region("sa-east-1", env={"AWS_CONFIG_FILE": str(cfg), "AWS_PROFILE": "games"})

    def test_config_in_home(self):
        self.write_aws_config(self.home / ".aws" / "config")
        self.assert_main_region("ap-south-1")

    def test_precedence(self):
        cfg = self.write_aws_config(self.tmp / "aws-config")
        env = {"AWS_CONFIG_FILE": str(cfg), "AWS_DEFAULT_REGION": "ca-central-1", "AWS_REGION": "eu-north-1"}
        self.assert_main_region("us-east-2", "--region", "us-east-2", env=env)
        self.assert_main_region("eu-north-1", env=env)
        del env["AWS_REGION"]
        self.assert_main_region("ca-central-1", env=env)
        del env["AWS_DEFAULT_REGION"]
        self.assert_main_region("ap-south-1", env=env)

    def test_no_region(self):
        for cmd in ("synth", "ls", "graph"):
            with self.subTest(cmd=cmd):
                before = snapshot(self.tmp)
                proc = self.leafsynth(cmd, example("minecraft"), cwd=self.tmp)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
                self.assertTrue(proc.stderr.startswith(ERROR_PREFIX + "no region given"), proc.stderr)
                for fix in ("--region", "AWS_REGION", "AWS_DEFAULT_REGION", str(self.home / ".aws" / "config")):
                    self.assertIn(fix, proc.stderr)
                self.assertEqual(snapshot(self.tmp), before)

    def test_bad_region_names_its_source(self):
        for args, env, source in ((["--region", "mars-1"], None, "--region"),
                                  ([], {"AWS_REGION": "moon"}, "AWS_REGION"),
                                  ([], {"AWS_DEFAULT_REGION": "US_WEST_2"}, "AWS_DEFAULT_REGION")):
            with self.subTest(source=source):
                proc = self.leafsynth("ls", example("minecraft"), *args, env=env)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
                self.assertIn(f"(from {source})", proc.stderr)


class AppArgsTest(TempDirTest):
    """--account, --maturity, --container-id, several leaf configs, where the base config comes from."""

    def test_account(self):
        out = self.tmp / "out"
        self.synth(example("minecraft"), outdir=out, extra=["--account", "123456789012"])
        manifest = json.loads((out / "manifest.json").read_text())
        envs = {k: a["environment"] for k, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
        self.assertEqual(envs, {s: f"aws://123456789012/{expected_region(s)}" for s in app_stacks(["minecraft"])})
        rows = self.ls(example("minecraft"), "--region", REGION, "--account", "123456789012")
        self.assertEqual({r[2] for r in rows}, {"123456789012"})
        rows = self.ls(example("minecraft"), "--region", REGION)
        self.assertEqual({r[2] for r in rows}, {"-"})

    def test_maturity(self):
        for maturity in ("prod", "devel"):
            with self.subTest(maturity=maturity):
                out = self.tmp / maturity
                proc = self.synth(example("minecraft"), outdir=out, extra=["--maturity", maturity])
                _, rows = parse_summary(self, proc.stdout)
                expected = app_stacks(["minecraft"], maturity)
                self.assertEqual([r[0] for r in rows if r[1] is None], expected)
                for stack in expected:
                    self.assertTrue((out / f"{stack}.template.json").is_file(), stack)
                rows = self.ls(example("minecraft"), "--region", REGION, "--maturity", maturity)
                self.assertEqual([r[0] for r in rows], expected)
        self.assertEqual(app_stacks(["minecraft"], "devel"),
                         ["ContainerManager-devel-BaseStack", "ContainerManager-devel-Minecraft-DomainStack",
                          "ContainerManager-devel-Minecraft-Stack",
                          "ContainerManager-devel-Minecraft-LinkTogetherStack"])

    def test_container_id(self):
        rows = self.ls(example("minecraft"), "--region", REGION, "--container-id", "my-game")
        self.assertEqual([r[0] for r in rows], app_stacks(["MyGame"]))
        out = self.tmp / "out"
        self.synth(example("minecraft"), outdir=out, extra=["--container-id", "my-game"])
        domain = out / f"{APP}-MyGame-DomainStack.template.json"
        self.assertEqual(hosted_zones(domain), ["my-game.games.example.com."])
        self.assertNotIn("minecraft", domain.read_text())

    def test_several_leaf_configs(self):
        configs = ["valheim", "echo-server", "minecraft"]
        rows = self.ls(*(example(c) for c in configs), "--region", REGION)
        names = [r[0] for r in rows]
        self.assertEqual(names, app_stacks(configs))
        self.assertEqual(sum(n.endswith("-BaseStack") for n in names), 1)
        self.assertEqual(len(names), 1 + 3 * len(configs))

    def test_base_config_sources(self):
        """Beside the first leaf config, --base, or a base-stack-config.yaml among the configs: the same app."""
        beside = self.tmp / "beside"
        self.synth(example("minecraft"), outdir=beside)
        lone = self.tmp / "lone" / "minecraft.yaml"
        lone.parent.mkdir()
        shutil.copy(example("minecraft"), lone)
        with_flag = self.tmp / "with-flag"
        self.synth(lone, outdir=with_flag, extra=["--base", example("base-stack-config")])
        among = self.tmp / "among"
        self.synth(example("base-stack-config"), lone, outdir=among)
        self.assertEqual(snapshot(with_flag), snapshot(beside))
        self.assertEqual(snapshot(among), snapshot(beside))

    def test_base_config_missing(self):
        lone = self.write_config("lone/minecraft.yaml", example("minecraft").read_text())
        for cmd in ("synth", "ls", "graph"):
            with self.subTest(cmd=cmd):
                before = snapshot(self.tmp)
                proc = self.leafsynth(cmd, lone, "--region", REGION, cwd=self.tmp)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertEqual(proc.stderr, f"{ERROR_PREFIX}no base config: pass --base BASE.yaml, or put "
                                              f"base-stack-config.yaml beside {lone}\n")
                self.assertEqual(snapshot(self.tmp), before)


class LsTest(TempDirTest):
    def test_deployment_order(self):
        proc = self.leafsynth("ls", example("minecraft"), example("valheim"), "--region", REGION,
                              "--account", "123456789012")
        self.assert_ok(proc)
        expected = [f"{APP}-BaseStack\t{REGION}\t123456789012\t-"]
        for alpha in ("Minecraft", "Valheim"):
            p = f"{APP}-{alpha}"
            expected += [f"{p}-DomainStack\t{DOMAIN_REGION}\t123456789012\t{APP}-BaseStack",
                         f"{p}-Stack\t{REGION}\t123456789012\t{APP}-BaseStack,{p}-DomainStack",
                         f"{p}-LinkTogetherStack\t{DOMAIN_REGION}\t123456789012\t{p}-DomainStack,{p}-Stack"]
        self.assertEqual(proc.stdout.splitlines(), expected)
        self.assertTrue(proc.stdout.endswith("\n"))

    def test_dependencies_come_first(self):
        rows = self.ls(*(example(c) for c in ("echo-server", "minecraft", "valheim")), "--region", REGION)
        seen = set()
        for name, region, account, deps in rows:
            self.assertEqual(account, "-")
            for d in ([] if deps == "-" else deps.split(",")):
                self.assertIn(d, seen, f"{name} is listed before its dependency {d}")
            seen.add(name)

    def test_matches_synth(self):
        """ls lists the top-level stacks of synth's summary, with the same regions, and the manifest's dependencies."""
        configs = [example(c) for c in ("minecraft", "echo-server")]
        out = self.tmp / "out"
        proc = self.synth(*configs, outdir=out)
        _, summary = parse_summary(self, proc.stdout)
        rows = self.ls(*configs, "--region", REGION)
        self.assertEqual([(r[0], r[1]) for r in rows], [(s[0], s[2]) for s in summary if s[1] is None])
        manifest = json.loads((out / "manifest.json").read_text())["artifacts"]
        for name, _, _, deps in rows:
            stack_deps = [d for d in manifest[name].get("dependencies", []) if not d.endswith(".assets")]
            self.assertEqual(sorted(stack_deps), sorted([] if deps == "-" else deps.split(",")), name)

    def test_writes_nothing(self):
        for cmd in ("ls", "graph"):
            with self.subTest(cmd=cmd):
                before = snapshot(self.tmp)
                proc = self.leafsynth(cmd, example("minecraft"), "--region", REGION, cwd=self.tmp)
                self.assert_ok(proc)
                self.assertEqual(snapshot(self.tmp), before)


class GraphTest(TempDirTest):
    CONFIGS = ("minecraft", "echo-server")

    def graph(self, *args):
        proc = self.leafsynth("graph", *(example(c) for c in self.CONFIGS), "--region", REGION, *args)
        self.assert_ok(proc)
        return proc.stdout

    def test_the_architecture_by_default(self):
        text = self.graph()
        self.assertEqual(self.graph("--detail", "constructs"), text)
        self.assertIn('clients["Clients"]', text)
        self.assertIn("-->|DNS query|", text)
        self.assertIn("-.->|matching log lines|", text)
        self.assertNotIn("Role<br/>IAM::Role", text)
        resources = self.graph("--detail", "resources")
        self.assertGreater(resources.count("\n"), 2 * text.count("\n"))

    @unittest.skipUnless(shutil.which("dot"), "Graphviz is not installed (bash cmake/setup.sh --tests installs it)")
    def test_rendered_by_graphviz_and_readable(self):
        import struct
        for configs, limit in ((["minecraft"], 4000), (list(self.CONFIGS), None)):
            out = self.tmp / "app.png"
            proc = self.leafsynth("graph", *(example(c) for c in configs), "--region", REGION, "--format", "png",
                                  "-o", out)
            self.assert_ok(proc)
            data = out.read_bytes()
            self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
            width, height = struct.unpack(">II", data[16:24])
            if limit:  # one container: both sides readable at 96 dpi
                self.assertLess(width, limit)
                self.assertLess(height, limit)
            self.assertFalse([p for p in self.tmp.iterdir() if ".partial-" in p.name])
        proc = self.leafsynth("graph", example("minecraft"), "--region", REGION, "--format", "svg")
        self.assert_ok(proc)
        self.assertIn("<svg", proc.stdout)
        self.assertIn("Start System", proc.stdout)

    def test_the_committed_drawing_is_current(self):
        committed = (examples() / "architecture.dot").read_text()
        proc = self.leafsynth("graph", example("minecraft"), "--region", REGION, "--format", "dot")
        self.assert_ok(proc)
        self.assertEqual(proc.stdout, committed,
                         "examples/containermanager/architecture.dot is stale: run 'build/leafsynth graph "
                         "examples/containermanager/minecraft.yaml --region us-west-2 --format dot -o "
                         "examples/containermanager/architecture.dot' and render architecture.png from it with "
                         "'dot -Tpng -Gdpi=96'")

    def test_without_graphviz_one_clear_error(self):
        proc = self.leafsynth("graph", example("minecraft"), "--region", REGION, "--format", "png", "-o",
                              self.tmp / "app.png", env={"PATH": str(self.tmp / "empty")})
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, ERROR_PREFIX + "--format png needs Graphviz's dot, which is not on PATH; install "
                                                     "Graphviz (Debian: apt install graphviz), or write DOT with "
                                                     "--format dot and render it elsewhere\n")
        self.assertFalse((self.tmp / "app.png").exists())

    def test_mermaid(self):
        text = self.graph("--detail", "resources")  # mermaid is the default format
        self.assertEqual(self.graph("--format", "mermaid", "--detail", "resources"), text)
        lines = text.splitlines()
        self.assertEqual(lines[0], "flowchart TD")
        titles = re.findall(r'^\s*subgraph \S+\["([^"]*)"\]$', text, re.M)
        self.assertEqual(text.count("subgraph "), len(titles), "a subgraph without a title")
        self.assertEqual(sum(line.strip() == "end" for line in lines), len(titles), "unbalanced subgraph/end")
        self.assertEqual(titles[0], REGION)
        self.assertIn(DOMAIN_REGION, titles)
        for stack in app_stacks(self.CONFIGS):
            self.assertIn(stack, titles)
        nested = [t for t in titles if t.endswith(" (nested)")]
        self.assertEqual(len(nested), sum(len(NESTED_OF[c]) for c in self.CONFIGS))
        self.assertIn("Dashboard (nested)", nested)
        self.assertRegex(text, r"\n  \S+ -->\|\w+\| \S+\n")  # a reference within a stack
        self.assertRegex(text, r"\n  \S+ -\.->\|\w+\| \S+\n")  # a reference across stacks

    def test_dot(self):
        text = self.graph("--format", "dot", "--detail", "resources")
        self.assertTrue(text.startswith("digraph leafsynth {\n"), text[:80])
        self.assertTrue(text.endswith("}\n"), text[-80:])
        self.assertEqual(text.count("{"), text.count("}"))
        labels = re.findall(r'label="([^"]*)"', text)
        for title in [REGION, DOMAIN_REGION, *app_stacks(self.CONFIGS), "Dashboard (nested)"]:
            self.assertIn(title, labels)
        self.assertRegex(text, r"\S+ -> \S+ \[label=\"\w+\"\];")
        self.assertRegex(text, r"\S+ -> \S+ \[label=\"\w+\", style=dashed\];")
        if shutil.which("dot"):
            proc = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)


class InfoTest(TempDirTest):
    def test_version(self):
        proc = self.leafsynth("--version")
        self.assert_ok(proc)
        self.assertEqual(proc.stdout.strip(), f"leafsynth {project_version()}")

    def test_help(self):
        proc = self.leafsynth("--help")
        self.assert_ok(proc)
        out = proc.stdout
        for needle in ("synth", "ls", "graph", "--version", "Examples:"):
            self.assertIn(needle, out)
        examples_text = out.split("Examples:", 1)[1]
        for cmd in ("synth", "ls", "graph"):
            self.assertRegex(examples_text, rf"\n  leafsynth {cmd} \S+\.yaml")
        self.assertIn("--format yaml", examples_text)
        self.assertIn("--format png", examples_text)
        m = re.search(r"Exit codes:(.*)", out, re.S)
        self.assertIsNotNone(m, out)
        self.assertRegex(m.group(1), r"0 success")
        self.assertRegex(m.group(1), r"1 a finding")
        self.assertRegex(m.group(1), r"2 bad input")

    def test_help_examples_name_real_files(self):
        out = self.leafsynth("--help").stdout.split("Examples:", 1)[1]
        paths = set(re.findall(r"(examples/\S+\.yaml)", out))
        self.assertTrue(paths)
        for p in paths:
            self.assertTrue(list(source_dir().glob(p)), f"--help names {p}, which matches no file")

    def test_subcommand_help(self):
        common = ("--base", "--region", "--account", "--maturity", "--container-id", "prod", "devel")
        for cmd, own in (("synth", ("--output", "--format", "json", "yaml")), ("ls", ()),
                         ("graph", ("--format", "mermaid", "dot"))):
            with self.subTest(cmd=cmd):
                proc = self.leafsynth(cmd, "--help")
                self.assert_ok(proc)
                for needle in common + own:
                    self.assertIn(needle, proc.stdout)


class InitTest(TempDirTest):
    """`leafsynth init`: a commented config that synthesizes as written, never overwritten by accident."""

    COMMENTED_KEY = re.compile(r"^(\s*)# ([A-Z][A-Za-z0-9]*):(?: (.*))?$")

    def init(self, *args, cwd=None):
        return self.leafsynth("init", *args, cwd=cwd or self.tmp)

    def synth(self, leaf: pathlib.Path, out: pathlib.Path):
        proc = self.leafsynth("synth", leaf, "--region", REGION, "--account", "123456789012", "-o", out)
        self.assert_ok(proc)
        return snapshot(out)

    def test_writes_a_leaf_and_a_base_config_that_synthesize(self):
        proc = self.init("minecraft")
        self.assert_ok(proc)
        leaf, base = self.tmp / "minecraft.yaml", self.tmp / "base-stack-config.yaml"
        self.assertIn("Wrote ./minecraft.yaml and ./base-stack-config.yaml", proc.stdout)
        for path, fmt in ((leaf, "leaf"), (base, "base")):
            first = path.read_text().splitlines()[0]
            self.assertTrue(first.startswith("# yaml-language-server: $schema="), first)
            schema = pathlib.Path(first.split("=", 1)[1])
            self.assertTrue(schema.is_file(), f"{path.name} names {schema}, which is not there")
            self.assertEqual(json.loads(schema.read_text())["title"], f"leafsynth {fmt} config")
        data = yaml.load(leaf.read_text(), Loader=_CfnLoader)
        self.assertEqual(data["Container"], {"Image": "itzg/minecraft-server", "Ports": [{"TCP": 25565}]})
        self.assertEqual(data["Watchdog"], {"Threshold": 1850})
        out = self.tmp / "out"
        files = self.synth(leaf, out)
        self.assertIn("ContainerManager-Minecraft-Stack.template.json", files)
        if ARGS.emitted_dir:
            dest = pathlib.Path(ARGS.emitted_dir) / "cli-init"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(out, dest, ignore=shutil.ignore_patterns("asset.*", "*.json.tmp"))

    def test_the_options_set_what_they_say(self):
        self.assert_ok(self.init("valheim", "--image", "lloesche/valheim-server", "--port", "udp:2456",
                                 "--port", "UDP:2457", "--instance-type", "t3.large", "--volume", "/config",
                                 "--volume", "/opt/valheim", "--threshold", "3000", "--domain", "play.example.org"))
        data = yaml.load((self.tmp / "valheim.yaml").read_text(), Loader=_CfnLoader)
        self.assertEqual(data["Ec2"], {"InstanceType": "t3.large"})
        self.assertEqual(data["Container"]["Ports"], [{"UDP": 2456}, {"UDP": 2457}])
        self.assertEqual(data["Volumes"], [{"Paths": [{"Path": "/config"}, {"Path": "/opt/valheim"}]}])
        self.assertEqual(data["Watchdog"]["Threshold"], 3000)
        base = yaml.load((self.tmp / "base-stack-config.yaml").read_text(), Loader=_CfnLoader)
        self.assertEqual(base, {"Domain": {"Name": "play.example.org"}})
        files = self.synth(self.tmp / "valheim.yaml", self.tmp / "out")
        leaf = json.loads(files["ContainerManager-Valheim-Stack.template.json"])
        self.assertTrue(leaf["Resources"])

    def test_every_commented_default_is_the_default(self):
        """Uncommenting every key init left commented out changes nothing in the output."""
        self.assert_ok(self.init("minecraft", "--volume", "/data"))
        leaf, base = self.tmp / "minecraft.yaml", self.tmp / "base-stack-config.yaml"
        as_written = self.synth(leaf, self.tmp / "a")
        uncommented = 0
        for path in (leaf, base):
            lines = []
            for line in path.read_text().splitlines():
                m = self.COMMENTED_KEY.match(line)
                if m:
                    line = f"{m.group(1)}{m.group(2)}:" + (f" {m.group(3)}" if m.group(3) else "")
                    uncommented += 1
                lines.append(line)
            path.write_text("\n".join(lines) + "\n")
        self.assertGreater(uncommented, 12)
        self.assertEqual(self.synth(leaf, self.tmp / "b"), as_written)

    def test_dir_makes_the_folder(self):
        proc = self.init("echo", "--dir", self.tmp / "apps" / "echo", "--port", "tcp:7")
        self.assert_ok(proc)
        self.assertTrue((self.tmp / "apps" / "echo" / "echo.yaml").is_file())
        self.assertTrue((self.tmp / "apps" / "echo" / "base-stack-config.yaml").is_file())
        self.synth(self.tmp / "apps" / "echo" / "echo.yaml", self.tmp / "out")

    def test_an_existing_config_is_not_overwritten_without_force(self):
        self.assert_ok(self.init("minecraft"))
        leaf, base = self.tmp / "minecraft.yaml", self.tmp / "base-stack-config.yaml"
        leaf.write_text(leaf.read_text() + "# mine\n")
        base.write_text(base.read_text() + "# my base\n")
        before = snapshot(self.tmp)
        proc = self.init("minecraft", "--image", "other/image")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, ERROR_PREFIX + "./minecraft.yaml exists; leafsynth init does not overwrite it "
                                                     "without --force\n")
        self.assertEqual(snapshot(self.tmp), before)
        proc = self.init("minecraft", "--image", "other/image", "--force")
        self.assert_ok(proc)
        self.assertIn("Kept ./base-stack-config.yaml", proc.stdout)
        self.assertIn("Image: other/image", leaf.read_text())
        self.assertTrue(base.read_text().endswith("# my base\n"), "the base config was rewritten")

    def test_bad_arguments_are_one_clear_error_and_write_nothing(self):
        cases = [
            (["Bad Id"], "container id 'Bad Id' contains 'B'; use only lower-case letters"),
            (["game", "--port", "tcp"], "--port 'tcp': write PROTOCOL:PORT with TCP or UDP and a port from 1 to 65535"),
            (["game", "--port", "sctp:80"], "--port 'sctp:80': write PROTOCOL:PORT"),
            (["game", "--port", "udp:70000"], "--port 'udp:70000': write PROTOCOL:PORT"),
            (["game", "--volume", "data"], "--volume 'data': not an absolute path; start it with '/', e.g. '/data'"),
            (["game", "--instance-type", "M5.large"],
             "the config leafsynth init would write is not valid, so nothing was written"),
            (["game", "--port", "tcp:80", "--port", "TCP:80"], "port 80/TCP is already listed"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                proc = self.init(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(message, proc.stderr)
                self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
                self.assertEqual(sorted(p.name for p in self.tmp.iterdir() if p.name != "home"), [],
                                 "init left files behind")
        proc = self.init("game", "--instance-type", "M5.large")
        self.assertIn("game.yaml:", proc.stderr)  # the loader's problem names the file it would have been
        self.assertNotIn(".init-", proc.stderr)


class RepeatableOptionsTest(TempDirTest):
    """`--stack A --stack B` (and `--parameters`) take every value, as the help says."""

    def test_every_stack_option_counts(self):
        assembly = self.tmp / "asm"
        self.assert_ok(self.leafsynth("synth", *sorted(examples().glob("*.yaml")), "--region", "us-west-2",
                                      "--account", "123456789012", "-o", assembly))
        for command in ("deploy", "destroy", "drift"):
            with self.subTest(command=command):
                # The second pattern matches nothing: the plan, made before any AWS call, names it.
                proc = self.leafsynth(command, "--app", assembly, "--stack", "ContainerManager-Minecraft-*",
                                      "--stack", "nothing-like-this*", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("--stack 'nothing-like-this*' matches no stack of the app", proc.stderr)
                self.assertNotIn("At Most", proc.stderr)

    def test_parameters_twice(self):
        proc = self.leafsynth("deploy", "--app", self.tmp / "none", "--parameters", "A=1", "--parameters", "B=2")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("not a folder", proc.stderr)  # got past parsing both


class ErrorTest(TempDirTest):
    """Bad input: exit 2, nothing on stdout, every stderr line `leafsynth: error: ...`, nothing written."""

    def assert_error(self, args, *needles, lines=1, env=None):
        before = snapshot(self.tmp)
        proc = self.leafsynth(*args, cwd=self.tmp, env=env)  # without -o the output would land in cwd
        self.assertEqual(proc.returncode, 2, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        self.assertEqual(proc.stdout, "")
        err = proc.stderr.splitlines()
        self.assertEqual(len(err), lines, proc.stderr)
        for line in err:
            self.assertTrue(line.startswith(ERROR_PREFIX), f"not an error line: {line!r}")
        for needle in needles:
            if isinstance(needle, re.Pattern):
                self.assertRegex(proc.stderr, needle)
            else:
                self.assertIn(needle, proc.stderr)
        self.assertEqual(snapshot(self.tmp), before, "a failing run wrote files")
        return err

    def leaf(self, name="game.yaml", *, instance="t3.micro", ports="    - TCP: 25565\n", extra=""):
        """A valid leaf config (with a base config beside it) unless the arguments break it."""
        if not (self.tmp / "base-stack-config.yaml").exists():
            shutil.copy(example("base-stack-config"), self.tmp / "base-stack-config.yaml")
        return self.write_config(name, f"Ec2:\n  InstanceType: {instance}\nContainer:\n  Image: itzg/minecraft-server\n"
                                       f"  Ports:\n{ports}Watchdog:\n  Threshold: 1000\n{extra}")

    def test_valid_leaf(self):
        """The configs the other tests break are valid as written by leaf()."""
        proc = self.leafsynth("ls", self.leaf(), "--region", REGION)
        self.assert_ok(proc)
        self.assertEqual([line.split("\t")[0] for line in proc.stdout.splitlines()], app_stacks(["Game"]))

    def test_missing_config(self):
        self.leaf()
        for cmd in ("synth", "ls", "graph"):
            with self.subTest(cmd=cmd):
                self.assert_error([cmd, "no-such.yaml", "--region", REGION],
                                  f"{ERROR_PREFIX}no-such.yaml: config file not found", str(self.tmp))

    def test_yaml_syntax_error(self):
        self.leaf()
        path = self.write_config("syntax.yaml", "Ec2:\n  InstanceType: t3.micro\n   Extra: [\n")
        self.assert_error(["synth", path, "--region", REGION],
                          re.compile("^" + re.escape(f"{ERROR_PREFIX}{path}:3:") + r"\d+: YAML syntax error"))
        path = self.write_config("flow.yaml", "Ec2:\n  InstanceType: t3.micro\nContainer: {Image: x\n")
        self.assert_error(["ls", path, "--region", REGION],
                          re.compile("^" + re.escape(f"{ERROR_PREFIX}{path}:") + r"\d+:\d+: YAML syntax error"))

    def test_unknown_key(self):
        path = self.leaf(instance="t3.micro\n  InstanceTyp: t3.large")
        self.assert_error(["synth", path, "--region", REGION],
                          f"{ERROR_PREFIX}{path}:3:3: Ec2.InstanceTyp: unknown key; did you mean 'InstanceType'?")
        path = self.leaf(extra="Wachdog:\n  Threshold: 5\n")
        self.assert_error(["synth", path, "--region", REGION],
                          f"{ERROR_PREFIX}{path}:9:1: Wachdog: unknown key; did you mean 'Watchdog'?")

    def test_unknown_key_without_near_miss(self):
        path = self.leaf(extra="Colour: blue\n")
        err = self.assert_error(["synth", path, "--region", REGION], f"{path}:9:1: Colour: unknown key",
                                "Ec2", "Container", "Watchdog")
        self.assertNotIn("did you mean", err[0])

    def test_out_of_range(self):
        path = self.leaf(ports="    - TCP: 25565\n    - UDP: 70000\n")
        self.assert_error(["synth", path, "--region", REGION],
                          f"{ERROR_PREFIX}{path}:7:12: Container.Ports[1].UDP: must be a port number from 1 to "
                          f"65535, found 70000")

    def test_every_problem_is_reported(self):
        path = self.leaf(instance="t3.micro\n  Colour: red", ports="    - TCP: 0\n")
        self.assert_error(["synth", path, "--region", REGION], f"{path}:3:3: Ec2.Colour: unknown key",
                          f"{path}:7:12: Container.Ports[0].TCP: must be a port number from 1 to 65535, found 0",
                          lines=2)

    def test_errors_of_several_files(self):
        """Problems in the base config and in two leaf configs come in one run, base first."""
        base = self.write_config("bad-base.yaml", "Vpc:\n  MaxAZs: 0\nDomain:\n  Name: games.example.com\n")
        one = self.leaf("one.yaml", ports="    - TCP: 70000\n")
        two = self.leaf("two.yaml", extra="Dashbord:\n  Enabled: False\n")
        err = self.assert_error(["synth", one, two, "--base", base, "--region", REGION], lines=3)
        self.assertTrue(err[0].startswith(f"{ERROR_PREFIX}{base}:2:11: Vpc.MaxAZs: must be from 1 to 16"), err[0])
        self.assertTrue(err[1].startswith(f"{ERROR_PREFIX}{one}:6:12: Container.Ports[0].TCP: must be"), err[1])
        self.assertEqual(err[2], f"{ERROR_PREFIX}{two}:9:1: Dashbord: unknown key; did you mean 'Dashboard'?")
        # A missing file and a broken one together.
        self.assert_error(["ls", one, "gone.yaml", "--region", REGION], f"{one}:6:12:",
                          "gone.yaml: config file not found", lines=2)

    def test_bad_format(self):
        self.assert_error(["synth", example("minecraft"), "--region", REGION, "--format", "xml"], "--format", "xml")
        self.assert_error(["graph", example("minecraft"), "--region", REGION, "--format", "jpeg"], "--format", "jpeg")
        self.assert_error(["ls", example("minecraft"), "--region", REGION, "--format", "json"], "--format")

    def test_bad_maturity(self):
        self.assert_error(["synth", example("minecraft"), "--region", REGION, "--maturity", "beta"],
                          "--maturity", "beta")

    def test_bad_account(self):
        for account in ("12", "12345678901a", "1234567890123"):
            with self.subTest(account=account):
                self.assert_error(["synth", example("minecraft"), "--region", REGION, "--account", account],
                                  f"--account: '{account}' is not a 12-digit AWS account id")

    def test_container_id_errors(self):
        self.assert_error(["synth", example("minecraft"), example("valheim"), "--region", REGION,
                           "--container-id", "game"], "--container-id", "2 leaf configs")
        self.assert_error(["synth", example("minecraft"), "--region", REGION, "--container-id", "Bad!"],
                          "container id 'Bad!'")

    def test_same_container_id_twice(self):
        self.leaf()
        a = self.write_config("a/minecraft.yaml", example("minecraft").read_text())
        b = self.write_config("b/Minecraft.yaml", example("minecraft").read_text())
        self.assert_error(["synth", a, b, "--base", self.tmp / "base-stack-config.yaml", "--region", REGION],
                          f"{ERROR_PREFIX}{b}: container id 'minecraft' is used by another leaf config", "rename")

    def test_container_ids_that_differ_only_in_digits(self):
        # Stack names use the id's letters only (game1 and game2 both give "Game").
        self.leaf()
        a = self.write_config("game1.yaml", example("minecraft").read_text())
        b = self.write_config("game2.yaml", example("minecraft").read_text())
        self.assert_error(["synth", a, b, "--base", self.tmp / "base-stack-config.yaml", "--region", REGION],
                          f"{ERROR_PREFIX}{b}: container id 'game2' gives the same stack names (Game) as 'game1'",
                          "rename")

    def test_problems_of_many_leaf_configs_in_file_order(self):
        # The leaf configs are read on every core; their problems still come in the order of the
        # files on the command line, the same on every run.
        self.leaf()
        paths, expected = [], []
        for i in range(24):
            name = "game" + "abcdefghijklmnopqrstuvwx"[i] + ".yaml"
            if i % 5 == 2:
                paths.append(self.leaf(name, extra="Bogus: 1\n"))
                expected.append(f"{ERROR_PREFIX}{paths[-1]}:")
            elif i == 23:  # the letters of gamea again
                paths.append(self.write_config("gamea1.yaml", example("minecraft").read_text()))
                expected.append(f"{ERROR_PREFIX}{paths[-1]}: container id 'gamea1' gives the same stack names")
            else:
                paths.append(self.leaf(name))
        args = ["synth", *paths, "--base", self.tmp / "base-stack-config.yaml", "--region", REGION,
                "-o", self.tmp / "out"]
        first = self.leafsynth(*args, cwd=self.tmp)
        self.assertEqual(first.returncode, 2, first.stderr)
        errors = [line for line in first.stderr.splitlines() if line.startswith(ERROR_PREFIX)]
        self.assertEqual(len(errors), len(expected), first.stderr)
        for line, start in zip(errors, expected):
            self.assertTrue(line.startswith(start), f"{line!r} does not start with {start!r}")
        self.assertFalse((self.tmp / "out").exists())
        for _ in range(3):
            self.assertEqual(self.leafsynth(*args, cwd=self.tmp).stderr, first.stderr)

    def test_only_a_base_config(self):
        self.assert_error(["synth", example("base-stack-config"), "--region", REGION], "at least one leaf config")

    def test_no_subcommand(self):
        self.assert_error([], "a subcommand is required", "synth", "ls", "graph")

    def test_unknown_subcommand(self):
        self.assert_error(["frobnicate", example("minecraft")], "frobnicate")

    def test_unknown_option(self):
        self.assert_error(["synth", example("minecraft"), "--region", REGION, "--bogus"], "--bogus")
        self.assert_error(["--bogus"], "--bogus")

    def test_missing_config_argument(self):
        for cmd in ("synth", "ls", "graph"):
            with self.subTest(cmd=cmd):
                self.assert_error([cmd, "--region", REGION], "configs is required")


class AtomicOutputTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.parent = self.tmp / "parent"
        self.out = self.parent / "out"
        self.out.mkdir(parents=True)
        # An earlier output of leafsynth (it has the marker), with files a new synth does not write.
        (self.out / ".leafsynth-output").write_bytes(b"written by leafsynth\n")
        (self.out / "sentinel.txt").write_bytes(b"keep me\n")
        (self.out / "nested").mkdir()
        (self.out / "nested" / "old.template.json").write_bytes(b"{}\n")

    def test_failed_synth_leaves_folder_untouched(self):
        before = snapshot(self.parent)
        bad = self.write_config("bad/game.yaml", example("minecraft").read_text().replace("25565", "70000"))
        shutil.copy(example("base-stack-config"), bad.parent / "base-stack-config.yaml")
        lone = self.write_config("lone/minecraft.yaml", example("minecraft").read_text())
        mc = example("minecraft")
        for args, env in ((["synth", bad, "--region", REGION], None),
                          (["synth", mc, "--region", REGION, "--format", "xml"], None),
                          (["synth", mc, "--region", "nowhere"], None),
                          (["synth", mc], None),
                          (["synth", mc], {"AWS_REGION": "moon"}),
                          (["synth", lone, "--region", REGION], None),
                          (["synth", mc, example("valheim"), "--container-id", "x", "--region", REGION], None)):
            with self.subTest(args=args[1:], env=env):
                proc = self.leafsynth(*args, "-o", self.out, env=env)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
                self.assertEqual(snapshot(self.parent), before)

    def test_successful_synth_replaces_folder(self):
        for fmt in ("json", "yaml"):
            with self.subTest(fmt=fmt):
                fresh = self.tmp / f"fresh-{fmt}"
                self.synth(example("minecraft"), outdir=fresh, fmt=fmt)
                expected = snapshot(fresh)
                self.assertIn(f"{APP}-BaseStack.template.{fmt}", expected)
                self.synth(example("minecraft"), outdir=self.out, fmt=fmt)
                # Exactly the new files: no sentinel, no old ones, no templates of the other format.
                self.assertEqual(snapshot(self.out), expected)
                # No temporary or backup sibling is left next to the output folder.
                self.assertEqual([p.name for p in self.parent.iterdir()], ["out"])

    def test_output_path_is_a_file(self):
        target = self.parent / "a-file"
        target.write_bytes(b"not a folder\n")
        before = snapshot(self.parent)
        proc = self.leafsynth("synth", example("minecraft"), "--region", REGION, "-o", target)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertTrue(proc.stderr.startswith(ERROR_PREFIX), proc.stderr)
        self.assertIn(str(target), proc.stderr)
        self.assertEqual(snapshot(self.parent), before)

    def test_a_folder_leafsynth_did_not_write_is_never_replaced(self):
        # -o pointing at the user's config folder: refused, nothing deleted.
        configs = self.tmp / "my-configs"
        configs.mkdir()
        shutil.copy(example("minecraft"), configs / "minecraft.yaml")
        shutil.copy(example("base-stack-config"), configs / "base-stack-config.yaml")
        before = snapshot(configs)
        proc = self.leafsynth("synth", configs / "minecraft.yaml", "--region", REGION, "-o", configs)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr.count(ERROR_PREFIX), 1, proc.stderr)
        self.assertIn(f"output folder '{configs}' is not empty and was not written by leafsynth", proc.stderr)
        self.assertEqual(snapshot(configs), before)
        # Each output is marked, so synthesizing into it again works.
        fresh = self.tmp / "fresh"
        self.synth(example("minecraft"), outdir=fresh)
        self.assertIn(".leafsynth-output", snapshot(fresh))
        self.synth(example("minecraft"), outdir=fresh)


def needed_libraries(program: pathlib.Path) -> list:
    """The shared libraries a program's ELF dynamic section names (readelf, from binutils)."""
    out = subprocess.run(["readelf", "-d", str(program)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


class AwsProgramTest(TempDirTest):
    """`leafsynth` loads no network library; the commands that talk to AWS run in leafsynth-aws
    (src/cli/aws_program.hpp), beside it in a build tree."""

    def aws_program(self) -> pathlib.Path:
        return pathlib.Path(ARGS.cli).parent / "leafsynth-aws"

    def run_program(self, program, *args, env=None):
        return subprocess.run([str(program), *map(str, args)], capture_output=True, text=True,
                              env=controlled_env(self.home, env))

    def test_leafsynth_needs_no_network_library(self):
        offline = needed_libraries(pathlib.Path(ARGS.cli))
        self.assertTrue(any(lib.startswith("libc.so") for lib in offline), offline)
        for lib in offline:
            self.assertNotRegex(lib, r"^lib(curl|ssl|gnutls|nghttp2|ssh2|pugixml)", offline)
        # The check can tell: leafsynth-aws has them.
        self.assertTrue(any(lib.startswith("libcurl") for lib in needed_libraries(self.aws_program())))

    def test_aws_commands_run_in_leafsynth_aws(self):
        handed_over = self.leafsynth("bootstrap", "--show-template")
        self.assert_ok(handed_over)
        direct = self.run_program(self.aws_program(), "bootstrap", "--show-template")
        self.assertEqual(direct.returncode, 0, direct.stderr)
        self.assertEqual(handed_over.stdout, direct.stdout)
        self.assertIn("AWS::S3::Bucket", handed_over.stdout)

    def test_mistakes_are_answered_before_the_hand_over(self):
        # Parsed by leafsynth itself: the same error with or without leafsynth-aws.
        lone = self.tmp / "lone"
        lone.mkdir()
        shutil.copy2(ARGS.cli, lone / "leafsynth")
        for program in (ARGS.cli, lone / "leafsynth"):
            proc = self.run_program(program, "deploy", "--require-approval", "sometimes")
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("--require-approval", proc.stderr)

    def test_without_leafsynth_aws(self):
        lone = self.tmp / "lone"
        lone.mkdir()
        shutil.copy2(ARGS.cli, lone / "leafsynth")
        for args in (["deploy", "--app", str(self.tmp)], ["drift", "--app", str(self.tmp)],
                     ["diff", str(example("minecraft")), "--region", REGION], ["bootstrap", "--show-template"]):
            with self.subTest(args=args[0]):
                proc = self.run_program(lone / "leafsynth", *args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                lines = proc.stderr.splitlines()
                self.assertEqual(len(lines), 1, proc.stderr)
                self.assertTrue(lines[0].startswith(ERROR_PREFIX + f"'{args[0]}' talks to AWS and runs in "
                                                    "leafsynth-aws, which is not installed here"), lines[0])
                self.assertIn(str(lone / "leafsynth-aws"), lines[0])
                self.assertIn(str(self.tmp / "libexec" / "leafsynth" / "leafsynth-aws"), lines[0])
        # What needs no network still works from the lone copy (told where the Lambda handlers
        # are: nothing of an install is beside it).
        proc = self.run_program(lone / "leafsynth", "synth", example("minecraft"), "--region", REGION,
                                "-o", self.tmp / "out", env={"LEAFSYNTH_LAMBDA_DIR": str(source_dir() / "stacks" / "lambda")})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue((self.tmp / "out" / "manifest.json").is_file())


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--cfn-lint", default="cfn-lint")
    parser.add_argument("--emitted-dir", default="")
    ARGS, rest = parser.parse_known_args()
    ARGS.cli = str(pathlib.Path(ARGS.cli).resolve())
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
