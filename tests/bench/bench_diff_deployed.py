#!/usr/bin/env python3
"""Benchmark: `leafsynth diff` of the whole example app against its deployed stacks in moto.

usage: bench_diff_deployed.py LEAFSYNTH SOURCE_DIR [--runs N] [--latency-ms MS]

Synthesizes examples/containermanager (minecraft, valheim, echo-server: 10 stacks + 20 nested
stacks) in us-east-1 with the base config of tests/deploy (RestrictDefaultSecurityGroup false, as
moto cannot run custom resources), starts moto_server on 127.0.0.1 (always stopped), deploys the
app with tests/deploy/deploy_assembly.py, then times `leafsynth diff` (wall clock, N runs each)
with --concurrency 1 and 8. With --latency-ms, requests go through tests/deploy/fault_proxy.py
adding that delay to each answer, to show what concurrency buys against a distant endpoint.
Each run must report no differences (exit 0 with --fail), or the benchmark fails.
Prints one line per setting: median and min. Run by `make leafsynth_bench_diff_deployed`.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent / "deploy"
sys.path.insert(0, str(DEPLOY))

import deploy_assembly  # noqa: E402
from moto_harness import MotoServer  # noqa: E402
from test_deploy_containermanager import write_base_config  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
LEAVES = ["minecraft.yaml", "valheim.yaml", "echo-server.yaml"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("leafsynth")
    parser.add_argument("source_dir")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    examples = Path(args.source_dir) / "examples" / "containermanager"
    with tempfile.TemporaryDirectory(prefix="leafsynth-bench-diff-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base.yaml"
        write_base_config(examples / "base-stack-config.yaml", base)
        app = [*[str(examples / leaf) for leaf in LEAVES], "--base", str(base), "--region", REGION,
               "--account", ACCOUNT]
        subprocess.run([args.leafsynth, "synth", *app, "-o", str(tmp / "asm")], check=True,
                       stdout=subprocess.DEVNULL)
        with MotoServer(log_path=tmp / "moto.log") as moto:
            print("deploying the app to moto ...", file=sys.stderr)
            deploy_assembly.deploy(tmp / "asm", moto.endpoint, ACCOUNT, timeout=180)
            endpoint = moto.endpoint
            proxy = None
            if args.latency_ms:
                from fault_proxy import FaultProxy
                proxy = FaultProxy(moto.endpoint)
                proxy.latency = args.latency_ms / 1000.0
                proxy.start()
                endpoint = proxy.endpoint
            try:
                env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
                env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_ENDPOINT_URL": endpoint, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
                for concurrency in (1, 8):
                    times = []
                    for _ in range(args.runs):
                        start = time.perf_counter()
                        r = subprocess.run([args.leafsynth, "diff", *app, "--fail", "--concurrency", str(concurrency)],
                                           env=env, capture_output=True, text=True)
                        times.append(time.perf_counter() - start)
                        if r.returncode != 0:
                            print(f"leafsynth diff failed ({r.returncode}):\n{r.stdout}\n{r.stderr}", file=sys.stderr)
                            return 1
                    label = f"diff whole app (10 stacks + 20 nested) vs moto, --concurrency {concurrency}"
                    if args.latency_ms:
                        label += f", +{args.latency_ms} ms per answer"
                    print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
                          f"min {min(times) * 1000:.0f} ms ({args.runs} runs)")
            finally:
                if proxy:
                    proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
