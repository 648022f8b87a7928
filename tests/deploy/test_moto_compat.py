#!/usr/bin/env python3
"""Tests of the moto compatibility fixes of moto_compat/moto_cfn_compat.py that `leafsynth deploy`
relies on (change sets, TemplateURL, exports/imports, termination protection, the bootstrap stack,
inline-Python custom resources, the moto-fail test hook, drift detection, stack deletion), against a real `moto_server` on 127.0.0.1 (moto_harness.MotoServer, compat
on) driven with boto3 (fake credentials, endpoint_url = the server). One more server runs with the
fixes off (compat=False, i.e. LEAFSYNTH_MOTO_COMPAT=0) to show that the fixes are what make it work.

usage: test_moto_compat.py [BOOTSTRAP_TEMPLATE] [unittest options]   (label deploy; moto_server missing
= failure). BOOTSTRAP_TEMPLATE is the bootstrap stack's template the deploy_unit tests emit (default
build/emitted-templates/deploy/bootstrap/CDKToolkit.template.json of the source tree); missing = failure.
"""
import json
import os
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from botocore.parsers import ResponseParserError  # noqa: E402

from moto_harness import MotoServer  # noqa: E402

REGION = "us-east-1"
BUCKET = "leafsynth-test-assets"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
BOOTSTRAP = (HERE.parent.parent / "build" / "emitted-templates" / "deploy" / "bootstrap"
             / "CDKToolkit.template.json")
FAIL = "leafsynth:moto-fail"

SERVER: MotoServer | None = None
LOG_DIR = None


def client(server: MotoServer, service: str):
    return boto3.client(service, region_name=REGION, endpoint_url=server.endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, proxies={}))


def setUpModule():
    global SERVER, LOG_DIR
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    LOG_DIR = tempfile.TemporaryDirectory(prefix="leafsynth-moto-compat-")
    SERVER = MotoServer(compat=True, log_path=Path(LOG_DIR.name) / "moto.log").start()
    client(SERVER, "s3").create_bucket(Bucket=BUCKET)


def tearDownModule():
    if SERVER:
        SERVER.stop()
    if LOG_DIR:
        LOG_DIR.cleanup()


def ssm_parameter(name, value, **extra):
    return {"Type": "AWS::SSM::Parameter", "Properties": {"Name": name, "Type": "String", "Value": value},
            **extra}


def output(value, export=None):
    out = {"Value": value}
    if export:
        out["Export"] = {"Name": export}
    return out


class Deployer:
    """Deploys like `leafsynth deploy` / `cdk deploy`: template uploaded to S3, change set created
    from its TemplateURL (path-style on 127.0.0.1), executed, stack polled until it settles."""

    def __init__(self, server: MotoServer):
        self.server = server
        self.cfn = client(server, "cloudformation")
        self.s3 = client(server, "s3")
        self.counter = 0

    def upload(self, template: dict, key: str | None = None) -> str:
        self.counter += 1
        key = key or f"templates/t{self.counter}.json"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(template).encode())
        return f"{self.server.endpoint}/{BUCKET}/{key}"

    def change_set(self, name: str, template: dict, change_set_type: str | None = None) -> dict:
        if change_set_type is None:
            try:
                status = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
                change_set_type = "CREATE" if status == "REVIEW_IN_PROGRESS" else "UPDATE"
            except ClientError:
                change_set_type = "CREATE"
        self.counter += 1
        created = self.cfn.create_change_set(
            StackName=name, ChangeSetName=f"cdk-deploy-change-set-{self.counter}",
            TemplateURL=self.upload(template), ChangeSetType=change_set_type, Capabilities=CAPABILITIES,
            Tags=[{"Key": "Project", "Value": "leafsynth"}], IncludeNestedStacks=True)
        deadline = time.monotonic() + 30
        while True:
            described = self.cfn.describe_change_set(ChangeSetName=created["Id"], StackName=name)
            if described["Status"] in ("CREATE_COMPLETE", "FAILED") or time.monotonic() > deadline:
                return described

    def deploy(self, name: str, template: dict) -> dict:
        described = self.change_set(name, template)
        assert described["Status"] == "CREATE_COMPLETE", described
        self.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"], StackName=name)
        return self.wait(name)

    def wait(self, name: str) -> dict:
        deadline = time.monotonic() + 30
        while True:
            stack = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
                return stack

    def events(self, name: str) -> list[tuple[str, str, str]]:
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "")
                for e in events]

    def resources(self, name: str) -> dict[str, dict]:
        summaries = self.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        return {r["LogicalResourceId"]: r for r in summaries}

    def exports(self) -> dict[str, str]:
        return {e["Name"]: e["Value"] for e in self.cfn.list_exports()["Exports"]}


def outputs_of(stack: dict) -> dict[str, dict]:
    return {o["OutputKey"]: o for o in stack.get("Outputs", [])}


