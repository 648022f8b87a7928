"""End-to-end tests of `leafsynth destroy` against moto.

usage: test_destroy_native.py LEAFSYNTH SOURCE_DIR [unittest options]

ContainerManagerDestroyTest (one moto_server with the moto_compat fixes, tests in order, each on the
state the previous one left): the ContainerManager example app (minecraft, valheim, echo-server; the base config of
test_deploy_containermanager.py) bootstrapped and deployed by leafsynth in us-east-1, account 123456789012. Then:
  1. destroy without a terminal and without --force: exit 1, the listing names every stack, the
     Base stack kept (termination protection, which deploy turned on), the EFS file systems of the
     KeepOnDelete volumes (minecraft's, one of valheim's: DeletionPolicy RetainExceptOnCreate)
     listed as retained with their physical ids; nothing deleted;
  2. on a terminal, "n": the question is asked, exit 1, nothing deleted;
  3. one container (--stack 'ContainerManager-Valheim-*' --force): its three stacks deleted, its
     LinkTogether stack before the stacks it depends on, its retained file system listed at the
     end; Base and the other containers untouched;
  4. the whole app (--force): every stack but Base deleted (Base kept, said so), minecraft's retained
     file system listed at the end with its id; both retained file systems still there in moto;
  5. Base named (--stack ContainerManager-BaseStack --force): termination protection lifted, deleted;
  6. again: every stack already gone, "Nothing to delete.", exit 0.
DeleteFailureTest (a moto of its own; a CDK-format assembly written here): Store (an S3 bucket, an
SSM parameter with DeletionPolicy RetainExceptOnCreate, the bucket's name exported) and User (an SSM
parameter importing it):
  1. Store alone (--exclusively): the listing warns that User imports its export; the deletion ends
     DELETE_FAILED naming the export and User, exit 2;
  2. both, with an object in the bucket: User deleted first, then Store DELETE_FAILED naming the
     bucket and "not empty", exit 2;
  3. the bucket emptied: Store deleted on the next run; the retained parameter is listed with its
     name and still exists.
The CLI runs with a controlled environment (fake credentials, no proxies, an empty HOME). A missing
binary, source tree or moto_server is a failure.
"""
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
from moto_harness import MotoServer  # noqa: E402
from test_deploy_containermanager import (ACCOUNT, BASE, REGION, check_prerequisites, copy_app_configs,  # noqa: E402
                                          expected_stack_order)
from test_deploy_exports import write_assembly  # noqa: E402
from test_diff_deployed import boto3_client, cli_env  # noqa: E402

TOP_LEVEL = expected_stack_order()
VALHEIM = [s for s in TOP_LEVEL if s.startswith("ContainerManager-Valheim-")]


def existing_stacks(endpoint, nested=False):
    """{name: description} of every top-level stack (with `nested`, every stack) that exists."""
    out = {}
    for page in boto3_client("cloudformation", endpoint).get_paginator("describe_stacks").paginate():
        for s in page["Stacks"]:
            if nested or "NestedStack-" not in s["StackName"]:
                out[s["StackName"]] = s
    return out


def table(stdout):
    """{stack: result} from the final table."""
    out = {}
    for line in stdout[stdout.rindex("\nStack "):].splitlines()[2:]:
        if not line:
            break  # the retained resources follow
        parts = line.split()
        if len(parts) >= 3 and not line.startswith(" "):
            out[parts[0]] = parts[2]
    return out


class Cli:
    """Runs the CLI against one moto with fake credentials."""

    def __init__(self, root, moto):
        self.root, self.moto = root, moto

    def env(self):
        return cli_env(self.root / "home", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                            "AWS_REGION": REGION, "AWS_ENDPOINT_URL": self.moto.endpoint})

    def run(self, *args, timeout=900):
        return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              env=self.env(), stdin=subprocess.DEVNULL, cwd=self.root)


class ContainerManagerDestroyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        examples = check_prerequisites(LEAFSYNTH, SOURCE_DIR)
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-destroy-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.root = Path(cls.tmp.name)
        cls.app = copy_app_configs(examples, cls.root)
        cls.moto = MotoServer(log_path=cls.root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        cls.cli = Cli(cls.root, cls.moto)
        for args in (["bootstrap", *cls.app_args()[:-2]],
                     ["deploy", *cls.app_args(), "--require-approval", "never", "--progress", "quiet"]):
            run = cls.cli.run(*args)
            if run.returncode != 0:
                raise AssertionError(" ".join(args[:1]) + " failed:\n" + run.stdout[-4000:] + run.stderr)

    @classmethod
    def app_args(cls):
        return [*cls.app["leaves"], "--base", cls.app["base"], "--region", REGION, "--account", ACCOUNT,
                "-o", cls.root / "out"]

    def check(self, run, code):
        self.assertEqual(run.returncode, code, run.stdout[-6000:] + "\n--- stderr\n" + run.stderr[-3000:] +
                         "\n--- moto\n" + self.moto.log_text()[-2000:])

    def retained_resources(self):
        """{leaf stack: [physical ids]} of the resources whose deployed DeletionPolicy keeps them (the
        EFS file systems of KeepOnDelete volumes), read from moto: nested templates and resources."""
        import json
        cfn = boto3_client("cloudformation", self.moto.endpoint)
        found = {}
        for name, stack in existing_stacks(self.moto.endpoint).items():
            if not name.endswith("-Stack"):
                continue
            for r in cfn.list_stack_resources(StackName=stack["StackId"])["StackResourceSummaries"]:
                if r["ResourceType"] != "AWS::CloudFormation::Stack":
                    continue
                nested = r["PhysicalResourceId"]
                body = cfn.get_template(StackName=nested)["TemplateBody"]
                resources = (json.loads(body) if isinstance(body, str) else body)["Resources"]
                for n in cfn.list_stack_resources(StackName=nested)["StackResourceSummaries"]:
                    if not n["LogicalResourceId"]:
                        continue  # moto lists a resource it has no model for without a logical id
                    policy = resources[n["LogicalResourceId"]].get("DeletionPolicy", "Delete")
                    if policy in ("Retain", "RetainExceptOnCreate"):
                        self.assertEqual(n["ResourceType"], "AWS::EFS::FileSystem")
                        found.setdefault(name, []).append(n["PhysicalResourceId"])
        return found

    def test_1_refused_without_a_terminal(self):
        self.assertTrue(existing_stacks(self.moto.endpoint)[BASE]["EnableTerminationProtection"])
        kept = self.retained_resources()
        # minecraft's volume and one of valheim's are KeepOnDelete (examples/containermanager)
        self.assertEqual(sorted(kept), ["ContainerManager-Minecraft-Stack", "ContainerManager-Valheim-Stack"])
        self.assertEqual([len(v) for v in kept.values()], [1, 1])
        type(self).kept = kept
        run = self.cli.run("destroy", *self.app_args())
        self.check(run, 1)
        for name in TOP_LEVEL:
            self.assertIn(f"  {name} ({REGION}): ", run.stdout)
        self.assertIn(f"  {BASE} ({REGION}): kept: termination protection is on (name it with --stack {BASE}", run.stdout)
        retain = [line for line in run.stdout.splitlines() if line.strip().startswith("retain ")]
        self.assertEqual(len(retain), 2, run.stdout)
        for fs_id in (kept["ContainerManager-Minecraft-Stack"][0], kept["ContainerManager-Valheim-Stack"][0]):
            line = next((line for line in retain if fs_id in line), f"(no retain line with {fs_id})")
            self.assertIn("AWS::EFS::FileSystem", line)
            self.assertIn(fs_id, line)
            self.assertIn("VolumesNestedStack/", line)
            self.assertIn("DeletionPolicy RetainExceptOnCreate", line)
        self.assertIn("confirmation needed and there is no terminal to ask on: nothing was deleted", run.stdout)
        self.assertIn("--force", run.stdout)
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit", *TOP_LEVEL})

    def test_2_not_confirmed_on_a_terminal(self):
        code, out = run_on_terminal([LEAFSYNTH, "destroy", *self.app_args()], self.cli.env(), self.root, answer="n")
        self.assertEqual(code, 1, out[-4000:])
        self.assertRegex(out, r"Delete 9 stacks and \d+ resources \(2 retained\)\? \[y/N\] ")
        self.assertIn("Not confirmed: nothing was deleted.", out)
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit", *TOP_LEVEL})

    def test_3_one_container(self):
        run = self.cli.run("destroy", *self.app_args(), "--stack", "ContainerManager-Valheim-*", "--force")
        self.check(run, 0)
        self.assertEqual(table(run.stdout), {name: "deleted" for name in VALHEIM})
        lines = run.stdout.splitlines()
        link_done = next(i for i, line in enumerate(lines) if line.startswith(f"{VALHEIM[2]} ({REGION}): deleted"))
        for dependency in VALHEIM[:2]:  # the LinkTogether stack depends on the leaf and domain stacks
            start = next(i for i, line in enumerate(lines) if line.startswith(f"{dependency}: deleting"))
            self.assertLess(link_done, start, run.stdout)
        self.assertEqual(set(existing_stacks(self.moto.endpoint)),
                         {"CDKToolkit", *[s for s in TOP_LEVEL if s not in VALHEIM]})
        retained = run.stdout[run.stdout.index("\nRetained, not deleted"):]
        self.assertIn(self.kept["ContainerManager-Valheim-Stack"][0], retained)
        self.assertNotIn(self.kept["ContainerManager-Minecraft-Stack"][0], retained)

    def test_4_whole_app_keeps_base(self):
        run = self.cli.run("destroy", *self.app_args(), "--force")
        self.check(run, 0)
        results = table(run.stdout)
        self.assertEqual(results[BASE], "kept")
        for name in VALHEIM:
            self.assertEqual(results[name], "gone")
        for name in TOP_LEVEL:
            if name != BASE and name not in VALHEIM:
                self.assertEqual(results[name], "deleted", name)
        retained = run.stdout[run.stdout.index("\nRetained, not deleted"):]
        minecraft_fs = self.kept["ContainerManager-Minecraft-Stack"][0]
        self.assertIn(minecraft_fs, retained)
        self.assertIn("AWS::EFS::FileSystem", retained)
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit", BASE})
        efs = boto3_client("efs", self.moto.endpoint)
        left = [f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]]
        self.assertIn(minecraft_fs, left)
        self.assertIn(self.kept["ContainerManager-Valheim-Stack"][0], left)

    def test_5_base_when_named(self):
        run = self.cli.run("destroy", *self.app_args(), "--stack", BASE, "--force")
        self.check(run, 0)
        self.assertIn("termination protection is lifted first (named with --stack)", run.stdout)
        self.assertIn(f"{BASE} ({REGION}): termination protection lifted", run.stdout)
        self.assertEqual(table(run.stdout)[BASE], "deleted")
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit"})

    def test_6_already_gone(self):
        run = self.cli.run("destroy", *self.app_args(), "--force")
        self.check(run, 0)
        for name in TOP_LEVEL:
            self.assertIn(f"  {name} ({REGION}): not deployed: already gone", run.stdout)
        self.assertIn("Nothing to delete.", run.stdout)


