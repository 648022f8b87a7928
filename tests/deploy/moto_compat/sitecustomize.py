"""Applies moto_cfn_compat in a moto_server process started with this folder on PYTHONPATH and
LEAFSYNTH_MOTO_COMPAT=1 (see moto_harness.MotoServer); does nothing otherwise."""
import os
import sys

if os.environ.get("LEAFSYNTH_MOTO_COMPAT") == "1":
    import moto_cfn_compat

    print("leafsynth moto compat: " + ", ".join(moto_cfn_compat.apply()), file=sys.stderr, flush=True)
