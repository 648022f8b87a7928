"""ASG state-change hook Lambda (leaf stack, AsgStateChangeHook).

Invoked by two EventBridge rules (source aws.autoscaling) for the leaf's Auto Scaling group:

* "EC2 Instance Launch Successful": set the ECS service's desired count to 1, look up
  the new instance's public IP and UPSERT the DNS record DOMAIN_NAME -> that IP.
* "EC2 Instance-terminate Lifecycle Action": the instance is about to go away.
  1. If another instance of the group is Pending* or InService, a new instance is
     coming up and owns DNS and the service, so leave both alone; otherwise set the
     service's desired count to 0 and UPSERT the record back to UNAVAILABLE_IP.
  2. Drain the terminating instance: set its ECS container instance to DRAINING (so no
     task is placed on it and ECS stops the ones it runs: SIGTERM, then the container's
     stop timeout) and wait until no task on it is left running. The game server saves
     its world on SIGTERM; the instance must not shut down under it.
     The wait is bounded by DRAIN_TIMEOUT_SECONDS (and by the function's own remaining
     time); a lifecycle heartbeat is recorded whenever the hook's HEARTBEAT_TIMEOUT_SECONDS
     would run out before the wait ends (for example when the event was delivered late).
  3. Complete the lifecycle action with CONTINUE, whatever happened above, so the
     termination goes ahead.
  4. If the tasks did not stop in time (or draining failed), publish a warning to
     NOTIFY_TOPIC_ARN saying so: the last writes of the container may be lost.

Any other event type is an error.

Environment (read at invocation; all required): HOSTED_ZONE_ID, DOMAIN_NAME,
UNAVAILABLE_IP, DNS_TTL, RECORD_TYPE, ECS_CLUSTER_NAME, ECS_SERVICE_NAME,
NOTIFY_TOPIC_ARN, DRAIN_TIMEOUT_SECONDS, HEARTBEAT_TIMEOUT_SECONDS.
"""

import datetime
import logging
import os
import time

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
    "NOTIFY_TOPIC_ARN",
    "DRAIN_TIMEOUT_SECONDS",
    "HEARTBEAT_TIMEOUT_SECONDS",
)

LAUNCH_SUCCESSFUL = "EC2 Instance Launch Successful"
TERMINATE_LIFECYCLE_ACTION = "EC2 Instance-terminate Lifecycle Action"

# How often the tasks on a draining instance are looked at.
POLL_INTERVAL_SECONDS = 5
# A heartbeat is recorded once less than this is left of the current one (at most half of it).
HEARTBEAT_MARGIN_SECONDS = 60
# The wait ends this long before the function would time out, to complete the lifecycle
# action and publish the warning.
FUNCTION_RESERVE_SECONDS = 15
# DescribeTasks takes at most 100 tasks, DescribeContainerInstances at most 100 instances.
DESCRIBE_BATCH = 100

# The clocks and the pause between polls, replaced by the tests.
_monotonic = time.monotonic
_wall_clock = time.time
_sleep = time.sleep


class ConfigurationError(RuntimeError):
    """The function's environment is missing or malformed."""


class EventError(ValueError):
    """The event is not one this function handles."""


def _int_at_least(name, minimum):
    text = os.environ[name].strip()
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConfigurationError(
            "Invalid environment: %s must be an integer of at least %d, got %r" % (name, minimum, text)
        )
    return value


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
    config["DRAIN_TIMEOUT_SECONDS"] = _int_at_least("DRAIN_TIMEOUT_SECONDS", 0)
    config["HEARTBEAT_TIMEOUT_SECONDS"] = _int_at_least("HEARTBEAT_TIMEOUT_SECONDS", 1)
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


def _lifecycle_params(detail):
    return {
        "LifecycleHookName": detail["LifecycleHookName"],
        "AutoScalingGroupName": detail["AutoScalingGroupName"],
        "LifecycleActionToken": detail["LifecycleActionToken"],
    }


def _is_gone(exc):
    """The lifecycle action was already completed, or timed out."""
    error = exc.response.get("Error", {})
    return error.get("Code") == "ValidationError" and "No active Lifecycle Action" in error.get("Message", "")


def _complete_lifecycle_action(detail):
    params = dict(_lifecycle_params(detail), LifecycleActionResult="CONTINUE")
    LOGGER.info(
        "Completing lifecycle action %s of %s with CONTINUE",
        params["LifecycleHookName"],
        params["AutoScalingGroupName"],
    )
    try:
        boto3.client("autoscaling").complete_lifecycle_action(**params)
    except ClientError as exc:
        if _is_gone(exc):
            # Already completed (or timed out): the termination goes ahead anyway.
            LOGGER.warning("Lifecycle action already completed: %s", exc.response["Error"].get("Message"))
            return
        raise


