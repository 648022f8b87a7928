"""Robustness: command lines, environments and output folders a careless or hostile user could give.

Each must give exit 2 and one clear error, leave every folder it did not write alone, print no
secret, and end within seconds (see robustness_support.py).
"""

import http.server
import os
import threading
import unittest

from robustness_support import RobustnessCase, examples, snapshot

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEBcaDEXAMPLESESSIONTOKENvalue1234567890"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with 403 and the request's own headers, as some proxies do."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        body = ("<ErrorResponse><Error><Code>AccessDenied</Code><Message>request was: %s</Message></Error>"
                "</ErrorResponse>" % str(self.headers).replace("\n", " | ")).encode()
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class CliInputsTest(RobustnessCase):

    def leaf(self):
        return examples() / "minecraft.yaml"

    def test_long_region_from_flag_or_environment(self):
        long = "us-" + "a" * 30000 + "-1"
        for args, env in ((["--region", long], None), ([], {"AWS_REGION": long}), ([], {"AWS_DEFAULT_REGION": long})):
            with self.subTest(env=sorted(env or {})):
                run = self.run_cli("ls", self.leaf(), *args, env=env)
                message = self.check_error(run, "is not a region name")
                self.assertLess(len(message), 500)

    def test_long_and_malformed_account(self):
        for account in ("1" * 30000, "12345678901", "12345678901x", "-1"):
            with self.subTest(account=account[:20]):
                run = self.run_cli("ls", self.leaf(), "--region", "us-west-2", "--account", account)
                self.check_error(run, "--account", "12-digit")

    def test_option_with_empty_value_does_not_swallow_the_next_one(self):
        for args in (["--account=", "--region", "us-west-2"], ["--region=", "--account", "123456789012"],
                     ["-o", "", "--region", "us-west-2"], ["--account", "", "--region", "us-west-2"]):
            with self.subTest(args=args):
                run = self.run_cli("synth", self.leaf(), *args, cwd=self.tmp)
                self.check_error(run)
                self.assertFalse((self.tmp / "leafsynth.out").exists())

    def test_huge_argument_is_not_echoed_whole(self):
        run = self.run_cli("synth", self.leaf(), "--no-such-option=" + "x" * 100000)
        message = self.check_error(run)
        self.assertLess(len(message), 1000)

    def test_output_into_a_folder_leafsynth_did_not_write(self):
        configs = self.tmp / "configs"
        configs.mkdir()
        (configs / "minecraft.yaml").write_bytes(self.leaf().read_bytes())
        (configs / "base-stack-config.yaml").write_bytes((examples() / "base-stack-config.yaml").read_bytes())
        (configs / "notes.txt").write_text("my notes\n")
        before = snapshot(configs)
        for out in (configs, self.tmp):
            with self.subTest(out=str(out)):
                outer = snapshot(self.tmp)
                run = self.run_cli("synth", configs / "minecraft.yaml", "--region", "us-west-2", "-o", out)
                self.check_error(run, "not written by leafsynth", where=str(out))
                self.assertEqual(snapshot(configs), before)
                self.assertEqual(snapshot(self.tmp), outer)
        run = self.run_cli("synth", configs / "minecraft.yaml", "--region", "us-west-2", "-o", ".", cwd=configs)
        self.check_error(run, "cannot be replaced as a whole")
        self.assertEqual(snapshot(configs), before)
        # A link to the user's folder is not followed.
        os.symlink(configs, self.tmp / "link")
        run = self.run_cli("synth", configs / "minecraft.yaml", "--region", "us-west-2", "-o", self.tmp / "link")
        self.check_error(run, "symbolic link")
        self.assertEqual(snapshot(configs), before)

    def test_output_path_that_is_a_file_or_under_a_file(self):
        target = self.write("a-file", "keep me\n")
        for out in (target, target / "below"):
            with self.subTest(out=str(out)):
                run = self.run_cli("synth", self.leaf(), "--region", "us-west-2", "-o", out)
                self.check_error(run)
                self.assertEqual(target.read_text(), "keep me\n")

    def test_error_answer_echoing_the_request_shows_no_secret(self):
        server = http.server.HTTPServer(("127.0.0.1", 0), EchoHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
               "AWS_SESSION_TOKEN": SESSION_TOKEN, "AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % server.server_port,
               "AWS_MAX_ATTEMPTS": "1"}
        run = self.run_cli("diff", self.leaf(), "--region", "us-east-1", "--account", "123456789012",
                           "--timeout", "5", env=env)
        # The stack's lookup role is asked for first (STS, echoed and refused too): one note, redacted.
        note, _, rest = run.stderr.partition("\n")
        self.assertTrue(note.startswith("leafsynth: note: cannot assume the lookup role "), run)
        self.assertIn("<redacted>", note)
        self.assert_no_secret(run, SECRET_KEY, SESSION_TOKEN, ACCESS_KEY, "Signature=")
        run.stderr = rest
        self.check_error(run, "AccessDenied")
        self.assert_no_secret(run, SECRET_KEY, SESSION_TOKEN, ACCESS_KEY, "Signature=")
        self.assertIn("<redacted>", run.stderr)

    def test_env_value_with_invalid_utf8(self):
        leaf = self.write("game.yaml", self.leaf().read_text().replace(
            "itzg/minecraft-server", "!ENV ${GAME_IMAGE}"))
        # "caf\udcff" reaches the process as the bytes caf\xff (surrogateescape).
        run = self.run_cli("synth", leaf, "--base", examples() / "base-stack-config.yaml", "--region", "us-west-2",
                           "-o", self.tmp / "out", env={"GAME_IMAGE": "caf\udcff"})
        self.check_error(run, "not valid UTF-8", "${GAME_IMAGE}", where=str(leaf) + ":")
        self.assertFalse((self.tmp / "out").exists())


if __name__ == "__main__":
    unittest.main()
