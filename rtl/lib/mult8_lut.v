// mult8_lut: signed 8 x 8 -> 16-bit product in logic cells (no MULT18X18D), with the latency
//   and clock enable of mult18_oreg #(.AWidth(8), .BWidth(8), .InReg(1)): p_o is a*b of the
//   operands two enabled cycles earlier, bit for bit. The MAC rows use either; the last LutRows
//   rows of each lane use this one where the device has fewer multipliers than the array needs
//   (docs/architecture.md). Cost on the ECP5 ≈ 66 LUT4 + 40 CCU2C + 56 FF; 181 MHz alone at -6.
// Stage 1: b in four 2-bit digits, each digit's partial product s_k = b_2k·a + 2·b_2k+1·a (the
//   top digit's high bit is b's sign: −2·b_7·a), one adder deep; stage 2: the digits' sum
//   s_0 + 4·s_1 + 16·(s_2 + 4·s_3), two adders deep. No `*`: Yosys would use a MULT18X18D.
// Interface: clk_i, ce_i; a_i, b_i signed operands; p_o the registered product.
`default_nettype none
module mult8_lut (
  input  wire               clk_i,
  input  wire               ce_i,
  input  wire signed [7:0]  a_i,
  input  wire signed [7:0]  b_i,
  output wire signed [15:0] p_o
);
  wire signed [9:0] a1 = {{2{a_i[7]}}, a_i};   // a, 10 bits: |digit · a| <= 3 · 128
  wire signed [9:0] a2 = {a_i[7], a_i, 1'b0};  // 2a
  wire signed [9:0] zero = 10'sd0;
  wire signed [9:0] s0 = (b_i[0] ? a1 : zero) + (b_i[1] ? a2 : zero);
  wire signed [9:0] s1 = (b_i[2] ? a1 : zero) + (b_i[3] ? a2 : zero);
  wire signed [9:0] s2 = (b_i[4] ? a1 : zero) + (b_i[5] ? a2 : zero);
  wire signed [9:0] s3 = (b_i[6] ? a1 : zero) - (b_i[7] ? a2 : zero);   // b_7 weighs −2^7

  reg signed [9:0]  s0_q, s1_q, s2_q, s3_q;
  reg signed [15:0] p_q;
  wire signed [15:0] low  = {{6{s0_q[9]}}, s0_q} + {{4{s1_q[9]}}, s1_q, 2'b00};
  wire signed [11:0] high = {{2{s2_q[9]}}, s2_q} + {s3_q, 2'b00};
  always @(posedge clk_i) begin
    if (ce_i) begin
      s0_q <= s0;
      s1_q <= s1;
      s2_q <= s2;
      s3_q <= s3;
      p_q  <= low + {high, 4'b0000};
    end
  end
  assign p_o = p_q;
endmodule
`default_nettype wire
