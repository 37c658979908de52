// frontend_micro_map: event in, the photon's model bin attached (docs/numerics.md §10):
//   a = ((micro · 2^8 + dither) · M) − O, bin = a >> 24, in the window iff 0 ≤ a < 135 · 2^24;
//   dither = low 8 bits of a 16-bit Galois LFSR (taps 0xB400, seed 0xACE1) advanced once per
//   photon event. Other events pass with in-window 0.
// Latency: 1 cycle (the product is registered). One event per cycle.
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
  output wire                  idle_o          // no event in the output register
);
`include "frontend_params.vh"
  wire [2:0]  kind  = s_event_i[50:48];
  wire [15:0] micro = s_event_i[15:0];

  reg        valid_q;
  reg [2:0]  kind_q;
  reg [31:0] macro_q;
  reg [15:0] lfsr_q;
  reg signed [42:0] a_q;

  assign s_ready_o = ~valid_q | m_ready_i;
  wire fire = s_valid_i & s_ready_o;
  wire [15:0] lfsr_next = {1'b0, lfsr_q[15:1]} ^ (lfsr_q[0] ? DitherTaps : 16'd0);

  // ((micro << 8) | dither) · M: 24 × 17 bits
  wire [40:0] product = {micro, lfsr_next[7:0]} * micro_mul_i;
  localparam signed [42:0] WindowEnd = 43'sd135 <<< WindowFrac;

  always @(posedge clk_i) begin
    if (fire) begin
      kind_q  <= kind;
      macro_q <= s_event_i[47:16];
      a_q     <= $signed({2'b00, product}) - $signed({12'd0, window_off_i});
      if (kind == EvPhoton) lfsr_q <= lfsr_next;
    end
    if (fire) valid_q <= 1'b1;
    else if (m_ready_i) valid_q <= 1'b0;
    if (rst_i) begin
      valid_q <= 1'b0;
      lfsr_q  <= DitherSeed;
    end
  end

  assign m_valid_o     = valid_q;
  assign idle_o        = ~valid_q;
  assign m_kind_o      = kind_q;
  assign m_macro_o     = macro_q;
  assign m_bin_o       = a_q[WindowFrac+7:WindowFrac];
  assign m_in_window_o = (kind_q == EvPhoton) & (a_q >= 0) & (a_q < WindowEnd);
endmodule
`default_nettype wire
