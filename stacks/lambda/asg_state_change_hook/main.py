"""ASG state-change hook Lambda (leaf stack, AsgStateChangeHook).

Invoked by two EventBridge rules (source aws.autoscaling) for the leaf's Auto Scaling group:

* "EC2 Instance Launch Successful": set the ECS service's desired count to 1, look up
  the new instance's public IP and UPSERT the DNS record DOMAIN_NAME -> that IP.
* "EC2 Instance-terminate Lifecycle Action": if another instance of the group is
  Pending* or InService, a new instance is coming up and owns DNS, so change nothing;
  otherwise set the service's desired count to 0 and UPSERT the record back to
  UNAVAILABLE_IP. In both cases (and even when that fails) complete the lifecycle
  action with CONTINUE so the termination goes ahead.

Any other event type is an error.

Environment (read at invocation; all required): HOSTED_ZONE_ID, DOMAIN_NAME,
UNAVAILABLE_IP, DNS_TTL, RECORD_TYPE, ECS_CLUSTER_NAME, ECS_SERVICE_NAME.
"""

import logging
import os

import boto3
from botocore.exceptions import ClientError

LOGGER = logging.getLogger("asg_state_change_hook")
LOGGER.setLevel(logging.INFO)

REQUIRED_ENV = (
    "HOSTED_ZONE_ID",
    "DOMAIN_NAME",
    "UNAVAILABLE_IP",
    "DNS_TTL",
    "RECORD_TYPE",
    "ECS_CLUSTER_NAME",
    "ECS_SERVICE_NAME",
)

LAUNCH_SUCCESSFUL = "EC2 Instance Launch Successful"
TERMINATE_LIFECYCLE_ACTION = "EC2 Instance-terminate Lifecycle Action"


class ConfigurationError(RuntimeError):
    """The function's environment is missing or malformed."""


class EventError(ValueError):
    """The event is not one this function handles."""


def _read_config():
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name, "").strip()]
    if missing:
        raise ConfigurationError(
            "Missing required environment variable(s): " + ", ".join(missing)
        )
    config = {name: os.environ[name].strip() for name in REQUIRED_ENV}
    try:
        config["DNS_TTL"] = int(config["DNS_TTL"])
        if config["DNS_TTL"] < 0:
            raise ValueError("negative")
    except ValueError:
        raise ConfigurationError(
            "Invalid environment: DNS_TTL must be a non-negative integer, got %r"
            % os.environ["DNS_TTL"]
        ) from None
    return config


def _detail_field(detail, name):
    value = detail.get(name)
    if not value:
        raise EventError("Event detail has no %s" % name)
    return value


def _set_service_desired_count(config, count):
    LOGGER.info(
        "Setting desired count of ECS service %s (cluster %s) to %d",
        config["ECS_SERVICE_NAME"],
        config["ECS_CLUSTER_NAME"],
        count,
    )
    boto3.client("ecs").update_service(
        cluster=config["ECS_CLUSTER_NAME"],
        service=config["ECS_SERVICE_NAME"],
        desiredCount=count,
    )


def _upsert_record(config, ip_address):
    LOGGER.info(
        "UPSERT %s %s -> %s (TTL %d) in hosted zone %s",
        config["RECORD_TYPE"],
        config["DOMAIN_NAME"],
        ip_address,
        config["DNS_TTL"],
        config["HOSTED_ZONE_ID"],
    )
    boto3.client("route53").change_resource_record_sets(
        HostedZoneId=config["HOSTED_ZONE_ID"],
        ChangeBatch={
            "Comment": "ContainerManager ASG state-change hook",
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": config["DOMAIN_NAME"],
                        "Type": config["RECORD_TYPE"],
                        "TTL": config["DNS_TTL"],
                        "ResourceRecords": [{"Value": ip_address}],
                    },
                }
            ],
        },
    )


