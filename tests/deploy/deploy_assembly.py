#!/usr/bin/env python3
"""Deploy a CDK-style cloud assembly (what leafsynth synthesizes) to moto with the AWS CLI.

usage: deploy_assembly.py ASSEMBLY_DIR --endpoint http://127.0.0.1:PORT [--account 123456789012]
                          [--timeout 120] [--template-body]

What it does, like `cdk deploy` against a bootstrapped account:
  1. reads ASSEMBLY_DIR/manifest.json and orders the `aws:cloudformation:stack` artifacts by their
     `dependencies` (a topological order, manifest order among independent stacks; a cycle or a
     dependency on an unknown artifact is an error);
  2. for each stack, publishes the asset manifests it depends on (`cdk:asset-manifest`, e.g.
     `<Stack>.assets.json`): creates every destination bucket in the destination region and uploads
     every file asset (the stack template, nested templates, Lambda zips) to bucketName/objectKey,
     with ${AWS::AccountId} / ${AWS::Region} / ${AWS::Partition} replaced;
  3. creates the stack with `aws cloudformation create-stack --template-url <URL of the template
     object in moto S3> --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND`
     and polls describe-stacks (bounded by --timeout) until CREATE_COMPLETE; a *_FAILED or
     *ROLLBACK* status, a failed create-stack call or the timeout is an error that carries the stack
     events (describe-stack-events);
  4. prints one line per stack, then one indented line per nested stack
     (AWS::CloudFormation::Stack resources).

Template URL (moto 5.2, moto/cloudformation/utils.py get_stack_from_s3_url): moto never fetches the
URL over HTTP, it parses bucket and key out of it and reads its own S3 backend. It reads the path as
/<bucket>/<key> only when the URL contains "localhost" or the host starts with "s3" and ends with
"amazonaws.com"; for any other host it takes the first label of the host as the bucket
(http://127.0.0.1:PORT/b/k -> bucket "127" -> NoSuchBucket). So for a loopback endpoint the URL given
to create-stack is http://localhost:PORT/<bucket>/<key> (the same object, path-style, on the same
moto server); for another endpoint it is https://s3.<region>.amazonaws.com/<bucket>/<key>. Nested
stacks need nothing: their TemplateURL, Fn::Sub "https://s3.<region>.${AWS::URLSuffix}/<bucket>/<key>",
resolves (URLSuffix = amazonaws.com) to the second form. --template-body sends the template file
instead (file://), for a server that cannot resolve URLs.

The account is moto's (123456789012 unless the server is configured otherwise); a stack whose
environment names another account is an error, since its assets would be resolved for an account
moto does not deploy into. Credentials are always the fake ones moto accepts ("testing"), proxies
are bypassed and the CLI does not retry (a retried create-stack would hide the first error).

Reusable: deploy(assembly_dir, endpoint, account) -> [(stack_name, status), ...] in deploy order;
nested_stacks(), AwsCli and stack_order() are public too.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlparse

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
STACK_TYPE = "aws:cloudformation:stack"
ASSETS_TYPE = "cdk:asset-manifest"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class DeployError(Exception):
    """The assembly could not be deployed; the message says which stack and why."""


# --- the assembly -------------------------------------------------------------------------------


@dataclass
class StackArtifact:
    artifact_id: str
    stack_name: str
    account: str
    region: str
    template_file: str
    template_object_url: str | None  # s3://bucket/key, possibly with ${AWS::...} placeholders
    asset_manifests: list[str] = field(default_factory=list)  # artifact ids
    dependencies: list[str] = field(default_factory=list)  # stack artifact ids


def load_manifest(assembly_dir: str | os.PathLike) -> dict:
    path = Path(assembly_dir) / "manifest.json"
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except OSError as e:
        raise DeployError(f"cannot read the cloud assembly manifest {path}: {e}") from e
    except json.JSONDecodeError as e:
        raise DeployError(f"{path} is not valid JSON: {e}") from e
    if not isinstance(manifest.get("artifacts"), dict):
        raise DeployError(f"{path} has no 'artifacts' object")
    return manifest


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def substitute(text: str, account: str, region: str) -> str:
    """Replace the placeholders a cloud assembly may leave in asset destinations."""
    return (text.replace("${AWS::AccountId}", account)
                .replace("${AWS::Region}", region)
                .replace("${AWS::Partition}", partition_of(region)))


def _parse_environment(env: str | None, default_account: str, default_region: str) -> tuple[str, str]:
    match = re.fullmatch(r"aws://([^/]+)/([^/]+)", env or "")
    if not match:
        return default_account, default_region
    account, region = match.groups()
    if account.startswith("unknown-") or "${" in account:
        account = default_account
    if region.startswith("unknown-") or "${" in region:
        region = default_region
    return account, region


def stack_artifacts(manifest: dict, default_account: str = DEFAULT_ACCOUNT,
                    default_region: str = DEFAULT_REGION) -> dict[str, StackArtifact]:
    """The stack artifacts of a manifest, in manifest order."""
    artifacts = manifest["artifacts"]
    stacks: dict[str, StackArtifact] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_TYPE:
            continue
        props = artifact.get("properties") or {}
        if "templateFile" not in props:
            raise DeployError(f"stack artifact {artifact_id} has no properties.templateFile")
        account, region = _parse_environment(artifact.get("environment"), default_account, default_region)
        deps = list(artifact.get("dependencies") or [])
        for dep in deps:
            if dep not in artifacts:
                raise DeployError(f"stack artifact {artifact_id} depends on unknown artifact {dep!r}")
        stacks[artifact_id] = StackArtifact(
            artifact_id=artifact_id,
            stack_name=props.get("stackName") or artifact_id,
            account=account,
            region=region,
            template_file=props["templateFile"],
            template_object_url=props.get("stackTemplateAssetObjectUrl"),
            asset_manifests=[d for d in deps if artifacts[d].get("type") == ASSETS_TYPE],
            dependencies=[d for d in deps if artifacts[d].get("type") == STACK_TYPE],
        )
    return stacks


def stack_order(manifest: dict) -> list[str]:
    """Stack artifact ids in a topological order of their `dependencies` (dependencies first;
    manifest order among stacks that do not depend on each other). Raises DeployError on a cycle."""
    stacks = stack_artifacts(manifest)
    order: list[str] = []
    state: dict[str, str] = {}  # "visiting" | "done"

    def visit(artifact_id: str, path: list[str]) -> None:
        if state.get(artifact_id) == "done":
            return
        if state.get(artifact_id) == "visiting":
            cycle = path[path.index(artifact_id):] + [artifact_id]
            raise DeployError("dependency cycle between stacks: " + " -> ".join(cycle))
        state[artifact_id] = "visiting"
        for dep in stacks[artifact_id].dependencies:
            visit(dep, path + [artifact_id])
        state[artifact_id] = "done"
        order.append(artifact_id)

    for artifact_id in stacks:
        visit(artifact_id, [])
    return order


# --- the AWS CLI --------------------------------------------------------------------------------


class AwsCli:
    """Runs the `aws` CLI against one endpoint with moto's fake credentials and no proxy."""

    def __init__(self, endpoint: str, aws: str | None = None, call_timeout: float = 60.0):
        self.endpoint = endpoint.rstrip("/")
        self.aws = aws or shutil.which("aws")
        if not self.aws:
            raise DeployError("the AWS CLI ('aws') was not found on PATH")
        self.call_timeout = call_timeout
        host = urlparse(self.endpoint).hostname or ""
        env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(var, None)
        no_proxy = ",".join(dict.fromkeys(["127.0.0.1", "localhost", host] if host else ["127.0.0.1", "localhost"]))
        env.update({
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard",
            "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": no_proxy, "no_proxy": no_proxy,
        })
        self.env = env

    def run(self, service: str, operation: str, *args: str, region: str,
            check: bool = True) -> tuple[int, dict | None, str]:
        """Runs `aws SERVICE OPERATION ARGS`; returns (returncode, parsed JSON output or None,
        stderr). With check, a non-zero exit is a DeployError carrying stderr."""
        cmd = [self.aws, service, operation, *args, "--region", region,
               "--endpoint-url", self.endpoint, "--output", "json"]
        try:
            proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                                  timeout=self.call_timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise DeployError(f"'aws {service} {operation}' did not finish within {self.call_timeout:g} s") from e
        stderr = proc.stderr.strip()
        if check and proc.returncode != 0:
            raise DeployError(f"'aws {service} {operation} {' '.join(args)}' failed "
                              f"(exit {proc.returncode}): {stderr}")
        output = None
        if proc.returncode == 0 and proc.stdout.strip():
            try:
                output = json.loads(proc.stdout)
            except json.JSONDecodeError:
                output = None
        return proc.returncode, output, stderr

    def json(self, service: str, operation: str, *args: str, region: str) -> dict:
        return self.run(service, operation, *args, region=region)[1] or {}


