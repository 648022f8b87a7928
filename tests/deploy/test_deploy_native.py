"""End-to-end tests of `leafsynth bootstrap` and `leafsynth deploy` (the native deploy, no AWS CLI,
no Node) against moto.

usage: test_deploy_native.py LEAFSYNTH SOURCE_DIR [unittest options]

One moto_server (moto_harness.MotoServer with the moto_compat fixes) on 127.0.0.1, shared by the
tests, which run in order (each builds on the state the previous one left): the ContainerManager
example app (minecraft, valheim, echo-server; the base config with RestrictDefaultSecurityGroup
false, as in test_deploy_containermanager.py) in us-east-1, account 123456789012.
  1. deploy before bootstrap: exit 2, the message names the environment and 'leafsynth bootstrap
     aws://123456789012/us-east-1', and no stack exists;
  2. bootstrap with the app's configs: the CDKToolkit stack, its bucket and version parameter; again:
     "nothing changed", the stack not updated;
  3. deploy with no terminal and the default --require-approval broadening: the app adds IAM
     permissions, so exit 1, the message names --require-approval, and still no app stack exists;
     On a terminal (stdin too): the question is asked, "n" refuses, exit 1, nothing created;
  4. deploy --require-approval never --outputs-file: exit 0, every stack CREATE_COMPLETE with all
     its nested stacks, the report table says `created` for each, the outputs file equals the
     stacks' outputs in DescribeStacks; `leafsynth diff --fail` right after exits 0;
  5. deploy again: every stack `unchanged`, no stack updated (LastUpdatedTime as before);
  6. one config change (minecraft's watchdog threshold), deployed on a pseudo-terminal: exactly the
     stacks `leafsynth diff` says differ are `updated`, the live view redraws a block in place with
     the Minecraft leaf's status and resources done/total (its templates' resources);
  7. a resource that fails to create (the moto_compat test hook `leafsynth:moto-fail` in a resource's
     Metadata, in a copy of the assembly): exit 2, the root cause names the resource and the reason,
     the stacks depending on it are `skipped`;
  9. through tests/deploy/fault_proxy.py: an upload answered HTTP 500 (retried), then event polls
     throttled beyond AWS_MAX_ATTEMPTS (asked again at the next poll): both deploys succeed; an
     error answer of STS GetCallerIdentity: exit 2, one error, nothing changed;
     Ctrl-C while the first stack deploys (slow answers): exit 2, the stacks not started `skipped`;
  8. bad command lines: --stack that matches nothing, --app that is not a folder, --parameters
     without '=': exit 2, one clear error, nothing changed.
CrossRegionDeployTest (a moto of its own): the examples unchanged, main region us-west-2 (the default
base config, whose default-security-group restriction is a custom resource): bootstrap of both
environments, deploy from nothing, the default security group without rules, the SSM parameters that
carry Base -> Domain (us-east-1) and Domain -> Leaf (us-west-2) values equal to the producers' physical
ids, and a second deploy that changes nothing.
The CLI runs with a controlled environment (test_diff_deployed.cli_env: fake credentials, no proxies,
an empty HOME) and stdin not a terminal. A missing binary, source tree or moto_server is a failure.
"""
import json
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LEAFSYNTH = SOURCE_DIR = None
if len(sys.argv) > 2 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()

from cli_terminal import run_on_terminal  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from moto_harness import MotoServer  # noqa: E402
from test_deploy_containermanager import (ACCOUNT, REGION, check_prerequisites, copy_app_configs,  # noqa: E402
                                          expected_stack_order)
from test_diff_deployed import boto3_client, cli_env  # noqa: E402

sys.path.insert(0, str(HERE.parent / "diff"))
from test_diff_cli import run_with_terminal  # noqa: E402

EXAMPLES = (SOURCE_DIR or Path("/nonexistent")) / "examples" / "containermanager"
TOP_LEVEL = expected_stack_order()
ENV = f"aws://{ACCOUNT}/{REGION}"

_state = {}


def setUpModule():
    check_prerequisites(LEAFSYNTH, SOURCE_DIR)
    tmp = tempfile.TemporaryDirectory(prefix="leafsynth-deploy-native-")
    unittest.addModuleCleanup(tmp.cleanup)
    root = Path(tmp.name)
    _state.update(copy_app_configs(EXAMPLES, root), root=root)
    moto = MotoServer(log_path=root / "moto.log")
    moto.start()
    unittest.addModuleCleanup(moto.stop)
    _state["moto"] = moto


