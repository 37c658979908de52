// frontend_pixels: the photon front end (frontend_top) with each binned pixel's facts beside
//   its x_q beats: what a core needs in (135 beats a pixel) and what goes out with the core's
//   summary of it (docs/architecture.md "The photon front end").
// What: the pixel's frame, row, column, photons, saturation and incomplete flags, its number
//   since the last restart (low 8 bits) and its photon moments wait in a FIFO, pushed when the
//   pixel's last bin is handed on, popped by whoever pairs them with the core's summaries (which
//   leave in input order). The photon moments (docs/numerics.md §7b: τI from the photons) are
//   running sums of the pixel's counts c_k, k = 0 … 134, adders only: A = Σ_k c_k, B =
//   Σ_{i<134} A_i, C = Σ_{i<134} B_i (A_i, B_i their values after bin i) and P =
//   Σ_{k<pre_rise_i} c_k; the host forms Σ k·c = 134·A − B and Σ k²·c = 17956·A − 267·B + 2·C.
//   restart_i (one cycle, only while mid_o is low) resets the front end and the pixel count: a
//   new acquisition; the facts of pixels already handed on stay in the FIFO.
// Latency: the front end's; a pixel's last beat is handed on only together with its facts.
// Interface: s_* events (frontend_top); m_x_* one beat per bin {x_q}, last on bin 134, row_end on
//   a row's last pixel (closes a core batch); m_meta_* the facts, one per pixel, in order:
//   {number[7:0], moments {P[23:0], C[39:0], B[31:0], A[23:0]}, incomplete, saturated,
//   photons[23:0], col, row[15:0], frame[15:0]} as separate ports; counters_o the front end's;
//   pixels_o pixels handed on since the restart; idle_o the front end's (nothing in flight);
//   mid_o a pixel is partly handed on.
`default_nettype none
module frontend_pixels #(
  parameter integer XW        = 9,
  parameter integer MaxCols   = 512,
  parameter integer LineDepth = 4096,
  parameter integer DurW      = 24,
  parameter integer CountW    = 16,
  parameter integer MetaDepth = 16
) (
  input  wire               clk_i,
  input  wire               rst_i,
  input  wire               restart_i,
  // configuration (static while events flow)
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
  // x_q beats out
  output wire               m_x_valid_o,
  input  wire               m_x_ready_i,
  output wire [7:0]         m_x_data_o,
  output wire               m_x_last_o,
  output wire               m_x_row_end_o,
  // one pixel's facts out
  output wire               m_meta_valid_o,
  input  wire               m_meta_ready_i,
  output wire [15:0]        m_frame_o,
  output wire [15:0]        m_row_o,
  output wire [XW-1:0]      m_col_o,
  output wire [23:0]        m_photons_o,
  output wire               m_saturated_o,
  output wire               m_incomplete_o,
  output wire [119:0]       m_moments_o,
  output wire [7:0]         m_number_o,
  // status
  output wire [17*32-1:0]   counters_o,
  output wire [31:0]        pixels_o,
  output wire               idle_o,
  output wire               mid_o
);
  localparam integer MomW  = 120;
  localparam integer MetaW = 8 + 16 + 16 + XW + 24 + 1 + 1 + MomW;

  // ---- the front end ---------------------------------------------------------------------
  wire              px_valid, px_ready, px_first, px_last, px_row_end, px_sat, px_inc;
  wire [7:0]        px_xq;
  wire [15:0]       px_frame, px_row;
  wire [XW-1:0]     px_col;
  wire [23:0]       px_photons;
  wire [CountW-1:0] px_count;
  frontend_top #(.XW(XW), .MaxCols(MaxCols), .LineDepth(LineDepth), .DurW(DurW), .CountW(CountW)) u_frontend (
    .clk_i(clk_i), .rst_i(rst_i | restart_i), .pix_x_i(pix_x_i), .pix_y_i(pix_y_i), .bidirect_i(bidirect_i),
    .bin_shift_i(bin_shift_i), .micro_mul_i(micro_mul_i), .window_off_i(window_off_i),
    .s_valid_i(s_valid_i), .s_ready_o(s_ready_o), .s_event_i(s_event_i),
    .m_valid_o(px_valid), .m_ready_i(px_ready), .m_xq_o(px_xq), .m_count_o(px_count),
    .m_frame_o(px_frame), .m_row_o(px_row), .m_col_o(px_col), .m_photons_o(px_photons),
    .m_saturated_o(px_sat), .m_incomplete_o(px_inc), .m_first_o(px_first), .m_last_o(px_last), .m_row_end_o(px_row_end),
    .counters_o(counters_o), .idle_o(idle_o));

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

  // ---- pixel facts: pushed with a pixel's last bin ----------------------------------------
  wire             meta_ready;
  wire [MetaW-1:0] meta;
  reg  [31:0]      pixels_q;
  reg              mid_q;
  // a pixel's last bin is handed on only together with its facts
  assign m_x_valid_o = px_valid & (~px_last | meta_ready);
  assign px_ready    = m_x_ready_i & (~px_last | meta_ready);
  wire x_fire = m_x_valid_o & m_x_ready_i;
  always @(posedge clk_i) begin
    if (x_fire) begin
      bin_q   <= bin + 8'd1;
      mom_a_q <= mom_a;
      mom_b_q <= mom_b;
      mom_c_q <= mom_c;
      mom_p_q <= mom_p;
      mid_q   <= ~px_last;
      if (px_last) pixels_q <= pixels_q + 32'd1;
    end
    if (rst_i | restart_i) begin
      pixels_q <= 32'd0;
      mid_q    <= 1'b0;
    end
  end
  /* verilator lint_off UNUSEDSIGNAL */
  wire [$clog2(MetaDepth):0] meta_count;
  /* verilator lint_on UNUSEDSIGNAL */
  sync_fifo #(.Width(MetaW), .Depth(MetaDepth)) u_meta (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(x_fire & px_last), .s_ready_o(meta_ready),
    .s_data_i({pixels_q[7:0], mom_p, mom_c, mom_b, mom_a, px_inc, px_sat, px_photons, px_col, px_row, px_frame}),
    .m_valid_o(m_meta_valid_o), .m_ready_i(m_meta_ready_i), .m_data_o(meta),
    .count_o(meta_count));
  assign {m_number_o, m_moments_o, m_incomplete_o, m_saturated_o, m_photons_o, m_col_o, m_row_o, m_frame_o} = meta;
  assign m_x_data_o    = px_xq;
  assign m_x_last_o    = px_last;
  assign m_x_row_end_o = px_row_end;
  assign pixels_o      = pixels_q;
  assign mid_o         = mid_q;

  // counts wider than 16 bits would not fit A's 24 bits (135 bins < 2^8)
  generate
    if (CountW > 16) begin : g_count_too_wide
      initial $error("frontend_pixels: CountW %0d > 16: the photon moment A is 24 bits", CountW);
    end
  endgenerate
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT) ---------------------------------------------------
  // A restart only between pixels (a half-handed pixel would leave the core out of step).
  always @(posedge clk_i) if (!rst_i && restart_i)
    assert (!mid_q) else $error("frontend_pixels: restart in the middle of a pixel");
`endif
endmodule
`default_nettype wire
