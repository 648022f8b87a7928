"""Start-system Lambda (LinkTogether stack, us-east-1).

Triggered by the CloudWatch Logs subscription filter on the domain stack's Route 53
query log group: someone looked up the leaf's DNS name, so start the server.

In the leaf stack's region (MANAGER_STACK_REGION) it
  1. puts one data point of METRIC_NAME (value METRIC_THRESHOLD + 1, unit METRIC_UNIT,
     dimensions METRIC_DIMENSIONS) into METRIC_NAMESPACE, so the "Container Activity"
     alarm does not scale the group back down while the instance is still booting;
  2. sets the Auto Scaling group ASG_NAME to a desired capacity of 1.

The role only grants cloudwatch:PutMetricData (for that namespace) and
autoscaling:UpdateAutoScalingGroup (on that group), so only those two calls are made.

Environment (read at invocation): ASG_NAME, MANAGER_STACK_REGION, METRIC_NAMESPACE,
METRIC_NAME, METRIC_THRESHOLD, METRIC_UNIT, METRIC_DIMENSIONS (a JSON object such as
{"ContainerNameID": "minecraft.java.example"}).
"""

import base64
import binascii
import gzip
import json
import logging
import math
import os
import zlib

import boto3

LOGGER = logging.getLogger("start_system")
LOGGER.setLevel(logging.INFO)

REQUIRED_ENV = (
    "ASG_NAME",
    "MANAGER_STACK_REGION",
    "METRIC_NAMESPACE",
    "METRIC_NAME",
    "METRIC_THRESHOLD",
    "METRIC_UNIT",
    "METRIC_DIMENSIONS",
)


class ConfigurationError(RuntimeError):
    """The function's environment is missing or malformed."""


def _read_config():
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name, "").strip()]
    if missing:
        raise ConfigurationError(
            "Missing required environment variable(s): " + ", ".join(missing)
        )
    config = {name: os.environ[name].strip() for name in REQUIRED_ENV}

    problems = []
    try:
        threshold = float(config["METRIC_THRESHOLD"])
        if not math.isfinite(threshold):
            raise ValueError("not finite")
        config["METRIC_THRESHOLD"] = threshold
    except ValueError:
        problems.append(
            "METRIC_THRESHOLD must be a number, got %r" % config["METRIC_THRESHOLD"]
        )

    try:
        dimensions = json.loads(config["METRIC_DIMENSIONS"])
        if not isinstance(dimensions, dict):
            raise ValueError("not a JSON object")
        config["METRIC_DIMENSIONS"] = [
            {"Name": str(name), "Value": str(value)} for name, value in dimensions.items()
        ]
    except ValueError:
        problems.append(
            "METRIC_DIMENSIONS must be a JSON object, got %r" % config["METRIC_DIMENSIONS"]
        )

    if problems:
        raise ConfigurationError("Invalid environment: " + "; ".join(problems))
    return config


def _decode_log_payload(event):
    """Return the decoded CloudWatch Logs payload, or None when the event carries none.

    Decoding is only informational (and used to ignore the subscription's control
    message); any malformed payload is logged and otherwise ignored.
    """
    if not isinstance(event, dict) or not isinstance(event.get("awslogs"), dict):
        LOGGER.info("Event is not a CloudWatch Logs subscription event; starting anyway")
        return None
    try:
        raw = base64.b64decode(event["awslogs"]["data"], validate=True)
        payload = json.loads(gzip.decompress(raw))
        if not isinstance(payload, dict):
            raise ValueError("payload is not a JSON object")
        return payload
    except (KeyError, TypeError, ValueError, binascii.Error, OSError, EOFError, zlib.error) as exc:
        LOGGER.warning("Could not decode the awslogs payload (%s); starting anyway", exc)
        return None


def lambda_handler(event, context):
    config = _read_config()

    payload = _decode_log_payload(event)
    if payload is not None:
        if payload.get("messageType") == "CONTROL_MESSAGE":
            # CloudWatch Logs sends this once to check the destination is reachable;
            # it is not a DNS look-up, so do not start the server for it.
            LOGGER.info("Ignoring CloudWatch Logs control message")
            return {"started": False, "reason": "control message"}
        for log_event in payload.get("logEvents") or []:
            if isinstance(log_event, dict):
                LOGGER.info(
                    "DNS query from log group %s: %s",
                    payload.get("logGroup"),
                    log_event.get("message"),
                )

    region = config["MANAGER_STACK_REGION"]
    asg_name = config["ASG_NAME"]
    value = config["METRIC_THRESHOLD"] + 1

    cloudwatch = boto3.client("cloudwatch", region_name=region)
    LOGGER.info(
        "Putting %s/%s = %s %s %s in %s",
        config["METRIC_NAMESPACE"],
        config["METRIC_NAME"],
        value,
        config["METRIC_UNIT"],
        config["METRIC_DIMENSIONS"],
        region,
    )
    cloudwatch.put_metric_data(
        Namespace=config["METRIC_NAMESPACE"],
        MetricData=[
            {
                "MetricName": config["METRIC_NAME"],
                "Dimensions": config["METRIC_DIMENSIONS"],
                "Unit": config["METRIC_UNIT"],
                "Value": value,
            }
        ],
    )

    autoscaling = boto3.client("autoscaling", region_name=region)
    LOGGER.info("Setting desired capacity of Auto Scaling group %s (%s) to 1", asg_name, region)
    autoscaling.update_auto_scaling_group(AutoScalingGroupName=asg_name, DesiredCapacity=1)

    return {"started": True, "asg_name": asg_name, "region": region, "metric_value": value}
