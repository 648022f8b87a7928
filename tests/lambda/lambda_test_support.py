"""Shared helpers for the Lambda handler tests (stacks/lambda/*/main.py) against moto.

* load_handler(name): imports stacks/lambda/<name>/main.py by file path (the folders are
  Lambda assets, not packages) without writing __pycache__ into the asset folder.
* AwsTestCase: fake credentials and region in the environment, no config files, no
  instance metadata look-ups; each test runs inside moto's in-process mock_aws.
* record_aws_calls(): spies on every botocore API call (service, operation, params,
  region) while letting it reach moto; selected operations can be answered by the test
  instead (moto does not implement CompleteLifecycleAction, for example).
"""

import importlib.util
import os
import sys
import unittest
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

# The handler folders are zipped as they are: never leave bytecode caches in them.
sys.dont_write_bytecode = True

import boto3  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from botocore.validate import validate_parameters  # noqa: E402
from moto import mock_aws  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_DIR = REPO_ROOT / "stacks" / "lambda"
HANDLER_NAMES = ("start_system", "asg_state_change_hook", "break_crash_loop")

# Every environment variable any handler reads; cleared before each test so the outer
# environment cannot leak into a test.
HANDLER_ENV_NAMES = (
    "ASG_NAME", "MANAGER_STACK_REGION", "METRIC_NAMESPACE", "METRIC_NAME",
    "METRIC_THRESHOLD", "METRIC_UNIT", "METRIC_DIMENSIONS",
    "HOSTED_ZONE_ID", "DOMAIN_NAME", "UNAVAILABLE_IP", "DNS_TTL", "RECORD_TYPE",
    "ECS_CLUSTER_NAME", "ECS_SERVICE_NAME", "NOTIFY_TOPIC_ARN", "DRAIN_TIMEOUT_SECONDS",
    "HEARTBEAT_TIMEOUT_SECONDS",
)


def load_handler(name):
    path = LAMBDA_DIR / name / "main.py"
    module_name = "lambda_handler_under_test_" + name
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AwsCall:
    def __init__(self, service, operation, params, region):
        self.service = service
        self.operation = operation
        self.params = params
        self.region = region

    def __repr__(self):
        return "AwsCall(%s.%s in %s: %r)" % (self.service, self.operation, self.region, self.params)


class CallRecorder:
    def __init__(self):
        self.calls = []

    def of(self, operation):
        return [call for call in self.calls if call.operation == operation]

    def operations(self):
        return [call.operation for call in self.calls]


@contextmanager
def record_aws_calls(answers=None):
    """Record every AWS API call made through botocore inside the block.

    answers maps an operation name (e.g. "CompleteLifecycleAction") to a response dict,
    an exception to raise, or a callable(params) returning either. Those operations are
    validated against the botocore model and answered here instead of reaching moto.
    """
    answers = dict(answers or {})
    recorder = CallRecorder()
    original = BaseClient._make_api_call

    def spy(client, operation_name, api_params):
        recorder.calls.append(AwsCall(
            client.meta.service_model.service_name, operation_name, dict(api_params),
            client.meta.region_name))
        if operation_name in answers:
            input_shape = client.meta.service_model.operation_model(operation_name).input_shape
            validate_parameters(api_params, input_shape)
            answer = answers[operation_name]
            if callable(answer) and not isinstance(answer, type):
                answer = answer(api_params)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return original(client, operation_name, api_params)

    with mock.patch.object(BaseClient, "_make_api_call", spy):
        yield recorder


class AwsTestCase(unittest.TestCase):
    """Fake AWS environment + moto for every test method."""

    REGION = "us-west-2"

    def setUp(self):
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.REGION,
            "AWS_REGION": self.REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in HANDLER_ENV_NAMES + ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            os.environ.pop(name, None)

        self.mock = mock_aws()
        self.mock.start()
        self.addCleanup(self.mock.stop)

    def set_env(self, values):
        os.environ.update(values)

    # --- fixtures shared by several handlers -------------------------------------

    def create_asg(self, name, desired, region=None, max_size=None, subnet_id=None):
        """A real moto Auto Scaling group (launch template, default subnet)."""
        region = region or self.REGION
        ec2 = boto3.client("ec2", region_name=region)
        if subnet_id is None:
            subnet_id = ec2.describe_subnets(
                Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]["SubnetId"]
        template_name = name + "-launch-template"
        ec2.create_launch_template(
            LaunchTemplateName=template_name,
            LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "m5.large"},
        )
        autoscaling = boto3.client("autoscaling", region_name=region)
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            MinSize=0,
            MaxSize=max_size if max_size is not None else max(1, desired),
            DesiredCapacity=desired,
            LaunchTemplate={"LaunchTemplateName": template_name, "Version": "$Latest"},
            VPCZoneIdentifier=subnet_id,
        )
        return name

    def describe_asg(self, name, region=None):
        autoscaling = boto3.client("autoscaling", region_name=region or self.REGION)
        groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        self.assertEqual(len(groups), 1, "Auto Scaling group %s not found" % name)
        return groups[0]
