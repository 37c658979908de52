// gru_gate_unit: one lane's GRU gate arithmetic (docs/numerics.md §4-§6): takes one gate row per
//   cycle in unit-interleaved order r, z, n (a_in, a_h and the unit's ROM word), computes
//   r = σ(p_r), z = σ(p_z), hn, p_n, n = tanh(p_n) and writes h' = sat16(n + rshr(z(h-n), 14)),
//   the state in Q1.14 (int16).
// Latency: row at G0 (cycle e) -> state write in cycle e+9 (visible to reads from e+10).
//   Stages (row emitted in cycle e is in stage Gs in cycle e+s): G1 sum | G2 sum*M (unit ROM
//   word) | G3 rshr+bias+sat | G4 σ read, r*hn | G5 r/z capture, p_n | G6 tanh read, h_old read
//   | G7 d = h - n (block-RAM outputs go to a register, not a multiplier) | G8 z*d | G9 h' write. Throughput one row per cycle; r and z of a unit must
//   arrive at least 2 and 1 cycles before its n row (always true in r,z,n order).
// Interface: units_g2_i is the unit's ROM word {M_r,M_z,M_n,b_r,b_z,b_in,b_hn} in cycle e+2;
//   h_old is read through h_raddr_o/h_rdata_i (1-cycle RAM), the new state written via h_we_o.
`default_nettype none
module gru_gate_unit #(
  parameter integer AccWidth  = 24,
  parameter integer RqShift   = 16,
  parameter integer TableBits = 10,
  parameter integer UnitW     = 5,
  parameter integer LayerW    = 1,
  parameter integer MetaW     = 9,     // opaque tag carried to the write (debug)
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
  // G2: unit ROM word
  input  wire [111:0]                units_g2_i,
  // old state read (issued in G6, data in G7)
  output wire                        h_re_o,
  output wire [LayerW+UnitW:0]       h_raddr_o,
  input  wire signed [15:0]          h_rdata_i,
  // new state write (G8)
  output wire                        h_we_o,
  output wire [LayerW+UnitW:0]       h_waddr_o,
  output wire signed [15:0]          h_wdata_o,
  output wire [MetaW-1:0]            h_meta_o
);
  localparam integer SumW = AccWidth + 1;
  localparam integer PrW  = SumW + 17;          // sum x M (M unsigned 16 -> signed 17)
  localparam integer RqW  = PrW + 2 + 41;       // room for 2x + 2^S, S <= 40
  localparam integer Half = 1 << (TableBits - 1);
  localparam integer Tsh  = 14 - TableBits;
  /* verilator lint_off WIDTH */
  localparam signed [15:0] IdxLo = -Half;      // sized clamp bounds of the table index
  localparam signed [15:0] IdxHi = Half - 1;
  /* verilator lint_on WIDTH */

  generate
    if (RqShift < 0 || RqShift > 40 || TableBits < 2 || TableBits > 14) begin : g_bad_params
      gru_gate_unit_needs_rq_shift_0_to_40_and_table_bits_2_to_14 u_stop ();
    end
  endgenerate

  // rshr(x, s) = (2x + 2^s) >>> (s + 1): round half up without a special case for s = 0.
  function signed [RqW-1:0] rq_round;
    input signed [RqW-1:0] x;
    begin
      rq_round = ((x <<< 1) + ($signed({{(RqW-1){1'b0}}, 1'b1}) <<< RqShift)) >>> (RqShift + 1);
    end
  endfunction

  function signed [15:0] sat16;
    input signed [RqW-1:0] x;
    begin
      if (x[RqW-1:15] == {(RqW-15){1'b0}} || x[RqW-1:15] == {(RqW-15){1'b1}}) sat16 = x[15:0];
      else sat16 = x[RqW-1] ? 16'sh8000 : 16'sh7fff;
    end
  endfunction

  function [TableBits-1:0] tab_idx;
    input signed [15:0] p;
    reg signed [15:0] s;
    begin
      s = p >>> Tsh;
      if (s < IdxLo) tab_idx = {TableBits{1'b0}};
      else if (s > IdxHi) tab_idx = {TableBits{1'b1}};
      else tab_idx = s[TableBits-1:0] ^ {1'b1, {(TableBits-1){1'b0}}};   // + 2^(TB-1)
    end
  endfunction

  // ---- meta pipeline (valid, gate, unit, layer, bank, hzero, debug tag) ----------------------
  localparam integer MW = 1 + 2 + UnitW + LayerW + 1 + 1 + MetaW;
  reg [MW-1:0] meta_q [1:9];
  wire [MW-1:0] meta_g0 = {row_v_i, row_gate_i, row_unit_i, row_layer_i, row_wbank_i,
                           row_hzero_i, row_meta_i};
  integer s;
  always @(posedge clk_i) begin
    if (ce_i) begin
      meta_q[1] <= meta_g0;
      for (s = 2; s <= 9; s = s + 1) meta_q[s] <= meta_q[s-1];
    end
    if (rst_i) begin
      for (s = 1; s <= 9; s = s + 1) meta_q[s][MW-1] <= 1'b0;
    end
  end
  `define GV(st)  meta_q[st][MW-1]
  `define GG(st)  meta_q[st][MW-2 -: 2]
  wire [UnitW-1:0]  unit_g6  = meta_q[6][MW-4 -: UnitW];
  wire [LayerW-1:0] layer_g6 = meta_q[6][MW-4-UnitW -: LayerW];
  wire              wbank_g6 = meta_q[6][MetaW+1];
  wire              hzero_g7 = meta_q[7][MetaW];
  wire [UnitW-1:0]  unit_g9  = meta_q[9][MW-4 -: UnitW];
  wire [LayerW-1:0] layer_g9 = meta_q[9][MW-4-UnitW -: LayerW];
  wire              wbank_g9 = meta_q[9][MetaW+1];

  // ---- G1: sum of the partial sums; G2 waits for the unit ROM word --------------------------
  reg signed [SumW-1:0] sum_q, ain_q, sum2_q, ain2_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      sum_q  <= (row_gate_i == 2'd2) ? {row_ah_i[AccWidth-1], row_ah_i}
                                     : {row_ain_i[AccWidth-1], row_ain_i} + {row_ah_i[AccWidth-1], row_ah_i};
      ain_q  <= {row_ain_i[AccWidth-1], row_ain_i};
      sum2_q <= sum_q;
      ain2_q <= ain_q;
    end
  end

  // ---- G2: requantization products (unit ROM word of this row valid now) ---------------------------------------------------------
  wire [15:0] b_hn = units_g2_i[15:0];
  wire [15:0] b_in = units_g2_i[31:16];
  wire [15:0] b_z  = units_g2_i[47:32];
  wire [15:0] b_r  = units_g2_i[63:48];
  wire [15:0] m_n  = units_g2_i[79:64];
  wire [15:0] m_z  = units_g2_i[95:80];
  wire [15:0] m_r  = units_g2_i[111:96];
  wire [15:0] m_sel = (`GG(2) == 2'd0) ? m_r : ((`GG(2) == 2'd1) ? m_z : m_n);
  wire [15:0] b_sel = (`GG(2) == 2'd0) ? b_r : ((`GG(2) == 2'd1) ? b_z : b_hn);
  reg signed [PrW-1:0] prod_q, prodin_q;
  reg signed [15:0]    bsel_q, bin_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      prod_q   <= sum2_q * $signed({1'b0, m_sel});
      prodin_q <= ain2_q * $signed({1'b0, m_n});
      bsel_q   <= b_sel;
      bin_q    <= b_in;
    end
  end

  // ---- G3: round, bias, saturate -----------------------------------------------------------
  wire signed [RqW-1:0] rq_main = rq_round({{(RqW-PrW){prod_q[PrW-1]}}, prod_q});
  wire signed [RqW-1:0] rq_in   = rq_round({{(RqW-PrW){prodin_q[PrW-1]}}, prodin_q});
  reg signed [15:0]  p_q;       // p_r, p_z, or hn
  reg signed [RqW-1:0] pin_q;   // rq(a_in_n) + b_in
  always @(posedge clk_i) begin
    if (ce_i) begin
      p_q   <= sat16(rq_main + {{(RqW-16){bsel_q[15]}}, bsel_q});
      pin_q <= rq_in + {{(RqW-16){bin_q[15]}}, bin_q};
    end
  end

  // ---- G4: sigmoid read (r, z rows) / r * hn (n row) ----------------------------------------
  wire [15:0] sig_data, tanh_data;
  rom_sync #(.DataWidth(16), .Depth(1 << TableBits), .AddrWidth(TableBits), .Latency(1),
             .RomDir(RomDir), .File("sigmoid.hex")) u_sigmoid (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(tab_idx(p_q)), .data_o(sig_data));
  reg signed [15:0] r_q, z_q;
  reg signed [31:0] prod_rhn_q;
  reg signed [RqW-1:0] pin4_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      prod_rhn_q <= r_q * p_q;
      pin4_q     <= pin_q;
    end
  end

  // ---- G5: capture r / z (σ read in G4); p_n ---------------------------------------------------------------
  wire signed [33:0] rhn_ext = {{2{prod_rhn_q[31]}}, prod_rhn_q};
  wire signed [33:0] rhn_rnd = ((rhn_ext <<< 1) + 34'sd16384) >>> 15;     // rshr(r*hn, 14)
  reg signed [15:0] pn_q, z5_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      if (`GV(5) && `GG(5) == 2'd0) r_q <= sig_data;
      if (`GV(5) && `GG(5) == 2'd1) z_q <= sig_data;
      pn_q <= sat16(pin4_q + {{(RqW-34){rhn_rnd[33]}}, rhn_rnd});
      z5_q <= z_q;
    end
  end

  // ---- G6: tanh read, old state read --------------------------------------------------------
  rom_sync #(.DataWidth(16), .Depth(1 << TableBits), .AddrWidth(TableBits), .Latency(1),
             .RomDir(RomDir), .File("tanh.hex")) u_tanh (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(tab_idx(pn_q)), .data_o(tanh_data));
  reg signed [15:0] z6_q;
  always @(posedge clk_i) begin
    if (ce_i) z6_q <= z5_q;
  end
  assign h_re_o    = ce_i;
  assign h_raddr_o = {layer_g6, ~wbank_g6, unit_g6};

  // ---- G7: d = h - n -------------------------------------------------------------------------
  wire signed [15:0] h_old = hzero_g7 ? 16'sd0 : h_rdata_i;
  reg signed [16:0]  d_q;
  reg signed [15:0]  n_q, z7_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      d_q  <= {h_old[15], h_old} - {tanh_data[15], tanh_data};
      n_q  <= tanh_data;
      z7_q <= z6_q;
    end
  end

  // ---- G8: z * d ------------------------------------------------------------------------------
  reg signed [33:0]  prod_zd_q;
  reg signed [15:0]  n8_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      prod_zd_q <= {{18{z7_q[15]}}, z7_q} * {{17{d_q[16]}}, d_q};
      n8_q      <= n_q;
    end
  end

  // ---- G9: h' = sat16(n + rshr(z*d, 14)) ------------------------------------------------------
  wire signed [34:0] zd_ext = {prod_zd_q[33], prod_zd_q};
  wire signed [34:0] zd_rnd = ((zd_ext <<< 1) + 35'sd16384) >>> 15;
  wire signed [34:0] hq     = zd_rnd + {{19{n8_q[15]}}, n8_q};
  assign h_wdata_o = (hq > 35'sd32767) ? 16'sh7fff : ((hq < -35'sd32768) ? 16'sh8000 : hq[15:0]);
  assign h_we_o    = ce_i & `GV(9) & (`GG(9) == 2'd2);
  assign h_waddr_o = {layer_g9, wbank_g9, unit_g9};
  assign h_meta_o  = meta_q[9][MetaW-1:0];
  `undef GV
  `undef GG
endmodule
`default_nettype wire
