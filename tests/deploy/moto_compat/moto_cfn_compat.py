"""Fixes for moto's CloudFormation that leafsynth's templates need, emulating real CloudFormation.

moto 5.2.1 cannot create these stacks of a valid template (1-5 crash create-stack with HTTP 500,
leaving the stack in CREATE_IN_PROGRESS; 6-9 give a wrong Ref):
  1. AWS::SSM::Parameter without Name (optional in CloudFormation, which then generates one):
     moto/ssm/models.py Parameter.create_from_cloudformation_json passes properties.get("Name") =
     None to put_parameter -> AttributeError: 'NoneType' object has no attribute 'lower'. It ignores
     the resource name moto's parser generated (<stack>-<logical id>-<suffix>); the fix uses it.
  2. AWS::SSM::Parameter Tags, a key-value map in CloudFormation ({"Project": "x"}): put_parameter
     reads them as a list of {"Key", "Value"} -> TypeError: string indices must be integers. The fix
     turns the map into that list.
  3. Fn::GetAtt [<nested stack>, "Outputs.<name>"]: moto's Stack model (the resource class of
     AWS::CloudFormation::Stack) has no get_cfn_attribute -> AttributeError: 'Stack' object has no
     attribute 'get_cfn_attribute'. The fix returns the nested stack's output value.
  4. Fn::GetAtt [<hosted zone>, "NameServers" | "Id"] (AWS::Route53::HostedZone): moto's FakeZone
     (moto/route53/models.py) has no get_cfn_attribute -> AttributeError. The fix returns the name
     servers of the zone's delegation set / the zone id.
  5. Fn::GetAtt [<file system>, "Arn" | "FileSystemId"] (AWS::EFS::FileSystem): moto's FileSystem
     (moto/efs/models.py) has no get_cfn_attribute -> AttributeError. Its
     create_from_cloudformation_json also drops FileSystemPolicy; the fix applies it with the
     backend's put_file_system_policy, as CloudFormation does (describe-file-system-policy sees it).
  6. AWS::EFS::AccessPoint (moto/efs/models.py AccessPoint) has no physical_resource_id, so its Ref
     resolves to the Python object instead of an id, and no get_cfn_attribute. The fix: Ref = the
     access point id (fsap-...); GetAtt Arn / AccessPointId.
  7. AWS::EC2::SecurityGroupIngress (moto/ec2/models/security_groups.py SecurityGroupIngress) has
     no physical_resource_id: describe-stack-resources lists it without a PhysicalResourceId and its
     Ref resolves to the Python object. The fix: Ref = the id of the rule it adds (sgr-...), as in
     CloudFormation.
  8. AWS::Lambda::Permission (moto/awslambda/models.py Permission) has no physical_resource_id
     either, and its policy statement gets a random Sid. The fix: the statement id is the resource's
     physical id (<stack>-<logical id>-<suffix>, unless StatementId is given), which Ref returns.
  9. AWS::CloudFormation::Stack (moto/cloudformation/models.py Stack.physical_resource_id) returns
     the nested stack's name, so ListStackResources / DescribeStackResources give the name as its
     PhysicalResourceId and Ref gives the name; CloudFormation gives the nested stack's id (ARN),
     which tools reading deployed stacks (leafsynth diff) get. The fix: the stack id.
moto 5.2.1 has no dynamic references:
 10. "{{resolve:ssm:NAME}}" / "{{resolve:ssm:NAME:VERSION}}" in resource properties stay literal
     strings (moto/cloudformation/parsing.py clean_json never resolves them: a launch template's
     ImageId would be "{{resolve:ssm:/aws/service/ecs/...}}"). The fix resolves them from moto's SSM
     backend when the properties are parsed, like CloudFormation; a missing parameter fails
     create-stack (ValidationError "Parameters: [NAME] cannot be found."), as in CloudFormation.
     moto's SSM backend already serves the AWS public parameters the ContainerManager templates use
     (/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id, loaded on demand from
     moto/ssm/resources/ecs/optimized_amis/<region>.json), so nothing needs seeding.
moto 5.2.1 has no CloudFormation model for these resource types, although its service backends
implement them (moto/cloudformation/parsing.py resource_class_from_type logs "No Moto CloudFormation
support for <type>" and skips the resource: the stack completes without it, its Ref resolves to None
and an Fn::GetAtt on it fails create-stack with "Fn::GetAtt references undefined resource"). The
fix registers a model for each that calls the backend, as the service's API would:
 11. AWS::EC2::KeyPair -> ec2 create_key_pair / import_key_pair (Ref = KeyName; GetAtt KeyPairId,
     KeyFingerprint). As CloudFormation does, a created key's private key is stored as the
     SecureString SSM parameter /ec2/keypair/<key pair id>.
 12. AWS::SNS::TopicPolicy -> sns set_topic_attribute("policy") on each topic (Ref = generated id).
 13. AWS::SNS::Subscription -> sns subscribe (Ref = the subscription ARN).
 14. AWS::AutoScaling::LifecycleHook -> autoscaling create_lifecycle_hook (Ref = the hook name).
 15. AWS::AutoScaling::ScalingPolicy -> autoscaling put_scaling_policy (Ref and GetAtt Arn = the
     policy ARN; GetAtt PolicyName).
 16. AWS::CloudWatch::Alarm -> cloudwatch put_metric_alarm, metric math (Metrics) built as
     moto/cloudwatch/responses.py put_metric_alarm builds it (Ref = the alarm name; GetAtt Arn).
 17. AWS::ECS::CapacityProvider -> ecs create_capacity_provider (Ref = the name).
 18. AWS::ECS::ClusterCapacityProviderAssociations -> ecs put_cluster_capacity_providers (Ref = the
     cluster name).
 19. AWS::Logs::SubscriptionFilter -> logs put_subscription_filter (which checks that a Lambda
     destination exists; Ref = the filter name).
Each fix only fills in what moto lacks (a model is only registered for a type moto has no model
for), so it is harmless on a moto that has fixed the bug.

Use in-process (before moto creates stacks):  import moto_cfn_compat; moto_cfn_compat.apply()
Use with moto_server: put this folder on PYTHONPATH and set LEAFSYNTH_MOTO_COMPAT=1; the
sitecustomize.py next to this file then applies the fixes when the server's interpreter starts.
"""
from __future__ import annotations

