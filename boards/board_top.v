// board_top: the flimgru board shell - clock, reset, UART link and status LEDs around the core.
// What: board clock -> PLL (EHXPLLL, generated per board by boards/flow.sh as module board_pll)
//   -> system clock; power-on / button / PLL-lock reset synchronizer; uart_rx -> link_rx ->
//   core -> link_tx -> uart_tx (frames: docs/protocol.md); LEDs: 0 heartbeat (~1 Hz),
//   1 busy (frames in flight or sending), 2 error (lit 1/4 s after a bad frame), 3.. count good
//   frames. An IRF frame's payload goes to the core's IRF port (the buffer keeps frames in order,
//   so it applies to the pixels sent after it). With Photons (and the real core) the photon
//   front end sits beside the link: EVENTS and PHOTON_CONFIG payloads -> photon_frames ->
//   frontend_pixels -> the core's second pixel input; the summary of such a pixel leaves with its
//   facts as a PIXEL frame (docs/protocol.md §7). The core is standin_core unless
//   FLIMGRU_REAL_CORE is defined (then flimgru_board_core, with the same stream ports).
// Latency: see link_rx / core / link_tx; a TPSF frame is answered once the core is done.
// Interface: clk_i (board oscillator), rst_btn_i (reset button, polarity RstActiveLow),
//   uart_rx_i / uart_tx_o (FPGA's receive / transmit pins), led_o (polarity LedActiveLow).
`default_nettype none

module board_top #(
  parameter integer ClkHz        = 75000000,   // system clock (after the PLL)
  parameter integer Baud         = 3000000,
  parameter integer ClksPerBit   = ClkHz / Baud,
  parameter integer UsePll       = 1,          // 0: the board clock is the system clock
  parameter integer LedCount     = 8,
  parameter integer LedActiveLow = 0,
  parameter integer RstActiveLow = 1,
  parameter integer BoardId      = 0,          // reported in the status frame
  parameter integer Lanes        = 1,
  parameter integer MacRows      = 28,
  parameter integer BufBytes     = 2048,
  parameter integer SeqDepth     = 32,
  // Each core reads one of these: CoreLatency only standin_core, RomDir and the photon front
  // end's only the real core (FLIMGRU_REAL_CORE; the stand-in has no ROMs and no front end). All
  // stay parameters of every build (the flows set them either way), so what the chosen core
  // ignores is waived.
  /* verilator lint_off UNUSEDPARAM */
  // the photon front end (real core only; boards/boards.tsv "frontend"): 0 none, else its XW,
  // MaxCols and LineDepth (docs/frontend-resources.md)
  parameter integer Photons      = 0,
  // MAC rows per lane multiplying in LUTs (real core only; boards/boards.tsv "lut_rows")
  parameter integer LutRows      = 0,
  parameter integer FeXW         = 9,
  parameter integer FeMaxCols    = 64,
  parameter integer FeLineDepth  = 1024,
  parameter integer CoreLatency  = 64,         // standin_core only
  parameter         RomDir       = "."         // the core's ROM set (its model_params.vh on the include path)
  /* verilator lint_on UNUSEDPARAM */
) (
  input  wire                clk_i,
  input  wire                rst_btn_i,
  input  wire                uart_rx_i,
  output wire                uart_tx_o,
  output wire [LedCount-1:0] led_o
);
  localparam integer Bins = 135;

  // ---- clock -----------------------------------------------------------------------------
  wire clk;
  wire pll_locked;
  generate
    if (UsePll != 0) begin : g_pll
`ifdef SYNTHESIS
      board_pll u_pll (.clkin(clk_i), .clkout0(clk), .locked(pll_locked));
