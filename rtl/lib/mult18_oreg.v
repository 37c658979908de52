// mult18_oreg: signed AWidth x BWidth product (both <= 18 bits) on one MULT18X18D, with the
//   block's own output register: p_o <= a_i * b_i in every cycle with ce_i (latency 1), exactly
//   as `always @(posedge clk_i) if (ce_i) p_q <= a_i * b_i`, which is the simulation model.
//   InReg = 1 also uses the block's input registers (latency 2: a_i, b_i are registered in the
//   DSP, so the route from the fabric into the DSP column ends at a register, not the multiplier).
// Why: Yosys maps `*` to a MULT18X18D without registers, so a register after it sits in the
//   fabric, and the multiplier delay (3.9 ns at -6) plus the routing into and out of the DSP
//   column made the critical path (84.6 MHz on the 25F). With the output register inside the
//   DSP, the path is register -> routing -> multiplier -> register, and the routing from the
//   DSP to the next stage starts at a register (docs/architecture.md, Timing).
// Synthesis (SYNTHESIS defined, Yosys): the primitive; elsewhere the behavioural register.
`default_nettype none
module mult18_oreg #(
  parameter integer AWidth = 18,
  parameter integer BWidth = 18,
  parameter integer InReg  = 0
) (
  input  wire                            clk_i,
  input  wire                            ce_i,
  input  wire signed [AWidth-1:0]        a_i,
  input  wire signed [BWidth-1:0]        b_i,
  output wire signed [AWidth+BWidth-1:0] p_o
);
  generate
    if (AWidth < 1 || AWidth > 18 || BWidth < 1 || BWidth > 18 || InReg < 0 || InReg > 1) begin : g_bad_params
      mult18_oreg_needs_operands_of_1_to_18_bits u_stop ();
    end
  endgenerate

`ifdef SYNTHESIS
  localparam [8*4-1:0] RegIn = (InReg != 0) ? "CLK0" : "NONE";
  wire [17:0] a_x = {{(18-AWidth){a_i[AWidth-1]}}, a_i};
  wire [17:0] b_x = {{(18-BWidth){b_i[BWidth-1]}}, b_i};
  wire [35:0] p_x;
  MULT18X18D #(
    .REG_INPUTA_CLK(RegIn), .REG_INPUTA_CE("CE0"), .REG_INPUTA_RST("RST0"),
    .REG_INPUTB_CLK(RegIn), .REG_INPUTB_CE("CE0"), .REG_INPUTB_RST("RST0"),
    .REG_INPUTC_CLK("NONE"),
    .REG_PIPELINE_CLK("NONE"),
    .REG_OUTPUT_CLK("CLK0"), .REG_OUTPUT_CE("CE0"), .REG_OUTPUT_RST("RST0"),
    .CLK0_DIV("ENABLED"), .CLK1_DIV("ENABLED"), .CLK2_DIV("ENABLED"), .CLK3_DIV("ENABLED"),
    .GSR("DISABLED"), .RESETMODE("SYNC"), .MULT_BYPASS("DISABLED"),
    .SOURCEB_MODE("B_SHIFT"), .CAS_MATCH_REG("FALSE"), .HIGHSPEED_CLK("NONE")
  ) u_mult (
      .A0(a_x[0]), .A1(a_x[1]), .A2(a_x[2]), .A3(a_x[3]), .A4(a_x[4]), .A5(a_x[5]),
      .A6(a_x[6]), .A7(a_x[7]), .A8(a_x[8]), .A9(a_x[9]), .A10(a_x[10]), .A11(a_x[11]),
      .A12(a_x[12]), .A13(a_x[13]), .A14(a_x[14]), .A15(a_x[15]), .A16(a_x[16]), .A17(a_x[17]),
      .B0(b_x[0]), .B1(b_x[1]), .B2(b_x[2]), .B3(b_x[3]), .B4(b_x[4]), .B5(b_x[5]),
      .B6(b_x[6]), .B7(b_x[7]), .B8(b_x[8]), .B9(b_x[9]), .B10(b_x[10]), .B11(b_x[11]),
      .B12(b_x[12]), .B13(b_x[13]), .B14(b_x[14]), .B15(b_x[15]), .B16(b_x[16]), .B17(b_x[17]),
      .C0(1'b0), .C1(1'b0), .C2(1'b0), .C3(1'b0), .C4(1'b0), .C5(1'b0),
      .C6(1'b0), .C7(1'b0), .C8(1'b0), .C9(1'b0), .C10(1'b0), .C11(1'b0),
      .C12(1'b0), .C13(1'b0), .C14(1'b0), .C15(1'b0), .C16(1'b0), .C17(1'b0),
      .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
      .CLK0(clk_i), .CE0(ce_i), .RST0(1'b0),
      // CLK1-3, CE1-3, RST1-3 and the cascade inputs SRIA/SRIB stay unconnected, as in Yosys'
      // own mapping (lattice/dsp_map_18x18.v): tied to 0 they are not routable from the fabric
      .P0(p_x[0]), .P1(p_x[1]), .P2(p_x[2]), .P3(p_x[3]), .P4(p_x[4]), .P5(p_x[5]),
      .P6(p_x[6]), .P7(p_x[7]), .P8(p_x[8]), .P9(p_x[9]), .P10(p_x[10]), .P11(p_x[11]),
      .P12(p_x[12]), .P13(p_x[13]), .P14(p_x[14]), .P15(p_x[15]), .P16(p_x[16]), .P17(p_x[17]),
      .P18(p_x[18]), .P19(p_x[19]), .P20(p_x[20]), .P21(p_x[21]), .P22(p_x[22]), .P23(p_x[23]),
      .P24(p_x[24]), .P25(p_x[25]), .P26(p_x[26]), .P27(p_x[27]), .P28(p_x[28]), .P29(p_x[29]),
      .P30(p_x[30]), .P31(p_x[31]), .P32(p_x[32]), .P33(p_x[33]), .P34(p_x[34]), .P35(p_x[35]));
  assign p_o = p_x[AWidth+BWidth-1:0];
`else
  reg signed [AWidth-1:0]        a_q;
  reg signed [BWidth-1:0]        b_q;
  reg signed [AWidth+BWidth-1:0] p_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      a_q <= a_i;
      b_q <= b_i;
      p_q <= (InReg != 0) ? a_q * b_q : a_i * b_i;
    end
  end
  assign p_o = p_q;
`endif
endmodule
`default_nettype wire
