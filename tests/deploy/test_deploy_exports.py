"""`leafsynth deploy` removing a reference between two stacks without the export deadlock (aws-cdk
7602): a producer's export that a consumer imports, then a new version of the app in which neither
has it. Against moto (moto_compat emulates CloudFormation's "export in use" refusal).

usage: test_deploy_exports.py LEAFSYNTH [unittest options]

The app is written here as a CDK-format cloud assembly (manifest.json with stack and asset-manifest
artifacts, asset manifests, templates; what `cdk synth` writes), in us-east-1, account 123456789012:
  v1: Producer (an SNS topic, its ARN exported as Producer:TopicArn); Consumer (an SSM parameter whose
      value is Fn::ImportValue Producer:TopicArn), depending on Producer;
  v2: Producer without the export; Consumer with a literal value, independent of Producer.
Tests, in order on one moto:
  1. v1 from nothing: both created;
  2. Producer's v2 template through plain CloudFormation (UpdateStack): refused, "in use by Consumer",
     rolled back; then v2 with only Producer (--stack Producer --exclusively): the export is still imported by
     Consumer, so it is kept for one more deployment (a note says so), the deploy succeeds and the
     export keeps its value;
  3. v2 whole: Consumer is updated before Producer (a note says so), both succeed, and the export is
     gone;
  4. a template parameter without a default: refused without a value (naming --parameters
     STACK:NAME=VALUE), given with --parameters, kept on the next deploy (UsePreviousValue), and one
     for every stack (NAME=VALUE) overriding a default.
"""
import hashlib
import json
import subprocess
import sys
import tempfile
import time
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
EXPORT = "Producer:TopicArn"


