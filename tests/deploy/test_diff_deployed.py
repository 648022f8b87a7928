#!/usr/bin/env python3
"""End-to-end tests of `leafsynth diff` against DEPLOYED stacks (no --against), on moto.

usage: test_diff_deployed.py LEAFSYNTH SOURCE_DIR [unittest options]

LEAFSYNTH is the built CLI (leafsynth_cli), SOURCE_DIR the source tree (for examples/containermanager
and tests/diff/test_diff_cli.py, whose report helpers are reused). The app is the ContainerManager
example (minecraft, valheim, echo-server; the base config with `RestrictDefaultSecurityGroup: false`,
as moto cannot run a custom resource's Lambda: test_deploy_containermanager.write_base_config) in
us-east-1, account 123456789012: 30 stacks, nested ones included. `leafsynth diff` reads the deployed
stacks with CloudFormation DescribeStacks / GetTemplate / ListStackResources, SigV4-signed, at the
endpoint AWS_ENDPOINT_URL_CLOUDFORMATION or AWS_ENDPOINT_URL.

DeployedAppDiffTest: one moto_server (moto_harness.MotoServer with the moto_compat fixes, request
authentication off) with the whole app deployed once (deploy_assembly.deploy), shared by its tests:
  * the same configs: no differences, every stack (30, nested included) `unchanged`, `--fail` exits 0;
    through a forwarding FaultProxy (fault_proxy.py): every stack's template, nested stacks by their
    physical ids, was read once, and only DescribeStacks / GetTemplate / ListStackResources called;
  * one change at a time in a copy of minecraft.yaml (instance type, a port, a volume path, the
    watchdog threshold): exactly the resource changes and impacts the offline diff gives
    (tests/diff/test_diff_cli.py), every other stack unchanged, `--fail` exits 1;
  * a deleted stack (Minecraft's LinkTogether stack, deleted with boto3 and re-created afterwards so
    the other tests do not depend on the order): `added`, all others unchanged;
  * AWS_ENDPOINT_URL_CLOUDFORMATION wins over AWS_ENDPOINT_URL;
  * faults injected by a FaultProxy in front of moto: HTTP 500 twice then OK and throttling (HTTP 400
    <Code>Throttling</Code>) twice then OK succeed with exactly 2 extra requests; always 500 / always
    throttling: exit 2 (`HTTP 500` / `Throttling` and `attempts`), the failing call made exactly
    AWS_MAX_ATTEMPTS times (3 and 1; with --concurrency 1 nothing else is asked); a server that
    never answers with `--timeout 1`: exit 2, `timed out`, bounded; a closed port: exit 2,
    `cannot reach` and the URL, bounded; no credentials anywhere: exit 2, `no AWS credentials`; an
    unknown profile (AWS_PROFILE or --profile): exit 2 naming it;
  * an HTTPS endpoint (a TLS FaultProxy with a self-signed certificate made by `openssl`): not trusted
    by default (exit 2, the message names AWS_CA_BUNDLE), trusted with AWS_CA_BUNDLE (no
    differences); an AWS_CA_BUNDLE that is not a file is an error;
  * the progress line: on stderr only when it is a terminal (a pseudo-terminal here).
AuthenticatedDiffTest: a second moto_server that checks SigV4 signatures and IAM permissions. While
its requests are still unauthenticated it gets an IAM user with an access key and a role (both with
read-only CloudFormation permissions: Describe*, Get*, List*), temporary credentials of the role
(sts AssumeRole) and the app's Base stack only; then authentication is switched on for every request
(POST /moto-api/reset-auth "0": moto's settings.INITIAL_NO_AUTH_ACTION_COUNT = 0, what the variable
INITIAL_NO_AUTH_ACTION_COUNT sets at startup, see moto/core/authorization.py; a count given at
startup cannot tell the setup's requests from the tests' as the deployment polls). Tests: the valid
key from the environment (Base unchanged, every other stack `added`: the signature is right), the
role's temporary credentials with AWS_SESSION_TOKEN, a user that may only DescribeStacks (exit 2,
`access denied: cloudformation:GetTemplate on stack <Base> in us-east-1`), a wrong secret / unknown key id / wrong session
token (exit 2, `rejected`, naming where the credentials came from, no secret in the output), a
`[dev]` profile of AWS_SHARED_CREDENTIALS_FILE via AWS_PROFILE and via --profile (which wins over key
variables), a wrong key in a profile, the endpoint from the profile's endpoint_url,
`credential_process` (the role's session credentials with a future Expiration: works; an Expiration
in the past: exit 2, `expired`; a failing process: exit 2 after its own messages).

Every run of the CLI gets a controlled environment: no AWS_* variables but those a test sets, no
proxy variables (NO_PROXY=127.0.0.1,localhost), no NO_COLOR, HOME an empty temporary folder,
AWS_EC2_METADATA_DISABLED=true. A missing binary, source tree, `moto_server` or `aws` is a failure,
never a skip; moto's log is printed when a deployment fails.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LEAFSYNTH = SOURCE_DIR = None
if len(sys.argv) > 2 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()

import deploy_assembly  # noqa: E402
from deploy_assembly import DeployError  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from moto_harness import MotoServer, free_port  # noqa: E402
from test_deploy_containermanager import (ACCOUNT, BASE, CONTAINERS, NESTED, REGION,  # noqa: E402
                                          check_prerequisites, copy_app_configs, expected_stack_order)

sys.path.insert(0, str(HERE.parent / "diff"))
from test_diff_cli import (LINK, MAIN, all_stacks, assert_task_definition_knock_on,  # noqa: E402
                           assert_volume_path_change, port_change_rows, resource_rows,
                           run_with_terminal, stack_at, threshold_change_rows)

EXAMPLES = (SOURCE_DIR or Path("/nonexistent")) / "examples" / "containermanager"
APP_ARGS = ["--region", REGION, "--account", ACCOUNT]
TOP_LEVEL = expected_stack_order()  # Base, then Domain, Leaf, LinkTogether per container
NESTED_OF = {f"{c['stack']}-Stack": sorted(f"{n}NestedStack" for n in NESTED if c["dashboard"] or n != "Dashboard")
             for c in CONTAINERS.values()}
STACK_COUNT = len(TOP_LEVEL) + sum(len(n) for n in NESTED_OF.values())  # 30
SECRET = "MotoAcceptsAnySecretButNeverPrintIt0123456"  # the secret key given to the auth-less moto
READ_ONLY_ACTIONS = {"DescribeStacks", "GetTemplate", "ListStackResources"}
_PROXY_VARS = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
               "NO_PROXY", "no_proxy"}
READ_ONLY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*"]}]})

_module = {}  # what setUpModule made: tmp dir, configs, assembly


def setUpModule():
    check_prerequisites(LEAFSYNTH, SOURCE_DIR)
    tmp = tempfile.TemporaryDirectory(prefix="leafsynth-diff-deployed-")
    unittest.addModuleCleanup(tmp.cleanup)
    root = Path(tmp.name)
    app = copy_app_configs(EXAMPLES, root)
    configs, base, leaves, home = app["configs"], app["base"], app["leaves"], app["home"]
    assembly = root / "assembly"
    command = [str(LEAFSYNTH), "synth", *map(str, leaves), "--base", str(base), *APP_ARGS, "-o", str(assembly)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=cli_env(home))
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    _module.update(root=root, configs=configs, base=base, leaves=leaves, home=home, assembly=assembly)


def cli_env(home, extra=None):
    """The controlled environment of a CLI run (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"
           and k not in _PROXY_VARS}
    env.update({"HOME": str(home), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "AWS_EC2_METADATA_DISABLED": "true"})
    env.update(extra or {})
    return env


