// frontend_top: the photon front end: events in, per-pixel histograms and the core's input
//   x_q out (docs/architecture.md "The photon front end", docs/numerics.md §8 integer form and
//   §10). frontend_micro_map → frontend_line_assembler → frontend_pixel_assign → (skid_buffer)
//   → frontend_histogram → frontend_norm.
// Output: per binned pixel 135 beats in bin order, each {x_q, count} with the pixel's frame,
//   row, column, photons (Σ counts), saturation flag and incomplete flag (a line of its row lost
//   photons: a full line bank, or a line of bad duration); m_first_o on bin 0, m_last_o on bin
//   134, m_row_end_o on bin 134 of a row's last column: the shape tpsf_loader takes
//   (s_data_i = m_xq_o, s_last_i = m_row_end_o closes a batch at the end of a row).
// Latency: events are taken one per cycle while the line banks and the histogram banks keep
//   up; a row leaves after its last line (2 × 135 cycles per pixel of readout).
// Interface: valid/ready in and out; configuration static while events flow; counters_o
//   (frontend_params.vh Cnt*, 32 bits each) for the host's status; idle_o: no event, descriptor,
//   token or beat inside (an open line or row waits for its stop or close; after a flush event
//   has been taken, idle means every pixel of the stream has left).
`default_nettype none
module frontend_top #(
  parameter integer XW        = 9,      // PixX ≤ 2^XW
  parameter integer MaxCols   = 512,    // binned columns per histogram bank
  parameter integer LineDepth = 1024,   // photons per line bank
  parameter integer DurW      = 24,     // a line lasts < 2^DurW sync periods
  parameter integer CountW    = 16      // histogram counts saturate at 2^CountW − 1
) (
  input  wire               clk_i,
  input  wire               rst_i,
  // configuration
  input  wire [XW:0]        pix_x_i,
  input  wire [15:0]        pix_y_i,
  input  wire               bidirect_i,
  input  wire [2:0]         bin_shift_i,
  input  wire [16:0]        micro_mul_i,
  input  wire [30:0]        window_off_i,
  // events in
  input  wire               s_valid_i,
  output wire               s_ready_o,
  input  wire [50:0]        s_event_i,
  // pixels out
  output wire               m_valid_o,
  input  wire               m_ready_i,
  output wire [7:0]         m_xq_o,
  output wire [CountW-1:0]  m_count_o,
  output wire [15:0]        m_frame_o,
  output wire [15:0]        m_row_o,
  output wire [XW-1:0]      m_col_o,
  output wire [23:0]        m_photons_o,
  output wire               m_saturated_o,
  output wire               m_incomplete_o,
  output wire               m_first_o,
  output wire               m_last_o,
  output wire               m_row_end_o,
  // status
  output wire [17*32-1:0]   counters_o,
  output wire               idle_o          // nothing in flight: every event taken has become
                                            // counts, counters or pixel beats that have left
);
`include "frontend_params.vh"
  localparam integer LW = $clog2(LineDepth);

  /* verilator lint_off WIDTH */
  wire [XW:0] cols = (pix_x_i + (({{XW{1'b0}}, 1'b1} << bin_shift_i) - 1'b1)) >> bin_shift_i;
  /* verilator lint_on WIDTH */

  // micro-time map
  wire       mm_valid, mm_ready, mm_in_window, mm_idle, ln_idle, pa_idle, hb_idle, nm_idle;
  wire [2:0] mm_kind;
  wire [31:0] mm_macro;
  wire [7:0] mm_bin;
  frontend_micro_map u_map (
    .clk_i(clk_i), .rst_i(rst_i), .micro_mul_i(micro_mul_i), .window_off_i(window_off_i),
    .s_valid_i(s_valid_i), .s_ready_o(s_ready_o), .s_event_i(s_event_i),
    .m_valid_o(mm_valid), .m_ready_i(mm_ready), .m_kind_o(mm_kind), .m_macro_o(mm_macro),
    .m_bin_o(mm_bin), .m_in_window_o(mm_in_window), .idle_o(mm_idle));

  // lines
  wire            ds_valid, ds_ready, ds_close, ds_nobank, ds_lost, ds_bank;
  wire [LW:0]     ds_count;
  wire [DurW-1:0] ds_duration;
  wire [15:0]     ds_line, ds_frame;
  wire            rd_en;
  wire [LW:0]     rd_addr;
  wire [DurW+7:0] rd_data;
  wire [1:0]      release_banks;
  wire [14*32-1:0] line_counters;
  frontend_line_assembler #(.LineDepth(LineDepth), .DurW(DurW)) u_lines (
    .clk_i(clk_i), .rst_i(rst_i), .pix_y_i(pix_y_i),
    .s_valid_i(mm_valid), .s_ready_o(mm_ready), .s_kind_i(mm_kind), .s_macro_i(mm_macro),
    .s_bin_i(mm_bin), .s_in_window_i(mm_in_window),
    .m_valid_o(ds_valid), .m_ready_i(ds_ready), .m_close_o(ds_close), .m_nobank_o(ds_nobank),
    .m_lost_o(ds_lost), .m_bank_o(ds_bank),
    .m_count_o(ds_count), .m_duration_o(ds_duration), .m_line_o(ds_line), .m_frame_o(ds_frame),
    .rd_en_i(rd_en), .rd_addr_i(rd_addr), .rd_data_o(rd_data), .release_i(release_banks),
    .counters_o(line_counters), .idle_o(ln_idle));

  // pixels
  wire          tk_valid, tk_ready, tk_lost;
  wire [1:0]    tk_kind;
  wire [XW-1:0] tk_col;
  wire [7:0]    tk_bin;
  wire [15:0]   tk_row, tk_frame;
  wire [31:0]   past_image;
  frontend_pixel_assign #(.LineDepth(LineDepth), .DurW(DurW), .XW(XW)) u_pixels (
    .clk_i(clk_i), .rst_i(rst_i), .pix_x_i(pix_x_i), .pix_y_i(pix_y_i), .bidirect_i(bidirect_i),
    .bin_shift_i(bin_shift_i),
    .s_valid_i(ds_valid), .s_ready_o(ds_ready), .s_close_i(ds_close), .s_nobank_i(ds_nobank),
    .s_lost_i(ds_lost), .s_bank_i(ds_bank),
    .s_count_i(ds_count), .s_duration_i(ds_duration), .s_line_i(ds_line), .s_frame_i(ds_frame),
    .rd_en_o(rd_en), .rd_addr_o(rd_addr), .rd_data_i(rd_data), .release_o(release_banks),
    .m_valid_o(tk_valid), .m_ready_i(tk_ready), .m_kind_o(tk_kind), .m_col_o(tk_col),
    .m_bin_o(tk_bin), .m_row_o(tk_row), .m_frame_o(tk_frame), .m_lost_o(tk_lost),
    .past_image_o(past_image), .idle_o(pa_idle));

  // a register slice: the histogram's ready (a swap waits on a row compare) ends here, not in
  // the pixel assigner's stage enables
  localparam integer TokW = 2 + XW + 8 + 16 + 16 + 1;
  wire            hs_valid, hs_ready, hs_lost, tk_slice_ready;
  wire [1:0]      hs_kind;
  wire [XW-1:0]   hs_col;
  wire [7:0]      hs_bin;
  wire [15:0]     hs_row, hs_frame;
  skid_buffer #(.Width(TokW)) u_token_slice (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(tk_valid), .s_ready_o(tk_slice_ready), .s_data_i({tk_kind, tk_col, tk_bin, tk_row, tk_frame, tk_lost}),
    .m_valid_o(hs_valid), .m_ready_i(hs_ready), .m_data_o({hs_kind, hs_col, hs_bin, hs_row, hs_frame, hs_lost}));
  assign tk_ready = tk_slice_ready;
  wire ts_idle = ~hs_valid & tk_slice_ready;   // empty: nothing on m_*, the skid entry free

  // histograms
  wire              hb_valid, hb_ready, hb_sat, hb_inc;
  wire [15:0]       hb_frame, hb_row;
  wire [XW-1:0]     hb_col;
  wire [7:0]        hb_bin;
  wire [CountW-1:0] hb_count, hb_max;
  wire [CountW+3:0] hb_sum;
  wire [23:0]       hb_photons;
  wire [31:0]       saturated, rows_out;
  frontend_histogram #(.XW(XW), .MaxCols(MaxCols), .CountW(CountW)) u_hist (
    .clk_i(clk_i), .rst_i(rst_i), .cols_i(cols),
    .s_valid_i(hs_valid), .s_ready_o(hs_ready), .s_kind_i(hs_kind), .s_col_i(hs_col),
    .s_bin_i(hs_bin), .s_row_i(hs_row), .s_frame_i(hs_frame), .s_lost_i(hs_lost),
    .m_valid_o(hb_valid), .m_ready_i(hb_ready), .m_frame_o(hb_frame), .m_row_o(hb_row),
    .m_col_o(hb_col), .m_bin_o(hb_bin), .m_count_o(hb_count), .m_base_sum_o(hb_sum),
    .m_count_max_o(hb_max), .m_photons_o(hb_photons), .m_saturated_o(hb_sat),
    .m_incomplete_o(hb_inc), .saturated_o(saturated), .rows_out_o(rows_out), .idle_o(hb_idle));

  // pre-processing
  wire [7:0] out_bin;
  frontend_norm #(.XW(XW), .CountW(CountW)) u_norm (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(hb_valid), .s_ready_o(hb_ready), .s_frame_i(hb_frame), .s_row_i(hb_row),
    .s_col_i(hb_col), .s_bin_i(hb_bin), .s_count_i(hb_count), .s_base_sum_i(hb_sum),
    .s_count_max_i(hb_max), .s_photons_i(hb_photons), .s_saturated_i(hb_sat), .s_incomplete_i(hb_inc),
    .m_valid_o(m_valid_o), .m_ready_i(m_ready_i), .m_frame_o(m_frame_o), .m_row_o(m_row_o),
    .m_col_o(m_col_o), .m_bin_o(out_bin), .m_count_o(m_count_o), .m_xq_o(m_xq_o),
    .m_photons_o(m_photons_o), .m_saturated_o(m_saturated_o), .m_incomplete_o(m_incomplete_o),
    .idle_o(nm_idle));
  assign idle_o = mm_idle & ln_idle & pa_idle & ts_idle & hb_idle & nm_idle;
  assign m_first_o = out_bin == 8'd0;
  /* verilator lint_off WIDTH */
  localparam [7:0] LastBin = NBins - 1;
  /* verilator lint_on WIDTH */
  assign m_last_o  = out_bin == LastBin;
  /* verilator lint_off WIDTH */
  assign m_row_end_o = m_last_o && (m_col_o == cols - 1'b1);
  /* verilator lint_on WIDTH */

  // counters in frontend_params.vh order
  wire [31:0] lc [0:13];
  genvar i;
  generate
    for (i = 0; i < 14; i = i + 1) begin : g_lc
      assign lc[i] = line_counters[32*i +: 32];
    end
  endgenerate
  assign counters_o = {rows_out, lc[13], lc[12], lc[11], lc[10], lc[9], lc[8], lc[7], saturated,
                       past_image, lc[6], lc[5], lc[4], lc[3], lc[2], lc[1], lc[0]};

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    /* verilator lint_off WIDTH */
    if (!rst_i && (cols > MaxCols || pix_x_i == 0 || pix_x_i > (1 << XW))) begin
    /* verilator lint_on WIDTH */
      $display("frontend_top: image of %0d pixels (%0d binned columns) beyond XW %0d / MaxCols %0d",
               pix_x_i, cols, XW, MaxCols);
      $stop;
    end
  end
`endif
endmodule
`default_nettype wire
