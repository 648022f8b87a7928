#!/usr/bin/env python3
"""End-to-end deployment of the multi-region example's cloud assembly to moto, with the deployer
deploy_assembly.py (which drives the real `aws` CLI), plus tests of the deployer itself.

usage: test_deploy_moto.py MULTI_REGION_EXAMPLE [unittest options]

MULTI_REGION_EXAMPLE is the built example binary; it is run as `MULTI_REGION_EXAMPLE OUTDIR us-east-1`
(stacks Shared, Edge, Service with nested Storage and Workers, all in us-east-1, account
123456789012). A `moto_server` is started on 127.0.0.1 on a free port (moto_harness.MotoServer,
with the moto_compat fixes; LEAFSYNTH_MOTO_COMPAT=0 runs plain moto) and always stopped. A missing
binary, `moto_server` or `aws` is a failure, never a skip. The moto log goes to the temporary folder
and is printed when the deployment fails.
"""
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import deploy_assembly  # noqa: E402
from deploy_assembly import AwsCli, DeployError  # noqa: E402
from moto_harness import MotoServer  # noqa: E402

EXAMPLE = None
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    EXAMPLE = Path(sys.argv.pop(1)).resolve()

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _artifact(deps=(), kind="aws:cloudformation:stack", **props):
    artifact = {"type": kind, "environment": f"aws://{ACCOUNT}/{REGION}", "dependencies": list(deps)}
    artifact["properties"] = props or ({"templateFile": "t.json"} if kind.endswith(":stack") else {"file": "a.json"})
    return artifact


class StackOrderTest(unittest.TestCase):
    """The deployer's pure logic (no server)."""

    def test_order_follows_dependencies_not_manifest_order(self):
        manifest = {"artifacts": {
            "Service": _artifact(["Edge", "Shared", "Service.assets"]),
            "Service.assets": _artifact(kind="cdk:asset-manifest"),
            "Edge": _artifact(["Shared"]),
            "Other": _artifact(),
            "Shared": _artifact(),
        }}
        self.assertEqual(deploy_assembly.stack_order(manifest), ["Shared", "Edge", "Service", "Other"])
        stacks = deploy_assembly.stack_artifacts(manifest)
        self.assertEqual(stacks["Service"].asset_manifests, ["Service.assets"])
        self.assertEqual(stacks["Service"].dependencies, ["Edge", "Shared"])

    def test_cycle_is_an_error(self):
        manifest = {"artifacts": {"A": _artifact(["C"]), "B": _artifact(["A"]), "C": _artifact(["B"])}}
        with self.assertRaises(DeployError) as caught:
            deploy_assembly.stack_order(manifest)
        self.assertIn("dependency cycle between stacks: A -> C -> B -> A", str(caught.exception))

    def test_unknown_dependency_is_an_error(self):
        with self.assertRaisesRegex(DeployError, "depends on unknown artifact 'Nope'"):
            deploy_assembly.stack_order({"artifacts": {"A": _artifact(["Nope"])}})

    def test_placeholders_and_template_urls(self):
        self.assertEqual(deploy_assembly.substitute(
            "cdk-${AWS::AccountId}-${AWS::Region}-${AWS::Partition}", "111122223333", "cn-north-1"),
            "cdk-111122223333-cn-north-1-aws-cn")
        self.assertEqual(deploy_assembly.template_url("http://127.0.0.1:5123", "b", "k.json", "eu-west-1"),
                         "http://localhost:5123/b/k.json")
        self.assertEqual(deploy_assembly.template_url("http://moto:5000", "b", "k.json", "eu-west-1"),
                         "https://s3.eu-west-1.amazonaws.com/b/k.json")


