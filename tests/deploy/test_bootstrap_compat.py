"""The bootstrap contract both ways, against moto: an environment bootstrapped by `cdk bootstrap` serves
`leafsynth deploy`, and one bootstrapped by `leafsynth bootstrap` is upgraded in place by
`cdk bootstrap`'s template.

usage: test_bootstrap_compat.py LEAFSYNTH SOURCE_DIR [unittest options]

cdk bootstrap's template is the one of the aws-cdk that cmake/setup.sh installs (pinned, in
SOURCE_DIR/.tools/node; missing = failure). It is deployed as `cdk bootstrap` deploys it: a change
set on the CDKToolkit stack (parameter CloudFormationExecutionPolicies = AdministratorAccess).
  * CdkFirst: the CDK template creates CDKToolkit (version 33 in aws-cdk 2.1148.1); `leafsynth
    bootstrap` leaves it as it is and says so; `leafsynth deploy` of the example app (Minecraft, in
    us-east-1, the base config of test_deploy_containermanager.py) creates every stack, its assets
    in CDK's bucket.
  * LeafsynthFirst: `leafsynth bootstrap`, an object in the bucket; CDK's template as an update of
    CDKToolkit: every resource leafsynth created is modified in place (no Remove, no replacement),
    the bucket keeps its name and the object, the version becomes CDK's.
"""
import json
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LEAFSYNTH = SOURCE_DIR = None
if len(sys.argv) > 2 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()

from moto_harness import MotoServer  # noqa: E402
from test_deploy_containermanager import ACCOUNT, copy_app_configs  # noqa: E402
from test_diff_deployed import boto3_client, cli_env  # noqa: E402

REGION = "us-east-1"
ENV = f"aws://{ACCOUNT}/{REGION}"
BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"


def cdk_template():
    path = (SOURCE_DIR or Path("/nonexistent")) / ".tools/node/node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"
    if not path.is_file():
        raise AssertionError(f"{path} is missing: run 'bash cmake/setup.sh' (it installs the AWS CDK CLI)")
    return path.read_text()


class Moto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if LEAFSYNTH is None or not LEAFSYNTH.is_file():
            raise AssertionError(f"the leafsynth CLI is missing: {LEAFSYNTH}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-bootstrap-compat-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.root = Path(cls.tmp.name)
        cls.app = copy_app_configs(SOURCE_DIR / "examples" / "containermanager", cls.root)
        cls.moto = MotoServer(log_path=cls.root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        cls.cf = boto3_client("cloudformation", cls.moto.endpoint)

    @classmethod
    def run_cli(cls, *args):
        env = cli_env(cls.app["home"], {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                        "AWS_REGION": REGION, "AWS_ENDPOINT_URL": cls.moto.endpoint})
        return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=600,
                              env=env, stdin=subprocess.DEVNULL, cwd=cls.root)

    def cdk_bootstrap(self, change_set_type):
        """CDK's template on CDKToolkit through a change set, as `cdk bootstrap` does; its changes."""
        cs = self.cf.create_change_set(
            StackName="CDKToolkit", ChangeSetName="cdk-deploy-change-set", ChangeSetType=change_set_type,
            TemplateBody=cdk_template(), Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            Parameters=[{"ParameterKey": "CloudFormationExecutionPolicies",
                         "ParameterValue": "arn:aws:iam::aws:policy/AdministratorAccess"}])
        d = self.wait(lambda: self.cf.describe_change_set(ChangeSetName=cs["Id"]), "Status")
        self.assertEqual(d["Status"], "CREATE_COMPLETE", d.get("StatusReason"))
        self.cf.execute_change_set(ChangeSetName=cs["Id"])
        stack = self.wait(lambda: self.cf.describe_stacks(StackName="CDKToolkit")["Stacks"][0], "StackStatus")
        self.assertEqual(stack["StackStatus"], f"{change_set_type}_COMPLETE", stack.get("StackStatusReason"))
        return [c["ResourceChange"] for c in d["Changes"]], stack

    @staticmethod
    def wait(read, key):
        for _ in range(200):
            value = read()
            if not value[key].endswith("_IN_PROGRESS") and not value[key].endswith("_PENDING"):
                return value
            time.sleep(0.1)
        raise AssertionError(f"still {value[key]}")

    def physical_ids(self):
        return {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in self.cf.list_stack_resources(StackName="CDKToolkit")["StackResourceSummaries"]}


class CdkFirst(Moto):
    def test_an_environment_bootstrapped_by_cdk_serves_leafsynth_deploy(self):
        _, stack = self.cdk_bootstrap("CREATE")
        version = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}["BootstrapVersion"]
        self.assertGreater(int(version), 6)
        boot = self.run_cli("bootstrap", ENV)
        self.assertEqual(boot.returncode, 0, boot.stdout + boot.stderr)
        self.assertIn(f"{ENV}: already bootstrapped with version {version} (newer than leafsynth's 6): left as it is",
                      boot.stdout)
        minecraft = self.app["configs"] / "minecraft.yaml"
        run = self.run_cli("deploy", minecraft, "--base", self.app["base"], "--region", REGION, "--account", ACCOUNT,
                           "-o", self.root / "out", "--require-approval", "never", "--progress", "quiet")
        self.assertEqual(run.returncode, 0, run.stdout[-5000:] + run.stderr + self.moto.log_text()[-3000:])
        table = run.stdout[run.stdout.rindex("\nStack "):].splitlines()[2:]
        results = [line.split()[2] for line in table if line and not line.startswith(" ") and len(line.split()) == 4]
        self.assertEqual(results, ["created"] * 4)
        manifest = json.loads((self.root / "out" / "manifest.json").read_text())
        url = manifest["artifacts"]["ContainerManager-BaseStack"]["properties"]["stackTemplateAssetObjectUrl"]
        key = url.split("/", 3)[3]
        s3 = boto3_client("s3", self.moto.endpoint)
        self.assertGreater(s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"], 0)


class LeafsynthFirst(Moto):
    def test_cdk_bootstrap_upgrades_a_leafsynth_bootstrap_in_place(self):
        boot = self.run_cli("bootstrap", ENV)
        self.assertEqual(boot.returncode, 0, boot.stdout + boot.stderr)
        before = self.physical_ids()
        s3 = boto3_client("s3", self.moto.endpoint)
        s3.put_object(Bucket=BUCKET, Key="an-asset.json", Body=b"{}")
        changes, stack = self.cdk_bootstrap("UPDATE")
        actions = {c["LogicalResourceId"]: (c["Action"], c.get("Replacement")) for c in changes}
        for logical_id in before:
            self.assertEqual(actions.get(logical_id, ("Modify", None))[0], "Modify", logical_id)
            self.assertNotEqual(actions.get(logical_id, (None, None))[1], "True", logical_id)
        self.assertNotIn("Remove", {a for a, _ in actions.values()})
        after = self.physical_ids()
        self.assertEqual(after["StagingBucket"], BUCKET)
        self.assertEqual(before["StagingBucket"], BUCKET)
        self.assertEqual(s3.head_object(Bucket=BUCKET, Key="an-asset.json")["ContentLength"], 2)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        self.assertGreater(int(outputs["BootstrapVersion"]), 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