def producer(value="hello", extra_export=False, old_export=True, keep_export=True, extra_resource=False):
    resources = {"Value": ssm_parameter("/compat/producer/value", value)}
    if old_export:
        resources["Old"] = ssm_parameter("/compat/producer/old", "old")
    if extra_resource:
        resources["Extra"] = ssm_parameter("/compat/producer/extra", "extra")
    outputs = {"Name": output({"Ref": "Value"})}
    if keep_export:
        outputs["Shared"] = output({"Fn::GetAtt": ["Value", "Value"]}, export="Compat-Shared")
    if old_export:
        outputs["OldOut"] = output({"Ref": "Old"}, export="Compat-Old")
    if extra_export:
        outputs["ExtraOut"] = output({"Ref": "Extra"}, export={"Fn::Sub": "${AWS::StackName}-Extra"})
    return {"Resources": resources, "Outputs": outputs}


def consumer(export_expr):
    return {"Resources": {"Copy": ssm_parameter("/compat/consumer/copy", {"Fn::ImportValue": export_expr})},
            "Outputs": {"Copied": output({"Fn::GetAtt": ["Copy", "Value"]})}}


class ChangeSetTests(unittest.TestCase):
    """Fixes 1-4 (change sets, TemplateURL, imports, termination protection) on one pair of stacks."""

    @classmethod
    def setUpClass(cls):
        cls.d = Deployer(SERVER)
        cls.ssm = client(SERVER, "ssm")

    def test_1_change_set_create_update_outputs_exports_events(self):
        d = self.d
        stack = d.deploy("CompatProducer", producer())
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        outs = outputs_of(stack)
        self.assertEqual(outs["Shared"]["OutputValue"], "hello")
        self.assertEqual(outs["Shared"]["ExportName"], "Compat-Shared")
        self.assertEqual(outs["Name"]["OutputValue"], "/compat/producer/value")
        self.assertEqual(d.exports()["Compat-Shared"], "hello")
        events = d.events("CompatProducer")
        self.assertEqual(events[0][:2], ("CompatProducer", "CREATE_COMPLETE"))  # newest first
        value_events = [s for (lid, s, _) in events if lid == "Value"]
        self.assertEqual(value_events, ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"])
        self.assertEqual(events[-1][:2], ("CompatProducer", "REVIEW_IN_PROGRESS"))

        # a second stack imports the export (created by change set too): Fn::ImportValue resolves
        stack = d.deploy("CompatConsumer", consumer("Compat-Shared"))
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(outputs_of(stack)["Copied"]["OutputValue"], "hello")
        self.assertEqual(self.ssm.get_parameter(Name="/compat/consumer/copy")["Parameter"]["Value"], "hello")

        # UPDATE change set: Extra added, Value kept, Old removed; export added and one removed
        stack = d.deploy("CompatProducer", producer(extra_resource=True, extra_export=True, old_export=False))
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(set(d.resources("CompatProducer")), {"Value", "Extra"})
        outs = outputs_of(stack)
        self.assertEqual(set(outs), {"Name", "Shared", "ExtraOut"})
        self.assertEqual(outs["ExtraOut"]["ExportName"], "CompatProducer-Extra")
        exports = d.exports()
        self.assertEqual(exports["CompatProducer-Extra"], "/compat/producer/extra")
        self.assertNotIn("Compat-Old", exports)
        with self.assertRaises(ClientError):
            self.ssm.get_parameter(Name="/compat/producer/old")
        self.assertEqual(self.ssm.get_parameter(Name="/compat/producer/extra")["Parameter"]["Value"], "extra")
        events = d.events("CompatProducer")
        self.assertEqual(events[0][:2], ("CompatProducer", "UPDATE_COMPLETE"))
        update_start = next(i for i, e in enumerate(events) if e[:2] == ("CompatProducer", "UPDATE_IN_PROGRESS"))
        recent = events[:update_start]
        self.assertIn(("Extra", "CREATE_COMPLETE", ""), recent)
        self.assertIn(("Old", "DELETE_COMPLETE", ""), recent)

        # a modified resource and a template with no changes
        stack = d.deploy("CompatProducer", {
            **producer(extra_resource=True, extra_export=True, old_export=False),
            "Resources": {**producer(extra_resource=True, old_export=False)["Resources"],
                          "Extra": ssm_parameter("/compat/producer/extra", "extra-2")}})
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.ssm.get_parameter(Name="/compat/producer/extra")["Parameter"]["Value"], "extra-2")
        self.assertIn(("Extra", "UPDATE_COMPLETE", ""), d.events("CompatProducer"))

        # the same template again: the change set FAILED "didn't contain changes", stack unchanged
        events_before = d.events("CompatProducer")
        same = {**producer(extra_resource=True, extra_export=True, old_export=False),
                "Resources": {**producer(extra_resource=True, old_export=False)["Resources"],
                              "Extra": ssm_parameter("/compat/producer/extra", "extra-2")}}
        described = d.change_set("CompatProducer", same)
        self.assertEqual(described["Status"], "FAILED")
        self.assertIn("didn't contain changes", described["StatusReason"])
        d.cfn.delete_change_set(ChangeSetName=described["ChangeSetId"], StackName="CompatProducer")
        self.assertEqual(d.wait("CompatProducer")["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(d.events("CompatProducer"), events_before)

    def test_2_template_url_hosts_and_nested_stacks(self):
        d = self.d
        cfn = d.cfn
        child = {"Resources": {"P": ssm_parameter("/compat/nested/p", "nested-value")},
                 "Outputs": {"V": output({"Fn::GetAtt": ["P", "Value"]})}}
        child_url = d.upload(child, "nested/child.json")  # http://127.0.0.1:PORT/<bucket>/<key>
        parent = {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack",
                                          "Properties": {"TemplateURL": child_url}}},
                  "Outputs": {"FromChild": output({"Fn::GetAtt": ["Child", "Outputs.V"]})}}
        # CreateStack, path-style on 127.0.0.1
        cfn.create_stack(StackName="CompatUrlParent", TemplateURL=d.upload(parent), Capabilities=CAPABILITIES)
        stack = d.wait("CompatUrlParent")
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(outputs_of(stack)["FromChild"]["OutputValue"], "nested-value")
        # UpdateStack, virtual-hosted style
        d.s3.put_object(Bucket=BUCKET, Key="vh/template.json", Body=json.dumps(
            {"Resources": {"Q": ssm_parameter("/compat/url/q", "vh")}}).encode())
        cfn.create_stack(StackName="CompatUrl", TemplateBody=json.dumps(
            {"Resources": {"Q": ssm_parameter("/compat/url/q", "body")}}))
        cfn.update_stack(StackName="CompatUrl",
                         TemplateURL=f"https://{BUCKET}.s3.{REGION}.amazonaws.com/vh/template.json")
        self.assertEqual(d.wait("CompatUrl")["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.ssm.get_parameter(Name="/compat/url/q")["Parameter"]["Value"], "vh")
        # path-style with the regional S3 host
        d.upload({"Resources": {"R": ssm_parameter("/compat/url/r", "regional")}}, "x/c.json")
        cfn.update_stack(StackName="CompatUrl", TemplateURL=f"https://s3.{REGION}.amazonaws.com/{BUCKET}/x/c.json")
        self.assertEqual(d.wait("CompatUrl")["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(set(d.resources("CompatUrl")), {"R"})
        self.assertEqual(self.ssm.get_parameter(Name="/compat/url/r")["Parameter"]["Value"], "regional")
        # the nested stack was read from its path-style URL on 127.0.0.1 too
        nested = d.resources("CompatUrlParent")["Child"]["PhysicalResourceId"]
        self.assertEqual(cfn.describe_stacks(StackName=nested)["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")

    def test_3_list_imports_and_exports_in_use(self):
        d = self.d
        cfn = d.cfn
        d.deploy("CompatLender", {"Resources": {"L": ssm_parameter("/compat/lender", "lent")},
                                  "Outputs": {"Out": output({"Ref": "L"}, export="Compat-Lent")}})
        d.deploy("CompatBorrower", {
            "Parameters": {"Prefix": {"Type": "String", "Default": "Compat"}},
            "Resources": {"Copy": ssm_parameter("/compat/borrower",
                                                {"Fn::ImportValue": {"Fn::Sub": "${Prefix}-Lent"}})}})
        d.deploy("CompatBorrower2", {"Resources": {"C": ssm_parameter("/compat/borrower2", {
            "Fn::ImportValue": {"Fn::Join": ["-", ["Compat", "Lent"]]}})}})
        self.assertEqual(sorted(cfn.list_imports(ExportName="Compat-Lent")["Imports"]),
                         ["CompatBorrower", "CompatBorrower2"])
        with self.assertRaises(ClientError) as caught:
            cfn.list_imports(ExportName="Compat-Nobody")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(caught.exception.response["Error"]["Message"],
                         "Export 'Compat-Nobody' is not imported by any stack.")

        # an update (UpdateStack, then a change set) removing an export in use fails and rolls back
        without = {"Resources": {"L": ssm_parameter("/compat/lender", "lent")}}
        cfn.update_stack(StackName="CompatLender", TemplateBody=json.dumps(without))
        stack = d.wait("CompatLender")
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        events = d.events("CompatLender")
        self.assertEqual(events[0][:2], ("CompatLender", "UPDATE_ROLLBACK_COMPLETE"))
        self.assertIn(("CompatLender", "UPDATE_ROLLBACK_IN_PROGRESS",
                       "Export Compat-Lent cannot be deleted as it is in use by CompatBorrower"), events)
        self.assertEqual(d.exports()["Compat-Lent"], "/compat/lender")
        self.assertIn("Out", outputs_of(stack))
        stack = d.deploy("CompatLender", without)
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertIn("cannot be deleted as it is in use by", stack["StackStatusReason"])

        # deleting the exporting stack fails while it is imported
        cfn.delete_stack(StackName="CompatLender")
        stack = cfn.describe_stacks(StackName="CompatLender")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "DELETE_FAILED")
        self.assertIn("Export Compat-Lent cannot be deleted as it is in use by", stack["StackStatusReason"])
        self.assertEqual(d.exports()["Compat-Lent"], "/compat/lender")
        for name in ("CompatBorrower", "CompatBorrower2"):
            cfn.delete_stack(StackName=name)
        cfn.delete_stack(StackName="CompatLender")
        with self.assertRaises(ClientError):
            cfn.describe_stacks(StackName="CompatLender")
        self.assertNotIn("Compat-Lent", d.exports())

    def test_4_termination_protection(self):
        d = self.d
        cfn = d.cfn
        d.deploy("CompatProtected", {"Resources": {"P": ssm_parameter("/compat/protected", "x")}})
        self.assertFalse(cfn.describe_stacks(StackName="CompatProtected")["Stacks"][0]
                         ["EnableTerminationProtection"])
        answer = cfn.update_termination_protection(StackName="CompatProtected", EnableTerminationProtection=True)
        self.assertIn("stack/CompatProtected/", answer["StackId"])
        self.assertTrue(cfn.describe_stacks(StackName="CompatProtected")["Stacks"][0]
                        ["EnableTerminationProtection"])
        with self.assertRaises(ClientError) as caught:
            cfn.delete_stack(StackName="CompatProtected")
        self.assertEqual(caught.exception.response["Error"]["Message"],
                         "Stack [CompatProtected] cannot be deleted while TerminationProtection is enabled")
        self.assertEqual(d.wait("CompatProtected")["StackStatus"], "CREATE_COMPLETE")
        cfn.update_termination_protection(StackName="CompatProtected", EnableTerminationProtection=False)
        cfn.delete_stack(StackName="CompatProtected")
        with self.assertRaises(ClientError):
            cfn.describe_stacks(StackName="CompatProtected")


class IamThreadTests(unittest.TestCase):
    """Fix 32: roles created from many request threads at once (as when independent stacks are
    deployed side by side) all succeed, none with moto's 'dictionary changed size'."""

    def test_roles_created_concurrently(self):
        import concurrent.futures
        iam = [client(SERVER, "iam") for _ in range(8)]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]})

        def create(i):
            iam[i % 8].create_role(RoleName=f"compat-threads-{i}", AssumeRolePolicyDocument=trust)
            return i

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            done = sorted(pool.map(create, range(200)))
        self.assertEqual(done, list(range(200)))
        names = {r["RoleName"] for page in iam[0].get_paginator("list_roles").paginate() for r in page["Roles"]}
        self.assertLessEqual({f"compat-threads-{i}" for i in range(200)}, names)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: iam[i % 8].delete_role(RoleName=f"compat-threads-{i}"), range(200)))

    def test_a_role_created_while_the_roles_are_listed(self):
        # The race itself, made deterministic in this process: a role created while another thread
        # is half-way through get_roles (moto's own create_role does that walk) must not break it.
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.iam.models import iam_backends
        import moto_compat.moto_cfn_compat as compat
        self.assertIn("iam-role-threads", compat.apply())
        backend = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": []})
        for i in range(3):
            backend.create_role(f"listed-{i}", trust, "/", None, "", [], None)
        seen = []
        for role in backend.get_roles():
            seen.append(role.name)
            if len(seen) == 1:
                backend.create_role("created-meanwhile", trust, "/", None, "", [], None)
        self.assertLessEqual({"listed-0", "listed-1", "listed-2"}, set(seen))
        self.assertIn("created-meanwhile", {r.name for r in backend.get_roles()})


