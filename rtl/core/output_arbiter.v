// output_arbiter: drains the per-lane result FIFOs in lane order (all lanes of a decoder step,
//   then the next step), sending every record's SFD sample to the y stream and, for a pixel's
//   last step, its summary to the summary stream afterwards. Records of inactive lanes
//   (pixel-valid bit clear) are dropped.
// Record: {pix_valid, last, step[7:0], tag, y[47:0], sum[SumBits-1:0], first[47:0]}; sum is the
//   summary's sums field ({cum, sum2, sum1, sum0} in the core), passed through unchanged.
// Interface: show-ahead FIFO heads in, pops out; valid/ready out (one beat per cycle at most;
//   the caller adds skid buffers). A beat is offered until accepted; nothing is lost.
`default_nettype none
module output_arbiter #(
  parameter integer Lanes    = 2,
  parameter integer TagWidth = 16,
  parameter integer SumBits  = 104,
  parameter integer RecWidth = 2 + 8 + TagWidth + 48 + SumBits + 48
) (
  input  wire                      clk_i,
  input  wire                      rst_i,
  input  wire [Lanes*RecWidth-1:0] rec_i,
  input  wire [Lanes-1:0]          empty_i,
  output wire [Lanes-1:0]          pop_o,
  // SFD samples
  output wire                      y_valid_o,
  input  wire                      y_ready_i,
  output wire [47:0]               y_data_o,
  output wire [TagWidth-1:0]       y_tag_o,
  output wire [7:0]                y_step_o,
  // per-pixel summary
  output wire                      sum_valid_o,
  input  wire                      sum_ready_i,
  output wire [TagWidth-1:0]       sum_tag_o,
  output wire [SumBits-1:0]        sum_data_o,
  output wire [47:0]               sum_first_o
);
  localparam integer LaneW = (Lanes > 1) ? $clog2(Lanes) : 1;
  /* verilator lint_off WIDTH */
  localparam [LaneW-1:0] LastLane = Lanes - 1;
  /* verilator lint_on WIDTH */

  reg [LaneW-1:0] ptr_q;
  reg             phase_q;     // 0: sample, 1: summary of the same record

  wire [RecWidth-1:0] rec = rec_i[ptr_q * RecWidth +: RecWidth];
  wire                have      = ~empty_i[ptr_q];
  wire                pix_valid = rec[RecWidth-1];
  wire                last      = rec[RecWidth-2];

  assign y_step_o    = rec[RecWidth-3 -: 8];
  assign y_tag_o     = rec[RecWidth-11 -: TagWidth];
  assign y_data_o    = rec[SumBits+48 +: 48];
  assign sum_tag_o   = y_tag_o;
  assign sum_data_o  = rec[48 +: SumBits];
  assign sum_first_o = rec[0 +: 48];

  assign y_valid_o   = have & pix_valid & ~phase_q;
  assign sum_valid_o = have & pix_valid & phase_q;

  wire y_fire   = y_valid_o & y_ready_i;
  wire sum_fire = sum_valid_o & sum_ready_i;
  wire drop     = have & ~pix_valid;
  wire done     = drop | (y_fire & ~last) | sum_fire;

  genvar l;
  generate
    for (l = 0; l < Lanes; l = l + 1) begin : g_pop
      localparam [LaneW-1:0] Idx = l;
      assign pop_o[l] = done & (ptr_q == Idx);
    end
  endgenerate

  always @(posedge clk_i) begin
    if (y_fire & last) phase_q <= 1'b1;
    if (done) begin
      phase_q <= 1'b0;
      ptr_q   <= (ptr_q == LastLane) ? {LaneW{1'b0}} : ptr_q + 1'b1;
    end
    if (rst_i) begin
      phase_q <= 1'b0;
      ptr_q   <= {LaneW{1'b0}};
    end
  end
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // Lane order: at most one pop a cycle, only of the lane whose turn it is, never of an empty FIFO.
  always @(posedge clk_i) if (!rst_i && |pop_o)
    assert ($onehot(pop_o) && pop_o[ptr_q] && have)
      else $error("output_arbiter: pop %b with lane %0d's turn (empty %b)", pop_o, ptr_q, empty_i);
`endif
`ifdef FORMAL
  // ---- formal properties (sim/formal/output_arbiter.sby) -----------------------------------
  // Environment: a reset in the first cycle (and any time later); each lane's FIFO is a
  // show-ahead FIFO: a head that is not popped stays, unchanged (lane_fifo's proven output rule).
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);
  genvar fl;
  generate
    for (fl = 0; fl < Lanes; fl = fl + 1) begin : g_fifo_env
      always @(posedge clk_i) if (f_past_valid && !rst_i && !$past(rst_i) &&
                                  $past(!empty_i[fl] && !pop_o[fl])) begin
        assume (!empty_i[fl]);
        assume (rec_i[fl * RecWidth +: RecWidth] == $past(rec_i[fl * RecWidth +: RecWidth]));
      end
    end
  endgenerate

  // Reference view: the head record of the current lane has sent its SFD sample; records
  // popped so far, modulo 3 * Lanes (record n must come from lane n mod Lanes).
  localparam integer FNW = $clog2(3 * Lanes);
  reg           f_ysent;
  reg [FNW-1:0] f_npop;
  always @(posedge clk_i) begin
    if (y_fire) f_ysent <= 1'b1;
    if (|pop_o) begin
      f_ysent <= 1'b0;
      f_npop  <= (f_npop == 3 * Lanes - 1) ? {FNW{1'b0}} : f_npop + 1'b1;
    end
    if (rst_i) begin
      f_ysent <= 1'b0;
      f_npop  <= {FNW{1'b0}};
    end
  end

  integer f_ones, fi;
  always @* begin
    f_ones = 0;
    for (fi = 0; fi < Lanes; fi = fi + 1) f_ones = f_ones + pop_o[fi];
  end

  always @* if (f_past_valid && !rst_i) begin
    // lane order: at most one pop a cycle, only of the lane whose turn it is, never of an empty
    // FIFO
    assert (f_ones <= 1);
    assert (f_npop < 3 * Lanes);
    assert (ptr_q == f_npop % Lanes);
    if (|pop_o) assert (pop_o[ptr_q] && !empty_i[ptr_q]);
    // one beat at a time, each for a valid pixel's record
    assert (!(y_valid_o && sum_valid_o));
    if (y_valid_o || sum_valid_o) assert (have && pix_valid);
    // no duplication: one SFD sample per record; the summary only after a last-step sample
    if (y_fire) assert (!f_ysent);
    if (sum_fire) assert (last && f_ysent && |pop_o);
    // no loss: a record leaves its FIFO only with its last beat (none for an inactive lane)
    if (|pop_o && pix_valid)  assert (last ? sum_fire : y_fire);
    if (|pop_o && !pix_valid) assert (!f_ysent && !y_fire && !sum_fire);
    // induction helper: the summary phase is "last-step sample sent, record not popped yet"
    assert (phase_q == f_ysent);
    if (phase_q) assert (have && pix_valid && last);
  end

  // AXI-stream rule on both outputs: a beat is held, unchanged, until accepted.
  always @(posedge clk_i) if (f_past_valid && !rst_i && !$past(rst_i)) begin
    if ($past(y_valid_o && !y_ready_i))
      assert (y_valid_o && $stable(y_data_o) && $stable(y_tag_o) && $stable(y_step_o));
    if ($past(sum_valid_o && !sum_ready_i))
      assert (sum_valid_o && $stable(sum_data_o) && $stable(sum_tag_o) && $stable(sum_first_o));
  end

  // Reachability: a summary after its sample, both held under back-pressure, an inactive lane
  // dropped, the lane pointer wrapping back to lane 0.
  always @* if (f_past_valid && !rst_i) begin
    cover (sum_fire);
    cover (y_valid_o && !y_ready_i && f_npop != 0);
    cover (sum_valid_o && !sum_ready_i);
    cover (drop);
    cover (done && ptr_q == LastLane && f_npop >= Lanes);   // the second round
  end
`endif
endmodule
`default_nettype wire
