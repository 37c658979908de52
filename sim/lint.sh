#!/usr/bin/env bash
# lint.sh: verilator --lint-only -Wall over every rtl/ file (rtl/core, rtl/link, rtl/lib; top
# flimgru_core; rtl/frontend with tops frontend_top and frontend_core; boards/board_top.v with the real
# core and the photon front end), simulation checks (FLIMGRU_ASSERT) included,
# and an Icarus elaboration (Verilog-2005: the synthesizable code without them). model_params.vh comes from DIR (default: the l2p12 test configuration that
# cmake writes to build/cmake/sim/params_l2p12). Exit status non-zero on any warning.
#   usage: sim/lint.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/cmake/sim/params_l2p12}
[ -f "$dir/model_params.vh" ] || { echo "lint.sh: no $dir/model_params.vh (run cmake first)" >&2; exit 2; }
verilator --lint-only -Wall -DFLIMGRU_ASSERT -Irtl/core -Irtl/link -Irtl/frontend -I"$dir" --top-module flimgru_core rtl/*/*.v
iverilog -g2005 -Wall -Irtl/core -Irtl/link -Irtl/frontend -I"$dir" -s flimgru_core -o /dev/null rtl/*/*.v
# the core behind the board's stream interface (boards/board_top.v with FLIMGRU_REAL_CORE)
verilator --lint-only -Wall -DFLIMGRU_ASSERT -Irtl/core -I"$dir" -GLutRows=3 --top-module flimgru_board_core rtl/core/*.v rtl/lib/*.v
# the photon front end (rtl/frontend/ with the rtl/lib/ blocks it uses)
verilator --lint-only -Wall -DFLIMGRU_ASSERT -Irtl/frontend -Irtl/lib --top-module frontend_top rtl/frontend/*.v rtl/lib/*.v
iverilog -g2005 -Wall -Irtl/frontend -s frontend_top -o /dev/null rtl/frontend/*.v rtl/lib/*.v
# the front end feeding the core (rtl/frontend/frontend_core.v)
verilator --lint-only -Wall -DFLIMGRU_ASSERT -Irtl/frontend -Irtl/core -I"$dir" --top-module frontend_core rtl/frontend/*.v rtl/core/*.v rtl/lib/*.v
iverilog -g2005 -Wall -Irtl/frontend -Irtl/core -I"$dir" -s frontend_core -o /dev/null rtl/frontend/*.v rtl/core/*.v rtl/lib/*.v
# the board shell with the real core and the photon front end (boards/board_top.v, Photons 1)
verilator --lint-only -Wall -DFLIMGRU_ASSERT -DFLIMGRU_REAL_CORE -GPhotons=1 -GUsePll=0 -GLanes=2 -GMacRows=12 -GLutRows=2 -Irtl/core -Irtl/link -Irtl/frontend -I"$dir" --top-module board_top boards/board_top.v rtl/*/*.v
iverilog -g2005 -Wall -DFLIMGRU_REAL_CORE -Pboard_top.Photons=1 -Pboard_top.UsePll=0 -Pboard_top.Lanes=2 -Pboard_top.MacRows=12 -Irtl/core -Irtl/link -Irtl/frontend -I"$dir" -s board_top -o /dev/null boards/board_top.v rtl/*/*.v
echo "lint: rtl/ clean (verilator -Wall, iverilog)"