class _FakeCli:
    """Stands in for AwsCli: describe-stacks answers the given statuses in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)

    def run(self, service, operation, *args, region, check=True):
        if operation == "describe-stacks":
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            return 0, {"Stacks": [{"StackStatus": status, "StackStatusReason": "because"}]}, ""
        if operation == "describe-stack-events":
            return 0, {"StackEvents": [{"LogicalResourceId": "Queue", "ResourceType": "AWS::SQS::Queue",
                                        "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "boom"}]}, ""
        raise AssertionError(f"unexpected call {operation}")


class WaitForStackTest(unittest.TestCase):
    def test_complete_after_in_progress(self):
        cli = _FakeCli(["CREATE_IN_PROGRESS", "CREATE_COMPLETE"])
        self.assertEqual(deploy_assembly.wait_for_stack(cli, "S", REGION, 5, 0.01)["StackStatus"], "CREATE_COMPLETE")

    def test_rollback_fails_with_the_events(self):
        cli = _FakeCli(["CREATE_IN_PROGRESS", "ROLLBACK_COMPLETE"])
        with self.assertRaises(DeployError) as caught:
            deploy_assembly.wait_for_stack(cli, "S", REGION, 5, 0.01)
        self.assertIn("stack S (us-east-1) reached ROLLBACK_COMPLETE because", str(caught.exception))
        self.assertIn("Queue AWS::SQS::Queue CREATE_FAILED boom", str(caught.exception))

    def test_create_failed_fails(self):
        with self.assertRaisesRegex(DeployError, "reached CREATE_FAILED"):
            deploy_assembly.wait_for_stack(_FakeCli(["CREATE_FAILED"]), "S", REGION, 5, 0.01)

    def test_wait_is_bounded(self):
        with self.assertRaisesRegex(DeployError, r"not CREATE_COMPLETE after 0.2 s \(last status: CREATE_IN_PROGRESS\)"):
            deploy_assembly.wait_for_stack(_FakeCli(["CREATE_IN_PROGRESS"]), "S", REGION, 0.2, 0.05)


def _write_assembly(folder: Path, stack: str, template: dict, region: str, bucket: str) -> Path:
    """A one-stack assembly like leafsynth's, with placeholders in the asset destination."""
    folder.mkdir(parents=True)
    body = json.dumps(template, indent=1).encode()
    digest = hashlib.sha256(body).hexdigest()
    (folder / f"{stack}.template.json").write_bytes(body)
    (folder / f"{stack}.assets.json").write_text(json.dumps({"version": "55.0.0", "dockerImages": {}, "files": {
        digest: {"source": {"path": f"{stack}.template.json", "packaging": "file"},
                 "destinations": {"d": {"bucketName": bucket, "objectKey": f"{digest}.json",
                                        "region": "${AWS::Region}"}}}}}))
    (folder / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": {
        f"{stack}.assets": {"type": "cdk:asset-manifest", "properties": {"file": f"{stack}.assets.json"}},
        stack: {"type": "aws:cloudformation:stack", "environment": f"aws://{ACCOUNT}/{region}",
                "properties": {"templateFile": f"{stack}.template.json",
                               "stackTemplateAssetObjectUrl": f"s3://{bucket}/{digest}.json"},
                "dependencies": [f"{stack}.assets"]}}}))
    return folder


