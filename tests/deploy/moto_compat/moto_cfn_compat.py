"""Fixes for moto's CloudFormation that leafsynth's templates need, emulating real CloudFormation.

moto 5.2.1 cannot create these stacks of a valid template (each crashes create-stack with HTTP 500,
leaving the stack in CREATE_IN_PROGRESS):
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
Each fix only fills in what moto lacks, so it is harmless on a moto that has fixed the bug.

Use in-process (before moto creates stacks):  import moto_cfn_compat; moto_cfn_compat.apply()
Use with moto_server: put this folder on PYTHONPATH and set LEAFSYNTH_MOTO_COMPAT=1; the
sitecustomize.py next to this file then applies the fixes when the server's interpreter starts.
"""
from __future__ import annotations

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


def apply() -> list[str]:
    """Applies the fixes (idempotent); returns their names."""
    if not _applied:
        _applied.extend([_fix_ssm_parameter(), _fix_nested_stack_outputs()])
    return list(_applied)