def boto3_client(service, endpoint, key="testing", secret="testing", token=None):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                                    region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=Config(
        retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60, proxies={}))


def deploy_or_fail(assembly, moto, lines):
    try:
        return deploy_assembly.deploy(assembly, moto.endpoint, ACCOUNT, timeout=180, log=lines.append)
    except DeployError as e:
        raise AssertionError(f"deployment failed: {e}\n--- moto log (tail) ---\n{moto.log_text()[-8000:]}") from e
    finally:
        print("\n".join(lines), file=sys.stderr)


class CliRunner:
    """Runs `leafsynth diff` on the app with a controlled environment."""

    def run_diff(self, *extra, env=None, leaves=None, timeout=300):
        args = [str(LEAFSYNTH), "diff", *map(str, leaves or _module["leaves"]), "--base", str(_module["base"]),
                *APP_ARGS, *map(str, extra)]
        started = time.monotonic()
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=cli_env(_module["home"], env),
                              stdin=subprocess.DEVNULL)
        proc.elapsed = time.monotonic() - started
        return proc

    def json_report(self, *extra, env=None, leaves=None):
        r = self.run_diff("--json", *extra, env=env, leaves=leaves)
        self.assertEqual(r.returncode, 0, f"exit {r.returncode}\nstdout: {r.stdout[-3000:]}\nstderr: {r.stderr}")
        return json.loads(r.stdout)

    lookup_role_refused = False  # set by test classes whose credentials may not assume roles

    def assert_error(self, r, *fragments, secrets=()):
        """Exit 2 with one `leafsynth: error:` message holding every fragment (case-insensitively),
        nothing on stdout, and none of the secrets anywhere."""
        self.assertEqual(r.returncode, 2, f"stdout: {r.stdout[-3000:]}\nstderr: {r.stderr}")
        stderr = r.stderr
        note = "leafsynth: note: cannot assume the lookup role "
        if self.lookup_role_refused and stderr.startswith(note):
            stderr = stderr.partition("\n")[2]  # credentials without sts:AssumeRole: one note, then the error
        self.assertTrue(stderr.startswith("leafsynth: error: "), r.stderr)
        self.assertEqual(r.stdout, "")
        for fragment in fragments:
            self.assertIn(fragment.lower(), r.stderr.lower(), r.stderr)
        self.assert_no_secrets(r, *secrets)

    def assert_no_secrets(self, r, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, r.stdout, "a secret is on stdout")
            self.assertNotIn(secret, r.stderr, "a secret is on stderr")

    def assert_statuses(self, report, expected):
        """{stack path: status} of every stack of the report (nested ones as Parent/LogicalId) is
        `expected` for the stacks it names and "unchanged" for every other stack of the app."""
        wanted = {path: "unchanged" for path in self.all_stack_paths()}
        wanted.update(expected)
        self.assertEqual({path: s["status"] for path, s in all_stacks(report)}, wanted)

    @staticmethod
    def all_stack_paths():
        paths = list(TOP_LEVEL)
        for leaf, nested in NESTED_OF.items():
            paths += [f"{leaf}/{n}" for n in nested]
        return paths

    @staticmethod
    def changed_leaves(name, old, new, file="minecraft.yaml"):
        """Copies of the app's configs (same file names: the container id comes from the name) with
        `old` replaced by `new` in one leaf config."""
        folder = _module["root"] / name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(_module["configs"], folder)
        text = (folder / file).read_text()
        if old not in text:
            raise AssertionError(f"{file} has no {old!r}")
        (folder / file).write_text(text.replace(old, new, 1))
        return [folder / c["config"] for c in CONTAINERS.values()]