def producer(with_export):
    t = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    if with_export:
        t["Outputs"] = {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": EXPORT}}}
    return t


def consumer(imports):
    value = {"Fn::ImportValue": EXPORT} if imports else "no topic"
    return {"Resources": {"Param": {"Type": "AWS::SSM::Parameter",
                                    "Properties": {"Name": "/test/consumer/topic", "Type": "String", "Value": value}}}}


def role(name, qualifier="hnb659fds"):
    """The ARN of a bootstrap role (`deploy`, `cfn-exec`, `file-publishing`) as CDK manifests write it."""
    return f"arn:${{AWS::Partition}}:iam::{ACCOUNT}:role/cdk-{qualifier}-{name}-role-{ACCOUNT}-{REGION}"


def write_assembly(folder, templates, dependencies, roles=None):
    """A CDK-format cloud assembly of `templates` ({stack: template}), `dependencies` ({stack: [stacks]});
    with `roles` (a bootstrap qualifier), the stacks name the deploy, execution and lookup roles of
    that qualifier and the assets its file-publishing role, as `cdk synth` writes them."""
    folder.mkdir(parents=True)
    artifacts = {}
    for name, template in templates.items():
        text = json.dumps(template, indent=1)
        digest = hashlib.sha256(text.encode()).hexdigest()
        (folder / f"{name}.template.json").write_text(text)
        (folder / f"{name}.assets.json").write_text(json.dumps({"version": "36.0.0", "files": {digest: {
            "source": {"path": f"{name}.template.json", "packaging": "file"},
            "destinations": {f"{ACCOUNT}-{REGION}": {
                "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}", "objectKey": digest + ".json",
                "region": REGION,
                "assumeRoleArn": role("file-publishing", roles or "hnb659fds")}}}}, "dockerImages": {}}))
        artifacts[f"{name}.assets"] = {"type": "cdk:asset-manifest", "properties": {
            "file": f"{name}.assets.json", "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}}
        artifacts[name] = {
            "type": "aws:cloudformation:stack", "environment": f"aws://{ACCOUNT}/{REGION}",
            "properties": {"templateFile": f"{name}.template.json", "validateOnSynth": False,
                           "stackTemplateAssetObjectUrl": f"s3://{BUCKET}/{digest}.json",
                           "requiresBootstrapStackVersion": 6,
                           "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"},
            "dependencies": [*dependencies.get(name, []), f"{name}.assets"], "displayName": name}
        if roles:
            artifacts[name]["properties"].update(assumeRoleArn=role("deploy", roles),
                                                 cloudFormationExecutionRoleArn=role("cfn-exec", roles),
                                                 lookupRole={"arn": role("lookup", roles)})
    (folder / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}, indent=1))
    return folder


class ExportRemovalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if LEAFSYNTH is None or not LEAFSYNTH.is_file():
            raise AssertionError(f"the leafsynth CLI is missing: {LEAFSYNTH}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-deploy-exports-")
        cls.addClassCleanup(cls.tmp.cleanup)
        root = Path(cls.tmp.name)
        (root / "home").mkdir()
        cls.root = root
        cls.v1 = write_assembly(root / "v1", {"Producer": producer(True), "Consumer": consumer(True)},
                                {"Consumer": ["Producer"]})
        cls.v2 = write_assembly(root / "v2", {"Producer": producer(False), "Consumer": consumer(False)}, {})
        cls.moto = MotoServer(log_path=root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        boot = cls.run_cli("bootstrap", f"aws://{ACCOUNT}/{REGION}")
        if boot.returncode != 0:
            raise AssertionError(boot.stdout + boot.stderr)

    @classmethod
    def run_cli(cls, *args):
        env = cli_env(cls.root / "home", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                          "AWS_REGION": REGION, "AWS_ENDPOINT_URL": cls.moto.endpoint})
        return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=300, env=env,
                              stdin=subprocess.DEVNULL, cwd=cls.root)

    def deploy(self, assembly, *extra):
        run = self.run_cli("deploy", "--app", assembly, "--require-approval", "never", "--progress", "quiet", *extra)
        self.assertEqual(run.returncode, 0, run.stdout[-5000:] + run.stderr + self.moto.log_text()[-3000:])
        return run

    def exports(self):
        cf = boto3_client("cloudformation", self.moto.endpoint)
        return {e["Name"]: e["Value"] for e in cf.list_exports().get("Exports", [])}

    def test_1_the_first_version(self):
        self.deploy(self.v1)
        self.assertIn(EXPORT, self.exports())
        type(self).topic = self.exports()[EXPORT]

    def test_2_an_export_still_imported_is_kept(self):
        # What plain CloudFormation order does: Producer's new template first, refused (rolled back).
        cf = boto3_client("cloudformation", self.moto.endpoint)
        cf.update_stack(StackName="Producer", TemplateBody=json.dumps(producer(False)))
        for _ in range(100):
            status = cf.describe_stacks(StackName="Producer")["Stacks"][0]["StackStatus"]
            if not status.endswith("_IN_PROGRESS"):
                break
            time.sleep(0.1)
        self.assertEqual(status, "UPDATE_ROLLBACK_COMPLETE")
        events = cf.describe_stack_events(StackName="Producer")["StackEvents"]
        self.assertTrue(any("in use by Consumer" in (e.get("ResourceStatusReason") or "") for e in events))

        run = self.deploy(self.v2, "--stack", "Producer", "--exclusively")
        self.assertIn(f"note: Producer: keeping its export {EXPORT} for one more deployment: Consumer still imports it",
                      run.stdout)
        self.assertEqual(self.exports().get(EXPORT), self.topic)

    def test_3_the_importer_is_updated_first(self):
        run = self.deploy(self.v2)
        self.assertIn(f"note: Producer: its export {EXPORT} goes once Consumer no longer imports it: Consumer is "
                      "updated first", run.stdout)
        order = [line.split(" (")[0] for line in run.stdout.splitlines() if line.endswith("): deploying")]
        self.assertEqual(order, ["Consumer", "Producer"])
        self.assertNotIn(EXPORT, self.exports())
        ssm = boto3_client("ssm", self.moto.endpoint)
        self.assertEqual(ssm.get_parameter(Name="/test/consumer/topic")["Parameter"]["Value"], "no topic")


    def test_4_parameters_given_kept_and_missing(self):
        sized = {"Parameters": {"Size": {"Type": "String"}, "Mode": {"Type": "String", "Default": "fast"}},
                 "Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
                     "Name": "/test/sized", "Type": "String", "Value": {"Fn::Sub": "${Size}-${Mode}"}}}}}
        app = write_assembly(self.root / "sized", {"Sized": sized}, {})
        run = self.run_cli("deploy", "--app", app, "--require-approval", "never", "--progress", "quiet")
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertIn("the template's parameter Size has no default and no value; give one with --parameters "
                      "Sized:Size=VALUE", run.stdout)
        self.deploy(app, "--parameters", "Sized:Size=3")
        ssm = boto3_client("ssm", self.moto.endpoint)
        self.assertEqual(ssm.get_parameter(Name="/test/sized")["Parameter"]["Value"], "3-fast")
        # Deployed again without it: the deployed value is kept (UsePreviousValue); a new one for all stacks.
        again = self.deploy(app)
        self.assertIn("Sized (us-east-1): unchanged", again.stdout)
        # (Checked on the stack's parameters: moto does not re-render a resource on a parameter-only update.)
        self.deploy(app, "--parameters", "Mode=slow")
        cf = boto3_client("cloudformation", self.moto.endpoint)
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cf.describe_stacks(StackName="Sized")["Stacks"][0]["Parameters"]}
        self.assertEqual(params, {"Size": "3", "Mode": "slow"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