import json
import re
from typing import Any

_applied: list[str] = []


def _fix_ssm_parameter() -> str:
    from moto.ssm.models import Parameter

    original = Parameter.create_from_cloudformation_json.__func__
    if getattr(original, "_leafsynth_compat", False):
        return "ssm-parameter (already applied)"

    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,
                                        account_id: str, region_name: str, **kwargs: Any):
        properties = cloudformation_json.setdefault("Properties", {})
        if not properties.get("Name"):
            properties["Name"] = resource_name
        tags = properties.get("Tags")
        if isinstance(tags, dict):
            properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    create_from_cloudformation_json._leafsynth_compat = True  # type: ignore[attr-defined]
    Parameter.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    return "ssm-parameter-name-and-tags"


def _fix_nested_stack_outputs() -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.cloudformation.models import Stack

    if hasattr(Stack, "get_cfn_attribute"):
        return "nested-stack-outputs (moto has it)"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        prefix = "Outputs."
        if attribute_name.startswith(prefix):
            key = attribute_name[len(prefix):]
            if key in list(self.output_map.outputs):
                output = self.output_map[key]
                if output is not None:
                    return output.value
        raise UnformattedGetAttTemplateException()

    Stack.get_cfn_attribute = get_cfn_attribute
    return "nested-stack-outputs"


