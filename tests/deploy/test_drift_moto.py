"""`leafsynth drift` end to end against moto (moto_compat fix 29 gives moto CloudFormation's drift
detection).

usage: test_drift_moto.py LEAFSYNTH [unittest options]

The app is written here as a CDK-format cloud assembly (manifest.json, asset manifests, templates;
what `cdk synth` writes) in us-east-1, account 123456789012:
  DriftApp:   an SSM parameter, a log group, an SNS topic and its topic policy (a type drift detection
              does not check), and a nested stack InnerNestedStack holding another SSM parameter;
  DriftOther: an SSM parameter; never deployed.
Bootstrapped with `leafsynth bootstrap`, DriftApp deployed with `leafsynth deploy --app DIR --stack
DriftApp`. Tests, in order on one moto:
  1. as deployed: no drift (exit 0, with --fail too; --json says the same), the topic policy listed
     as not checked, nothing changed by the detection (no stack event, statuses kept);
  2. the parameter and the nested stack's parameter changed by hand (put_parameter Overwrite), the log
     group deleted by hand: MODIFIED with Value expected -> actual, DELETED, in the nested stack too
     (the whole report compared), exit 0, --fail exits 1, --json parses and says the same, the same
     report with --concurrency 1;
  3. the whole app: DriftOther is reported not deployed;
  4. bad command lines: exit 2 and one error line each;
  5. on a terminal (stderr a pseudo-terminal), the progress line "leafsynth: drift: N/M stacks checked",
     cleared before the report.
"""
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LEAFSYNTH = None
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()

from moto_harness import MotoServer  # noqa: E402
from test_diff_deployed import boto3_client, cli_env  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"


def ssm_parameter(name, value):
    return {"Type": "AWS::SSM::Parameter", "Properties": {"Name": name, "Type": "String", "Value": value}}


INNER = {"Resources": {"InnerParam": ssm_parameter("/drift/inner/param", "inner value")}}


def drift_app(nested_key):
    return {"Resources": {
        "Param": ssm_parameter("/drift/app/param", "original"),
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "drift-app-logs", "RetentionInDays": 14}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "Drift app"}},
        "TopicPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {
            "Topics": [{"Ref": "Topic"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
                "Resource": {"Ref": "Topic"}}]}}},
        "InnerNestedStack": {"Type": "AWS::CloudFormation::Stack", "Properties": {
            "TemplateURL": {"Fn::Sub": f"https://s3.{REGION}.${{AWS::URLSuffix}}/{BUCKET}/{nested_key}"}}},
    }}


DRIFT_OTHER = {"Resources": {"Param": ssm_parameter("/drift/other/param", "other")}}


def write_assembly(folder):
    """The CDK-format cloud assembly of DriftApp (with its nested template as an asset) and DriftOther."""
    folder.mkdir(parents=True)
    inner_text = json.dumps(INNER, indent=1)
    inner_digest = hashlib.sha256(inner_text.encode()).hexdigest()
    (folder / "DriftAppInner.nested.template.json").write_text(inner_text)
    templates = {"DriftApp": drift_app(inner_digest + ".json"), "DriftOther": DRIFT_OTHER}
    extra_assets = {"DriftApp": {inner_digest: "DriftAppInner.nested.template.json"}}
    artifacts = {}
    for name, template in templates.items():
        text = json.dumps(template, indent=1)
        digest = hashlib.sha256(text.encode()).hexdigest()
        (folder / f"{name}.template.json").write_text(text)
        files = {digest: f"{name}.template.json", **extra_assets.get(name, {})}
        (folder / f"{name}.assets.json").write_text(json.dumps({"version": "36.0.0", "files": {
            asset_hash: {"source": {"path": path, "packaging": "file"}, "destinations": {f"{ACCOUNT}-{REGION}": {
                "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}",
                "objectKey": asset_hash + ".json", "region": REGION,
                "assumeRoleArn": f"arn:${{AWS::Partition}}:iam::{ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-"
                                 f"{ACCOUNT}-{REGION}"}}}
            for asset_hash, path in files.items()}, "dockerImages": {}}))
        artifacts[f"{name}.assets"] = {"type": "cdk:asset-manifest", "properties": {
            "file": f"{name}.assets.json", "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}}
        artifacts[name] = {
            "type": "aws:cloudformation:stack", "environment": f"aws://{ACCOUNT}/{REGION}",
            "properties": {"templateFile": f"{name}.template.json", "validateOnSynth": False,
                           "stackTemplateAssetObjectUrl": f"s3://{BUCKET}/{digest}.json",
                           "requiresBootstrapStackVersion": 6,
                           "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"},
            "dependencies": [f"{name}.assets"], "displayName": name}
    (folder / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}, indent=1))
    return folder


