// tpsf_loader: accepts TPSF bins (x_q, one per beat, Steps beats per pixel) and fills one of two
//   input banks with up to Lanes pixels (a batch); the sequencer computes on the other bank.
// A batch closes after Lanes pixels, or earlier when s_last_i is set on a pixel's final bin or
//   flush_i is high between pixels (fewer pixels: the remaining lanes are inactive and produce
//   no output).
// Interface: valid/ready in; per-lane x write strobes out (x_we_o one-hot per lane);
//   bank_full_o[b] set when bank b holds a closed batch, cleared by release_i[b].
//   InDim 2 (a model that reads the instrument's IRF beside the TPSF, numerics §8): s_irf_* loads
//   the IRF, Steps bins (x_q), into every lane's x RAM at {1, 0, bin}, the encoder's second input
//   column. A pending load closes a partial batch (as flush_i does) and holds new pixels back;
//   it starts between pixels once no batch is closed or in its encoder, and takes its Steps bins
//   before any pixel bin: it applies to exactly the pixels after it. InDim 1: s_irf_* is taken
//   and dropped.
// Latency: a bin is written in the cycle it is accepted.
`default_nettype none
module tpsf_loader #(
  parameter integer Lanes    = 2,
  parameter integer Steps    = 135,
  parameter integer TagWidth = 16,
  parameter integer StepW    = 8,
  parameter integer InDim    = 1,
  parameter integer XAddrW   = StepW + InDim    // x RAM address: {irf, bank, bin} if InDim 2
) (
  input  wire                      clk_i,
  input  wire                      rst_i,
  // TPSF bins in
  input  wire                      s_valid_i,
  output wire                      s_ready_o,
  input  wire [7:0]                s_data_i,
  input  wire [TagWidth-1:0]       s_tag_i,
  input  wire                      s_last_i,
  input  wire                      flush_i,         // close a partial batch between pixels
  // IRF bins in (InDim 2)
  input  wire                      s_irf_valid_i,
  output wire                      s_irf_ready_o,
  input  wire [7:0]                s_irf_data_i,
  // x buffer writes: address {bank, bin}, or {irf, bank, bin} if InDim 2
  output wire [Lanes-1:0]          x_we_o,
  output wire [XAddrW-1:0]         x_waddr_o,
  output wire [7:0]                x_wdata_o,
  // bank status towards the sequencer
  output wire [1:0]                bank_full_o,
  input  wire [1:0]                release_i,
  input  wire                      rd_bank_i,
  output wire [Lanes-1:0]          rd_active_o,
  output wire [Lanes*TagWidth-1:0] rd_tags_o
);
  generate
    if (Lanes < 1 || Steps < 2 || (1 << StepW) < Steps || InDim < 1 || InDim > 2 ||
        XAddrW != StepW + InDim) begin : g_bad_params
      tpsf_loader_bad_parameters u_stop ();   // no such module: stops elaboration
    end
  endgenerate

  localparam integer LaneW = (Lanes > 1) ? $clog2(Lanes) : 1;
  /* verilator lint_off WIDTH */
  localparam [StepW-1:0] LastBin  = Steps - 1;   // sized constants for the comparisons below
  localparam [LaneW-1:0] LastLane = Lanes - 1;
  localparam [Lanes-1:0] Lane0    = 1;
  /* verilator lint_on WIDTH */

  reg                      wbank_q;
  reg [LaneW-1:0]          lane_q;
  reg [StepW-1:0]          bin_q;
  reg [1:0]                full_q;
  reg [Lanes-1:0]          active_q [0:1];
  reg [Lanes*TagWidth-1:0] tags_q   [0:1];

  // IRF loads (InDim 2): irf_hold stops pixel bins at a pixel boundary while a load is pending
  // or running (irf_run); irf_fire writes an IRF bin into every lane
  wire irf_hold, irf_run, irf_fire;
  // flush_i closes a batch that holds at least one pixel, at a pixel boundary, and so does a
  // pending IRF load (the pixels before it keep the IRF they were sent with); not during an IRF
  // load (the batch would start with half of it)
  wire irf_pend;
  wire flush_close = (flush_i | irf_pend) & (bin_q == 0) & (lane_q != 0) & ~full_q[wbank_q] &
                     ~irf_run;
  assign s_ready_o = ~full_q[wbank_q] & ~flush_close & ~irf_hold;
  wire fire      = s_valid_i & s_ready_o;
  wire pixel_end = fire & (bin_q == LastBin);
  wire batch_end = (pixel_end & (s_last_i | (lane_q == LastLane))) | flush_close;

  genvar l;
  generate
    for (l = 0; l < Lanes; l = l + 1) begin : g_we
      localparam [LaneW-1:0] Idx = l;
      assign x_we_o[l] = irf_fire | (fire & (lane_q == Idx));
    end
    if (InDim > 1) begin : g_irf
      reg [StepW-1:0] irf_bin_q;    // next IRF bin; nonzero while a load runs
      assign irf_run       = (irf_bin_q != 0);
      assign irf_pend      = s_irf_valid_i & ~irf_run;
      assign irf_hold      = (bin_q == 0) & (s_irf_valid_i | irf_run);
      assign s_irf_ready_o = irf_run | ((bin_q == 0) & (full_q == 2'b00));
      assign irf_fire      = s_irf_valid_i & s_irf_ready_o;
      assign x_waddr_o     = irf_fire ? {2'b10, irf_bin_q} : {1'b0, wbank_q, bin_q};
      assign x_wdata_o     = irf_fire ? s_irf_data_i : s_data_i;
      always @(posedge clk_i) begin
        if (irf_fire) irf_bin_q <= (irf_bin_q == LastBin) ? {StepW{1'b0}} : irf_bin_q + 1'b1;
        if (rst_i) irf_bin_q <= {StepW{1'b0}};
      end
    end else begin : g_no_irf
      assign irf_run       = 1'b0;
      assign irf_pend      = 1'b0;
      assign irf_hold      = 1'b0;
      assign s_irf_ready_o = 1'b1;   // a model without the IRF input: loads are dropped
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused_irf = s_irf_valid_i | (|s_irf_data_i);
      /* verilator lint_on UNUSEDSIGNAL */
      assign irf_fire      = 1'b0;
      assign x_waddr_o     = {wbank_q, bin_q};
      assign x_wdata_o     = s_data_i;
    end
  endgenerate
  assign bank_full_o = full_q;
  assign rd_active_o = active_q[rd_bank_i];
  assign rd_tags_o   = tags_q[rd_bank_i];

  integer i;
  always @(posedge clk_i) begin
    if (fire) begin
      bin_q <= pixel_end ? {StepW{1'b0}} : bin_q + 1'b1;
      if (bin_q == 0) begin
        for (i = 0; i < Lanes; i = i + 1) begin
          if (x_we_o[i]) tags_q[wbank_q][i*TagWidth +: TagWidth] <= s_tag_i;
        end
        if (lane_q == 0) active_q[wbank_q] <= Lane0;
        else active_q[wbank_q] <= active_q[wbank_q] | (Lane0 << lane_q);
      end
    end
    if (pixel_end | flush_close) lane_q <= batch_end ? {LaneW{1'b0}} : lane_q + 1'b1;
    if (batch_end) wbank_q <= ~wbank_q;
    full_q <= (full_q & ~release_i) | ({1'b0, batch_end & ~wbank_q} | {batch_end & wbank_q, 1'b0});
    if (rst_i) begin
      wbank_q <= 1'b0;
      lane_q  <= {LaneW{1'b0}};
      bin_q   <= {StepW{1'b0}};
      full_q  <= 2'b00;
    end
  end
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // One writer of the x RAMs a cycle: an IRF bin never in the cycle of a pixel bin.
  always @(posedge clk_i) if (!rst_i)
    assert (!(fire && irf_fire)) else $error("tpsf_loader: IRF bin and pixel bin in one cycle");
`endif
endmodule
`default_nettype wire
