"""Robustness: leaf and base configs a careless or hostile user could give `leafsynth synth`.

Each bad config must give exit 2 and one located error (file:line:column and key path), leave
the previous output folder exactly as it was, never echo a value that came from `!ENV`, and end
within seconds without eating memory (see robustness_support.py).
"""

import os
import re
import unittest

from robustness_support import RobustnessCase, snapshot

GOOD_LEAF = """Ec2:
  InstanceType: m5.large
Container:
  Image: itzg/minecraft-server
  Ports:
    - TCP: 25565
Watchdog:
  Threshold: 20
"""


def leaf(**sections):
    """GOOD_LEAF with whole top-level sections replaced (a value of None drops the section)."""
    parts = {"Ec2": "  InstanceType: m5.large\n",
             "Container": "  Image: itzg/minecraft-server\n  Ports:\n    - TCP: 25565\n",
             "Watchdog": "  Threshold: 20\n"}
    parts.update(sections)
    return "".join("%s:\n%s" % (k, v) for k, v in parts.items() if v is not None)


class ConfigInputsTest(RobustnessCase):

    def setUp(self):
        super().setUp()
        self.out = self.tmp / "out"
        # A previous, good output: every failing run below must leave it byte-identical.
        good = self.write("game.yaml", GOOD_LEAF)
        run = self.run_cli("synth", good, "--base", self.base_config(), "--region", "us-west-2", "-o", self.out)
        self.assertEqual(run.returncode, 0, run)
        self.before = snapshot(self.out)

    def synth_bad(self, text, name="game.yaml", *extra, env=None):
        path = self.write(name, text)
        run = self.run_cli("synth", path, "--base", self.base_config(), "--region", "us-west-2", "-o", self.out,
                           *extra, env=env)
        self.assertEqual(snapshot(self.out), self.before, "a failed synth changed the previous output")
        return path, run

    def located(self, path, run, line, *parts):
        """One error at `path:line:` (any column) containing `parts`."""
        message = self.check_error(run, *parts, where="%s:%d:" % (path, line))
        self.assertEqual(message.count("\n"), 1, "one problem, one line: %r" % run)
        return message

    # --- crashes and runaway work --------------------------------------------------

    def test_long_strings_where_regexes_used_to_recurse(self):
        long = "m" * 30000
        for text, line, key in (
                (leaf(Ec2="  InstanceType: %s.large\n" % long), 2, "Ec2.InstanceType"),
                (leaf(Ec2="  InstanceType: %s\n" % long), 2, "Ec2.InstanceType"),
                (leaf(Container="  Image: %s x\n  Ports:\n    - TCP: 1\n" % long), 4, "Container.Image")):
            with self.subTest(key=key, length=len(text)):
                path, run = self.synth_bad(text)
                message = self.located(path, run, line, key)
                self.assertLess(len(message), 1000, "the 30000 characters are not echoed whole")

    def test_long_environment_value_is_fine(self):
        # Values are not validated, but reading them must not recurse either.
        text = leaf(Container="  Image: nginx\n  Ports:\n    - TCP: 80\n  Environment:\n    BIG: %s\n" % ("v" * 200000))
        path = self.write("game.yaml", text)
        run = self.run_cli("synth", path, "--base", self.base_config(), "--region", "us-west-2", "-o",
                           self.tmp / "other")
        self.assertEqual(run.returncode, 0, run)

    def test_deep_nesting(self):
        flow = leaf(Container="  Image: nginx\n  Ports: %s%s\n" % ("[" * 20000, "]" * 20000))
        block = leaf(Container="  Image: nginx\n  Ports:\n" + "".join("  " * i + "-\n" for i in range(2, 300)))
        compact = leaf(Container="  Image: nginx\n  Ports:\n    " + "- " * 5000 + "x\n")
        maps = "Ec2:\n" + "".join(" " * i + "k%d:\n" % i for i in range(1, 400))
        for name, text in (("flow", flow), ("block", block), ("compact", compact), ("maps", maps)):
            with self.subTest(name):
                path, run = self.synth_bad(text)
                self.check_error(run, "nested more than 64 levels", where=str(path) + ":")
                self.assertRegex(run.stderr, re.escape(str(path)) + r":\d+:\d+: ")

    def test_alias_expansion_has_a_budget(self):
        big = "x" * 400000
        aliases = "".join("    A%d: *big\n" % i for i in range(1, 200))
        text = leaf(Container="  Image: nginx\n  Ports:\n    - TCP: 80\n  Environment:\n    A0: &big %s\n%s" % (big, aliases))
        path, run = self.synth_bad(text)
        self.check_error(run, "16 MiB", "aliases", where=str(path) + ":")
        # Billion laughs in list form: every level multiplies by ten.
        laughs = ["Laughs:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in range(1, 9):
            laughs.append("  a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
        path, run = self.synth_bad("\n".join(laughs) + "\n" + GOOD_LEAF)
        self.check_error(run, "Laughs: unknown key", where=str(path) + ":1:")
        # The same under a key the loader reads: the budget, or a type error, but never the expansion.
        ports_laugh = GOOD_LEAF.replace("    - TCP: 25565\n", "").replace("  Ports:\n", "  Ports: *a8\n")
        path, run = self.synth_bad("\n".join(laughs) + "\n" + ports_laugh)
        self.assertEqual(run.returncode, 2, run)
        self.assertTrue(run.stderr.startswith("leafsynth: error: "), run)

    def test_aliased_list_of_volumes_is_capped(self):
        text = leaf() + "Volumes: &v\n" + "".join("  - Paths: [{Path: /d%d}]\n" % i for i in range(30))
        path, run = self.synth_bad(text)
        self.located(path, run, 9, "30 volumes; at most 20")

    def test_too_many_ports_and_paths(self):
        ports = "".join("    - TCP: %d\n" % (1000 + i) for i in range(70))
        path, run = self.synth_bad(leaf(Container="  Image: nginx\n  Ports:\n" + ports))
        self.located(path, run, 6, "Container.Ports", "70 ports; at most 59", "Inbound or outbound rules per security group")
        paths = "".join("      - Path: /d%d\n" % i for i in range(45))
        path, run = self.synth_bad(leaf() + "Volumes:\n  - Paths:\n" + paths)
        self.located(path, run, 51, "Volumes[0].Paths[40]", "more than 40 volume paths")

    def test_stray_comma_is_located_and_never_hangs(self):
        # Found by fuzzing: yaml-cpp's LoadAll never returns on these (empty documents until memory runs out).
        for text, line in ((",\n", 1), ("# comment\n  , x\n", 2), (GOOD_LEAF + "---\n,\n", 10), ("--- ,\n", 1),
                           ("[a]\n,\n", 2), ("- a\n,\n", 2), ('"x"\n,\n', 2), ("&a ,\n", 1)):
            with self.subTest(text=text):
                path, run = self.synth_bad(text)
                self.located(path, run, line, "a ',' outside any [ ] list or { } map; remove it")
        # Inside a block map, yaml-cpp itself stops at the ',' (the map cannot go on).
        path, run = self.synth_bad(GOOD_LEAF + ",\n")
        self.located(path, run, 9, "YAML syntax error")

    def test_huge_file_is_refused_before_it_is_parsed(self):
        path, run = self.synth_bad(GOOD_LEAF + "# " + "x" * (3 * 1024 * 1024) + "\n")
        self.check_error(run, "at most 1024 KiB", where=str(path))

    # --- what used to be unclear ------------------------------------------------------

    def test_invalid_utf8_is_located(self):
        path, run = self.synth_bad(GOOD_LEAF.replace("m5.large", "m5.lar\xffge").encode("latin-1"))
        self.located(path, run, 2, "not valid UTF-8", "\\xff")
        path, run = self.synth_bad(leaf(Container="  Image: nginx\n  Ports:\n    - TCP: 80\n  Environment:\n"
                                        "    A: ok\n").encode() + b"    B: caf\xc3\n")
        self.located(path, run, 11, "not valid UTF-8")

    def test_unclosed_quote_is_one_error_at_the_quote(self):
        image = GOOD_LEAF.replace("Image: itzg/minecraft-server", 'Image: "itzg/minecraft-server')
        for text, line in ((image, 4),  # never closed: runs to the end of the file
                           (image + 'AlertSubscription:\n  - Email: "ops@example.com"\n', 4),  # closed lines later
                           (GOOD_LEAF.replace("InstanceType: m5.large", "InstanceType: 'm5.large"), 2)):
            with self.subTest(text=text):
                path, run = self.synth_bad(text)
                self.located(path, run, line, "quote", "close the quote on this line")

    def test_newlines_and_control_characters_never_split_an_error(self):
        text = leaf(Ec2='  InstanceType: "m5\\nleafsynth: error: forged\\tline"\n')
        path, run = self.synth_bad(text)
        message = self.located(path, run, 2, "Ec2.InstanceType", "\\n")
        self.assertNotIn("forged\t", message)
        self.assertEqual(len(run.stderr.splitlines()), 1, run)

    def test_settings_that_only_failed_at_synthesis_are_located(self):
        cases = (
            (leaf(Watchdog="  Threshold: 1\n  InstanceLeftUp:\n    DurationHours: 25\n"), 10,
             "Watchdog.InstanceLeftUp.DurationHours", "from 1 to 24"),
            (leaf(Watchdog="  Threshold: 1\n  MinutesWithoutConnections: 1441\n"), 9,
             "Watchdog.MinutesWithoutConnections", "from 2 to 1440"),
        )
        for text, line, key, rule in cases:
            with self.subTest(key=key):
                path, run = self.synth_bad(text)
                self.located(path, run, line, key, rule)
        base = self.write("base.yaml", "Vpc:\n  MaxAZs: 17\nDomain:\n  Name: example.com\n")
        run = self.run_cli("synth", self.write("game.yaml", GOOD_LEAF), "--base", base, "--region", "us-west-2",
                           "-o", self.out)
        self.located(base, run, 2, "Vpc.MaxAZs", "from 1 to 16")
        self.assertEqual(snapshot(self.out), self.before)

    # --- what used to be accepted silently ----------------------------------------------

    def test_tags_on_maps_and_lists_are_refused(self):
        for text, line, key in ((GOOD_LEAF.replace("Container:", "Container: !ENV"), 3, "Container"),
                                (GOOD_LEAF.replace("Ports:", "Ports: !ENV"), 5, "Container.Ports"),
                                (GOOD_LEAF.replace("Watchdog:", "Watchdog: !Secret"), 7, "Watchdog")):
            with self.subTest(key=key):
                path, run = self.synth_bad(text)
                self.located(path, run, line, key, "stands on a")

    def test_leading_zero_numbers_are_octal_as_in_the_original_tool(self):
        # PyYAML (YAML 1.1) reads 010 as 8, 0x10 as 16, 1_000 as 1000; 09 is not a number there.
        out = self.tmp / "octal"
        path = self.write("game.yaml", GOOD_LEAF.replace("Threshold: 20", "Threshold: 010"))
        run = self.run_cli("synth", path, "--base", self.base_config(), "--region", "us-west-2", "-o", out)
        self.assertEqual(run.returncode, 0, run)
        start_system = (out / "ContainerManager-Game-LinkTogetherStack.template.json").read_text()
        self.assertIn('"METRIC_THRESHOLD": "8"', start_system)
        path, run = self.synth_bad(GOOD_LEAF.replace("Threshold: 20", "Threshold: 09"))
        self.located(path, run, 8, "Watchdog.Threshold", "expected a whole number, found '09'")

    def test_env_values_are_never_echoed(self):
        secret = "hunter2-Secret-Passw0rd"
        env = {"GAME_TYPE": secret, "GAME_PORT": secret, "GAME_FLAG": secret}
        for text, line in ((leaf(Ec2="  InstanceType: !ENV ${GAME_TYPE}\n"), 2),
                           (leaf(Container="  Image: nginx\n  Ports:\n    - TCP: !ENV ${GAME_PORT}\n"), 6),
                           (leaf(Watchdog="  Threshold: 1\n  InstanceLeftUp:\n    ShouldStop: !ENV ${GAME_FLAG}\n"), 10)):
            with self.subTest(line=line):
                path, run = self.synth_bad(text, env=env)
                self.located(path, run, line, "!ENV $")
                self.assert_no_secret(run, secret)

    def test_fifo_directory_and_device_as_config(self):
        fifo = self.tmp / "pipe.yaml"
        os.mkfifo(fifo)
        folder = self.tmp / "folder.yaml"
        folder.mkdir()
        for path, part in ((fifo, "not a regular file"), (folder, "is a directory"),
                           ("/dev/zero", "not a regular file")):
            with self.subTest(path=str(path)):
                run = self.run_cli("synth", path, "--base", self.base_config(), "--region", "us-west-2",
                                   "-o", self.out)
                self.check_error(run, part, where=str(path))
                self.assertEqual(snapshot(self.out), self.before)


if __name__ == "__main__":
    unittest.main()
