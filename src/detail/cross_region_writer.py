# leafsynth cross-region reference writer (inline Lambda code, Python 3.12; must stay < 4096 bytes).
# A custom resource with properties Region and Parameters {name: value}: writes each parameter to
# SSM in Region that is new or changed, deletes the ones it wrote before and no longer has, and
# deletes all on Delete. One resource serves every consumer stack of a region, so an update that
# adds one consumer writes that consumer's parameters only. Each parameter's Description names the
# resource that wrote it, and a resource deletes only its own (or unnamed) ones: when a parameter
# moves to another resource, the old one's deletion leaves it alone.
import json
import urllib.request

import boto3


def _apply(owner, region, new, old_region, old):
    todo = sorted(n for n in new if old_region != region or old.get(n) != new[n])
    if todo:
        ssm = boto3.client("ssm", region_name=region)
        for name in todo:
            value = new[name]
            if not isinstance(value, str):
                value = ",".join(value) if isinstance(value, list) else json.dumps(value)
            ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True, Description=owner)
    gone = sorted(n for n in old if old_region != region or n not in new)
    if gone:
        ssm_old = boto3.client("ssm", region_name=old_region)
        for i in range(0, len(gone), 10):
            found = ssm_old.describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": gone[i:i + 10]}])["Parameters"]
            mine = sorted(p["Name"] for p in found if p.get("Description", "") in ("", owner))
            if mine:
                ssm_old.delete_parameters(Names=mine)


def handler(event, context):
    kind = event["RequestType"]
    props = event.get("ResourceProperties", {})
    old_props = event.get("OldResourceProperties", {})
    status, reason = "SUCCESS", ""
    owner = "leafsynth: written by " + event["LogicalResourceId"] + " of " + event["StackId"]
    try:
        if kind == "Delete":
            _apply(owner, props["Region"], {}, props["Region"], props.get("Parameters", {}))
        else:
            _apply(owner, props["Region"], props.get("Parameters", {}),
                   old_props.get("Region", props["Region"]), old_props.get("Parameters", {}))
    except Exception as e:  # report, never hang the stack
        print(f"{kind} failed: {e}")
        if kind != "Delete":
            status, reason = "FAILED", str(e)[:500]
    physical = event.get("PhysicalResourceId") or "leafsynth-xr-" + event["LogicalResourceId"]
    body = json.dumps({
        "Status": status, "Reason": reason or "see CloudWatch Logs", "PhysicalResourceId": physical,
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"], "Data": {},
    }).encode()
    req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                 headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(req, timeout=30)
    return {"Status": status}
