"""start_system (LinkTogether stack): runs in us-east-1, acts in the leaf region."""

import base64
import gzip
import json
import unittest
from datetime import datetime, timedelta, timezone

import boto3

from lambda_test_support import AwsTestCase, load_handler, record_aws_calls

handler = load_handler("start_system")

LAMBDA_REGION = "us-east-1"
LEAF_REGION = "us-west-2"
NAMESPACE = "ContainerManager-MinecraftJavaExample-Stack"
ASG = "leaf-asg"


def awslogs_event(payload):
    data = base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()
    return {"awslogs": {"data": data}}


DNS_QUERY_EVENT = awslogs_event({
    "messageType": "DATA_MESSAGE",
    "owner": "123456789012",
    "logGroup": "/aws/route53/ContainerManager-MinecraftJavaExample-DomainStack-query-logs",
    "logStream": "Z0123456789/edge-location-id",
    "subscriptionFilters": ["TriggerLambdaOnConnect"],
    "logEvents": [{
        "id": "1",
        "timestamp": 1700000000000,
        "message": "1.0 2024-01-01T00:00:00Z Z0123456789 minecraft.java.example.example.com A NOERROR UDP IAD89-C1 203.0.113.7 -",
    }],
})


class StartSystemTest(AwsTestCase):
    REGION = LAMBDA_REGION  # the Lambda's own region; the leaf lives elsewhere

    def setUp(self):
        super().setUp()
        self.create_asg(ASG, desired=0, region=LEAF_REGION)
        self.set_env({
            "ASG_NAME": ASG,
            "MANAGER_STACK_REGION": LEAF_REGION,
            "METRIC_NAMESPACE": NAMESPACE,
            "METRIC_NAME": "DNSTraffic",
            "METRIC_THRESHOLD": "1850",
            "METRIC_UNIT": "Count",
            "METRIC_DIMENSIONS": json.dumps({"ContainerNameID": "minecraft.java.example"}),
        })

    def dns_traffic_maximum(self, region):
        cloudwatch = boto3.client("cloudwatch", region_name=region)
        now = datetime.now(timezone.utc)
        stats = cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="DNSTraffic",
            Dimensions=[{"Name": "ContainerNameID", "Value": "minecraft.java.example"}],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=10),
            Period=60,
            Statistics=["Maximum", "SampleCount"],
            Unit="Count",
        )
        return stats["Datapoints"]

    def assert_started(self, recorder):
        # The metric went to the leaf region with the configured dimensions and unit...
        datapoints = self.dns_traffic_maximum(LEAF_REGION)
        self.assertEqual(len(datapoints), 1, datapoints)
        self.assertEqual(datapoints[0]["Maximum"], 1851.0)
        self.assertEqual(datapoints[0]["SampleCount"], 1.0)
        self.assertEqual(datapoints[0]["Unit"], "Count")
        metrics = boto3.client("cloudwatch", region_name=LEAF_REGION).list_metrics(Namespace=NAMESPACE)["Metrics"]
        self.assertEqual(
            [(m["MetricName"], m["Dimensions"]) for m in metrics],
            [("DNSTraffic", [{"Name": "ContainerNameID", "Value": "minecraft.java.example"}])],
        )
        # ...and nothing to the Lambda's own region.
        self.assertEqual(
            boto3.client("cloudwatch", region_name=LAMBDA_REGION).list_metrics(Namespace=NAMESPACE)["Metrics"], [])

        # The ASG in the leaf region now wants (and in moto has) one instance.
        group = self.describe_asg(ASG, region=LEAF_REGION)
        self.assertEqual(group["DesiredCapacity"], 1)
        self.assertEqual(len(group["Instances"]), 1)

        # Only the two calls the IAM policy allows, metric first, both in the leaf region.
        self.assertEqual(recorder.operations(), ["PutMetricData", "UpdateAutoScalingGroup"])
        self.assertTrue(all(call.region == LEAF_REGION for call in recorder.calls), recorder.calls)
        self.assertEqual(recorder.of("UpdateAutoScalingGroup")[0].params,
                         {"AutoScalingGroupName": ASG, "DesiredCapacity": 1})

    def test_dns_query_log_event_puts_metric_then_starts_asg(self):
        with record_aws_calls() as recorder:
            result = handler.lambda_handler(DNS_QUERY_EVENT, None)
        self.assertTrue(result["started"])
        self.assert_started(recorder)

    def test_logs_the_dns_query(self):
        with self.assertLogs("start_system", level="INFO") as logs, record_aws_calls():
            handler.lambda_handler(DNS_QUERY_EVENT, None)
        output = "\n".join(logs.output)
        self.assertIn("minecraft.java.example.example.com A NOERROR", output)
        self.assertIn(ASG, output)

    def test_event_without_log_payload_still_starts(self):
        for event in ({}, None, {"awslogs": {"data": "not base64 gzip!"}},
                      {"awslogs": {"data": base64.b64encode(b"not gzip").decode()}},
                      awslogs_event(["not", "an", "object"])):
            with self.subTest(event=event):
                boto3.client("autoscaling", region_name=LEAF_REGION).update_auto_scaling_group(
                    AutoScalingGroupName=ASG, DesiredCapacity=0)
                with self.assertLogs("start_system", level="INFO") as logs, record_aws_calls() as recorder:
                    handler.lambda_handler(event, None)
                self.assertTrue(any("starting anyway" in line for line in logs.output), logs.output)
                self.assertEqual(recorder.operations(), ["PutMetricData", "UpdateAutoScalingGroup"])
                self.assertEqual(self.describe_asg(ASG, region=LEAF_REGION)["DesiredCapacity"], 1)

    def test_subscription_control_message_does_not_start(self):
        event = awslogs_event({
            "messageType": "CONTROL_MESSAGE",
            "owner": "CloudwatchLogs",
            "logGroup": "",
            "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [{"id": "", "timestamp": 1700000000000,
                           "message": "CWL CONTROL MESSAGE: Checking health of destination Lambda."}],
        })
        with record_aws_calls() as recorder:
            result = handler.lambda_handler(event, None)
        self.assertFalse(result["started"])
        self.assertEqual(recorder.calls, [])
        self.assertEqual(self.describe_asg(ASG, region=LEAF_REGION)["DesiredCapacity"], 0)

    def test_fractional_threshold(self):
        self.set_env({"METRIC_THRESHOLD": "12.5"})
        with record_aws_calls() as recorder:
            handler.lambda_handler(DNS_QUERY_EVENT, None)
        value = recorder.of("PutMetricData")[0].params["MetricData"][0]["Value"]
        self.assertEqual(value, 13.5)

    def test_unknown_asg_fails(self):
        self.set_env({"ASG_NAME": "no-such-asg"})
        with self.assertRaises(Exception) as caught:
            handler.lambda_handler(DNS_QUERY_EVENT, None)
        self.assertIn("ValidationError", str(caught.exception))
        self.assertEqual(self.describe_asg(ASG, region=LEAF_REGION)["DesiredCapacity"], 0)

    def test_missing_environment_lists_every_name(self):
        import os
        for name in ("ASG_NAME", "METRIC_NAME", "METRIC_DIMENSIONS"):
            del os.environ[name]
        os.environ["METRIC_UNIT"] = "   "
        with record_aws_calls() as recorder:
            with self.assertRaises(handler.ConfigurationError) as caught:
                handler.lambda_handler(DNS_QUERY_EVENT, None)
        message = str(caught.exception)
        for name in ("ASG_NAME", "METRIC_NAME", "METRIC_DIMENSIONS", "METRIC_UNIT"):
            self.assertIn(name, message)
        for name in ("MANAGER_STACK_REGION", "METRIC_NAMESPACE", "METRIC_THRESHOLD"):
            self.assertNotIn(name, message)
        self.assertEqual(recorder.calls, [])
        self.assertEqual(self.describe_asg(ASG, region=LEAF_REGION)["DesiredCapacity"], 0)

    def test_all_environment_missing(self):
        import os
        for name in handler.REQUIRED_ENV:
            del os.environ[name]
        with self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler(DNS_QUERY_EVENT, None)
        for name in ("ASG_NAME", "MANAGER_STACK_REGION", "METRIC_NAMESPACE", "METRIC_NAME",
                     "METRIC_THRESHOLD", "METRIC_UNIT", "METRIC_DIMENSIONS"):
            self.assertIn(name, str(caught.exception))

    def test_malformed_environment(self):
        self.set_env({"METRIC_THRESHOLD": "lots", "METRIC_DIMENSIONS": '["ContainerNameID"]'})
        with record_aws_calls() as recorder:
            with self.assertRaises(handler.ConfigurationError) as caught:
                handler.lambda_handler(DNS_QUERY_EVENT, None)
        self.assertIn("METRIC_THRESHOLD", str(caught.exception))
        self.assertIn("METRIC_DIMENSIONS", str(caught.exception))
        self.assertEqual(recorder.calls, [])


if __name__ == "__main__":
    unittest.main()
