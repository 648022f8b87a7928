#!/usr/bin/env python3
"""Benchmark (not a test): the whole `leafsynth` process at scale.

usage: bench_scale.py LEAFSYNTH REPO [--sizes 1,100,300,1000] [--runs N] [--no-diff] [--work DIR]

For each size N: N copies of examples/containermanager/minecraft.yaml with distinct letter ids
(game-a, game-b, ...) beside the example base config, then `leafsynth synth --region us-west-2
--account 123456789012` into a fresh folder, RUNS times. Prints per size the median wall time, CPU
time (user + system), peak RSS, and per container. Then `leafsynth --version`, and `leafsynth diff
--against` of the largest app against its own output. Each figure is from the kernel's rusage of
the child process (os.wait4), so it is the whole process: start-up, loading, synthesis, writing.
CPU is split into user and system time: on ext4 the kernel's cost of creating ~13 files per
container (and of the inodes the previous run deleted) is large and varies with the file system's
state; `--work /dev/shm` (tmpfs) measures without it.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def letters(i):
    s = ""
    while True:
        s = chr(ord("a") + i % 26) + s
        if i < 26:
            return s
        i = i // 26 - 1


def run(cmd, cwd=None):
    """(wall s, cpu s, peak RSS MiB, problem) of one run of `cmd`; problem is the first error line
    of an exit 2 (bad input: the process still ran), and any other failure stops the bench."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    problem = ""
    if code == 2:
        problem = next((line for line in err.splitlines() if "error" in line), err.strip()[:300])
    elif code not in (0, 1):
        sys.exit(f"bench_scale: {cmd[0]} {cmd[1]} ... exited {code}:\n{err[-2000:]}")
    return wall, (usage.ru_utime, usage.ru_stime), usage.ru_maxrss / 1024.0, problem


def measure(cmd, runs, cwd=None, before=None):
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(run(cmd, cwd))
    wall = statistics.median(r[0] for r in results)
    cpu = tuple(statistics.median(r[1][i] for r in results) for i in range(2))
    return wall, cpu, statistics.median(r[2] for r in results), results[-1][3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("leafsynth")
    ap.add_argument("repo")
    ap.add_argument("--sizes", default="1,100,300,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-diff", action="store_true")
    ap.add_argument("--work", help="where the configs and outputs go (default: the system's temporary folder)")
    args = ap.parse_args()
    exe = str(Path(args.leafsynth).resolve())
    example = Path(args.repo) / "examples" / "containermanager"
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="leafsynth-bench-", dir=args.work))
    try:
        print(f"{'containers':>10} {'wall':>9} {'user':>9} {'system':>9} {'peak RSS':>10} {'wall/container':>15} "
              f"{'RSS/container':>14}")
        last = None
        for n in sizes:
            configs = work / f"app-{n}"
            configs.mkdir()
            shutil.copy(example / "base-stack-config.yaml", configs / "base-stack-config.yaml")
            leaf = (example / "minecraft.yaml").read_text()
            names = []
            for i in range(n):
                name = f"game-{letters(i)}.yaml"
                (configs / name).write_text(leaf)
                names.append(name)
            out = work / f"out-{n}"
            cmd = [exe, "synth", *names, "--region", "us-west-2", "--account", "123456789012", "-o", str(out)]
            wall, cpu, rss, problem = measure(cmd, args.runs, cwd=configs,
                                              before=lambda: shutil.rmtree(out, ignore_errors=True))
            print(f"{n:>10} {wall:>8.3f}s {cpu[0]:>8.3f}s {cpu[1]:>8.3f}s {rss:>8.1f}Mi {wall / n * 1000:>13.2f}ms "
                  f"{rss / n:>12.2f}Mi"
                  + (f"  exit 2: {problem}" if problem else ""), flush=True)
            if not problem:
                last = (n, configs, names, out)
        wall, cpu, rss, _ = measure([exe, "--version"], max(args.runs, 10))
        print(f"--version: wall {wall * 1000:.2f} ms, user {cpu[0] * 1000:.2f} ms, system {cpu[1] * 1000:.2f} ms, "
              f"peak RSS {rss:.1f} MiB")
        if last and not args.no_diff:
            n, configs, names, out = last
            cmd = [exe, "diff", *names, "--region", "us-west-2", "--account", "123456789012", "--against", str(out)]
            wall, cpu, rss, _ = measure(cmd, args.runs, cwd=configs)
            print(f"diff --against, {n} containers: wall {wall:.3f} s, user {cpu[0]:.3f} s, system {cpu[1]:.3f} s, "
                  f"peak RSS {rss:.1f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
