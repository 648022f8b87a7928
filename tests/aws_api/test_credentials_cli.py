#!/usr/bin/env python3
"""End-to-end tests of the credential chain through the built `leafsynth` CLI, against moto_server.

usage: test_credentials_cli.py LEAFSYNTH SOURCE_DIR [unittest options]

Every test runs `leafsynth diff examples/containermanager/minecraft.yaml --region us-east-1` (nothing
is deployed: every stack is `added`), which resolves the credentials once and reads the stacks
with CloudFormation DescribeStacks. AWS_ENDPOINT_URL points at a recording proxy in front of one
moto_server (tests/deploy/moto_harness.py; request authentication off, so moto's STS accepts any
role ARN and returns ASIA... keys): the proxy keeps each request's headers and body and each answer,
so the tests see which keys signed what.
  * AssumeRole through a profile (role_arn + source_profile): STS is called signed with the source
    profile's keys, every CloudFormation request with the assumed keys and their session token;
    moto's GetCallerIdentity with those keys gives the assumed-role ARN;
  * AssumeRoleWithWebIdentity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: unsigned, then the
    same; the token never in the output;
  * MFA on a pseudo-terminal (tests/deploy/cli_terminal.py: the CLI has a controlling terminal): a profile with
    role_arn + mfa_serial + source_profile; the prompt appears on the terminal, the typed code is
    not echoed, AssumeRole carries SerialNumber and TokenCode, the diff proceeds (exit 0);
  * MFA without a terminal (stdin not a terminal, a new session: no controlling terminal): exit 2
    with the message saying to run on a terminal, no STS request.
No secret (secret keys, session tokens, the web identity token, the MFA code) appears in any
output. A missing binary, source tree or moto_server is a failure, never a skip.
"""
import http.client
import http.server
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HERE = Path(__file__).resolve().parent
LEAFSYNTH = SOURCE_DIR = None
if len(sys.argv) > 2 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()
    SOURCE_DIR = Path(sys.argv.pop(1)).resolve()
sys.path.insert(0, str(HERE.parent / "deploy"))
from cli_terminal import run_on_terminal  # noqa: E402
from moto_harness import MotoServer  # noqa: E402

BASE_KEY = "AKIDBASEPROFILE0001"
BASE_SECRET = "BaseProfileSecretNeverPrinted0123456789"
MFA_CODE = "246810"
MFA_SERIAL = "arn:aws:iam::123456789012:mfa/dev"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.WebIdentityTokenNeverPrinted.c2ln"
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


class Recorder:
    """A forwarding HTTP proxy on 127.0.0.1 that records every request and answer."""

    def __init__(self, upstream):
        u = urlparse(upstream)
        self.host, self.port = u.hostname, u.port
        self.records = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP]
                conn = http.client.HTTPConnection(recorder.host, recorder.port, timeout=60)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders(body or None)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                fields = parse_qs(body.decode("utf-8", "replace"))
                with recorder.lock:
                    recorder.records.append({"headers": {k.lower(): v for k, v in headers},
                                             "fields": {k: v[0] for k, v in fields.items()},
                                             "status": response.status, "answer": payload.decode("utf-8", "replace")})
                self.send_response_only(response.status)
                for k, v in response.getheaders():
                    if k.lower() not in _HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def take(self):
        with self.lock:
            records, self.records = self.records, []
        return records


def signed_key(record):
    auth = record["headers"].get("authorization", "")
    at = auth.find("Credential=")
    return auth[at + 11:auth.index("/", at)] if at >= 0 else None


def tag(xml, name):
    start = xml.find(f"<{name}>")
    return xml[start + len(name) + 2:xml.index(f"</{name}>", start)] if start >= 0 else None


_module = {}


def setUpModule():
    if LEAFSYNTH is None or not LEAFSYNTH.is_file():
        raise AssertionError(f"the leafsynth CLI was not given or is missing: {LEAFSYNTH}")
    if SOURCE_DIR is None or not (SOURCE_DIR / "examples/containermanager/minecraft.yaml").is_file():
        raise AssertionError(f"the source tree was not given or has no examples: {SOURCE_DIR}")
    tmp = tempfile.TemporaryDirectory(prefix="leafsynth-credentials-cli-")
    unittest.addModuleCleanup(tmp.cleanup)
    root = Path(tmp.name)
    moto = MotoServer(log_path=root / "moto.log").start()
    unittest.addModuleCleanup(moto.stop)
    recorder = Recorder(moto.endpoint)
    unittest.addModuleCleanup(recorder.stop)
    home = root / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/credentials").write_text(
        f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n")
    (home / ".aws/config").write_text(
        "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n"
        "role_session_name = e2e-session\n"
        f"[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n"
        f"mfa_serial = {MFA_SERIAL}\n")
    (root / "token").write_text(WEB_TOKEN + "\n")
    _module.update(root=root, moto=moto, recorder=recorder, home=home)


def cli_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update({"HOME": str(_module["home"]), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": _module["recorder"].endpoint,
                "AWS_MAX_ATTEMPTS": "1"})
    env.update(extra or {})
    return env


