#!/usr/bin/env bash
# One short, deterministic libFuzzer run (the CTest tests "fuzz: <target>", label fuzz):
#   run_fuzzer.sh FUZZER WORKDIR RUNS DICT SEED_DIR...
# Starts from an empty WORKDIR/corpus (new inputs go there, the seed folders are only read),
# -seed=1 -runs=RUNS; any finding (crash, sanitizer report, leak, timeout, out of memory,
# unexpected exception) fails it, with the report and the saved input (WORKDIR/artifacts/).
# LEAFSYNTH_FUZZ_MAX_LEN sets -max_len (default: the largest seed).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/guard.sh"
fuzzer=$1 work=$2 runs=$3 dict=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
args=(-seed=1 -runs="$runs" -timeout="${LEAFSYNTH_FUZZ_TIMEOUT:-25}" -rss_limit_mb=2048 -malloc_limit_mb=1024
      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
[ -n "$dict" ] && args+=(-dict="$dict")
[ -n "${LEAFSYNTH_FUZZ_MAX_LEN:-}" ] && args+=(-max_len="$LEAFSYNTH_FUZZ_MAX_LEN")
# Reports to stderr (not to a log_path file), findings fatal, leaks checked per input.
export ASAN_OPTIONS="${LEAFSYNTH_FUZZ_ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:handle_abort=1:symbolize=1}"
export UBSAN_OPTIONS="${LEAFSYNTH_FUZZ_UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:symbolize=1}"
start=$(date +%s)
run_guarded "$work/fuzz.log" "$fuzzer" "${args[@]}" "$work/corpus" "$@"
rc=$?
secs=$(( $(date +%s) - start ))
name=$(basename "$fuzzer")
if [ $rc -ne 0 ] || ls "$work/artifacts/"* >/dev/null 2>&1; then
  tail -n 80 "$work/fuzz.log"
  echo "$name: FINDING (exit $rc) after ${secs}s; input(s) saved:" "$work"/artifacts/*
  exit 1
fi
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus)' "$work/fuzz.log" || true
echo "$name: $runs runs, no finding, ${secs}s"
