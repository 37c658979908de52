#!/usr/bin/env bash
# lint.sh: verilator --lint-only -Wall over every rtl/ file (rtl/core, rtl/link, rtl/lib; top
# flimgru_core) and an Icarus elaboration. model_params.vh comes from DIR (default: the l2p12 test configuration that
# cmake writes to build/cmake/sim/params_l2p12). Exit status non-zero on any warning.
#   usage: sim/lint.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/cmake/sim/params_l2p12}
[ -f "$dir/model_params.vh" ] || { echo "lint.sh: no $dir/model_params.vh (run cmake first)" >&2; exit 2; }
verilator --lint-only -Wall -Irtl/core -Irtl/link -I"$dir" --top-module flimgru_core rtl/*/*.v
iverilog -g2005 -Wall -Irtl/core -Irtl/link -I"$dir" -s flimgru_core -o /dev/null rtl/*/*.v
echo "lint: rtl/ clean (verilator -Wall, iverilog)"
