#!/usr/bin/env python3
"""examples/custom_leaf: a leaf built from C++ values synthesizes a valid app.

usage: test_custom_leaf.py CUSTOM_LEAF EMITTED_DIR
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY, EMITTED = None, None


class CustomLeafTest(unittest.TestCase):
    def test_synthesizes_the_leaf_and_base(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "out"
            proc = subprocess.run([BINARY, str(out), "eu-central-1"], capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            lines = proc.stdout.splitlines()
            self.assertEqual([l.split("\t")[0] for l in lines],
                             ["ContainerManager-BaseStack", "ContainerManager-Terraria-DomainStack",
                              "ContainerManager-Terraria-Stack", "ContainerManager-Terraria-LinkTogetherStack"])
            self.assertEqual(lines[0].split("\t")[1], "eu-central-1")
            self.assertEqual(lines[1].split("\t")[1], "us-east-1")
            base = json.loads((out / "ContainerManager-BaseStack.template.json").read_text())
            subnets = [r for r in base["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
            self.assertEqual(len(subnets), 2, "Vpc.MaxAZs = 2 gives two public subnets")
            container = json.loads((out / "ContainerManager-Terraria-Stack.Container.nested.template.json").read_text())
            (task,) = [r for r in container["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
            (definition,) = task["Properties"]["ContainerDefinitions"]
            self.assertEqual(definition["Name"], "Terraria")
            self.assertEqual(definition["Image"], "ryshe/terraria")
            self.assertEqual(definition["PortMappings"][0]["ContainerPort"], 7777)
            target = pathlib.Path(EMITTED) / "custom_leaf"
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for f in out.glob("*.template.json"):
                shutil.copy(f, target / f.name)


if __name__ == "__main__":
    BINARY, EMITTED = sys.argv.pop(1), sys.argv.pop(1)
    unittest.main()
