#!/usr/bin/env python3
"""Acceptance deploy test of the ContainerManager app: leafsynth's synthesized assembly deploys to
moto and every stack reaches CREATE_COMPLETE.

usage: test_deploy_containermanager.py LEAFSYNTH SOURCE_DIR [unittest options]

LEAFSYNTH is the built CLI (leafsynth_cli), SOURCE_DIR the source tree (for examples/containermanager).
The test writes a base config: a copy of examples/containermanager/base-stack-config.yaml with
`RestrictDefaultSecurityGroup: false` under Vpc (moto cannot run a custom resource's Lambda code, so a
stack with one never completes; MaxAZs stays 1 and the root hosted zone is created), then runs

    LEAFSYNTH synth minecraft.yaml valheim.yaml echo-server.yaml --base BASE --region us-east-1
              --account 123456789012 -o ASSEMBLY

(one Base stack + Domain, Leaf and LinkTogether stacks per container, the Leaf stacks with their
nested stacks), starts `moto_server` on 127.0.0.1 on a free port (moto_harness.MotoServer, with the
moto_compat fixes; always stopped) and deploys with deploy_assembly.deploy: assets (templates, nested
templates, Lambda zips) uploaded to moto's S3, then `aws cloudformation create-stack --template-url`
per stack in dependency order, each awaited (bounded) until CREATE_COMPLETE. The tests then check
the stacks, nested stacks and the physical resources in moto through boto3.

The AWS public SSM parameter the launch templates resolve ({{resolve:ssm:/aws/service/ecs/
optimized-ami/amazon-linux-2023/recommended/image_id}}) is served by moto's SSM backend itself (moto
ships the ECS optimized AMI parameters); nothing is seeded. A missing binary, source tree,
`moto_server` or `aws` is a failure, never a skip. The moto log is printed when the deployment fails.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import deploy_assembly  # noqa: E402
from deploy_assembly import DeployError  # noqa: E402
from moto_harness import MotoServer  # noqa: E402

LEAFSYNTH = SOURCE_DIR = None
# Only when run as the test: a script importing its helpers (test_diff_deployed.py,
# tests/bench/bench_diff_deployed.py) keeps its own arguments.
if __name__ == "__main__" and len(sys.argv) > 2 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()

ACCOUNT = "123456789012"
REGION = "us-east-1"
APP = "ContainerManager"
BASE = f"{APP}-BaseStack"
DOMAIN = "games.example.com"
ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"

# What the example configs (examples/containermanager/*.yaml) ask for, per container id.
CONTAINERS = {
    "minecraft": {
        "config": "minecraft.yaml", "stack": f"{APP}-Minecraft", "instance_type": "m5.large",
        "image": "itzg/minecraft-server", "ports": {(25565, "tcp"), (19132, "udp")},
        "environment": {"EULA": "True", "TYPE": "PAPER", "MAX_MEMORY": "7G"},
        "threshold": 1850, "minutes": 5, "dashboard": True,
        # file system Name tag suffix -> (backups enabled, access point paths besides the host's "/")
        "volumes": {"Efs-1": (True, {"/data"})},
        "subscriptions": set(),
    },
    "valheim": {
        "config": "valheim.yaml", "stack": f"{APP}-Valheim", "instance_type": "t3.large",
        "image": "lloesche/valheim-server", "ports": {(2456, "udp"), (2457, "udp")},
        "environment": {"SERVER_NAME": "Example Valheim Server", "SERVER_PUBLIC": "False"},
        "threshold": 750, "minutes": 5, "dashboard": True,
        "volumes": {"Efs-1": (True, {"/config", "/config-backups"}), "Efs-2": (False, {"/opt/valheim"})},
        "subscriptions": set(),
    },
    "echo-server": {
        "config": "echo-server.yaml", "stack": f"{APP}-EchoServer", "instance_type": "t3.micro",
        "image": "hashicorp/http-echo", "ports": {(5678, "tcp")}, "environment": {},
        "threshold": 100, "minutes": 10, "dashboard": False, "volumes": {},
        "subscriptions": {("email", "echo-owner@games.example.com"),
                          ("https", "https://hooks.example.com/leafsynth")},
    },
}
NESTED = ["SecurityGroups", "Container", "Volumes", "EcsAsg", "Watchdog", "AsgStateChangeHook", "Dashboard"]
# moto deliberately ignores these (moto/cloudformation/parsing.py NULL_MODELS): not created, not listed.
MOTO_NULL_TYPES = {"AWS::CloudFormation::WaitCondition", "AWS::CloudFormation::WaitConditionHandle"}


def expected_stack_order() -> list[str]:
    order = [BASE]
    for c in CONTAINERS.values():
        order += [f"{c['stack']}-DomainStack", f"{c['stack']}-Stack", f"{c['stack']}-LinkTogetherStack"]
    return order


def write_base_config(source: Path, target: Path) -> str:
    """The example base config with `RestrictDefaultSecurityGroup: false` under Vpc."""
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines()
    vpc = [i for i, line in enumerate(lines) if re.fullmatch(r"Vpc:\s*", line)]
    if len(vpc) != 1:
        raise AssertionError(f"{source}: expected one top-level 'Vpc:' block")
    block_end = next((i for i in range(vpc[0] + 1, len(lines)) if lines[i] and not lines[i][0].isspace()),
                     len(lines))
    block = lines[vpc[0] + 1:block_end]
    if not any(re.fullmatch(r"\s+MaxAZs:\s*1\s*", line) for line in block):
        raise AssertionError(f"{source}: the Vpc block no longer has MaxAZs: 1")
    block = [line for line in block if not re.match(r"\s+RestrictDefaultSecurityGroup:", line)]
    lines[vpc[0] + 1:block_end] = ["  RestrictDefaultSecurityGroup: false"] + block
    text = "\n".join(lines) + "\n"
    target.write_text(text, encoding="utf-8")
    return text


def copy_app_configs(examples: Path, root: Path) -> dict:
    """The app's configs in `root`/configs (the base config as write_base_config writes it, the
    leaves copied) and an empty `root`/home: {configs, base, base_text, leaves, home}."""
    configs = root / "configs"
    configs.mkdir()
    base = configs / "base-stack-config.yaml"
    base_text = write_base_config(examples / "base-stack-config.yaml", base)
    leaves = []
    for c in CONTAINERS.values():
        shutil.copy(examples / c["config"], configs / c["config"])
        leaves.append(configs / c["config"])
    home = root / "home"
    home.mkdir()
    return {"configs": configs, "base": base, "base_text": base_text, "leaves": leaves, "home": home}


def check_prerequisites(leafsynth, source_dir) -> Path:
    """Fails (never skips) without the binary, the examples, `aws` or `moto_server`; lets boto3
    talk to 127.0.0.1 directly. Returns examples/containermanager of the source dir."""
    if leafsynth is None or not Path(leafsynth).is_file():
        raise AssertionError(f"the leafsynth binary was not given or is missing: {leafsynth}")
    examples = (source_dir or Path("/nonexistent")) / "examples" / "containermanager"
    if not (examples / "base-stack-config.yaml").is_file():
        raise AssertionError(f"no examples/containermanager in the source dir {source_dir}")
    if not shutil.which("aws"):
        raise AssertionError("the AWS CLI ('aws') is not on PATH")
    if not shutil.which("moto_server"):
        raise AssertionError("moto_server is not on PATH (install moto[server]; see cmake/setup.sh)")
    for var in ("NO_PROXY", "no_proxy"):
        os.environ[var] = ",".join(filter(None, [os.environ.get(var), "127.0.0.1", "localhost"]))
    return examples


def _boto3_clients(endpoint: str):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60,
                    proxies={})
    cache = {}

    def client(service):
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=endpoint, config=config)
        return cache[service]
    return client


class ContainerManagerDeployTest(unittest.TestCase):
    """Synthesizes and deploys the app once (setUpClass), then checks what moto holds."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        examples = check_prerequisites(LEAFSYNTH, SOURCE_DIR)

        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-cm-deploy-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.dir = Path(cls.tmp.name)
        base_config = cls.dir / "base-stack-config.yaml"
        cls.base_config_text = write_base_config(examples / "base-stack-config.yaml", base_config)
        cls.assembly = cls.dir / "assembly"
        command = [str(LEAFSYNTH), "synth", *[str(examples / c["config"]) for c in CONTAINERS.values()],
                   "--base", str(base_config), "--region", REGION, "--account", ACCOUNT, "-o", str(cls.assembly)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        cls.manifest = json.loads((cls.assembly / "manifest.json").read_text())
        cls.templates = {p.name: json.loads(p.read_text()) for p in cls.assembly.glob("*.template.json")}
        # A custom resource would leave its stack CREATE_IN_PROGRESS on moto: fail fast instead.
        custom = [f"{name}: {logical} ({r['Type']})" for name, t in cls.templates.items()
                  for logical, r in t.get("Resources", {}).items()
                  if r["Type"].startswith("Custom::") or r["Type"] == "AWS::CloudFormation::CustomResource"]
        if custom:
            raise AssertionError("the assembly has custom resources although RestrictDefaultSecurityGroup is "
                                 "false:\n  " + "\n  ".join(custom))

        cls.moto = MotoServer(log_path=cls.dir / "moto.log")
        cls.addClassCleanup(cls.moto.stop)  # runs even when the deployment below fails
        cls.moto.start()
        cls.lines = []
        try:
            cls.results = deploy_assembly.deploy(cls.assembly, cls.moto.endpoint, ACCOUNT, timeout=180,
                                                 log=cls.lines.append)
        except DeployError as e:
            raise AssertionError(f"deployment failed: {e}\n--- moto log (tail) ---\n"
                                 f"{cls.moto.log_text()[-8000:]}") from e
        finally:
            print("\n".join(cls.lines), file=sys.stderr)
        cls.client = staticmethod(_boto3_clients(cls.moto.endpoint))

    # --- helpers ---------------------------------------------------------------------------------

    def resources(self, stack):
        """{logical id: resource} of a stack in moto (name or physical id of a nested stack)."""
        out = self.client("cloudformation").describe_stack_resources(StackName=stack)
        # moto lists a resource of a type it ignores (MOTO_NULL_TYPES) as an empty entry.
        return {r["LogicalResourceId"]: r for r in out["StackResources"] if r.get("LogicalResourceId")}

    def of_type(self, stack, resource_type):
        """The physical ids of a stack's resources of one type."""
        return [r["PhysicalResourceId"] for r in self.resources(stack).values() if r["ResourceType"] == resource_type]

    def one(self, stack, resource_type):
        ids = self.of_type(stack, resource_type)
        self.assertEqual(len(ids), 1, f"{stack}: one {resource_type} expected, got {ids}")
        return ids[0]

    def nested(self, leaf_stack):
        """{nested stack name (e.g. "EcsAsg"): physical stack id} of a leaf stack."""
        return {logical[:-len("NestedStack")]: r["PhysicalResourceId"]
                for logical, r in self.resources(leaf_stack).items()
                if r["ResourceType"] == "AWS::CloudFormation::Stack"}

    def exports(self):
        return {e["Name"]: e["Value"] for e in self.client("cloudformation").list_exports()["Exports"]}

    def leaf(self, container_id):
        """The physical ids of a container's main resources."""
        c = CONTAINERS[container_id]
        nested = self.nested(f"{c['stack']}-Stack")
        ecs_asg = nested["EcsAsg"]
        return {
            "nested": nested,
            "asg": self.one(ecs_asg, "AWS::AutoScaling::AutoScalingGroup"),
            "cluster": self.one(ecs_asg, "AWS::ECS::Cluster"),
            "capacity_provider": self.one(ecs_asg, "AWS::ECS::CapacityProvider"),
            "service": self.one(ecs_asg, "AWS::ECS::Service"),
            "launch_template": self.one(ecs_asg, "AWS::EC2::LaunchTemplate"),
            "task_definition": self.one(nested["Container"], "AWS::ECS::TaskDefinition"),
            "zone": self.one(f"{c['stack']}-DomainStack", "AWS::Route53::HostedZone"),
            "query_log_group": self.one(f"{c['stack']}-DomainStack", "AWS::Logs::LogGroup"),
        }

    def lambda_function(self, stack):
        name = self.one(stack, "AWS::Lambda::Function")
        return self.client("lambda").get_function(FunctionName=name)

    # --- stacks ----------------------------------------------------------------------------------

    def test_every_stack_complete_in_dependency_order(self):
        """Base -> per container Domain -> Leaf -> LinkTogether, each CREATE_COMPLETE."""
        order = expected_stack_order()
        self.assertEqual(self.results, [(name, "CREATE_COMPLETE") for name in order])
        artifacts = self.manifest["artifacts"]
        self.assertEqual(sorted(n for n, a in artifacts.items() if a["type"] == "aws:cloudformation:stack"),
                         sorted(order))
        for name in order:  # every dependency the manifest declares was created before
            for dep in artifacts[name].get("dependencies", []):
                if artifacts[dep]["type"] == "aws:cloudformation:stack":
                    self.assertLess(order.index(dep), order.index(name), f"{dep} before {name}")
        for c in CONTAINERS.values():  # the app's dependencies themselves
            deps = set(artifacts[f"{c['stack']}-Stack"]["dependencies"])
            self.assertTrue({BASE, f"{c['stack']}-DomainStack"} <= deps, deps)
            deps = set(artifacts[f"{c['stack']}-LinkTogetherStack"]["dependencies"])
            self.assertTrue({f"{c['stack']}-DomainStack", f"{c['stack']}-Stack"} <= deps, deps)
        stacks = {s["StackName"]: s for s in self.client("cloudformation").describe_stacks()["Stacks"]}
        for name in order:
            self.assertEqual(stacks[name]["StackStatus"], "CREATE_COMPLETE", name)
            self.assertIn(f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/", stacks[name]["StackId"])
        times = [stacks[name]["CreationTime"] for name in order]
        self.assertEqual(times, sorted(times), "CreationTime follows the deploy order")
        self.assertEqual([line.split(":")[0] for line in self.lines if not line.startswith(" ")], order)

    def test_nested_stacks_complete_with_every_resource(self):
        """Every leaf's nested stacks are CREATE_COMPLETE, and every stack holds every resource of its
        template, each CREATE_COMPLETE (none skipped as unsupported by moto)."""
        cfn = self.client("cloudformation")
        checked = []
        for c in CONTAINERS.values():
            leaf = f"{c['stack']}-Stack"
            nested = self.nested(leaf)
            expected = [n for n in NESTED if c["dashboard"] or n != "Dashboard"]
            self.assertEqual(sorted(nested), sorted(expected), leaf)
            for name, physical in nested.items():
                stack = cfn.describe_stacks(StackName=physical)["Stacks"][0]
                self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", f"{leaf}/{name}")
                self.assertTrue(any(line.strip().startswith(f"{leaf}/{name}NestedStack: CREATE_COMPLETE")
                                    for line in self.lines), f"{leaf}/{name} not in the deploy output")
            checked += [(leaf, leaf)] + [(f"{leaf}/{n}", p) for n, p in nested.items()]
            checked += [(f"{c['stack']}-{s}", f"{c['stack']}-{s}") for s in ("DomainStack", "LinkTogetherStack")]
        checked.append((BASE, BASE))
        self.assertEqual(len(checked), 10 + 20)
        for label, stack in checked:
            template = cfn.get_template(StackName=stack)["TemplateBody"]
            template = json.loads(template) if isinstance(template, str) else template
            wanted = {k for k, r in template["Resources"].items() if r["Type"] not in MOTO_NULL_TYPES}
            listed = cfn.describe_stack_resources(StackName=stack)["StackResources"]
            self.assertEqual(len(listed), len(template["Resources"]), label)
            resources = self.resources(stack)
            self.assertEqual(sorted(resources), sorted(wanted), f"{label}: resources in moto vs template")
            for logical, r in resources.items():
                self.assertEqual(r["ResourceStatus"], "CREATE_COMPLETE", f"{label}/{logical}")
                self.assertTrue(r.get("PhysicalResourceId"),
                                f"{label}/{logical} ({r['ResourceType']}) has no physical id")

    def test_assets_uploaded_unchanged(self):
        bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
        s3 = self.client("s3")
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            objects.update({o["Key"]: o for o in page.get("Contents", [])})
        sources = set()
        for artifact in self.manifest["artifacts"].values():
            if artifact["type"] != "cdk:asset-manifest":
                continue
            assets = json.loads((self.assembly / artifact["properties"]["file"]).read_text())
            self.assertEqual(assets.get("dockerImages") or {}, {})
            for asset in assets["files"].values():
                body = (self.assembly / asset["source"]["path"]).read_bytes()
                sources.add(asset["source"]["path"])
                for dest in asset["destinations"].values():
                    self.assertEqual(dest["bucketName"], bucket)
                    obj = objects.get(dest["objectKey"])
                    self.assertIsNotNone(obj, f"{asset['source']['path']} not uploaded to {dest['objectKey']}")
                    self.assertEqual(obj["Size"], len(body))
                    self.assertEqual(obj["ETag"].strip('"'), hashlib.md5(body).hexdigest())
        self.assertEqual({s for s in sources if s.endswith(".template.json")}, set(self.templates),
                         "every stack and nested template is an uploaded asset")
        self.assertEqual(len([s for s in sources if s.endswith(".zip")]), 3, "3 Lambda code assets")

    # --- Base and Domain stacks ------------------------------------------------------------------

    def test_base_stack_resources(self):
        exports = self.exports()
        ec2 = self.client("ec2")
        vpc_id = exports[f"{BASE}-VpcId"]
        self.assertEqual(vpc_id, self.one(BASE, "AWS::EC2::VPC"))
        subnets = ec2.describe_subnets(SubnetIds=[exports[f"{BASE}-PublicSubnet1Id"]])["Subnets"]
        self.assertEqual([s["VpcId"] for s in subnets], [vpc_id])
        self.assertEqual(len(self.of_type(BASE, "AWS::EC2::Subnet")), 1, "MaxAZs: 1 -> one public subnet")
        # The SSH key pair; as CloudFormation does, its private key is in SSM /ec2/keypair/<id>.
        key_name = exports[f"{BASE}-SshKeyPairName"]
        keys = ec2.describe_key_pairs(KeyNames=[key_name])["KeyPairs"]
        self.assertEqual([k["KeyType"] for k in keys], ["rsa"])
        private_key = self.client("ssm").get_parameter(Name=f"/ec2/keypair/{keys[0]['KeyPairId']}",
                                                       WithDecryption=True)["Parameter"]
        self.assertEqual(private_key["Type"], "SecureString")
        self.assertIn("PRIVATE KEY", private_key["Value"])
        # The notify topic, its policy and the ops subscription.
        sns = self.client("sns")
        topic = exports[f"{BASE}-SnsNotifyTopicArn"]
        self.assertEqual(topic, self.one(BASE, "AWS::SNS::Topic"))
        policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        self.assertIn({"Service": "cloudwatch.amazonaws.com"}, [s.get("Principal") for s in policy["Statement"]])
        self.assertIn("AllowPublishThroughSSLOnly", [s.get("Sid") for s in policy["Statement"]])
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual([(s["Protocol"], s["Endpoint"]) for s in subscriptions], [("email", "ops@games.example.com")])
        # The root zone, created for the domain.
        root = self.client("route53").get_hosted_zone(Id=exports[f"{BASE}-RootHostedZoneId"])["HostedZone"]
        self.assertEqual(root["Name"], f"{DOMAIN}.")

    def test_domain_stacks_delegate_sub_zones(self):
        route53 = self.client("route53")
        root_id = self.exports()[f"{BASE}-RootHostedZoneId"]
        root_records = route53.list_resource_record_sets(HostedZoneId=root_id)["ResourceRecordSets"]
        logs = self.client("logs")
        for container_id, c in CONTAINERS.items():
            name = f"{container_id}.{DOMAIN}."
            ids = self.leaf(container_id)
            zone = route53.get_hosted_zone(Id=ids["zone"])
            self.assertEqual(zone["HostedZone"]["Name"], name)
            records = {(r["Name"], r["Type"]): r for r in
                       route53.list_resource_record_sets(HostedZoneId=ids["zone"])["ResourceRecordSets"]}
            a_record = records[(name, "A")]
            self.assertEqual([v["Value"] for v in a_record["ResourceRecords"]], ["0.0.0.0"], name)
            self.assertEqual(a_record["TTL"], 1)
            # The root zone delegates the sub-domain to the sub zone's name servers.
            ns = [r for r in root_records if r["Name"] == name and r["Type"] == "NS"]
            self.assertEqual(len(ns), 1, f"NS record of {name} in the root zone")
            self.assertEqual(sorted(v["Value"] for v in ns[0]["ResourceRecords"]),
                             sorted(zone["DelegationSet"]["NameServers"]))
            groups = logs.describe_log_groups(logGroupNamePrefix=ids["query_log_group"])["logGroups"]
            self.assertEqual([(g["logGroupName"], g.get("retentionInDays")) for g in groups],
                             [(f"/aws/route53/{c['stack']}-DomainStack-query-logs", 1)])

    # --- Leaf stacks -----------------------------------------------------------------------------

    def test_ecs_cluster_capacity_provider_and_service(self):
        ecs = self.client("ecs")
        for container_id, c in CONTAINERS.items():
            ids = self.leaf(container_id)
            cluster_name = f"{c['stack']}-Stack-ecs-cluster"
            self.assertEqual(ids["cluster"], cluster_name)
            clusters = ecs.describe_clusters(clusters=[cluster_name])["clusters"]
            self.assertEqual([(cl["clusterName"], cl["status"]) for cl in clusters], [(cluster_name, "ACTIVE")])
            provider = ids["capacity_provider"]
            self.assertEqual(clusters[0]["capacityProviders"], [provider])
            self.assertEqual(clusters[0]["defaultCapacityProviderStrategy"],
                             [{"capacityProvider": provider, "weight": 1}])
            providers = ecs.describe_capacity_providers(capacityProviders=[provider])["capacityProviders"]
            self.assertEqual(len(providers), 1)
            asg_provider = providers[0]["autoScalingGroupProvider"]
            self.assertEqual(asg_provider["autoScalingGroupArn"], ids["asg"])  # ECS takes the ASG name too
            self.assertEqual(asg_provider["managedTerminationProtection"], "DISABLED")
            services = ecs.describe_services(cluster=cluster_name, services=[ids["service"]])["services"]
            self.assertEqual(len(services), 1)
            self.assertEqual(services[0]["desiredCount"], 0)
            self.assertEqual(services[0]["taskDefinition"], ids["task_definition"])
            task = ecs.describe_task_definition(taskDefinition=ids["task_definition"])["taskDefinition"]
            self.assertEqual(len(task["containerDefinitions"]), 1)
            container = task["containerDefinitions"][0]
            self.assertEqual(container["image"], c["image"])
            self.assertEqual({(p["containerPort"], p["protocol"]) for p in container["portMappings"]}, c["ports"])
            self.assertEqual({e["name"]: e["value"] for e in container.get("environment", [])}, c["environment"])
            self.assertEqual(container["logConfiguration"]["options"]["awslogs-group"],
                             f"/aws/ec2/{c['stack']}-Stack/Container/ContainerLogs")

    def test_auto_scaling_group_and_launch_template(self):
        autoscaling = self.client("autoscaling")
        ec2 = self.client("ec2")
        exports = self.exports()
        ami = self.client("ssm").get_parameter(Name=ECS_AMI_PARAMETER)["Parameter"]["Value"]
        self.assertRegex(ami, r"^ami-[0-9a-f]+$")
        for container_id, c in CONTAINERS.items():
            ids = self.leaf(container_id)
            groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ids["asg"]])["AutoScalingGroups"]
            self.assertEqual(len(groups), 1)
            group = groups[0]
            self.assertEqual((group["MinSize"], group["MaxSize"], group["DesiredCapacity"]), (0, 1, 0), container_id)
            self.assertEqual(group["VPCZoneIdentifier"], exports[f"{BASE}-PublicSubnet1Id"])
            self.assertEqual(group["LaunchTemplate"]["LaunchTemplateId"], ids["launch_template"])
            versions = ec2.describe_launch_template_versions(
                LaunchTemplateId=ids["launch_template"],
                Versions=[group["LaunchTemplate"]["Version"]])["LaunchTemplateVersions"]
            data = versions[0]["LaunchTemplateData"]
            self.assertEqual(data["InstanceType"], c["instance_type"])
            self.assertEqual(data["ImageId"], ami, "{{resolve:ssm:...}} resolved to the ECS optimized AMI")
            self.assertEqual(data["KeyName"], exports[f"{BASE}-SshKeyPairName"])
            container_sg = [g for g in self.of_type(ids["nested"]["SecurityGroups"], "AWS::EC2::SecurityGroup")
                            if g in data["SecurityGroupIds"]]
            self.assertEqual(len(container_sg), 1, data["SecurityGroupIds"])
            user_data = base64.b64decode(data["UserData"]).decode()
            self.assertIn(f"ECS_CLUSTER={ids['cluster']} >> /etc/ecs/ecs.config", user_data)
            for fs in self.of_type(ids["nested"]["Volumes"], "AWS::EFS::FileSystem"):
                self.assertIn(f"{fs}:/ /mnt/efs/", user_data)
            hooks = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=ids["asg"])["LifecycleHooks"]
            self.assertEqual([(h["LifecycleTransition"], h["HeartbeatTimeout"], h["DefaultResult"]) for h in hooks],
                             [("autoscaling:EC2_INSTANCE_TERMINATING", 300, "CONTINUE")])

    def test_lambda_functions_are_wired_to_the_asg(self):
        code_sha = {}
        for path in self.assembly.glob("asset.*.zip"):
            code_sha[base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()] = path.name
        logs = self.client("logs")
        events = self.client("events")
        for container_id, c in CONTAINERS.items():
            ids = self.leaf(container_id)
            # LinkTogether's StartSystem: spins the ASG up on a DNS query for the sub-domain.
            start = self.lambda_function(f"{c['stack']}-LinkTogetherStack")
            env = start["Configuration"]["Environment"]["Variables"]
            self.assertEqual(env["ASG_NAME"], ids["asg"], "ASG_NAME is the ASG's physical name")
            self.assertEqual(env["METRIC_NAMESPACE"], f"{c['stack']}-Stack")
            self.assertEqual(env["METRIC_THRESHOLD"], str(c["threshold"]))
            self.assertEqual(json.loads(env["METRIC_DIMENSIONS"]), {"ContainerNameID": container_id})
            self.assertIn(start["Configuration"]["CodeSha256"], code_sha, "code is an uploaded asset")
            filters = logs.describe_subscription_filters(logGroupName=ids["query_log_group"])["subscriptionFilters"]
            self.assertEqual([(f["destinationArn"], f["filterPattern"]) for f in filters],
                             [(start["Configuration"]["FunctionArn"], f'" {container_id}.{DOMAIN} A "')])
            # ... which CloudWatch Logs may invoke for that log group.
            permission = self.one(f"{c['stack']}-LinkTogetherStack", "AWS::Lambda::Permission")
            policy = json.loads(self.client("lambda").get_policy(
                FunctionName=start["Configuration"]["FunctionName"])["Policy"])
            statements = [st for st in policy["Statement"] if st["Sid"] == permission]
            self.assertEqual(len(statements), 1, policy)
            self.assertEqual(statements[0]["Action"], "lambda:InvokeFunction")
            self.assertIn("logs.amazonaws.com", json.dumps(statements[0]["Principal"]))
            self.assertIn(ids["query_log_group"], json.dumps(statements[0].get("Condition")))
            # Watchdog's BreakCrashLoop: spins the ASG down.
            crash = self.lambda_function(ids["nested"]["Watchdog"])
            self.assertEqual(crash["Configuration"]["Environment"]["Variables"]["ASG_NAME"], ids["asg"])
            self.assertIn(crash["Configuration"]["CodeSha256"], code_sha)
            # AsgStateChangeHook: keeps the A record in sync with the task.
            hook = self.lambda_function(ids["nested"]["AsgStateChangeHook"])
            env = hook["Configuration"]["Environment"]["Variables"]
            self.assertEqual(env["ECS_CLUSTER_NAME"], ids["cluster"])
            self.assertEqual(env["ECS_SERVICE_NAME"], ids["service"].rsplit("/", 1)[-1])
            self.assertEqual(env["HOSTED_ZONE_ID"], ids["zone"])
            self.assertEqual(env["DOMAIN_NAME"], f"{container_id}.{DOMAIN}")
            self.assertIn(hook["Configuration"]["CodeSha256"], code_sha)
            self.assertEqual(len({start["Configuration"]["CodeSha256"], crash["Configuration"]["CodeSha256"],
                                  hook["Configuration"]["CodeSha256"]}), 3)
            rules = self.of_type(ids["nested"]["AsgStateChangeHook"], "AWS::Events::Rule")
            self.assertEqual(len(rules), 2)
            for rule in rules:
                name = rule.split("/")[-1]
                pattern = json.loads(events.describe_rule(Name=name)["EventPattern"])
                self.assertEqual(pattern["detail"]["AutoScalingGroupName"], [ids["asg"]])
                targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
                self.assertIn(hook["Configuration"]["FunctionArn"], targets)

    def test_efs_volumes(self):
        efs = self.client("efs")
        ec2 = self.client("ec2")
        subnet = self.exports()[f"{BASE}-PublicSubnet1Id"]
        for container_id, c in CONTAINERS.items():
            ids = self.leaf(container_id)
            file_systems = self.of_type(ids["nested"]["Volumes"], "AWS::EFS::FileSystem")
            described = {}
            for fs_id in file_systems:
                fs = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
                described[fs["Name"].rsplit("/", 1)[-1]] = fs
                self.assertEqual(fs["Name"].rsplit("/", 1)[0], f"{c['stack']}-Stack/Volumes")
            self.assertEqual(sorted(described), sorted(c["volumes"]), container_id)
            sg_efs, sg_container = None, None
            for sg in self.of_type(ids["nested"]["SecurityGroups"], "AWS::EC2::SecurityGroup"):
                permissions = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
                if any(p.get("FromPort") == 2049 for p in permissions):
                    sg_efs = (sg, permissions)
                else:
                    sg_container = sg
            for label, (backups, paths) in c["volumes"].items():
                fs = described[label]
                self.assertTrue(fs["Encrypted"])
                try:
                    backup = efs.describe_backup_policy(FileSystemId=fs["FileSystemId"])["BackupPolicy"]["Status"]
                except efs.exceptions.PolicyNotFound:
                    backup = "DISABLED"
                self.assertEqual(backup, "ENABLED" if backups else "DISABLED", f"{container_id} {label}")
                policy = json.loads(efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])
                self.assertEqual(sorted(policy["Statement"][0]["Action"]),
                                 ["elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"])
                points = efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
                self.assertEqual(sorted(p["RootDirectory"]["Path"] for p in points), sorted(paths | {"/"}))
                targets = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
                self.assertEqual([t["SubnetId"] for t in targets], [subnet])
                groups = efs.describe_mount_target_security_groups(MountTargetId=targets[0]["MountTargetId"])
                self.assertEqual(groups["SecurityGroups"], [sg_efs[0]])
            if c["volumes"]:  # NFS from the container's security group only
                pairs = [g["GroupId"] for p in sg_efs[1] if p.get("FromPort") == 2049 for g in p["UserIdGroupPairs"]]
                self.assertEqual(pairs, [sg_container])

    def test_watchdog_alarms_and_dashboards(self):
        cloudwatch = self.client("cloudwatch")
        autoscaling = self.client("autoscaling")
        dashboards = {d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]}
        for container_id, c in CONTAINERS.items():
            ids = self.leaf(container_id)
            name = f"Container Activity ({c['stack']}-Stack)"
            alarms = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
            self.assertEqual(len(alarms), 1, name)
            alarm = alarms[0]
            self.assertEqual(alarm["Threshold"], c["threshold"])
            self.assertEqual(alarm["EvaluationPeriods"], c["minutes"])
            self.assertEqual(alarm["ComparisonOperator"], "LessThanOrEqualToThreshold")
            metrics = {m["Id"]: m for m in alarm["Metrics"]}
            self.assertEqual(metrics["expr_1"]["Expression"], "traffic + dns_hit")
            self.assertEqual(metrics["b_in"]["MetricStat"]["Metric"]["Dimensions"],
                             [{"Name": "AutoScalingGroupName", "Value": ids["asg"]}])
            policies = autoscaling.describe_policies(AutoScalingGroupName=ids["asg"])["ScalingPolicies"]
            self.assertEqual(len(policies), 1)
            self.assertEqual((policies[0]["PolicyType"], policies[0]["AdjustmentType"]),
                             ("StepScaling", "ExactCapacity"))
            self.assertEqual({s["ScalingAdjustment"] for s in policies[0]["StepAdjustments"]}, {0})
            self.assertEqual(alarm["AlarmActions"], [policies[0]["PolicyARN"]], "scales the ASG down to 0")
            for other in ("Instance Left Up", "Break Crash Loop"):
                self.assertEqual(len(cloudwatch.describe_alarms(
                    AlarmNames=[f"{other} ({c['stack']}-Stack)"])["MetricAlarms"]), 1, other)
            dashboard = f"{c['stack']}-Dashboard"
            self.assertEqual(dashboard in dashboards, c["dashboard"], dashboard)
            if c["dashboard"]:
                body = json.loads(cloudwatch.get_dashboard(DashboardName=dashboard)["DashboardBody"])
                self.assertIn(ids["asg"], json.dumps(body))
            subscriptions = self.client("sns").list_subscriptions_by_topic(
                TopicArn=self.one(f"{c['stack']}-Stack", "AWS::SNS::Topic"))["Subscriptions"]
            self.assertEqual({(s["Protocol"], s["Endpoint"]) for s in subscriptions}, c["subscriptions"])

    def test_base_config_written(self):
        self.assertRegex(self.base_config_text, r"(?m)^Vpc:\n  RestrictDefaultSecurityGroup: false\n  MaxAZs: 1$")
        self.assertIn(f"Name: {DOMAIN}", self.base_config_text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
