#!/usr/bin/env python3
"""Checks the cloud assembly that examples/multi_region writes against the real AWS CDK tooling.

usage: test_cloud_assembly.py MULTI_REGION_EXAMPLE SOURCE_DIR EMITTED_DIR [unittest options]

For each variant (JSON in us-west-2, YAML in us-west-2, JSON with us-east-1 as the main region so
that every stack is in one region) it runs the example into a temporary folder and checks:
  * `cdk ls` (the AWS CDK CLI from .tools/node, installed by cmake/setup.sh) lists exactly the
    app's stacks, with the right environments and dependencies, in a deployable order;
  * manifest.json and every <Stack>.assets.json validate against the JSON schemas shipped in
    @aws-cdk/cloud-assembly-schema (as published, and with unknown keys rejected), and load with
    the schema package's own Manifest loader (what the CDK CLI and cdk-assets use);
  * every file the manifests reference exists; every asset's SHA-256 is its key; each stack's
    stackTemplateAssetObjectUrl is where its template asset is published; every nested stack's
    TemplateURL is where an asset of its parent's asset manifest is published;
  * cross-stack references: Fn::ImportValue within a region, SSM parameters written by the
    Custom::LeafsynthCrossRegionParameters writer across regions.
Every template is copied to EMITTED_DIR/assembly/<variant>/ for the final cfn-lint test.
A missing CDK CLI or schema package is a failure (run `bash cmake/setup.sh`), not a skip.
"""
import copy
import fnmatch
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

import jsonschema
import yaml

if len(sys.argv) < 4:
    sys.exit(__doc__)
EXAMPLE = Path(sys.argv[1]).resolve()
SOURCE_DIR = Path(sys.argv[2]).resolve()
EMITTED_DIR = Path(sys.argv[3]).resolve()
del sys.argv[1:4]

NODE_DIR = SOURCE_DIR / ".tools" / "node"
CDK = NODE_DIR / "node_modules" / ".bin" / "cdk"
SCHEMA_PKG = NODE_DIR / "node_modules" / "@aws-cdk" / "cloud-assembly-schema"
ASSEMBLY_SCHEMA = SCHEMA_PKG / "schema" / "cloud-assembly.schema.json"
ASSETS_SCHEMA = SCHEMA_PKG / "schema" / "assets.schema.json"
WRITER = SOURCE_DIR / "src" / "detail" / "cross_region_writer.py"
SETUP_HINT = "run 'bash cmake/setup.sh' (it installs the AWS CDK CLI and schema into .tools/node)"

STACKS = {"Shared", "Edge", "Service"}
# Edge reads Shared's topic; Service reads Edge's log group and Shared's bucket (and, through its
# nested Workers stack, Shared's topic).
DEPENDENCIES = {"Shared": set(), "Edge": {"Shared"}, "Service": {"Edge", "Shared"}}
WRITER_TYPE = "Custom::LeafsynthCrossRegionParameters"
SSM_PARAM_TYPE = "AWS::SSM::Parameter::Value<String>"


# --- helpers ---------------------------------------------------------------------------------------

class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML: short-form intrinsics become their long (JSON) form."""


def _intrinsic(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)
# Keys like 2012-10-17 stay strings (CloudFormation does not read YAML 1.1 timestamps).
_CfnLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _CfnLoader.yaml_implicit_resolvers.items()
}


def load_template(path):
    text = Path(path).read_text()
    return yaml.load(text, Loader=_CfnLoader) if str(path).endswith(".yaml") else json.loads(text)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def strict(schema):
    """The schema with additionalProperties: false on every object that lists its properties and
    says nothing about others: a misspelled key (silently ignored by the CDK) becomes an error.
    The one key aws-cdk-lib itself writes without the schema listing it stays allowed: a stack's
    properties.additionalDependencies (its asset manifest artifact)."""
    schema = copy.deepcopy(schema)
    stack_props = schema.get("definitions", {}).get("AwsCloudFormationStackProperties")
    if stack_props is not None:
        stack_props["properties"].setdefault("additionalDependencies", {"type": "array", "items": {"type": "string"}})

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return schema


def walk_values(node):
    """Every value (recursively) of a template fragment."""
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from walk_values(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_values(v)


def sub_string(value):
    """The string of a TemplateURL: a plain string or the string of an Fn::Sub."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    raise AssertionError(f"unexpected TemplateURL {value!r}")


