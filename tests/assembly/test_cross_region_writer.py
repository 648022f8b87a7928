#!/usr/bin/env python3
"""Tests of the cross-region parameter writer (src/detail/cross_region_writer.py), the inline
Lambda code behind Custom::LeafsynthCrossRegionParameters, against moto's in-process AWS mock with
SSM in two regions. The CloudFormation response URL is a small HTTP server on 127.0.0.1 that
records every PUT, so each case also checks what CloudFormation would have been told.

usage: test_cross_region_writer.py [REPO_SOURCE_DIR] [unittest options]
(REPO_SOURCE_DIR defaults to the repository holding this file)
"""
import http.server
import importlib.util
import json
import os
import sys
import threading
import unittest
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()
WRITER = SOURCE_DIR / "src" / "detail" / "cross_region_writer.py"

# Fake credentials before boto3/moto are imported; the response server must not go via a proxy.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-west-2",
    "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
})
for _var in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(_var, None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

MAIN, OTHER, THIRD = "us-west-2", "us-east-1", "eu-west-1"
LOGICAL_ID = "CrossRegionParametersUseast1"
STACK_ID = "arn:aws:cloudformation:us-west-2:123456789012:stack/Shared/00000000-0000-0000-0000-000000000000"


def load_writer():
    spec = importlib.util.spec_from_file_location("cross_region_writer", WRITER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _ResponseHandler(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):  # noqa: N802 (http.server naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.responses.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


class CrossRegionWriterTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(WRITER.is_file(), f"writer not found: {WRITER}")
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ResponseHandler)
        self.server.responses = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.mock = mock_aws()
        self.mock.start()
        self.writer = load_writer()
        self.requests = 0

    def tearDown(self):
        self.mock.stop()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    # --- helpers -------------------------------------------------------------------------------

    def ssm(self, region):
        return boto3.client("ssm", region_name=region)

    def params(self, region):
        """All parameters in region as {name: value}."""
        out = {}
        for page in self.ssm(region).get_paginator("describe_parameters").paginate():
            for p in page["Parameters"]:
                out[p["Name"]] = self.ssm(region).get_parameter(Name=p["Name"])["Parameter"]["Value"]
        return out

    def invoke(self, kind, region, parameters, old_region=None, old_parameters=None, physical=None,
               logical=LOGICAL_ID):
        """Runs the handler with a CloudFormation event; returns the parsed response it PUT."""
        self.requests += 1
        event = {
            "RequestType": kind,
            "ResponseURL": f"http://127.0.0.1:{self.server.server_port}/response/{self.requests}?sig=x",
            "StackId": STACK_ID,
            "RequestId": f"request-{self.requests}",
            "ResourceType": "Custom::LeafsynthCrossRegionParameters",
            "LogicalResourceId": logical,
            "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-west-2:123456789012:function:w",
                                   "Region": region, "Parameters": parameters},
        }
        if physical is not None:
            event["PhysicalResourceId"] = physical
        if old_region is not None:
            event["OldResourceProperties"] = {"ServiceToken": "arn:aws:lambda:us-west-2:123456789012:function:w",
                                              "Region": old_region, "Parameters": old_parameters}
        before = len(self.server.responses)
        result = self.writer.handler(event, None)
        self.assertEqual(len(self.server.responses), before + 1, "the handler must PUT exactly one response")
        sent = self.server.responses[-1]
        self.assertEqual(sent["path"], f"/response/{self.requests}?sig=x")
        # A presigned S3 URL rejects a Content-Type the signature did not cover.
        self.assertEqual(sent["headers"].get("Content-Type", ""), "")
        response = json.loads(sent["body"])
        self.assertEqual(response["StackId"], STACK_ID)
        self.assertEqual(response["RequestId"], f"request-{self.requests}")
        self.assertEqual(response["LogicalResourceId"], logical)
        self.assertEqual(result, {"Status": response["Status"]})
        return response

    def create(self, region, parameters):
        response = self.invoke("Create", region, parameters)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertTrue(response["PhysicalResourceId"])
        return response["PhysicalResourceId"]

    # --- cases ---------------------------------------------------------------------------------

    def test_create_writes_every_parameter_in_the_target_region_only(self):
        parameters = {"/leafsynth/Edge/Shared/AlertsRef": "arn:aws:sns:us-west-2:123456789012:alerts",
                      "/leafsynth/Edge/Shared/DataRef": "shared-data-1a2b3c"}
        response = self.invoke("Create", OTHER, parameters)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(response["PhysicalResourceId"], "leafsynth-xr-" + LOGICAL_ID)
        self.assertEqual(self.params(OTHER), parameters)
        self.assertEqual(self.params(MAIN), {})
        for name in parameters:
            self.assertEqual(self.ssm(OTHER).get_parameter(Name=name)["Parameter"]["Type"], "String")

    def test_update_overwrites_a_changed_value(self):
        physical = self.create(OTHER, {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/b": "two"})
        response = self.invoke("Update", OTHER, {"/leafsynth/Edge/a": "ONE", "/leafsynth/Edge/b": "two"},
                               OTHER, {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/b": "two"}, physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(response["PhysicalResourceId"], physical)
        self.assertEqual(self.params(OTHER), {"/leafsynth/Edge/a": "ONE", "/leafsynth/Edge/b": "two"})
        self.assertEqual(self.ssm(OTHER).get_parameter(Name="/leafsynth/Edge/a")["Parameter"]["Version"], 2)

    def test_update_writes_only_new_and_changed_parameters(self):
        # One resource serves every consumer stack of a region: adding a consumer must not rewrite
        # the parameters of all the others (thousands, at SSM's PutParameter rate).
        old = {f"/leafsynth/Leaf{i}/Base/ZoneRef": f"zone-{i}" for i in range(3)}
        physical = self.create(OTHER, old)
        new = {**old, "/leafsynth/Leaf1/Base/ZoneRef": "zone-1b", "/leafsynth/Leaf3/Base/ZoneRef": "zone-3"}
        response = self.invoke("Update", OTHER, new, OTHER, old, physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(self.params(OTHER), new)
        versions = {n: self.ssm(OTHER).get_parameter(Name=n)["Parameter"]["Version"] for n in new}
        self.assertEqual(versions, {"/leafsynth/Leaf0/Base/ZoneRef": 1, "/leafsynth/Leaf1/Base/ZoneRef": 2,
                                    "/leafsynth/Leaf2/Base/ZoneRef": 1, "/leafsynth/Leaf3/Base/ZoneRef": 1})

    def test_deleting_a_resource_leaves_the_parameters_another_resource_has_taken_over(self):
        # Upgrading from one writer resource per consumer stack to one per region: CloudFormation
        # creates the new resource (which writes the same names), then deletes the old one.
        shared = {"/leafsynth/Leaf/Base/ZoneRef": "zone-1", "/leafsynth/Leaf/Base/LogRef": "log-1"}
        old_physical = self.create(OTHER, {**shared, "/leafsynth/Leaf/Base/Gone": "x"})
        # A parameter written before owners were recorded (no Description) counts as the old one's.
        self.ssm(OTHER).put_parameter(Name="/leafsynth/Leaf/Base/Legacy", Value="l", Type="String")
        response = self.invoke("Create", OTHER, shared, logical="ParametersNew")
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        response = self.invoke("Delete", OTHER, {**shared, "/leafsynth/Leaf/Base/Gone": "x",
                                                 "/leafsynth/Leaf/Base/Legacy": "l"}, physical=old_physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(self.params(OTHER), shared)
        description = self.ssm(OTHER).describe_parameters()["Parameters"][0]["Description"]
        self.assertEqual(description, "leafsynth: written by ParametersNew of " + STACK_ID)

    def test_update_deletes_a_dropped_name(self):
        old = {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/b": "two", "/leafsynth/Edge/c": "three"}
        physical = self.create(OTHER, old)
        response = self.invoke("Update", OTHER, {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/d": "four"},
                               OTHER, old, physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(response["PhysicalResourceId"], physical)
        self.assertEqual(self.params(OTHER), {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/d": "four"})

    def test_update_changing_region_moves_the_parameters(self):
        old = {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/b": "two"}
        physical = self.create(OTHER, old)
        self.ssm(THIRD).put_parameter(Name="/unrelated", Value="keep", Type="String")
        new = {"/leafsynth/Edge/a": "one", "/leafsynth/Edge/c": "three"}
        response = self.invoke("Update", THIRD, new, OTHER, old, physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(response["PhysicalResourceId"], physical)
        self.assertEqual(self.params(OTHER), {}, "every old parameter is deleted from the old region")
        self.assertEqual(self.params(THIRD), {**new, "/unrelated": "keep"})
        self.assertEqual(self.params(MAIN), {})

    def test_delete_removes_all_and_succeeds_when_some_are_already_gone(self):
        # More than 10 names: DeleteParameters takes at most 10 per call.
        parameters = {f"/leafsynth/Edge/p{i:02d}": f"v{i}" for i in range(13)}
        physical = self.create(OTHER, parameters)
        self.ssm(OTHER).put_parameter(Name="/unrelated", Value="keep", Type="String")
        self.ssm(OTHER).delete_parameter(Name="/leafsynth/Edge/p03")  # removed out of band
        response = self.invoke("Delete", OTHER, parameters, physical=physical)
        self.assertEqual(response["Status"], "SUCCESS", response.get("Reason"))
        self.assertEqual(response["PhysicalResourceId"], physical)
        self.assertEqual(self.params(OTHER), {"/unrelated": "keep"})

    def test_delete_succeeds_when_the_deletion_itself_fails(self):
        # A Delete must never fail the stack (e.g. the region is unreachable or the names invalid).
        physical = self.create(OTHER, {"/leafsynth/Edge/a": "one"})
        response = self.invoke("Delete", "not a region!", {"/leafsynth/Edge/a": "one"}, physical=physical)
        self.assertEqual(response["Status"], "SUCCESS")
        self.assertEqual(response["PhysicalResourceId"], physical)

    def test_failed_create_reports_failed_with_a_reason(self):
        parameters = {"/leafsynth/Edge/good": "one", "/ssm/reserved": "two"}  # "ssm" prefix is reserved
        response = self.invoke("Create", OTHER, parameters)
        self.assertEqual(response["Status"], "FAILED")
        self.assertIn("PutParameter", response["Reason"])
        self.assertIn("ssm", response["Reason"])
        self.assertLessEqual(len(response["Reason"]), 500)
        self.assertEqual(response["PhysicalResourceId"], "leafsynth-xr-" + LOGICAL_ID)
        self.assertNotIn("/ssm/reserved", self.params(OTHER))
        # CloudFormation then deletes the failed resource: that cleans up what was written.
        response = self.invoke("Delete", OTHER, parameters, physical=response["PhysicalResourceId"])
        self.assertEqual(response["Status"], "SUCCESS")
        self.assertEqual(self.params(OTHER), {})

    def test_failed_update_reports_failed_and_keeps_the_old_parameters(self):
        old = {"/leafsynth/Edge/a": "one"}
        physical = self.create(OTHER, old)
        response = self.invoke("Update", OTHER, {"/leafsynth/Edge/b": "two", "/ssm/reserved": "x"},
                               OTHER, old, physical)
        self.assertEqual(response["Status"], "FAILED")
        self.assertEqual(response["PhysicalResourceId"], physical)
        self.assertIn("ssm", response["Reason"])
        self.assertEqual(self.params(OTHER).get("/leafsynth/Edge/a"), "one",
                         "a failed update must not delete the old values (the rollback still needs them)")

    def test_list_values_are_written_comma_joined(self):
        parameters = {"/leafsynth/Edge/azs": ["us-east-1a", "us-east-1b", "us-east-1c"],
                      "/leafsynth/Edge/one": ["single"]}
        self.create(OTHER, parameters)
        self.assertEqual(self.params(OTHER), {"/leafsynth/Edge/azs": "us-east-1a,us-east-1b,us-east-1c",
                                              "/leafsynth/Edge/one": "single"})


if __name__ == "__main__":
    unittest.main()
