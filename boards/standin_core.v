// standin_core: a stand-in for flimgru_core with the same stream interface, for testing the
//   board shell before the GRU core lands. Not the model: channel c "outputs" y_c[t] = (c+1)*x[t]
//   at decoder step t, so its summary is sum_c = (c+1)*sum_t x[t] (24-bit), y0_c = (c+1)*x[0] and
//   cum = sum_{t<134} sum_{j<=t} x[j] (32-bit; docs/numerics.md §7a).
// Latency: accepts one bin per cycle; the summary is valid LatencyCycles cycles after the last
//   bin; one pixel is accumulated while the previous one waits in the output register.
// Interface: s_tpsf_* (valid/ready/data/last, 135 beats a pixel) in; s_irf_* (an IRF load:
//   taken and dropped, the stand-in's model reads no IRF, in_dim_o = 1); m_sum_* (valid/ready,
//   152 bits: {cum[31:0], 3 x {y0[15:0], sum[23:0]}}, channel 0 in the low bits) out; results in
//   input order.
`default_nettype none

module standin_core #(
  // Lanes and MacRows: accepted for interface compatibility with flimgru_board_core (board_top
  // passes them to either core) and ignored, hence waived.
  /* verilator lint_off UNUSEDPARAM */
  parameter integer Lanes         = 1,    // accepted and ignored (configuration placeholder)
  parameter integer MacRows       = 28,   // accepted and ignored (configuration placeholder)
  /* verilator lint_on UNUSEDPARAM */
  parameter integer LatencyCycles = 64
) (
  input  wire         clk_i,
  input  wire         rst_i,
  input  wire         s_tpsf_valid_i,
  output wire         s_tpsf_ready_o,
  input  wire [7:0]   s_tpsf_data_i,
  input  wire         s_tpsf_last_i,
  input  wire         s_irf_valid_i,
  output wire         s_irf_ready_o,
  input  wire [7:0]   s_irf_data_i,
  output wire [7:0]   in_dim_o,
  output wire         m_sum_valid_o,
  input  wire         m_sum_ready_i,
  output wire [151:0] m_sum_data_o
);
  reg [23:0] acc_q;       // sum of x over the bins so far
  reg [31:0] cum_q;       // sum over the bins before this one of acc
  reg [31:0] out_cum_q;
  reg [15:0] x0_q;
  reg        first_q;     // next beat is bin 0
  reg [23:0] out_acc_q;
  reg [15:0] out_x0_q;
  reg        out_full_q;
  reg [15:0] wait_q;

  // The last beat waits until the output register is free.
  wire accept = s_tpsf_valid_i && (!s_tpsf_last_i || !out_full_q);
  wire [23:0] x_ext = {{16{s_tpsf_data_i[7]}}, s_tpsf_data_i};

  always @(posedge clk_i) begin
    if (accept) begin
      acc_q   <= (first_q ? 24'd0 : acc_q) + x_ext;
      cum_q   <= first_q ? 32'd0 : cum_q + {{8{acc_q[23]}}, acc_q};
      if (first_q) x0_q <= x_ext[15:0];
      first_q <= s_tpsf_last_i;
      if (s_tpsf_last_i) begin
        out_acc_q  <= (first_q ? 24'd0 : acc_q) + x_ext;
        out_x0_q   <= first_q ? x_ext[15:0] : x0_q;
        out_cum_q  <= first_q ? 32'd0 : cum_q + {{8{acc_q[23]}}, acc_q};
        out_full_q <= 1'b1;
        wait_q     <= LatencyCycles[15:0];
      end
    end
    if (out_full_q && wait_q != 16'd0) wait_q <= wait_q - 1'b1;
    if (m_sum_valid_o && m_sum_ready_i) out_full_q <= 1'b0;
    if (rst_i) begin
      first_q    <= 1'b1;
      out_full_q <= 1'b0;
    end
  end

  wire [23:0] s1 = out_acc_q;
  wire [23:0] s2 = out_acc_q << 1;
  wire [23:0] s3 = (out_acc_q << 1) + out_acc_q;
  wire [15:0] y1 = out_x0_q;
  wire [15:0] y2 = out_x0_q << 1;
  wire [15:0] y3 = (out_x0_q << 1) + out_x0_q;

  assign s_tpsf_ready_o = !s_tpsf_last_i || !out_full_q;
  assign m_sum_valid_o  = out_full_q && (wait_q == 16'd0);
  assign m_sum_data_o   = {out_cum_q, y3, s3, y2, s2, y1, s1};
  // an IRF load is taken and dropped (board_top answers it; the stand-in reads no IRF)
  assign s_irf_ready_o = 1'b1;
  assign in_dim_o      = 8'd1;
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_irf = s_irf_valid_i | (|s_irf_data_i);
  /* verilator lint_on UNUSEDSIGNAL */
endmodule

`default_nettype wire