def _public_ip(instance_id):
    response = boto3.client("ec2").describe_instances(InstanceIds=[instance_id])
    for reservation in response.get("Reservations", []):
        for instance in reservation.get("Instances", []):
            if instance.get("InstanceId") == instance_id and instance.get("PublicIpAddress"):
                return instance["PublicIpAddress"]
    raise RuntimeError("Instance %s has no public IP address" % instance_id)


def _is_coming_up_or_running(lifecycle_state):
    return lifecycle_state == "InService" or lifecycle_state.startswith("Pending")


def _other_active_instances(asg_name, terminating_instance_id):
    response = boto3.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[asg_name]
    )
    others = []
    for group in response.get("AutoScalingGroups", []):
        for instance in group.get("Instances", []):
            state = instance.get("LifecycleState", "")
            LOGGER.info("Instance %s of %s is %s", instance.get("InstanceId"), asg_name, state)
            if instance.get("InstanceId") != terminating_instance_id and _is_coming_up_or_running(state):
                others.append(instance.get("InstanceId"))
    return others


def _complete_lifecycle_action(detail):
    params = {
        "LifecycleHookName": detail["LifecycleHookName"],
        "AutoScalingGroupName": detail["AutoScalingGroupName"],
        "LifecycleActionToken": detail["LifecycleActionToken"],
        "LifecycleActionResult": "CONTINUE",
    }
    LOGGER.info(
        "Completing lifecycle action %s of %s with CONTINUE",
        params["LifecycleHookName"],
        params["AutoScalingGroupName"],
    )
    try:
        boto3.client("autoscaling").complete_lifecycle_action(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "ValidationError" and "No active Lifecycle Action" in error.get("Message", ""):
            # Already completed (or timed out): the termination goes ahead anyway.
            LOGGER.warning("Lifecycle action already completed: %s", error.get("Message"))
            return
        raise


def _on_launch(config, detail):
    instance_id = _detail_field(detail, "EC2InstanceId")
    LOGGER.info("Instance %s launched", instance_id)
    _set_service_desired_count(config, 1)
    ip_address = _public_ip(instance_id)
    _upsert_record(config, ip_address)
    return {"action": "started", "instance_id": instance_id, "ip_address": ip_address}


def _on_terminate(config, detail):
    instance_id = _detail_field(detail, "EC2InstanceId")
    asg_name = _detail_field(detail, "AutoScalingGroupName")
    for name in ("LifecycleHookName", "LifecycleActionToken"):
        _detail_field(detail, name)
    LOGGER.info("Instance %s of %s is terminating", instance_id, asg_name)
    try:
        others = _other_active_instances(asg_name, instance_id)
        if others:
            LOGGER.info(
                "Instance(s) %s coming up or in service: leaving the service and DNS alone",
                ", ".join(others),
            )
            result = {"action": "none", "instance_id": instance_id, "other_instances": others}
        else:
            _set_service_desired_count(config, 0)
            _upsert_record(config, config["UNAVAILABLE_IP"])
            result = {"action": "stopped", "instance_id": instance_id,
                      "ip_address": config["UNAVAILABLE_IP"]}
    finally:
        # Let the termination continue whatever happened above.
        _complete_lifecycle_action(detail)
    return result


def lambda_handler(event, context):
    config = _read_config()
    if not isinstance(event, dict):
        raise EventError("Expected an EventBridge event object, got %r" % (event,))
    detail_type = event.get("detail-type")
    detail = event.get("detail")
    LOGGER.info("Received %r event from %s", detail_type, event.get("source"))
    if detail_type not in (LAUNCH_SUCCESSFUL, TERMINATE_LIFECYCLE_ACTION):
        raise EventError("Unknown event type %r" % (detail_type,))
    if not isinstance(detail, dict):
        raise EventError("Event %r has no detail object" % (detail_type,))
    if detail_type == LAUNCH_SUCCESSFUL:
        return _on_launch(config, detail)
    return _on_terminate(config, detail)