class DeployedAppDiffTest(CliRunner, unittest.TestCase):
    """The whole app deployed to one moto (request authentication off)."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer(log_path=_module["root"] / "moto.log")
        cls.addClassCleanup(cls.moto.stop)
        cls.moto.start()
        cls.deploy_lines = []
        cls.results = deploy_or_fail(_module["assembly"], cls.moto, cls.deploy_lines)
        if [name for name, _ in cls.results] != TOP_LEVEL:
            raise AssertionError(f"unexpected deployment: {cls.results}")
        cls.cfn = boto3_client("cloudformation", cls.moto.endpoint)
        # What moto holds: {stack path (nested: Parent/LogicalId): (stack name, stack id)}.
        cls.stacks = {}
        for name in TOP_LEVEL:
            cls.stacks[name] = cls.describe(name)
        for leaf, nested in NESTED_OF.items():
            resources = cls.cfn.list_stack_resources(StackName=leaf)["StackResourceSummaries"]
            physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources
                        if r["ResourceType"] == "AWS::CloudFormation::Stack"}
            if sorted(physical) != nested:
                raise AssertionError(f"{leaf}: nested stacks in moto {sorted(physical)}, expected {nested}")
            for logical, physical_id in physical.items():
                cls.stacks[f"{leaf}/{logical}"] = cls.describe(physical_id)

    @classmethod
    def describe(cls, stack):
        description = cls.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        return description["StackName"], description["StackId"]

    def env(self, endpoint=None, **extra):
        # STS (the stacks' lookup role, which moto lets anyone assume) straight to moto: these
        # tests are about the CloudFormation calls and the proxy's faults apply to those only.
        env = {"AWS_ENDPOINT_URL": endpoint or self.moto.endpoint, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ENDPOINT_URL_STS": self.moto.endpoint}
        env.update(extra)
        return env

    def proxy(self):
        proxy = FaultProxy(self.moto.endpoint).start()
        self.addCleanup(proxy.stop)
        return proxy

    def baseline_requests(self):
        """The number of requests a clean diff of the app makes (measured once, through a proxy)."""
        cls = type(self)
        if not hasattr(cls, "_baseline"):
            proxy = self.proxy()
            r = self.run_diff("--json", env=self.env(proxy.endpoint))
            self.assertEqual(r.returncode, 0, r.stderr)
            cls._baseline = proxy.count
        return cls._baseline

    # --- no differences --------------------------------------------------------------------------

    def test_same_configs_have_no_differences(self):
        r = self.run_diff(env=self.env())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"No differences ({STACK_COUNT} stacks compared, nested stacks included).", r.stdout)
        for stack in TOP_LEVEL:
            self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(stack)} \({REGION}\): no differences$")
        self.assertNotIn("leafsynth: error", r.stderr)
        self.assert_no_secrets(r, SECRET)
        r = self.run_diff("--fail", env=self.env())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        report = self.json_report(env=self.env())
        self.assertFalse(report["differences"])
        self.assertEqual(report["summary"]["stacks"], STACK_COUNT)
        self.assertEqual(report["summary"]["stacks_differing"], 0)
        self.assertEqual([s["name"] for s in report["stacks"]], TOP_LEVEL)
        self.assertEqual({s["region"] for s in report["stacks"]}, {REGION})
        self.assert_statuses(report, {})
        for leaf, nested in NESTED_OF.items():  # the nested stacks were compared, each one
            self.assertEqual(sorted(c["name"] for c in stack_at(report, leaf)["nested"]), nested, leaf)
        self.assertEqual(resource_rows(report), [])

    def test_progress_line_only_on_a_terminal(self):
        # stderr on a pseudo-terminal: the progress line counts the stacks read, then is cleared.
        args = [str(LEAFSYNTH), "diff", *map(str, _module["leaves"]), "--base", str(_module["base"]), *APP_ARGS]
        code, err, stdout = run_with_terminal(args, cli_env(_module["home"], self.env()), "stderr", timeout=60)
        self.assertEqual(code, 0)
        self.assertIn(f"leafsynth: reading deployed stacks {STACK_COUNT}/{STACK_COUNT}", err)
        self.assertTrue(err.endswith("\r\x1b[K"), repr(err[-40:]))
        self.assertNotIn("reading deployed stacks", stdout)
        self.assertIn("No differences", stdout)
        # Not a terminal: nothing on stderr.
        r = self.run_diff(env=self.env())
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_https_endpoint_trusted_through_aws_ca_bundle(self):
        # A self-signed certificate for 127.0.0.1: not trusted by default, trusted with AWS_CA_BUNDLE.
        folder = _module["root"] / "tls"
        folder.mkdir(exist_ok=True)
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        proxy = FaultProxy(self.moto.endpoint, tls=(str(cert), str(key))).start()
        self.addCleanup(proxy.stop)
        self.assertTrue(proxy.endpoint.startswith("https://127.0.0.1:"))
        r = self.run_diff(env=self.env(proxy.endpoint))
        self.assert_error(r, "cannot make a trusted TLS connection to " + proxy.endpoint, "AWS_CA_BUNDLE")
        r = self.run_diff("--fail", env=self.env(proxy.endpoint, AWS_CA_BUNDLE=str(cert)))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"No differences ({STACK_COUNT} stacks compared", r.stdout)
        self.assertGreater(proxy.count, 0)
        r = self.run_diff(env=self.env(proxy.endpoint, AWS_CA_BUNDLE=str(folder / "missing.pem")))
        self.assert_error(r, "AWS_CA_BUNDLE names", "missing.pem", "not a file")

    def test_every_deployed_template_is_read_with_read_only_calls(self):
        proxy = self.proxy()
        report = self.json_report(env=self.env(proxy.endpoint))
        self.assertFalse(report["differences"])
        calls = proxy.calls()
        self.assertTrue(calls)
        self.assertEqual({r.outcome for r in proxy.requests}, {"forwarded"})
        self.assertLessEqual({action for action, _ in calls}, READ_ONLY_ACTIONS, calls)
        templates = [stack for action, stack in calls if action == "GetTemplate"]
        for path, (name, stack_id) in self.stacks.items():  # by name or by id, each one once
            self.assertEqual(templates.count(name) + templates.count(stack_id), 1,
                             f"GetTemplate of {path} ({stack_id}): {templates}")
        self.assertEqual(len(templates), STACK_COUNT, templates)

    def test_cloudformation_endpoint_variable_wins(self):
        closed = f"http://127.0.0.1:{free_port()}"
        report = self.json_report(env=self.env(closed, AWS_ENDPOINT_URL_CLOUDFORMATION=self.moto.endpoint))
        self.assertFalse(report["differences"])
        self.assertEqual(report["summary"]["stacks"], STACK_COUNT)

    # --- one change at a time (what tests/diff/test_diff_cli.py expects offline) -----------------

    def changed_report(self, name, old, new):
        leaves = self.changed_leaves(name, old, new)
        report = self.json_report(env=self.env(), leaves=leaves)
        self.assertTrue(report["differences"])
        r = self.run_diff("--fail", env=self.env(), leaves=leaves)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        return report, r.stdout

    def assert_only_resource_changes(self, report):
        for path, stack in all_stacks(report):
            self.assertEqual((stack["sections"], stack["entries"], stack["notes"]), ([], [], []), path)

    def test_instance_type_is_an_in_place_update_of_the_launch_template(self):
        report, human = self.changed_report("instance-type", "InstanceType: m5.large", "InstanceType: m5.xlarge")
        self.assert_statuses(report, {MAIN: "modified", f"{MAIN}/EcsAsgNestedStack": "modified",
                                      f"{MAIN}/DashboardNestedStack": "modified"})
        self.assert_only_resource_changes(report)
        rows = resource_rows(report)
        self.assertEqual(len(rows), 2, rows)
        self.assertIn((f"{MAIN}/EcsAsgNestedStack", "AWS::EC2::LaunchTemplate", "modified", "update",
                       ("Properties.LaunchTemplateData.InstanceType",)), rows)
        dashboard = next(r for r in rows if r[1] == "AWS::CloudWatch::Dashboard")
        self.assertEqual(dashboard[:4], (f"{MAIN}/DashboardNestedStack", "AWS::CloudWatch::Dashboard", "modified",
                                         "update"))
        self.assertEqual(len(dashboard[4]), 1)
        self.assertTrue(dashboard[4][0].startswith("Properties.DashboardBody"), dashboard)
        lt = stack_at(report, f"{MAIN}/EcsAsgNestedStack")["resources"][0]
        self.assertEqual([(c["path"], c["old"], c["new"]) for c in lt["changes"]],
                         [("Properties.LaunchTemplateData.InstanceType", "m5.large", "m5.xlarge")])
        self.assertEqual(report["summary"]["hazards"], [])
        self.assertIn('[~] Properties.LaunchTemplateData.InstanceType: "m5.large" -> "m5.xlarge"', human)
        self.assertIn("update in place", human)

    def test_port_replaces_the_task_definition_and_updates_the_security_group(self):
        report, human = self.changed_report("port", "TCP: 25565", "TCP: 25566")
        self.assert_statuses(report, {MAIN: "modified", f"{MAIN}/ContainerNestedStack": "modified",
                                      f"{MAIN}/SecurityGroupsNestedStack": "modified",
                                      f"{MAIN}/EcsAsgNestedStack": "modified"})
        self.assert_only_resource_changes(report)
        self.assertEqual(sorted(resource_rows(report)), sorted(port_change_rows()))
        assert_task_definition_knock_on(self, report)
        task = stack_at(report, f"{MAIN}/ContainerNestedStack")["resources"][0]
        self.assertEqual(task["reasons"], ["ContainerDefinitions[0].PortMappings[0].ContainerPort is create-only",
                                           "ContainerDefinitions[0].PortMappings[0].HostPort is create-only"])
        self.assertEqual([(c["old"], c["new"]) for c in task["changes"]], [(25565, 25566), (25565, 25566)])
        rules = [(r["kind"], r["direction"], r["protocol"], r["ports"], r["peer"])
                 for r in stack_at(report, f"{MAIN}/SecurityGroupsNestedStack")["security"]["security_group_rules"]]
        self.assertEqual(rules, [("removed", "ingress", "tcp", "25565", "0.0.0.0/0"),
                                 ("added", "ingress", "tcp", "25566", "0.0.0.0/0")])
        self.assertEqual(report["summary"]["will_replace"], 1)
        self.assertIn("WILL BE REPLACED (ContainerDefinitions[0].PortMappings[0].ContainerPort is create-only", human)

    def test_volume_path_replaces_the_access_point_and_the_task_definition(self):
        report, _ = self.changed_report("volume", "Path: /data", "Path: /srv/data")
        self.assert_statuses(report, {MAIN: "modified", f"{MAIN}/VolumesNestedStack": "modified",
                                      f"{MAIN}/ContainerNestedStack": "modified",
                                      f"{MAIN}/EcsAsgNestedStack": "modified"})
        assert_volume_path_change(self, report)

    def test_watchdog_threshold_updates_the_alarm_and_the_start_function(self):
        report, _ = self.changed_report("threshold", "Threshold: 1850", "Threshold: 2000")
        self.assert_statuses(report, {MAIN: "modified", f"{MAIN}/WatchdogNestedStack": "modified", LINK: "modified"})
        self.assert_only_resource_changes(report)
        self.assertEqual(sorted(resource_rows(report)), sorted(threshold_change_rows()))
        alarm = stack_at(report, f"{MAIN}/WatchdogNestedStack")["resources"][0]
        self.assertEqual((alarm["changes"][0]["old"], alarm["changes"][0]["new"]), (1850, 2000))

    # --- a stack that is not deployed ------------------------------------------------------------

    def test_a_deleted_stack_is_added(self):
        self.cfn.delete_stack(StackName=LINK)
        self.addCleanup(self.recreate, LINK)
        deadline = time.monotonic() + 60
        while any(s["StackName"] == LINK for s in self.cfn.describe_stacks()["Stacks"]):
            self.assertLess(time.monotonic(), deadline, f"{LINK} not deleted after 60 s")
            time.sleep(0.5)
        report = self.json_report(env=self.env())
        self.assertTrue(report["differences"])
        self.assert_statuses(report, {LINK: "added"})
        link = stack_at(report, LINK)
        template = json.loads((_module["assembly"] / f"{LINK}.template.json").read_text())
        self.assertEqual(sorted((r["logical_id"], r["kind"]) for r in link["resources"]),
                         sorted((logical, "added") for logical in template["Resources"]))
        r = self.run_diff("--fail", env=self.env())
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(LINK)} \({REGION}\): new stack: every resource is added$")
        self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(MAIN)} \({REGION}\): no differences$")

    def recreate(self, stack_name):
        """Deploys a deleted stack again (its assets are still in moto's S3), so that the other
        tests find the whole app whatever the order."""
        cli = deploy_assembly.AwsCli(self.moto.endpoint)
        template = _module["assembly"] / f"{stack_name}.template.json"
        cli.run("cloudformation", "create-stack", "--stack-name", stack_name, "--template-body", f"file://{template}",
                "--capabilities", *deploy_assembly.CAPABILITIES, region=REGION)
        deploy_assembly.wait_for_stack(cli, stack_name, REGION, 180)
        type(self).stacks[stack_name] = self.describe(stack_name)
        r = self.run_diff("--fail", env=self.env())
        self.assertEqual(r.returncode, 0, f"after re-creating {stack_name}: {r.stdout[-3000:]}{r.stderr}")

    # --- faults ----------------------------------------------------------------------------------

    def test_http_500_twice_then_success_is_retried(self):
        baseline = self.baseline_requests()
        proxy = self.proxy()
        proxy.fail_next(2)
        r = self.run_diff("--json", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(json.loads(r.stdout)["differences"])
        self.assert_retried(proxy, "error500", baseline)
        # One request at a time: the first call is made three times, the third answered.
        proxy.reset()
        proxy.fail_next(2)
        r = self.run_diff("--concurrency", "1", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No differences", r.stdout)
        self.assertEqual([x.outcome for x in proxy.requests[:3]], ["error500", "error500", "forwarded"])
        self.assertEqual(len(set(proxy.calls()[:3])), 1, proxy.calls()[:3])
        self.assertEqual(proxy.count, baseline + 2)

    def assert_retried(self, proxy, outcome, baseline):
        """The first two requests got the fault, each was made again later and forwarded, and
        nothing else was added to what a clean run asks."""
        requests = proxy.requests
        self.assertEqual([x.outcome for x in requests[:2]], [outcome, outcome])
        for failed in requests[:2]:
            again = [x for x in requests[2:] if (x.action, x.stack_name) == (failed.action, failed.stack_name)]
            self.assertEqual([x.outcome for x in again], ["forwarded"], f"{failed.action} {failed.stack_name}")
        self.assertEqual(proxy.count, baseline + 2)

    def test_throttling_then_success_is_retried(self):
        baseline = self.baseline_requests()
        proxy = self.proxy()
        proxy.throttle_next(2)
        r = self.run_diff("--json", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(json.loads(r.stdout)["differences"])
        self.assert_retried(proxy, "throttled", baseline)

    def test_throttling_every_time_gives_up_after_max_attempts(self):
        proxy = self.proxy()
        proxy.throttle_next(1000)
        r = self.run_diff(env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"))
        self.assert_error(r, "Throttling", "attempts", secrets=[SECRET])
        self.assertLessEqual(max(proxy.calls().count(c) for c in proxy.calls()), 3)

    def test_http_500_every_time_gives_up_after_max_attempts(self):
        for attempts in (3, 1):
            with self.subTest(AWS_MAX_ATTEMPTS=attempts):
                proxy = self.proxy()
                proxy.fail_always()
                r = self.run_diff("--json", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS=str(attempts)))
                # "attempts" is the wording of retries given up; one attempt is not retried at all.
                self.assert_error(r, "HTTP 500", *(["attempts"] if attempts > 1 else []), secrets=[SECRET])
                # Calls may run in parallel: the one the message names was made exactly
                # AWS_MAX_ATTEMPTS times, no call more often.
                calls = proxy.calls()
                named = [c for c in set(calls) if c[1] and re.search(rf"{re.escape(c[1])}(?![\w-])", r.stderr)]
                self.assertEqual(len(named), 1, f"which call failed? {r.stderr} {calls}")
                self.assertEqual(calls.count(named[0]), attempts, calls)
                self.assertLessEqual(max(calls.count(c) for c in calls), attempts, calls)
                self.assertLess(r.elapsed, 30)
                proxy.stop()
        # One request at a time: the first call, made AWS_MAX_ATTEMPTS times, is all the proxy sees.
        proxy = self.proxy()
        proxy.fail_always()
        r = self.run_diff("--concurrency", "1", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"))
        self.assert_error(r, "HTTP 500", "attempts", secrets=[SECRET])
        calls = proxy.calls()
        self.assertEqual(calls, [calls[0]] * 3)
        self.assertIn(calls[0][1], r.stderr)

    def test_a_server_that_never_answers_times_out(self):
        proxy = self.proxy()
        proxy.hang()
        r = self.run_diff("--timeout", "1", env=self.env(proxy.endpoint, AWS_MAX_ATTEMPTS="3"), timeout=120)
        self.assert_error(r, "timed out", secrets=[SECRET])
        self.assertGreaterEqual(proxy.count, 1)
        self.assertLess(r.elapsed, 20, "--timeout 1 (with at most 3 attempts) is bounded")

    def test_unreachable_endpoint(self):
        closed = f"http://127.0.0.1:{free_port()}"
        r = self.run_diff(env=self.env(closed, AWS_MAX_ATTEMPTS="3"), timeout=120)
        self.assert_error(r, "cannot reach", closed, secrets=[SECRET])
        self.assertLess(r.elapsed, 15, "a bounded number of quick attempts")

    def test_no_credentials_anywhere(self):
        r = self.run_diff(env={"AWS_ENDPOINT_URL": self.moto.endpoint})
        self.assert_error(r, "no AWS credentials")

    def test_unknown_profile(self):
        for env, args in (({"AWS_PROFILE": "nowhere"}, []), ({}, ["--profile", "nowhere"])):
            r = self.run_diff(*args, env={"AWS_ENDPOINT_URL": self.moto.endpoint, **env})
            self.assert_error(r, "'nowhere'")


class AuthenticatedDiffTest(CliRunner, unittest.TestCase):
    """A moto that checks SigV4 signatures and IAM permissions; only the Base stack deployed."""

    maxDiff = None
    lookup_role_refused = True  # the users may not sts:AssumeRole (the stacks' lookup role)

    @classmethod
    def setUpClass(cls):
        root = _module["root"] / "auth"
        root.mkdir()
        cls.root = root
        cls.moto = MotoServer(log_path=root / "moto.log")
        cls.addClassCleanup(cls.moto.stop)
        cls.moto.start()
        endpoint = cls.moto.endpoint
        # While requests are not authenticated (moto's default): the principals ...
        iam = boto3_client("iam", endpoint)
        iam.create_user(UserName="leafsynth-diff")
        iam.put_user_policy(UserName="leafsynth-diff", PolicyName="read-stacks", PolicyDocument=READ_ONLY_POLICY)
        key = iam.create_access_key(UserName="leafsynth-diff")["AccessKey"]
        cls.key_id, cls.secret = key["AccessKeyId"], key["SecretAccessKey"]
        # A user that may describe stacks but not read their templates.
        iam.create_user(UserName="leafsynth-describe-only")
        iam.put_user_policy(UserName="leafsynth-describe-only", PolicyName="describe", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
                                                     "Action": "cloudformation:DescribeStacks"}]}))
        key = iam.create_access_key(UserName="leafsynth-describe-only")["AccessKey"]
        cls.describe_only = (key["AccessKeyId"], key["SecretAccessKey"])
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}
        role = iam.create_role(RoleName="leafsynth-diff-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName="leafsynth-diff-role", PolicyName="read-stacks", PolicyDocument=READ_ONLY_POLICY)
        session = boto3_client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="diff",
                                                            DurationSeconds=3600)["Credentials"]
        cls.session = (session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
        # ... and the Base stack alone (a copy of the assembly whose manifest has no other stack).
        assembly = root / "assembly"
        shutil.copytree(_module["assembly"], assembly)
        manifest = json.loads((assembly / "manifest.json").read_text())
        keep = {BASE, *manifest["artifacts"][BASE].get("dependencies", [])}
        manifest["artifacts"] = {k: v for k, v in manifest["artifacts"].items() if k in keep
                                 or v.get("type") not in ("aws:cloudformation:stack", "cdk:asset-manifest")}
        (assembly / "manifest.json").write_text(json.dumps(manifest, indent=1))
        results = deploy_or_fail(assembly, cls.moto, [])
        if results != [(BASE, "CREATE_COMPLETE")]:
            raise AssertionError(f"unexpected deployment: {results}")
        # Now every request must be signed by a known key allowed to do what it asks.
        # (a text body: with urllib's default form content type the server finds no data and fails)
        request = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
            if json.loads(response.read()).get("status") != "ok":
                raise AssertionError("moto did not switch authentication on")
        import botocore.exceptions
        try:
            boto3_client("cloudformation", endpoint).describe_stacks(StackName=BASE)
            raise AssertionError("moto still accepts requests with an unknown key: authentication is off")
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] != "InvalidClientTokenId":
                raise
        for credentials in ((cls.key_id, cls.secret), cls.session):  # what boto3 signs is accepted
            boto3_client("cloudformation", endpoint, *credentials).describe_stacks(StackName=BASE)

    def env(self, **extra):
        env = {"AWS_ENDPOINT_URL": self.moto.endpoint}
        env.update(extra)
        return env

    def key_env(self, key_id=None, secret=None, token=None):
        env = self.env(AWS_ACCESS_KEY_ID=key_id or self.key_id, AWS_SECRET_ACCESS_KEY=secret or self.secret)
        if token:
            env["AWS_SESSION_TOKEN"] = token
        return env

    def assert_base_only(self, r):
        """A successful comparison: Base unchanged, every other stack (not deployed) added."""
        self.assertEqual(r.returncode, 0, f"stdout: {r.stdout[-3000:]}\nstderr: {r.stderr}")
        report = json.loads(r.stdout)
        statuses = {s["name"]: s["status"] for s in report["stacks"]}
        self.assertEqual(statuses, {name: "unchanged" if name == BASE else "added" for name in TOP_LEVEL})
        self.assertTrue(report["differences"])

    def write(self, name, text):
        path = self.root / name
        path.write_text(text)
        return path

    # --- keys from the environment ---------------------------------------------------------------

    def test_valid_key_is_accepted(self):
        r = self.run_diff("--json", env=self.key_env())
        self.assert_base_only(r)
        self.assert_no_secrets(r, self.secret)
        r = self.run_diff("--fail", env=self.key_env())
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(BASE)} \({REGION}\): no differences$")
        self.assertRegex(r.stdout, rf"(?m)^Stack {re.escape(MAIN)} \({REGION}\): new stack: every resource is added$")
        self.assert_no_secrets(r, self.secret)

    def test_temporary_credentials_with_session_token(self):
        key_id, secret, token = self.session
        r = self.run_diff("--json", env=self.key_env(key_id, secret, token))
        self.assert_base_only(r)
        self.assert_no_secrets(r, secret, token)

    def test_access_denied_names_the_action_and_the_stack(self):
        key_id, secret = self.describe_only
        r = self.run_diff(env=self.key_env(key_id, secret))
        self.assert_error(r, f"access denied: cloudformation:GetTemplate on stack {BASE} in {REGION}",
                          "AWS_ACCESS_KEY_ID", "not authorized", secrets=(secret,))

    def test_wrong_secret_is_rejected(self):
        wrong = "Wr0ngSecretKeyWr0ngSecretKeyWr0ngSecretK"
        r = self.run_diff(env=self.key_env(secret=wrong))
        self.assert_error(r, "rejected", "AWS_ACCESS_KEY_ID", secrets=[wrong, self.secret])

    def test_unknown_key_id_is_rejected(self):
        r = self.run_diff(env=self.key_env(key_id="AKIAUNKNOWNUNKNOWN00"))
        self.assert_error(r, "rejected", "AWS_ACCESS_KEY_ID", secrets=[self.secret])

    def test_wrong_session_token_is_rejected(self):
        key_id, secret, token = self.session
        wrong = token[:-8] + "AAAAAAAA"
        r = self.run_diff(env=self.key_env(key_id, secret, wrong))
        self.assert_error(r, "rejected", secrets=[secret, token, wrong])

    # --- profiles --------------------------------------------------------------------------------

    def credentials_file(self, name, key_id, secret):
        return self.write(name, f"[default]\naws_access_key_id = AKIADEFAULTDEFAULT00\n"
                                f"aws_secret_access_key = not-the-default\n\n"
                                f"[dev]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")

    def test_profile_from_the_shared_credentials_file(self):
        credentials = self.credentials_file("credentials", self.key_id, self.secret)
        files = {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_CONFIG_FILE": str(self.root / "no-config")}
        r = self.run_diff("--json", env=self.env(AWS_PROFILE="dev", **files))
        self.assert_base_only(r)
        self.assert_no_secrets(r, self.secret)
        r = self.run_diff("--json", "--profile", "dev", env=self.env(**files))
        self.assert_base_only(r)
        # --profile names the credentials to use, as with the AWS CLI: key variables do not count then.
        r = self.run_diff("--json", "--profile", "dev", env=self.env(
            AWS_ACCESS_KEY_ID="AKIAUNKNOWNUNKNOWN00", AWS_SECRET_ACCESS_KEY="wrong-wrong", **files))
        self.assert_base_only(r)

    def test_wrong_key_in_a_profile_is_rejected_naming_the_profile(self):
        wrong = "Wr0ngProfileSecretWr0ngProfileSecretWr0n"
        credentials = self.credentials_file("credentials-wrong", self.key_id, wrong)
        r = self.run_diff(env=self.env(AWS_PROFILE="dev", AWS_SHARED_CREDENTIALS_FILE=str(credentials),
                                       AWS_CONFIG_FILE=str(self.root / "no-config")))
        self.assert_error(r, "rejected", "dev", secrets=[wrong, self.secret])

    def credential_process_config(self, name, expiration):
        key_id, secret, token = self.session
        output = {"Version": 1, "AccessKeyId": key_id, "SecretAccessKey": secret, "SessionToken": token,
                  "Expiration": expiration}
        script = self.write(f"{name}.py", f"import json\nprint(json.dumps({output!r}))\n")
        return self.write(f"{name}.config",
                          f"[profile proc]\ncredential_process = python3 {script}\nregion = {REGION}\n")

    def test_credential_process(self):
        config = self.credential_process_config("process-ok", time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                            time.gmtime(time.time() + 3000)))
        r = self.run_diff("--json", env=self.env(AWS_PROFILE="proc", AWS_CONFIG_FILE=str(config),
                                                 AWS_SHARED_CREDENTIALS_FILE=str(self.root / "no-credentials")))
        self.assert_base_only(r)
        self.assert_no_secrets(r, *self.session[1:])

    def test_endpoint_from_the_profile(self):
        """No endpoint variable: the profile's endpoint_url in the config file (as the AWS CLI)."""
        config = self.write("endpoint.config", f"[profile dev]\nendpoint_url = {self.moto.endpoint}\n")
        credentials = self.credentials_file("credentials-endpoint", self.key_id, self.secret)
        r = self.run_diff("--json", env={"AWS_PROFILE": "dev", "AWS_CONFIG_FILE": str(config),
                                         "AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
        self.assert_base_only(r)

    def test_failing_credential_process(self):
        script = self.write("process-fails.py", "import sys\nprint('no session', file=sys.stderr)\nsys.exit(3)\n")
        config = self.write("process-fails.config", f"[profile proc]\ncredential_process = python3 {script}\n")
        r = self.run_diff(env=self.env(AWS_PROFILE="proc", AWS_CONFIG_FILE=str(config),
                                       AWS_SHARED_CREDENTIALS_FILE=str(self.root / "no-credentials")))
        # The process's own messages reach stderr unchanged (it may prompt there, e.g. for MFA),
        # before leafsynth's one message.
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "")
        before, _, message = r.stderr.partition("leafsynth: error: ")
        self.assertEqual(before, "no session\n")
        self.assertIn("credential_process", message)
        self.assertIn("3", message)  # its exit status

    def test_credential_process_with_expired_credentials(self):
        config = self.credential_process_config("process-expired", "2020-01-01T00:00:00Z")
        r = self.run_diff(env=self.env(AWS_PROFILE="proc", AWS_CONFIG_FILE=str(config),
                                       AWS_SHARED_CREDENTIALS_FILE=str(self.root / "no-credentials")))
        self.assert_error(r, "expired", secrets=self.session[1:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
