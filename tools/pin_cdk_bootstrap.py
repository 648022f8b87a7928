#!/usr/bin/env python3
"""Pins what the AWS CDK CLI's bootstrap template defines, for the bootstrap-stack test
(tests/deploy/test_bootstrap_stack.cpp), so the test does not depend on the aws-cdk version
installed on the machine.

usage: python3 tools/pin_cdk_bootstrap.py [NODE_MODULES] > tests/deploy/data/cdk_bootstrap_template.json

NODE_MODULES defaults to .tools/node/node_modules (where cmake/setup.sh installs aws-cdk@2).
Writes the aws-cdk version it read, the template's bootstrap version, and every resource (logical
id -> type) and output name of `lib/api/bootstrap/bootstrap-template.yaml`.
"""
import json
import pathlib
import sys

import yaml


class _TagsIgnored(yaml.SafeLoader):
    pass


# CloudFormation short forms (!Sub, !If, ...): their values do not matter here.
_TagsIgnored.add_multi_constructor("!", lambda loader, suffix, node: None)


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".tools/node/node_modules")
    cdk = root / "aws-cdk"
    template = yaml.load((cdk / "lib/api/bootstrap/bootstrap-template.yaml").read_text(), Loader=_TagsIgnored)
    version = json.loads((cdk / "package.json").read_text())["version"]
    out = {
        "source": "aws-cdk %s lib/api/bootstrap/bootstrap-template.yaml" % version,
        "bootstrap_version": int(template["Resources"]["CdkBootstrapVersion"]["Properties"]["Value"]),
        "resources": {k: v["Type"] for k, v in sorted(template["Resources"].items())},
        "outputs": sorted(template["Outputs"]),
    }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