class StackDeletionTests(unittest.TestCase):
    """Fix 30: deleting a stack as CloudFormation does (retained resources skipped, a non-empty
    bucket DELETE_FAILED, a nested stack's failure failing its parent, a second DeleteStack)."""

    def test_delete_retains_fails_and_retries(self):
        d = Deployer(SERVER)
        cfn, s3, ssm = d.cfn, client(SERVER, "s3"), client(SERVER, "ssm")
        inner = {"Resources": {"Box": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "compat-delete-box"}},
                               "Note": ssm_parameter("/compat/delete/note", "n")}}
        template = {"Resources": {
            "Kept": {**ssm_parameter("/compat/delete/kept", "k"), "DeletionPolicy": "RetainExceptOnCreate"},
            "AlsoKept": {**ssm_parameter("/compat/delete/also", "a"), "DeletionPolicy": "Retain"},
            "Gone": ssm_parameter("/compat/delete/gone", "g"),
            "Inner": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": d.upload(inner)}}}}
        self.assertEqual(d.deploy("CompatDelete", template)["StackStatus"], "CREATE_COMPLETE")
        nested_id = d.resources("CompatDelete")["Inner"]["PhysicalResourceId"]
        s3.put_object(Bucket="compat-delete-box", Key="data", Body=b"x")

        cfn.delete_stack(StackName="CompatDelete")
        stack = d.wait("CompatDelete")
        self.assertEqual(stack["StackStatus"], "DELETE_FAILED")
        self.assertEqual(stack["StackStatusReason"], "The following resource(s) failed to delete: [Inner]. ")
        events = d.events("CompatDelete")
        self.assertIn(("Kept", "DELETE_SKIPPED", ""), events)
        self.assertIn(("AlsoKept", "DELETE_SKIPPED", ""), events)
        self.assertIn(("Gone", "DELETE_COMPLETE", ""), events)
        inner_failed = [e for e in events if e[0] == "Inner" and e[1] == "DELETE_FAILED"]
        self.assertEqual(len(inner_failed), 1, events)
        self.assertTrue(inner_failed[0][2].startswith(f"Embedded stack {nested_id} was not successfully deleted: "
                                                      "The following resource(s) failed to delete: [Box]."),
                        inner_failed[0])
        nested_events = d.events(nested_id)
        self.assertIn(("Note", "DELETE_COMPLETE", ""), nested_events)
        box = [e for e in nested_events if e[0] == "Box" and e[1] == "DELETE_FAILED"]
        self.assertEqual(len(box), 1, nested_events)
        self.assertTrue(box[0][2].startswith("The bucket you tried to delete is not empty"), box)
        self.assertEqual(set(d.resources("CompatDelete")), {"Kept", "AlsoKept", "Inner"})
        self.assertEqual(set(d.resources(nested_id)), {"Box"})

        s3.delete_object(Bucket="compat-delete-box", Key="data")
        cfn.delete_stack(StackName="CompatDelete")
        with self.assertRaises(ClientError):
            cfn.describe_stacks(StackName="CompatDelete")
        self.assertEqual(cfn.describe_stacks(StackName=nested_id)["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        self.assertNotIn("compat-delete-box", names)
        for kept in ("/compat/delete/kept", "/compat/delete/also"):
            self.assertEqual(len(ssm.get_parameters(Names=[kept])["Parameters"]), 1, kept)
        self.assertEqual(ssm.get_parameters(Names=["/compat/delete/gone"])["Parameters"], [])


    def test_network_resources_are_really_deleted(self):
        d = Deployer(SERVER)
        ec2 = client(SERVER, "ec2")
        template = {"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment",
                       "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.9.0.0/24"}},
            "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation",
                      "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "Table"}}},
            "Default": {"Type": "AWS::EC2::Route", "DependsOn": "Attach",
                        "Properties": {"RouteTableId": {"Ref": "Table"}, "DestinationCidrBlock": "0.0.0.0/0",
                                       "GatewayId": {"Ref": "Igw"}}}}}
        self.assertEqual(d.deploy("CompatNetwork", template)["StackStatus"], "CREATE_COMPLETE")
        ids = {k: v["PhysicalResourceId"] for k, v in d.resources("CompatNetwork").items()}
        d.cfn.delete_stack(StackName="CompatNetwork")
        with self.assertRaises(ClientError):
            d.cfn.describe_stacks(StackName="CompatNetwork")
        # moto alone keeps the route table, the gateway and so the VPC (DependencyViolation)
        self.assertNotIn(ids["Vpc"], [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]])
        self.assertNotIn(ids["Igw"], [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]])
        self.assertNotIn(ids["Table"], [t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]])