class _LifecycleActionGone(Exception):
    """Recording a heartbeat found the lifecycle action completed or timed out."""


def _record_heartbeat(detail):
    LOGGER.info("Recording a heartbeat for lifecycle action %s", detail["LifecycleHookName"])
    try:
        boto3.client("autoscaling").record_lifecycle_action_heartbeat(**_lifecycle_params(detail))
    except ClientError as exc:
        if _is_gone(exc):
            raise _LifecycleActionGone(exc.response["Error"].get("Message")) from None
        raise


def _container_instance(ecs, cluster, instance_id):
    """The container instance (ARN, status) of EC2 instance `instance_id`, or None."""
    arns = []
    for page in ecs.get_paginator("list_container_instances").paginate(
        cluster=cluster, filter="ec2InstanceId==" + instance_id
    ):
        arns.extend(page.get("containerInstanceArns", []))
    # The filter already picks the instance; the description confirms it and gives the status.
    for start in range(0, len(arns), DESCRIBE_BATCH):
        described = ecs.describe_container_instances(
            cluster=cluster, containerInstances=arns[start:start + DESCRIBE_BATCH]
        )
        for instance in described.get("containerInstances", []):
            if instance.get("ec2InstanceId") == instance_id:
                return instance["containerInstanceArn"], instance.get("status", "")
    return None


def _tasks_left(ecs, cluster, container_instance_arn):
    """The ARNs of the tasks on the container instance that have not stopped yet.

    A task ECS is stopping has desired status STOPPED while it still runs, so tasks of
    both desired statuses are looked at, by their last status.
    """
    arns = []
    for desired in ("RUNNING", "STOPPED"):
        for page in ecs.get_paginator("list_tasks").paginate(
            cluster=cluster, containerInstance=container_instance_arn, desiredStatus=desired
        ):
            arns.extend(arn for arn in page.get("taskArns", []) if arn not in arns)
    left = []
    for start in range(0, len(arns), DESCRIBE_BATCH):
        described = ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + DESCRIBE_BATCH])
        for task in described.get("tasks", []):
            if task.get("lastStatus") != "STOPPED":
                left.append(task["taskArn"])
    return sorted(left)


def _seconds_since(event_time):
    """How long ago the event happened (0 when its time is missing, unreadable or ahead)."""
    if not isinstance(event_time, str):
        return 0.0
    try:
        when = datetime.datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, _wall_clock() - when.timestamp())


def _remaining_seconds(context):
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return remaining() / 1000.0


def _drain_instance(config, detail, event_time, context):
    """Drain the terminating instance and wait until no task on it runs (bounded)."""
    instance_id = detail["EC2InstanceId"]
    cluster = config["ECS_CLUSTER_NAME"]
    started = _monotonic()
    budget = float(config["DRAIN_TIMEOUT_SECONDS"])
    remaining = _remaining_seconds(context)
    if remaining is not None:
        budget = max(0.0, min(budget, remaining - FUNCTION_RESERVE_SECONDS))
    deadline = started + budget
    heartbeat = config["HEARTBEAT_TIMEOUT_SECONDS"]
    margin = min(HEARTBEAT_MARGIN_SECONDS, heartbeat / 2.0)
    # The lifecycle action's heartbeat started when the event was sent.
    last_heartbeat = started - _seconds_since(event_time)

    ecs = boto3.client("ecs")
    found = _container_instance(ecs, cluster, instance_id)
    if found is None:
        LOGGER.info("Instance %s is not registered with cluster %s: nothing to drain", instance_id, cluster)
        return {"drained": True, "container_instance": None, "tasks_left": [], "waited_seconds": 0.0}
    arn, status = found
    if status == "ACTIVE":
        LOGGER.info("Setting container instance %s (%s) to DRAINING", arn, instance_id)
        response = ecs.update_container_instances_state(cluster=cluster, containerInstances=[arn], status="DRAINING")
        failures = response.get("failures", [])
        if failures:
            raise RuntimeError(
                "ECS did not set container instance %s to DRAINING: %s"
                % (arn, ", ".join("%s (%s)" % (f.get("reason"), f.get("detail", "")) for f in failures))
            )
    else:
        LOGGER.info("Container instance %s (%s) is %s", arn, instance_id, status)

    polls = 0
    while True:
        left = _tasks_left(ecs, cluster, arn)
        polls += 1
        now = _monotonic()
        waited = round(now - started, 3)
        if not left:
            LOGGER.info("No task left on %s after %.1f s (%d look(s))", instance_id, waited, polls)
            return {"drained": True, "container_instance": arn, "tasks_left": [], "waited_seconds": waited}
        if now >= deadline:
            LOGGER.warning("Task(s) %s still on %s after %.1f s: giving up", ", ".join(left), instance_id, waited)
            return {"drained": False, "container_instance": arn, "tasks_left": left, "waited_seconds": waited,
                    "reason": "timeout"}
        pause = min(POLL_INTERVAL_SECONDS, deadline - now)
        if now + pause - last_heartbeat >= heartbeat - margin:
            try:
                _record_heartbeat(detail)
            except _LifecycleActionGone as gone:
                LOGGER.warning("Lifecycle action no longer active (%s): the instance is going away", gone)
                return {"drained": False, "container_instance": arn, "tasks_left": left, "waited_seconds": waited,
                        "reason": "lifecycle action no longer active"}
            last_heartbeat = now
        LOGGER.info("Waiting for task(s) %s on %s (%.1f s so far)", ", ".join(left), instance_id, waited)
        _sleep(pause)


