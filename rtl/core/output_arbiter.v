// output_arbiter: drains the per-lane result FIFOs in lane order (all lanes of a decoder step,
//   then the next step), sending every record's SFD sample to the y stream and, for a pixel's
//   last step, its summary to the summary stream afterwards. Records of inactive lanes
//   (pixel-valid bit clear) are dropped.
// Record: {pix_valid, last, step[7:0], tag, y[47:0], sum[3*SumWidth-1:0], first[47:0]}.
// Interface: show-ahead FIFO heads in, pops out; valid/ready out (one beat per cycle at most;
//   the caller adds skid buffers). A beat is offered until accepted; nothing is lost.
`default_nettype none
module output_arbiter #(
  parameter integer Lanes    = 2,
  parameter integer TagWidth = 16,
  parameter integer SumWidth = 24,
  parameter integer RecWidth = 2 + 8 + TagWidth + 48 + 3 * SumWidth + 48
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
  output wire [3*SumWidth-1:0]     sum_data_o,
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
  assign y_data_o    = rec[3*SumWidth+48 +: 48];
  assign sum_tag_o   = y_tag_o;
  assign sum_data_o  = rec[48 +: 3*SumWidth];
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
endmodule
`default_nettype wire
