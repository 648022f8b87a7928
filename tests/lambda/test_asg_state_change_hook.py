"""asg_state_change_hook (leaf stack): EventBridge ASG events -> ECS service count, DNS record,
and on termination a drained instance before the lifecycle action completes.

Everything runs against moto except CompleteLifecycleAction and RecordLifecycleActionHeartbeat,
which moto does not implement: those calls are validated against the botocore model and
answered by the spy (record_aws_calls), which also lets the tests assert the calls were made.

moto has no ECS agent: tasks neither stop nor start by themselves. FakeEcsAgent plays the
agent: it registers the instances with the cluster, runs the service's task, and stops (or
starts) tasks when the test says, counted in the handler's pauses between looks. The pauses
run on a fake clock, so a 180-second wait takes no time.
"""

import datetime
import json
import os
import unittest
from unittest import mock

import boto3
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager

from lambda_test_support import AwsTestCase, load_handler, record_aws_calls

handler = load_handler("asg_state_change_hook")

ASG = "leaf-asg"
CLUSTER = "leaf-ecs-cluster"
SERVICE = "leaf-service"
DOMAIN = "minecraft.java.example.example.com"
HOOK_NAME = "leaf-terminate-hook"
TOKEN = "87654321-4321-4321-4321-210987654321"
COMPLETED = {"CompleteLifecycleAction": {}}
DRAIN_TIMEOUT = 180
HEARTBEAT_TIMEOUT = 300
START_WALL = 1_800_000_000.0  # the fake clock's wall time when a test starts


def iso(wall):
    return datetime.datetime.fromtimestamp(wall, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_event(instance_id, asg_name=ASG):
    return {
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "EC2 Instance Launch Successful",
        "source": "aws.autoscaling",
        "account": "123456789012",
        "time": iso(START_WALL),
        "region": "us-west-2",
        "resources": [],
        "detail": {
            "StatusCode": "InProgress",
            "AutoScalingGroupName": asg_name,
            "ActivityId": "87654321-4321-4321-4321-210987654321",
            "RequestId": "12345678-1234-1234-1234-123456789012",
            "EC2InstanceId": instance_id,
            "Cause": "At 2024-01-01T00:00:00Z a user request update of AutoScalingGroup constraints ...",
            "Details": {"Availability Zone": "us-west-2a", "Subnet ID": "subnet-12345678"},
        },
    }


def terminate_event(instance_id, asg_name=ASG, sent=START_WALL):
    return {
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "EC2 Instance-terminate Lifecycle Action",
        "source": "aws.autoscaling",
        "account": "123456789012",
        "time": iso(sent),
        "region": "us-west-2",
        "resources": [],
        "detail": {
            "LifecycleActionToken": TOKEN,
            "AutoScalingGroupName": asg_name,
            "LifecycleHookName": HOOK_NAME,
            "EC2InstanceId": instance_id,
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
            "Origin": "AutoScalingGroup",
            "Destination": "EC2",
        },
    }


class FakeClock:
    """Monotonic and wall time that move only when the handler pauses."""

    def __init__(self):
        self.now = 1000.0
        self.wall = START_WALL
        self.pauses = []
        self.on_pause = []  # callables(pause number), run after each pause

    def monotonic(self):
        return self.now

    def time(self):
        return self.wall

    def sleep(self, seconds):
        assert seconds > 0, "a pause of %r s" % seconds
        self.pauses.append(seconds)
        self.now += seconds
        self.wall += seconds
        for action in list(self.on_pause):
            action(len(self.pauses))

    def elapsed(self):
        return self.now - 1000.0


class FakeContext:
    def __init__(self, clock, timeout_seconds):
        self.clock = clock
        self.ends = clock.now + timeout_seconds

    def get_remaining_time_in_millis(self):
        return int((self.ends - self.clock.now) * 1000)


class FakeEcsAgent:
    """What the ECS agent and scheduler would do, straight on moto's ECS backend."""

    def __init__(self, test, region):
        self.test = test
        self.ecs = boto3.client("ecs", region_name=region)
        self.backend = ecs_backends[DEFAULT_ACCOUNT_ID][region]
        self.stopped_at = {}  # task ARN -> fake clock time it stopped

    def register(self, instance_id):
        document = json.dumps({"instanceId": instance_id, "region": self.test.REGION})
        response = self.ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=document)
        return response["containerInstance"]["containerInstanceArn"]

    def run_service_task(self, container_instance_arn):
        (task,) = self.ecs.start_task(cluster=CLUSTER, taskDefinition="leaf",
                                      containerInstances=[container_instance_arn],
                                      group="service:" + SERVICE, startedBy="ecs-svc/1234567890")["tasks"]
        return task["taskArn"]

    def stop(self, task_arn):
        self.backend.stop_task(CLUSTER, task_arn, "Scaling activity initiated by deployment")
        self.stopped_at[task_arn] = self.test.clock.now

    def stop_after(self, pauses, task_arn):
        """Stop the task once the handler has paused `pauses` times."""
        self.test.clock.on_pause.append(lambda n: n == pauses and self.stop(task_arn))

    def status(self, container_instance_arn):
        (instance,) = self.ecs.describe_container_instances(
            cluster=CLUSTER, containerInstances=[container_instance_arn])["containerInstances"]
        return instance["status"]

    def last_status(self, task_arn):
        # Read from the backend: an API call here would show among the handler's calls.
        return self.backend.tasks[CLUSTER][task_arn].last_status


