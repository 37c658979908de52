// gru_gate_unit: one lane's GRU gate arithmetic (docs/numerics.md §4-§6): takes one gate row per
//   cycle in unit-interleaved order r, z, n (a_in, a_h and the unit's ROM word), computes
//   r = σ(p_r), z = σ(p_z), hn, p_n, n = tanh(p_n) and writes h' = sat16(n + rshr(z(h-n), 14)),
//   the state in Q1.14 (int16).
// Latency: row at G0 (cycle e) -> state write in cycle e+12 (visible to reads from e+13); the
//   parameter Latency states it (the core passes rtl/flimgru_timing.vh GATE_LATENCY, which the
//   sequencer and the harness use too) and elaboration stops unless it equals this pipeline.
//   Stages (row emitted in cycle e is in stage Gs in cycle e+s): G1 sum; unit ROM word -> M, b |
//   G2-G4 the requantizers (rtl/gru_requant.v Dsps 1: the low product on a MULT18X18D, the
//   high one in LUTs): sum and M into the MULT18X18D input registers | G3 the two products (low
//   17 bits unsigned, high bits signed) | G4 high*2^17 + low, (. + b*2^S + 2^(S-1)) >>> S, sat |
//   G5 σ read, r*hn (one MULT18X18D shared with z*d when RowGap > 5, see below) |
//   G6 r/z capture, (rq_in + b_in)*2^14 + 2^13 + r*hn | G7 p_n = sat16(. >>> 14) -> tanh index,
//   h_old read | G8 n, h_old registered | G9 d = h - n into the multiplier | G10 z*d |
//   G11 n*2^14 + 2^13 + z*d and (n+64)*2^14 + 2^13 + z*d | G12 h' = sat16(. >>> 14) and its
//   operand view(h') = sat8(. >>> 21) written.
//   Every multiplier output is the MULT18X18D's own register and is followed by at most one
//   addition; every block-RAM output goes straight to a register. Throughput one row per cycle; r and z of a unit must arrive
//   at least 2 and 1 cycles before its n row (always true in r,z,n order).
// Interface: units_g1_i is the unit's ROM word {M_r,M_z,M_n,b_r,b_z,b_in,b_hn} in cycle e+1
//   (the core addresses the unit ROM with the serializer's next unit);
//   h_old is read through h_raddr_o/h_rdata_i (1-cycle RAM), the new state written via h_we_o
//   (h_wdata_o, Q1.14) together with view(h') (h_vdata_o, int8 Q0.7: what the MACs and the head
//   multiply, numerics §2, so their operand RAMs hold it ready).
`default_nettype none
module gru_gate_unit #(
  parameter integer AccWidth  = 24,
  parameter integer RqShift   = 16,
  parameter integer TableBits = 10,
  parameter integer UnitW     = 5,
  parameter integer LayerW    = 1,
  parameter integer MetaW     = 9,     // opaque tag carried to the write (debug)
  parameter integer Latency   = 12,    // G0 -> state write: must equal the stages below
  parameter integer RowGap    = 1,     // fewest enabled cycles between rows of two row groups
                                       // (the core: H - P + 1); > 5: r*hn and z*d share a DSP
  parameter         RomDir    = "."
) (
  input  wire                        clk_i,
  input  wire                        rst_i,
  input  wire                        ce_i,
  // G0: one gate row
  input  wire                        row_v_i,
  input  wire [1:0]                  row_gate_i,      // 0 r, 1 z, 2 n
  input  wire signed [AccWidth-1:0]  row_ain_i,
  input  wire signed [AccWidth-1:0]  row_ah_i,
  input  wire [UnitW-1:0]            row_unit_i,
  input  wire [LayerW-1:0]           row_layer_i,
  input  wire                        row_wbank_i,
  input  wire                        row_hzero_i,
  input  wire [MetaW-1:0]            row_meta_i,
  // G1: unit ROM word
  input  wire [111:0]                units_g1_i,
  // old state read (issued in G7, data in G8)
  output wire                        h_re_o,
  output wire [LayerW+UnitW:0]       h_raddr_o,
  input  wire signed [15:0]          h_rdata_i,
  // new state write (G12)
  output wire                        h_we_o,
  output wire [LayerW+UnitW:0]       h_waddr_o,
  output wire signed [15:0]          h_wdata_o,
  output wire signed [7:0]           h_vdata_o,
  output wire [MetaW-1:0]            h_meta_o
);
  localparam integer SumW = AccWidth + 1;
  localparam integer HiW  = SumW - 17;          // high part of the sum (signed), low 17 bits unsigned
  localparam integer PrW  = SumW + 17;          // sum x M (M unsigned 16 -> signed 17)
  localparam integer FpW  = PrW + 18;           // room for the rounding term, bias, <<< 14
  localparam integer Tsh  = 14 - TableBits;
  localparam integer WLast = 12;                // write stage: the pipeline written below

  generate
    if (RqShift < 0 || RqShift > 40 || TableBits < 2 || TableBits > 14 || HiW < 1 || HiW > 18) begin : g_bad_params
      gru_gate_unit_needs_rq_shift_0_to_40_and_table_bits_2_to_14 u_stop ();
    end
    // the schedule (rtl/seq2seq_sequencer.v, sim/scoreboard.hpp) is built on Latency
    // (rtl/flimgru_timing.vh GATE_LATENCY): it must be the depth of this pipeline
    if (Latency != WLast) begin : g_bad_latency
      gru_gate_unit_latency_parameter_differs_from_its_pipeline u_stop ();
    end
  endgenerate

`include "fixed_point.vh"

  // Table index of numerics §6, idx = clamp(p >> (14 - TB), -2^(TB-1), 2^(TB-1) - 1) + 2^(TB-1),
  //   for a pre-activation p given at FpW bits, unsaturated: sat16 first would change nothing
  //   (±2^15 >> (14 - TB) lies outside the clamp range), and the clamp is a check that the bits
  //   above the index are copies of its sign bit (no comparators: this feeds a block-RAM address).
  function [TableBits-1:0] tab_idx;
    input signed [FpW-1:0] p;
    reg signed [FpW-1:0] t;
    begin
      t = p >>> Tsh;
      if (t[FpW-1:TableBits-1] == {(FpW-TableBits+1){1'b0}} ||
          t[FpW-1:TableBits-1] == {(FpW-TableBits+1){1'b1}})
        tab_idx = t[TableBits-1:0] ^ {1'b1, {(TableBits-1){1'b0}}};   // + 2^(TB-1)
      else
        tab_idx = t[FpW-1] ? {TableBits{1'b0}} : {TableBits{1'b1}};
    end
  endfunction

  // ---- meta pipeline (valid, gate, unit, layer, bank, hzero, debug tag) ----------------------
  localparam integer MW = 1 + 2 + UnitW + LayerW + 1 + 1 + MetaW;
  reg [MW-1:0] meta_q [1:WLast];
  wire [MW-1:0] meta_g0 = {row_v_i, row_gate_i, row_unit_i, row_layer_i, row_wbank_i,
                           row_hzero_i, row_meta_i};
  integer s;
  always @(posedge clk_i) begin
    if (ce_i) begin
      meta_q[1] <= meta_g0;
      for (s = 2; s <= WLast; s = s + 1) meta_q[s] <= meta_q[s-1];
    end
    if (rst_i) begin
      for (s = 1; s <= WLast; s = s + 1) meta_q[s][MW-1] <= 1'b0;
    end
  end
  `define GV(st)  meta_q[st][MW-1]
  `define GG(st)  meta_q[st][MW-2 -: 2]
  wire [UnitW-1:0]  unit_g7  = meta_q[7][MW-4 -: UnitW];
  wire [LayerW-1:0] layer_g7 = meta_q[7][MW-4-UnitW -: LayerW];
  wire              wbank_g7 = meta_q[7][MetaW+1];
  wire              hzero_g8 = meta_q[8][MetaW];   // the old state is the zero state
  wire [UnitW-1:0]  unit_gw  = meta_q[WLast][MW-4 -: UnitW];
  wire [LayerW-1:0] layer_gw = meta_q[WLast][MW-4-UnitW -: LayerW];
  wire              wbank_gw = meta_q[WLast][MetaW+1];

  // ---- G1: sum of the partial sums; the unit ROM word of this row -> M, b registers ---------
  reg signed [SumW-1:0] sum_q, ain_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      sum_q  <= (row_gate_i == 2'd2) ? {row_ah_i[AccWidth-1], row_ah_i}
                                     : {row_ain_i[AccWidth-1], row_ain_i} + {row_ah_i[AccWidth-1], row_ah_i};
      ain_q  <= {row_ain_i[AccWidth-1], row_ain_i};
    end
  end
  wire [15:0] b_hn = units_g1_i[15:0];
  wire [15:0] b_in = units_g1_i[31:16];
  wire [15:0] b_z  = units_g1_i[47:32];
  wire [15:0] b_r  = units_g1_i[63:48];
  wire [15:0] m_n  = units_g1_i[79:64];
  wire [15:0] m_z  = units_g1_i[95:80];
  wire [15:0] m_r  = units_g1_i[111:96];
  wire [15:0] m_sel = (`GG(1) == 2'd0) ? m_r : ((`GG(1) == 2'd1) ? m_z : m_n);
  wire [15:0] b_sel = (`GG(1) == 2'd0) ? b_r : ((`GG(1) == 2'd1) ? b_z : b_hn);

  // ---- G2-G4: rq = rshr(sum*M, S) + b and rq_in = rshr(a_in*M_n, S) + b_in on two requantizers
  //   (rtl/gru_requant.v: sum and M into the MULT18X18D input registers (G2), the two 18x18
  //   products (G3), high*2^17 + low (G4), then . + b*2^S + 2^(S-1), >>> S); G4 -> G5: saturate
  //   (the n row's hn), rq_in stays unsaturated (numerics §5)
  wire signed [FpW-1:0] rq, rq_in;
  gru_requant #(.AWidth(SumW), .Width(FpW), .RqShift(RqShift), .Dsps(1)) u_rq (
    .clk_i(clk_i), .ce_i(ce_i), .a_i(sum_q), .m_i(m_sel), .b_i(b_sel), .q_o(rq));
  gru_requant #(.AWidth(SumW), .Width(FpW), .RqShift(RqShift), .Dsps(1)) u_rq_in (
    .clk_i(clk_i), .ce_i(ce_i), .a_i(ain_q), .m_i(m_n), .b_i(b_in), .q_o(rq_in));
  reg signed [15:0]    p_q;       // p_r, p_z, or hn
  reg signed [FpW-1:0] pin_q;     // rq(a_in_n) + b_in, not saturated (numerics §5)
  wire signed [15:0]   p_d = fp_sat16(rq);
  always @(posedge clk_i) begin
    if (ce_i) begin
      p_q   <= p_d;
      pin_q <= rq_in;
    end
  end

  // ---- G5: sigmoid read (r, z rows) / r * hn (n row) ----------------------------------------
  wire [15:0] sig_data, tanh_data;
  rom_sync #(.DataWidth(16), .Depth(1 << TableBits), .AddrWidth(TableBits), .Latency(1),
             .RomDir(RomDir), .File("sigmoid.hex")) u_sigmoid (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(tab_idx({{(FpW-16){p_q[15]}}, p_q})), .data_o(sig_data));
  reg signed [15:0] r_q, z_q;
  wire signed [32:0] prod_rhn_q;   // r*hn in G6 and z*d in G11: one MULT18X18D or two (G10)
  wire signed [32:0] prod_zd_q;
  reg signed [FpW-1:0] pin6_q;
  always @(posedge clk_i) begin
    if (ce_i) pin6_q <= pin_q;
  end

  // ---- G6: capture r / z (σ read in G5); p_n = sat16(pin + rshr(r*hn, 14)) in one addition:
  //   pin + rshr(v, 14) = (pin*2^14 + 2^13 + v) >>> 14, and pin*2^14 + 2^13 is wiring
  wire signed [FpW-1:0] rhn_x = {{(FpW-33){prod_rhn_q[32]}}, prod_rhn_q};
  wire signed [FpW-1:0] pin_sh = (pin6_q <<< 14) | fp_half(14);
  reg signed [FpW-1:0] pns_q;    // p_n before >>> 14 and sat16 (tab_idx does both, G7)
  reg signed [15:0]    z7_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      if (`GV(6) && `GG(6) == 2'd0) r_q <= sig_data;
      if (`GV(6) && `GG(6) == 2'd1) z_q <= sig_data;
      pns_q <= pin_sh + rhn_x;
      z7_q  <= z_q;
    end
  end
  wire signed [FpW-1:0] pn_wide = pns_q >>> 14;     // p_n = sat16(pn_wide); tab_idx saturates

  // ---- G7: tanh read, old state read --------------------------------------------------------
  rom_sync #(.DataWidth(16), .Depth(1 << TableBits), .AddrWidth(TableBits), .Latency(1),
             .RomDir(RomDir), .File("tanh.hex")) u_tanh (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(tab_idx(pn_wide)), .data_o(tanh_data));
  reg signed [15:0] z8_q;
  always @(posedge clk_i) begin
    if (ce_i) z8_q <= z7_q;
  end
  assign h_re_o    = ce_i;
  assign h_raddr_o = {layer_g7, ~wbank_g7, unit_g7};

  // ---- G8: block-RAM outputs n (tanh) and h_old to registers -----------------------------------
  reg signed [15:0] n9_q, hold9_q, z9_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      n9_q    <= tanh_data;
      hold9_q <= hzero_g8 ? 16'sd0 : h_rdata_i;
      z9_q    <= z8_q;
    end
  end

  // ---- G9: d = h - n ---------------------------------------------------------------------------
  //   (d and z go into the MULT18X18D input registers)
  wire signed [16:0] d9 = {hold9_q[15], hold9_q} - {n9_q[15], n9_q};
  reg signed [15:0]  n10_q;
  always @(posedge clk_i) begin
    if (ce_i) n10_q <= n9_q;
  end

  // ---- G10: z * d -------------------------------------------------------------------------------
  reg signed [15:0] n11_q;
  reg signed [16:0] nv11_q;      // n + 64: view(h') = sat8(rshr(h', 7)) in the same addition

  // ---- the products r*hn (operands in G5, product in G6) and z*d (G10, G11) ------------------
  //   Only n rows use them. Within a row group the n rows are 3 cycles apart, rows of different
  //   groups at least RowGap; an n row's two uses are 5 cycles apart (G5, G10), so if RowGap > 5
  //   no two n rows ever need the multiplier in the same cycle: one MULT18X18D takes r*hn when
  //   the row in G4 is an n row and z*d otherwise. Its operands are registered in the fabric
  //   from the values r_q, p_q (G5) and z9_q, d9 (G9) take or hold, the block's output register
  //   is the product register.
  generate
    if (RowGap > 5) begin : g_mul_shared
      wire               hn_g4 = `GV(4) && (`GG(4) == 2'd2);
      wire signed [15:0] r_d   = (`GV(6) && `GG(6) == 2'd0) ? sig_data : r_q;   // r_q in G5
      reg signed [15:0]  ma_q;
      reg signed [16:0]  mb_q;
      always @(posedge clk_i) begin
        if (ce_i) begin
          ma_q <= hn_g4 ? r_d : z9_q;
          mb_q <= hn_g4 ? {p_d[15], p_d} : d9;
        end
      end
      wire signed [32:0] prod_q;
      mult18_oreg #(.AWidth(16), .BWidth(17)) u_mul (.clk_i(clk_i), .ce_i(ce_i),
        .a_i(ma_q), .b_i(mb_q), .p_o(prod_q));
      assign prod_rhn_q = prod_q;
      assign prod_zd_q  = prod_q;
`ifndef SYNTHESIS
      // the schedule guarantees it (RowGap); a simulation that breaks it stops here
      always @(posedge clk_i) begin
        if (ce_i && !rst_i && hn_g4 && `GV(9) && `GG(9) == 2'd2) begin
          $display("gru_gate_unit: r*hn and z*d collide (RowGap %0d)", RowGap);
          $stop;
        end
      end
`endif
    end else begin : g_mul_two
      wire signed [31:0] prod_rhn32;
      mult18_oreg #(.AWidth(16), .BWidth(16)) u_mul_rhn (.clk_i(clk_i), .ce_i(ce_i),
        .a_i(r_q), .b_i(p_q), .p_o(prod_rhn32));
      assign prod_rhn_q = {prod_rhn32[31], prod_rhn32};
      mult18_oreg #(.AWidth(16), .BWidth(17), .InReg(1)) u_mul_zd (.clk_i(clk_i), .ce_i(ce_i),
        .a_i(z9_q), .b_i(d9), .p_o(prod_zd_q));
    end
  endgenerate
  always @(posedge clk_i) begin
    if (ce_i) begin
      n11_q     <= n10_q;
      nv11_q    <= {n10_q[15], n10_q} + 17'sd64;
    end
  end

  // ---- G11: h' = sat16(n + rshr(z*d, 14)) = sat16((n*2^14 + 2^13 + z*d) >>> 14), and
  //   view(h') = sat8(rshr(h', 7)) = sat8(((n + 64)*2^14 + 2^13 + z*d) >>> 21) (the floors nest;
  //   saturating h' first changes nothing, both clamps are monotone) -----------------------------
  wire signed [FpW-1:0] zd_x  = {{(FpW-33){prod_zd_q[32]}}, prod_zd_q};
  wire signed [FpW-1:0] n_sh  = ({{(FpW-16){n11_q[15]}}, n11_q} <<< 14) | fp_half(14);
  wire signed [FpW-1:0] nv_sh = ({{(FpW-17){nv11_q[16]}}, nv11_q} <<< 14) | fp_half(14);
  reg signed [FpW-1:0] hs_q, vs_q;     // before the shift and the saturation (done in G12)
  always @(posedge clk_i) begin
    if (ce_i) begin
      hs_q <= n_sh + zd_x;
      vs_q <= nv_sh + zd_x;
    end
  end

  // ---- G12: write -------------------------------------------------------------------------------
  assign h_wdata_o = fp_sat16(hs_q >>> 14);
  assign h_vdata_o = fp_sat8(vs_q >>> 21);
  assign h_we_o    = ce_i & `GV(WLast) & (`GG(WLast) == 2'd2);
  assign h_waddr_o = {layer_gw, wbank_gw, unit_gw};
  assign h_meta_o  = meta_q[WLast][MetaW-1:0];
  `undef GV
  `undef GG
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // Rows come per unit in r, z, n order with no other unit between (the pipeline keeps r and z
  // for the unit's n row); a new unit starts with r only after the previous unit's n.
  reg [1:0]       a_gate_q;
  reg [UnitW-1:0] a_unit_q;
  always @(posedge clk_i) begin
    if (!rst_i && ce_i && row_v_i) begin
      if (row_gate_i == 2'd0)
        assert (a_gate_q == 2'd2)
          else $error("gru_gate_unit: r row of unit %0d after gate %0d of unit %0d (r, z, n)",
                      row_unit_i, a_gate_q, a_unit_q);
      else
        assert (row_gate_i == a_gate_q + 2'd1 && row_unit_i == a_unit_q)
          else $error("gru_gate_unit: gate %0d row of unit %0d after gate %0d of unit %0d",
                      row_gate_i, row_unit_i, a_gate_q, a_unit_q);
      a_gate_q <= row_gate_i;
      a_unit_q <= row_unit_i;
    end
    if (rst_i) a_gate_q <= 2'd2;
  end
`endif
endmodule
`default_nettype wire
