# leafsynth cross-region reference writer (inline Lambda code, Python 3.12; must stay < 4096 bytes).
# A custom resource with properties Region and Parameters {name: value}: writes each parameter to
# SSM in Region, deletes the ones it wrote before and no longer has, and deletes all on Delete.
import json
import urllib.request

import boto3


def _apply(region, new, old_region, old):
    if new:
        ssm = boto3.client("ssm", region_name=region)
        for name, value in sorted(new.items()):
            if not isinstance(value, str):
                value = ",".join(value) if isinstance(value, list) else json.dumps(value)
            ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    gone = sorted(n for n in old if old_region != region or n not in new)
    if gone:
        ssm_old = boto3.client("ssm", region_name=old_region)
        for i in range(0, len(gone), 10):
            ssm_old.delete_parameters(Names=gone[i:i + 10])


def handler(event, context):
    kind = event["RequestType"]
    props = event.get("ResourceProperties", {})
    old_props = event.get("OldResourceProperties", {})
    status, reason = "SUCCESS", ""
    try:
        if kind == "Delete":
            _apply(props["Region"], {}, props["Region"], props.get("Parameters", {}))
        else:
            _apply(props["Region"], props.get("Parameters", {}),
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