`else
      assign clk = clk_i;           // simulation: no PLL model
      assign pll_locked = 1'b1;
`endif
    end else begin : g_nopll
      assign clk = clk_i;
      assign pll_locked = 1'b1;
    end
  endgenerate

  // ---- reset: held while the PLL is unlocked or the button is pressed, and 16 cycles after --
  reg [1:0] btn_sync_q = 2'b00;
  reg [4:0] por_q = 5'd0;          // FPGA configuration initialises it (power-on reset)
  reg       rst_q = 1'b1;
  wire btn_pressed = (RstActiveLow != 0) ? !btn_sync_q[1] : btn_sync_q[1];
  always @(posedge clk) begin
    btn_sync_q <= {btn_sync_q[0], rst_btn_i};
    if (!pll_locked || btn_pressed) por_q <= 5'd0;
    else if (!por_q[4])             por_q <= por_q + 1'b1;
    rst_q <= !por_q[4];
  end
  wire rst = rst_q;

  // ---- UART ------------------------------------------------------------------------------
  wire       rxb_valid, rxb_ferr;
  wire [7:0] rxb_data;
  uart_rx #(.ClksPerBit(ClksPerBit)) u_uart_rx (
    .clk_i(clk), .rst_i(rst), .rx_i(uart_rx_i),
    .m_valid_o(rxb_valid), .m_data_o(rxb_data), .m_frame_err_o(rxb_ferr)
  );

  wire       txb_valid, txb_ready;
  wire [7:0] txb_data;
  uart_tx #(.ClksPerBit(ClksPerBit)) u_uart_tx (
    .clk_i(clk), .rst_i(rst), .s_valid_i(txb_valid), .s_ready_o(txb_ready),
    .s_data_i(txb_data), .tx_o(uart_tx_o)
  );

  // ---- link receiver ---------------------------------------------------------------------
  wire        tpsf_valid, tpsf_ready, tpsf_last, tpsf_irf, tpsf_photon;
  wire [7:0]  tpsf_data;
  wire        seq_valid, seq_ready;
  wire [7:0]  seq_data;
  wire        rsp_valid, rsp_ready;
  wire [1:0]  rsp_kind;
  wire [7:0]  rsp_seq;
  wire [31:0] rsp_err;
  wire        bad_pulse;
  wire [15:0] good_cnt, bad_cnt;
  wire [7:0]  rsp_drop, inflight;

  // the photon frames only with the real core (the stand-in has no second pixel input)
`ifdef FLIMGRU_REAL_CORE
  localparam integer HasPhotons = (Photons != 0) ? 1 : 0;
`else
  localparam integer HasPhotons = 0;
