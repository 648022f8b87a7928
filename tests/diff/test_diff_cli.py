#!/usr/bin/env python3
"""Tests of `leafsynth diff`, run as a user would run it (offline forms only).

usage: test_diff_cli.py --cli PATH/TO/leafsynth --source-dir SRC [unittest arguments...]

The app is the ContainerManager app built from examples/containermanager/minecraft.yaml (a TCP and
a UDP port, one EFS volume, a watchdog threshold) with its base config. The test synthesizes it
once into a JSON and a YAML output folder, then changes one thing in a copy of the leaf config at a
time (instance type, a port, a volume path, the watchdog threshold) and checks that
`leafsynth diff --against` reports exactly what that change does, classified.

Every run of the tool gets a controlled environment: no AWS_* variables, no NO_COLOR, and HOME
pointing at an empty temporary folder.
"""
import argparse
import json
import os
import pathlib
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
APP_ARGS = ["--region", "us-west-2", "--account", "123456789012"]
MAIN = "ContainerManager-Minecraft-Stack"
LINK = "ContainerManager-Minecraft-LinkTogetherStack"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def controlled_env(home, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"}
    env["HOME"] = str(home)
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # never ask a real instance metadata service
    env.update(extra or {})
    return env


def port_change_rows():
    """resource_rows of the port change (TCP 25565 -> 25566 in minecraft.yaml)."""
    return [
        (f"{MAIN}/ContainerNestedStack", "AWS::ECS::TaskDefinition", "modified", "will_replace",
         ("Properties.ContainerDefinitions[0].PortMappings[0].ContainerPort",
          "Properties.ContainerDefinitions[0].PortMappings[0].HostPort")),
        (f"{MAIN}/SecurityGroupsNestedStack", "AWS::EC2::SecurityGroup", "modified", "update",
         ("Properties.SecurityGroupIngress[1].Description", "Properties.SecurityGroupIngress[1].FromPort",
          "Properties.SecurityGroupIngress[1].ToPort")),
        *task_definition_knock_on_rows(),
    ]


def threshold_change_rows():
    """resource_rows of the watchdog threshold change (1850 -> 2000 in minecraft.yaml)."""
    return [
        (f"{MAIN}/WatchdogNestedStack", "AWS::CloudWatch::Alarm", "modified", "update", ("Properties.Threshold",)),
        (LINK, "AWS::Lambda::Function", "modified", "update", ("Properties.Environment.Variables.METRIC_THRESHOLD",)),
    ]


def task_definition_knock_on_rows():
    """The rows a replaced task definition (Container nested stack) brings with it: its new ARN
    travels out through the Container stack's output, the parent passes it to the EcsAsg nested
    stack (whose resource is updated), and the ECS service there is updated to use it."""
    return [(MAIN, "AWS::CloudFormation::Stack", "modified", "update", ()),
            (f"{MAIN}/EcsAsgNestedStack", "AWS::ECS::Service", "modified", "update", ())]


def assert_task_definition_knock_on(test, report):
    """The knock-on rows say why: what they refer to, whose value changes."""
    main = {r["logical_id"]: r for r in stack_at(report, MAIN)["resources"]}
    test.assertEqual(main["EcsAsgNestedStack"]["caused_by"], ["ContainerNestedStack.Outputs.TaskDefinitionB36D86D9Ref"])
    test.assertEqual(main["EcsAsgNestedStack"]["reasons"],
                     ["Parameters refers to ContainerNestedStack.Outputs.TaskDefinitionB36D86D9Ref, whose value changes"])
    (service,) = stack_at(report, f"{MAIN}/EcsAsgNestedStack")["resources"]
    test.assertEqual(service["changes"], [])
    test.assertEqual(service["reasons"],
                     ["TaskDefinition refers to parameter ContainerTaskDefinitionB36D86D9Ref, whose value changes"])


def assert_volume_path_change(test, report):
    """The report of the volume path change (/data -> /srv/data in minecraft.yaml)."""
    volumes = stack_at(report, f"{MAIN}/VolumesNestedStack")
    # The access point's logical id derives from its path (RootDirectory.Path is create-only
    # anyway): the old one is removed, a new one added, paired as a replacement.
    aps = {r["kind"]: r for r in volumes["resources"]}
    test.assertEqual(len(volumes["resources"]), 2)
    test.assertEqual(sorted(aps), ["added", "removed"], volumes["resources"])
    test.assertEqual({r["type"] for r in aps.values()}, {"AWS::EFS::AccessPoint"})
    test.assertEqual(aps["removed"]["counterpart"], aps["added"]["logical_id"])
    test.assertEqual(aps["added"]["counterpart"], aps["removed"]["logical_id"])
    test.assertFalse(aps["removed"]["stateful"])  # the data stays in the file system
    test.assertEqual(report["summary"]["hazards"], [])
    test.assertEqual(sorted((e["section"], e["kind"]) for e in volumes["entries"]),
                     [("Outputs", "added"), ("Outputs", "removed")])
    # The task definition mounts it: replaced (the mount path and volume name are literals).
    container = stack_at(report, f"{MAIN}/ContainerNestedStack")
    test.assertEqual([(r["type"], r["kind"], r["impact"]) for r in container["resources"]],
                     [("AWS::ECS::TaskDefinition", "modified", "will_replace")])
    task = container["resources"][0]
    mount = [c for c in task["changes"] if c["path"] == "Properties.ContainerDefinitions[0].MountPoints[0].ContainerPath"]
    test.assertEqual([(c["old"], c["new"]) for c in mount], [("/data", "/srv/data")])
    test.assertEqual(sorted(task["reasons"]), [
        "ContainerDefinitions[0].MountPoints[0].ContainerPath is create-only",
        "ContainerDefinitions[0].MountPoints[0].SourceVolume is create-only",
        "Volumes[0].EFSVolumeConfiguration.AuthorizationConfig.AccessPointId is create-only and its value involves "
        "intrinsic functions",
        "Volumes[0].Name is create-only"])
    test.assertEqual(sorted((e["section"], e["kind"]) for e in container["entries"]),
                     [("Parameters", "added"), ("Parameters", "removed")])
    # The parent passes the new access point to the Container nested stack, and the replaced
    # task definition's ARN on to the EcsAsg nested stack.
    main = stack_at(report, MAIN)
    test.assertEqual([(r["logical_id"], r["impact"]) for r in main["resources"]],
                     [("ContainerNestedStack", "update"), ("EcsAsgNestedStack", "update")])
    test.assertTrue(all(c["path"].startswith("Properties.Parameters.") for c in main["resources"][0]["changes"]))
    assert_task_definition_knock_on(test, report)


def run_with_terminal(command, env, stream, timeout=30):
    """Runs `command` with `stream` ("stdout" or "stderr") on a pseudo-terminal and the other one
    on a pipe; returns (exit code, terminal text, piped text). Fails when the terminal stays
    silent for `timeout` seconds."""
    master, slave = pty.openpty()
    on_terminal = {"stdout": slave, "stderr": subprocess.PIPE} if stream == "stdout" else \
        {"stdout": subprocess.PIPE, "stderr": slave}
    p = subprocess.Popen(command, stdin=subprocess.DEVNULL, env=env, **on_terminal)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            p.kill()
            raise AssertionError(f"no output from the CLI on the terminal within {timeout} s")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    piped = p.stdout if stream == "stderr" else p.stderr
    other = piped.read().decode()
    piped.close()
    return p.wait(timeout=timeout), b"".join(chunks).decode(), other


def resource_rows(report):
    """Every resource change of a --json report, nested stacks included, as
    (stack path, type, kind, impact, paths) with stack path "Stack" or "Stack/NestedLogicalId"."""
    rows = []

    def walk(stack, path):
        for r in stack["resources"]:
            rows.append((path, r["type"], r["kind"], r["impact"], tuple(c["path"] for c in r["changes"])))
        for child in stack["nested"]:
            walk(child, path + "/" + child["name"])

    for s in report["stacks"]:
        walk(s, s["name"])
    return rows


def stack_at(report, path):
    parts = path.split("/")
    stack = next(s for s in report["stacks"] if s["name"] == parts[0])
    for p in parts[1:]:
        stack = next(c for c in stack["nested"] if c["name"] == p)
    return stack


def all_stacks(report):
    out = []

    def walk(stack, path):
        out.append((path, stack))
        for c in stack["nested"]:
            walk(c, path + "/" + c["name"])

    for s in report["stacks"]:
        walk(s, s["name"])
    return out


class DiffCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="leafsynth-diff-cli-"))
        cls.home = cls.tmp / "home"
        cls.home.mkdir()
        examples = pathlib.Path(ARGS.source_dir) / "examples" / "containermanager"
        cls.configs = cls.tmp / "configs"
        cls.configs.mkdir()
        shutil.copy(examples / "minecraft.yaml", cls.configs / "minecraft.yaml")
        shutil.copy(examples / "base-stack-config.yaml", cls.configs / "base-stack-config.yaml")
        cls.leaf_text = (cls.configs / "minecraft.yaml").read_text()
        cls.old = cls.tmp / "old"
        cls.old_yaml = cls.tmp / "old-yaml"
        for out, fmt in ((cls.old, "json"), (cls.old_yaml, "yaml")):
            r = cls.run_cli(["synth", cls.configs / "minecraft.yaml", *APP_ARGS, "-o", out, "--format", fmt])
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_cli(cls, args, env=None):
        return subprocess.run([ARGS.cli, *map(str, args)], capture_output=True, text=True,
                              env=controlled_env(cls.home, env))

    def changed_config(self, name, old, new):
        """A copy of the configs with `old` replaced by `new` in the leaf config."""
        self.assertIn(old, self.leaf_text)
        folder = self.tmp / name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.configs, folder)
        (folder / "minecraft.yaml").write_text(self.leaf_text.replace(old, new, 1))
        return folder / "minecraft.yaml"

    def diff_against(self, leaf, *extra, against=None):
        return self.run_cli(["diff", leaf, *APP_ARGS, "--against", against or self.old, *extra])

    def json_report(self, leaf):
        r = self.diff_against(leaf, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def assert_only_resource_changes(self, report):
        """No section, entry or other change anywhere but in resources (and their security rows)."""
        for path, stack in all_stacks(report):
            self.assertEqual(stack["sections"], [], path)
            self.assertEqual(stack["entries"], [], path)
            self.assertEqual(stack["notes"], [], path)

    # -- no differences ----------------------------------------------------------------------

    def test_yaml_and_json_of_the_same_template_have_no_differences(self):
        for stem in (f"{MAIN}", f"{MAIN}.SecurityGroups.nested", "ContainerManager-BaseStack", LINK):
            json_file = self.old / f"{stem}.template.json"
            yaml_file = self.old_yaml / f"{stem}.template.yaml"
            self.assertNotEqual(json_file.read_text(), yaml_file.read_text())
            for a, b in ((json_file, yaml_file), (yaml_file, json_file)):
                r = self.run_cli(["diff", a, b, "--fail"])
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("No differences", r.stdout)
                self.assertEqual(r.stderr, "")

    def test_two_templates_as_json(self):
        a = self.old / f"{MAIN}.template.json"
        b = self.old_yaml / f"{MAIN}.template.yaml"
        r = self.run_cli(["diff", a, b, "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        self.assertFalse(report["differences"])
        self.assertEqual(report["stacks"][0]["name"], MAIN)
        # The nested stacks were found beside each template and compared too.
        self.assertEqual(sorted(c["name"] for c in report["stacks"][0]["nested"]),
                         sorted(f"{n}NestedStack" for n in ("SecurityGroups", "Container", "Volumes", "EcsAsg",
                                                            "Watchdog", "AsgStateChangeHook", "Dashboard")))

    def test_against_an_output_of_the_same_configs_has_no_differences(self):
        for folder in (self.old, self.old_yaml):
            r = self.diff_against(self.configs / "minecraft.yaml", "--fail", against=folder)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("No differences (11 stacks compared, nested stacks included).", r.stdout)
            for stack in ("ContainerManager-BaseStack", "ContainerManager-Minecraft-DomainStack", MAIN, LINK):
                self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(stack)} \(us-(west-2|east-1)\): no differences$")
        report = self.json_report(self.configs / "minecraft.yaml")
        self.assertFalse(report["differences"])
        self.assertEqual(report["summary"]["stacks"], 11)
        self.assertEqual(report["summary"]["stacks_differing"], 0)
        self.assertEqual(resource_rows(report), [])

    # -- one change at a time ----------------------------------------------------------------

    def test_instance_type_is_an_in_place_update(self):
        leaf = self.changed_config("instance-type", "InstanceType: m5.large", "InstanceType: m5.xlarge")
        report = self.json_report(leaf)
        self.assertTrue(report["differences"])
        self.assert_only_resource_changes(report)
        rows = resource_rows(report)
        self.assertEqual(len(rows), 2, rows)
        self.assertIn((f"{MAIN}/EcsAsgNestedStack", "AWS::EC2::LaunchTemplate", "modified", "update",
                       ("Properties.LaunchTemplateData.InstanceType",)), rows)
        # The dashboard's widget title names the instance type.
        dash = next(r for r in rows if r[1] == "AWS::CloudWatch::Dashboard")
        self.assertEqual(dash[:4], (f"{MAIN}/DashboardNestedStack", "AWS::CloudWatch::Dashboard", "modified", "update"))
        self.assertEqual(len(dash[4]), 1)
        self.assertTrue(dash[4][0].startswith("Properties.DashboardBody"))
        lt = stack_at(report, f"{MAIN}/EcsAsgNestedStack")["resources"][0]
        self.assertEqual(lt["changes"][0]["old"], "m5.large")
        self.assertEqual(lt["changes"][0]["new"], "m5.xlarge")
        self.assertEqual(report["summary"]["security_changes"], 0)
        self.assertEqual(report["summary"]["hazards"], [])
        # Exit codes: 0 without --fail, 1 with it.
        self.assertEqual(self.diff_against(leaf).returncode, 0)
        r = self.diff_against(leaf, "--fail")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[~] Properties.LaunchTemplateData.InstanceType: \"m5.large\" -> \"m5.xlarge\"", r.stdout)
        self.assertIn("AWS::EC2::LaunchTemplate", r.stdout)
        self.assertIn("update in place", r.stdout)

    def test_port_change_replaces_the_task_definition_and_swaps_a_security_group_rule(self):
        leaf = self.changed_config("port", "TCP: 25565", "TCP: 25566")
        report = self.json_report(leaf)
        self.assert_only_resource_changes(report)
        rows = resource_rows(report)
        self.assertEqual(sorted(rows), sorted(port_change_rows()))
        assert_task_definition_knock_on(self, report)
        task = stack_at(report, f"{MAIN}/ContainerNestedStack")["resources"][0]
        self.assertEqual(task["reasons"], ["ContainerDefinitions[0].PortMappings[0].ContainerPort is create-only",
                                           "ContainerDefinitions[0].PortMappings[0].HostPort is create-only"])
        self.assertEqual([c["old"] for c in task["changes"]], [25565, 25565])
        self.assertEqual([c["new"] for c in task["changes"]], [25566, 25566])
        sg = stack_at(report, f"{MAIN}/SecurityGroupsNestedStack")["security"]
        rules = [(r["kind"], r["direction"], r["protocol"], r["ports"], r["peer"], r["widening"])
                 for r in sg["security_group_rules"]]
        self.assertEqual(rules, [("removed", "ingress", "tcp", "25565", "0.0.0.0/0", False),
                                 ("added", "ingress", "tcp", "25566", "0.0.0.0/0", True)])
        self.assertEqual(sg["iam_statements"], [])
        self.assertEqual(report["summary"]["will_replace"], 1)
        self.assertEqual(report["summary"]["widening"], 1)
        r = self.diff_against(leaf, "--fail")
        self.assertEqual(r.returncode, 1)
        self.assertIn("WILL BE REPLACED (ContainerDefinitions[0].PortMappings[0].ContainerPort is create-only", r.stdout)
        self.assertIn("Security group rules", r.stdout)
        self.assertRegex(r.stdout, r"\| \+ \| SgContainerTraffic\w+ +\| \$\{SgContainerTraffic\w+\} +\| ingress \| tcp +\| 25566 ")

    def test_volume_path_replaces_the_access_point(self):
        leaf = self.changed_config("volume", "Path: /data", "Path: /srv/data")
        report = self.json_report(leaf)
        assert_volume_path_change(self, report)
        # Nothing else anywhere.
        changed = {path for path, s in all_stacks(report) if s["status"] != "unchanged"}
        self.assertEqual(changed, {MAIN, f"{MAIN}/VolumesNestedStack", f"{MAIN}/ContainerNestedStack",
                                   f"{MAIN}/EcsAsgNestedStack"})
        self.assertEqual(self.diff_against(leaf, "--fail").returncode, 1)

    def test_watchdog_threshold_updates_the_alarm_and_the_start_function(self):
        leaf = self.changed_config("threshold", "Threshold: 1850", "Threshold: 2000")
        report = self.json_report(leaf)
        self.assert_only_resource_changes(report)
        rows = resource_rows(report)
        self.assertEqual(sorted(rows), sorted(threshold_change_rows()))
        alarm = stack_at(report, f"{MAIN}/WatchdogNestedStack")["resources"][0]
        self.assertEqual((alarm["changes"][0]["old"], alarm["changes"][0]["new"]), (1850, 2000))
        self.assertEqual(report["summary"]["security_changes"], 0)
        self.assertEqual(self.diff_against(leaf, "--fail").returncode, 1)

    # -- output ------------------------------------------------------------------------------

    def run_on_terminal(self, args, env=None):
        """Runs the CLI with stdout on a pseudo-terminal; returns (exit code, output)."""
        code, out, _ = run_with_terminal([ARGS.cli, *map(str, args)], controlled_env(self.home, env), "stdout")
        return code, out

    def test_colour_only_on_a_terminal_unless_turned_off(self):
        leaf = self.changed_config("colour", "InstanceType: m5.large", "InstanceType: m5.xlarge")
        args = ["diff", leaf, *APP_ARGS, "--against", self.old]
        piped = self.diff_against(leaf)
        self.assertNotRegex(piped.stdout, ANSI)
        code, out = self.run_on_terminal(args)
        self.assertEqual(code, 0)
        self.assertRegex(out, ANSI)
        self.assertIn("m5.xlarge", ANSI.sub("", out))
        code, out = self.run_on_terminal(args + ["--no-color"])
        self.assertEqual(code, 0)
        self.assertNotRegex(out, ANSI)
        self.assertIn("m5.xlarge", out)
        code, out = self.run_on_terminal(args, env={"NO_COLOR": "1"})
        self.assertEqual(code, 0)
        self.assertNotRegex(out, ANSI)
        code, out = self.run_on_terminal(args + ["--json"])
        self.assertNotRegex(out, ANSI)
        json.loads(out)

    # -- errors ------------------------------------------------------------------------------

    def assert_error(self, args, *fragments):
        r = self.run_cli(args)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertTrue(r.stderr.startswith("leafsynth: error: "), r.stderr)
        for f in fragments:
            self.assertIn(f, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_deployed_comparison_without_credentials_says_how_to_give_them(self):
        # Without --against or two templates the app is compared with the deployed stacks
        # (tests/deploy/test_diff_deployed.py); here no credentials exist at all.
        self.assert_error(["diff", self.configs / "minecraft.yaml", *APP_ARGS, "--fail"],
                          "no AWS credentials found", "AWS_ACCESS_KEY_ID", "--profile", "--against DIR")
        self.assert_error(["diff"], "give at least one leaf config file")

    def test_bad_input_exits_2(self):
        a = self.old / f"{MAIN}.template.json"
        self.assert_error(["diff", self.configs / "minecraft.yaml", *APP_ARGS, "--against", self.tmp / "nowhere"],
                          "not a folder")
        self.assert_error(["diff", a, self.tmp / "missing.template.json"], "missing.template.json",
                          "no such template file")
        broken = self.tmp / "broken.template.json"
        broken.write_text('{"Resources": {')
        self.assert_error(["diff", a, broken], "broken.template.json", "not valid JSON")
        self.assert_error(["diff", a, a, "--against", self.old], "give one or the other")
        self.assert_error(["diff", a, a, "--region", "us-west-2"], "not for comparing two template files")
        self.assert_error(["diff", self.configs / "minecraft.yaml", "--against", self.old, "--maturity", "x"],
                          "--maturity")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
