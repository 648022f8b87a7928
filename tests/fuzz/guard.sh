# Sourced by run_fuzzer.sh and run_long.sh.
# run_guarded LOG COMMAND...: runs a fuzzer with its output in LOG and returns its exit code. After
# "out-of-memory", libFuzzer has ASan print a heap profile, which on a heap of millions of small
# blocks (what an unbounded parser loop leaves) takes many minutes: 20 s after that line the
# fuzzer is killed (the report and the input's mutation history are in LOG already).
run_guarded() {
  local log=$1 pid oom_at=0
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$oom_at" -eq 0 ] && grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then
      oom_at=$SECONDS
    elif [ "$oom_at" -ne 0 ] && [ $((SECONDS - oom_at)) -ge 20 ]; then
      echo "run_guarded: killed 20 s after the out-of-memory report (its heap profile was still being printed)" >>"$log"
      kill -9 "$pid" 2>/dev/null
    fi
  done
  wait "$pid"
}
