"""The value constraints of the CloudFormation resource schemas (enum, pattern, length, range and
item-count bounds), read from the schemas cfn-lint ships, for src/cfn/constraint_data.cpp.

The AWS CDK service specification (the source of the typed resources) does not carry them; the
resource provider schemas do, and cfn-lint ships a copy of them (with its own corrections) in its
Python package. The pin is in tools/cfn/source.json ("constraints"): the cfn-lint version, the
region whose schema set is read, and the sha256 of that set. A machine without that cfn-lint
keeps the committed data: the generator leaves it as it is and its check says it was not checked.

The constraints are keyed as the service specification names things, so the synth-time check
(src/cfn/validate.cpp) finds them beside the property they belong to: per resource type, per
property type ("" for the resource's own properties), per property name.
"""
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

KEYS = ("enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minItems", "maxItems")


def find_schemas(pin, repo, given=None):
    """The `cfnlint/data/schemas` folder of the pinned cfn-lint, or (None, why not)."""
    candidates = []
    if given:
        candidates.append(Path(given))
    for python in [sys.executable, "python3", *sorted(str(p) for p in (repo / ".tools/venv/bin").glob("python3"))]:
        p = subprocess.run([python, "-c", "import cfnlint, os, importlib.metadata as m; "
                                          "print(os.path.dirname(cfnlint.__file__)); print(m.version('cfn-lint'))"],
                           capture_output=True, text=True)
        if p.returncode == 0:
            where, version = p.stdout.split()
            if version == pin["version"]:
                candidates.append(Path(where) / "data" / "schemas")
            else:
                candidates.append(None)
                found = version
    for c in candidates:
        if c and (c / "providers" / f"{pin['region']}.py").exists():
            return c, None
    if any(c is None for c in candidates):
        return None, f"the cfn-lint found is {found}, not the pinned {pin['version']}"
    return None, f"cfn-lint {pin['version']} is not installed"


def load(pin, schemas):
    """{type: schema} of the pinned region's set, after checking its sha256."""
    listing = (schemas / "providers" / f"{pin['region']}.py").read_text()
    types = dict(re.findall(r'"(AWS::[^"]+)": "([0-9a-f]+)"', listing))
    digest = hashlib.sha256()
    out = {}
    for t in sorted(types):
        data = (schemas / "resources" / f"{types[t]}.json").read_bytes()
        digest.update(t.encode() + b"\0" + data + b"\0")
        out[t] = json.loads(data)
    if digest.hexdigest() != pin["sha256"]:
        raise ValueError(f"{schemas}: the {pin['region']} schemas' sha256 is {digest.hexdigest()}, not the pinned "
                         f"{pin['sha256']} (tools/cfn/source.json)")
    return out


def _resolve(root, s):
    for _ in range(32):
        if not isinstance(s, dict) or "$ref" not in s:
            return s
        ref = s["$ref"]
        if not ref.startswith("#/"):
            return None
        o = root
        for part in ref[2:].split("/"):
            o = o.get(part) if isinstance(o, dict) else None
        s = o
    return None


def _values_schema(s):
    """The schema of a JSON object's values (one patternProperties entry or additionalProperties)."""
    pp = s.get("patternProperties")
    if isinstance(pp, dict) and len(pp) == 1:
        return next(iter(pp.values()))
    if isinstance(s.get("additionalProperties"), dict):
        return s["additionalProperties"]
    return None


def _constraint(root, s, t):
    """The constraints of schema `s` for a value of spec type `t`, or None."""
    s = _resolve(root, s)
    if not isinstance(s, dict):
        return None
    c = {k: s[k] for k in KEYS if k in s}
    inner = None
    if t["type"] == "array" and "items" in s:
        inner = _constraint(root, s["items"], t["element"])
    elif t["type"] == "map" and _values_schema(s) is not None:
        inner = _constraint(root, _values_schema(s), t["element"])
    if inner:
        c["items"] = inner
    return c or None


def _objects(root, s, t):
    """[(spec type id, object schema)] of the property types a value of type `t` holds."""
    s = _resolve(root, s)
    if not isinstance(s, dict):
        return []
    k = t["type"]
    if k == "ref":
        return [(t["reference"]["$ref"], s)]
    if k == "array" and "items" in s:
        return _objects(root, s["items"], t["element"])
    if k == "map" and _values_schema(s) is not None:
        return _objects(root, _values_schema(s), t["element"])
    if k == "union":
        return [o for x in t["types"] if x["type"] in ("ref", "array", "map") for o in _objects(root, s, x)]
    return []


def of_resource(spec, r, names, root):
    """{struct ("" for the resource): {property: constraint}} of resource `r` by its schema `root`."""
    out, seen = {}, set()

    def walk(key, props, schema_props):
        entry = {}
        for name, p in props.items():
            s = schema_props.get(name)
            if s is None:
                continue
            c = _constraint(root, s, p["type"])
            if c:
                entry[name] = c
            for tid, obj in _objects(root, s, p["type"]):
                struct = names[tid]
                if struct in seen or not isinstance(obj.get("properties"), dict):
                    continue
                seen.add(struct)
                walk(struct, spec.types[tid]["properties"], obj["properties"])
        if entry:
            out[key] = entry

    walk("", r["properties"], root.get("properties", {}))
    return out


def data_cpp(prefix, pin, spec, resources, schemas, type_names):
    out = [prefix,
           "//\n// Per resource type, the value constraints of its schema as compact JSON (read by src/cfn/schema.cpp,\n"
           "// which documents the format), sorted by type. Generated with tools/cfn/constraints.py from the\n"
           f"// resource schemas of {pin['package']} {pin['version']} ({pin['region']}).\n\n"
           '#include "cfn/schema.hpp"\n\nnamespace leafsynth::cfn::detail {\n\n'
           "const std::span<const SchemaRecord> constraint_records() {\n"
           "    static constexpr SchemaRecord records[] = {\n"]
    for r in sorted(resources, key=lambda r: r["cloudFormationType"]):
        t = r["cloudFormationType"]
        if t not in schemas:
            continue
        c = of_resource(spec, r, type_names(spec, r), schemas[t])
        if not c:
            continue
        body = json.dumps(c, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
        if ")~\"" in body:
            raise ValueError("a constraint holds the raw-string delimiter")
        out.append(f'        {{"{t}", {{R"~({body})~", {len(body)}}}}},\n')
    out.append("    };\n    return records;\n}\n\n")
    out.append(f'std::string_view constraint_source() {{ return "{pin["package"]} {pin["version"]}"; }}\n\n')
    out.append("} // namespace leafsynth::cfn::detail\n")
    return "".join(out)
