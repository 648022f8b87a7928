#!/usr/bin/env python3
"""Compile time of programs using leafsynth: each FILE compiled RUNS times (-O2, C++20, the
project's include folders), min and median of wall and CPU time. A bench, never a test.

usage: bench_compile.py CXX INCLUDE_DIRS(;-separated) RUNS FILE...
"""
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    cxx, includes, runs, files = sys.argv[1], sys.argv[2].split(";"), int(sys.argv[3]), sys.argv[4:]
    flags = ["-std=c++20", "-O2", "-c"] + [f"-I{d}" for d in includes if d]
    print(f"{'file':<48} {'wall min':>9} {'wall med':>9} {'cpu min':>9} {'cpu med':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            walls, cpus = [], []
            for _ in range(runs):
                c0, t0 = cpu(), time.monotonic()
                subprocess.run([cxx, *flags, f, "-o", f"{tmp}/out.o"], check=True)
                walls.append(time.monotonic() - t0)
                cpus.append(cpu() - c0)
            print(f"{f[-48:]:<48} {min(walls):>8.2f}s {statistics.median(walls):>8.2f}s "
                  f"{min(cpus):>8.2f}s {statistics.median(cpus):>8.2f}s")


if __name__ == "__main__":
    main()