class BootstrapStackTests(unittest.TestCase):
    """Fix 5: the real bootstrap stack (CDKToolkit) deploys by change set with all its resources."""

    def test_bootstrap_stack(self):
        d = Deployer(SERVER)
        template = json.loads(BOOTSTRAP.read_text())
        stack = d.deploy("CDKToolkit", template)
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        resources = d.resources("CDKToolkit")
        self.assertEqual(set(resources), set(template["Resources"]))
        for logical_id, resource in resources.items():
            self.assertTrue(resource["PhysicalResourceId"], logical_id)
            self.assertEqual(resource["ResourceType"], template["Resources"][logical_id]["Type"])
        outs = {k: v["OutputValue"] for k, v in outputs_of(stack).items()}
        bucket = "cdk-hnb659fds-assets-123456789012-us-east-1"
        self.assertEqual(outs["BucketName"], bucket)
        self.assertEqual(outs["BucketDomainName"], f"{bucket}.s3.us-east-1.amazonaws.com")
        self.assertTrue(outs["ImageRepositoryName"])
        expected_version = template["Resources"]["CdkBootstrapVersion"]["Properties"]["Value"]
        self.assertEqual(str(outs["BootstrapVersion"]), str(expected_version))
        policy = json.loads(d.s3.get_bucket_policy(Bucket=bucket)["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "AllowSSLRequestsOnly")
        # Fix 28: the TLS-only policy lets requests through (moto is reached over plain HTTP; real S3
        # clients use HTTPS), while a Deny without a condition, or one whose condition holds, still denies.
        d.s3.put_object(Bucket=bucket, Key="a.json", Body=b"{}")
        self.assertEqual(d.s3.head_object(Bucket=bucket, Key="a.json")["ContentLength"], 2)
        arn = f"arn:aws:s3:::{bucket}/locked/*"
        for condition in ({}, {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}):
            with self.subTest(condition=condition):
                locked = dict(policy, Statement=policy["Statement"] + [
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": arn, **condition}])
                d.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(locked))
                with self.assertRaises(Exception) as denied:
                    d.s3.put_object(Bucket=bucket, Key="locked/b.json", Body=b"{}")
                self.assertIn("403", str(denied.exception))
        d.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


class FailureHookTests(unittest.TestCase):
    """Fix 6 (test hook): Metadata leafsynth:moto-fail makes a resource fail to create."""

    @classmethod
    def setUpClass(cls):
        cls.d = Deployer(SERVER)

    def test_create_fails_and_rolls_back(self):
        d = self.d
        template = {"Resources": {
            "Good": ssm_parameter("/compat/fail/good", "g"),
            "Bad": ssm_parameter("/compat/fail/bad", {"Ref": "Good"}, Metadata={FAIL: "Boom: no capacity"})}}
        stack = d.deploy("CompatFailCreate", template)
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = d.events("CompatFailCreate")
        self.assertEqual(events[0][:2], ("CompatFailCreate", "ROLLBACK_COMPLETE"))
        self.assertIn(("Bad", "CREATE_FAILED", "Boom: no capacity"), events)
        rollback = [e for e in events if e[1] == "ROLLBACK_IN_PROGRESS"]
        self.assertEqual(len(rollback), 1)
        self.assertTrue(rollback[0][2].startswith("The following resource(s) failed to create: [Bad]."))
        self.assertIn(("Good", "DELETE_COMPLETE", ""), events)
        with self.assertRaises(ClientError):
            client(SERVER, "ssm").get_parameter(Name="/compat/fail/good")
        d.cfn.delete_stack(StackName="CompatFailCreate")

    def test_update_fails_and_rolls_back(self):
        d = self.d
        base = {"Resources": {"Keep": ssm_parameter("/compat/failup/keep", "k")},
                "Outputs": {"K": output({"Ref": "Keep"})}}
        self.assertEqual(d.deploy("CompatFailUpdate", base)["StackStatus"], "CREATE_COMPLETE")
        broken = {"Resources": {**base["Resources"],
                                "New": ssm_parameter("/compat/failup/new", "n", Metadata={FAIL: "quota exceeded"})},
                  "Outputs": {"K": output({"Ref": "Keep"}), "N": output({"Ref": "New"})}}
        stack = d.deploy("CompatFailUpdate", broken)
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertEqual(set(outputs_of(stack)), {"K"})
        events = d.events("CompatFailUpdate")
        self.assertEqual(events[0][:2], ("CompatFailUpdate", "UPDATE_ROLLBACK_COMPLETE"))
        self.assertIn(("New", "CREATE_FAILED", "quota exceeded"), events)
        self.assertIn(("CompatFailUpdate", "UPDATE_ROLLBACK_IN_PROGRESS",
                       "The following resource(s) failed to create: [New]. "), events)
        self.assertEqual(set(d.resources("CompatFailUpdate")), {"Keep"})

    def test_nested_stack_resource_fails(self):
        d = self.d
        child = {"Resources": {"Inner": ssm_parameter("/compat/failnested/inner", "i",
                                                      Metadata={FAIL: "inner failure"})}}
        parent = {"Resources": {"Nested": {"Type": "AWS::CloudFormation::Stack",
                                           "Properties": {"TemplateURL": d.upload(child)}}}}
        stack = d.deploy("CompatFailNested", parent)
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = d.events("CompatFailNested")
        failed = [e for e in events if e[:2] == ("Nested", "CREATE_FAILED")]
        self.assertEqual(len(failed), 1, events)
        self.assertRegex(failed[0][2], r"^Embedded stack arn:aws:cloudformation:us-east-1:123456789012:stack/"
                                       r"\S+ was not successfully created: The following resource\(s\) "
                                       r"failed to create: \[Inner\]\.$")
        self.assertIn(("CompatFailNested", "ROLLBACK_IN_PROGRESS",
                       "The following resource(s) failed to create: [Nested]. Rollback requested by user."),
                      events)
        nested_id = failed[0][2].split()[2]
        nested_events = d.events(nested_id)
        self.assertIn(("Inner", "CREATE_FAILED", "inner failure"), [e for e in nested_events])
        self.assertIn("ROLLBACK_COMPLETE", [s for (_, s, _) in nested_events])


HANDLER = """
import json
import urllib.request

import boto3


def handler(event, context):
    props = event["ResourceProperties"]
    status, reason, data = "SUCCESS", "", {}
    try:
        ssm = boto3.client("ssm")
        if event["RequestType"] == "Delete":
            ssm.delete_parameter(Name=props["Name"])
        else:
            if props.get("Fail"):
                raise RuntimeError(props["Fail"])
            ssm.put_parameter(Name=props["Name"], Value=props["Value"], Type="String", Overwrite=True)
            data = {"Greeting": "hello " + props["Value"], "Kind": event["RequestType"]}
    except Exception as e:
        status, reason = "FAILED", str(e)
    body = json.dumps({"Status": status, "Reason": reason, "PhysicalResourceId": "writer-" + props["Name"],
                       "StackId": event["StackId"], "RequestId": event["RequestId"],
                       "LogicalResourceId": event["LogicalResourceId"], "Data": data}).encode()
    req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                 headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(req, timeout=30)
"""


def custom_resource_template(value, fail=None):
    props = {"ServiceToken": {"Fn::GetAtt": ["Writer", "Arn"]}, "Name": "/compat/custom/written",
             "Value": value}
    if fail:
        props["Fail"] = fail
    return {"Resources": {
        "WriterRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "Writer": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"ZipFile": HANDLER}, "Handler": "index.handler", "Runtime": "python3.12",
            "Role": {"Fn::GetAtt": ["WriterRole", "Arn"]}, "Timeout": 60}},
        "Written": {"Type": "Custom::SsmWriter", "Properties": props}},
        "Outputs": {"Greeting": output({"Fn::GetAtt": ["Written", "Greeting"]}),
                    "Physical": output({"Ref": "Written"})}}


class InlineCustomResourceTests(unittest.TestCase):
    """Fix 26: Lambda-backed custom resources with inline Python code run in-process."""

    def test_create_update_delete_and_failure(self):
        d = Deployer(SERVER)
        ssm = client(SERVER, "ssm")
        stack = d.deploy("CompatCustom", custom_resource_template("one"))
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", d.events("CompatCustom"))
        outs = {k: v["OutputValue"] for k, v in outputs_of(stack).items()}
        self.assertEqual(outs, {"Greeting": "hello one", "Physical": "writer-/compat/custom/written"})
        self.assertEqual(ssm.get_parameter(Name="/compat/custom/written")["Parameter"]["Value"], "one")
        self.assertEqual(d.resources("CompatCustom")["Written"]["PhysicalResourceId"],
                         "writer-/compat/custom/written")

        stack = d.deploy("CompatCustom", custom_resource_template("two"))
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(outputs_of(stack)["Greeting"]["OutputValue"], "hello two")
        self.assertEqual(ssm.get_parameter(Name="/compat/custom/written")["Parameter"]["Value"], "two")

        d.cfn.delete_stack(StackName="CompatCustom")
        with self.assertRaises(ClientError):
            ssm.get_parameter(Name="/compat/custom/written")

        stack = d.deploy("CompatCustomFail", custom_resource_template("x", fail="no way"))
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in d.events("CompatCustomFail") if e[:2] == ("Written", "CREATE_FAILED")]
        self.assertEqual(len(failed), 1)
        self.assertTrue(failed[0][2].startswith(
            "Received response status [FAILED] from custom resource. Message returned: no way"), failed)