def run_env():
    return cli_env(_state["home"], {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                    "AWS_REGION": REGION, "AWS_ENDPOINT_URL": _state["moto"].endpoint})


def run_cli(*args, timeout=600, env=None):
    return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**run_env(), **(env or {})}, stdin=subprocess.DEVNULL, cwd=_state["root"])


def app_args(leaves=None):
    return [*(leaves or _state["leaves"]), "--base", _state["base"], "--region", REGION, "--account", ACCOUNT]


def cfn():
    return boto3_client("cloudformation", _state["moto"].endpoint)


def stacks():
    """{name: description} of every stack that exists (not deleted)."""
    out = {}
    for page in cfn().get_paginator("describe_stacks").paginate():
        for s in page["Stacks"]:
            out[s["StackName"]] = s
    return out


def results(stdout):
    """{stack: result} from the deploy's final table."""
    out = {}
    table = stdout[stdout.rindex("\nStack "):]
    for line in table.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 4 and parts[0] in TOP_LEVEL:
            out[parts[0]] = parts[2]
    return out


def fix_asset_hashes(assembly, changed):
    """After editing `changed` (a nested template) in a copy of an assembly: its asset gets the new
    content hash as id and object key, and the parent template's TemplateURL follows, as a new
    synthesis would write them (so the deploy uploads it and CloudFormation sees the change)."""
    import hashlib
    new_hash = hashlib.sha256(changed.read_bytes()).hexdigest()
    for manifest in assembly.glob("*.assets.json"):
        doc = json.loads(manifest.read_text())
        for old_hash, entry in list(doc["files"].items()):
            if entry["source"]["path"] != changed.name:
                continue
            for dest in entry["destinations"].values():
                dest["objectKey"] = dest["objectKey"].replace(old_hash, new_hash)
            doc["files"][new_hash] = doc["files"].pop(old_hash)
            manifest.write_text(json.dumps(doc, indent=1))
            for template in assembly.glob("*.template.json"):
                text = template.read_text()
                if old_hash in text and template != changed:
                    template.write_text(text.replace(old_hash, new_hash))
                    fix_asset_hashes(assembly, template) if ".nested." in template.name else _rehash_top(assembly, template)
            return
    raise AssertionError(f"no asset for {changed.name}")


def _rehash_top(assembly, template):
    """The top-level template changed too: its own asset (and the manifest's object URL) follow."""
    import hashlib
    new_hash = hashlib.sha256(template.read_bytes()).hexdigest()
    manifest_path = assembly / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for doc_path in assembly.glob("*.assets.json"):
        doc = json.loads(doc_path.read_text())
        for old_hash, entry in list(doc["files"].items()):
            if entry["source"]["path"] != template.name:
                continue
            for dest in entry["destinations"].values():
                dest["objectKey"] = dest["objectKey"].replace(old_hash, new_hash)
            doc["files"][new_hash] = doc["files"].pop(old_hash)
            doc_path.write_text(json.dumps(doc, indent=1))
            for artifact in manifest["artifacts"].values():
                props = artifact.get("properties", {})
                if old_hash in props.get("stackTemplateAssetObjectUrl", ""):
                    props["stackTemplateAssetObjectUrl"] = props["stackTemplateAssetObjectUrl"].replace(old_hash, new_hash)
            manifest_path.write_text(json.dumps(manifest, indent=1))
            return