def store_template():
    return {"Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "leafsynth-destroy-test-bucket"}},
        "Marker": {"Type": "AWS::SSM::Parameter", "DeletionPolicy": "RetainExceptOnCreate",
                   "Properties": {"Name": "/test/store/marker", "Type": "String", "Value": "kept"}}},
        "Outputs": {"BucketName": {"Value": {"Ref": "Bucket"}, "Export": {"Name": "Store:BucketName"}}}}


def user_template():
    return {"Resources": {"Param": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/test/user/bucket", "Type": "String", "Value": {"Fn::ImportValue": "Store:BucketName"}}}}}


class DeleteFailureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if LEAFSYNTH is None or not LEAFSYNTH.is_file():
            raise AssertionError(f"the leafsynth CLI is missing: {LEAFSYNTH}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-destroy-failure-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.root = Path(cls.tmp.name)
        (cls.root / "home").mkdir()
        cls.assembly = write_assembly(cls.root / "app", {"Store": store_template(), "User": user_template()},
                                      {"User": ["Store"]})
        cls.moto = MotoServer(log_path=cls.root / "moto.log")
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        cls.cli = Cli(cls.root, cls.moto)
        for args in (["bootstrap", f"aws://{ACCOUNT}/{REGION}"],
                     ["deploy", "--app", cls.assembly, "--require-approval", "never", "--progress", "quiet"]):
            run = cls.cli.run(*args, timeout=300)
            if run.returncode != 0:
                raise AssertionError(run.stdout[-4000:] + run.stderr)

    def check(self, run, code):
        self.assertEqual(run.returncode, code, run.stdout[-6000:] + "\n--- stderr\n" + run.stderr[-3000:] +
                         "\n--- moto\n" + self.moto.log_text()[-2000:])

    def test_1_export_still_imported(self):
        run = self.cli.run("destroy", "--app", self.assembly, "--stack", "Store", "--exclusively", "--force")
        self.check(run, 2)
        self.assertIn("warning: stack Store exports Store:BucketName, which stack User imports and keeps", run.stdout)
        self.assertEqual(table(run.stdout), {"Store": "failed"})
        self.assertIn("DELETE_FAILED: Export Store:BucketName cannot be deleted as it is in use by User", run.stdout)
        self.assertEqual(existing_stacks(self.moto.endpoint)["Store"]["StackStatus"], "DELETE_FAILED")

    def test_2_bucket_not_empty(self):
        boto3_client("s3", self.moto.endpoint).put_object(Bucket="leafsynth-destroy-test-bucket", Key="save.dat",
                                                          Body=b"world")
        run = self.cli.run("destroy", "--app", self.assembly, "--force", "--concurrency", "2")
        self.check(run, 2)
        self.assertEqual(table(run.stdout), {"User": "deleted", "Store": "failed"})
        self.assertIn("AWS::S3::Bucket Bucket DELETE_FAILED: The bucket you tried to delete is not empty", run.stdout)
        self.assertNotIn("Retained, not deleted", run.stdout)  # Store is still there, retained nothing yet
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit", "Store"})

    def test_3_emptied_then_deleted_and_retained_listed(self):
        s3 = boto3_client("s3", self.moto.endpoint)
        s3.delete_object(Bucket="leafsynth-destroy-test-bucket", Key="save.dat")
        run = self.cli.run("destroy", "--app", self.assembly, "--force")
        self.check(run, 0)
        self.assertEqual(table(run.stdout), {"User": "gone", "Store": "deleted"})
        self.assertIn("retain    AWS::SSM::Parameter", run.stdout)
        retained = run.stdout[run.stdout.index("\nRetained, not deleted"):]
        self.assertIn("/test/store/marker", retained)
        self.assertIn("DeletionPolicy RetainExceptOnCreate", retained)
        self.assertEqual(set(existing_stacks(self.moto.endpoint)), {"CDKToolkit"})
        ssm = boto3_client("ssm", self.moto.endpoint)
        self.assertEqual(ssm.get_parameter(Name="/test/store/marker")["Parameter"]["Value"], "kept")
        self.assertEqual([b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("leafsynth-destroy")],
                         [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