def _fix_nested_stack_physical_id() -> str:
    from types import SimpleNamespace

    from moto.cloudformation.models import Stack

    getter = getattr(Stack.__dict__.get("physical_resource_id"), "fget", None)
    probe = SimpleNamespace(name="name", stack_id="arn:aws:cloudformation:r:a:stack/name/id")
    if getter is None or getter(probe) != "name":
        return "nested-stack-physical-id (moto has it)"
    # CloudFormation: a nested stack's physical id (ListStackResources / DescribeStackResources
    # PhysicalResourceId, Ref) is its stack id (ARN). moto's own use of it, deleting the nested stack
    # with its parent (parsing.py ResourceMap._delete_resource -> backend delete_stack), takes an id.
    Stack.physical_resource_id = property(lambda self: self.stack_id)
    return "nested-stack-physical-id"


def _fix_hosted_zone_attributes() -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.route53.models import FakeZone

    if hasattr(FakeZone, "get_cfn_attribute"):
        return "hosted-zone-attributes (moto has it)"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Id":
            return self.resource_id
        if attribute_name == "NameServers":
            return list(self.delegation_set.name_servers) if self.delegation_set else []
        raise UnformattedGetAttTemplateException()

    FakeZone.get_cfn_attribute = get_cfn_attribute
    return "hosted-zone-attributes"


def _fix_efs() -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.efs.models import AccessPoint, FileSystem, efs_backends

    fixed = []
    if not hasattr(FileSystem, "get_cfn_attribute"):
        def fs_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                return self.file_system_arn
            if attribute_name == "FileSystemId":
                return self.file_system_id
            raise UnformattedGetAttTemplateException()

        FileSystem.get_cfn_attribute = fs_attribute
        fixed.append("efs-file-system-attributes")

    original = FileSystem.create_from_cloudformation_json.__func__
    if not getattr(original, "_leafsynth_compat", False):
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,
                                            account_id: str, region_name: str, **kwargs: Any):
            fs = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
            policy = (cloudformation_json.get("Properties") or {}).get("FileSystemPolicy")
            if policy and not fs.file_system_policy:
                efs_backends[account_id][region_name].put_file_system_policy(
                    fs.file_system_id, policy if isinstance(policy, str) else json.dumps(policy),
                    bypass_policy_lockout_safety_check=False)
            return fs

        create_from_cloudformation_json._leafsynth_compat = True  # type: ignore[attr-defined]
        FileSystem.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
        fixed.append("efs-file-system-policy")

    if not hasattr(AccessPoint, "physical_resource_id"):
        AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)
        fixed.append("efs-access-point-ref")
    if not hasattr(AccessPoint, "get_cfn_attribute"):
        def ap_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                return self.access_point_arn
            if attribute_name == "AccessPointId":
                return self.access_point_id
            raise UnformattedGetAttTemplateException()

        AccessPoint.get_cfn_attribute = ap_attribute
        fixed.append("efs-access-point-attributes")
    return ", ".join(fixed) or "efs (moto has it)"


def _fix_security_group_ingress_ref() -> str:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.security_groups import SecurityGroupIngress

    if hasattr(SecurityGroupIngress, "physical_resource_id"):
        return "security-group-ingress-ref (moto has it)"
    original = SecurityGroupIngress.create_from_cloudformation_json.__func__

    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,
                                        account_id: str, region_name: str, **kwargs: Any):
        props = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        # the group, looked up as the original does, to tell the rule it adds from the others
        group = (backend.describe_security_groups(group_ids=[props["GroupId"]]) if props.get("GroupId")
                 else backend.describe_security_groups(groupnames=[props.get("GroupName")]))[0]
        before = {rule.id for rule in group.ingress_rules}
        ingress = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        added = [rule.id for rule in group.ingress_rules if rule.id not in before]
        ingress.rule_id = added[0] if added else resource_name
        return ingress

    SecurityGroupIngress.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    SecurityGroupIngress.physical_resource_id = property(lambda self: self.rule_id)
    return "security-group-ingress-ref"