def _publish_warning(config, instance_id, text):
    """Tell the leaf's topic; a failure to do so is logged, never raised."""
    subject = "ContainerManager: %s may not have saved" % config["DOMAIN_NAME"]
    message = (
        "The container of %s (ECS service %s) did not stop cleanly before its instance %s "
        "was terminated: %s. Whatever it had not written to its volumes by then (a world "
        "save, for example) may be lost."
        % (config["DOMAIN_NAME"], config["ECS_SERVICE_NAME"], instance_id, text)
    )
    LOGGER.warning("%s", message)
    try:
        boto3.client("sns").publish(TopicArn=config["NOTIFY_TOPIC_ARN"], Subject=subject[:99], Message=message)
    except Exception:  # noqa: BLE001 - the warning must never mask what happened
        LOGGER.exception("Could not publish the warning to %s", config["NOTIFY_TOPIC_ARN"])


def _release_service_and_dns(config, asg_name, instance_id):
    others = _other_active_instances(asg_name, instance_id)
    if others:
        LOGGER.info(
            "Instance(s) %s coming up or in service: leaving the service and DNS alone",
            ", ".join(others),
        )
        return {"action": "none", "other_instances": others}
    _set_service_desired_count(config, 0)
    _upsert_record(config, config["UNAVAILABLE_IP"])
    return {"action": "stopped", "ip_address": config["UNAVAILABLE_IP"]}


def _on_launch(config, detail):
    instance_id = _detail_field(detail, "EC2InstanceId")
    LOGGER.info("Instance %s launched", instance_id)
    _set_service_desired_count(config, 1)
    ip_address = _public_ip(instance_id)
    _upsert_record(config, ip_address)
    return {"action": "started", "instance_id": instance_id, "ip_address": ip_address}


def _on_terminate(config, detail, event_time, context):
    instance_id = _detail_field(detail, "EC2InstanceId")
    asg_name = _detail_field(detail, "AutoScalingGroupName")
    for name in ("LifecycleHookName", "LifecycleActionToken"):
        _detail_field(detail, name)
    LOGGER.info("Instance %s of %s is terminating", instance_id, asg_name)
    result = {"instance_id": instance_id}
    first_error = None
    try:
        result.update(_release_service_and_dns(config, asg_name, instance_id))
    except Exception as exc:  # noqa: BLE001 - draining and completing must still happen
        LOGGER.exception("Stopping the service or resetting DNS failed")
        first_error = exc
    drain = None
    try:
        drain = _drain_instance(config, detail, event_time, context)
    except Exception as exc:  # noqa: BLE001 - the lifecycle action must still be completed
        LOGGER.exception("Draining instance %s failed", instance_id)
        first_error = first_error or exc
        drain = {"drained": False, "reason": "draining failed: %s" % exc, "tasks_left": []}
    result["drain"] = drain
    try:
        # Let the termination continue whatever happened above.
        _complete_lifecycle_action(detail)
    finally:
        if not drain["drained"]:
            if drain.get("reason") == "timeout":
                why = "its task(s) %s were still running %d s after it was set to drain" % (
                    ", ".join(drain["tasks_left"]), round(drain["waited_seconds"]))
            else:
                why = drain.get("reason", "unknown")
            _publish_warning(config, instance_id, why)
    if first_error is not None:
        raise first_error
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
    return _on_terminate(config, detail, event.get("time"), context)