`endif
  link_rx #(.Bins(Bins), .BufBytes(BufBytes), .SeqDepth(SeqDepth), .Photons(HasPhotons)) u_link_rx (
    .clk_i(clk), .rst_i(rst),
    .s_valid_i(rxb_valid), .s_data_i(rxb_data), .s_frame_err_i(rxb_ferr),
    .m_tpsf_valid_o(tpsf_valid), .m_tpsf_ready_i(tpsf_ready),
    .m_tpsf_data_o(tpsf_data), .m_tpsf_last_o(tpsf_last), .m_tpsf_irf_o(tpsf_irf),
    .m_tpsf_photon_o(tpsf_photon),
    .m_seq_valid_o(seq_valid), .m_seq_ready_i(seq_ready), .m_seq_data_o(seq_data),
    .m_rsp_valid_o(rsp_valid), .m_rsp_ready_i(rsp_ready), .m_rsp_kind_o(rsp_kind),
    .m_rsp_seq_o(rsp_seq), .m_rsp_err_o(rsp_err),
    .bad_pulse_o(bad_pulse), .good_o(good_cnt), .bad_o(bad_cnt),
    .rsp_drop_o(rsp_drop), .inflight_o(inflight)
  );

  // ---- core ------------------------------------------------------------------------------
  // the buffer's stream holds pixels, IRF loads and (Photons) photon frames: each to its port
  wire         sum_valid, sum_ready, pix_ready, irf_ready, pf_ready, sum_photon;
  wire [151:0] sum_data;
  wire [7:0]   in_dim;
  assign tpsf_ready = tpsf_photon ? pf_ready : tpsf_irf ? irf_ready : pix_ready;
  wire         px_valid, px_ready, px_last, px_row_end;
  wire [7:0]   px_data;
`ifdef FLIMGRU_REAL_CORE
  // A partial batch is closed after two TPSF frame times without a bin (a frame is 1440 bit
  // times on the wire, docs/protocol.md): a stream of back-to-back frames fills every lane, the
  // last pixels of a stream wait at most two frame times more.
  localparam integer FlushCycles = 2 * 1440 * ClksPerBit;
  flimgru_board_core #(.Lanes(Lanes), .MacRows(MacRows), .LutRows(LutRows), .IdleFlush(FlushCycles),
                       .RomDir(RomDir), .Photons(HasPhotons)) u_core (
    .s_px_valid_i(px_valid), .s_px_ready_o(px_ready), .s_px_data_i(px_data), .s_px_last_i(px_last),
    .s_px_row_end_i(px_row_end), .m_sum_photon_o(sum_photon),
`else
  standin_core #(.Lanes(Lanes), .MacRows(MacRows), .LatencyCycles(CoreLatency)) u_core (
`endif
    .clk_i(clk), .rst_i(rst),
    .s_tpsf_valid_i(tpsf_valid & ~tpsf_irf & ~tpsf_photon), .s_tpsf_ready_o(pix_ready),
    .s_tpsf_data_i(tpsf_data), .s_tpsf_last_i(tpsf_last),
    .s_irf_valid_i(tpsf_valid & tpsf_irf & ~tpsf_photon), .s_irf_ready_o(irf_ready), .s_irf_data_i(tpsf_data),
    .in_dim_o(in_dim),
    .m_sum_valid_o(sum_valid), .m_sum_ready_i(sum_ready), .m_sum_data_o(sum_data)
  );

  // ---- the photon front end (Photons) ---------------------------------------------------------
  // A summary of a front-end pixel leaves with the pixel's facts as a PIXEL frame; the others
  // as RESULT frames with the seq of their TPSF frame.
  wire         tx_sum_ready, tx_pix_ready, pix_out_valid;
  wire [351:0] pix_payload;
  wire [7:0]   pix_seq;
  wire [583:0] photon_status;
  generate
    if (HasPhotons != 0) begin : g_photons
      wire        ev_valid, ev_ready, restart, mid, idle, meta_valid, meta_sat, meta_inc;
      wire        fx_valid, fx_ready, fx_last, fx_row_end;
      wire [7:0]  fx_data;
      wire [50:0] ev;
      wire [FeXW:0] pix_x;
      wire [15:0] pix_y, meta_frame, meta_row;
      wire        bidirect;
      wire [2:0]  bin_shift;
      wire [16:0] micro_mul;
      wire [30:0] window_off;
      wire [7:0]  pre_rise, meta_number;
      wire [FeXW-1:0] meta_col;
      wire [23:0] meta_photons;
      wire [119:0] meta_moments;
      wire [17*32-1:0] counters;
      wire [31:0] pixels;
      photon_frames #(.XW(FeXW), .MaxCols(FeMaxCols)) u_frames (
        .clk_i(clk), .rst_i(rst),
        .s_valid_i(tpsf_valid & tpsf_photon), .s_ready_o(pf_ready), .s_data_i(tpsf_data),
        .s_last_i(tpsf_last), .s_config_i(tpsf_irf),
        .m_valid_o(ev_valid), .m_ready_i(ev_ready), .m_event_o(ev), .mid_i(mid), .restart_o(restart),
        .pix_x_o(pix_x), .pix_y_o(pix_y), .bidirect_o(bidirect), .bin_shift_o(bin_shift),
        .micro_mul_o(micro_mul), .window_off_o(window_off), .pre_rise_o(pre_rise));
      frontend_pixels #(.XW(FeXW), .MaxCols(FeMaxCols), .LineDepth(FeLineDepth),
                        .MetaDepth(4 * Lanes < 16 ? 16 : (1 << $clog2(4 * Lanes)))) u_frontend (
        .clk_i(clk), .rst_i(rst), .restart_i(restart),
        .pix_x_i(pix_x), .pix_y_i(pix_y), .bidirect_i(bidirect), .bin_shift_i(bin_shift),
        .micro_mul_i(micro_mul), .window_off_i(window_off), .pre_rise_i(pre_rise),
        .s_valid_i(ev_valid), .s_ready_o(ev_ready), .s_event_i(ev),
        .m_x_valid_o(fx_valid), .m_x_ready_i(fx_ready), .m_x_data_o(fx_data), .m_x_last_o(fx_last),
        .m_x_row_end_o(fx_row_end),
        .m_meta_valid_o(meta_valid), .m_meta_ready_i(pix_out_valid & tx_pix_ready),
        .m_frame_o(meta_frame), .m_row_o(meta_row), .m_col_o(meta_col), .m_photons_o(meta_photons),
        .m_saturated_o(meta_sat), .m_incomplete_o(meta_inc), .m_moments_o(meta_moments),
        .m_number_o(meta_number), .counters_o(counters), .pixels_o(pixels), .idle_o(idle), .mid_o(mid));
      // The beats pass a skid buffer: the core's ready reached the front end's pipeline enables
      // and the histogram's block RAM clock enables in one cycle (50.5 MHz on the 85F).
      skid_buffer #(.Width(10)) u_px_skid (
        .clk_i(clk), .rst_i(rst),
        .s_valid_i(fx_valid), .s_ready_o(fx_ready), .s_data_i({fx_row_end, fx_last, fx_data}),
        .m_valid_o(px_valid), .m_ready_i(px_ready), .m_data_o({px_row_end, px_last, px_data}));
      assign pix_out_valid = sum_valid & sum_photon & meta_valid;
      assign sum_ready     = sum_photon ? (meta_valid & tx_pix_ready) : tx_sum_ready;
      assign pix_payload   = {meta_moments, sum_data, 6'd0, meta_inc, meta_sat, meta_photons,
                              {{(16 - FeXW){1'b0}}, meta_col}, meta_row, meta_frame};
      assign pix_seq       = meta_number;
      assign photon_status = {7'd0, idle, pixels, counters};
    end else begin : g_no_photons
      assign pf_ready      = 1'b1;     // (the link never marks a byte photon without Photons)
      assign px_valid      = 1'b0;
      assign px_data       = 8'd0;
      assign px_last       = 1'b0;
      assign px_row_end    = 1'b0;
      assign pix_out_valid = 1'b0;
      assign sum_ready     = tx_sum_ready;
      assign pix_payload   = 352'd0;
      assign pix_seq       = 8'd0;
      assign photon_status = 584'd0;
    end
  endgenerate
`ifndef FLIMGRU_REAL_CORE
  assign sum_photon = 1'b0;      // the stand-in has no second pixel input
  assign px_ready   = 1'b0;
`endif
  // Without the photon front end its side of the core and of link_tx is tied off: waived.
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_photon_side = &{1'b0, px_valid, px_ready, px_last, px_row_end, px_data, tx_pix_ready};
  /* verilator lint_on UNUSEDSIGNAL */

  // ---- link transmitter ------------------------------------------------------------------
`include "link_params.vh"
  // The status bytes: the low byte of each value (explicit part-selects).
  localparam integer ClkMhz   = ClkHz / 1000000;
  localparam integer Baud100k = Baud / 100000;
  localparam integer BufPix   = BufBytes / Bins;
  localparam [7:0] BoardIdB   = BoardId[7:0];
  localparam [7:0] LanesB     = Lanes[7:0];
  localparam [7:0] MacRowsB   = MacRows[7:0];
  localparam [7:0] ClkMhzB    = ClkMhz[7:0];
  localparam [7:0] Baud100kB  = Baud100k[7:0];
  localparam [7:0] BufPixB    = BufPix[7:0];
  localparam [7:0] SeqDepthB  = SeqDepth[7:0];
  localparam [7:0]  PhotonsB   = HasPhotons[7:0];
  localparam [7:0]  FeXWB      = (HasPhotons != 0) ? FeXW[7:0] : 8'd0;
  localparam [15:0] FeColsW    = (HasPhotons != 0) ? FeMaxCols[15:0] : 16'd0;
  localparam integer FeDepthLog2 = $clog2(FeLineDepth);
  localparam [7:0]  FeDepthB   = (HasPhotons != 0) ? FeDepthLog2[7:0] : 8'd0;
  wire [191:0] status = {FeDepthB, FeColsW, FeXWB, PhotonsB,
                         in_dim, inflight, rsp_drop, bad_cnt, good_cnt, SeqDepthB, BufPixB, Baud100kB,
                         ClkMhzB, MacRowsB, LanesB, BoardIdB, LinkVersion, "RGLF"};
  wire tx_busy;
  link_tx #(.Photons(HasPhotons)) u_link_tx (
    .clk_i(clk), .rst_i(rst),
    .s_sum_valid_i(sum_valid & ~sum_photon), .s_sum_ready_o(tx_sum_ready), .s_sum_data_i(sum_data),
    .s_pix_valid_i(pix_out_valid), .s_pix_ready_o(tx_pix_ready), .s_pix_seq_i(pix_seq),
    .s_pix_data_i(pix_payload),
    .s_seq_valid_i(seq_valid), .s_seq_ready_o(seq_ready), .s_seq_data_i(seq_data),
    .s_rsp_valid_i(rsp_valid), .s_rsp_ready_o(rsp_ready), .s_rsp_kind_i(rsp_kind),
    .s_rsp_seq_i(rsp_seq), .s_rsp_err_i(rsp_err), .status_i(status), .photon_status_i(photon_status),
    .m_valid_o(txb_valid), .m_ready_i(txb_ready), .m_data_o(txb_data), .busy_o(tx_busy)
  );

  // ---- LEDs ------------------------------------------------------------------------------
  localparam integer HalfSec = ClkHz / 2;
  localparam integer QuarterSec = ClkHz / 4;
  reg [31:0] beat_q;
  reg        beat_led_q;
  reg [31:0] err_q;
  always @(posedge clk) begin
    if (beat_q == 0) begin
      beat_q     <= HalfSec - 1;
      beat_led_q <= !beat_led_q;
    end else begin
      beat_q <= beat_q - 1'b1;
    end
    if (bad_pulse)      err_q <= QuarterSec;
    else if (err_q != 0) err_q <= err_q - 1'b1;
    if (rst) begin
      beat_q     <= 32'd0;
      beat_led_q <= 1'b0;
      err_q      <= 32'd0;
    end
  end

  // 16 LED functions; a board shows the first LedCount of them (the rest are unused there).
  /* verilator lint_off UNUSEDSIGNAL */
  wire [15:0] led_all = {good_cnt[12:0], (err_q != 0), (inflight != 8'd0) || tx_busy, beat_led_q};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [LedCount-1:0] led_on = led_all[LedCount-1:0];
  assign led_o = (LedActiveLow != 0) ? ~led_on : led_on;
endmodule

`default_nettype wire
