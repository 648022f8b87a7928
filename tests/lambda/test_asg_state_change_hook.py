"""asg_state_change_hook (leaf stack): EventBridge ASG events -> ECS service count + DNS record.

Everything runs against moto except CompleteLifecycleAction, which moto does not
implement: those calls are validated against the botocore model and answered by the
spy (record_aws_calls), which also lets the tests assert the call was made.
"""

import os
import unittest

import boto3
from botocore.exceptions import ClientError

from lambda_test_support import AwsTestCase, load_handler, record_aws_calls

handler = load_handler("asg_state_change_hook")

ASG = "leaf-asg"
CLUSTER = "leaf-ecs-cluster"
SERVICE = "leaf-service"
DOMAIN = "minecraft.java.example.example.com"
HOOK_NAME = "leaf-terminate-hook"
TOKEN = "87654321-4321-4321-4321-210987654321"
COMPLETED = {"CompleteLifecycleAction": {}}


def launch_event(instance_id, asg_name=ASG):
    return {
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "EC2 Instance Launch Successful",
        "source": "aws.autoscaling",
        "account": "123456789012",
        "time": "2024-01-01T00:00:00Z",
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


def terminate_event(instance_id, asg_name=ASG):
    return {
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "EC2 Instance-terminate Lifecycle Action",
        "source": "aws.autoscaling",
        "account": "123456789012",
        "time": "2024-01-01T00:00:00Z",
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


class AsgStateChangeHookTest(AwsTestCase):
    REGION = "us-west-2"

    def setUp(self):
        super().setUp()
        self.route53 = boto3.client("route53")
        self.ecs = boto3.client("ecs")
        self.ec2 = boto3.client("ec2")

        zone = self.route53.create_hosted_zone(Name=DOMAIN, CallerReference="leaf-test")["HostedZone"]
        self.zone_id = zone["Id"].split("/")[-1]
        self.set_record("0.0.0.0", ttl=1)

        self.ecs.create_cluster(clusterName=CLUSTER)
        self.ecs.register_task_definition(
            family="leaf",
            containerDefinitions=[{"name": "MinecraftJavaExample", "image": "itzg/minecraft-server",
                                   "memoryReservation": 2048, "essential": True}],
        )
        self.ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition="leaf", desiredCount=0)

        self.set_env({
            "HOSTED_ZONE_ID": self.zone_id,
            "DOMAIN_NAME": DOMAIN,
            "UNAVAILABLE_IP": "0.0.0.0",
            "DNS_TTL": "1",
            "RECORD_TYPE": "A",
            "ECS_CLUSTER_NAME": CLUSTER,
            "ECS_SERVICE_NAME": SERVICE,
        })

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
        self.assertEqual(recorder.operations()[-1], "CompleteLifecycleAction")

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
        self.assertEqual(recorder.operations(), ["UpdateService", "DescribeInstances", "ChangeResourceRecordSets"])
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

    # --- terminate --------------------------------------------------------------------

    def test_terminate_last_instance_stops_service_and_resets_dns(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        ip = self.public_ip(instance_id)
        self.set_service_desired(1)
        self.set_record(ip, ttl=1)

        with record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)

        self.assertEqual(result["action"], "stopped")
        self.assertEqual(self.service_desired(), 0)
        self.assertEqual(self.a_records(), [(DOMAIN, ["0.0.0.0"], 1)])
        self.assertEqual(recorder.operations(), [
            "DescribeAutoScalingGroups", "UpdateService", "ChangeResourceRecordSets", "CompleteLifecycleAction"])
        self.assertEqual(recorder.of("DescribeAutoScalingGroups")[0].params, {"AutoScalingGroupNames": [ASG]})
        self.assert_lifecycle_completed(recorder)

    def test_terminate_while_another_instance_is_in_service_changes_nothing(self):
        self.create_asg(ASG, desired=2, max_size=2)
        old, new = self.asg_instance_ids()
        self.set_service_desired(1)
        self.set_record(self.public_ip(old), ttl=1)

        with record_aws_calls(COMPLETED) as recorder:
            result = handler.lambda_handler(terminate_event(old), None)

        self.assertEqual(result["action"], "none")
        self.assertEqual(result["other_instances"], [new])
        self.assertEqual(self.service_desired(), 1)
        self.assertEqual(self.a_records(), [(DOMAIN, [self.public_ip(old)], 1)])
        self.assertEqual(recorder.operations(), ["DescribeAutoScalingGroups", "CompleteLifecycleAction"])
        self.assert_lifecycle_completed(recorder)

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
                self.assert_lifecycle_completed(recorder)

    def test_terminate_completes_lifecycle_action_even_when_dns_update_fails(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        self.set_service_desired(1)
        self.set_env({"HOSTED_ZONE_ID": "Z0000000000000NOSUCHZONE"})

        with record_aws_calls(COMPLETED) as recorder, self.assertRaises(ClientError) as caught:
            handler.lambda_handler(terminate_event(instance_id), None)

        self.assertEqual(caught.exception.response["Error"]["Code"], "NoSuchHostedZone")
        self.assertEqual(self.service_desired(), 0)
        self.assert_lifecycle_completed(recorder)

    def test_lifecycle_action_already_completed_is_tolerated(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        gone = ClientError({"Error": {"Code": "ValidationError",
                                      "Message": "No active Lifecycle Action found with token " + TOKEN}},
                           "CompleteLifecycleAction")
        with self.assertLogs("asg_state_change_hook", level="WARNING") as logs, \
                record_aws_calls({"CompleteLifecycleAction": gone}) as recorder:
            result = handler.lambda_handler(terminate_event(instance_id), None)
        self.assertEqual(result["action"], "stopped")
        self.assertIn("already completed", "\n".join(logs.output))
        self.assert_lifecycle_completed(recorder)

    def test_lifecycle_action_other_errors_propagate(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
                             "CompleteLifecycleAction")
        with record_aws_calls({"CompleteLifecycleAction": denied}), self.assertRaises(ClientError) as caught:
            handler.lambda_handler(terminate_event(instance_id), None)
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")

    def test_terminate_event_without_lifecycle_token_is_rejected(self):
        self.create_asg(ASG, desired=1)
        (instance_id,) = self.asg_instance_ids()
        event = terminate_event(instance_id)
        del event["detail"]["LifecycleActionToken"]
        with record_aws_calls(COMPLETED) as recorder, self.assertRaises(handler.EventError) as caught:
            handler.lambda_handler(event, None)
        self.assertIn("LifecycleActionToken", str(caught.exception))
        self.assertEqual(recorder.calls, [])

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
        for name in ("HOSTED_ZONE_ID", "DNS_TTL", "RECORD_TYPE", "ECS_CLUSTER_NAME"):
            self.assertNotIn(name, message)
        self.assertEqual(recorder.calls, [])

    def test_all_environment_missing_fails_before_looking_at_the_event(self):
        for name in handler.REQUIRED_ENV:
            del os.environ[name]
        with self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler({"detail-type": "something else"}, None)
        for name in ("HOSTED_ZONE_ID", "DOMAIN_NAME", "UNAVAILABLE_IP", "DNS_TTL", "RECORD_TYPE",
                     "ECS_CLUSTER_NAME", "ECS_SERVICE_NAME"):
            self.assertIn(name, str(caught.exception))

    def test_invalid_ttl_is_a_configuration_error(self):
        self.set_env({"DNS_TTL": "one"})
        with record_aws_calls() as recorder, self.assertRaises(handler.ConfigurationError) as caught:
            handler.lambda_handler(launch_event("i-0123456789abcdef0"), None)
        self.assertIn("DNS_TTL", str(caught.exception))
        self.assertEqual(recorder.calls, [])


if __name__ == "__main__":
    unittest.main()
