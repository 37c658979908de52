// board_top: the flimgru board shell - clock, reset, UART link and status LEDs around the core.
// What: board clock -> PLL (EHXPLLL, generated per board by boards/flow.sh as module board_pll)
//   -> system clock; power-on / button / PLL-lock reset synchronizer; uart_rx -> link_rx ->
//   core -> link_tx -> uart_tx (frames: docs/protocol.md); LEDs: 0 heartbeat (~1 Hz),
//   1 busy (frames in flight or sending), 2 error (lit 1/4 s after a bad frame), 3.. count good
//   frames. An IRF frame's payload goes to the core's IRF port (the buffer keeps frames in order,
//   so it applies to the pixels sent after it). The core is standin_core unless
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
  // Each core reads one of these two: CoreLatency only standin_core, RomDir only the real core
  // (FLIMGRU_REAL_CORE; the stand-in has no ROMs). Both stay parameters of every build (the
  // flows set them either way), so the one the chosen core ignores is waived.
  /* verilator lint_off UNUSEDPARAM */
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
  wire        tpsf_valid, tpsf_ready, tpsf_last, tpsf_irf;
  wire [7:0]  tpsf_data;
  wire        seq_valid, seq_ready;
  wire [7:0]  seq_data;
  wire        rsp_valid, rsp_ready, rsp_kind;
  wire [7:0]  rsp_seq;
  wire [31:0] rsp_err;
  wire        bad_pulse;
  wire [15:0] good_cnt, bad_cnt;
  wire [7:0]  rsp_drop, inflight;

  link_rx #(.Bins(Bins), .BufBytes(BufBytes), .SeqDepth(SeqDepth)) u_link_rx (
    .clk_i(clk), .rst_i(rst),
    .s_valid_i(rxb_valid), .s_data_i(rxb_data), .s_frame_err_i(rxb_ferr),
    .m_tpsf_valid_o(tpsf_valid), .m_tpsf_ready_i(tpsf_ready),
    .m_tpsf_data_o(tpsf_data), .m_tpsf_last_o(tpsf_last), .m_tpsf_irf_o(tpsf_irf),
    .m_seq_valid_o(seq_valid), .m_seq_ready_i(seq_ready), .m_seq_data_o(seq_data),
    .m_rsp_valid_o(rsp_valid), .m_rsp_ready_i(rsp_ready), .m_rsp_kind_o(rsp_kind),
    .m_rsp_seq_o(rsp_seq), .m_rsp_err_o(rsp_err),
    .bad_pulse_o(bad_pulse), .good_o(good_cnt), .bad_o(bad_cnt),
    .rsp_drop_o(rsp_drop), .inflight_o(inflight)
  );

  // ---- core ------------------------------------------------------------------------------
  // the buffer's stream holds pixels and IRF loads (an IRF frame's payload): each to its port
  wire         sum_valid, sum_ready, pix_ready, irf_ready;
  wire [151:0] sum_data;
  wire [7:0]   in_dim;
  assign tpsf_ready = tpsf_irf ? irf_ready : pix_ready;
`ifdef FLIMGRU_REAL_CORE
  // A partial batch is closed after two TPSF frame times without a bin (a frame is 1440 bit
  // times on the wire, docs/protocol.md): a stream of back-to-back frames fills every lane, the
  // last pixels of a stream wait at most two frame times more.
  localparam integer FlushCycles = 2 * 1440 * ClksPerBit;
  flimgru_board_core #(.Lanes(Lanes), .MacRows(MacRows), .IdleFlush(FlushCycles), .RomDir(RomDir)) u_core (
`else
  standin_core #(.Lanes(Lanes), .MacRows(MacRows), .LatencyCycles(CoreLatency)) u_core (
`endif
    .clk_i(clk), .rst_i(rst),
    .s_tpsf_valid_i(tpsf_valid & ~tpsf_irf), .s_tpsf_ready_o(pix_ready),
    .s_tpsf_data_i(tpsf_data), .s_tpsf_last_i(tpsf_last),
    .s_irf_valid_i(tpsf_valid & tpsf_irf), .s_irf_ready_o(irf_ready), .s_irf_data_i(tpsf_data),
    .in_dim_o(in_dim),
    .m_sum_valid_o(sum_valid), .m_sum_ready_i(sum_ready), .m_sum_data_o(sum_data)
  );

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
  wire [151:0] status = {in_dim, inflight, rsp_drop, bad_cnt, good_cnt, SeqDepthB, BufPixB, Baud100kB,
                         ClkMhzB, MacRowsB, LanesB, BoardIdB, LinkVersion, "RGLF"};
  wire tx_busy;
  link_tx u_link_tx (
    .clk_i(clk), .rst_i(rst),
    .s_sum_valid_i(sum_valid), .s_sum_ready_o(sum_ready), .s_sum_data_i(sum_data),
    .s_seq_valid_i(seq_valid), .s_seq_ready_o(seq_ready), .s_seq_data_i(seq_data),
    .s_rsp_valid_i(rsp_valid), .s_rsp_ready_o(rsp_ready), .s_rsp_kind_i(rsp_kind),
    .s_rsp_seq_i(rsp_seq), .s_rsp_err_i(rsp_err), .status_i(status),
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
