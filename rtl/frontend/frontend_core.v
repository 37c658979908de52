// frontend_core: photons in, lifetimes' summaries out: the photon front end (frontend_top)
//   feeding the int8 core (flimgru_core) directly, as a chip with a time tagger at its pins runs
//   them (docs/architecture.md "The photon front end").
// What: every binned pixel the front end reads out (frontend_pixels: 135 beats of x_q) goes into
//   the core; its frame, row, column, photons, saturation and incomplete flags and photon
//   moments wait in frontend_pixels' FIFO (the core's tag is the pixel's 16-bit sequence number,
//   and summaries leave in input order, asserted below) and leave with the pixel's summary. A
//   row's last pixel closes the core's batch (tpsf_loader s_last_i), so every row finishes
//   without waiting for the next; the core's SFD stream is not needed and is dropped.
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
  localparam integer MetaDepth = 4 * Lanes < 16 ? 16 : (1 << $clog2(4 * Lanes));

  // ---- the front end, each pixel's facts beside its beats ---------------------------------
  wire       x_valid, x_ready, x_last, x_row_end, meta_valid;
  wire [7:0] x_data;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [7:0]  meta_number;
  wire [31:0] pixels;
  wire        idle, mid;
  /* verilator lint_on UNUSEDSIGNAL */
  frontend_pixels #(.XW(XW), .MaxCols(MaxCols), .LineDepth(LineDepth), .DurW(DurW), .CountW(CountW),
                    .MetaDepth(MetaDepth)) u_pixels (
    .clk_i(clk_i), .rst_i(rst_i), .restart_i(1'b0),
    .pix_x_i(pix_x_i), .pix_y_i(pix_y_i), .bidirect_i(bidirect_i), .bin_shift_i(bin_shift_i),
    .micro_mul_i(micro_mul_i), .window_off_i(window_off_i), .pre_rise_i(pre_rise_i),
    .s_valid_i(s_valid_i), .s_ready_o(s_ready_o), .s_event_i(s_event_i),
    .m_x_valid_o(x_valid), .m_x_ready_i(x_ready), .m_x_data_o(x_data), .m_x_last_o(x_last),
    .m_x_row_end_o(x_row_end),
    .m_meta_valid_o(meta_valid), .m_meta_ready_i(m_valid_o & m_ready_i),
    .m_frame_o(m_frame_o), .m_row_o(m_row_o), .m_col_o(m_col_o), .m_photons_o(m_photons_o),
    .m_saturated_o(m_saturated_o), .m_incomplete_o(m_incomplete_o), .m_moments_o(m_moments_o),
    .m_number_o(meta_number), .counters_o(counters_o), .pixels_o(pixels), .idle_o(idle), .mid_o(mid));

  reg [15:0] seq_q;   // the pixel's sequence number: the core's tag
  always @(posedge clk_i) begin
    if (x_valid & x_ready & x_last) seq_q <= seq_q + 1'b1;
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
    .s_x_valid_i(x_valid), .s_x_ready_o(x_ready), .s_x_data_i(x_data),
    .s_x_tag_i(seq_q), .s_x_last_i(x_row_end), .s_x_flush_i(1'b0),
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
