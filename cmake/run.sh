#!/usr/bin/env bash
# The README's two quick-start commands:
#   bash cmake/run.sh synth   set up what is missing, build, synthesize the bundled example
#   bash cmake/run.sh test    set up what is missing, build, run every test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${LEAFSYNTH_BUILD_DIR:-$here/build}"
jobs=$(nproc 2>/dev/null || echo 2)

bash "$here/cmake/setup.sh"
# Python tools installed by setup.sh (when they were not already on PATH).
[ -d "$here/.tools/venv/bin" ] && export PATH="$PATH:$here/.tools/venv/bin"

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"

case "${1:-}" in
  synth)
    # The bundled example: three containers and the shared base config, main region us-west-2.
    "$build/leafsynth" synth "$here"/examples/containermanager/*.yaml --region "${AWS_REGION:-us-west-2}" \
      -o "$here/leafsynth.out"
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *)
    echo "usage: bash cmake/run.sh synth|test" >&2
    exit 2
    ;;
esac