class AsgStateChangeHookTest(AwsTestCase):
    REGION = "us-west-2"

    def setUp(self):
        super().setUp()
        # moto moves a task one status further on every DescribeTasks; here tasks stop only
        # when the fake agent stops them.
        state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**9})
        self.addCleanup(state_manager.unset_transition, "ecs::task")

        self.route53 = boto3.client("route53")
        self.ecs = boto3.client("ecs")
        self.ec2 = boto3.client("ec2")
        self.sns = boto3.client("sns")
        self.sqs = boto3.client("sqs")

        zone = self.route53.create_hosted_zone(Name=DOMAIN, CallerReference="leaf-test")["HostedZone"]
        self.zone_id = zone["Id"].split("/")[-1]
        self.set_record("0.0.0.0", ttl=1)

        self.ecs.create_cluster(clusterName=CLUSTER)
        self.ecs.register_task_definition(
            family="leaf",
            containerDefinitions=[{"name": "MinecraftJavaExample", "image": "itzg/minecraft-server",
                                   "memoryReservation": 2048, "essential": True, "stopTimeout": 120}],
        )
        self.ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition="leaf", desiredCount=0)

        # The leaf's notify topic, with a queue subscribed to read what it was sent.
        self.topic_arn = self.sns.create_topic(Name="leaf-notify")["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName="leaf-notify-inbox")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true"})

        self.set_env({
            "HOSTED_ZONE_ID": self.zone_id,
            "DOMAIN_NAME": DOMAIN,
            "UNAVAILABLE_IP": "0.0.0.0",
            "DNS_TTL": "1",
            "RECORD_TYPE": "A",
            "ECS_CLUSTER_NAME": CLUSTER,
            "ECS_SERVICE_NAME": SERVICE,
            "NOTIFY_TOPIC_ARN": self.topic_arn,
            "DRAIN_TIMEOUT_SECONDS": str(DRAIN_TIMEOUT),
            "HEARTBEAT_TIMEOUT_SECONDS": str(HEARTBEAT_TIMEOUT),
        })

        self.clock = FakeClock()
        for name, fake in (("_monotonic", self.clock.monotonic), ("_wall_clock", self.clock.time),
                           ("_sleep", self.clock.sleep)):
            patcher = mock.patch.object(handler, name, fake)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.agent = FakeEcsAgent(self, self.REGION)

    # --- helpers ------------------------------------------------------------------

    def set_record(self, ip, ttl):
        self.route53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": [{
            "Action": "UPSERT",
            "ResourceRecordSet": {"Name": DOMAIN, "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": ip}]},
        }]})

    def a_records(self):
        records = self.route53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        return [(r["Name"].rstrip("."), [v["Value"] for v in r["ResourceRecords"]], r["TTL"])
                for r in records if r["Type"] == "A"]

    def set_service_desired(self, count):
        self.ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=count)

    def service_desired(self):
        services = self.ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
        self.assertEqual(len(services), 1)
        return services[0]["desiredCount"]

    def asg_instance_ids(self):
        return [i["InstanceId"] for i in self.describe_asg(ASG)["Instances"]]

    def public_ip(self, instance_id):
        instance = self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        return instance.get("PublicIpAddress")

    def notifications(self):
        """(subject, message) of everything the notify topic was sent."""
        out = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                                MessageAttributeNames=["All"]).get("Messages", [])
            if not messages:
                return out
            for m in messages:
                out.append(m["Body"])
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def running_leaf(self, desired=1, max_size=None):
        """An ASG whose instances are registered with the cluster, the service's task on the first."""
        self.create_asg(ASG, desired=desired, max_size=max_size)
        instances = self.asg_instance_ids()
        container_instances = [self.agent.register(i) for i in instances]
        task = self.agent.run_service_task(container_instances[0])
        self.set_service_desired(1)
        self.set_record(self.public_ip(instances[0]), ttl=1)
        return instances, container_instances, task

    def completion_spy(self, task_arn=None):
        """Answers CompleteLifecycleAction, noting the clock and the task's status at that moment."""
        seen = {}

        def complete(params):
            seen["at"] = self.clock.now
            if task_arn:
                seen["task_status"] = self.agent.last_status(task_arn)
            return {}
        return seen, {"CompleteLifecycleAction": complete}

    def assert_lifecycle_completed(self, recorder):
        calls = recorder.of("CompleteLifecycleAction")
        self.assertEqual(len(calls), 1, recorder.calls)
        self.assertEqual(calls[0].params, {
            "LifecycleHookName": HOOK_NAME,
            "AutoScalingGroupName": ASG,
            "LifecycleActionToken": TOKEN,
            "LifecycleActionResult": "CONTINUE",
        })
        self.assertEqual(calls[0].region, self.REGION)

    def assert_drain_calls(self, recorder, container_instance):
        (update,) = recorder.of("UpdateContainerInstancesState")
        self.assertEqual(update.params, {"cluster": CLUSTER, "containerInstances": [container_instance],
                                         "status": "DRAINING"})
        for call in recorder.of("ListTasks"):
            self.assertEqual(call.params["cluster"], CLUSTER)
            self.assertEqual(call.params["containerInstance"], container_instance)
        self.assertEqual({c.params["desiredStatus"] for c in recorder.of("ListTasks")}, {"RUNNING", "STOPPED"})

    # --- launch ---------------------------------------------------------------------

    def test_launch_starts_service_and_points_dns_at_instance(self):
        self.set_record("0.0.0.0", ttl=300)  # the TTL must come from DNS_TTL, not the old record
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        ip = self.public_ip(instance_id)
        self.assertTrue(ip and ip != "0.0.0.0")

        with record_aws_calls() as recorder:
            result = handler.lambda_handler(launch_event(instance_id), None)

        self.assertEqual(self.service_desired(), 1)
        self.assertEqual(self.a_records(), [(DOMAIN, [ip], 1)])
        self.assertEqual(result["ip_address"], ip)
        # Launching is as before: no draining, no waiting, nothing published.
        self.assertEqual(recorder.operations(), ["UpdateService", "DescribeInstances", "ChangeResourceRecordSets"])
        self.assertEqual(self.clock.pauses, [])
        change = recorder.of("ChangeResourceRecordSets")[0].params
        self.assertEqual(change["HostedZoneId"], self.zone_id)
        self.assertEqual([c["Action"] for c in change["ChangeBatch"]["Changes"]], ["UPSERT"])

    def test_launch_honours_record_type_and_ttl_from_environment(self):
        self.set_env({"DNS_TTL": "30"})
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        with record_aws_calls():
            handler.lambda_handler(launch_event(instance_id), None)
        self.assertEqual(self.a_records(), [(DOMAIN, [self.public_ip(instance_id)], 30)])

    def test_launch_of_instance_without_public_ip_fails_and_leaves_dns(self):
        vpc_id = self.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnet_id = self.ec2.create_subnet(VpcId=vpc_id, CidrBlock="172.31.192.0/20")["Subnet"]["SubnetId"]
        self.create_asg(ASG, desired=1, subnet_id=subnet_id)
        (instance_id,) = self.asg_instance_ids()
        self.assertIsNone(self.public_ip(instance_id))

        with record_aws_calls() as recorder, self.assertRaises(RuntimeError) as caught:
            handler.lambda_handler(launch_event(instance_id), None)
        self.assertIn(instance_id, str(caught.exception))
        self.assertEqual(self.a_records(), [(DOMAIN, ["0.0.0.0"], 1)])
        self.assertEqual(recorder.of("ChangeResourceRecordSets"), [])

    # --- terminate: the drain ---------------------------------------------------------

    def test_terminate_last_instance_waits_until_its_task_stopped(self):
        (instance_id,), (container_instance,), task = self.running_leaf()
        self.agent.stop_after(3, task)  # the game saves and exits after three looks
        seen, answers = self.completion_spy(task)

        with record_aws_calls(answers) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        self.assertEqual(result["action"], "stopped")
        self.assertEqual(self.service_desired(), 0)
        self.assertEqual(self.a_records(), [(DOMAIN, ["0.0.0.0"], 1)])
        self.assertEqual(self.agent.status(container_instance), "DRAINING")
        # Completed only once the task had stopped, not before.
        self.assertEqual(seen["task_status"], "STOPPED")
        self.assertGreaterEqual(seen["at"], self.agent.stopped_at[task])
        self.assertEqual(self.clock.pauses, [5, 5, 5])
        self.assertEqual(result["drain"], {"drained": True, "container_instance": container_instance,
                                           "tasks_left": [], "waited_seconds": 15.0})
        ops = recorder.operations()
        self.assertEqual(ops[:3], ["DescribeAutoScalingGroups", "UpdateService", "ChangeResourceRecordSets"])
        self.assertEqual(ops[-1], "CompleteLifecycleAction")
        self.assertEqual(ops.count("DescribeTasks"), 4)  # three looks with the task running, one without
        self.assert_drain_calls(recorder, container_instance)
        self.assert_lifecycle_completed(recorder)
        self.assertEqual(recorder.of("RecordLifecycleActionHeartbeat"), [])
        self.assertEqual(recorder.of("Publish"), [])
        self.assertEqual(self.notifications(), [])

    def test_task_that_never_stops_completes_at_the_bound_with_a_warning(self):
        (instance_id,), (container_instance,), task = self.running_leaf()
        seen, answers = self.completion_spy(task)

        with self.assertLogs("asg_state_change_hook", level="WARNING"), \
                record_aws_calls(answers) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        # Waited the whole bound (DRAIN_TIMEOUT_SECONDS), then let the termination go ahead.
        self.assertEqual(self.clock.elapsed(), DRAIN_TIMEOUT)
        self.assertEqual(seen["at"] - 1000.0, DRAIN_TIMEOUT)
        self.assertEqual(seen["task_status"], "RUNNING")
        self.assertFalse(result["drain"]["drained"])
        self.assertEqual(result["drain"]["tasks_left"], [task])
        self.assert_lifecycle_completed(recorder)
        # The heartbeat (300 s) outlasts the bound: no heartbeat was needed.
        self.assertEqual(recorder.of("RecordLifecycleActionHeartbeat"), [])
        # The warning comes after the completion, to the leaf's topic, saying what happened.
        ops = recorder.operations()
        self.assertEqual(ops[-2:], ["CompleteLifecycleAction", "Publish"])
        (publish,) = recorder.of("Publish")
        self.assertEqual(publish.params["TopicArn"], self.topic_arn)
        self.assertLess(len(publish.params["Subject"]), 100)
        (message,) = self.notifications()
        for part in (instance_id, task, DOMAIN, SERVICE, "180 s", "may be lost"):
            self.assertIn(part, message)

    def test_reconnect_while_the_old_instance_shuts_down(self):
        # Someone connected again: a new instance is in service, the service is back at 1.
        (old, new), (old_ci, new_ci), old_task = self.running_leaf(desired=2, max_size=2)
        replacement = {}

        def ecs_moves_the_task(pause):
            # ECS stops the task on the draining instance and starts its replacement on the new one.
            if pause == 2:
                self.agent.stop(old_task)
                replacement["task"] = self.agent.run_service_task(new_ci)
        self.clock.on_pause.append(ecs_moves_the_task)
        seen, answers = self.completion_spy(old_task)

        with record_aws_calls(answers) as recorder:
            result = handler.lambda_handler(terminate_event(old), None)

        self.assertEqual(result["action"], "none")
        self.assertEqual(result["other_instances"], [new])
        # The new instance owns the service and DNS...
        self.assertEqual(self.service_desired(), 1)
        self.assertEqual(self.a_records(), [(DOMAIN, [self.public_ip(old)], 1)])
        self.assertEqual(recorder.of("UpdateService"), [])
        self.assertEqual(recorder.of("ChangeResourceRecordSets"), [])
        # ...the old one is still drained, and completed only after its task stopped.
        self.assertEqual(self.agent.status(old_ci), "DRAINING")
        self.assertEqual(self.agent.status(new_ci), "ACTIVE")
        self.assertEqual(seen["task_status"], "STOPPED")
        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(self.agent.last_status(replacement["task"]), "RUNNING")
        self.assert_drain_calls(recorder, old_ci)
        self.assert_lifecycle_completed(recorder)
        self.assertEqual(self.notifications(), [])

    def test_heartbeat_recorded_when_the_wait_outlasts_it(self):
        self.set_env({"HEARTBEAT_TIMEOUT_SECONDS": "60", "DRAIN_TIMEOUT_SECONDS": "200"})
        (instance_id,), _, task = self.running_leaf()
        self.agent.stop_after(30, task)  # 150 s
        beats = []
        answers = dict(COMPLETED, RecordLifecycleActionHeartbeat=lambda params: beats.append(self.clock.now) or {})

        with record_aws_calls(answers) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(self.clock.elapsed(), 150)
        # The lifecycle action never went 60 s without a heartbeat, counted from the event.
        moments = [1000.0] + beats + [1150.0]
        self.assertGreaterEqual(len(beats), 3)
        for before, after in zip(moments, moments[1:]):
            self.assertLess(after - before, 60)
        for call in recorder.of("RecordLifecycleActionHeartbeat"):
            self.assertEqual(call.params, {"LifecycleHookName": HOOK_NAME, "AutoScalingGroupName": ASG,
                                           "LifecycleActionToken": TOKEN})
        self.assert_lifecycle_completed(recorder)

    def test_event_delivered_late_gets_a_heartbeat_before_waiting(self):
        (instance_id,), _, task = self.running_leaf()
        self.agent.stop_after(2, task)
        beats = []
        answers = dict(COMPLETED, RecordLifecycleActionHeartbeat=lambda params: beats.append(self.clock.now) or {})
        late = terminate_event(instance_id, sent=START_WALL - 280)  # 20 s of the 300 s heartbeat left

        with record_aws_calls(answers):
            result = handler.lambda_handler(late, None)

        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(beats, [1000.0])

    def test_lifecycle_action_gone_while_waiting_stops_the_wait_and_warns(self):
        self.set_env({"HEARTBEAT_TIMEOUT_SECONDS": "60"})
        (instance_id,), _, task = self.running_leaf()
        gone = ClientError({"Error": {"Code": "ValidationError",
                                      "Message": "No active Lifecycle Action found with token " + TOKEN}},
                           "RecordLifecycleActionHeartbeat")
        answers = {"RecordLifecycleActionHeartbeat": gone, "CompleteLifecycleAction": gone}

        with self.assertLogs("asg_state_change_hook", level="WARNING"), record_aws_calls(answers) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        self.assertFalse(result["drain"]["drained"])
        self.assertLess(self.clock.elapsed(), 60)
        self.assertEqual(len(recorder.of("RecordLifecycleActionHeartbeat")), 1)
        self.assert_lifecycle_completed(recorder)
        (message,) = self.notifications()
        self.assertIn("lifecycle action no longer active", message)

    def test_wait_ends_before_the_function_times_out(self):
        (instance_id,), _, task = self.running_leaf()
        context = FakeContext(self.clock, timeout_seconds=60)

        with self.assertLogs("asg_state_change_hook", level="WARNING"), record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), context)

        self.assertFalse(result["drain"]["drained"])
        self.assertEqual(self.clock.elapsed(), 60 - handler.FUNCTION_RESERVE_SECONDS)
        self.assert_lifecycle_completed(recorder)
        self.assertEqual(len(self.notifications()), 1)

    def test_stopped_tasks_still_listed_do_not_count(self):
        (instance_id,), (container_instance,), task = self.running_leaf()
        self.agent.stop(task)  # stopped an hour ago: ECS still lists it
        with record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(self.clock.pauses, [])
        self.assertEqual(len(recorder.of("DescribeTasks")), 1)
        self.assert_lifecycle_completed(recorder)

    def test_every_task_on_the_instance_is_waited_for(self):
        (instance_id,), (container_instance,), first = self.running_leaf()
        second = self.agent.run_service_task(container_instance)
        self.agent.stop_after(1, first)
        self.agent.stop_after(4, second)
        seen, answers = self.completion_spy(second)
        with record_aws_calls(answers):
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(seen["task_status"], "STOPPED")
        self.assertEqual(self.clock.pauses, [5, 5, 5, 5])

    def test_instance_already_draining_is_not_set_again(self):
        # A retried invocation: the first one set the instance to DRAINING.
        (instance_id,), (container_instance,), task = self.running_leaf()
        self.ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[container_instance],
                                                  status="DRAINING")
        self.agent.stop_after(1, task)
        with record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(recorder.of("UpdateContainerInstancesState"), [])
        self.assert_lifecycle_completed(recorder)

    def test_instance_not_registered_with_the_cluster_completes_at_once(self):
        # E.g. the instance failed to boot, or the agent never joined: nothing can run there.
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        (stranger,) = self.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"]
        other = self.agent.register(stranger["InstanceId"])  # another instance of the cluster
        self.set_service_desired(1)

        with record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        self.assertEqual(result["action"], "stopped")
        self.assertEqual(result["drain"]["container_instance"], None)
        self.assertTrue(result["drain"]["drained"])
        self.assertEqual(self.agent.status(other), "ACTIVE")
        self.assertEqual(recorder.of("UpdateContainerInstancesState"), [])
        self.assertEqual(recorder.of("ListContainerInstances")[0].params,
                         {"cluster": CLUSTER, "filter": "ec2InstanceId==" + instance_id})
        self.assertEqual(self.clock.pauses, [])
        self.assert_lifecycle_completed(recorder)
        self.assertEqual(self.notifications(), [])

    def test_drain_refused_by_ecs_still_completes_warns_and_fails(self):
        (instance_id,), (container_instance,), task = self.running_leaf()
        refused = {"containerInstances": [], "failures": [{"arn": container_instance, "reason": "MISSING"}]}

        with self.assertLogs("asg_state_change_hook", level="WARNING"), \
                record_aws_calls(dict(COMPLETED, UpdateContainerInstancesState=refused)) as recorder, \
                self.assertRaises(RuntimeError) as caught:
            handler.lambda_handler(terminate_event(instance_id), None)

        self.assertIn("DRAINING", str(caught.exception))
        self.assertIn("MISSING", str(caught.exception))
        self.assertEqual(self.service_desired(), 0)  # the service was still stopped first
        self.assert_lifecycle_completed(recorder)
        (message,) = self.notifications()
        self.assertIn("draining failed", message)

    def test_terminate_decision_by_lifecycle_state_of_other_instance(self):
        # moto only produces InService instances, so the group description is faked here
        # to cover the other lifecycle states; ECS and Route 53 still run against moto.
        self.create_asg(ASG, desired=1)
        (terminating,) = self.asg_instance_ids()
        coming_up = ("Pending", "Pending:Wait", "Pending:Proceed", "InService")
        going_away = ("Terminating", "Terminating:Wait", "Terminating:Proceed", "Terminated",
                      "Detaching", "Detached", "EnteringStandby", "Standby", "Quarantined", None)
        for state in coming_up + going_away:
            with self.subTest(other_instance_state=state):
                self.set_service_desired(1)
                self.set_record("198.51.100.10", ttl=1)
                instances = [{"InstanceId": terminating, "LifecycleState": "Terminating:Wait"}]
                if state is not None:
                    instances.append({"InstanceId": "i-0123456789abcdef0", "LifecycleState": state})
                answers = dict(COMPLETED, DescribeAutoScalingGroups={
                    "AutoScalingGroups": [{"AutoScalingGroupName": ASG, "Instances": instances}]})
                with record_aws_calls(answers) as recorder:
                    handler.lambda_handler(terminate_event(terminating), None)
                if state in coming_up:
                    self.assertEqual(self.service_desired(), 1)
                    self.assertEqual(self.a_records(), [(DOMAIN, ["198.51.100.10"], 1)])
                else:
                    self.assertEqual(self.service_desired(), 0)
                    self.assertEqual(self.a_records(), [(DOMAIN, ["0.0.0.0"], 1)])
                # Drained either way (here: not registered with the cluster, so at once).
                self.assertEqual(len(recorder.of("ListContainerInstances")), 1)
                self.assert_lifecycle_completed(recorder)

    def test_dns_failure_still_drains_and_completes(self):
        (instance_id,), (container_instance,), task = self.running_leaf()
        self.agent.stop_after(1, task)
        self.set_env({"HOSTED_ZONE_ID": "Z0000000000000NOSUCHZONE"})

        with self.assertLogs("asg_state_change_hook", level="ERROR"), \
                record_aws_calls(COMPLETED) as recorder, self.assertRaises(ClientError) as caught:
            handler.lambda_handler(terminate_event(instance_id), None)

        self.assertEqual(caught.exception.response["Error"]["Code"], "NoSuchHostedZone")
        self.assertEqual(self.service_desired(), 0)
        self.assertEqual(self.agent.status(container_instance), "DRAINING")
        self.assertEqual(self.agent.last_status(task), "STOPPED")
        self.assert_lifecycle_completed(recorder)
        self.assertEqual(self.notifications(), [])  # the task did stop cleanly

    def test_lifecycle_action_already_completed_is_tolerated(self):
        (instance_id,), _, task = self.running_leaf()
        self.agent.stop(task)
        gone = ClientError({"Error": {"Code": "ValidationError",
                                      "Message": "No active Lifecycle Action found with token " + TOKEN}},
                           "CompleteLifecycleAction")
        with self.assertLogs("asg_state_change_hook", level="WARNING") as logs, \
                record_aws_calls({"CompleteLifecycleAction": gone}) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertEqual(result["action"], "stopped")
        self.assertIn("already completed", "\n".join(logs.output))
        self.assert_lifecycle_completed(recorder)

    def test_lifecycle_action_other_errors_propagate_after_the_warning(self):
        (instance_id,), _, task = self.running_leaf()
        self.set_env({"DRAIN_TIMEOUT_SECONDS": "10"})
        denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
                             "CompleteLifecycleAction")
        with self.assertLogs("asg_state_change_hook", level="WARNING"), \
                record_aws_calls({"CompleteLifecycleAction": denied}), self.assertRaises(ClientError) as caught:
            handler.lambda_handler(terminate_event(instance_id), None)
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual(len(self.notifications()), 1)

    def test_warning_that_cannot_be_published_does_not_mask_the_result(self):
        (instance_id,), _, task = self.running_leaf()
        self.set_env({"DRAIN_TIMEOUT_SECONDS": "0",
                      "NOTIFY_TOPIC_ARN": "arn:aws:sns:us-west-2:123456789012:no-such-topic"})
        with self.assertLogs("asg_state_change_hook", level="ERROR") as logs, \
                record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertFalse(result["drain"]["drained"])
        self.assertEqual(self.clock.pauses, [])  # a bound of 0: one look, no wait
        self.assertIn("Could not publish", "\n".join(logs.output))
        self.assert_lifecycle_completed(recorder)

    def test_terminate_event_without_lifecycle_token_is_rejected(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        event = terminate_event(instance_id)
        del event["detail"]["LifecycleActionToken"]
        with record_aws_calls(COMPLETED) as recorder, self.assertRaises(handler.EventError) as caught:
            handler.lambda_handler(event, None)
        self.assertIn("LifecycleActionToken", str(caught.exception))
        self.assertEqual(recorder.calls, [])

    def test_event_time_missing_or_unreadable_counts_as_now(self):
        (instance_id,), _, task = self.running_leaf()
        self.agent.stop_after(1, task)
        for sent in (None, "yesterday", 12345):
            with self.subTest(time=sent):
                event = terminate_event(instance_id)
                event["time"] = sent
                with record_aws_calls(COMPLETED) as recorder:
                    result = handler.lambda_handler(event, None)
                self.assertTrue(result["drain"]["drained"])
                self.assertEqual(recorder.of("RecordLifecycleActionHeartbeat"), [])
                self.assert_lifecycle_completed(recorder)

    # --- errors -----------------------------------------------------------------------

    def test_unknown_event_type_is_an_error(self):
        self.set_service_desired(1)
        for detail_type in ("EC2 Instance Terminate Successful", "EC2 Instance-launch Lifecycle Action",
                            "EC2 Instance Launch Unsuccessful", None):
            with self.subTest(detail_type=detail_type):
                event = launch_event("i-0123456789abcdef0")
                if detail_type is None:
                    del event["detail-type"]
                else:
                    event["detail-type"] = detail_type
                with record_aws_calls(COMPLETED) as recorder, self.assertRaises(handler.EventError) as caught:
                    handler.lambda_handler(event, None)
                self.assertIn("Unknown event type", str(caught.exception))
                self.assertEqual(recorder.calls, [])
        self.assertEqual(self.service_desired(), 1)
        self.assertEqual(self.a_records(), [(DOMAIN, ["0.0.0.0"], 1)])

    def test_missing_environment_lists_every_missing_name(self):
        for name in ("DOMAIN_NAME", "ECS_SERVICE_NAME"):
            del os.environ[name]
        os.environ["UNAVAILABLE_IP"] = ""
        with record_aws_calls(COMPLETED) as recorder, self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler(terminate_event("i-0123456789abcdef0"), None)
        message = str(caught.exception)
        for name in ("DOMAIN_NAME", "ECS_SERVICE_NAME", "UNAVAILABLE_IP"):
            self.assertIn(name, message)
        for name in ("HOSTED_ZONE_ID", "DNS_TTL", "RECORD_TYPE", "ECS_CLUSTER_NAME", "NOTIFY_TOPIC_ARN",
                     "DRAIN_TIMEOUT_SECONDS", "HEARTBEAT_TIMEOUT_SECONDS"):
            self.assertNotIn(name, message)
        self.assertEqual(recorder.calls, [])

    def test_all_environment_missing_fails_before_looking_at_the_event(self):
        for name in handler.REQUIRED_ENV:
            del os.environ[name]
        with self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler({"detail-type": "something else"}, None)
        for name in ("HOSTED_ZONE_ID", "DOMAIN_NAME", "UNAVAILABLE_IP", "DNS_TTL", "RECORD_TYPE",
                     "ECS_CLUSTER_NAME", "ECS_SERVICE_NAME", "NOTIFY_TOPIC_ARN", "DRAIN_TIMEOUT_SECONDS",
                     "HEARTBEAT_TIMEOUT_SECONDS"):
            self.assertIn(name, str(caught.exception))

    def test_invalid_drain_and_heartbeat_timeouts_are_configuration_errors(self):
        for name, value in (("DRAIN_TIMEOUT_SECONDS", "-1"), ("DRAIN_TIMEOUT_SECONDS", "3m"),
                            ("HEARTBEAT_TIMEOUT_SECONDS", "0"), ("HEARTBEAT_TIMEOUT_SECONDS", "1.5")):
            with self.subTest(name=name, value=value):
                self.set_env({"DRAIN_TIMEOUT_SECONDS": "180", "HEARTBEAT_TIMEOUT_SECONDS": "300", name: value})
                with record_aws_calls() as recorder, self.assertRaises(handler.ConfigurationError) as caught:
                    handler.lambda_handler(terminate_event("i-0123456789abcdef0"), None)
                self.assertIn(name, str(caught.exception))
                self.assertIn(repr(value), str(caught.exception))
                self.assertEqual(recorder.calls, [])

    def test_invalid_ttl_is_a_configuration_error(self):
        self.set_env({"DNS_TTL": "one"})
        with record_aws_calls() as recorder, self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler(launch_event("i-0123456789abcdef0"), None)
        self.assertIn("DNS_TTL", str(caught.exception))
        self.assertEqual(recorder.calls, [])


if __name__ == "__main__":
    unittest.main()
