"""`leafsynth diff` on bad and hostile templates and folders, run as a user would run it: the two
template form (`leafsynth diff OLD NEW`, JSON or YAML, nested stacks beside each file) and the
output-folder form (`leafsynth diff <app> --against DIR`). Every bad input is generated here.

Each case asserts the promise of robustness_support.check_error: exit code 2, one
`leafsynth: error:` message naming the file (with line:column where the problem has one), short,
within the time and memory limits of every run.
"""

import json
import os
import pathlib
import random
import shutil
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from robustness_support import RobustnessCase, examples  # noqa: E402

GOOD = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}}
APP = ["--region", "us-west-2", "--account", "123456789012"]


def position(text: bytes, offset: int) -> str:
    """`line:column` (both from 1, columns in bytes) of byte `offset`, as leafsynth counts."""
    before = text[:offset]
    return "%d:%d" % (before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1)


class TemplateInputs(RobustnessCase):
    """`leafsynth diff OLD NEW` with one good and one bad template (each way round)."""

    def setUp(self):
        super().setUp()
        self.good = self.write("good.template.json", json.dumps(GOOD))

    def assert_bad(self, name, content, *parts, at=None):
        """The bad template as NEW and as OLD: one error naming it (at `line:column` when given)."""
        path = self.write(name, content) if content is not None else self.tmp / name
        where = "%s:%s" % (path, at) if at else str(path)
        for args in ([self.good, path], [path, self.good]):
            started = time.monotonic()
            run = self.run_cli("diff", *args)
            self.check_error(run, *parts, where=where)
            self.assertEqual(run.stdout, "", run)
            self.assertLess(time.monotonic() - started, 10, run)
        return run.stderr

    # --- nesting and expansion -------------------------------------------------------

    def test_json_nested_10000_deep(self):
        text = '{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Metadata": {"x": ' + "[" * 10000 + "]" * 10000 + "}}}}"
        offset = text.index("[") + 196  # the 201st level: the template, Resources, T, Metadata's mapping, 197 lists
        self.assert_bad("deep.template.json", text, "nested more than 200 levels deep",
                        at=position(text.encode(), offset))

    def test_yaml_flow_nested_10000_deep(self):
        text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      x: " + "[" * 10000 + "]" * 10000 + "\n"
        self.assert_bad("deep.template.yaml", text, "nested more than 200 levels deep", "Resources.T.Metadata.x[0]",
                        at="5:%d" % (len("      x: ") + 197))

    def test_yaml_block_nested_deep(self):
        text = "Resources:\n" + "".join(" " * i + "k:\n" for i in range(1, 1001))
        self.assert_bad("block.template.yaml", text, "nested more than 200 levels deep", at="201:201")
        seqs = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      x:\n        " + "- " * 10000 + "y\n"
        self.assert_bad("seqs.template.yaml", seqs, "nested more than 200 levels deep", at="6:")

    def test_billion_laughs(self):
        lines = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
        for prev, name in zip("abcdefgh", "bcdefghi"):
            lines.append("%s: &%s [%s]" % (name, name, ",".join(["*" + prev] * 9)))
        bomb = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n" + "".join("      %s\n" % l for l in lines)
        self.assertLess(len(bomb.encode()), 600)
        self.assert_bad("laughs.template.yaml", bomb, "YAML anchors and aliases copy more than 100000 values",
                        "billion laughs")

    def test_alias_cycle(self):
        self.assert_bad("cycle.template.yaml", "Resources: &r\n  T: *r\n", "refers to a node that contains it", at="2:6")

    # --- nested stacks that nest themselves --------------------------------------------

    def nested(self, url):
        return {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}

    def test_nested_stack_pointing_at_its_own_template(self):
        folder = self.tmp / "self"
        text = json.dumps({"Resources": {"A": self.nested("Self.template.json"), "B": self.nested("Self.template.json")}},
                          indent=1)
        path = self.write("self/Self.template.json", text)
        for args in ([self.good, path], [path, path]):
            run = self.run_cli("diff", *args)
            self.check_error(run, "Resources.A: the nested stack's template is", "which already contains it",
                             where="%s:3:3" % (folder / "Self.template.json"))

    def test_nested_stacks_in_a_cycle_of_two(self):
        self.write("ab/A.template.json", json.dumps({"Resources": {"ToB": self.nested("B.template.json")}}))
        b = self.write("ab/B.template.json", json.dumps({"Resources": {"ToA": self.nested("A.template.json")}}))
        run = self.run_cli("diff", self.good, self.tmp / "ab" / "A.template.json")
        self.check_error(run, "Resources.ToA: the nested stack's template is", "A.template.json > ToB > ToA",
                         where="%s:1:16" % b)

    def test_nested_stacks_deeper_than_16_and_shared_many_times_over(self):
        for i in range(20):
            resources = {"T": {"Type": "AWS::SNS::Topic"}}
            if i < 19:
                resources["N"] = self.nested("C%d.template.json" % (i + 1))
            self.write("chain/C%d.template.json" % i, json.dumps({"Resources": resources}))
        run = self.run_cli("diff", self.good, self.tmp / "chain" / "C0.template.json")
        self.check_error(run, "nested stacks more than 16 levels deep", where=str(self.tmp / "chain" / "C16.template.json"))
        for i in range(16):
            resources = {"T": {"Type": "AWS::SNS::Topic"}}
            if i < 15:
                resources["A"] = resources["B"] = self.nested("D%d.template.json" % (i + 1))
            self.write("dag/D%d.template.json" % i, json.dumps({"Resources": resources}))
        started = time.monotonic()
        run = self.run_cli("diff", self.tmp / "dag" / "D0.template.json", self.tmp / "dag" / "D0.template.json")
        self.check_error(run, "would mean comparing more than 5000 stacks", where=str(self.tmp / "dag" / "D0.template.json"))
        self.assertLess(time.monotonic() - started, 10)

    # --- long values, encodings, garbage ------------------------------------------------

    def test_30000_character_scalars(self):
        long = "x" * 30000
        err = self.assert_bad("type.template.json", json.dumps({"Resources": {"T": {"Type": long}}}),
                              "Resources.T.Type:", "is not a resource type", "(30000 bytes in all)", at="1:22")
        self.assertLess(len(err), 1000)
        self.assert_bad("id.template.json", json.dumps({"Resources": {"L" * 30000: {"Type": "AWS::SNS::Topic"}}}),
                        "not a logical id", "(30000 bytes in all)", at="1:16")
        self.assert_bad("tag.template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      x: !" +
                        "X" * 30000 + " y\n", "unknown YAML tag", "(30001 bytes in all)", at="5:10")
        # A long value where values may be long is compared, and shown shortened.
        value = dict(GOOD)
        value["Description"] = "d" * 30000
        path = self.write("long.template.json", json.dumps(value))
        run = self.run_cli("diff", self.good, path)
        self.assertEqual(run.returncode, 0, run)
        self.assertLess(len(run.stdout), 2000, run)

    def test_ten_megabyte_value_is_not_echoed(self):
        err = self.assert_bad("big.template.yaml", "Resources:\n  T:\n    Type: " + "y" * 10_000_000 + "\n",
                              "is not a resource type", at="3:5")
        self.assertLess(len(err), 1000)

    def test_value_with_a_line_break_stays_on_one_line(self):
        err = self.assert_bad("nl.template.json", '{"Resources": {"A\\nB": {"Type": 1}}}', "Resources.A\\nB: not a logical id",
                              at="1:16")
        self.assertEqual(err.count("\n"), 1)

    def test_invalid_utf8(self):
        text = b'{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "caf\xe9"}}}}'
        self.assert_bad("latin1.template.json", text, "not UTF-8 text: byte 0xE9", at=position(text, text.index(b"\xe9")))
        text = b"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: \xff\xfe\n"
        self.assert_bad("bad.template.yaml", text, "not UTF-8 text: byte 0xFF", at="5:18")
        self.assert_bad("utf16.template.json", json.dumps(GOOD).encode("utf-16"), "UTF-16", at="1:1")

    def test_binary_garbage(self):
        rng = random.Random(9)
        for n in range(5):
            data = bytes(rng.randrange(256) for _ in range(4096))
            self.assert_bad("garbage%d.template.json" % n, data, at="1:")
        self.assert_bad("zeros.template.yaml", b"\0" * 1000, "control character U+0000", at="1:1")

    # --- syntax, structure -------------------------------------------------------------

    def test_truncated_files(self):
        whole = json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t" * 50}}}}, indent=1)
        for cut in (10, len(whole) // 2, len(whole) - 1):
            self.assert_bad("cut%d.template.json" % cut, whole[:cut], "not valid JSON", "is it cut short?")
        yaml_text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: \"a long name"
        self.assert_bad("cut.template.yaml", yaml_text, "not valid YAML", at="5:30")
        # With a final line break yaml-cpp takes the string as closed; leafsynth does not.
        self.assert_bad("cut2.template.yaml", yaml_text + "\n", "the quoted string that starts here is not closed", at="5:18")

    def test_empty_files(self):
        for name in ("empty.template.json", "empty.template.yaml", "blank.template.yaml"):
            self.assert_bad(name, "" if name.startswith("empty") else "\n\n  \n# nothing\n", "the file is empty",
                            at="1:1")

    def test_yaml_syntax_error_is_reported_not_read_as_a_leaf_config(self):
        # Named like a template: its own parse error, not the leaf-config reader's (or the
        # deployed-stack comparison's).
        self.assert_bad("quote.template.yaml", "Resources:\n  T:\n    Type: 'AWS::SNS::Topic\n",
                        "the quoted string that starts here is not closed", at="3:11")
        self.assert_bad("flow.template.yaml", "Resources: {T: {Type: AWS::SNS::Topic}\n", "not valid YAML", at="2:1")
        # Not named like one, but a template: still read as one.
        self.assert_bad("old.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  T: [\n", "not valid YAML")
        self.assert_bad("deep.yaml", "Resources:\n  T:\n    Metadata: " + "{a: " * 5000 + "\n",
                        "nested more than 200 levels deep")

    def test_unknown_tags(self):
        self.assert_bad("tag.template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Foo x\n",
                        "unknown YAML tag '!Foo'", "!Ref, !GetAtt", at="5:18")
        self.assert_bad("case.template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !ref X\n",
                        "unknown YAML tag '!ref' (did you mean !Ref?)", at="5:18")

    def test_sections_of_the_wrong_type(self):
        cases = [
            ("list.template.yaml", "Resources:\n  - T\n", "Resources: must be a mapping of names to entries, not a list", "1:1"),
            ("string.template.yaml", "Resources: all of them\n", "Resources: must be a mapping", "1:1"),
            ("null.template.yaml", "Description: x\nResources:\n", "Resources: must be a mapping of names to entries, not empty", "2:1"),
            ("params.template.json", '{"Resources": {}, "Parameters": ["a"]}', "Parameters: must be a mapping", "1:19"),
            ("outputs.template.yaml", "Resources: {}\nOutputs:\n  O:\n    Export: {Name: x}\n", "Outputs.O: the output has no Value", "3:3"),
            ("conditions.template.yaml", "Resources: {}\nConditions: 5\n", "Conditions: must be a mapping", "2:1"),
            ("notype.template.yaml", "Resources:\n  T:\n    Properties: {}\n", "Resources.T: the resource has no Type", "2:3"),
            ("typetype.template.json", '{"Resources": {"T": {"Type": ["AWS::SNS::Topic"]}}}', "Resources.T.Type: must be a resource type", "1:22"),
            ("props.template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: x\n", "Resources.T.Properties: must be a mapping", "4:5"),
            ("typo.template.yaml", "Resource:\n  T:\n    Type: AWS::SNS::Topic\n", "Resource: not a template section (did you mean Resources?)", "1:1"),
            ("dup.template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n  T:\n    Type: AWS::SQS::Queue\n", "Resources.T: given twice", "4:3"),
            ("top.template.json", "[1, 2]", "not a CloudFormation template: the top level is a list", "1:1"),
        ]
        for name, text, part, at in cases:
            with self.subTest(name=name):
                self.assert_bad(name, text, part, at=at)

    def test_unusual_keys_never_split_or_colour_a_report_line(self):
        # Keys a template may hold (tag and environment maps, metadata): newlines, escape
        # sequences, quotes, dots. The report quotes them on one line (exit 1 with --fail: differences).
        old = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"},
                                       "Metadata": {"keep": 1}}}}
        new = json.loads(json.dumps(old))
        new["Resources"]["Topic"]["Metadata"].update({"a\nb": 1, "\x1b[31mred": 2, "dot.ted": 3})
        run = self.run_cli("diff", "--fail", self.write("old.template.json", json.dumps(old)),
                           self.write("new.template.json", json.dumps(new)))
        self.assertEqual(run.returncode, 1, run)
        self.assertNotIn("\x1b", run.stdout)
        lines = run.stdout.splitlines()
        for shown in ("Metadata.'a\\nb': 1", "Metadata.'\\x1b[31mred': 2", "Metadata.'dot.ted': 3"):
            self.assertTrue(any(line.endswith(shown) and "[+]" in line for line in lines), (shown, run.stdout))

    def test_fifo_and_folder_given_as_a_file(self):
        fifo = self.tmp / "fifo.template.json"
        os.mkfifo(fifo)
        self.assert_bad("fifo.template.json", None, "is not a regular file (a FIFO, socket or device)")
        (self.tmp / "folder.template.yaml").mkdir()
        self.assert_bad("folder.template.yaml", None, "is a folder, not a file")
        self.assert_bad("missing.template.json", None, "no such template file")


