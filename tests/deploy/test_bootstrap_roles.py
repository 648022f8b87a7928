"""The bootstrap roles of a cloud assembly, used as `cdk deploy` uses them, against moto.

usage: test_bootstrap_roles.py LEAFSYNTH [unittest options]

One moto_server with the moto_compat fixes and fix 31 on (LEAFSYNTH_MOTO_STRICT_ROLES=1: AssumeRole of
a role that does not exist is refused, as STS refuses it), behind tests/deploy/fault_proxy.py, which
records every request with its form fields and the access key that signed it. `leafsynth bootstrap`
creates the roles of qualifier hnb659fds. Two CDK-format assemblies of one stack (an SSM parameter):
`Roles` names the hnb659fds roles, `NoRoles` the roles of a qualifier that was never bootstrapped.
  1. deploy Roles: STS AssumeRole of the deploy role and of the file-publishing role; the template
     upload (PUT) signed with the publishing role's credentials, CreateChangeSet and ExecuteChangeSet
     with the deploy role's (neither the user's nor each other's), CreateChangeSet's RoleARN the
     execution role; no fallback note;
  2. deploy NoRoles: one note per role ("cannot assume the deploy role ... using your own
     credentials"), the stack deployed with the user's credentials and no RoleARN;
  2b. drift Roles: read as the lookup role (AssumeRole, DetectStackDrift signed with its credentials);
     drift NoRoles: a note on stderr, the user's credentials;
  3. destroy Roles: DeleteStack signed with the deploy role's credentials, RoleARN the execution role;
     destroy NoRoles: the note, the user's credentials, no RoleARN.
"""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LEAFSYNTH = None
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    LEAFSYNTH = Path(sys.argv.pop(1)).resolve()

from fault_proxy import FaultProxy  # noqa: E402
from moto_harness import MotoServer  # noqa: E402
from test_deploy_exports import ACCOUNT, REGION, write_assembly  # noqa: E402
from test_diff_deployed import cli_env  # noqa: E402

USER_KEY = "AKIAUSERKEY0000TEST1"


def arn(name, qualifier="hnb659fds"):
    return f"arn:aws:iam::{ACCOUNT}:role/cdk-{qualifier}-{name}-role-{ACCOUNT}-{REGION}"


def template(name):
    return {"Resources": {"P": {"Type": "AWS::SSM::Parameter",
                                "Properties": {"Name": f"/roles/{name}", "Type": "String", "Value": name}}}}


class BootstrapRolesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if LEAFSYNTH is None or not LEAFSYNTH.is_file():
            raise AssertionError(f"the leafsynth CLI is missing: {LEAFSYNTH}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="leafsynth-roles-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.root = Path(cls.tmp.name)
        (cls.root / "home").mkdir()
        cls.roles = write_assembly(cls.root / "roles", {"Roles": template("roles")}, {}, roles="hnb659fds")
        cls.no_roles = write_assembly(cls.root / "noroles", {"NoRoles": template("noroles")}, {}, roles="nonexist0")
        cls.moto = MotoServer(log_path=cls.root / "moto.log", env={"LEAFSYNTH_MOTO_STRICT_ROLES": "1"})
        cls.moto.start()
        cls.addClassCleanup(cls.moto.stop)
        cls.proxy = FaultProxy(cls.moto.endpoint).start()
        cls.addClassCleanup(cls.proxy.stop)
        boot = cls.run_cli("bootstrap", f"aws://{ACCOUNT}/{REGION}")
        if boot.returncode != 0:
            raise AssertionError(boot.stdout + boot.stderr)

    @classmethod
    def run_cli(cls, *args):
        env = cli_env(cls.root / "home", {"AWS_ACCESS_KEY_ID": USER_KEY, "AWS_SECRET_ACCESS_KEY": "user-secret-value",
                                          "AWS_REGION": REGION, "AWS_ENDPOINT_URL": cls.proxy.endpoint})
        return subprocess.run([str(LEAFSYNTH), *map(str, args)], capture_output=True, text=True, timeout=300, env=env,
                              stdin=subprocess.DEVNULL, cwd=cls.root)

    def check(self, run, code=0):
        self.assertEqual(run.returncode, code, run.stdout[-5000:] + run.stderr + self.moto.log_text()[-3000:])
        self.assertNotIn("user-secret-value", run.stdout + run.stderr)

    def requests(self, action=None, method=None):
        return [r for r in self.proxy.requests if (action is None or r.action == action)
                and (method is None or r.method == method)]

    def test_1_deploy_as_the_roles(self):
        self.proxy.reset()
        run = self.run_cli("deploy", "--app", self.roles, "--require-approval", "never", "--progress", "quiet")
        self.check(run)
        self.assertNotIn("cannot assume", run.stdout)
        assumed = sorted(r.fields.get("RoleArn") for r in self.requests("AssumeRole"))
        self.assertEqual(assumed, [arn("deploy"), arn("file-publishing")])  # each once
        for r in self.requests("AssumeRole"):
            self.assertEqual(r.access_key, USER_KEY)  # assumed with the user's credentials
        [create] = self.requests("CreateChangeSet")
        self.assertEqual(create.fields.get("RoleARN"), arn("cfn-exec"))
        [execute] = self.requests("ExecuteChangeSet")
        puts = self.requests(method="PUT")
        self.assertTrue(puts, [(r.method, r.path) for r in self.proxy.requests])
        deploy_key, publish_key = create.access_key, puts[0].access_key
        self.assertNotIn(deploy_key, (USER_KEY, None))
        self.assertNotIn(publish_key, (USER_KEY, None, deploy_key))
        self.assertEqual(execute.access_key, deploy_key)
        reads = [r for r in self.requests("DescribeStacks") if r.stack_name == "Roles"]
        self.assertTrue(reads)
        for r in reads:  # the review before the change set reads as the deploy role too
            self.assertEqual(r.access_key, deploy_key)
        for put in puts:
            self.assertEqual(put.access_key, publish_key)
        type(self).deploy_key = deploy_key

    def test_2_deploy_without_the_roles_falls_back(self):
        self.proxy.reset()
        run = self.run_cli("deploy", "--app", self.no_roles, "--require-approval", "never", "--progress", "quiet")
        self.check(run)
        for name in ("deploy role", "file-publishing role"):
            qualifier_role = arn(name.split()[0], "nonexist0")
            notes = [line for line in run.stdout.splitlines()
                     if line.startswith(f"note: cannot assume the {name} {qualifier_role} (")]
            self.assertEqual(len(notes), 1, run.stdout)
            self.assertIn("is not authorized to perform: sts:AssumeRole", notes[0])
            self.assertIn("using your own credentials (AWS_ACCESS_KEY_ID, access key AKIA…EST1) instead", notes[0])
        [create] = self.requests("CreateChangeSet")
        self.assertNotIn("RoleARN", create.fields)
        self.assertEqual(create.access_key, USER_KEY)
        for put in self.requests(method="PUT"):
            self.assertEqual(put.access_key, USER_KEY)

    def test_2b_drift_reads_as_the_lookup_role(self):
        self.proxy.reset()
        run = self.run_cli("drift", "--app", self.roles)
        self.check(run)
        self.assertEqual([r.fields.get("RoleArn") for r in self.requests("AssumeRole")], [arn("lookup")])
        [detect] = self.requests("DetectStackDrift")
        self.assertNotIn(detect.access_key, (USER_KEY, None))
        self.assertNotIn("cannot assume", run.stderr)
        self.proxy.reset()
        run = self.run_cli("drift", "--app", self.no_roles)
        self.check(run)
        self.assertIn(f"leafsynth: note: cannot assume the lookup role {arn('lookup', 'nonexist0')} (", run.stderr)
        [detect] = self.requests("DetectStackDrift")
        self.assertEqual(detect.access_key, USER_KEY)

    def test_3_destroy_as_the_roles_and_without(self):
        self.proxy.reset()
        run = self.run_cli("destroy", "--app", self.roles, "--force", "--progress", "quiet")
        self.check(run)
        [delete] = self.requests("DeleteStack")
        self.assertEqual(delete.fields.get("RoleARN"), arn("cfn-exec"))
        self.assertNotIn(delete.access_key, (USER_KEY, None))
        self.proxy.reset()
        run = self.run_cli("destroy", "--app", self.no_roles, "--force", "--progress", "quiet")
        self.check(run)
        self.assertIn(f"note: cannot assume the deploy role {arn('deploy', 'nonexist0')} (", run.stdout)
        [delete] = self.requests("DeleteStack")
        self.assertNotIn("RoleARN", delete.fields)
        self.assertEqual(delete.access_key, USER_KEY)


if __name__ == "__main__":
    unittest.main(verbosity=2)