class DriftDetectionTests(unittest.TestCase):
    """Fix 29: drift detection (DetectStackDrift, DescribeStackDriftDetectionStatus,
    DescribeStackResourceDrifts) from moto's backends, on a stack with a nested stack."""

    def detect(self, cfn, stack):
        detection = cfn.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
        status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        drifts = cfn.describe_stack_resource_drifts(StackName=stack)["StackResourceDrifts"]
        return status, {x["LogicalResourceId"]: x for x in drifts}

    def test_drift_detection(self):
        d = Deployer(SERVER)
        ssm, logs, sns, sqs = (client(SERVER, s) for s in ("ssm", "logs", "sns", "sqs"))
        child = {"Resources": {"Inner": ssm_parameter("/compat/drift/inner", "inner")}}
        template = {
            "Parameters": {"Greeting": {"Type": "String", "Default": "hello"}},
            "Resources": {
                "Param": ssm_parameter("/compat/drift/param", {"Fn::Sub": "${Greeting} world"}),
                "Logs": {"Type": "AWS::Logs::LogGroup",
                         "Properties": {"LogGroupName": "compat-drift-logs", "RetentionInDays": 7}},
                "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "Compat drift"}},
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
                "Sub": {"Type": "AWS::SNS::Subscription",
                        "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "sqs",
                                       "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
                "Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": d.upload(child)}},
            }}
        self.assertEqual(d.deploy("CompatDrift", template)["StackStatus"], "CREATE_COMPLETE")
        resources = d.resources("CompatDrift")

        # as deployed: in sync (the parameter's value resolved from the template parameter)
        status, drifts = self.detect(d.cfn, "CompatDrift")
        self.assertEqual((status["DetectionStatus"], status["StackDriftStatus"], status["DriftedStackResourceCount"]),
                         ("DETECTION_COMPLETE", "IN_SYNC", 0))
        self.assertEqual({k: v["StackResourceDriftStatus"] for k, v in drifts.items()},
                         {"Param": "IN_SYNC", "Logs": "IN_SYNC", "Topic": "IN_SYNC", "Queue": "IN_SYNC",
                          "Sub": "NOT_CHECKED", "Nested": "NOT_CHECKED"})
        self.assertEqual(json.loads(drifts["Param"]["ExpectedProperties"]), {"Type": "String", "Value": "hello world"})
        self.assertEqual(drifts["Param"]["PhysicalResourceId"], "/compat/drift/param")

        # changed by hand: three properties, a queue deleted, and a parameter of the nested stack
        ssm.put_parameter(Name="/compat/drift/param", Value="changed", Type="String", Overwrite=True)
        logs.put_retention_policy(logGroupName="compat-drift-logs", retentionInDays=30)
        sns.set_topic_attributes(TopicArn=resources["Topic"]["PhysicalResourceId"], AttributeName="DisplayName",
                                 AttributeValue="By hand")
        sqs.delete_queue(QueueUrl=resources["Queue"]["PhysicalResourceId"])
        ssm.delete_parameter(Name="/compat/drift/inner")
        status, drifts = self.detect(d.cfn, "CompatDrift")
        self.assertEqual((status["StackDriftStatus"], status["DriftedStackResourceCount"]), ("DRIFTED", 4))
        self.assertEqual({k: v["StackResourceDriftStatus"] for k, v in drifts.items()},
                         {"Param": "MODIFIED", "Logs": "MODIFIED", "Topic": "MODIFIED", "Queue": "DELETED",
                          "Sub": "NOT_CHECKED", "Nested": "NOT_CHECKED"})
        self.assertEqual(drifts["Param"]["PropertyDifferences"],
                         [{"PropertyPath": "/Value", "ExpectedValue": "hello world", "ActualValue": "changed",
                           "DifferenceType": "NOT_EQUAL"}])
        self.assertEqual(drifts["Logs"]["PropertyDifferences"],
                         [{"PropertyPath": "/RetentionInDays", "ExpectedValue": "7", "ActualValue": "30",
                           "DifferenceType": "NOT_EQUAL"}])
        self.assertEqual([(p["PropertyPath"], p["ActualValue"]) for p in drifts["Topic"]["PropertyDifferences"]],
                         [("/DisplayName", "By hand")])
        self.assertNotIn("PropertyDifferences", drifts["Queue"])

        # the nested stack is checked on its own (by its ARN), as in CloudFormation
        status, nested = self.detect(d.cfn, resources["Nested"]["PhysicalResourceId"])
        self.assertEqual(status["StackDriftStatus"], "DRIFTED")
        self.assertEqual(nested["Inner"]["StackResourceDriftStatus"], "DELETED")

        # filters and pages
        deleted = d.cfn.describe_stack_resource_drifts(StackName="CompatDrift",
                                                       StackResourceDriftStatusFilters=["DELETED"])
        self.assertEqual([x["LogicalResourceId"] for x in deleted["StackResourceDrifts"]], ["Queue"])
        seen, token = [], None
        for _ in range(10):
            page = d.cfn.describe_stack_resource_drifts(StackName="CompatDrift", MaxResults=4,
                                                        **({"NextToken": token} if token else {}))
            seen += [x["LogicalResourceId"] for x in page["StackResourceDrifts"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), sorted(drifts))

        # refused for a stack that is not settled (ROLLBACK_COMPLETE) and for one that does not exist
        failed = {"Resources": {"P": ssm_parameter("/compat/drift/failed", "x", Metadata={FAIL: "no"})}}
        self.assertEqual(d.deploy("CompatDriftFailed", failed)["StackStatus"], "ROLLBACK_COMPLETE")
        with self.assertRaises(ClientError) as refused:
            d.cfn.detect_stack_drift(StackName="CompatDriftFailed")
        self.assertIn("ROLLBACK_COMPLETE", str(refused.exception))
        with self.assertRaises(ClientError) as missing:
            d.cfn.detect_stack_drift(StackName="CompatDriftNoSuchStack")
        self.assertIn("does not exist", str(missing.exception))


