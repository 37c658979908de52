#!/usr/bin/env bash
# Runs GoogleTest binaries and closes with one summary line "N passed, N failed".
# Usage: run-tests.sh BINARY [BINARY...]   (extra gtest flags via GTEST_FLAGS)
set -uo pipefail
passed=0; failed=0; skipped=0; rc=0
for bin in "$@"; do
  xml="$(dirname "$bin")/$(basename "$bin").xml"
  rm -f "$xml"
  "$bin" --gtest_brief=1 --gtest_output="xml:$xml" ${GTEST_FLAGS:-} || rc=1
  if [[ -f "$xml" ]]; then
    read -r t f d s < <(sed -n 's/.*<testsuites tests="\([0-9]*\)" failures="\([0-9]*\)" disabled="\([0-9]*\)" errors="[0-9]*".*/\1 \2 \3 0/p' "$xml" | head -1)
    sk=$(grep -c '<skipped' "$xml" || true)
    passed=$((passed + t - f - sk)); failed=$((failed + f)); skipped=$((skipped + sk))
  else
    echo "run-tests: $bin produced no report (crashed?)"; failed=$((failed + 1)); rc=1
  fi
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $rc
