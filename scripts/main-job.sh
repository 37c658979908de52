#!/usr/bin/env bash
# The main job (`make`): from the shipped default checkpoint to a verified bitstream.
#   1. ROM images of the default model for the board's MAC array
#   2. a simulated 32×32 image through the Verilated RTL core, checked bit for bit against the
#      C++ integer model, and its accuracy against the ground truth
#   3. the board's bitstream (Yosys, nextpnr-ecp5, ecppack)
#   4. a summary: accuracy, cycles per TPSF, Fmax, resources, TPSF/s, the bitstream's path
# usage: scripts/main-job.sh BOARD
set -euo pipefail
cd "$(dirname "$0")/.."
BOARD=${1:-ulx3s-85f}
F=build/flimgru
OUT=build/main
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1/4 ROM images of the default model (weights/default -> $(readlink weights/default))"
$F quantize weights/default/model.safetensors -o "$OUT/rom" | sed 's/^/   /'

step "2/4 a simulated 32×32 image (1,024 TPSFs, seed 3232) through the RTL core and the integer model"
[[ -f $OUT/image32/meta.json ]] || $F simulate -n 1024 --seed 3232 -o "$OUT/image32" > /dev/null
$F infer "$OUT/image32" -o "$OUT/int8.csv" --backend int8 --json > "$OUT/int8.json"
$F infer "$OUT/image32" -o "$OUT/rtl.csv" --backend rtl --json > "$OUT/rtl.json"
if cmp -s "$OUT/int8.csv" "$OUT/rtl.csv"; then
  echo "   RTL == integer model: $OUT/rtl.csv and $OUT/int8.csv are identical (1,024 pixels)"
else
  echo "   MISMATCH between the RTL core and the integer model: diff $OUT/rtl.csv $OUT/int8.csv" >&2
  exit 1
fi
$F eval --data "$OUT/image32" --backend int8 --name default --out "$OUT/eval.json" > /dev/null

step "3/4 bitstream for $BOARD"
boards/flow.sh synth "$BOARD"

step "4/4 summary"
read -r lanes rows pll < <(awk -v b="$BOARD" '$1 == b {print $10, $11, $7}' boards/boards.tsv)
cycles=$(build/cmake/sim/flimgru_rtl_bench | awk -F'|' -v l="$lanes" -v r="$rows" \
  '$2+0 == l && $3+0 == r {gsub(/ /, "", $8); print $8; exit}')
[[ -n $cycles ]] || { echo "main job: flimgru_rtl_bench has no row for $lanes lanes x $rows MAC rows (sim/rtl_bench.cpp)" >&2; exit 1; }
echo "model        $(readlink weights/default): 1 x GRU(32), int8 ROM set $OUT/rom"
$F eval --data "$OUT/image32" --backend int8 | sed -n 's/^ *int8 */accuracy     32x32 image, whole decay: /p'
echo "bit-exact    RTL core == integer model on all 1,024 pixels"
echo "core         $lanes lanes x $rows MAC rows: $cycles cycles per TPSF (docs/architecture.md)"
sed -n 's/^  //p' "build/$BOARD/summary.txt" | sed 's/^/fpga         /'
awk -v c="$cycles" -v f="$pll" 'BEGIN {printf "throughput   %.0f TPSF/s at %s MHz (%.1f frames/s of 128x128)\n", f*1e6/c, f, f*1e6/c/16384}'
echo "bitstream    build/$BOARD/flimgru.bit   (make prog BOARD=$BOARD)"
