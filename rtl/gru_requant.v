// gru_requant: the requantizer of docs/numerics.md, q = rshr(a * M, S) + b
//   = (a*M + b*2^S + 2^(S-1)) >>> S, exact at Width bits and not saturated (the caller
//   saturates where numerics.md does), for a signed AWidth-bit a, an unsigned 16-bit M and a
//   signed 16-bit b. Used by the gate unit (sum * M_g + b_g and a_in * M_n + b_in) and the head
//   (acc_c * M_c + b_c).
// a*M is split into two products that each fit one MULT18X18D (rtl/mult18_oreg.v, input and
//   output registers): a = hi * 2^17 + lo with lo = a[16:0] unsigned, a*M = hi*M*2^17 + lo*M.
// Latency: a_i, m_i, b_i presented in cycle t (R0; they should leave registers) -> q_o valid
//   (combinational, from registers) in cycle t+3 (R3):
//   R1 a, M in the MULT18X18D input registers | R2 hi*M, lo*M in its output registers |
//   R3 hi*M*2^17 + lo*M registered; q_o = (. + b*2^S + 2^(S-1)) >>> S (b*2^S + 2^(S-1) is
//   wiring, so one addition after the register). b is delayed by three registers to R3.
//   Throughput one operand set per enabled cycle; 2 MULT18X18D.
// Interface: ce_i advances every register (the caller's clock enable). Width must hold
//   a*M + b*2^S + 2^(S-1) (the callers pass their own wide-operand width, FpW).
`default_nettype none
module gru_requant #(
  parameter integer AWidth  = 24,
  parameter integer Width   = 44,
  parameter integer RqShift = 16
) (
  input  wire                     clk_i,
  input  wire                     ce_i,
  input  wire signed [AWidth-1:0] a_i,      // R0
  input  wire        [15:0]       m_i,      // R0
  input  wire signed [15:0]       b_i,      // R0
  output wire signed [Width-1:0]  q_o       // R3
);
  localparam integer HiW = AWidth - 17;     // high part of a (signed), low 17 bits unsigned
  localparam integer FpW = Width;           // for fixed_point.vh

  generate
    if (HiW < 1 || HiW > 18 || RqShift < 0 || RqShift > 40 || Width < HiW + 34) begin : g_bad_params
      gru_requant_needs_a_width_18_to_35_rq_shift_0_to_40_and_room u_stop ();
    end
  endgenerate

`include "fixed_point.vh"

  wire signed [34:0]       plo_q;        // R2: lo * M (18 x 17)
  wire signed [HiW+16:0]   phi_q;        //     hi * M
  mult18_oreg #(.AWidth(18), .BWidth(17), .InReg(1)) u_mul_lo (.clk_i(clk_i), .ce_i(ce_i),
    .a_i({1'b0, a_i[16:0]}), .b_i({1'b0, m_i}), .p_o(plo_q));
  mult18_oreg #(.AWidth(HiW), .BWidth(17), .InReg(1)) u_mul_hi (.clk_i(clk_i), .ce_i(ce_i),
    .a_i(a_i[AWidth-1:17]), .b_i({1'b0, m_i}), .p_o(phi_q));

  wire signed [FpW-1:0] plo_x = {{(FpW-35){plo_q[34]}}, plo_q};
  wire signed [FpW-1:0] phi_x = {{(FpW-HiW-17){phi_q[HiW+16]}}, phi_q};
  reg signed [FpW-1:0]  pr_q;            // R3: a * M
  reg signed [15:0]     b1_q, b2_q, b3_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      pr_q <= (phi_x <<< 17) + plo_x;
      b1_q <= b_i;
      b2_q <= b1_q;
      b3_q <= b2_q;
    end
  end
  wire signed [FpW-1:0] b_x = ($signed({{(FpW-16){b3_q[15]}}, b3_q}) <<< RqShift) | fp_half(RqShift);
  assign q_o = (pr_q + b_x) >>> RqShift;
endmodule
`default_nettype wire
