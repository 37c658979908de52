#!/usr/bin/env bash
# rtl-verify.sh: the RTL tests in a verification build of the harness (FLIMGRU_VERIFY in
# CMakeLists.txt, run-time settings in sim/verify_context.hpp), in build/verify-VARIANT:
#   scripts/rtl-verify.sh x-unique [SEED...]  the core's tests (every configuration, stalls, resets)
#       and the boards', verilated with --x-assign/--x-initial unique, once per seed from random
#       register and memory contents (default seeds: 1 2 3); fails on any failure
#   scripts/rtl-verify.sh coverage            the same and the photon front end's tests once,
#       verilated with --coverage; writes docs/coverage.md (line, branch and toggle coverage per
#       RTL file, the lines never run and why: sim/coverage_reasons.tsv)
# Tens of minutes on 2 cores (a build of its own): make regress runs x-unique, make coverage the other.
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:-}"
shift || true
case "$variant" in
  x-unique|coverage) ;;
  *) echo "usage: scripts/rtl-verify.sh x-unique [SEED...] | coverage" >&2; exit 2 ;;
esac
B="build/verify-$variant"
JOBS="${JOBS:-$(nproc)}"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFLIMGRU_VERIFY="$variant" >/dev/null
echo "rtl-verify: building the $variant harness in $B"
cmake --build "$B" -j "$JOBS" --target flimgru flimgru_rtl_tests flimgru_real_board_tests flimgru_board_tests \
  flimgru_irf_board_tests flimgru_frontend_tests flimgru_virtual_board flimgru_virtual_board_real \
  flimgru_virtual_board_irf flimgru_coverage_report -- --no-print-directory >"$B/build.log" 2>&1 ||
  { tail -30 "$B/build.log" >&2; echo "rtl-verify: build failed (see $B/build.log)" >&2; exit 1; }
TESTS=("$B/sim/flimgru_rtl_tests" "$B/sim/board/flimgru_real_board_tests" "$B/sim/board/flimgru_board_tests"
       "$B/sim/board/flimgru_irf_board_tests")

if [[ "$variant" == x-unique ]]; then
  seeds=("$@")
  (( ${#seeds[@]} )) || seeds=(1 2 3)
  for s in "${seeds[@]}"; do
    echo "== random initial values, seed $s (FLIMGRU_X_SEED=$s) =="
    FLIMGRU_X_SEED="$s" scripts/run-tests.sh "${TESTS[@]}"
  done
else
  dat="$B/coverage-dat"
  rm -rf "$dat"
  mkdir -p "$dat"
  FLIMGRU_COVERAGE_DIR="$(pwd)/$dat" scripts/run-tests.sh "${TESTS[@]}" "$B/sim/flimgru_frontend_tests"
  "$B/sim/flimgru_coverage_report" "$dat" docs/coverage.md \
    "scripts/rtl-verify.sh coverage  (flimgru_rtl_tests, flimgru_real_board_tests, flimgru_board_tests, flimgru_irf_board_tests, flimgru_frontend_tests)" \
    sim/coverage_reasons.tsv
fi