def _fix_lambda_permission_ref() -> str:
    from moto.awslambda.models import Permission

    if hasattr(Permission, "physical_resource_id"):
        return "lambda-permission-ref (moto has it)"
    original = Permission.create_from_cloudformation_json.__func__

    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,
                                        account_id: str, region_name: str, **kwargs: Any):
        # CloudFormation names the statement after the resource's physical id; moto's
        # Policy.decode_policy (moto/awslambda/policy.py) would give it a random uuid.
        properties = cloudformation_json["Properties"]
        properties.setdefault("StatementId", resource_name)
        permission = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        permission.statement_id = properties["StatementId"]
        return permission

    Permission.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    Permission.physical_resource_id = property(lambda self: self.statement_id)
    return "lambda-permission-ref"


_SSM_REFERENCE = re.compile(r"\{\{resolve:ssm:([a-zA-Z0-9_.\-/]+)(?::(\d+))?\}\}")


def _fix_ssm_dynamic_references() -> str:
    from moto.cloudformation import parsing
    from moto.cloudformation.exceptions import ValidationError
    from moto.ssm.models import ssm_backends

    original = parsing.clean_json
    if getattr(original, "_leafsynth_compat", False):
        return "ssm-dynamic-references (already applied)"

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, str) and "{{resolve:ssm:" in resource_json:
            backend = ssm_backends[resources_map._account_id][resources_map._region_name]

            def resolve(match: re.Match) -> str:
                name, version = match.group(1), match.group(2)
                parameter = backend.get_parameter(f"{name}:{version}" if version else name)
                if parameter is None:
                    raise ValidationError(message=f"Parameters: [{name}] cannot be found.")
                return parameter.value

            return _SSM_REFERENCE.sub(resolve, resource_json)
        return original(resource_json, resources_map)

    clean_json._leafsynth_compat = True  # type: ignore[attr-defined]
    # clean_json recurses through the module global, so nested values are resolved too.
    parsing.clean_json = clean_json
    return "ssm-dynamic-references"


# --- CloudFormation models for resource types moto has a backend but no model for ----------------


def _tag_list(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):
        return [{"Key": k, "Value": v} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags or []]


