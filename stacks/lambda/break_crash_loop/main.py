"""Break-crash-loop Lambda (leaf stack, Watchdog).

Invoked by the EventBridge rule that matches ECS "Task State Change" events of the
leaf's container failing to start or exiting with a non-zero code. The container is
crash-looping, so stop the whole thing: set the Auto Scaling group ASG_NAME to a
desired capacity of 0. (The "Break Crash Loop" alarm on this function's invocations
notifies the SNS topics.)

Environment (read at invocation): ASG_NAME.
"""

import logging
import os

import boto3

LOGGER = logging.getLogger("break_crash_loop")
LOGGER.setLevel(logging.INFO)


class ConfigurationError(RuntimeError):
    """The function's environment is missing or malformed."""


def lambda_handler(event, context):
    asg_name = os.environ.get("ASG_NAME", "").strip()
    if not asg_name:
        raise ConfigurationError("Missing required environment variable(s): ASG_NAME")

    detail = event.get("detail") if isinstance(event, dict) else None
    if isinstance(detail, dict):
        containers = detail.get("containers") or []
        LOGGER.info(
            "Task %s stopped (stopCode %s, reason %r, exit codes %s)",
            detail.get("taskArn"),
            detail.get("stopCode"),
            detail.get("stoppedReason"),
            [c.get("exitCode") for c in containers if isinstance(c, dict)],
        )
    else:
        LOGGER.info("Invoked without an ECS task state change event")

    LOGGER.info("Crash loop detected: setting desired capacity of %s to 0", asg_name)
    boto3.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=asg_name, DesiredCapacity=0
    )
    return {"asg_name": asg_name, "desired_capacity": 0}