def tools_missing():
    missing = [str(p) for p in (CDK, ASSEMBLY_SCHEMA, ASSETS_SCHEMA) if not p.exists()]
    if shutil.which("node") is None:
        missing.append("node (on PATH)")
    return missing


# --- the checks, run for each variant --------------------------------------------------------------

class AssemblyChecks:
    VARIANT = ""        # folder name below EMITTED_DIR/assembly
    ARGS = []           # arguments after OUTDIR
    MAIN_REGION = ""
    EXT = ""            # template extension

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix=f"leafsynth-assembly-{cls.VARIANT}-")
        cls.out = Path(cls.tmp.name) / "cdk.out"
        # For the final cfn-lint test; a stale copy of an earlier run must not linger.
        dest = EMITTED_DIR / "assembly" / cls.VARIANT
        shutil.rmtree(dest, ignore_errors=True)
        proc = subprocess.run([str(EXAMPLE), str(cls.out), *cls.ARGS], capture_output=True, text=True, timeout=300)
        cls.example_error = None
        if proc.returncode != 0:
            cls.example_error = (f"{EXAMPLE.name} {' '.join(cls.ARGS)} failed with exit {proc.returncode}:\n"
                                 f"{proc.stdout}{proc.stderr}")
            return
        cls.manifest = json.loads((cls.out / "manifest.json").read_text())
        cls.templates = {p.name: load_template(p) for p in cls.out.iterdir() if ".template." in p.name}
        dest.mkdir(parents=True)
        for name in cls.templates:
            shutil.copy2(cls.out / name, dest / name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        if self.example_error:
            self.fail(self.example_error)

    def require_tools(self):
        missing = tools_missing()
        if missing:
            self.fail(f"the AWS CDK CLI / cloud-assembly schema is not installed: missing {', '.join(missing)}; "
                      f"{SETUP_HINT}")

    def cdk(self, *args):
        self.require_tools()
        with tempfile.TemporaryDirectory(prefix="leafsynth-cdk-home-") as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
            env.update(HOME=home, CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true", CI="true")
            proc = subprocess.run([str(CDK), *args, "--app", str(self.out), "--no-notices"],
                                  capture_output=True, text=True, env=env, cwd=home, timeout=300)
        self.assertEqual(proc.returncode, 0, f"cdk {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    def stack_artifacts(self):
        return {k: v for k, v in self.manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack"}

    def asset_manifests(self):
        """{stack artifact id: (asset manifest path, asset manifest)}."""
        out = {}
        arts = self.manifest["artifacts"]
        for sid, art in self.stack_artifacts().items():
            ids = [d for d in art.get("dependencies", []) if arts.get(d, {}).get("type") == "cdk:asset-manifest"]
            self.assertEqual(len(ids), 1, f"{sid}: expected one asset manifest among its dependencies, got {ids}")
            path = self.out / arts[ids[0]]["properties"]["file"]
            out[sid] = (path, json.loads(path.read_text()))
        return out

    def region_of(self, stack_id):
        env = self.stack_artifacts()[stack_id]["environment"]
        return env.rsplit("/", 1)[1]

    def template_of(self, stack_id):
        return self.templates[self.stack_artifacts()[stack_id]["properties"]["templateFile"]]

    def resources_of_type(self, rtype):
        """[(template file, logical id, resource)] over every template of the assembly."""
        return [(f, lid, r) for f, t in sorted(self.templates.items())
                for lid, r in t.get("Resources", {}).items() if r["Type"] == rtype]

    # --- cdk ls --------------------------------------------------------------------------------

    def test_cdk_ls_lists_the_stacks_in_a_deployable_order(self):
        listed = self.cdk("ls").split()
        self.assertEqual(sorted(listed), sorted(STACKS))
        # `cdk ls` prints the manifest's order, which leafsynth makes a deployment order.
        for i, stack in enumerate(listed):
            self.assertLessEqual(DEPENDENCIES[stack], set(listed[:i]), f"{stack} is listed before its dependencies: {listed}")

    def test_cdk_ls_shows_environments_and_dependencies(self):
        stacks = json.loads(self.cdk("ls", "--long", "--json"))
        self.assertEqual({s["id"]: (s["name"], s["environment"]["account"], s["environment"]["region"]) for s in stacks},
                         {"Shared": ("Shared", "123456789012", self.MAIN_REGION),
                          "Edge": ("Edge", "123456789012", "us-east-1"),
                          "Service": ("Service", "123456789012", self.MAIN_REGION)})
        deps = json.loads(self.cdk("ls", "--show-dependencies", "--json"))
        self.assertEqual({s["id"]: {d["id"] for d in s["dependencies"]} for s in deps}, DEPENDENCIES)

    # --- schemas -------------------------------------------------------------------------------

    def validate(self, document, schema_path, what):
        self.require_tools()
        schema = json.loads(schema_path.read_text())
        for label, s in (("schema", schema), ("schema with unknown keys rejected", strict(schema))):
            errors = sorted(jsonschema.Draft7Validator(s).iter_errors(document), key=lambda e: list(e.absolute_path))
            messages = []
            for e in errors:
                # For anyOf, the message only says "not valid under any": add the closest branch's reason.
                why = f" ({jsonschema.exceptions.best_match(e.context).message})" if e.context else ""
                messages.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}{why}")
            self.assertEqual([], messages, f"{what} does not validate against {schema_path.name} ({label})")

    def test_manifest_validates_against_the_cloud_assembly_schema(self):
        self.validate(self.manifest, ASSEMBLY_SCHEMA, "manifest.json")
        # The CLI refuses an assembly newer than the schema it knows.
        revision = json.loads((SCHEMA_PKG / "schema" / "version.json").read_text())["revision"]
        major = int(self.manifest["version"].split(".")[0])
        self.assertLessEqual(major, revision, f"manifest version {self.manifest['version']} is newer than the schema")

    def test_asset_manifests_validate_against_the_assets_schema(self):
        for sid, (path, doc) in self.asset_manifests().items():
            self.validate(doc, ASSETS_SCHEMA, path.name)

    def test_schema_package_loads_every_manifest(self):
        self.require_tools()
        files = [self.out / "manifest.json"] + [p for p, _ in self.asset_manifests().values()]
        script = """
const {Manifest} = require('@aws-cdk/cloud-assembly-schema');
const [assembly, ...assets] = process.argv.slice(1);
const m = Manifest.loadAssemblyManifest(assembly);
for (const f of assets) Manifest.loadAssetManifest(f);
console.log(JSON.stringify(Object.keys(m.artifacts)));
"""
        proc = subprocess.run(["node", "-e", script, *map(str, files)], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")})
        self.assertEqual(proc.returncode, 0, f"Manifest loader rejected the assembly:\n{proc.stdout}{proc.stderr}")
        self.assertEqual(json.loads(proc.stdout), list(self.manifest["artifacts"]))

    # --- files and hashes ----------------------------------------------------------------------

    def test_every_referenced_file_exists(self):
        arts = self.manifest["artifacts"]
        self.assertEqual({k for k, v in arts.items() if v["type"] == "aws:cloudformation:stack"}, STACKS)
        for aid, art in arts.items():
            for dep in art.get("dependencies", []) + art.get("properties", {}).get("additionalDependencies", []):
                self.assertIn(dep, arts, f"{aid} depends on unknown artifact {dep}")
            props = art["properties"]
            if art["type"] == "aws:cloudformation:stack":
                self.assertTrue((self.out / props["templateFile"]).is_file(), props["templateFile"])
                self.assertTrue(props["templateFile"].endswith(".template" + self.EXT), props["templateFile"])
                self.assertEqual(art["displayName"], aid)
                self.assertEqual({d for d in art["dependencies"] if arts[d]["type"] == "aws:cloudformation:stack"},
                                 DEPENDENCIES[aid])
            elif art["type"] == "cdk:asset-manifest":
                self.assertTrue((self.out / props["file"]).is_file(), props["file"])
        for sid, (path, doc) in self.asset_manifests().items():
            for key, asset in doc["files"].items():
                self.assertTrue((path.parent / asset["source"]["path"]).is_file(), f"{path.name}: {key}")
        # Every template in the folder is a stack's template or an asset.
        known = {a["properties"]["templateFile"] for a in self.stack_artifacts().values()}
        known |= {a["source"]["path"] for _, d in self.asset_manifests().values() for a in d["files"].values()}
        self.assertLessEqual(set(self.templates), known, "templates nobody references")

    def test_every_asset_hash_is_the_sha256_of_its_file(self):
        for sid, (path, doc) in self.asset_manifests().items():
            region = self.region_of(sid)
            self.assertTrue(doc["files"], f"{path.name} has no file assets")
            for key, asset in doc["files"].items():
                source = path.parent / asset["source"]["path"]
                self.assertEqual(sha256(source), key, f"{path.name}: asset {asset['source']['path']}")
                self.assertEqual(len(asset["destinations"]), 1)
                for dest in asset["destinations"].values():
                    self.assertEqual(dest["objectKey"], key + source.suffix, f"{path.name}: {key}")
                    self.assertEqual(dest.get("region"), region, f"{path.name}: {key}")
                    self.assertIn(region, dest["bucketName"])

    def test_stack_template_object_url_is_where_the_template_asset_goes(self):
        for sid, (path, doc) in self.asset_manifests().items():
            props = self.stack_artifacts()[sid]["properties"]
            template = props["templateFile"]
            assets = [(k, a) for k, a in doc["files"].items() if a["source"]["path"] == template]
            self.assertEqual(len(assets), 1, f"{path.name}: the template {template} must be one asset")
            key, asset = assets[0]
            self.assertEqual(key, sha256(self.out / template))
            (dest,) = asset["destinations"].values()
            self.assertEqual(props["stackTemplateAssetObjectUrl"], f"s3://{dest['bucketName']}/{dest['objectKey']}",
                             f"{sid}: the CLI deploys the template from stackTemplateAssetObjectUrl, so it must be "
                             f"where the asset publisher uploads {template}")

    def test_nested_templates_are_assets_of_their_parent(self):
        seen = {}
        for sid, (path, doc) in self.asset_manifests().items():
            by_location = {}
            for key, asset in doc["files"].items():
                (dest,) = asset["destinations"].values()
                by_location[f"/{dest['bucketName']}/{dest['objectKey']}"] = (key, asset)
            pending = [self.stack_artifacts()[sid]["properties"]["templateFile"]]
            while pending:
                name = pending.pop()
                for lid, res in self.templates[name].get("Resources", {}).items():
                    if res["Type"] != "AWS::CloudFormation::Stack":
                        continue
                    url = sub_string(res["Properties"]["TemplateURL"])
                    self.assertTrue(url.startswith("https://s3."), url)
                    matches = [loc for loc in by_location if url.endswith(loc)]
                    self.assertEqual(len(matches), 1, f"{name}/{lid}: TemplateURL {url} is no asset of {path.name}")
                    key, asset = by_location[matches[0]]
                    self.assertIn(key, url)
                    nested = asset["source"]["path"]
                    self.assertIn(nested, self.templates, f"{name}/{lid}: {nested}")
                    self.assertEqual(sha256(self.out / nested), key)
                    seen.setdefault(sid, []).append(nested)
                    pending.append(nested)
        self.assertEqual({k: sorted(v) for k, v in seen.items()},
                         {"Service": [f"Service.Storage.nested.template{self.EXT}",
                                      f"Service.Workers.nested.template{self.EXT}"]})

    # --- references between stacks -------------------------------------------------------------

    def exports(self):
        """{(region, export name): (stack id, value)}; export names are unique per region."""
        out = {}
        for sid in self.stack_artifacts():
            for oid, output in self.template_of(sid).get("Outputs", {}).items():
                if "Export" in output:
                    key = (self.region_of(sid), output["Export"]["Name"])
                    self.assertNotIn(key, out, f"export {key} defined twice")
                    out[key] = (sid, output["Value"])
        return out

    def test_every_import_has_an_export_in_the_same_region(self):
        exports = self.exports()
        for sid in self.stack_artifacts():
            for v in walk_values(self.template_of(sid)):
                if isinstance(v, dict) and "Fn::ImportValue" in v:
                    self.assertIn((self.region_of(sid), v["Fn::ImportValue"]), exports, f"{sid} imports {v}")

    def ssm_reads(self):
        """{(consumer stack id, region, parameter name)}: SSM-typed template parameters of every
        top-level template (cross-region references are read through them)."""
        out = set()
        for sid in self.stack_artifacts():
            for p in self.template_of(sid).get("Parameters", {}).values():
                if p["Type"] == SSM_PARAM_TYPE:
                    out.add((sid, self.region_of(sid), p["Default"]))
        return out

    def ssm_read(self, sid, value):
        """The SSM parameter name behind a value `{"Ref": <SSM-typed parameter>}` in stack `sid`."""
        self.assertIsInstance(value, dict, value)
        param = self.template_of(sid)["Parameters"][value["Ref"]]
        self.assertEqual(param["Type"], SSM_PARAM_TYPE)
        return param["Default"]

    def writers(self):
        """{(region, parameter name): (writer stack id, value)}."""
        out = {}
        for sid in self.stack_artifacts():
            for lid, res in self.template_of(sid)["Resources"].items():
                if res["Type"] == WRITER_TYPE:
                    props = res["Properties"]
                    for name, value in props["Parameters"].items():
                        self.assertNotIn((props["Region"], name), out)
                        out[(props["Region"], name)] = (sid, value)
        return out

    def test_every_ssm_read_is_written_by_a_writer(self):
        writers = self.writers()
        for sid, region, name in self.ssm_reads():
            self.assertIn((region, name), writers, f"{sid} reads {name} in {region}, which nobody writes")
            self.assertNotEqual(writers[(region, name)][0], sid)
            self.assertTrue(name.startswith(f"/leafsynth/{sid}/{writers[(region, name)][0]}/"), name)
        self.assertEqual({(r, n) for _, r, n in self.ssm_reads()}, set(writers), "parameters written but never read")


class CrossRegionChecks(AssemblyChecks):
    MAIN_REGION = "us-west-2"

    def test_edge_reads_shared_through_an_ssm_parameter(self):
        value = self.template_of("Edge")["Resources"]["AlertsTopicArn"]["Properties"]["Value"]
        m = re.fullmatch(r"(/leafsynth/Edge/Shared/[A-Za-z0-9]+)", self.ssm_read("Edge", value))
        self.assertTrue(m, value)
        (writer,) = [r for r in self.template_of("Shared")["Resources"].values() if r["Type"] == WRITER_TYPE]
        self.assertEqual(writer["Properties"]["Region"], "us-east-1")
        self.assertEqual(writer["Properties"]["Parameters"], {m.group(1): {"Ref": "Alerts"}})

    def test_service_reads_edge_through_an_ssm_parameter_and_shared_through_an_export(self):
        res = self.template_of("Service")["Resources"]
        m = re.fullmatch(r"(/leafsynth/Service/Edge/[A-Za-z0-9]+)",
                         self.ssm_read("Service", res["AuditLogGroupArn"]["Properties"]["Value"]))
        self.assertTrue(m, res["AuditLogGroupArn"]["Properties"]["Value"])
        (writer,) = [r for r in self.template_of("Edge")["Resources"].values() if r["Type"] == WRITER_TYPE]
        self.assertEqual(writer["Properties"]["Region"], self.MAIN_REGION)
        self.assertEqual(writer["Properties"]["Parameters"], {m.group(1): {"Fn::GetAtt": ["Audit", "Arn"]}})
        imported = res["DataBucketName"]["Properties"]["Value"]["Fn::ImportValue"]
        self.assertEqual(self.exports()[(self.MAIN_REGION, imported)], ("Shared", {"Ref": "Data"}))

    def test_writer_function_runs_the_writer_source_with_permission_for_its_parameters(self):
        source = WRITER.read_text()
        self.assertLess(len(source.encode()), 4096, "inline ZipFile code must stay under 4096 bytes")
        writers = self.resources_of_type(WRITER_TYPE)
        self.assertEqual(sorted(f for f, _, _ in writers), sorted(["Shared.template" + self.EXT, "Edge.template" + self.EXT]))
        for fname, lid, writer in writers:
            res = self.templates[fname]["Resources"]
            token = writer["Properties"]["ServiceToken"]["Fn::GetAtt"]
            self.assertEqual(token[1], "Arn")
            function = res[token[0]]
            self.assertEqual(function["Type"], "AWS::Lambda::Function")
            self.assertEqual(function["Properties"]["Code"]["ZipFile"], source, f"{fname}: inline writer code")
            self.assertEqual(function["Properties"]["Handler"], "index.handler")
            role = function["Properties"]["Role"]["Fn::GetAtt"][0]
            policies = [k for k, r in res.items() if r["Type"] == "AWS::IAM::Policy"
                        and {"Ref": role} in r["Properties"]["Roles"]]
            self.assertEqual(len(policies), 1, fname)
            self.assertIn(policies[0], writer.get("DependsOn", []), f"{fname}: the writer must wait for its policy")
            patterns = []
            statements = res[policies[0]]["Properties"]["PolicyDocument"]["Statement"]
            for st in statements:
                self.assertEqual(st["Effect"], "Allow")
                if st["Action"] == "ssm:DescribeParameters":  # has no resource scope
                    self.assertEqual(st["Resource"], "*")
                    continue
                self.assertLessEqual({"ssm:PutParameter", "ssm:DeleteParameters"}, set(st["Action"]))
                patterns += [sub_string(r) for r in st["Resource"]]
            # The writer reads each parameter's Description before deleting it.
            self.assertIn("ssm:DescribeParameters", [st["Action"] for st in statements])
            region = writer["Properties"]["Region"]
            for name in writer["Properties"]["Parameters"]:
                arn = f"arn:${{AWS::Partition}}:ssm:{region}:${{AWS::AccountId}}:parameter{name}"
                self.assertTrue(any(fnmatch.fnmatchcase(arn, p) for p in patterns), f"{fname}: {arn} not in {patterns}")


class JsonUsWest2(CrossRegionChecks, unittest.TestCase):
    VARIANT, ARGS, EXT = "json-us-west-2", ["us-west-2"], ".json"


class YamlUsWest2(CrossRegionChecks, unittest.TestCase):
    VARIANT, ARGS, EXT = "yaml-us-west-2", ["us-west-2", "--yaml"], ".yaml"


class JsonUsEast1(AssemblyChecks, unittest.TestCase):
    """Every stack in us-east-1: references are exports and imports; no writer, no SSM reads."""
    VARIANT, ARGS, MAIN_REGION, EXT = "json-us-east-1", ["us-east-1"], "us-east-1", ".json"

    def test_no_cross_region_machinery(self):
        self.assertEqual(self.resources_of_type(WRITER_TYPE), [])
        self.assertEqual(self.resources_of_type("AWS::Lambda::Function"), [])
        for name, template in self.templates.items():
            self.assertNotIn("{{resolve:ssm:", json.dumps(template), name)
            self.assertNotIn(SSM_PARAM_TYPE, json.dumps(template), name)

    def test_references_are_imports(self):
        exports = self.exports()
        edge = self.template_of("Edge")["Resources"]["AlertsTopicArn"]["Properties"]["Value"]
        self.assertEqual(exports[("us-east-1", edge["Fn::ImportValue"])], ("Shared", {"Ref": "Alerts"}))
        res = self.template_of("Service")["Resources"]
        audit = res["AuditLogGroupArn"]["Properties"]["Value"]
        self.assertEqual(exports[("us-east-1", audit["Fn::ImportValue"])], ("Edge", {"Fn::GetAtt": ["Audit", "Arn"]}))
        data = res["DataBucketName"]["Properties"]["Value"]
        self.assertEqual(exports[("us-east-1", data["Fn::ImportValue"])], ("Shared", {"Ref": "Data"}))


class ToolsInstalled(unittest.TestCase):
    def test_cdk_cli_and_schema_are_installed(self):
        missing = tools_missing()
        self.assertEqual(missing, [], f"the AWS CDK CLI / cloud-assembly schema is not installed; {SETUP_HINT}")


if __name__ == "__main__":
    unittest.main()
