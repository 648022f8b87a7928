#!/usr/bin/env bash
# The README's quick-start commands:
#   bash cmake/run.sh synth      set up what building needs, build leafsynth, synthesize the
#                                bundled example
#   bash cmake/run.sh test       set up what the tests need too, build everything, run every test; then the
#                                sanitizer stage (below)
#   bash cmake/run.sh sanitize   the sanitizer stage alone
#   bash cmake/run.sh package    set up what building needs, build leafsynth, make the Debian
#                                packages (cmake/package.cmake) in build/packages/
# The sanitizer stage (README "Sanitizers and fuzzing"): a second build tree (build-sanitize/,
# clang, -DLEAFSYNTH_SANITIZE=ON -DLEAFSYNTH_FUZZ=ON, -O1) with only the Catch2 test binaries, the
# CLI and the fuzz targets; runs the Catch2 suites, the CLI tests and a short deterministic run of
# each fuzzer with every ASan/UBSan/LSan finding fatal. LEAFSYNTH_SKIP_SANITIZE=1 leaves it out
# of `test`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${LEAFSYNTH_BUILD_DIR:-$here/build}"
san="${LEAFSYNTH_SANITIZE_BUILD_DIR:-$here/build-sanitize}"
jobs=$(nproc 2>/dev/null || echo 2)
# Ninja when the tree is new (its .ninja_log keeps each file's compile time); a tree configured
# earlier keeps its generator.
generator_for() { [ -f "$1/CMakeCache.txt" ] || { command -v ninja >/dev/null && echo "-GNinja"; }; }
# Prints how long a step took: `timed NAME command...`.
timed() {
  local name=$1 start rc=0
  shift
  start=$(date +%s)
  "$@" || rc=$?
  echo "run.sh: $name took $(( $(date +%s) - start )) s"
  return $rc
}

# What the sanitizer stage builds (tests/fuzz/CMakeLists.txt): the Catch2 test binaries, the CLI
# and the fuzz targets; no examples, consumer or packaging tests.
sanitize_target=leafsynth_sanitize_ci
# The CTest labels it runs (Catch2 suites, the CLI tests, the fuzzers), and those it leaves out.
sanitize_labels='^(unit|multistack|config|stacks|diff|aws_api|deploy_unit|cfn|cli|fuzz)$'
sanitize_skip_labels='^(packaging|deploy|examples)$'

# The main job's tree: a new one without tests and examples (so neither Catch2 nor Python is
# needed); one configured earlier (by `test`) as it is.
configure_synth() {
  if [ -f "$build/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$build" >/dev/null
  else
    cmake -S "$here" -B "$build" $(generator_for "$build") -DCMAKE_BUILD_TYPE=Release \
      -DLEAFSYNTH_BUILD_TESTS=OFF -DLEAFSYNTH_BUILD_EXAMPLES=OFF >/dev/null
  fi
}

configure_sanitize() {
  cmake -S "$here" -B "$san" $(generator_for "$san") -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    -DLEAFSYNTH_SANITIZE=ON -DLEAFSYNTH_FUZZ=ON -DLEAFSYNTH_INSTALL=OFF >/dev/null
}

build_sanitize() {
  configure_sanitize
  cmake --build "$san" -j "$jobs" --target "${1:-$sanitize_target}"
}

sanitize_stage() {
  local start reports rc=0
  start=$(date +%s)
  echo "sanitize: building $san (clang, ASan + UBSan, libFuzzer)"
  timed "sanitize build" build_sanitize
  reports="$san/sanitizer-reports"
  rm -rf "$reports"
  mkdir -p "$reports"
  # Every finding is fatal and leaves a report file in $reports (checked below, so a test that
  # tolerates a failing exit code still fails the stage). LeakSanitizer works here (ptrace is
  # not in the way); leaks count as findings.
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$reports/asan"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
  # Left out: diff_create_only_up_to_date (label diff) runs no leafsynth code (the GCC run has it).
  timed "sanitize tests" ctest --test-dir "$san" --output-on-failure -j "$jobs" -L "$sanitize_labels" \
    -LE "$sanitize_skip_labels" -E '^diff_create_only_up_to_date$' || rc=$?
  if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: sanitizer reports:" >&2
    for f in "$reports"/*; do
      echo "--- $f" >&2
      cat "$f" >&2
    done
    rc=1
  fi
  echo "sanitize: stage took $(( $(date +%s) - start )) s"
  return $rc
}

case "${1:-}" in
  synth)
    # Only what building and running leafsynth needs, and only the leafsynth programs: no test
    # tools and no test binaries (a tree configured by `test` keeps its tests, unbuilt here).
    bash "$here/cmake/setup.sh"
    configure_synth
    timed build cmake --build "$build" -j "$jobs" --target leafsynth_cli
    ;;
  package)
    bash "$here/cmake/setup.sh"
    configure_synth
    # What the packages hold: the programs (with the libraries) and their man page and completions.
    timed build cmake --build "$build" -j "$jobs" --target leafsynth_cli leafsynth_reference
    timed package cpack --config "$build/CPackConfig.cmake" -B "$build/packages"
    ls -l "$build"/packages/*.deb
    exit 0
    ;;
  test)
    if [ "${LEAFSYNTH_SKIP_SANITIZE:-0}" != 1 ]; then
      bash "$here/cmake/setup.sh" --tests --sanitize
    else
      bash "$here/cmake/setup.sh" --tests
    fi
    # Python tools installed by setup.sh (when they were not already on PATH).
    [ -d "$here/.tools/venv/bin" ] && export PATH="$PATH:$here/.tools/venv/bin"
    cmake -S "$here" -B "$build" $(generator_for "$build") -DCMAKE_BUILD_TYPE=Release \
      -DLEAFSYNTH_BUILD_TESTS=ON -DLEAFSYNTH_BUILD_EXAMPLES=ON >/dev/null
    timed build cmake --build "$build" -j "$jobs"
    ;;
  sanitize)
    bash "$here/cmake/setup.sh" --tests --sanitize
    [ -d "$here/.tools/venv/bin" ] && export PATH="$PATH:$here/.tools/venv/bin"
    ;;
  configure-synth) # used by tests/cli/test_setup.py: the tree `synth` builds, configured only
    configure_synth
    exit 0
    ;;
  build-sanitize) # used by tests/fuzz/run_long.sh: bash cmake/run.sh build-sanitize [TARGET]
    build_sanitize "${2:-}"
    exit 0
    ;;
esac

case "${1:-}" in
  synth)
    # The bundled example: three containers and the shared base config, main region us-west-2.
    "$build/leafsynth" synth "$here"/examples/containermanager/*.yaml --region "${AWS_REGION:-us-west-2}" \
      -o "$here/leafsynth.out"
    ;;
  test)
    timed tests ctest --test-dir "$build" --output-on-failure -j "$jobs"
    if [ "${LEAFSYNTH_SKIP_SANITIZE:-0}" != 1 ]; then
      sanitize_stage
    fi
    ;;
  sanitize)
    sanitize_stage
    ;;
  *)
    echo "usage: bash cmake/run.sh synth|test|sanitize|package" >&2
    exit 2
    ;;
esac
