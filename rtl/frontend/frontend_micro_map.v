// frontend_micro_map: event in, the photon's model bin attached (docs/numerics.md §10):
//   a = ((micro · 2^8 + dither) · M) − O, bin = a >> 24, in the window iff 0 ≤ a < 135 · 2^24;
//   dither = low 8 bits of a 16-bit Galois LFSR (taps 0xB400, seed 0xACE1) advanced once per
//   photon event. Other events pass with in-window 0.
// Latency: 3 cycles (operands, product, window), all three registers moving together when the
//   output register is free or leaving. One event per cycle.
// Interface: valid/ready in and out (s_ready_o = output register free or leaving).
`default_nettype none
module frontend_micro_map (
  input  wire                  clk_i,
  input  wire                  rst_i,
  input  wire [16:0]           micro_mul_i,     // M
  input  wire [30:0]           window_off_i,    // O
  input  wire                  s_valid_i,
  output wire                  s_ready_o,
  input  wire [50:0]           s_event_i,
  output wire                  m_valid_o,
  input  wire                  m_ready_i,
  output wire [2:0]            m_kind_o,
  output wire [31:0]           m_macro_o,
  output wire [7:0]            m_bin_o,
  output wire                  m_in_window_o,
  output wire                  idle_o          // no event in any of the three registers
);
`include "frontend_params.vh"
  wire [2:0]  kind  = s_event_i[50:48];
  wire [15:0] micro = s_event_i[15:0];
  localparam signed [42:0] WindowEnd = 43'sd135 <<< WindowFrac;

  reg        v1_q, v2_q, v3_q;
  reg [2:0]  k1_q, k2_q, k3_q;
  reg [31:0] t1_q, t2_q, t3_q;
  reg [23:0] op_q;            // (micro << 8) | dither
  reg [40:0] prod_q;          // op · M
  reg [7:0]  bin_q;
  reg        in_q;
  reg [15:0] lfsr_q;

  wire en = ~v3_q | m_ready_i;
  assign s_ready_o = en;
  wire fire = s_valid_i & en;
  wire [15:0] lfsr_next = {1'b0, lfsr_q[15:1]} ^ (lfsr_q[0] ? DitherTaps : 16'd0);
  wire signed [42:0] a = $signed({2'b00, prod_q}) - $signed({12'd0, window_off_i});

  always @(posedge clk_i) begin
    if (en) begin
      // 1: the operands (the dither advanced once per photon)
      v1_q  <= fire;
      k1_q  <= kind;
      t1_q  <= s_event_i[47:16];
      op_q  <= {micro, lfsr_next[7:0]};
      if (fire && kind == EvPhoton) lfsr_q <= lfsr_next;
      // 2: the product, 24 × 17 bits
      v2_q   <= v1_q;
      k2_q   <= k1_q;
      t2_q   <= t1_q;
      prod_q <= op_q * micro_mul_i;
      // 3: a = product − O, the bin and the window test
      v3_q  <= v2_q;
      k3_q  <= k2_q;
      t3_q  <= t2_q;
      bin_q <= a[WindowFrac+7:WindowFrac];
      in_q  <= (k2_q == EvPhoton) & (a >= 0) & (a < WindowEnd);
    end
    if (rst_i) begin
      v1_q   <= 1'b0;
      v2_q   <= 1'b0;
      v3_q   <= 1'b0;
      lfsr_q <= DitherSeed;
    end
  end

  assign m_valid_o     = v3_q;
  assign idle_o        = ~v1_q & ~v2_q & ~v3_q;
  assign m_kind_o      = k3_q;
  assign m_macro_o     = t3_q;
  assign m_bin_o       = bin_q;
  assign m_in_window_o = in_q;
endmodule
`default_nettype wire