class AgainstFolderInputs(RobustnessCase):
    """`leafsynth diff <app> --against DIR` with a damaged output folder."""

    def setUp(self):
        super().setUp()
        self.app = [examples() / "minecraft.yaml"] + APP
        self.out = self.tmp / "out"
        run = self.run_cli("synth", *self.app, "-o", self.out)
        self.assertEqual(run.returncode, 0, run)
        ok = self.run_cli("diff", *self.app, "--against", self.out)
        self.assertEqual(ok.returncode, 0, ok)

    def against(self, folder, *parts, where):
        run = self.run_cli("diff", *self.app, "--against", folder)
        self.check_error(run, *parts, where=where)
        self.assertEqual(run.stdout, "", run)

    def damaged(self, name):
        folder = self.tmp / name
        shutil.copytree(self.out, folder)
        return folder

    def manifest(self, folder):
        return json.loads((folder / "manifest.json").read_text())

    def test_truncated_manifest(self):
        folder = self.damaged("cut")
        text = (self.out / "manifest.json").read_bytes()
        (folder / "manifest.json").write_bytes(text[: len(text) // 2])
        self.against(folder, "not valid JSON", "is it cut short?", where="%s/manifest.json:" % folder)

    def test_manifest_that_is_not_one(self):
        for name, content, part, at in [
            ("list", "[1, 2, 3]", "not a cloud assembly manifest: the top level is not a JSON object", "1:1"),
            ("empty", "", "not valid JSON", "1:1"),
            ("object", "{}", "not a cloud assembly manifest (it has neither", "1:1"),
            ("garbage", "\x00\x01binary", "control character U+0000", "1:1"),
        ]:
            with self.subTest(name=name):
                folder = self.damaged(name)
                (folder / "manifest.json").write_text(content)
                self.against(folder, part, where="%s/manifest.json:%s" % (folder, at))

    def test_manifest_entries_of_the_wrong_type(self):
        folder = self.damaged("artifacts")
        m = self.manifest(folder)
        m["artifacts"] = ["ContainerManager-BaseStack"]
        (folder / "manifest.json").write_text(json.dumps(m, indent=1))
        self.against(folder, "artifacts: must be an object", where="%s/manifest.json:" % folder)

        folder = self.damaged("template-gone")
        m = self.manifest(folder)
        stack = next(a for a in m["artifacts"].values() if a["type"] == "aws:cloudformation:stack")
        stack["properties"]["templateFile"] = "gone.template.json"
        (folder / "manifest.json").write_text(json.dumps(m, indent=1))
        self.against(folder, "templateFile: names the template file 'gone.template.json', which is not in the folder",
                     where="%s/manifest.json:" % folder)

    def test_deep_nested_template_in_the_folder(self):
        folder = self.damaged("deep")
        nested = sorted(folder.glob("*.nested.template.json"))[0]
        nested.write_text('{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Metadata": ' + "[" * 50000 + "]" * 50000 + "}}}")
        self.against(folder, "nested more than 200 levels deep", where="%s:1:" % nested)

    def test_invalid_utf8_in_a_template_of_the_folder(self):
        folder = self.damaged("utf8")
        top = folder / "ContainerManager-BaseStack.template.json"
        text = top.read_bytes()
        offset = text.index(b'"Resources"') + 2
        top.write_bytes(text[:offset] + b"\xc0" + text[offset + 1:])
        self.against(folder, "not UTF-8 text: byte 0xC0", where="%s:%s" % (top, position(text, offset)))

    def test_nested_template_that_nests_itself(self):
        folder = self.damaged("loop")
        nested = sorted(folder.glob("*.nested.template.json"))[0]
        t = json.loads(nested.read_text())
        t["Resources"]["Loop"] = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": nested.name}}
        nested.write_text(json.dumps(t, indent=1))
        self.against(folder, "Resources.Loop: the nested stack's template is", "which already contains it",
                     where="%s:" % nested)

    def test_fifo_in_the_folder(self):
        folder = self.damaged("fifo")
        os.mkfifo(folder / "stray.template.json")
        self.against(folder, "is not a regular file (a FIFO, socket or device)", where=str(folder / "stray.template.json"))

    def test_against_a_file(self):
        self.against(self.out / "manifest.json", "not a folder", where=str(self.out / "manifest.json"))

