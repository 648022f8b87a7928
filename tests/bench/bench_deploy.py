#!/usr/bin/env python3
"""Benchmark: `leafsynth deploy` of the whole example app from nothing into moto.

usage: bench_deploy.py LEAFSYNTH SOURCE_DIR [--runs N] [--latency-ms MS]

The examples of examples/containermanager unchanged (minecraft, valheim, echo-server: 10 stacks + 20
nested stacks), main region us-west-2 with the pinned stacks in us-east-1, synthesized once. Each run
starts a fresh moto_server on 127.0.0.1 with tests/deploy/moto_compat (always stopped), bootstraps
both environments (not timed), then times `leafsynth deploy --app DIR --require-approval never
--progress quiet` (wall clock) with --concurrency 1 and 4 (the default). With --latency-ms, every
request goes through tests/deploy/fault_proxy.py adding that delay to each answer: a distant endpoint.
Each deploy must exit 0 with every stack created, or the benchmark fails. Prints one line per
setting: median and min. Run by `make leafsynth_bench_deploy`.
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
sys.path.insert(0, str(HERE.parent / "deploy"))

from fault_proxy import FaultProxy  # noqa: E402
from moto_harness import MotoServer  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-west-2"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("leafsynth")
    parser.add_argument("source_dir")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    examples = Path(args.source_dir) / "examples" / "containermanager"
    leaves = sorted(str(p) for p in examples.glob("*.yaml"))
    with tempfile.TemporaryDirectory(prefix="leafsynth-bench-deploy-") as tmp:
        tmp = Path(tmp)
        app = [*leaves, "--region", REGION, "--account", ACCOUNT]
        subprocess.run([args.leafsynth, "synth", *app, "-o", str(tmp / "asm")], check=True, stdout=subprocess.DEVNULL)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        base_env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION,
                         "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1", "HOME": str(tmp)})
        for concurrency in (1, 4):
            times = []
            for run in range(args.runs):
                with MotoServer(log_path=tmp / f"moto-{concurrency}-{run}.log") as moto:
                    env = dict(base_env, AWS_ENDPOINT_URL=moto.endpoint)
                    boot = subprocess.run([args.leafsynth, "bootstrap", *app], env=env, capture_output=True, text=True)
                    if boot.returncode != 0:
                        print(f"bootstrap failed ({boot.returncode}):\n{boot.stdout}\n{boot.stderr}", file=sys.stderr)
                        return 1
                    proxy = None
                    if args.latency_ms:
                        proxy = FaultProxy(moto.endpoint)
                        proxy.latency = args.latency_ms / 1000.0
                        proxy.start()
                        env["AWS_ENDPOINT_URL"] = proxy.endpoint
                    try:
                        start = time.perf_counter()
                        r = subprocess.run([args.leafsynth, "deploy", "--app", str(tmp / "asm"), "--require-approval",
                                            "never", "--progress", "quiet", "--concurrency", str(concurrency)],
                                           env=env, capture_output=True, text=True)
                        times.append(time.perf_counter() - start)
                    finally:
                        if proxy:
                            proxy.stop()
                    table = r.stdout[r.stdout.rfind("\nStack "):].splitlines()
                    created = sum(1 for line in table if len(line.split()) == 4 and line.split()[2] == "created")
                    if r.returncode != 0 or created != 10:
                        print(f"leafsynth deploy failed ({r.returncode}, {created} created):\n{r.stdout[-4000:]}\n"
                              f"{r.stderr}", file=sys.stderr)
                        return 1
            label = f"deploy whole app (10 stacks + 20 nested, 2 regions) into moto, --concurrency {concurrency}"
            if args.latency_ms:
                label += f", +{args.latency_ms} ms per answer"
            print(f"{label}: median {statistics.median(times):.2f} s, min {min(times):.2f} s ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