class MultiRegionDeployTest(unittest.TestCase):
    """Deploys the example once (setUpClass) and checks what moto then holds."""

    @classmethod
    def setUpClass(cls):
        if EXAMPLE is None or not EXAMPLE.is_file():
            raise AssertionError(f"multi_region_example binary not given or missing: {EXAMPLE}")
        if not shutil.which("aws"):
            raise AssertionError("the AWS CLI ('aws') is not on PATH")
        if not shutil.which("moto_server"):
            raise AssertionError("moto_server is not on PATH (install moto[server]; see cmake/setup.sh)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-deploy-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.dir = Path(cls.tmp.name)
        cls.assembly = cls.dir / "assembly"
        subprocess.run([str(EXAMPLE), str(cls.assembly), REGION], check=True, timeout=120)
        cls.manifest = json.loads((cls.assembly / "manifest.json").read_text())

        cls.moto = MotoServer(log_path=cls.dir / "moto.log")
        cls.addClassCleanup(cls.moto.stop)  # runs even when the deployment below fails
        cls.moto.start()
        cls.cli = AwsCli(cls.moto.endpoint)
        cls.lines = []
        try:
            cls.results = deploy_assembly.deploy(cls.assembly, cls.moto.endpoint, ACCOUNT, timeout=120,
                                                 log=cls.lines.append)
        except DeployError as e:
            raise AssertionError(f"deployment failed: {e}\n--- moto log (tail) ---\n"
                                 f"{cls.moto.log_text()[-6000:]}") from e
        finally:
            print("\n".join(cls.lines), file=sys.stderr)

    # --- helpers ---------------------------------------------------------------------------------

    def aws(self, service, operation, *args):
        return self.cli.json(service, operation, *args, region=REGION)

    def resources(self, stack):
        out = self.aws("cloudformation", "describe-stack-resources", "--stack-name", stack)
        return {r["LogicalResourceId"]: r for r in out["StackResources"]}

    def physical(self, stack, logical_id):
        resource = self.resources(stack)[logical_id]
        self.assertEqual(resource["ResourceStatus"], "CREATE_COMPLETE", f"{stack}/{logical_id}")
        return resource["PhysicalResourceId"]

    def parameter_values(self, *names):
        out = self.aws("ssm", "get-parameters", "--names", *names)
        self.assertEqual(out.get("InvalidParameters", []), [])
        return {p["Name"]: p["Value"] for p in out["Parameters"]}

    def nested(self):
        resources = self.resources("Service")
        return {logical: r["PhysicalResourceId"] for logical, r in resources.items()
                if r["ResourceType"] == "AWS::CloudFormation::Stack"}

    # --- tests -----------------------------------------------------------------------------------

    def test_stacks_complete_in_dependency_order(self):
        self.assertEqual(self.results, [("Shared", "CREATE_COMPLETE"), ("Edge", "CREATE_COMPLETE"),
                                        ("Service", "CREATE_COMPLETE")])
        order = [name for name, _ in self.results]
        artifacts = self.manifest["artifacts"]
        for name in order:  # whatever the manifest says, every dependency was created before
            for dep in artifacts[name].get("dependencies", []):
                if artifacts[dep]["type"] == "aws:cloudformation:stack":
                    self.assertLess(order.index(dep), order.index(name), f"{dep} before {name}")
        stacks = {s["StackName"]: s for s in self.aws("cloudformation", "describe-stacks")["Stacks"]}
        for name in order:
            self.assertEqual(stacks[name]["StackStatus"], "CREATE_COMPLETE")
            self.assertIn(f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/", stacks[name]["StackId"])
        times = [stacks[name]["CreationTime"] for name in order]
        self.assertEqual(times, sorted(times), "CreationTime follows the deploy order")
        self.assertEqual([line.split(":")[0] for line in self.lines if not line.startswith(" ")], order)

    def test_assets_uploaded_unchanged(self):
        bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
        objects = {o["Key"]: o for o in self.aws("s3api", "list-objects-v2", "--bucket", bucket)["Contents"]}
        expected = 0
        for artifact in self.manifest["artifacts"].values():
            if artifact["type"] != "cdk:asset-manifest":
                continue
            assets = json.loads((self.assembly / artifact["properties"]["file"]).read_text())
            for asset in assets["files"].values():
                body = (self.assembly / asset["source"]["path"]).read_bytes()
                for dest in asset["destinations"].values():
                    self.assertEqual(dest["bucketName"], bucket)
                    obj = objects.get(dest["objectKey"])
                    self.assertIsNotNone(obj, f"{asset['source']['path']} not uploaded to {dest['objectKey']}")
                    self.assertEqual(obj["Size"], len(body))
                    self.assertEqual(obj["ETag"].strip('"'), hashlib.md5(body).hexdigest())
                    expected += 1
        self.assertEqual(expected, 5, "3 stack templates + 2 nested templates")

    def test_nested_stacks_exist_as_stacks(self):
        nested = self.nested()
        self.assertEqual(sorted(nested), ["StorageNestedStack", "WorkersNestedStack"])
        for logical, physical in nested.items():
            stack = self.aws("cloudformation", "describe-stacks", "--stack-name", physical)["Stacks"][0]
            self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", logical)
            self.assertTrue(any(line.strip().startswith(f"Service/{logical}: CREATE_COMPLETE") for line in self.lines))
        self.assertEqual(self.resources(nested["StorageNestedStack"])["Archive"]["ResourceType"], "AWS::S3::Bucket")
        self.assertEqual(sorted(self.resources(nested["WorkersNestedStack"])),
                         ["AlertsTopic", "ArchiveBucketName", "Work"])

    def test_ssm_parameters_hold_the_imported_values(self):
        topic_arn = self.physical("Shared", "Alerts")
        data_bucket = self.physical("Shared", "Data")
        self.assertTrue(topic_arn.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:"), topic_arn)
        exports = {e["Name"]: e["Value"] for e in self.aws("cloudformation", "list-exports")["Exports"]}
        self.assertEqual(exports["Shared:AlertsRef"], topic_arn)
        self.assertEqual(exports["Shared:DataRef"], data_bucket)

        nested = self.nested()
        workers = self.resources(nested["WorkersNestedStack"])
        names = {
            "edge_alerts": self.physical("Edge", "AlertsTopicArn"),
            "data": self.physical("Service", "DataBucketName"),
            "audit": self.physical("Service", "AuditLogGroupArn"),
            "archive": workers["ArchiveBucketName"]["PhysicalResourceId"],
            "workers_alerts": workers["AlertsTopic"]["PhysicalResourceId"],
        }
        values = self.parameter_values(*names.values())
        self.assertEqual(values[names["edge_alerts"]], topic_arn)  # Fn::ImportValue Shared:AlertsRef
        self.assertEqual(values[names["data"]], data_bucket)  # Fn::ImportValue Shared:DataRef
        self.assertEqual(values[names["audit"]], exports["Edge:AuditArn"])  # Edge's log group ARN
        self.assertIn(self.physical("Edge", "Audit"), values[names["audit"]])
        # Nested stack parameters: an output of the sibling nested stack and an import.
        archive_bucket = self.physical(nested["StorageNestedStack"], "Archive")
        self.assertEqual(values[names["archive"]], archive_bucket)
        self.assertEqual(values[names["workers_alerts"]], topic_arn)

    def test_physical_resources_exist(self):
        topic_arn = self.physical("Shared", "Alerts")
        attributes = self.aws("sns", "get-topic-attributes", "--topic-arn", topic_arn)["Attributes"]
        self.assertEqual(attributes["DisplayName"], "alerts")
        buckets = {b["Name"] for b in self.aws("s3api", "list-buckets")["Buckets"]}
        nested = self.nested()
        self.assertIn(self.physical("Shared", "Data"), buckets)
        self.assertIn(self.physical(nested["StorageNestedStack"], "Archive"), buckets)
        log_group = self.physical("Edge", "Audit")
        groups = self.aws("logs", "describe-log-groups", "--log-group-name-prefix", log_group)["logGroups"]
        self.assertEqual([(g["logGroupName"], g.get("retentionInDays")) for g in groups], [(log_group, 7)])
        # The work queue (nested Workers) dead-letters into the parent's Jobs queue (JobsArn parameter).
        jobs_arn = self.aws("sqs", "get-queue-attributes", "--queue-url", self.physical("Service", "Jobs"),
                            "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
        work_url = self.physical(nested["WorkersNestedStack"], "Work")
        redrive = self.aws("sqs", "get-queue-attributes", "--queue-url", work_url,
                           "--attribute-names", "RedrivePolicy")["Attributes"]["RedrivePolicy"]
        self.assertEqual(json.loads(redrive)["deadLetterTargetArn"], jobs_arn)
        # Service's output comes from the Workers nested stack's output (Fn::GetAtt Outputs.WorkRef).
        outputs = self.aws("cloudformation", "describe-stacks", "--stack-name", "Service")["Stacks"][0]["Outputs"]
        self.assertEqual({o["OutputKey"]: o["OutputValue"] for o in outputs}, {"WorkQueueUrl": work_url})

    def test_cli_deploys_to_another_region_and_fails_clearly(self):
        """The CLI entry point, on the same server: a one-stack assembly in us-west-2 (placeholders,
        a bucket with a LocationConstraint) deploys; a stack importing a missing export fails with
        exit 1 and a message naming the stack."""
        script = HERE / "deploy_assembly.py"
        region = "us-west-2"
        ok = _write_assembly(self.dir / "cli-ok", "CliProbe",
                             {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                              "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}},
                             region, "probe-${AWS::AccountId}-${AWS::Region}")
        proc = subprocess.run([sys.executable, str(script), str(ok), "--endpoint", self.moto.endpoint],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout, rf"^CliProbe: CREATE_COMPLETE \({region}, arn:aws:cloudformation:{region}:")
        location = self.cli.json("s3api", "get-bucket-location", "--bucket", f"probe-{ACCOUNT}-{region}",
                                 region=region)
        self.assertEqual(location["LocationConstraint"], region)
        stack = self.cli.json("cloudformation", "describe-stacks", "--stack-name", "CliProbe", region=region)
        self.assertIn("/CliProbe-Queue-", stack["Stacks"][0]["Outputs"][0]["OutputValue"])

        bad = _write_assembly(self.dir / "cli-bad", "CliBroken",
                              {"Resources": {"P": {"Type": "AWS::SNS::Topic",
                                                   "Properties": {"DisplayName": {"Fn::ImportValue": "No:Such"}}}}},
                              REGION, f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}")
        proc = subprocess.run([sys.executable, str(script), str(bad), "--endpoint", self.moto.endpoint],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("deploy_assembly: error: stack CliBroken (us-east-1): create-stack failed:", proc.stderr)
        self.assertIn("No:Such", proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
