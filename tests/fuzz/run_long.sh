#!/usr/bin/env bash
# A long fuzzing run of every libFuzzer target (or those named), one after the other:
#   bash tests/fuzz/run_long.sh [SECONDS] [TARGET...]      SECONDS per target, default 600
# Builds the fuzz targets in build-sanitize/ first (bash cmake/run.sh build-sanitize leafsynth_fuzz; the folder is
# LEAFSYNTH_SANITIZE_BUILD_DIR when set). Corpora grow across runs in build-sanitize/fuzz-corpus/<target>/
# (the seeds of build-sanitize/tests/fuzz/seeds/<target>/ are only read); a finding stops that
# target and is saved in build-sanitize/fuzz-findings/<target>/ (crash-*, leak-*, timeout-*, oom-*)
# with its log in build-sanitize/fuzz-findings/<target>.log; reproduce it with
#   build-sanitize/tests/fuzz/<target> build-sanitize/fuzz-findings/<target>/crash-...
# Environment: LEAFSYNTH_FUZZ_JOBS=N runs N fuzzing processes per target (libFuzzer -fork=N,
# findings collected without stopping: -ignore_crashes/-ignore_timeouts/-ignore_ooms);
# LEAFSYNTH_FUZZ_MAX_LEN sets -max_len; LEAFSYNTH_FUZZ_STRICT=1 makes the tolerated known
# findings of fuzz_support.hpp fatal. At the end, one line per target: executions, exec/s,
# corpus size, findings.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/guard.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
san="${LEAFSYNTH_SANITIZE_BUILD_DIR:-$here/build-sanitize}"
seconds="${1:-600}"
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_config fuzz_template_json fuzz_template_yaml fuzz_diff fuzz_cloudformation_xml)

LEAFSYNTH_SANITIZE_BUILD_DIR="$san" bash "$here/cmake/run.sh" build-sanitize leafsynth_fuzz >/dev/null || exit 2

dict_of() {
  case "$1" in
    fuzz_config) echo config ;;
    fuzz_cloudformation_xml) echo xml ;;
    *) echo template ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:handle_abort=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
summary=()
status=0
for t in "${targets[@]}"; do
  bin="$san/tests/fuzz/$t"
  [ -x "$bin" ] || { echo "run_long: no $bin" >&2; exit 2; }
  corpus="$san/fuzz-corpus/$t"
  findings="$san/fuzz-findings/$t"
  log="$san/fuzz-findings/$t.log"
  mkdir -p "$corpus" "$findings"
  args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1
        -dict="$here/tests/fuzz/dicts/$(dict_of "$t").dict" -artifact_prefix="$findings/")
  [ -n "${LEAFSYNTH_FUZZ_MAX_LEN:-}" ] && args+=(-max_len="$LEAFSYNTH_FUZZ_MAX_LEN")
  if [ -n "${LEAFSYNTH_FUZZ_JOBS:-}" ]; then
    args+=(-fork="$LEAFSYNTH_FUZZ_JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  before=$(find "$findings" -type f | wc -l)
  echo "run_long: $t for ${seconds}s (log: $log)"
  run_guarded "$log" "$bin" "${args[@]}" "$corpus" "$san/tests/fuzz/seeds/${t#fuzz_}"
  rc=$?
  execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  # Fork mode prints no final stats: the last status line counts the executions.
  [ -z "$execs" ] && execs=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/^#([0-9]+).*/\1/')
  rate=$(grep -E 'exec/s: [0-9]+' -o "$log" | tail -1 | awk '{print $2}')
  new=$(( $(find "$findings" -type f | wc -l) - before ))
  units=$(find "$corpus" -type f | wc -l)
  line="$t: ${execs:-?} executions (${rate:-?} exec/s), corpus $units inputs, exit $rc, $new new finding(s)"
  [ "$new" -gt 0 ] && line+=" in $findings"
  [ "$rc" -ne 0 ] || [ "$new" -gt 0 ] && status=1
  summary+=("$line")
  echo "run_long: $line"
done
echo
printf '%s\n' "${summary[@]}"
exit $status
