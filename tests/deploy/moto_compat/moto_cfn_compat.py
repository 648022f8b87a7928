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
 20. AWS::S3::BucketPolicy -> s3 put_bucket_policy on the bucket (Ref = generated id; the policy is
     removed when the resource is deleted). Without it ListStackResources lists the skipped resource
     with an empty LogicalResourceId and PhysicalResourceId (the bootstrap stack CDKToolkit has one).
moto 5.2.1 lacks these attributes and API behaviours of CloudFormation that `leafsynth deploy` (change
sets, as `cdk deploy`) relies on:
 21. Fn::GetAtt [<parameter>, "Value" | "Type"] (AWS::SSM::Parameter): moto's Parameter
     (moto/ssm/models.py) has no get_cfn_attribute -> AttributeError (the bootstrap stack's
     BootstrapVersion output). The fix returns the parameter's value / type.
 22. TemplateURL on any host: moto/cloudformation/utils.py get_stack_from_s3_url reads /<bucket>/<key>
     only when the URL contains "localhost" or the host is s3*.amazonaws.com, so for the path-style
     http://127.0.0.1:PORT/<bucket>/<key> of a local endpoint it reads bucket "127" (NoSuchBucket).
     The fix reads virtual-hosted URLs (https://<bucket>.s3[.<region>].amazonaws.com/<key>) by their
     host and every other URL path-style, from moto's S3 backend, as CloudFormation reads its S3
     URLs; it replaces the function in utils, models (nested stacks) and responses (CreateStack,
     UpdateStack, CreateChangeSet, GetTemplateSummary, ValidateTemplate).
 23. Change set execution (moto/cloudformation/models.py CloudFormationBackend.execute_change_set,
     ChangeSet.apply): a CREATE change set's stack keeps the resource and output maps of the empty
     template moto created it with (no Outputs in DescribeStacks, no exports, so a later stack's
     Fn::ImportValue fails; its Fn::ImportValue cannot see other stacks' exports either), and an
     UPDATE change set applies the resources but keeps the old outputs and exports. The fix executes
     a CREATE change set as CreateStack and an UPDATE one as UpdateStack (below), and fails a change
     set that is not AVAILABLE, as CloudFormation does. UpdateStack itself (Stack.update) rebuilt the
     outputs but never the backend's exports (ListExports kept removed exports and missed new ones):
     the fix replaces the stack's exports after the update, refusing as CloudFormation an export name
     another stack already exports. Stack events: moto records the stack's own events only; the fix
     records each resource's CREATE/UPDATE/DELETE_IN_PROGRESS and _COMPLETE (or CREATE_FAILED with
     the error) as moto/cloudformation/parsing.py parse_and_create_resource,
     parse_and_update_resource and ResourceMap._delete_resource run, and an update's
     UPDATE_COMPLETE_CLEANUP_IN_PROGRESS. (moto still deletes an update's removed resources before
     it creates the added ones, and a rollback re-creates them.)
 24. ListImports (not implemented in moto/cloudformation/responses.py: HTTP 500): the names of the
     stacks whose templates import the export (Fn::ImportValue of a literal, or of a Fn::Sub /
     Fn::Join / Ref ... resolved as moto resolves it), else ValidationError "Export 'X' is not
     imported by any stack.". Exports in use: moto lets an update remove (or change) an export that
     another stack imports, and CloudFormationBackend.delete_stack deletes a stack whose export is
     imported. As CloudFormation, the update then fails ("Export X cannot be deleted as it is in use
     by Y" / "Cannot update export X as it is in use by Y") and rolls back to the previous template
     (UPDATE_ROLLBACK_IN_PROGRESS -> UPDATE_ROLLBACK_COMPLETE), and the deletion ends DELETE_FAILED
     with that reason, the stack and its resources kept.
 25. UpdateTerminationProtection (not implemented in moto/cloudformation/responses.py): stored on the
     stack (DescribeStacks EnableTerminationProtection, which CreateStack's parameter also sets), and
     CloudFormationBackend.delete_stack, which ignored it, refuses a protected stack (ValidationError
     "Stack [X] cannot be deleted while TerminationProtection is enabled").
Test hook (not a moto fix; real CloudFormation ignores Metadata it does not know):
 26. Lambda-backed custom resources (moto/cloudformation/custom_model.py CustomModel) run their
     function only in Docker, which this machine lacks, and answer through a response URL on the
     moto host: the stack stays CREATE_IN_PROGRESS. Updates (no update_from_cloudformation_json: the
     resource becomes None) and deletions never reach the function. When the ServiceToken is a
     python3.x function of this moto whose code is a zip (Code.ZipFile inline code, as leafsynth's
     handlers), the fix runs it in this process, as Lambda would: handler(event, context) with the
     Create / Update (OldResourceProperties, PhysicalResourceId) / Delete event, boto3 pointed at this
     moto_server (AWS_ENDPOINT_URL, fake credentials, AWS_REGION), its ResponseURL a local HTTP
     endpoint that receives the cfn-response the handler PUTs (or, if it returns, the provider
     framework's {PhysicalResourceId, Data}). SUCCESS: Data are the resource's Fn::GetAtt
     attributes and PhysicalResourceId its Ref; FAILED (or an exception): CREATE_FAILED "Received
     response status [FAILED] from custom resource. Message returned: <Reason> (RequestId: ...)"
     and the stack rolls back as CloudFormation's does (see 27). Other custom resources keep
     moto's behaviour.
Test hook (not a moto fix; real CloudFormation ignores Metadata it does not know):
 27. A resource whose Metadata has "leafsynth:moto-fail": "<reason>" fails to create: its events are
     CREATE_IN_PROGRESS then CREATE_FAILED with that reason, and the stack rolls back as
     CloudFormation's does: a creation records ROLLBACK_IN_PROGRESS "The following resource(s) failed
     to create: [X]. Rollback requested by user.", deletes the resources it created (DELETE_* events,
     the failed one DELETE_COMPLETE) and ends ROLLBACK_COMPLETE (no outputs or exports); an update
     records UPDATE_ROLLBACK_IN_PROGRESS "The following resource(s) failed to create: [X]. ", goes
     back to the previous template and ends UPDATE_ROLLBACK_COMPLETE. In a nested stack, the nested
     stack rolls back (ROLLBACK_COMPLETE, then it is deleted) and the parent's
     AWS::CloudFormation::Stack resource fails with "Embedded stack <nested stack id> was not
     successfully created: The following resource(s) failed to create: [X].", failing the parent.
     Only the creation of a resource is hooked (not its update or deletion).
moto 5.2.1 evaluates bucket policies with conditions it does not understand:
 28. moto/iam/policy_conditions.py TrustCondition.verify_condition treats every operator but
     StringEquals as satisfied, and moto/iam/access_control.py IAMPolicyStatement.is_action_permitted
     answers DENIED for a statement whose condition does not hold (even an Allow); so a TLS-only bucket
     policy (Deny s3:* when Bool aws:SecureTransport is "false", as the bootstrap bucket's) denies
     every request (HTTP 403 on HeadObject/PutObject). The fix adds the Bool operator, makes a
     statement whose condition does not hold not apply (NEUTRAL), and gives moto/s3/models.py
     FakeBucket.get_permission aws:SecureTransport "true": real clients of S3 use HTTPS, moto on
     127.0.0.1 is reached over plain HTTP only.
moto 5.2.1 has no drift detection:
 29. DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts are not
     implemented in moto/cloudformation/responses.py (HTTP 500; `leafsynth drift` uses them). The fix
     detects drift as CloudFormation does, for the types whose live state moto's backends keep:
     each created resource's template Properties, resolved as moto resolved them when it created
     the stack (parameters, Ref, Fn::GetAtt, Fn::Sub ... through the stack's resource map, without
     creating anything), compared with the backend's resource: AWS::SSM::Parameter Value, Type,
     Description (ssm get_parameter); AWS::Logs::LogGroup RetentionInDays (logs groups);
     AWS::SNS::Topic DisplayName (sns topics); AWS::SQS::Queue VisibilityTimeout, DelaySeconds,
     MessageRetentionPeriod, MaximumMessageSize, ReceiveMessageWaitTimeSeconds (sqs queues);
     AWS::Lambda::Function Timeout, MemorySize, Handler, Runtime (lambda get_function). Only
     properties the template sets are compared (as CloudFormation, which ignores what the template
     leaves to defaults): a different value is a PropertyDifference NOT_EQUAL (PropertyPath
     /<Name>, ExpectedValue, ActualValue; numbers compared as text, "30" = 30), a value gone is
     REMOVE; a physical resource gone from its backend is DELETED; no difference is IN_SYNC; every
     other type (nested stacks included) is NOT_CHECKED (real CloudFormation leaves the types it
     cannot check out of DescribeStackResourceDrifts; leafsynth drift reads both as not checked).
     A detection completes at once (DETECTION_COMPLETE, StackDriftStatus DRIFTED or IN_SYNC,
     DriftedStackResourceCount); as in CloudFormation it is refused (ValidationError) for a stack
     that is not CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE or
     UPDATE_ROLLBACK_FAILED, DescribeStackResourceDrifts lists the last detection's results
     (StackResourceDriftStatusFilters, MaxResults and NextToken honoured) and a stack never
     checked has none. Nothing but the stack's drift information is changed.
moto 5.2.1 deletes a stack's resources unlike CloudFormation:
 30. moto/cloudformation/parsing.py ResourceMap.delete keeps only DeletionPolicy "Retain" (it deletes
     RetainExceptOnCreate ones, which CloudFormation keeps when a stack is deleted), records no
     resource events for what it keeps, and a resource it cannot delete ends the DeleteStack call with
     HTTP 500, the stack gone from DescribeStacks with some of its resources left; a non-empty S3
     bucket (moto/s3/models.py delete_bucket returns None) is silently kept and reported deleted.
     The fix deletes as CloudFormation does: DELETE_IN_PROGRESS, each retained resource
     DELETE_SKIPPED, the others DELETE_IN_PROGRESS then DELETE_COMPLETE (dependents first, a
     dependency violation tried again), a non-empty bucket DELETE_FAILED "The bucket you tried to
     delete is not empty", a nested stack that ends DELETE_FAILED fails its parent's resource
     ("Embedded stack <id> was not successfully deleted: ..."); any failure leaves the stack
     DELETE_FAILED "The following resource(s) failed to delete: [X]. " with what is left, which a
     second DeleteStack tries again; else DELETE_COMPLETE. moto's EC2 models of AWS::EC2::Route,
     RouteTable, SubnetRouteTableAssociation, VPCGatewayAttachment and InternetGateway have no
     delete (moto/ec2/models/route_tables.py, subnets.py, vpn_gateway.py, internet_gateways.py):
     CloudFormation "deleted" them and they stayed, so the VPC could never be deleted
     (DependencyViolation); the fix deletes them with the EC2 backend's own calls.
moto 5.2.1 lets anyone assume any role:
 31. moto/sts/models.py STSBackend.assume_role "Note that the role does not need to exist": it hands
     out credentials for a role ARN that names no role, where STS refuses (AccessDenied "... is not
     authorized to perform: sts:AssumeRole on resource: <arn>"), as in an account bootstrapped
     without the CDK roles. Only with LEAFSYNTH_MOTO_STRICT_ROLES=1 in moto_server's environment
     (tests that assume made-up roles keep moto's behaviour): AssumeRole (and
     AssumeRoleWithWebIdentity, which moto answers through it) of a role that is not in moto's IAM
     is refused so.
moto 5.2.1's IAM backend is not safe across moto_server's request threads:
 32. moto/iam/models.py IAMBackend.create_role checks the name against `self.get_roles()`, a live
     view of the roles dict; two stacks created at once (leafsynth deploys independent stacks side
     by side) make one CreateStack fail with "RuntimeError: dictionary changed size during
     iteration" half-way, and the stack stays CREATE_IN_PROGRESS (seen in destroy_native_moto). The
     fix makes get_roles return a snapshot and serializes create_role and delete_role with one lock.
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

    class BucketPolicyModel(_Model, CloudFormationModel):
        __module__ = _MODULE
        TYPE = "AWS::S3::BucketPolicy"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                            region_name, **kwargs):
            from moto.s3.models import s3_backends
            from moto.utilities.utils import get_partition

            props = cloudformation_json["Properties"]
            document = props["PolicyDocument"]
            policy = document if isinstance(document, str) else json.dumps(document)
            s3_backends[account_id][get_partition(region_name)].put_bucket_policy(
                props["Bucket"], policy.encode())
            model = cls(resource_name)
            model.bucket_name = props["Bucket"]
            model.partition = get_partition(region_name)
            return model

        def delete(self, account_id: str, region_name: str) -> None:
            from moto.s3.models import s3_backends

            try:  # the bucket may already be gone (deleted with the stack)
                s3_backends[account_id][self.partition].delete_bucket_policy(self.bucket_name)
            except Exception:  # noqa: BLE001
                pass

    return {m.TYPE: m for m in (KeyPairModel, TopicPolicyModel, SubscriptionModel, LifecycleHookModel,
                                ScalingPolicyModel, AlarmModel, CapacityProviderModel,
                                ClusterCapacityProviderAssociationsModel, SubscriptionFilterModel,
                                BucketPolicyModel)}


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


# --- stack operations: change sets, exports and imports, events, failures -------------------------

FAIL_MARKER = "leafsynth:moto-fail"
_DEAD_STATUSES = ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS", "DELETE_COMPLETE")


class _ResourceFailed(Exception):
    """A resource failed to create (CREATE_FAILED recorded); the stack operation rolls back."""

    def __init__(self, logical_id: str, reason: str, verb: str = "create"):
        super().__init__(reason)
        self.logical_id = logical_id
        self.reason = reason
        self.verb = verb


class _CreateFailed(Exception):
    """A resource's creation failed with this reason (a nested stack, a custom resource)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _UpdateFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _cfn_backend(account_id: str, region_name: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    return cloudformation_backends[account_id][region_name]


def _resource_event(stack: Any, logical_id: str, physical_id: Any, resource_type: str, status: str,
                    reason: str | None = None) -> None:
    from moto.cloudformation.models import Event

    if stack is None:
        return
    stack.events.append(Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id=physical_id if isinstance(physical_id, str) else "",
        resource_type=resource_type, resource_status=status, resource_status_reason=reason,
        resource_properties=None))


def _fix_template_url() -> str:
    from urllib.parse import unquote, urlparse

    from moto.cloudformation import models, responses, utils

    original = utils.get_stack_from_s3_url
    if getattr(original, "_leafsynth_compat", False):
        return "template-url (already applied)"
    virtual_host = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        from moto.s3.models import s3_backends

        parts = urlparse(template_url)
        match = virtual_host.match(parts.hostname or "")
        if match:  # https://<bucket>.s3.<region>.amazonaws.com/<key>
            bucket, key = match.group("bucket"), parts.path.lstrip("/")
        else:  # path style on any host: http(s)://<host>[:port]/<bucket>/<key>
            bucket, _, key = parts.path.lstrip("/").partition("/")
        obj = s3_backends[account_id][partition].get_object(bucket, unquote(key))
        return obj.value.decode("utf-8")

    get_stack_from_s3_url._leafsynth_compat = True  # type: ignore[attr-defined]
    # imported by name into models (nested stacks) and responses (CreateStack, UpdateStack,
    # CreateChangeSet, GetTemplateSummary, ValidateTemplate)
    utils.get_stack_from_s3_url = get_stack_from_s3_url
    models.get_stack_from_s3_url = get_stack_from_s3_url
    responses.get_stack_from_s3_url = get_stack_from_s3_url
    return "template-url"


def _fix_ssm_parameter_attributes() -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.ssm.models import Parameter

    if hasattr(Parameter, "get_cfn_attribute"):
        return "ssm-parameter-attributes (moto has it)"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Value":
            return self.value
        if attribute_name == "Type":
            return self.parameter_type
        raise UnformattedGetAttTemplateException()

    Parameter.get_cfn_attribute = get_cfn_attribute
    return "ssm-parameter-attributes"


def _imports_of(stack: Any) -> set[str]:
    """Export names a stack's template imports (Fn::ImportValue), resolved as moto resolves them."""
    from moto.cloudformation import parsing

    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Fn::ImportValue":
                    if isinstance(value, str):
                        found.add(value)
                    else:
                        try:
                            name = parsing.clean_json(value, stack.resource_map)
                        except Exception:  # noqa: BLE001 - unresolvable: not an import we can name
                            name = None
                        if isinstance(name, str):
                            found.add(name)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(getattr(stack, "template_dict", None) or {})
    return found


def _importers(backend: Any, export_name: str, exclude_stack_id: str | None = None) -> list[str]:
    return [s.name for s in list(backend.stacks.values())
            if s.stack_id != exclude_stack_id and s.status not in _DEAD_STATUSES
            and export_name in _imports_of(s)]


def _own_exports(backend: Any, stack: Any) -> dict[str, Any]:
    return {name: e for name, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id}


def _fix_resource_events_and_failures() -> str:
    from moto.cloudformation import parsing
    from moto.cloudformation.models import Stack

    if getattr(parsing.parse_and_create_resource, "_leafsynth_compat", False):
        return "resource-events (already applied)"
    original_update = parsing.parse_and_update_resource
    original_delete = parsing.ResourceMap._delete_resource
    original_resource_map = Stack._create_resource_map
    original_nested_create = Stack.create_from_cloudformation_json.__func__

    def _create_resource_map(self) -> Any:
        resource_map = original_resource_map(self)
        resource_map._leafsynth_stack = self  # the stack whose events the resources record
        return resource_map

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        # moto's parse_and_create_resource, recording the resource's events (and the test hook)
        condition = resource_json.get("Condition")
        if condition and not resources_map.lazy_condition_map[condition]:
            return None
        resource_type = resource_json["Type"]
        marker = (resource_json.get("Metadata") or {}).get(FAIL_MARKER)
        parsed = parsing.parse_resource_and_generate_name(logical_id, resource_json, resources_map)
        if not parsed:
            return None
        resource_class, resource_json, physical_name = parsed
        stack = getattr(resources_map, "_leafsynth_stack", None)
        _resource_event(stack, logical_id, "", resource_type, "CREATE_IN_PROGRESS")
        if marker:
            reason = str(marker)
            _resource_event(stack, logical_id, "", resource_type, "CREATE_FAILED", reason)
            raise _ResourceFailed(logical_id, reason)
        kwargs = {"LogicalId": logical_id, "StackId": resources_map.stack_id, "ResourceType": resource_type}
        try:
            resource = resource_class.create_from_cloudformation_json(
                physical_name, resource_json, account_id, region_name, **kwargs)
        except _CreateFailed as failed:
            _resource_event(stack, logical_id, "", resource_type, "CREATE_FAILED", failed.reason)
            raise _ResourceFailed(logical_id, failed.reason) from None
        except _ResourceFailed:
            raise
        except Exception as e:
            _resource_event(stack, logical_id, "", resource_type, "CREATE_FAILED", str(e))
            raise
        resource.cf_resource_type = resource_type
        resource.logical_resource_id = logical_id
        _resource_event(stack, logical_id, getattr(resource, "physical_resource_id", ""), resource_type,
                        "CREATE_COMPLETE")
        return resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        stack = getattr(resources_map, "_leafsynth_stack", None)
        resource_type = resource_json["Type"]
        before = resources_map._parsed_resources.get(logical_id)
        _resource_event(stack, logical_id, getattr(before, "physical_resource_id", ""), resource_type,
                        "UPDATE_IN_PROGRESS")
        try:
            resource = original_update(logical_id, resource_json, resources_map, account_id, region_name)
        except _CreateFailed as failed:
            _resource_event(stack, logical_id, getattr(before, "physical_resource_id", ""), resource_type,
                            "UPDATE_FAILED", failed.reason)
            raise _ResourceFailed(logical_id, failed.reason, verb="update") from None
        _resource_event(stack, logical_id, getattr(resource, "physical_resource_id", ""), resource_type,
                        "UPDATE_COMPLETE")
        return resource

    def _delete_resource(self, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        original_delete(self, parsed_resource, resource_json)
        stack = getattr(self, "_leafsynth_stack", None)
        logical_id = getattr(parsed_resource, "logical_resource_id", "")
        physical_id = getattr(parsed_resource, "physical_resource_id", "")
        _resource_event(stack, logical_id, physical_id, resource_json.get("Type", ""), "DELETE_IN_PROGRESS")
        _resource_event(stack, logical_id, physical_id, resource_json.get("Type", ""), "DELETE_COMPLETE")

    def nested_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        nested = original_nested_create(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs)
        failure = getattr(nested, "_leafsynth_failure", None)
        if failure:
            # the failed nested stack (ROLLBACK_COMPLETE) is deleted with its parent's rollback
            _cfn_backend(account_id, region_name).delete_stack(nested.stack_id)
            raise _CreateFailed(f"Embedded stack {nested.stack_id} was not successfully created: {failure}")
        return nested

    parse_and_create_resource._leafsynth_compat = True  # type: ignore[attr-defined]
    parsing.ResourceMap._leafsynth_plain_delete = original_delete  # deletion without events (fix 30)
    Stack._create_resource_map = _create_resource_map
    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.parse_and_update_resource = parse_and_update_resource
    parsing.ResourceMap._delete_resource = _delete_resource
    Stack.create_from_cloudformation_json = classmethod(nested_create)
    return "resource-events, moto-fail test hook"


def _run_create(backend: Any, stack: Any) -> None:
    """Creates a stack's resources (CreateStack, CREATE change set), rolling back on a failure."""
    from moto.cloudformation.parsing import OutputMap

    stack.status = "CREATE_IN_PROGRESS"
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.create_resources()
        backend._validate_export_uniqueness(stack)
        for export in stack.exports:
            backend.exports[export.name] = export
    except _ResourceFailed as failed:
        reason = f"The following resource(s) failed to create: [{failed.logical_id}]."
        stack._leafsynth_failure = reason
        stack.status = "ROLLBACK_IN_PROGRESS"
        stack.status_reason = f"{reason} Rollback requested by user."
        stack._add_stack_event("ROLLBACK_IN_PROGRESS", stack.status_reason)
        for name in _own_exports(backend, stack):
            backend.exports.pop(name, None)
        resource_map = stack.resource_map
        failed_type = (resource_map._resource_json_map.get(failed.logical_id) or {}).get("Type", "")
        try:
            resource_map.delete()
        except Exception as e:  # noqa: BLE001
            stack.status = "ROLLBACK_FAILED"
            stack._add_stack_event("ROLLBACK_FAILED", str(e))
            return
        _resource_event(stack, failed.logical_id, "", failed_type, "DELETE_COMPLETE")
        # nothing is left: no resources, outputs or exports (and nothing to re-create lazily)
        resource_map._resource_json_map = {}
        stack.output_map = OutputMap(resource_map, {}, stack.stack_id)
        stack.status = "ROLLBACK_COMPLETE"
        stack._add_stack_event("ROLLBACK_COMPLETE")
        return
    if stack.status == "CREATE_COMPLETE":
        stack.status_reason = None


def _run_update(backend: Any, stack: Any, template: str, parameters: dict[str, Any] | None,
                role_arn: str | None = None, tags: dict[str, str] | None = None) -> bool:
    """Applies a new template to a stack (UpdateStack, UPDATE change set) as CloudFormation does:
    new outputs and exports, exports in use kept (else the update fails), rollback on a failure."""
    old_template, old_dict = stack.template, stack.template_dict
    old_parameters = dict(stack.resource_map.input_parameters)
    old_output_map = stack.output_map
    old_exports = _own_exports(backend, stack)
    stack.status = "UPDATE_IN_PROGRESS"
    stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.template = template
        stack._parse_template()
        stack.resource_map.update(stack.template_dict, parameters)
        stack.output_map = stack._create_output_map()
        new_exports = {e.name: e for e in stack.exports}
        for name, export in old_exports.items():
            users = _importers(backend, name, exclude_stack_id=stack.stack_id)
            if users and name not in new_exports:
                raise _UpdateFailed(f"Export {name} cannot be deleted as it is in use by {users[0]}")
            if users and new_exports[name].value != export.value:
                raise _UpdateFailed(f"Cannot update export {name} as it is in use by {users[0]}")
        for name in new_exports:
            owner = backend.exports.get(name)
            if owner is not None and owner.exporting_stack_id != stack.stack_id:
                raise _UpdateFailed(f"Export with name {name} is already exported by stack "
                                    f"{backend.stacks[owner.exporting_stack_id].name if owner.exporting_stack_id in backend.stacks else owner.exporting_stack_id}")
    except _ResourceFailed as failed:
        reason = f"The following resource(s) failed to {failed.verb}: [{failed.logical_id}]. "
    except _UpdateFailed as failed:
        reason = failed.reason
    else:
        for name in old_exports:
            backend.exports.pop(name, None)
        backend.exports.update(new_exports)
        stack.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
        stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        stack.status = "UPDATE_COMPLETE"
        stack.status_reason = None
        stack._add_stack_event("UPDATE_COMPLETE")
        stack.role_arn = role_arn
        if parameters:
            stack.parameters = parameters
        if tags is not None:
            stack.tags = tags
        return True
    # roll back to the previous template (removed resources are re-created, new ones deleted)
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    stack.status_reason = reason
    stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", reason)
    stack.template, stack.template_dict = old_template, old_dict
    try:
        stack.resource_map.update(old_dict, old_parameters)
    except Exception as e:  # noqa: BLE001
        stack.status = "UPDATE_ROLLBACK_FAILED"
        stack._add_stack_event("UPDATE_ROLLBACK_FAILED", str(e))
        return False
    stack.output_map = old_output_map
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    return False


_RETAIN_POLICIES = ("Retain", "RetainExceptOnCreate")


def _delete_refusal(resource: Any, resource_json: dict[str, Any], account_id: str, region_name: str) -> str | None:
    """Why CloudFormation cannot delete this resource (moto deletes it or silently keeps it), or None."""
    if resource_json.get("Type") == "AWS::S3::Bucket":
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        try:
            bucket = s3_backends[account_id][get_partition(region_name)].get_bucket(resource.physical_resource_id)
        except Exception:  # noqa: BLE001 - already gone
            return None
        if bucket.keys:
            return ("The bucket you tried to delete is not empty (Service: S3, Status Code: 409, "
                    "Request ID: leafsynth-moto-compat)")
    return None


class _FrozenOutputs(dict):
    """A stack's outputs and exports computed once (moto's OutputMap computes them from the
    resources on every read, and fails for a deleted one)."""

    def __init__(self, output_map: Any):
        super().__init__((key, output_map[key]) for key in output_map)
        self.exports = list(output_map.exports)


def _delete_ec2_leftover(resource: Any, rtype: str, account_id: str, region_name: str) -> None:
    """Deletes what moto's EC2 models keep when CloudFormation deletes them (they have no delete):
    routes, route tables, subnet associations, gateway attachments, internet gateways (fix 30)."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region_name]
    if rtype == "AWS::EC2::Route":
        if resource.route_table.id not in ec2.route_tables:
            return  # gone with its route table
        ec2.delete_route(resource.route_table.id, resource.destination_cidr_block,
                         getattr(resource, "destination_ipv6_cidr_block", None))
    elif rtype == "AWS::EC2::SubnetRouteTableAssociation":
        table = ec2.route_tables.get(resource.route_table_id)
        for association_id, subnet_id in list((table.associations if table else {}).items()):
            if subnet_id == resource.subnet_id:
                ec2.disassociate_route_table(association_id)
    elif rtype == "AWS::EC2::RouteTable":
        ec2.delete_route_table(resource.id)  # DependencyViolation while associated: tried again
    elif rtype == "AWS::EC2::VPCGatewayAttachment":
        if resource.gateway_id.startswith("igw-"):
            ec2.detach_internet_gateway(resource.gateway_id, resource.vpc_id)
    elif rtype == "AWS::EC2::InternetGateway":
        ec2.delete_internet_gateway(resource.id)


_EC2_WITHOUT_DELETE = ("AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::RouteTable",
                       "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::InternetGateway")


def _run_delete(stack: Any) -> bool:
    """Deletes a stack's resources as CloudFormation does (fix 30); False when it ends DELETE_FAILED."""
    from moto.cloudformation import parsing

    plain_delete = getattr(parsing.ResourceMap, "_leafsynth_plain_delete", None) or parsing.ResourceMap._delete_resource
    stack.status = "DELETE_IN_PROGRESS"
    stack.status_reason = None
    stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    if not isinstance(stack.output_map, _FrozenOutputs):
        # the outputs and exports as they are: moto computes them from resources this deletes
        stack.output_map = _FrozenOutputs(stack.output_map)
    resource_map = stack.resource_map
    parsed = resource_map._parsed_resources
    created = [k for k in resource_map._resource_json_map
               if k in parsed and parsed[k] is not None and not isinstance(parsed[k], str)]
    remaining: list[str] = []
    for logical_id in created:
        resource_json = resource_map._resource_json_map[logical_id]
        if resource_json.get("DeletionPolicy") in _RETAIN_POLICIES:
            _resource_event(stack, logical_id, getattr(parsed[logical_id], "physical_resource_id", ""),
                            resource_json.get("Type", ""), "DELETE_SKIPPED")
        else:
            remaining.append(logical_id)
    failed: dict[str, str] = {}
    errors: dict[str, str] = {}
    progress = True
    while remaining and progress:  # dependents first: what fails for a dependency is tried again
        progress = False
        for logical_id in list(remaining):
            resource, resource_json = parsed[logical_id], resource_map._resource_json_map[logical_id]
            rtype, physical_id = resource_json.get("Type", ""), getattr(resource, "physical_resource_id", "")
            refusal = _delete_refusal(resource, resource_json, stack.account_id, stack.region_name)
            if refusal is None:
                try:
                    if rtype in _EC2_WITHOUT_DELETE:
                        _delete_ec2_leftover(resource, rtype, stack.account_id, stack.region_name)
                    else:
                        plain_delete(resource_map, resource, resource_json)
                except Exception as e:  # noqa: BLE001 - a dependency still there: next pass
                    errors[logical_id] = str(e) or type(e).__name__
                    continue
                if rtype == "AWS::CloudFormation::Stack" and getattr(resource, "status", "") == "DELETE_FAILED":
                    refusal = (f"Embedded stack {resource.stack_id} was not successfully deleted: "
                               f"{resource.status_reason}")
            remaining.remove(logical_id)
            progress = True
            _resource_event(stack, logical_id, physical_id, rtype, "DELETE_IN_PROGRESS")
            if refusal is not None:
                failed[logical_id] = refusal
                _resource_event(stack, logical_id, physical_id, rtype, "DELETE_FAILED", refusal)
            else:
                # gone from the map too: moto's ResourceMap re-creates a resource it is asked for
                # (ListStackResources) that is in the template but not parsed
                parsed.pop(logical_id, None)
                resource_map._resource_json_map.pop(logical_id, None)
                _resource_event(stack, logical_id, physical_id, rtype, "DELETE_COMPLETE")
    for logical_id in remaining:
        resource_json = resource_map._resource_json_map[logical_id]
        failed[logical_id] = errors.get(logical_id, "could not be deleted")
        _resource_event(stack, logical_id, getattr(parsed[logical_id], "physical_resource_id", ""),
                        resource_json.get("Type", ""), "DELETE_FAILED", failed[logical_id])
    if failed:
        stack.status = "DELETE_FAILED"
        stack.status_reason = f"The following resource(s) failed to delete: [{', '.join(sorted(failed))}]. "
        stack._add_stack_event("DELETE_FAILED", stack.status_reason)
        return False
    stack.status = "DELETE_COMPLETE"
    stack._add_stack_event("DELETE_COMPLETE")
    return True


def _fix_stack_operations() -> str:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend, Stack
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    if getattr(CloudFormationBackend.execute_change_set, "_leafsynth_compat", False):
        return "stack-operations (already applied)"
    original_delete = CloudFormationBackend.delete_stack

    def create_stack(self, name, template, parameters, notification_arns=None, tags=None, role_arn=None,
                     enable_termination_protection=False, timeout_in_mins=None, stack_policy_body=None):
        from moto.cloudformation.exceptions import AlreadyExistsException
        from moto.cloudformation.utils import generate_stack_id

        if name in [stack.name for stack in self.stacks.values()]:
            raise AlreadyExistsException(f"Stack {name} already exists")
        stack_id = generate_stack_id(name, self.region_name, self.account_id)
        stack = Stack(stack_id=stack_id, name=name, template=template, parameters=parameters,
                      account_id=self.account_id, region_name=self.region_name,
                      notification_arns=notification_arns, tags=tags, role_arn=role_arn,
                      cross_stack_resources=self.exports,
                      enable_termination_protection=enable_termination_protection in (True, "true", "True"),
                      timeout_in_mins=timeout_in_mins, stack_policy_body=stack_policy_body)
        self.stacks[stack_id] = stack
        _run_create(self, stack)
        return stack

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name
             and (not stack_name or stack_name in (cs.stack_name, cs.stack_id))), None)
        if change_set is None:
            raise ValidationError(message=f"ChangeSet [{change_set_name}] does not exist")
        if change_set.execution_status != "AVAILABLE":
            raise ValidationError(message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its "
                                          f"current execution status of [{change_set.execution_status}]")
        stack = self.stacks[change_set.stack_id]
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        if change_set.change_set_type == "CREATE":
            # moto keeps the empty template's resource and output maps (no outputs, no exports)
            stack.template = change_set.template
            stack._parse_template()
            stack.description = stack.template_dict.get("Description")
            stack.parameters = change_set.parameters or {}
            stack.cross_stack_resources = self.exports
            stack.resource_map = stack._create_resource_map()
            stack.output_map = stack._create_output_map()
            _run_create(self, stack)
            ok = stack.status in ("CREATE_COMPLETE", "CREATE_IN_PROGRESS")
        else:
            ok = _run_update(self, stack, change_set.template, change_set.parameters or None,
                             role_arn=change_set.role_arn, tags=change_set.tags or None)
        change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"

    def update_stack(self, name, template, role_arn, parameters, tags):
        stack = self.get_stack(name)
        resolved = self._resolve_update_parameters(instance=stack, incoming_params=parameters)
        _run_update(self, stack, template, resolved, role_arn=role_arn, tags=tags)
        return stack

    def delete_stack(self, name_or_stack_id):
        stack = self.stacks.get(name_or_stack_id) or next(
            (s for s in self.stacks.values() if s.name == name_or_stack_id), None)
        if stack is None:
            return original_delete(self, name_or_stack_id)
        if stack.enable_termination_protection:
            raise ValidationError(message=f"Stack [{stack.name}] cannot be deleted while "
                                          "TerminationProtection is enabled")
        for name in _own_exports(self, stack):
            users = _importers(self, name, exclude_stack_id=stack.stack_id)
            if users:
                stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
                stack.status = "DELETE_FAILED"
                stack.status_reason = f"Export {name} cannot be deleted as it is in use by {users[0]}"
                stack._add_stack_event("DELETE_FAILED", stack.status_reason)
                return None
        if _run_delete(stack):
            for name in _own_exports(self, stack):
                self.exports.pop(name, None)
            self.stacks.pop(stack.stack_id, None)
            self.deleted_stacks[stack.stack_id] = stack
        return None

    def list_imports(self):
        export_name = self._get_param("ExportName")
        users = _importers(self.cloudformation_backend, export_name)
        if not users:
            raise ValidationError(message=f"Export '{export_name}' is not imported by any stack.")
        return ActionResult({"Imports": users})

    def update_termination_protection(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
        return ActionResult({"StackId": stack.stack_id})

    execute_change_set._leafsynth_compat = True  # type: ignore[attr-defined]
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.update_stack = update_stack
    CloudFormationBackend.delete_stack = delete_stack
    fixed = ["change-set-execution", "update-exports", "export-in-use", "delete-export-in-use", "stack-deletion"]
    if not hasattr(CloudFormationResponse, "list_imports"):
        CloudFormationResponse.list_imports = list_imports
        fixed.append("list-imports")
    if not hasattr(CloudFormationResponse, "update_termination_protection"):
        CloudFormationResponse.update_termination_protection = update_termination_protection
        fixed.append("termination-protection")
    return ", ".join(fixed)


# --- Lambda-backed custom resources with inline Python code ---------------------------------------

_responses_lock = None
_response_server: Any = None
_custom_responses: dict[str, bytes] = {}
_handler_lock = None


def _server_endpoint() -> str:
    """The moto_server's own endpoint (its -H / -p arguments), for boto3 in a handler."""
    import sys

    from moto import settings

    host, port = "127.0.0.1", str(settings.moto_server_port())
    args = sys.argv[1:]
    for i, arg in enumerate(args[:-1]):
        if arg in ("-H", "--host") and args[i + 1] not in ("0.0.0.0", "::"):
            host = args[i + 1]
        if arg in ("-p", "--port"):
            port = args[i + 1]
    return f"http://{host}:{port}"


def _response_url(token: str) -> str:
    """A URL the handler PUTs its cfn-response to (a small HTTP server in this process)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    global _response_server, _responses_lock
    if _response_server is None:
        _responses_lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with _responses_lock:
                    _custom_responses[self.path.lstrip("/").split("?")[0]] = body
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT  # noqa: N815

            def log_message(self, *args):
                pass

        _response_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=_response_server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{_response_server.server_address[1]}/{token}"


def _inline_python_function(account_id: str, region_name: str, service_token: str) -> Any:
    from moto.awslambda import lambda_backends

    try:
        fn = lambda_backends[account_id][region_name].get_function(service_token)
    except Exception:  # noqa: BLE001
        return None
    if not str(getattr(fn, "run_time", "") or "").startswith("python3") or "ZipFile" not in (fn.code or {}):
        return None
    return fn


def _invoke_inline(fn: Any, event: dict[str, Any], region_name: str) -> dict[str, Any]:
    """Runs a python3.x function's inline code in this process as Lambda would (handler(event,
    context), boto3 pointed at this moto_server); returns the cfn-response it sent (or built from
    what the handler returned: the provider framework's {PhysicalResourceId, Data})."""
    import base64
    import importlib.util
    import io
    import os
    import sys
    import tempfile
    import threading
    import types
    import uuid
    import zipfile

    global _handler_lock
    if _handler_lock is None:
        _handler_lock = threading.Lock()
    token = str(uuid.uuid4())
    event = dict(event, ResponseURL=_response_url(token))
    module_name, _, function_name = (fn.handler or "index.handler").rpartition(".")
    env = {"AWS_ENDPOINT_URL": _server_endpoint(), "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": region_name, "AWS_DEFAULT_REGION": region_name,
           "AWS_LAMBDA_FUNCTION_NAME": fn.function_name, **((fn.environment_vars or {}) if hasattr(fn, "environment_vars") else {})}
    context = types.SimpleNamespace(
        aws_request_id=event["RequestId"], function_name=fn.function_name, function_version="$LATEST",
        invoked_function_arn=fn.function_arn, memory_limit_in_mb=128, log_group_name=f"/aws/lambda/{fn.function_name}",
        log_stream_name="leafsynth-moto-compat", get_remaining_time_in_millis=lambda: 300000)
    returned: Any = None
    error: str | None = None
    with _handler_lock, tempfile.TemporaryDirectory(prefix="leafsynth-lambda-") as code_dir:
        zipfile.ZipFile(io.BytesIO(base64.b64decode(fn.code["ZipFile"]))).extractall(code_dir)
        saved_env = {k: os.environ.get(k) for k in env}
        saved_modules = set(sys.modules)
        os.environ.update({k: str(v) for k, v in env.items()})
        sys.path.insert(0, code_dir)
        try:
            spec = importlib.util.spec_from_file_location(
                module_name, os.path.join(code_dir, *module_name.split(".")) + ".py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            returned = getattr(module, function_name)(event, context)
        except Exception as e:  # noqa: BLE001 - the function failed: CloudFormation gets no answer
            error = f"{type(e).__name__}: {e}"
        finally:
            sys.path.remove(code_dir)
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            for name in set(sys.modules) - saved_modules:  # the function's own modules
                module_file = getattr(sys.modules[name], "__file__", "") or ""
                if module_file.startswith(code_dir):
                    del sys.modules[name]
    with _responses_lock:
        body = _custom_responses.pop(token, None)
    if body is not None:
        return json.loads(body or b"{}")
    if error is None and isinstance(returned, dict) and "Status" not in returned:
        return {"Status": "SUCCESS", "PhysicalResourceId": returned.get("PhysicalResourceId"),
                "Data": returned.get("Data") or {}}
    return {"Status": "FAILED", "Reason": error or "the custom resource's function sent no response"}


def _fix_inline_custom_resources() -> str:
    from moto.cloudformation import custom_model
    from moto.cloudformation.custom_model import CustomModel
    from moto.moto_api._internal import mock_random

    original_create = CustomModel.create_from_cloudformation_json.__func__
    if getattr(original_create, "_leafsynth_compat", False):
        return "inline-custom-resources (already applied)"

    def request(model_or_none, kind, properties, account_id, region_name, stack_id, logical_id,
                resource_type, old_properties=None, physical_id=None):
        event = {"RequestType": kind, "ServiceToken": properties["ServiceToken"], "StackId": stack_id,
                 "RequestId": str(mock_random.uuid4()), "LogicalResourceId": logical_id,
                 "ResourceType": resource_type, "ResourceProperties": properties}
        if old_properties is not None:
            event["OldResourceProperties"] = old_properties
        if physical_id:
            event["PhysicalResourceId"] = physical_id
        fn = _inline_python_function(account_id, region_name, properties["ServiceToken"])
        if fn is None:  # moto deletes in no dependency order: the function may be gone already
            fn = getattr(model_or_none, "leafsynth_function", None)
        return event, _invoke_inline(fn, event, region_name)

    def answer(model, response, event, verb):
        if response.get("Status") != "SUCCESS":
            raise _CreateFailed(f"Received response status [FAILED] from custom resource. Message returned: "
                                f"{response.get('Reason') or 'None'} (RequestId: {event['RequestId']})")
        model.resource_name = response.get("PhysicalResourceId") or model.resource_name
        model.set_data(response.get("Data") or {})

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                        **kwargs):
        properties = cloudformation_json["Properties"]
        if _inline_python_function(account_id, region_name, properties.get("ServiceToken", "")) is None:
            return original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        logical_id, stack_id, resource_type = kwargs["LogicalId"], kwargs["StackId"], kwargs["ResourceType"]
        event, response = request(None, "Create", properties, account_id, region_name, stack_id,
                                  logical_id, resource_type)
        model = CustomModel(region_name, event["RequestId"], logical_id, resource_name)
        model.leafsynth_request = (account_id, stack_id, resource_type, properties)
        model.leafsynth_function = _inline_python_function(account_id, region_name, properties["ServiceToken"])
        answer(model, response, event, "create")
        return model

    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        properties = cloudformation_json["Properties"]
        previous = getattr(original_resource, "leafsynth_request", None)
        if previous is None or _inline_python_function(account_id, region_name,
                                                       properties.get("ServiceToken", "")) is None:
            return original_resource  # as moto: no update of other custom resources
        _, stack_id, resource_type, old_properties = previous
        event, response = request(original_resource, "Update", properties, account_id, region_name,
                                  stack_id, original_resource.logical_id, resource_type,
                                  old_properties=old_properties,
                                  physical_id=original_resource.physical_resource_id)
        answer(original_resource, response, event, "update")
        original_resource.leafsynth_function = _inline_python_function(account_id, region_name,
                                                                       properties["ServiceToken"])
        original_resource.leafsynth_request = (account_id, stack_id, resource_type, properties)
        return original_resource

    def delete(self, account_id, region_name):
        previous = getattr(self, "leafsynth_request", None)
        if previous is None:
            return
        _, stack_id, resource_type, properties = previous
        request(self, "Delete", properties, account_id, region_name, stack_id, self.logical_id,
                resource_type, physical_id=self.physical_resource_id)  # a failed delete is ignored

    create_from_cloudformation_json._leafsynth_compat = True  # type: ignore[attr-defined]
    CustomModel.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    CustomModel.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)
    CustomModel.delete = delete
    custom_model.CustomModel = CustomModel
    return "inline-custom-resources"


def _fix_bucket_policy_conditions() -> str:
    from moto.iam import access_control, policy_conditions
    from moto.s3 import models as s3_models

    def bool_operation(expected_value: Any, actual_value: str) -> bool:
        expected = expected_value if isinstance(expected_value, list) else [expected_value]
        return str(actual_value).lower() in [str(v).lower() for v in expected]

    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", bool_operation)
    statement = access_control.IAMPolicyStatement
    if not getattr(statement.is_action_permitted, "_leafsynth_compat", False):
        original = statement.is_action_permitted

        def is_action_permitted(self: Any, action: str, resource: str = "*", principal: Any = None,
                                incoming_condition_values: Any = None) -> Any:
            if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
                return access_control.PermissionResult.NEUTRAL  # the statement does not apply
            return original(self, action, resource, principal, incoming_condition_values)

        is_action_permitted._leafsynth_compat = True  # type: ignore[attr-defined]
        statement.is_action_permitted = is_action_permitted

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return access_control.PermissionResult.NEUTRAL
        return access_control.IAMPolicy(self.policy.decode()).is_action_permitted(
            action, resource, incoming_condition_values={"aws:SecureTransport": "true"})

    s3_models.FakeBucket.get_permission = get_permission
    return "bucket-policy-conditions"


# --- drift detection (29) --------------------------------------------------------------------------

_DRIFT_CHECKABLE_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED")
_drift_detections: dict[str, dict[str, Any]] = {}  # detection id -> DescribeStackDriftDetectionStatus answer
# The types whose drift is detected, and the properties compared (_drift_live_state reads them).
_DRIFT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::SSM::Parameter": ("Value", "Type", "Description"),
    "AWS::Logs::LogGroup": ("RetentionInDays",),
    "AWS::SNS::Topic": ("DisplayName",),
    "AWS::SQS::Queue": ("VisibilityTimeout", "DelaySeconds", "MessageRetentionPeriod", "MaximumMessageSize",
                        "ReceiveMessageWaitTimeSeconds"),
    "AWS::Lambda::Function": ("Timeout", "MemorySize", "Handler", "Runtime"),
}


def _drift_text(value: Any) -> str:
    """A property value as drift detection compares and shows it: strings as they are, numbers and
    booleans as their text, lists and maps as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def _drift_live_state(resource_type: str, physical_id: str, account_id: str, region_name: str) -> dict[str, Any] | None:
    """The _DRIFT_PROPERTIES of a live resource from moto's backend (None when it is gone)."""
    if resource_type == "AWS::SSM::Parameter":
        from moto.ssm.models import ssm_backends

        parameter = ssm_backends[account_id][region_name].get_parameter(physical_id)
        if parameter is None:
            return None
        return {"Value": parameter.value, "Type": parameter.parameter_type, "Description": parameter.description}
    if resource_type == "AWS::Logs::LogGroup":
        from moto.logs.models import logs_backends

        group = logs_backends[account_id][region_name].groups.get(physical_id)
        if group is None:
            return None
        return {"RetentionInDays": group.retention_in_days}
    if resource_type == "AWS::SNS::Topic":
        from moto.sns.models import sns_backends

        topic = sns_backends[account_id][region_name].topics.get(physical_id)
        if topic is None:
            return None
        return {"DisplayName": topic.display_name}
    if resource_type == "AWS::SQS::Queue":
        from moto.sqs.models import sqs_backends

        queue = sqs_backends[account_id][region_name].queues.get(physical_id.rstrip("/").rsplit("/", 1)[-1])
        if queue is None:
            return None
        return {name: getattr(queue, attr, None) for name, attr in (
            ("VisibilityTimeout", "visibility_timeout"), ("DelaySeconds", "delay_seconds"),
            ("MessageRetentionPeriod", "message_retention_period"), ("MaximumMessageSize", "maximum_message_size"),
            ("ReceiveMessageWaitTimeSeconds", "receive_message_wait_time_seconds"))}
    if resource_type == "AWS::Lambda::Function":
        from moto.awslambda.models import lambda_backends

        try:
            fn = lambda_backends[account_id][region_name].get_function(physical_id)
        except Exception:  # noqa: BLE001 - UnknownFunctionException: gone
            return None
        return {"Timeout": fn.timeout, "MemorySize": fn.memory_size, "Handler": fn.handler, "Runtime": fn.run_time}
    return {}


def _drift_expected(stack: Any, logical_id: str) -> dict[str, Any]:
    """The resource's template Properties resolved through the stack's resource map as moto resolved
    them when it created the resource, without creating anything (a reference to a resource moto
    has not created raises KeyError)."""
    from moto.cloudformation import parsing

    class _Created(parsing.ResourceMap):
        def __getitem__(self, key: str) -> Any:
            if key in self._parsed_resources:
                return self._parsed_resources[key]
            raise KeyError(key)

    view = _Created.__new__(_Created)
    view.__dict__.update(stack.resource_map.__dict__)
    properties = stack.resource_map._resource_json_map[logical_id].get("Properties") or {}
    return parsing.clean_json(properties, view) or {}


def _detect_resource_drift(stack: Any, logical_id: str, resource: Any, resource_type: str, now: Any) -> dict[str, Any]:
    physical_id = getattr(resource, "physical_resource_id", "") or ""
    drift = {"StackId": stack.stack_id, "LogicalResourceId": logical_id, "PhysicalResourceId": physical_id,
             "ResourceType": resource_type, "Timestamp": now, "StackResourceDriftStatus": "NOT_CHECKED"}
    if resource_type not in _DRIFT_PROPERTIES:
        return drift
    try:
        expected = _drift_expected(stack, logical_id)
    except Exception:  # noqa: BLE001 - a value moto cannot resolve: not checked
        return drift
    live = _drift_live_state(resource_type, str(physical_id), stack.account_id, stack.region_name)
    checked = {k: v for k, v in expected.items() if k in _DRIFT_PROPERTIES[resource_type]}
    drift["ExpectedProperties"] = json.dumps(checked, sort_keys=True, default=str)
    if live is None:
        drift["StackResourceDriftStatus"] = "DELETED"
        return drift
    actual = {k: live[k] for k in checked if live.get(k) is not None}
    drift["ActualProperties"] = json.dumps(actual, sort_keys=True, default=str)
    differences = []
    for key in sorted(checked):
        if key not in actual:
            differences.append({"PropertyPath": f"/{key}", "ExpectedValue": _drift_text(checked[key]),
                                "ActualValue": "", "DifferenceType": "REMOVE"})
        elif _drift_text(checked[key]) != _drift_text(actual[key]):
            differences.append({"PropertyPath": f"/{key}", "ExpectedValue": _drift_text(checked[key]),
                                "ActualValue": _drift_text(actual[key]), "DifferenceType": "NOT_EQUAL"})
    drift["StackResourceDriftStatus"] = "MODIFIED" if differences else "IN_SYNC"
    if differences:
        drift["PropertyDifferences"] = differences
    return drift


def _fix_drift_detection() -> str:
    import uuid
    from datetime import datetime, timezone

    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    if hasattr(CloudFormationResponse, "detect_stack_drift"):
        return "drift-detection (moto has it)"

    def detect_stack_drift(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if stack.status not in _DRIFT_CHECKABLE_STATUSES:
            raise ValidationError(message=f"Stack [{stack.name}] cannot have drift detected in its current status "
                                          f"of [{stack.status}]")
        only = set(self._get_param("LogicalResourceIds", []) or [])
        now = datetime.now(timezone.utc)
        resource_map = stack.resource_map
        drifts = []
        for logical_id, resource_json in resource_map._resource_json_map.items():
            resource = resource_map._parsed_resources.get(logical_id)
            if resource is None or isinstance(resource, str) or (only and logical_id not in only):
                continue  # not created (a condition, or a type moto has no model for)
            drifts.append(_detect_resource_drift(stack, logical_id, resource, resource_json.get("Type", ""), now))
        stack._leafsynth_drifts = drifts
        drifted = sum(d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED") for d in drifts)
        detection_id = str(uuid.uuid4())
        _drift_detections[detection_id] = {
            "StackId": stack.stack_id, "StackDriftDetectionId": detection_id,
            "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC", "DetectionStatus": "DETECTION_COMPLETE",
            "DriftedStackResourceCount": drifted, "Timestamp": now}
        return ActionResult({"StackDriftDetectionId": detection_id})

    def describe_stack_drift_detection_status(self):
        detection_id = self._get_param("StackDriftDetectionId")
        if detection_id not in _drift_detections:
            raise ValidationError(message=f"Drift detection [{detection_id}] does not exist")
        return ActionResult(_drift_detections[detection_id])

    def describe_stack_resource_drifts(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        wanted = set(self._get_param("StackResourceDriftStatusFilters", []) or [])
        drifts = [d for d in getattr(stack, "_leafsynth_drifts", [])
                  if not wanted or d["StackResourceDriftStatus"] in wanted]
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or 100)
        result: dict[str, Any] = {"StackResourceDrifts": drifts[start:start + size]}
        if start + size < len(drifts):
            result["NextToken"] = str(start + size)
        return ActionResult(result)

    CloudFormationResponse.detect_stack_drift = detect_stack_drift
    CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status
    CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts
    return "drift-detection"


def _fix_assume_role_existence() -> str:
    """Fix 31 (only with LEAFSYNTH_MOTO_STRICT_ROLES=1 in moto_server's environment)."""
    import os

    if os.environ.get("LEAFSYNTH_MOTO_STRICT_ROLES") != "1":
        return "assume-role-existence (off: LEAFSYNTH_MOTO_STRICT_ROLES is not 1)"
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend
    from moto.utilities.utils import get_partition

    if getattr(STSBackend.assume_role, "_leafsynth_compat", False):
        return "assume-role-existence (already applied)"
    original = STSBackend.assume_role

    def assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        parts = role_arn.split(":")
        try:
            iam_backends[parts[4]][get_partition(region_name)].get_role_by_arn(role_arn)
        except Exception:  # noqa: BLE001 - no such role (or not an ARN): refused as STS refuses it
            raise STSClientError("AccessDenied", f"User: arn:aws:iam::{self.account_id}:user/moto is not "
                                                 f"authorized to perform: sts:AssumeRole on resource: {role_arn}") \
                from None
        return original(self, region_name, role_session_name, role_arn, policy, duration, external_id)

    assume_role._leafsynth_compat = True  # type: ignore[attr-defined]
    STSBackend.assume_role = assume_role
    return "assume-role-existence"


def _fix_iam_role_threads() -> str:
    """Fix 32."""
    import threading

    from moto.iam.models import IAMBackend

    if getattr(IAMBackend.get_roles, "_leafsynth_compat", False):
        return "iam-role-threads (already applied)"
    lock = threading.RLock()
    original_get, original_create, original_delete = IAMBackend.get_roles, IAMBackend.create_role, \
        IAMBackend.delete_role

    def get_roles(self, *args, **kwargs):
        with lock:
            return list(original_get(self, *args, **kwargs))

    def create_role(self, *args, **kwargs):
        with lock:
            return original_create(self, *args, **kwargs)

    def delete_role(self, *args, **kwargs):
        with lock:
            return original_delete(self, *args, **kwargs)

    get_roles._leafsynth_compat = True  # type: ignore[attr-defined]
    IAMBackend.get_roles, IAMBackend.create_role, IAMBackend.delete_role = get_roles, create_role, delete_role
    return "iam-role-threads"


def apply() -> list[str]:
    """Applies the fixes (idempotent); returns their names."""
    if not _applied:
        _applied.extend([_fix_ssm_parameter(), _fix_nested_stack_outputs(), _fix_nested_stack_physical_id(),
                         _fix_hosted_zone_attributes(),
                         _fix_efs(), _fix_security_group_ingress_ref(), _fix_lambda_permission_ref(),
                         _fix_ssm_dynamic_references(), _fix_missing_models(), _fix_template_url(),
                         _fix_ssm_parameter_attributes(), _fix_resource_events_and_failures(),
                         _fix_stack_operations(), _fix_inline_custom_resources(),
                         _fix_bucket_policy_conditions(), _fix_drift_detection(),
                         _fix_assume_role_existence(), _fix_iam_role_threads()])
    return list(_applied)
