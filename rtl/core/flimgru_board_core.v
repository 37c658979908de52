// flimgru_board_core: flimgru_core behind the stream interface of boards/board_top.v (the one
//   boards/standin_core.v has): TPSF bytes in, one 152-bit summary per pixel out, in input order.
// What: pixels are numbered by a 16-bit counter (the core's tag; a simulation check asserts that
//   the summaries leave in that order, which board_top's pairing with sequence numbers relies
//   on); the SFD sample stream is not needed on the board and is accepted and dropped. A partial batch (fewer than Lanes pixels) is
//   closed when no bin has arrived for IdleFlush cycles, so the last pixels of a stream finish;
//   board_top sets it to two TPSF frame times on the wire, so a stream keeps the lanes full.
// Latency: the core's (one batch of Lanes pixels per batch_cycles, docs/architecture.md).
// Interface: s_tpsf_* valid/ready/data/last (135 beats a pixel; last is not needed: the core
//   counts bins); s_px_* (Photons) the photon front end's pixels, taken whole pixels at a time
//   beside the TPSFs, their summaries flagged by m_sum_photon_o (the core's tag carries the
//   source); s_irf_* an IRF load (135 bins, to the core's s_irf_*: used by a model with
//   IN_DIM 2, dropped otherwise); in_dim_o = the model's IN_DIM (the status frame reports it); m_sum_* valid/ready, {cum[31:0], 3 x {y0[15:0], sum[23:0]}}, channel 0 in the
//   low bits (the RESULT payload, docs/protocol.md).
`default_nettype none
module flimgru_board_core #(
  parameter integer Lanes     = 1,
  parameter integer MacRows   = 0,       // 0: any; else must equal the ROM set's MAC_ROWS
  parameter integer LutRows   = 0,       // MAC rows per lane multiplying in LUTs (flimgru_core)
  parameter integer IdleFlush = 4096,
  parameter         RomDir    = ".",
  parameter integer Photons   = 0        // 1: a second pixel input, the photon front end's
) (
  input  wire         clk_i,
  input  wire         rst_i,
  input  wire         s_tpsf_valid_i,
  output wire         s_tpsf_ready_o,
  input  wire [7:0]   s_tpsf_data_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire         s_tpsf_last_i,     // redundant with the core's bin counter
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire         s_irf_valid_i,
  output wire         s_irf_ready_o,
  input  wire [7:0]   s_irf_data_i,
  output wire [7:0]   in_dim_o,
  // the photon front end's pixels (Photons): 135 beats each, last on bin 134, row_end on a row's
  // last pixel (closes the core's batch)
  input  wire         s_px_valid_i,
  output wire         s_px_ready_o,
  input  wire [7:0]   s_px_data_i,
  input  wire         s_px_last_i,
  input  wire         s_px_row_end_i,
  output wire         m_sum_valid_o,
  input  wire         m_sum_ready_i,
  output wire [151:0] m_sum_data_o,
  output wire         m_sum_photon_o     // the summary is of a photon front end pixel
);
  // the model's header (the core's dimensions): only IN_DIM is read here
  /* verilator lint_off UNUSEDPARAM */
`include "model_params.vh"
  /* verilator lint_on UNUSEDPARAM */
  localparam [7:0] InDimB = IN_DIM[7:0];
  assign in_dim_o = InDimB;

  // Two pixel sources (Photons): whole pixels at a time, the photon front end's first when both
  // wait at a pixel boundary; the tag's top bit says whose the pixel is.
  localparam integer TagW = 16 + ((Photons != 0) ? 1 : 0);
  reg [15:0] tag_q;
  reg [15:0] bin_q;
  reg [31:0] idle_q;
  reg        mid_q, src_q;     // a pixel is half in; from the photon front end

  wire px_on   = (Photons != 0) && s_px_valid_i;
  wire use_px  = (Photons != 0) && (mid_q ? src_q : px_on);
  wire x_valid = use_px ? s_px_valid_i : s_tpsf_valid_i;
  wire [7:0] x_data = use_px ? s_px_data_i : s_tpsf_data_i;
  wire x_ready;
  assign s_tpsf_ready_o = x_ready & ~use_px;
  assign s_px_ready_o   = x_ready & use_px;
  wire fire     = x_valid & x_ready;
  wire x_last   = use_px ? s_px_last_i : (bin_q == 16'd134);
  always @(posedge clk_i) begin
    if (fire) begin
      if (!use_px) bin_q <= (bin_q == 16'd134) ? 16'd0 : bin_q + 1'b1;
      if (x_last) tag_q <= tag_q + 1'b1;
      mid_q <= ~x_last;
      src_q <= use_px;
    end
    idle_q <= (s_tpsf_valid_i | px_on) ? 32'd0 : ((idle_q == IdleFlush) ? idle_q : idle_q + 1'b1);
    if (rst_i) begin
      tag_q  <= 16'd0;
      bin_q  <= 16'd0;
      idle_q <= 32'd0;
      mid_q  <= 1'b0;
      src_q  <= 1'b0;
    end
  end
  wire [TagW-1:0] x_tag;
  generate
    if (Photons != 0) begin : g_tag_src
      assign x_tag = {use_px, tag_q};
    end else begin : g_tag
      assign x_tag = tag_q;
    end
  endgenerate
  /* verilator lint_off WIDTH */
  wire flush = (idle_q == IdleFlush);
  /* verilator lint_on WIDTH */

  wire [103:0] sums;
  wire [47:0] firsts;
  /* verilator lint_off UNUSEDSIGNAL */
  wire        y_valid;
  wire [47:0] y_data;
  wire [TagW-1:0] y_tag;
  wire [7:0]  y_step;
  wire        d_ce, d_bs, d_we, d_dec, d_bank;
  wire [7:0]  d_step, d_unit;
  wire [3:0]  d_layer;
  wire [16*Lanes-1:0] d_data;
  /* verilator lint_on UNUSEDSIGNAL */
  wire [TagW-1:0] sum_tag;
  flimgru_core #(.Lanes(Lanes), .TagWidth(TagW), .MacRowsExpect(MacRows), .LutRows(LutRows),
                 .RomDir(RomDir)) u_core (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_x_valid_i(x_valid), .s_x_ready_o(x_ready), .s_x_data_i(x_data),
    .s_x_tag_i(x_tag), .s_x_last_i(use_px & s_px_row_end_i), .s_x_flush_i(flush),
    .s_irf_valid_i(s_irf_valid_i), .s_irf_ready_o(s_irf_ready_o), .s_irf_data_i(s_irf_data_i),
    .m_y_valid_o(y_valid), .m_y_ready_i(1'b1), .m_y_data_o(y_data), .m_y_tag_o(y_tag),
    .m_y_step_o(y_step),
    .m_sum_valid_o(m_sum_valid_o), .m_sum_ready_i(m_sum_ready_i), .m_sum_tag_o(sum_tag),
    .m_sum_data_o(sums), .m_sum_first_o(firsts),
    .dbg_ce_o(d_ce), .dbg_batch_start_o(d_bs), .dbg_h_we_o(d_we), .dbg_h_dec_o(d_dec),
    .dbg_h_step_o(d_step), .dbg_h_layer_o(d_layer), .dbg_h_bank_o(d_bank), .dbg_h_unit_o(d_unit),
    .dbg_h_data_o(d_data));

  genvar c;
  generate
    for (c = 0; c < 3; c = c + 1) begin : g_ch
      assign m_sum_data_o[40*c +: 40] = {firsts[16*c +: 16], sums[24*c +: 24]};
    end
  endgenerate
  assign m_sum_data_o[151:120] = sums[103:72];
  assign m_sum_photon_o = (Photons != 0) && sum_tag[TagW-1];
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // board_top pairs each summary with the next sequence number of link_rx's FIFO, by position:
  // that is right only if summaries leave in input order, i.e. summary k carries tag k.
  reg [15:0] a_out_q;
  always @(posedge clk_i) begin
    if (!rst_i && m_sum_valid_o && m_sum_ready_i) begin
      assert (sum_tag[15:0] == a_out_q)
        else $error("flimgru_board_core: summary of pixel %0d out as result %0d", sum_tag, a_out_q);
      a_out_q <= a_out_q + 1'b1;
    end
    if (rst_i) a_out_q <= 16'd0;
  end
`endif
endmodule
`default_nettype wire