class NativeDeployTest(unittest.TestCase):
    maxDiff = 8000

    def check(self, run, code):
        self.assertEqual(run.returncode, code, f"exit {run.returncode}\nstdout:\n{run.stdout[-6000:]}\n"
                                               f"stderr:\n{run.stderr[-3000:]}\nmoto log:\n"
                                               f"{_state['moto'].log_text()[-3000:]}")

    def test_1_deploy_before_bootstrap_changes_nothing(self):
        run = run_cli("deploy", *app_args(), "-o", _state["root"] / "out", "--require-approval", "never")
        self.check(run, 2)
        self.assertIn(f"the environment {ENV} is not bootstrapped", run.stderr)
        self.assertIn(f"run 'leafsynth bootstrap {ENV}' first; nothing was changed", run.stderr)
        self.assertEqual(stacks(), {})

    def test_2_bootstrap_then_again_changes_nothing(self):
        run = run_cli("bootstrap", *app_args())
        self.check(run, 0)
        self.assertIn(f"{ENV}: bootstrapped (created, version 6)", run.stdout)
        toolkit = stacks()["CDKToolkit"]
        self.assertEqual(toolkit["StackStatus"], "CREATE_COMPLETE")
        buckets = [b["Name"] for b in boto3_client("s3", _state["moto"].endpoint).list_buckets()["Buckets"]]
        self.assertIn(f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}", buckets)
        version = boto3_client("ssm", _state["moto"].endpoint).get_parameter(Name="/cdk-bootstrap/hnb659fds/version")
        self.assertEqual(version["Parameter"]["Value"], "6")
        again = run_cli("bootstrap", ENV)
        self.check(again, 0)
        self.assertIn(f"{ENV}: already bootstrapped (version 6): nothing changed", again.stdout)
        self.assertEqual(stacks()["CDKToolkit"].get("LastUpdatedTime"), toolkit.get("LastUpdatedTime"))

    def test_3_approval_needed_without_a_terminal(self):
        run = run_cli("deploy", *app_args(), "-o", _state["root"] / "out")
        self.check(run, 1)
        self.assertIn("approval needed", run.stdout)
        self.assertIn("--require-approval never", run.stdout)
        self.assertEqual(set(stacks()), {"CDKToolkit"})

    def test_3b_approval_refused_on_a_terminal(self):
        # stdin, stdout and stderr on a pseudo-terminal: the question is asked, "n" refuses.
        code, out = run_on_terminal([LEAFSYNTH, "deploy", *app_args(), "-o", _state["root"] / "out"], run_env(),
                                    _state["root"], answer="n")
        self.assertEqual(code, 1, out[-3000:])
        self.assertIn("Deploy these changes (", out)
        self.assertIn("widen permissions)? [y/N] ", out)
        self.assertIn("Not approved: nothing was changed.", out)
        self.assertEqual(set(stacks()), {"CDKToolkit"})

    def test_4_deploy_from_nothing(self):
        outputs_file = _state["root"] / "outputs.json"
        run = run_cli("deploy", *app_args(), "-o", _state["root"] / "out", "--require-approval", "never",
                      "--outputs-file", outputs_file)
        self.check(run, 0)
        self.assertEqual(results(run.stdout), {name: "created" for name in TOP_LEVEL})
        deployed = stacks()
        for name in TOP_LEVEL:
            self.assertEqual(deployed[name]["StackStatus"], "CREATE_COMPLETE", name)
        nested = []
        for name in TOP_LEVEL:
            for r in cfn().list_stack_resources(StackName=name)["StackResourceSummaries"]:
                if r["ResourceType"] == "AWS::CloudFormation::Stack":
                    nested.append(cfn().describe_stacks(StackName=r["PhysicalResourceId"])["Stacks"][0])
        self.assertEqual(sorted(s["StackStatus"] for s in nested), ["CREATE_COMPLETE"] * 20)
        written = json.loads(outputs_file.read_text())
        expected = {name: {o["OutputKey"]: o["OutputValue"] for o in deployed[name].get("Outputs", [])}
                    for name in TOP_LEVEL}
        self.assertEqual(written, {k: v for k, v in expected.items() if v})
        diff = run_cli("diff", *app_args(), "--fail")
        self.check(diff, 0)
        _state["after_create"] = {n: deployed[n].get("LastUpdatedTime") for n in TOP_LEVEL}

    def test_5_deploy_again_changes_nothing(self):
        # any-change asks only when something changes: here nothing does, so no terminal is needed.
        run = run_cli("deploy", "--app", _state["root"] / "out", "--require-approval", "any-change")
        self.check(run, 0)
        self.assertEqual(results(run.stdout), {name: "unchanged" for name in TOP_LEVEL})
        self.assertRegex(run.stdout, r"Assets: 0 published \(0 bytes\), \d+ already there")
        deployed = stacks()
        self.assertEqual({n: deployed[n].get("LastUpdatedTime") for n in TOP_LEVEL}, _state["after_create"])

    def test_6_one_config_change_updates_what_diff_says(self):
        # The watchdog threshold (the alarm in the leaf's Watchdog nested stack, and the start
        # function in LinkTogether). Not the instance type: moto re-creates an updated ASG under a
        # new name, so the leaf's ASG export changes and CloudFormation's "export in use" check
        # (emulated by moto_compat) rolls the update back; real CloudFormation updates it in place.
        minecraft = _state["configs"] / "minecraft.yaml"
        text = minecraft.read_text()
        self.assertIn("Threshold: 1850", text)
        changed = _state["configs"] / "changed" / "minecraft.yaml"
        changed.parent.mkdir(exist_ok=True)
        changed.write_text(text.replace("Threshold: 1850", "Threshold: 2000"))
        leaves = [changed if p.name == "minecraft.yaml" else p for p in _state["leaves"]]
        diff = run_cli("diff", *app_args(leaves), "--json")
        self.check(diff, 0)
        differing = {s["name"] for s in json.loads(diff.stdout)["stacks"] if s["status"] != "unchanged"}
        self.assertIn("ContainerManager-Minecraft-Stack", differing)
        self.assertNotIn("ContainerManager-BaseStack", differing)
        refused = run_cli("deploy", *app_args(leaves), "-o", _state["root"] / "out2", "--require-approval", "any-change")
        self.check(refused, 1)
        self.assertIn("approval needed (the stacks change)", refused.stdout)
        # On a terminal (a pseudo-terminal here): the live view, a block redrawn per stack in progress.
        code, terminal, stderr = run_with_terminal(
            [str(LEAFSYNTH), "deploy", *map(str, app_args(leaves)), "-o", str(_state["root"] / "out2"),
             "--require-approval", "never"], run_env(), "stdout", timeout=300)
        self.assertEqual(code, 0, terminal[-6000:] + stderr)
        text = terminal.replace("\r\n", "\n")
        self.assertEqual(results(text), {n: ("updated" if n in differing else "unchanged") for n in TOP_LEVEL})
        self.assertIn("\x1b[", text)  # the block is redrawn in place
        frames = re.findall(r"(?m)^(?:\x1b\[\d+F\x1b\[J)?  (ContainerManager-Minecraft-Stack) +us-east-1 +"
                            r"(\S+(?: \S+)?) +(\d+)/(\d+) +\d+s", text)
        self.assertTrue(frames, text[-4000:])
        totals = {int(total) for _, _, _, total in frames}
        self.assertEqual(len(totals), 1)  # the stack's and its nested templates' resources
        self.assertGreater(totals.pop(), 50)
        self.assertIn("UPDATE_IN_PROGRESS", {status for _, status, _, _ in frames})
        after = run_cli("diff", *app_args(leaves), "--fail")
        self.check(after, 0)

    def test_7_a_failing_resource_is_the_root_cause(self):
        # A copy of the assembly whose Minecraft Volumes nested stack has a resource that fails to
        # create (the moto_compat test hook): the leaf fails, LinkTogether is not started.
        broken = _state["root"] / "broken"
        shutil.copytree(_state["root"] / "out2", broken)
        nested = broken / "ContainerManager-Minecraft-Stack.Volumes.nested.template.json"
        template = json.loads(nested.read_text())
        template["Resources"]["Doomed"] = {"Type": "AWS::SNS::Topic",
                                           "Metadata": {"leafsynth:moto-fail": "Quota exceeded for topics"}}
        nested.write_text(json.dumps(template, indent=1))
        fix_asset_hashes(broken, nested)
        before = stacks()
        run = run_cli("deploy", "--app", broken, "--require-approval", "never")
        self.check(run, 2)
        self.assertIn("AWS::SNS::Topic Doomed (in nested stack ContainerManager-Minecraft-Stack-VolumesNestedStack",
                      run.stdout)
        self.assertIn("CREATE_FAILED: Quota exceeded for topics", run.stdout)
        got = results(run.stdout)
        self.assertEqual(got["ContainerManager-Minecraft-Stack"], "failed")
        self.assertEqual(got["ContainerManager-Minecraft-LinkTogetherStack"], "skipped")
        after = stacks()
        self.assertEqual(after["ContainerManager-Minecraft-Stack"]["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertEqual(after["ContainerManager-Minecraft-LinkTogetherStack"].get("LastUpdatedTime"),
                         before["ContainerManager-Minecraft-LinkTogetherStack"].get("LastUpdatedTime"))

    def test_9_throttling_and_server_errors_are_survived(self):
        # Through a fault-injecting proxy in front of moto: uploads answered HTTP 500 (retried by the
        # S3 client), then event polls throttled beyond AWS_MAX_ATTEMPTS (the poll asks again later).
        minecraft = _state["configs"] / "minecraft.yaml"
        changed = _state["configs"] / "changed" / "minecraft.yaml"
        leaves = [changed if p.name == "minecraft.yaml" else p for p in _state["leaves"]]
        with FaultProxy(_state["moto"].endpoint) as proxy:
            env = {"AWS_ENDPOINT_URL": proxy.endpoint, "AWS_MAX_ATTEMPTS": "2"}
            for threshold, fault in (("2100", lambda: proxy.fail_next(1, only="PUT")),
                                     ("2200", lambda: proxy.throttle_next(5, only="DescribeStackEvents"))):
                with self.subTest(threshold=threshold):
                    changed.write_text(minecraft.read_text().replace("Threshold: 1850", "Threshold: " + threshold))
                    proxy.reset()
                    fault()
                    run = run_cli("deploy", *app_args(leaves), "-o", _state["root"] / "out3",
                                  "--require-approval", "never", env=env)
                    self.check(run, 0)
                    self.assertIn("updated", results(run.stdout).values())
                    outcomes = [r.outcome for r in proxy.requests]
                    if threshold == "2100":
                        self.assertEqual(outcomes.count("error500"), 1)
                        failed = next(r for r in proxy.requests if r.outcome == "error500")
                        self.assertEqual(failed.method, "PUT")
                    else:
                        self.assertEqual(outcomes.count("throttled"), 5)
                        self.assertIn("polling: Throttling (throttled or busy); asking again", run.stdout)
            diff = run_cli("diff", *app_args(leaves), "--fail")
            self.check(diff, 0)

    def test_9a_an_error_answer_of_sts_stops_before_anything_changes(self):
        # GetCallerIdentity answered HTTP 500 (once, AWS_MAX_ATTEMPTS=1): one clear error, exit 2.
        before = {n: s.get("LastUpdatedTime") for n, s in stacks().items()}
        with FaultProxy(_state["moto"].endpoint) as proxy:
            proxy.fail_next(1, only="GetCallerIdentity")
            run = run_cli("deploy", "--app", _state["root"] / "out", "--require-approval", "never",
                          env={"AWS_ENDPOINT_URL": proxy.endpoint, "AWS_MAX_ATTEMPTS": "1"})
            self.assertEqual([r.outcome for r in proxy.requests if r.action == "GetCallerIdentity"], ["error500"])
        self.check(run, 2)
        self.assertTrue(run.stderr.startswith("leafsynth: error: sts:GetCallerIdentity on the credentials failed: "),
                        run.stderr)
        self.assertIn("InternalFailure", run.stderr)
        self.assertEqual({n: s.get("LastUpdatedTime") for n, s in stacks().items()}, before)

    def test_9b_ctrl_c_stops_waiting(self):
        # A slow endpoint (0.3 s per answer through the fault proxy); Ctrl-C (SIGINT) once the first
        # stack is deploying: the run ends by itself with exit 2, saying which stacks were not
        # started or left changing; CloudFormation goes on.
        minecraft = _state["configs"] / "minecraft.yaml"
        changed = _state["configs"] / "changed" / "minecraft.yaml"
        changed.write_text(minecraft.read_text().replace("Threshold: 1850", "Threshold: 2300"))
        leaves = [changed if p.name == "minecraft.yaml" else p for p in _state["leaves"]]
        with FaultProxy(_state["moto"].endpoint) as proxy:
            proxy.latency = 0.3
            p = subprocess.Popen([str(LEAFSYNTH), "deploy", *map(str, app_args(leaves)), "-o", str(_state["root"] / "out4"),
                                  "--require-approval", "never", "--concurrency", "1"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={**run_env(), "AWS_ENDPOINT_URL": proxy.endpoint}, stdin=subprocess.DEVNULL)
            lines = []
            for line in p.stdout:
                lines.append(line)
                if line.rstrip().endswith("): deploying"):
                    p.send_signal(signal.SIGINT)
                    break
            rest, err = p.communicate(timeout=120)
        out = "".join(lines) + rest
        self.assertEqual(p.returncode, 2, out[-4000:] + err)
        self.assertIn("not started: interrupted (Ctrl-C)", out)
        got = results(out)
        self.assertEqual(len(got), len(TOP_LEVEL))
        self.assertIn("skipped", got.values())

    def test_8_bad_command_lines_change_nothing(self):
        before = {n: s.get("LastUpdatedTime") for n, s in stacks().items()}
        for args, message in [
            (["deploy", "--app", _state["root"] / "out", "--stack", "Nope*"], "--stack 'Nope*' matches no stack"),
            (["deploy", "--app", _state["root"] / "missing"], "not a folder"),
            (["deploy", "--app", _state["root"] / "out", "--parameters", "novalue"], "write NAME=VALUE"),
            (["bootstrap", "aws://12/us-east-1"], "is not an environment: write aws://ACCOUNT/REGION"),
        ]:
            with self.subTest(args=args):
                run = run_cli(*args)
                self.check(run, 2)
                self.assertIn(message, run.stderr)
                self.assertTrue(run.stderr.startswith("leafsynth: error: "), run.stderr)
        self.assertEqual({n: s.get("LastUpdatedTime") for n, s in stacks().items()}, before)


class CrossRegionDeployTest(unittest.TestCase):
    """The case most users have: main region us-west-2 with the default base config (the default
    security group restricted by a custom resource), the pinned stacks in us-east-1, values crossing
    regions through SSM parameters written by leafsynth's cross-region writer (inline Python custom
    resources, which moto_compat runs in moto's process). A moto of its own."""

    MAIN = "us-west-2"

    @classmethod
    def setUpClass(cls):
        cls.root = Path(tempfile.mkdtemp(prefix="leafsynth-deploy-cross-region-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.configs = cls.root / "configs"
        shutil.copytree(EXAMPLES, cls.configs)  # the examples unchanged: the default base config
        (cls.root / "home").mkdir()
        cls.moto = MotoServer(log_path=cls.root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)

    def run_cli(self, *args):
        env = cli_env(self.root / "home", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                           "AWS_REGION": self.MAIN, "AWS_ENDPOINT_URL": self.moto.endpoint})
        run = subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=600,
                             env=env, stdin=subprocess.DEVNULL, cwd=self.root)
        return run

    def client(self, service, region):
        import boto3
        return boto3.client(service, region_name=region, endpoint_url=self.moto.endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def physical_ids(self, stack, region):
        cf = self.client("cloudformation", region)
        return {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cf.list_stack_resources(StackName=stack)["StackResourceSummaries"]}

    def test_bootstrap_and_deploy_across_regions(self):
        leaves = sorted(str(p) for p in self.configs.glob("*.yaml"))
        app = [*leaves, "--region", self.MAIN, "--account", ACCOUNT]
        boot = self.run_cli("bootstrap", *app)
        self.assertEqual(boot.returncode, 0, boot.stdout + boot.stderr)
        for region in (self.MAIN, "us-east-1"):
            self.assertIn(f"aws://{ACCOUNT}/{region}: bootstrapped (created, version 6)", boot.stdout)
        run = self.run_cli("deploy", *app, "-o", self.root / "out", "--require-approval", "never")
        self.assertEqual(run.returncode, 0, run.stdout[-6000:] + run.stderr + self.moto.log_text()[-3000:])
        self.assertEqual(set(results(run.stdout).values()), {"created"})
        self.assertEqual(len(results(run.stdout)), len(TOP_LEVEL))

        # The default security group of the VPC lost its rules (the restriction's custom resource ran).
        base = self.physical_ids("ContainerManager-BaseStack", self.MAIN)
        vpc = next(v for k, v in base.items() if k.startswith("Vpc") and v.startswith("vpc-"))
        ec2 = self.client("ec2", self.MAIN)
        default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                        {"Name": "group-name", "Values": ["default"]}])
        group = default["SecurityGroups"][0]
        self.assertEqual((group["IpPermissions"], group["IpPermissionsEgress"]), ([], []))

        # Each value that crosses regions is an SSM parameter in the consumer's region holding the
        # producer's value: Base (us-west-2) -> each Domain (us-east-1), each Domain -> its Leaf.
        zone = base["RootHostedZone28FAB023"]
        east = self.client("ssm", "us-east-1")
        west = self.client("ssm", self.MAIN)
        for c in ("Minecraft", "Valheim", "EchoServer"):
            domain = f"ContainerManager-{c}-DomainStack"
            got = east.get_parameter(Name=f"/leafsynth/{domain}/ContainerManager-BaseStack/RootHostedZone28FAB023Ref")
            self.assertEqual(got["Parameter"]["Value"], zone, domain)
            sub = self.physical_ids(domain, "us-east-1")["SubHostedZoneC275BC02"]
            got = west.get_parameter(Name=f"/leafsynth/ContainerManager-{c}-Stack/{domain}/SubHostedZoneC275BC02Ref")
            self.assertEqual(got["Parameter"]["Value"], sub, c)

        # Deployed again: nothing changes.
        again = self.run_cli("deploy", "--app", self.root / "out", "--require-approval", "never")
        self.assertEqual(again.returncode, 0, again.stdout[-4000:] + again.stderr)
        self.assertEqual(set(results(again.stdout).values()), {"unchanged"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