class CompatOffTests(unittest.TestCase):
    """Without the fixes (LEAFSYNTH_MOTO_COMPAT=0) the moto bugs of fixes 1 and 2 show."""

    def test_moto_bugs_without_compat(self):
        with tempfile.TemporaryDirectory() as tmp, \
                MotoServer(compat=False, log_path=Path(tmp) / "moto.log") as plain:
            d = Deployer(plain)
            d.s3.create_bucket(Bucket=BUCKET)
            template = {"Resources": {"P": ssm_parameter("/compat/off/p", "v")},
                        "Outputs": {"Out": output({"Ref": "P"}, export="Compat-Off")}}
            # fix 2: a path-style TemplateURL on 127.0.0.1 is read from bucket "127"
            with self.assertRaises(ClientError):
                d.change_set("CompatOff", template, "CREATE")
            # fix 1: the stack created by a change set has no outputs and no exports
            created = d.cfn.create_change_set(StackName="CompatOff", ChangeSetName="cs1",
                                              TemplateBody=json.dumps(template), ChangeSetType="CREATE")
            d.cfn.execute_change_set(ChangeSetName=created["Id"], StackName="CompatOff")
            stack = d.wait("CompatOff")
            self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
            self.assertNotIn("Outputs", stack)
            self.assertNotIn("Compat-Off", d.exports())
            # fix 3: no ListImports (moto answers HTTP 500)
            with self.assertRaises((ClientError, ResponseParserError)):
                d.cfn.list_imports(ExportName="Compat-Off")
            # fix 29: no drift detection
            with self.assertRaises((ClientError, ResponseParserError)):
                d.cfn.detect_stack_drift(StackName="CompatOff")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].endswith(".json"):
        BOOTSTRAP = Path(sys.argv.pop(1))
    unittest.main(verbosity=2)
