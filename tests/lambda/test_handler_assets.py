"""The handler folders are zipped as Lambda code assets as they are: keep them clean."""

import ast
import unittest

from lambda_test_support import HANDLER_NAMES, LAMBDA_DIR, load_handler


class HandlerAssetTest(unittest.TestCase):
    def test_every_handler_folder_holds_only_main_py(self):
        folders = sorted(p.name for p in LAMBDA_DIR.iterdir() if p.is_dir())
        self.assertEqual(folders, sorted(HANDLER_NAMES))
        for name in HANDLER_NAMES:
            with self.subTest(handler=name):
                entries = sorted(p.name for p in (LAMBDA_DIR / name).iterdir())
                self.assertEqual(entries, ["main.py"],
                                 "only main.py may be zipped into the %s asset (no __pycache__, no tests)" % name)

    def test_entry_point_is_main_lambda_handler(self):
        for name in HANDLER_NAMES:
            with self.subTest(handler=name):
                module = load_handler(name)
                self.assertTrue(callable(getattr(module, "lambda_handler", None)))

    def test_only_the_standard_library_and_boto3_are_imported(self):
        # The Lambda runtime (python3.12) bundles boto3/botocore and nothing else.
        allowed_third_party = {"boto3", "botocore"}
        import sys
        stdlib = set(sys.stdlib_module_names)
        for name in HANDLER_NAMES:
            with self.subTest(handler=name):
                tree = ast.parse((LAMBDA_DIR / name / "main.py").read_text())
                imported = set()
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        imported.update(alias.name.split(".")[0] for alias in node.names)
                    elif isinstance(node, ast.ImportFrom):
                        imported.add((node.module or "").split(".")[0])
                self.assertEqual(imported - stdlib - allowed_third_party, set())


if __name__ == "__main__":
    unittest.main()