def diff_command(*extra):
    return [str(LEAFSYNTH), "diff", str(SOURCE_DIR / "examples/containermanager/minecraft.yaml"),
            "--region", "us-east-1", "--no-color", *extra]


class CredentialChainCliTest(unittest.TestCase):
    def setUp(self):
        _module["recorder"].take()

    def assert_no_secret(self, text, *secrets):
        for s in (BASE_SECRET, MFA_CODE, WEB_TOKEN, *secrets):
            self.assertNotIn(s, text)

    def assert_signed_with_assumed(self, records, sts_action):
        """The STS call, then CloudFormation calls all signed with the keys STS gave."""
        sts = [r for r in records if r["fields"].get("Action") == sts_action]
        self.assertEqual(len(sts), 1, [r["fields"].get("Action") for r in records])
        answer = sts[0]["answer"]
        key, secret, token = tag(answer, "AccessKeyId"), tag(answer, "SecretAccessKey"), tag(answer, "SessionToken")
        self.assertTrue(key.startswith("ASIA"), key)
        cfn = [r for r in records if r["fields"].get("Action") == "DescribeStacks"]
        self.assertGreaterEqual(len(cfn), 4)  # Base, Domain, Leaf, LinkTogether
        for r in cfn:
            self.assertEqual(signed_key(r), key)
            self.assertEqual(r["headers"].get("x-amz-security-token"), token)
        return sts[0], key, secret, token

    def caller_arn(self, key, secret, token):
        import boto3
        from botocore.config import Config
        sts = boto3.client("sts", endpoint_url=_module["moto"].endpoint, region_name="us-east-1",
                           aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                           config=Config(proxies={}))
        return sts.get_caller_identity()["Arn"]

    def test_assume_role_through_a_profile(self):
        p = subprocess.run(diff_command("--profile", "deployer"), env=cli_env(), capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("added", p.stdout)
        sts, key, secret, token = self.assert_signed_with_assumed(_module["recorder"].take(), "AssumeRole")
        self.assertEqual(signed_key(sts), BASE_KEY)
        self.assertEqual(sts["fields"]["RoleArn"], "arn:aws:iam::123456789012:role/deployer")
        self.assertEqual(sts["fields"]["RoleSessionName"], "e2e-session")
        self.assertNotIn("SerialNumber", sts["fields"])
        self.assertEqual(self.caller_arn(key, secret, token),
                         "arn:aws:sts::123456789012:assumed-role/deployer/e2e-session")
        self.assert_no_secret(p.stdout + p.stderr, secret, token)

    def test_web_identity_from_the_environment(self):
        env = cli_env({"AWS_WEB_IDENTITY_TOKEN_FILE": str(_module["root"] / "token"),
                       "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/pod", "AWS_ROLE_SESSION_NAME": "pod-1"})
        p = subprocess.run(diff_command(), env=env, capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        sts, key, secret, token = self.assert_signed_with_assumed(_module["recorder"].take(),
                                                                  "AssumeRoleWithWebIdentity")
        self.assertNotIn("authorization", sts["headers"])  # unsigned: the token is the proof
        self.assertEqual(sts["fields"]["WebIdentityToken"], WEB_TOKEN)
        self.assertEqual(sts["fields"]["RoleArn"], "arn:aws:iam::123456789012:role/pod")
        self.assertEqual(sts["fields"]["RoleSessionName"], "pod-1")
        self.assertEqual(self.caller_arn(key, secret, token), "arn:aws:sts::123456789012:assumed-role/pod/pod-1")
        self.assert_no_secret(p.stdout + p.stderr, secret, token)

    def test_mfa_code_asked_on_the_terminal_without_echo(self):
        prompt = f"Enter MFA code for {MFA_SERIAL}: "
        code, text = run_on_terminal(diff_command("--profile", "mfa"), cli_env(), answer=MFA_CODE,
                                     prompt=prompt.encode())  # echo is off by the time the prompt shows
        self.assertIn(prompt, text, "no MFA prompt on the terminal")
        self.assertEqual(code, 0, text)
        self.assertNotIn(MFA_CODE, text)  # not echoed, not printed
        self.assertIn("added", text)
        sts, key, secret, token = self.assert_signed_with_assumed(_module["recorder"].take(), "AssumeRole")
        self.assertEqual(signed_key(sts), BASE_KEY)
        self.assertEqual(sts["fields"]["SerialNumber"], MFA_SERIAL)
        self.assertEqual(sts["fields"]["TokenCode"], MFA_CODE)
        self.assert_no_secret(text, secret, token)

    def test_mfa_without_a_terminal_is_a_clear_error(self):
        p = subprocess.run(diff_command("--profile", "mfa"), env=cli_env(), capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL, start_new_session=True)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(f"needs an MFA code (mfa_serial {MFA_SERIAL}), but there is no terminal to ask for it on",
                      p.stderr)
        self.assertIn("run leafsynth on a terminal, or use credentials without MFA", p.stderr)
        self.assertIn("profile 'mfa'", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(_module["recorder"].take(), [])
        self.assert_no_secret(p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