# --- assets -------------------------------------------------------------------------------------


def _zip_directory(directory: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (path.stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())


def publish_assets(cli: AwsCli, assembly_dir: Path, manifest_file: str, account: str,
                   default_region: str, buckets: set[tuple[str, str]] | None = None,
                   docker_images: str = "error", log: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """Uploads every file asset of one asset manifest; returns [(bucket, key)] uploaded."""
    buckets = set() if buckets is None else buckets
    path = assembly_dir / manifest_file
    try:
        assets = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise DeployError(f"cannot read asset manifest {path}: {e}") from e
    if assets.get("dockerImages"):
        message = f"{manifest_file}: docker image assets are not supported by this deployer (moto has no image build)"
        if docker_images == "error":
            raise DeployError(message)
        log(f"warning: {message}; skipped")
    uploaded = []
    with tempfile.TemporaryDirectory(prefix="leafsynth-assets-") as tmp:
        for asset_id, asset in (assets.get("files") or {}).items():
            source = asset.get("source") or {}
            src = assembly_dir / source.get("path", "")
            packaging = source.get("packaging", "file")
            if packaging == "zip" and src.is_dir():
                zipped = Path(tmp) / f"{asset_id}.zip"
                _zip_directory(src, zipped)
                src = zipped
            elif packaging not in ("file", "zip"):
                raise DeployError(f"{manifest_file}: asset {asset_id} has unsupported packaging {packaging!r}")
            if not src.is_file():
                raise DeployError(f"{manifest_file}: asset {asset_id} source {src} does not exist")
            for dest in (asset.get("destinations") or {}).values():
                region = substitute(dest.get("region") or default_region, account, default_region)
                bucket = substitute(dest["bucketName"], account, region)
                key = substitute(dest["objectKey"], account, region)
                if (bucket, region) not in buckets:
                    ensure_bucket(cli, bucket, region)
                    buckets.add((bucket, region))
                cli.run("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", str(src),
                        region=region)
                uploaded.append((bucket, key))
    return uploaded


def ensure_bucket(cli: AwsCli, bucket: str, region: str) -> None:
    rc, _, _ = cli.run("s3api", "head-bucket", "--bucket", bucket, region=region, check=False)
    if rc == 0:
        return
    args = ["--bucket", bucket]
    if region != "us-east-1":
        args += ["--create-bucket-configuration", f"LocationConstraint={region}"]
    cli.run("s3api", "create-bucket", *args, region=region)


def template_url(endpoint: str, bucket: str, key: str, region: str) -> str:
    """The URL of a template object in moto S3 that moto's CloudFormation resolves (see the module
    docstring): path-style on localhost for a loopback endpoint, else the regional S3 URL."""
    parts = urlparse(endpoint)
    if (parts.hostname or "") in _LOOPBACK:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme or 'http'}://localhost{port}/{bucket}/{key}"
    return f"https://s3.{region}.amazonaws.com/{bucket}/{key}"


def _template_location(stack: StackArtifact, assembly_dir: Path, asset_manifests: Iterable[str],
                       manifest: dict) -> tuple[str, str] | None:
    """(bucket, key) of the stack template in S3, from stackTemplateAssetObjectUrl or else from the
    asset whose source is the template file; None when the template is not an asset."""
    if stack.template_object_url:
        url = substitute(stack.template_object_url, stack.account, stack.region)
        match = re.fullmatch(r"s3://([^/]+)/(.+)", url)
        if not match:
            raise DeployError(f"stack {stack.artifact_id}: cannot parse stackTemplateAssetObjectUrl {url!r}")
        return match.group(1), match.group(2)
    for manifest_id in asset_manifests:
        file = manifest["artifacts"][manifest_id]["properties"]["file"]
        assets = json.loads((assembly_dir / file).read_text(encoding="utf-8"))
        for asset in (assets.get("files") or {}).values():
            if (asset.get("source") or {}).get("path") == stack.template_file:
                dest = next(iter((asset.get("destinations") or {}).values()), None)
                if dest:
                    region = substitute(dest.get("region") or stack.region, stack.account, stack.region)
                    return (substitute(dest["bucketName"], stack.account, region),
                            substitute(dest["objectKey"], stack.account, region))
    return None


# --- stacks -------------------------------------------------------------------------------------


def stack_events(cli: AwsCli, stack_name: str, region: str) -> str:
    rc, out, err = cli.run("cloudformation", "describe-stack-events", "--stack-name", stack_name,
                           region=region, check=False)
    if rc != 0:
        return f"  (no stack events: {err})"
    lines = []
    for e in reversed((out or {}).get("StackEvents", [])):
        reason = e.get("ResourceStatusReason") or ""
        lines.append(f"  {e.get('Timestamp', '')} {e.get('LogicalResourceId', '')} "
                     f"{e.get('ResourceType', '')} {e.get('ResourceStatus', '')} {reason}".rstrip())
    return "\n".join(lines) or "  (no stack events)"


def _is_failure(status: str) -> bool:
    return status.endswith("_FAILED") or "ROLLBACK" in status or status.startswith("DELETE_")


def wait_for_stack(cli: AwsCli, stack_name: str, region: str, timeout: float,
                   interval: float = 0.5) -> dict:
    """Polls describe-stacks until CREATE_COMPLETE (returns the stack description); a failure
    status or the timeout raises DeployError with the stack events."""
    deadline = time.monotonic() + timeout
    status = "(unknown)"
    while True:
        rc, out, err = cli.run("cloudformation", "describe-stacks", "--stack-name", stack_name,
                               region=region, check=False)
        if rc == 0 and out and out.get("Stacks"):
            description = out["Stacks"][0]
            status = description.get("StackStatus", "(none)")
            if status == "CREATE_COMPLETE":
                return description
            if _is_failure(status):
                reason = description.get("StackStatusReason") or ""
                raise DeployError(f"stack {stack_name} ({region}) reached {status} {reason}\n"
                                  f"stack events:\n{stack_events(cli, stack_name, region)}")
        elif rc != 0:
            status = f"describe-stacks failed: {err}"
        if time.monotonic() >= deadline:
            raise DeployError(f"stack {stack_name} ({region}) not CREATE_COMPLETE after {timeout:g} s "
                              f"(last status: {status})\nstack events:\n{stack_events(cli, stack_name, region)}")
        time.sleep(interval)


def nested_stacks(cli: AwsCli, stack_name: str, region: str) -> list[tuple[str, str, str]]:
    """[(logical id, physical id, stack status)] of the AWS::CloudFormation::Stack resources of a
    stack, recursively (logical ids of deeper levels are joined with '/')."""
    result = []
    resources = cli.json("cloudformation", "describe-stack-resources", "--stack-name", stack_name,
                         region=region).get("StackResources", [])
    for r in resources:
        if r.get("ResourceType") != "AWS::CloudFormation::Stack":
            continue
        physical = r.get("PhysicalResourceId", "")
        stacks = cli.json("cloudformation", "describe-stacks", "--stack-name", physical,
                          region=region).get("Stacks", [])
        status = stacks[0].get("StackStatus", "(none)") if stacks else "(missing)"
        result.append((r["LogicalResourceId"], physical, status))
        for logical, inner, inner_status in nested_stacks(cli, physical, region):
            result.append((f"{r['LogicalResourceId']}/{logical}", inner, inner_status))
    return result


def deploy(assembly_dir: str | os.PathLike, endpoint: str, account: str = DEFAULT_ACCOUNT, *,
           timeout: float = 120.0, template_source: str = "url", docker_images: str = "error",
           log: Callable[[str], None] = print, aws: str | None = None) -> list[tuple[str, str]]:
    """Deploys every stack of the assembly in dependency order; returns [(stack name, status)] in
    the order the stacks were created. template_source: "url" (create-stack --template-url, the
    template uploaded as an asset) or "body" (--template-body file://)."""
    if template_source not in ("url", "body"):
        raise ValueError(f"template_source must be 'url' or 'body', not {template_source!r}")
    assembly = Path(assembly_dir).resolve()
    manifest = load_manifest(assembly)
    default_region = os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    stacks = stack_artifacts(manifest, account, default_region)
    order = stack_order(manifest)
    for artifact_id in order:
        if stacks[artifact_id].account != account:
            raise DeployError(f"stack {artifact_id} is for account {stacks[artifact_id].account}, "
                              f"but the deployment account is {account}")
    cli = AwsCli(endpoint, aws=aws)
    buckets: set[tuple[str, str]] = set()
    published: set[str] = set()
    results = []
    for artifact_id in order:
        stack = stacks[artifact_id]
        for manifest_id in stack.asset_manifests:
            if manifest_id in published:
                continue
            file = (manifest["artifacts"][manifest_id].get("properties") or {}).get("file")
            if not file:
                raise DeployError(f"asset manifest artifact {manifest_id} has no properties.file")
            publish_assets(cli, assembly, file, account, stack.region, buckets, docker_images, log)
            published.add(manifest_id)

        args = ["--stack-name", stack.stack_name, "--capabilities", *CAPABILITIES]
        location = _template_location(stack, assembly, stack.asset_manifests, manifest)
        if template_source == "url" and location:
            args += ["--template-url", template_url(cli.endpoint, location[0], location[1], stack.region)]
        else:
            template = assembly / stack.template_file
            if not template.is_file():
                raise DeployError(f"stack {artifact_id}: template {template} does not exist")
            args += ["--template-body", f"file://{template}"]
        rc, _, err = cli.run("cloudformation", "create-stack", *args, region=stack.region, check=False)
        if rc != 0:
            if "500 Internal Server Error" in err:
                err += ("\n(the server crashed on this create-stack (HTTP 500): a moto bug or limitation; "
                        "the moto_server log has the traceback; see moto_compat/moto_cfn_compat.py)")
            raise DeployError(f"stack {stack.stack_name} ({stack.region}): create-stack failed: {err}\n"
                              f"stack events:\n{stack_events(cli, stack.stack_name, stack.region)}")
        description = wait_for_stack(cli, stack.stack_name, stack.region, timeout)
        status = description["StackStatus"]
        log(f"{stack.stack_name}: {status} ({stack.region}, {description.get('StackId', '')})")
        for logical, physical, nested_status in nested_stacks(cli, stack.stack_name, stack.region):
            log(f"  {stack.stack_name}/{logical}: {nested_status} (nested stack {physical})")
            if nested_status != "CREATE_COMPLETE":
                raise DeployError(f"nested stack {stack.stack_name}/{logical} ({physical}) is {nested_status}\n"
                                  f"stack events:\n{stack_events(cli, physical, stack.region)}")
        results.append((stack.stack_name, status))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assembly_dir", help="cloud assembly folder (holds manifest.json)")
    parser.add_argument("--endpoint", required=True, help="moto endpoint, e.g. http://127.0.0.1:5000")
    parser.add_argument("--account", default=DEFAULT_ACCOUNT, help="moto's account id (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for each stack (default %(default)s)")
    parser.add_argument("--template-body", action="store_true",
                        help="send templates with --template-body file:// instead of --template-url")
    parser.add_argument("--skip-docker-images", action="store_true",
                        help="skip docker image assets instead of failing")
    args = parser.parse_args(argv)
    try:
        deploy(args.assembly_dir, args.endpoint, args.account, timeout=args.timeout,
               template_source="body" if args.template_body else "url",
               docker_images="skip" if args.skip_docker_images else "error")
    except DeployError as e:
        print(f"deploy_assembly: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