def _camel_keys(value: Any) -> Any:
    """PascalCase CloudFormation keys -> the camelCase of the JSON APIs (ECS)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


# moto's model metaclass (moto/core/base_backend.py InstanceTrackerMeta) files every model under the
# service named by the second part of its module ("moto.<service>...").
_MODULE = "moto.leafsynth_compat"


def _define_models() -> dict[str, type]:
    from moto.autoscaling.models import autoscaling_backends
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.cloudwatch.models import (Dimension, Metric, MetricDataQuery, MetricStat,
                                        cloudwatch_backends)
    from moto.core.common_models import CloudFormationModel
    from moto.ec2.models import ec2_backends
    from moto.ecs.models import ecs_backends
    from moto.logs.models import logs_backends
    from moto.sns.models import sns_backends
    from moto.ssm.models import ssm_backends

    class _Model:
        """A created resource: its Ref value and its Fn::GetAtt attributes. (A mixin: moto lists the
        direct subclasses of CloudFormationModel as its models.)"""
        TYPE = ""
        NAME_PROPERTY = ""

        def __init__(self, ref: str, attributes: dict[str, Any] | None = None):
            self.ref = ref
            self.attributes = attributes or {}

        @property
        def physical_resource_id(self) -> str:
            return self.ref

        @classmethod
        def cloudformation_type(cls) -> str:
            return cls.TYPE

        @classmethod
        def cloudformation_name_type(cls) -> str:
            return cls.NAME_PROPERTY

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name in self.attributes:
                return self.attributes[attribute_name]
            raise UnformattedGetAttTemplateException()

    class KeyPairModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::EC2::KeyPair"
        NAME_PROPERTY = "KeyName"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            backend = ec2_backends[account_id][region_name]
            tags = {t["Key"]: t["Value"] for t in _tag_list(props.get("Tags"))}
            if props.get("PublicKeyMaterial"):
                key = backend.import_key_pair(resource_name, props["PublicKeyMaterial"].encode(), tags)
            else:
                key = backend.create_key_pair(resource_name, props.get("KeyType", "rsa"), tags)
                ssm_backends[account_id][region_name].put_parameter(
                    name=f"/ec2/keypair/{key.id}", description=None, value=key.key_material,
                    parameter_type="SecureString", allowed_pattern=None, keyid=None,
                    overwrite=False, tags=[], data_type="text", tier=None, policies=None)
            return cls(key.key_name, {"KeyPairId": key.id, "KeyFingerprint": key.key_fingerprint})

    class TopicPolicyModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::SNS::TopicPolicy"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            document = props["PolicyDocument"]
            policy = document if isinstance(document, str) else json.dumps(document)
            backend = sns_backends[account_id][region_name]
            for topic_arn in props["Topics"]:
                backend.set_topic_attribute(topic_arn, "policy", policy)
            return cls(resource_name)

    class SubscriptionModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::SNS::Subscription"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            subscription = sns_backends[account_id][region_name].subscribe(
                props["TopicArn"], props.get("Endpoint"), props["Protocol"])
            return cls(subscription.arn)

    class LifecycleHookModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::AutoScaling::LifecycleHook"
        NAME_PROPERTY = "LifecycleHookName"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            timeout = props.get("HeartbeatTimeout")
            hook = autoscaling_backends[account_id][region_name].create_lifecycle_hook(
                name=resource_name, as_name=props["AutoScalingGroupName"],
                transition=props.get("LifecycleTransition"),
                timeout=int(timeout) if timeout is not None else None,
                result=props.get("DefaultResult"))
            return cls(hook.name)

    class ScalingPolicyModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::AutoScaling::ScalingPolicy"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            adjustment = props.get("ScalingAdjustment")
            cooldown = props.get("Cooldown")
            policy = autoscaling_backends[account_id][region_name].put_scaling_policy(
                name=resource_name, policy_type=props.get("PolicyType", "SimpleScaling"),
                metric_aggregation_type=props.get("MetricAggregationType"),
                adjustment_type=props.get("AdjustmentType"),
                as_name=props["AutoScalingGroupName"],
                min_adjustment_magnitude=props.get("MinAdjustmentMagnitude"),
                scaling_adjustment=int(adjustment) if adjustment is not None else None,
                cooldown=int(cooldown) if cooldown is not None else None,
                target_tracking_config=props.get("TargetTrackingConfiguration", {}),
                step_adjustments=props.get("StepAdjustments", []),
                estimated_instance_warmup=props.get("EstimatedInstanceWarmup"),
                predictive_scaling_configuration=props.get("PredictiveScalingConfiguration", {}))
            return cls(policy.arn, {"Arn": policy.arn, "PolicyName": policy.name})

    class AlarmModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::CloudWatch::Alarm"
        NAME_PROPERTY = "AlarmName"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            queries = None
            if props.get("Metrics"):  # as moto/cloudwatch/responses.py put_metric_alarm
                queries = []
                for m in props["Metrics"]:
                    stat = None
                    details = m.get("MetricStat") or {}
                    metric = details.get("Metric") or {}
                    if metric.get("MetricName"):
                        stat = MetricStat(
                            metric=Metric(metric_name=metric["MetricName"],
                                          namespace=metric.get("Namespace"),
                                          dimensions=[Dimension(name=d.get("Name"), value=d.get("Value"))
                                                      for d in metric.get("Dimensions", [])]),
                            period=details.get("Period"), stat=details.get("Stat"),
                            unit=details.get("Unit"))
                    queries.append(MetricDataQuery(
                        query_id=m.get("Id"), label=m.get("Label"), period=m.get("Period"),
                        return_data=m.get("ReturnData"), expression=m.get("Expression"),
                        metric_stat=stat))
            alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
                name=resource_name, namespace=props.get("Namespace"),
                metric_name=props.get("MetricName"), metric_data_queries=queries,
                comparison_operator=props.get("ComparisonOperator"),
                evaluation_periods=props.get("EvaluationPeriods"),
                datapoints_to_alarm=props.get("DatapointsToAlarm"), period=props.get("Period"),
                threshold=props.get("Threshold"), statistic=props.get("Statistic"),
                extended_statistic=props.get("ExtendedStatistic"),
                description=props.get("AlarmDescription"), dimensions=props.get("Dimensions", []),
                alarm_actions=props.get("AlarmActions", []), ok_actions=props.get("OKActions", []),
                insufficient_data_actions=props.get("InsufficientDataActions", []),
                unit=props.get("Unit"), actions_enabled=props.get("ActionsEnabled", True),
                treat_missing_data=props.get("TreatMissingData"),
                evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
                threshold_metric_id=props.get("ThresholdMetricId"),
                tags=_tag_list(props.get("Tags")))
            return cls(alarm.name, {"Arn": alarm.alarm_arn})

    class CapacityProviderModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::ECS::CapacityProvider"
        NAME_PROPERTY = "Name"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            provider = ecs_backends[account_id][region_name].create_capacity_provider(
                resource_name, _camel_keys(props.get("AutoScalingGroupProvider") or {}),
                [{"key": t["Key"], "value": t["Value"]} for t in _tag_list(props.get("Tags"))])
            return cls(provider.name)

    class ClusterCapacityProviderAssociationsModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::ECS::ClusterCapacityProviderAssociations"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            cluster = ecs_backends[account_id][region_name].put_cluster_capacity_providers(
                props["Cluster"], props.get("CapacityProviders", []),
                _camel_keys(props["DefaultCapacityProviderStrategy"]))
            return cls(cluster.name)

    class SubscriptionFilterModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::Logs::SubscriptionFilter"
        NAME_PROPERTY = "FilterName"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            props = cloudformation_json["Properties"]
            logs_backends[account_id][region_name].put_subscription_filter(
                log_group_name=props["LogGroupName"], filter_name=resource_name,
                filter_pattern=props["FilterPattern"], destination_arn=props["DestinationArn"],
                role_arn=props.get("RoleArn"))
            return cls(resource_name)

    return {m.TYPE: m for m in (KeyPairModel, TopicPolicyModel, SubscriptionModel, LifecycleHookModel,
                                ScalingPolicyModel, AlarmModel, CapacityProviderModel,
                                ClusterCapacityProviderAssociationsModel, SubscriptionFilterModel)}


def _fix_missing_models() -> str:
    from moto.cloudformation import parsing

    existing = set(parsing.get_model_map())  # before defining ours (they register as subclasses)
    models = _define_models()
    missing = [t for t in models if t not in existing]
    if len(missing) != len(models):
        # moto has a model of its own for some type: keep moto's, drop ours from the subclass list.
        original = parsing.get_model_list.__wrapped__
        ours = {models[t] for t in models if t in existing}

        def get_model_list() -> list:
            return [m for m in original() if m not in ours]

        parsing.get_model_list = parsing.lru_cache(get_model_list)
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    return "models: " + " ".join(t.split("::", 1)[1] for t in missing) if missing else "models (moto has them)"


def apply() -> list[str]:
    """Applies the fixes (idempotent); returns their names."""
    if not _applied:
        _applied.extend([_fix_ssm_parameter(), _fix_nested_stack_outputs(), _fix_nested_stack_physical_id(),
                         _fix_hosted_zone_attributes(),
                         _fix_efs(), _fix_security_group_ingress_ref(), _fix_lambda_permission_ref(),
                         _fix_ssm_dynamic_references(), _fix_missing_models()])
    return list(_applied)
