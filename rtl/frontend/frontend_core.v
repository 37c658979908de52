// frontend_core: photons in, lifetimes' summaries out: the photon front end (frontend_top)
//   feeding the int8 core (flimgru_core) directly, as a chip with a time tagger at its pins runs
//   them (docs/architecture.md "The photon front end").
// What: every binned pixel the front end reads out (135 beats of x_q) goes into the core; its
//   frame, row, column, photons, saturation and incomplete flags and photon moments wait in a
//   FIFO beside the
//   core (the core's tag is the pixel's 16-bit sequence number, and summaries leave in input
//   order, asserted below) and leave with the pixel's summary. A row's last pixel closes the
//   core's batch (tpsf_loader s_last_i), so every row finishes without waiting for the next; the
//   core's SFD stream is not needed and is dropped.
//   The photon moments (docs/numerics.md §7b: τI from the photons) are running sums of the
//   pixel's counts c_k, k = 0 … 134, adders only: A = Σ_k c_k, B = Σ_{i<134} A_i, C =
//   Σ_{i<134} B_i (A_i, B_i their values after bin i) and P = Σ_{k<pre_rise_i} c_k; the host
//   forms Σ k·c = 134·A − B and Σ k²·c = 17956·A − 267·B + 2·C from them, exactly.
// Latency: the front end's (a row leaves after its last line) plus the core's batch time.
// Interface: events valid/ready (frontend_top); s_irf_* the instrument's IRF for a model with
//   IN_DIM 2 (135 x_q bins, loaded before the pixels it applies to; dropped by IN_DIM 1);
//   m_* one beat per pixel: coordinates, photons, saturation, incomplete (a line of its row lost
//   photons: frontend_top), the 152-bit summary
//   {cum[31:0], 3 x {y0[15:0], sum[23:0]}} (channel 0 in the low bits, the RESULT payload of
//   docs/protocol.md) and the 120-bit photon moments {P[23:0], C[39:0], B[31:0], A[23:0]};
//   pre_rise_i: the IRF's pre-rise bins (static, like the front end's configuration);
//   counters_o the front end's (frontend_params.vh).
`default_nettype none
module frontend_core #(
  parameter integer XW        = 9,
  parameter integer MaxCols   = 512,
  parameter integer LineDepth = 4096,
  parameter integer DurW      = 24,
  parameter integer CountW    = 16,
  parameter integer Lanes     = 4,
  parameter integer MacRows   = 0,      // 0: any; else must equal the ROM set's MAC_ROWS
  parameter         RomDir    = "."
) (
  input  wire               clk_i,
  input  wire               rst_i,
  // front-end configuration (static while events flow)
  input  wire [XW:0]        pix_x_i,
  input  wire [15:0]        pix_y_i,
  input  wire               bidirect_i,
  input  wire [2:0]         bin_shift_i,
  input  wire [16:0]        micro_mul_i,
  input  wire [30:0]        window_off_i,
  input  wire [7:0]         pre_rise_i,
  // events in
  input  wire               s_valid_i,
  output wire               s_ready_o,
  input  wire [50:0]        s_event_i,
  // the instrument's IRF (IN_DIM 2)
  input  wire               s_irf_valid_i,
  output wire               s_irf_ready_o,
  input  wire [7:0]         s_irf_data_i,
  // one result per pixel
  output wire               m_valid_o,
  input  wire               m_ready_i,
  output wire [15:0]        m_frame_o,
  output wire [15:0]        m_row_o,
  output wire [XW-1:0]      m_col_o,
  output wire [23:0]        m_photons_o,
  output wire               m_saturated_o,
  output wire               m_incomplete_o,
  output wire [151:0]       m_sum_data_o,
  output wire [119:0]       m_moments_o,
  // status
  output wire [17*32-1:0]   counters_o
);
  localparam integer MomW      = 120;
  localparam integer MetaW     = 16 + 16 + XW + 24 + 1 + 1 + MomW;
  localparam integer MetaDepth = 4 * Lanes < 16 ? 16 : (1 << $clog2(4 * Lanes));

  // ---- the front end ---------------------------------------------------------------------
  wire              px_valid, px_ready, px_first, px_last, px_row_end, px_sat, px_inc;
  wire [7:0]        px_xq;
  wire [15:0]       px_frame, px_row;
  wire [XW-1:0]     px_col;
  wire [23:0]       px_photons;
  wire [CountW-1:0] px_count;
  frontend_top #(.XW(XW), .MaxCols(MaxCols), .LineDepth(LineDepth), .DurW(DurW), .CountW(CountW)) u_frontend (
    .clk_i(clk_i), .rst_i(rst_i), .pix_x_i(pix_x_i), .pix_y_i(pix_y_i), .bidirect_i(bidirect_i),
    .bin_shift_i(bin_shift_i), .micro_mul_i(micro_mul_i), .window_off_i(window_off_i),
    .s_valid_i(s_valid_i), .s_ready_o(s_ready_o), .s_event_i(s_event_i),
    .m_valid_o(px_valid), .m_ready_i(px_ready), .m_xq_o(px_xq), .m_count_o(px_count),
    .m_frame_o(px_frame), .m_row_o(px_row), .m_col_o(px_col), .m_photons_o(px_photons),
    .m_saturated_o(px_sat), .m_incomplete_o(px_inc), .m_first_o(px_first), .m_last_o(px_last), .m_row_end_o(px_row_end),
    .counters_o(counters_o));

  // ---- the pixel's photon moments: running sums, one adder each ---------------------------
  // At a pixel's first bin the sums restart; mom_a includes the beat's count, mom_b and mom_c
  // add the registered values of the bin before (no adder chain).
  reg  [7:0]  bin_q;
  reg  [23:0] mom_a_q, mom_p_q;
  reg  [31:0] mom_b_q;
  reg  [39:0] mom_c_q;
  wire [7:0]  bin   = px_first ? 8'd0 : bin_q;
  wire [23:0] mom_a = (px_first ? 24'd0 : mom_a_q) + {{(24 - CountW){1'b0}}, px_count};
  wire [31:0] mom_b = px_first ? 32'd0 : mom_b_q + {8'd0, mom_a_q};
  wire [39:0] mom_c = px_first ? 40'd0 : mom_c_q + {8'd0, mom_b_q};
  wire [23:0] mom_p = bin < pre_rise_i ? mom_a : px_first ? 24'd0 : mom_p_q;

  // ---- pixel facts beside the core: pushed with a pixel's last bin ------------------------
  wire             meta_ready, meta_valid;
  wire [MetaW-1:0] meta;
  wire             x_ready;
  // a pixel's last bin enters the core only together with its facts
  wire x_valid = px_valid & (~px_last | meta_ready);
  assign px_ready = x_ready & (~px_last | meta_ready);
  wire x_fire = x_valid & x_ready;
  always @(posedge clk_i) begin
    if (x_fire) begin
      bin_q   <= bin + 8'd1;
      mom_a_q <= mom_a;
      mom_b_q <= mom_b;
      mom_c_q <= mom_c;
      mom_p_q <= mom_p;
    end
  end
  /* verilator lint_off UNUSEDSIGNAL */
  wire [$clog2(MetaDepth):0] meta_count;
  /* verilator lint_on UNUSEDSIGNAL */
  sync_fifo #(.Width(MetaW), .Depth(MetaDepth)) u_meta (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(x_fire & px_last), .s_ready_o(meta_ready),
    .s_data_i({mom_p, mom_c, mom_b, mom_a, px_inc, px_sat, px_photons, px_col, px_row, px_frame}),
    .m_valid_o(meta_valid), .m_ready_i(m_valid_o & m_ready_i), .m_data_o(meta),
    .count_o(meta_count));
  assign {m_moments_o, m_incomplete_o, m_saturated_o, m_photons_o, m_col_o, m_row_o, m_frame_o} = meta;

  reg [15:0] seq_q;   // the pixel's sequence number: the core's tag
  always @(posedge clk_i) begin
    if (x_fire & px_last) seq_q <= seq_q + 1'b1;
    if (rst_i) seq_q <= 16'd0;
  end

  // ---- the core ---------------------------------------------------------------------------
  wire         sum_valid;
  wire [103:0] sums;
  wire [47:0]  firsts;
  wire [15:0]  sum_tag;
  /* verilator lint_off UNUSEDSIGNAL */
  wire        y_valid;
  wire [47:0] y_data;
  wire [15:0] y_tag;
  wire [7:0]  y_step;
  wire        d_ce, d_bs, d_we, d_dec, d_bank;
  wire [7:0]  d_step, d_unit;
  wire [3:0]  d_layer;
  wire [16*Lanes-1:0] d_data;
  /* verilator lint_on UNUSEDSIGNAL */
  flimgru_core #(.Lanes(Lanes), .TagWidth(16), .MacRowsExpect(MacRows), .RomDir(RomDir)) u_core (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_x_valid_i(x_valid), .s_x_ready_o(x_ready), .s_x_data_i(px_xq),
    .s_x_tag_i(seq_q), .s_x_last_i(px_row_end), .s_x_flush_i(1'b0),
    .s_irf_valid_i(s_irf_valid_i), .s_irf_ready_o(s_irf_ready_o), .s_irf_data_i(s_irf_data_i),
    .m_y_valid_o(y_valid), .m_y_ready_i(1'b1), .m_y_data_o(y_data), .m_y_tag_o(y_tag),
    .m_y_step_o(y_step),
    .m_sum_valid_o(sum_valid), .m_sum_ready_i(m_ready_i), .m_sum_tag_o(sum_tag),
    .m_sum_data_o(sums), .m_sum_first_o(firsts),
    .dbg_ce_o(d_ce), .dbg_batch_start_o(d_bs), .dbg_h_we_o(d_we), .dbg_h_dec_o(d_dec),
    .dbg_h_step_o(d_step), .dbg_h_layer_o(d_layer), .dbg_h_bank_o(d_bank), .dbg_h_unit_o(d_unit),
    .dbg_h_data_o(d_data));
  assign m_valid_o = sum_valid;

  genvar c;
  generate
    for (c = 0; c < 3; c = c + 1) begin : g_ch
      assign m_sum_data_o[40*c +: 40] = {firsts[16*c +: 16], sums[24*c +: 24]};
    end
  endgenerate
  assign m_sum_data_o[151:120] = sums[103:72];
  // counts wider than 16 bits would not fit A's 24 bits (135 bins < 2^8)
  generate
    if (CountW > 16) begin : g_count_too_wide
      initial $error("frontend_core: CountW %0d > 16: the photon moment A is 24 bits", CountW);
    end
  endgenerate
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT) ---------------------------------------------------
  // A summary pairs with the oldest facts of the FIFO: right only if summaries leave in input
  // order and the facts are there.
  reg [15:0] a_out_q;
  always @(posedge clk_i) begin
    if (!rst_i && m_valid_o && m_ready_i) begin
      assert (meta_valid) else $error("frontend_core: a summary without its pixel's facts");
      assert (sum_tag == a_out_q)
        else $error("frontend_core: summary of pixel %0d out as result %0d", sum_tag, a_out_q);
      a_out_q <= a_out_q + 1'b1;
    end
    if (rst_i) a_out_q <= 16'd0;
  end
`endif
endmodule
`default_nettype wire
