// pipelined_divider: unsigned restoring division, one quotient bit per stage, one division
//   per enabled cycle: quot_o = floor(num / den) for num < den · 2^QuotWidth (den > 0).
// Latency: QuotWidth enabled cycles from valid_i to valid_o; side_i travels alongside.
// Interface: no handshake: every stage moves when en_i is high (the caller's stall), so a
//   value is never lost or duplicated; the range condition is asserted in simulation. busy_o:
//   a division is in one of the stages.
`default_nettype none
module pipelined_divider #(
  parameter integer NumWidth  = 32,
  parameter integer DenWidth  = 24,
  parameter integer QuotWidth = 8,
  parameter integer SideWidth = 1
) (
  input  wire                 clk_i,
  input  wire                 rst_i,
  input  wire                 en_i,
  input  wire                 valid_i,
  input  wire [NumWidth-1:0]  num_i,
  input  wire [DenWidth-1:0]  den_i,
  input  wire [SideWidth-1:0] side_i,
  output wire                 valid_o,
  output wire [QuotWidth-1:0] quot_o,
  output wire [SideWidth-1:0] side_o,
  output wire                 busy_o     // a division is in a stage
);
  generate
    if (QuotWidth < 1 || DenWidth < 1 || NumWidth < 1) begin : g_bad_params
      pipelined_divider_bad_parameters u_stop ();   // no such module: stops elaboration
    end
  endgenerate

  // the remainder is always < den · 2^(stage bits left): RemW bits hold it
  localparam integer RemW = DenWidth + QuotWidth;

  reg                 valid_q [0:QuotWidth-1];
  reg [RemW-1:0]      rem_q   [0:QuotWidth-1];
  reg [DenWidth-1:0]  den_q   [0:QuotWidth-1];
  reg [QuotWidth-1:0] quot_q  [0:QuotWidth-1];
  reg [SideWidth-1:0] side_q  [0:QuotWidth-1];

  /* verilator lint_off WIDTH */
  wire [RemW-1:0] num_ext = num_i;
  /* verilator lint_on WIDTH */

  wire [QuotWidth-1:0] stage_valid;   // a division in stage s
  genvar s;
  generate
    for (s = 0; s < QuotWidth; s = s + 1) begin : g_stage
      // stage s decides quotient bit QuotWidth-1-s
      localparam integer Bit = QuotWidth - 1 - s;
      wire [RemW-1:0]      rem_in  = (s == 0) ? num_ext : rem_q[(s == 0) ? 0 : s - 1];
      wire [DenWidth-1:0]  den_in  = (s == 0) ? den_i : den_q[(s == 0) ? 0 : s - 1];
      wire [QuotWidth-1:0] quot_in = (s == 0) ? {QuotWidth{1'b0}} : quot_q[(s == 0) ? 0 : s - 1];
      wire [SideWidth-1:0] side_in = (s == 0) ? side_i : side_q[(s == 0) ? 0 : s - 1];
      wire                 vin     = (s == 0) ? valid_i : valid_q[(s == 0) ? 0 : s - 1];
      /* verilator lint_off WIDTH */
      wire [RemW:0] shifted = {1'b0, den_in} << Bit;
      /* verilator lint_on WIDTH */
      wire take = {1'b0, rem_in} >= shifted;
      assign stage_valid[s] = valid_q[s];
      always @(posedge clk_i) begin
        if (en_i) begin
          /* verilator lint_off WIDTH */
          rem_q[s]  <= take ? rem_in - shifted[RemW-1:0] : rem_in;
          /* verilator lint_on WIDTH */
          den_q[s]  <= den_in;
          quot_q[s] <= quot_in | (take ? ({{(QuotWidth-1){1'b0}}, 1'b1} << Bit) : {QuotWidth{1'b0}});
          side_q[s] <= side_in;
          valid_q[s] <= vin;
        end
        if (rst_i) valid_q[s] <= 1'b0;
      end
    end
  endgenerate

  assign valid_o = valid_q[QuotWidth-1];
  assign busy_o = |stage_valid;
  assign quot_o  = quot_q[QuotWidth-1];
  assign side_o  = side_q[QuotWidth-1];

`ifndef SYNTHESIS
  // the quotient must fit: num < den · 2^QuotWidth
  always @(posedge clk_i) begin
    if (!rst_i && en_i && valid_i) begin
      /* verilator lint_off WIDTH */
      if (den_i == 0 || (num_i >> QuotWidth) >= den_i) begin
      /* verilator lint_on WIDTH */
        $display("pipelined_divider: num %0d out of range for den %0d (QuotWidth %0d)", num_i, den_i, QuotWidth);
        $stop;
      end
    end
  end
`endif
endmodule
`default_nettype wire
