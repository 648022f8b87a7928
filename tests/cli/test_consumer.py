#!/usr/bin/env python3
"""Builds examples/custom_app as an outside consumer of leafsynth and checks what it writes.

usage: test_consumer.py MODE --build-dir BUILD [--config CFG] --source-dir SRC --cmake CMAKE --cfn-lint CFN_LINT
                        [--cxx-compiler CXX] [--emitted-dir DIR]

MODE install:       `cmake --install BUILD` into a temporary prefix, then configure custom_app with
                    CMAKE_PREFIX_PATH=prefix (find_package(leafsynth CONFIG REQUIRED)).
MODE subdirectory:  configure custom_app with LEAFSYNTH_SOURCE_DIR=SRC (add_subdirectory).

Either way custom_app is built (-j2), run, and its template parsed, checked and linted with
cfn-lint (exit code 0: no errors, warnings or informational findings). With --emitted-dir the
template is also copied there for the final lint over every emitted template.
"""
import argparse
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

from cli_support import run, run_tests

ARGS = None

STACK = "CustomAppData"
TEMPLATE = f"{STACK}.template.json"


def cdk_logical_id(*components: str) -> str:
    """aws-cdk-lib's makeUniqueId for a path of two or more components (no 'Resource'/'Default')."""
    human = "".join(c for c in "".join(components) if c.isalnum())
    return human + hashlib.md5("/".join(components).encode()).hexdigest()[:8].upper()


class ConsumerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix=f"leafsynth-consumer-{ARGS.mode}-"))
        cls.source = pathlib.Path(ARGS.source_dir).resolve()
        cls.app_source = cls.source / "examples" / "custom_app"
        cls.app_build = cls.work / "build"
        cls.outdir = cls.work / "out"
        cls.prefix = cls.work / "prefix"
        cls.cmake_cache = ""
        cls.run_output = ""
        cls.error = None
        try:
            configure = [ARGS.cmake, "-S", cls.app_source, "-B", cls.app_build]
            if ARGS.cxx_compiler:
                configure.append(f"-DCMAKE_CXX_COMPILER={ARGS.cxx_compiler}")
            if ARGS.mode == "install":
                install = [ARGS.cmake, "--install", ARGS.build_dir, "--prefix", cls.prefix]
                if ARGS.config:
                    install += ["--config", ARGS.config]
                run(install)
                # Only the temporary prefix: no user/system package registry, so a leafsynth
                # found anywhere else cannot stand in for the one just installed.
                configure += [f"-DCMAKE_PREFIX_PATH={cls.prefix}",
                              "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF",
                              "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"]
            else:
                configure.append(f"-DLEAFSYNTH_SOURCE_DIR={cls.source}")
            run(configure)
            cls.cmake_cache = (cls.app_build / "CMakeCache.txt").read_text()
            run([ARGS.cmake, "--build", cls.app_build, "-j2"])
            cls.run_output = run([cls.app_build / "custom_app", cls.outdir]).stdout
        except AssertionError as e:  # reported by every test, with the failing command's output
            cls.error = e

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        if self.error is not None:
            raise self.error

    def template(self):
        return json.loads((self.outdir / TEMPLATE).read_text())

    def test_leafsynth_came_from_the_intended_place(self):
        if ARGS.mode == "install":
            expected = (self.prefix / "lib" / "cmake" / "leafsynth").resolve()
            dirs = [line.split("=", 1)[1] for line in self.cmake_cache.splitlines()
                    if line.startswith("leafsynth_DIR:")]
            self.assertEqual(len(dirs), 1, "leafsynth_DIR not in custom_app's CMakeCache.txt")
            self.assertEqual(pathlib.Path(dirs[0]).resolve(), expected)
            for rel in ("include/leafsynth/leafsynth.hpp", "include/leafsynth/version.hpp",
                        "lib/cmake/leafsynth/leafsynthConfigVersion.cmake",
                        "lib/cmake/leafsynth/leafsynthTargets.cmake", "bin/leafsynth",
                        "libexec/leafsynth/leafsynth-aws"):
                self.assertTrue((self.prefix / rel).is_file(), f"{rel} was not installed")
            self.assertTrue(any((self.prefix / "lib").glob("libleafsynth.*")), "the library was not installed")
            # The installed CLI runs on its own.
            out = run([self.prefix / "bin" / "leafsynth", "--version"]).stdout
            self.assertRegex(out, r"^leafsynth \d+\.\d+\.\d+")
            # Its AWS commands run in the installed leafsynth-aws, found relative to bin/leafsynth.
            out = run([self.prefix / "bin" / "leafsynth", "bootstrap", "--show-template"]).stdout
            self.assertIn("AWS::S3::Bucket", out)
        else:
            self.assertIn(f"LEAFSYNTH_SOURCE_DIR:PATH={self.source}", self.cmake_cache)
            self.assertNotRegex(self.cmake_cache, r"(?m)^leafsynth_DIR:PATH=/")
            self.assertTrue((self.app_build / "leafsynth").is_dir(), "leafsynth was not built as a subproject")

    def test_writes_the_template(self):
        self.assertEqual(sorted(p.name for p in self.outdir.iterdir() if p.name.endswith(".template.json")),
                         [TEMPLATE])
        self.assertIn(f"{STACK}: 2 resources", self.run_output)

    def test_resources(self):
        resources = self.template()["Resources"]
        policy_id = cdk_logical_id("Bucket", "Policy")
        self.assertEqual({k: v["Type"] for k, v in resources.items()},
                         {"Bucket": "AWS::S3::Bucket", policy_id: "AWS::S3::BucketPolicy"})
        bucket = resources["Bucket"]
        self.assertEqual(bucket["Properties"]["VersioningConfiguration"], {"Status": "Enabled"})
        self.assertEqual(bucket["DeletionPolicy"], "Retain")
        self.assertEqual(bucket["UpdateReplacePolicy"], "Retain")
        self.assertEqual(bucket["Properties"]["Tags"], [{"Key": "Project", "Value": "custom-app"}])
        self.assertEqual(bucket["Metadata"]["aws:cdk:path"], f"{STACK}/Bucket")

    def test_policy_denies_non_tls_through_handles(self):
        policy = self.template()["Resources"][cdk_logical_id("Bucket", "Policy")]
        self.assertEqual(policy["Properties"]["Bucket"], {"Ref": "Bucket"})
        [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
        self.assertEqual(statement["Effect"], "Deny")
        self.assertEqual(statement["Condition"], {"Bool": {"aws:SecureTransport": "false"}})
        arn = {"Fn::GetAtt": ["Bucket", "Arn"]}
        self.assertEqual(statement["Resource"], [arn, {"Fn::Join": ["", [arn, "/*"]]}])

    def test_parameter_condition_output(self):
        t = self.template()
        self.assertEqual(t["Parameters"]["Environment"]["AllowedValues"], ["dev", "prod"])
        self.assertEqual(t["Parameters"]["Environment"]["Default"], "dev")
        self.assertEqual(t["Conditions"], {"IsProd": {"Fn::Equals": [{"Ref": "Environment"}, "prod"]}})
        rule = t["Resources"]["Bucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0]
        self.assertEqual(rule["NoncurrentVersionExpiration"]["NoncurrentDays"], {"Fn::If": ["IsProd", 365, 30]})
        self.assertEqual(t["Outputs"]["BucketArn"]["Value"], {"Fn::GetAtt": ["Bucket", "Arn"]})
        self.assertEqual(t["Outputs"]["BucketArn"]["Export"], {"Name": f"{STACK}-BucketArn"})

    def test_cfn_lint_clean(self):
        proc = subprocess.run([ARGS.cfn_lint, "--format", "parseable", "--", str(self.outdir / TEMPLATE)],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, f"cfn-lint findings:\n{proc.stdout}{proc.stderr}")
        if ARGS.emitted_dir:
            dest = pathlib.Path(ARGS.emitted_dir) / "consumer" / ARGS.mode
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.outdir / TEMPLATE, dest / TEMPLATE)


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["install", "subdirectory"])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--config", default="", help="build configuration to install (multi-config builds)")
    parser.add_argument("--cmake", default="cmake")
    parser.add_argument("--cfn-lint", default="cfn-lint")
    parser.add_argument("--cxx-compiler", default="")
    parser.add_argument("--emitted-dir", default="")
    ARGS, rest = parser.parse_known_args()
    # The consumer's build must not inherit the outer build's environment (e.g. CMAKE_PREFIX_PATH).
    for var in ("CMAKE_PREFIX_PATH", "leafsynth_DIR", "LEAFSYNTH_SOURCE_DIR"):
        os.environ.pop(var, None)
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
