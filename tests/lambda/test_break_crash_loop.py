"""break_crash_loop (leaf Watchdog): a crash-looping container stops the ASG."""

import os
import unittest

from lambda_test_support import AwsTestCase, load_handler, record_aws_calls

handler = load_handler("break_crash_loop")

ASG = "leaf-asg"

TASK_STOPPED_EVENT = {
    "version": "0",
    "id": "12345678-1234-1234-1234-123456789012",
    "detail-type": "ECS Task State Change",
    "source": "aws.ecs",
    "account": "123456789012",
    "time": "2024-01-01T00:00:00Z",
    "region": "us-west-2",
    "resources": ["arn:aws:ecs:us-west-2:123456789012:task/leaf-ecs-cluster/0123456789abcdef"],
    "detail": {
        "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/leaf-ecs-cluster",
        "taskArn": "arn:aws:ecs:us-west-2:123456789012:task/leaf-ecs-cluster/0123456789abcdef",
        "desiredStatus": "STOPPED",
        "lastStatus": "STOPPED",
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "MinecraftJavaExample", "exitCode": 1, "lastStatus": "STOPPED"}],
    },
}


class BreakCrashLoopTest(AwsTestCase):
    REGION = "us-west-2"

    def setUp(self):
        super().setUp()
        self.create_asg(ASG, desired=1)
        self.assertEqual(len(self.describe_asg(ASG)["Instances"]), 1)
        self.set_env({"ASG_NAME": ASG})

    def test_sets_desired_capacity_to_zero(self):
        with self.assertLogs("break_crash_loop", level="INFO") as logs, record_aws_calls() as recorder:
            result = handler.lambda_handler(TASK_STOPPED_EVENT, None)
        group = self.describe_asg(ASG)
        self.assertEqual(group["DesiredCapacity"], 0)
        self.assertEqual(group["Instances"], [])
        self.assertEqual(result["desired_capacity"], 0)
        self.assertEqual(recorder.operations(), ["UpdateAutoScalingGroup"])
        self.assertEqual(recorder.calls[0].params, {"AutoScalingGroupName": ASG, "DesiredCapacity": 0})
        self.assertTrue(any("EssentialContainerExited" in line for line in logs.output), logs.output)

    def test_works_without_an_ecs_event(self):
        for event in ({}, None, {"detail": "odd"}):
            with self.subTest(event=event):
                handler.lambda_handler(event, None)
                self.assertEqual(self.describe_asg(ASG)["DesiredCapacity"], 0)

    def test_unknown_asg_fails(self):
        self.set_env({"ASG_NAME": "no-such-asg"})
        with self.assertRaises(Exception) as caught:
            handler.lambda_handler(TASK_STOPPED_EVENT, None)
        self.assertIn("ValidationError", str(caught.exception))
        self.assertEqual(self.describe_asg(ASG)["DesiredCapacity"], 1)

    def test_missing_environment_is_a_clear_error(self):
        for value in (None, "", "  "):
            with self.subTest(asg_name=value):
                if value is None:
                    os.environ.pop("ASG_NAME", None)
                else:
                    os.environ["ASG_NAME"] = value
                with record_aws_calls() as recorder, self.assertRaises(handler.ConfigurationError) as caught:
                    handler.lambda_handler(TASK_STOPPED_EVENT, None)
                self.assertIn("ASG_NAME", str(caught.exception))
                self.assertEqual(recorder.calls, [])
        self.assertEqual(self.describe_asg(ASG)["DesiredCapacity"], 1)


if __name__ == "__main__":
    unittest.main()