def stable(text):
    """The report with the generated physical ids moto gives made fixed."""
    return re.sub(r"\(DriftApp-TopicPolicy-[A-Za-z0-9]+\)", "(DriftApp-TopicPolicy-ID)", text)


class DriftTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if LEAFSYNTH is None or not LEAFSYNTH.is_file():
            raise AssertionError(f"the leafsynth CLI is missing: {LEAFSYNTH}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-drift-")
        cls.addClassCleanup(cls.tmp.cleanup)
        root = Path(cls.tmp.name)
        (root / "home").mkdir()
        cls.root = root
        cls.app = write_assembly(root / "app")
        cls.moto = MotoServer(log_path=root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        for args in (("bootstrap", f"aws://{ACCOUNT}/{REGION}"),
                     ("deploy", "--app", cls.app, "--stack", "DriftApp", "--require-approval", "never",
                      "--progress", "quiet")):
            run = cls.run_cli(*args)
            if run.returncode != 0:
                raise AssertionError(run.stdout[-5000:] + run.stderr + cls.moto.log_text()[-3000:])

    @classmethod
    def run_cli(cls, *args):
        env = cli_env(cls.root / "home", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                          "AWS_REGION": REGION, "AWS_ENDPOINT_URL": cls.moto.endpoint})
        return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=300, env=env,
                              stdin=subprocess.DEVNULL, cwd=cls.root)

    def drift(self, *args, code=0):
        run = self.run_cli("drift", "--app", self.app, *args)
        self.assertEqual(run.returncode, code, run.stdout[-5000:] + run.stderr + self.moto.log_text()[-3000:])
        self.assertEqual(run.stderr, "")  # no progress line when stderr is not a terminal
        return run.stdout

    def test_1_as_deployed_no_drift(self):
        cf = boto3_client("cloudformation", self.moto.endpoint)
        events_before = len(cf.describe_stack_events(StackName="DriftApp")["StackEvents"])
        out = self.drift("--stack", "DriftApp")
        self.assertEqual(stable(out),
                         "Stack DriftApp (us-east-1): in sync (3 resources checked, 1 not checked)\n"
                         "  Not checked (CloudFormation cannot detect drift of these)\n"
                         "    AWS::SNS::TopicPolicy TopicPolicy (DriftApp-TopicPolicy-ID)\n"
                         "  Nested stack InnerNestedStack: in sync (1 resource checked)\n"
                         "\n"
                         "No drift (2 stacks checked, nested stacks included; resources: 0 modified, 0 deleted, "
                         "4 in sync, 1 not checked).\n")
        self.assertEqual(self.drift("--stack", "DriftApp", "--fail"), out)
        report = json.loads(self.drift("--stack", "DriftApp", "--json", "--fail"))
        self.assertFalse(report["drifted"])
        self.assertEqual(report["summary"]["resources_in_sync"], 4)
        [app] = report["stacks"]
        self.assertEqual((app["name"], app["status"], app["stack_drift_status"]), ("DriftApp", "in_sync", "IN_SYNC"))
        self.assertEqual({r["logical_id"]: r["status"] for r in app["resources"]},
                         {"Param": "IN_SYNC", "Logs": "IN_SYNC", "Topic": "IN_SYNC", "TopicPolicy": "NOT_CHECKED"})
        self.assertEqual([(n["name"], n["status"]) for n in app["nested"]], [("InnerNestedStack", "in_sync")])
        # read-only: no stack operation, no event
        stack = cf.describe_stacks(StackName="DriftApp")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(len(cf.describe_stack_events(StackName="DriftApp")["StackEvents"]), events_before)

    def test_2_changed_by_hand(self):
        ssm = boto3_client("ssm", self.moto.endpoint)
        ssm.put_parameter(Name="/drift/app/param", Value="changed by hand", Type="String", Overwrite=True)
        ssm.put_parameter(Name="/drift/inner/param", Value="inner changed", Type="String", Overwrite=True)
        boto3_client("logs", self.moto.endpoint).delete_log_group(logGroupName="drift-app-logs")
        out = self.drift("--stack", "DriftApp")
        self.assertEqual(stable(out),
                         "Stack DriftApp (us-east-1): drifted (2 of 3 resources checked, 1 not checked)\n"
                         "  Resources\n"
                         "    [-] AWS::Logs::LogGroup Logs (drift-app-logs)  DELETED\n"
                         "    [~] AWS::SSM::Parameter Param (/drift/app/param)  MODIFIED\n"
                         "        [~] Value: \"original\" -> \"changed by hand\"\n"
                         "  Not checked (CloudFormation cannot detect drift of these)\n"
                         "    AWS::SNS::TopicPolicy TopicPolicy (DriftApp-TopicPolicy-ID)\n"
                         "  Nested stack InnerNestedStack: drifted (1 of 1 resource checked)\n"
                         "    Resources\n"
                         "      [~] AWS::SSM::Parameter InnerParam (/drift/inner/param)  MODIFIED\n"
                         "          [~] Value: \"inner value\" -> \"inner changed\"\n"
                         "\n"
                         "Summary: 2 of 2 stacks drifted (nested included); resources: 2 modified, 1 deleted, "
                         "1 in sync, 1 not checked.\n")
        self.assertEqual(self.drift("--stack", "DriftApp", "--fail", code=1), out)
        self.assertEqual(self.drift("--stack", "DriftApp", "--concurrency", "1"), out)
        text = self.drift("--stack", "DriftApp", "--json")
        report = json.loads(text)
        self.assertEqual(json.loads(self.drift("--stack", "DriftApp", "--json", "--fail", code=1)), report)
        self.assertTrue(report["drifted"])
        self.assertEqual((report["summary"]["resources_modified"], report["summary"]["resources_deleted"],
                          report["summary"]["stacks_drifted"]), (2, 1, 2))
        [app] = report["stacks"]
        resources = {r["logical_id"]: r for r in app["resources"]}
        self.assertEqual(resources["Logs"]["status"], "DELETED")
        self.assertEqual(resources["Param"]["differences"],
                         [{"path": "/Value", "expected": "original", "actual": "changed by hand",
                           "difference_type": "NOT_EQUAL"}])
        self.assertEqual(resources["TopicPolicy"]["status"], "NOT_CHECKED")
        [inner] = app["nested"]
        self.assertEqual((inner["name"], inner["status"]), ("InnerNestedStack", "drifted"))
        self.assertTrue(inner["stack_id"].startswith(f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/"))
        self.assertEqual(inner["resources"][0]["differences"][0]["actual"], "inner changed")

    def test_3_a_stack_not_deployed(self):
        out = self.drift()
        self.assertIn("Stack DriftOther (us-east-1): not deployed\n", out)
        self.assertTrue(out.startswith("Stack DriftApp (us-east-1): drifted"), out)  # the app's order
        self.assertIn("Summary: 2 of 3 stacks drifted (nested included), 1 not deployed;", out)
        report = json.loads(self.drift("--json", "--stack", "DriftOther"))
        self.assertEqual([(s["name"], s["status"]) for s in report["stacks"]], [("DriftOther", "not_deployed")])
        self.assertFalse(report["drifted"])
        self.drift("--stack", "DriftOther", "--fail")  # nothing deployed is not drift: exit 0

    def test_4_bad_command_lines(self):
        for args, message in [
            (("drift",), "leafsynth: error: drift needs the app's leaf configs, or --app DIR"),
            (("drift", "--app", self.root / "nope"), "leafsynth: error: --app "),
            (("drift", "--app", self.app, "--region", REGION), "leafsynth: error: with --app, drift works on the assembly"),
            (("drift", "--app", self.app, "--stack", "Nope*"), "leafsynth: error: "),
            (("drift", "--app", self.app, "--concurrency", "0"), "leafsynth: error: "),
        ]:
            with self.subTest(args=args):
                run = self.run_cli(*args)
                self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
                self.assertEqual(run.stdout, "")
                lines = run.stderr.splitlines()
                self.assertEqual(len(lines), 1, run.stderr)
                self.assertTrue(lines[0].startswith(message), run.stderr)
        run = self.run_cli("drift", "--app", self.app, "--stack", "Nope*")
        self.assertIn("DriftApp", run.stderr)  # names the stacks there are

    def test_5_progress_line_on_a_terminal(self):
        import os
        import pty

        master, slave = pty.openpty()
        env = cli_env(self.root / "home", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                           "AWS_REGION": REGION, "AWS_ENDPOINT_URL": self.moto.endpoint})
        try:
            run = subprocess.run([str(LEAFSYNTH), "drift", "--app", str(self.app)], stdout=subprocess.PIPE,
                                 stderr=slave, stdin=subprocess.DEVNULL, text=True, timeout=300, env=env, cwd=self.root)
            os.close(slave)
            slave = -1
            shown = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the terminal's other side is closed
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            if slave >= 0:
                os.close(slave)
            os.close(master)
        self.assertEqual(run.returncode, 0, run.stdout)
        text = shown.decode()
        self.assertIn("\r\x1b[Kleafsynth: drift: 3/3 stacks checked", text)  # DriftApp, its nested stack, DriftOther
        self.assertTrue(text.endswith("\r\x1b[K"), repr(text))  # cleared before the report
        self.assertNotIn("leafsynth: drift:", run.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
