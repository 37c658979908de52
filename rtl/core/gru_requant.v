// gru_requant: the requantizer of docs/numerics.md, q = rshr(a * M, S) + b
//   = (a*M + b*2^S + 2^(S-1)) >>> S, exact at Width bits and not saturated (the caller
//   saturates where numerics.md does), for a signed AWidth-bit a, an unsigned 16-bit M and a
//   signed 16-bit b. Used by the gate unit (sum * M_g + b_g and a_in * M_n + b_in) and the head
//   (acc_c * M_c + b_c).
// a*M is split into two exact products: a = hi * 2^17 + lo with lo = a[16:0] unsigned,
//   a*M = hi*M*2^17 + lo*M. Where each one is computed (Dsps):
//   2: both on a MULT18X18D (rtl/mult18_oreg.v, input and output registers);
//   1: lo*M on a MULT18X18D, hi*M (AWidth-17 <= 8 bits x 16) as LUT shift-and-add;
//   0: both as LUT shift-and-add (for a requantizer that is rarely busy: the head's).
//   The LUT products have the DSP's latency: operands registered (R1), two half sums of the
//   partial products registered (R2), added in R3.
// Latency: a_i, m_i, b_i presented in cycle t (R0; they should leave registers) -> q_o valid
//   (combinational, from registers) in cycle t+3 (R3):
//   R1 a, M in the MULT18X18D input registers (or fabric registers) | R2 hi*M, lo*M in its
//   output registers (or the LUT half sums) | R3 hi*M*2^17 + lo*M registered (an addition of
//   the AWidth-1 bits above the low 17); q_o = (a*M >>> S) + b + bit S-1 of a*M, one addition
//   of about AWidth + 17 - S bits after the register. b is delayed by three registers to R3.
//   Throughput one operand set per enabled cycle; Dsps MULT18X18D.
// Interface: ce_i advances every register (the caller's clock enable). q_o is the result
//   sign-extended to Width bits (the callers pass their own wide-operand width, FpW).
`default_nettype none
module gru_requant #(
  parameter integer AWidth  = 24,
  parameter integer Width   = 44,
  parameter integer RqShift = 16,
  parameter integer Dsps    = 2
) (
  input  wire                     clk_i,
  input  wire                     ce_i,
  input  wire signed [AWidth-1:0] a_i,      // R0
  input  wire        [15:0]       m_i,      // R0
  input  wire signed [15:0]       b_i,      // R0
  output wire signed [Width-1:0]  q_o       // R3
);
  localparam integer HiW = AWidth - 17;     // high part of a (signed), low 17 bits unsigned
  localparam integer FpW = Width;

  generate
    if (HiW < 1 || HiW > 18 || RqShift < 0 || RqShift > 40 || Width < HiW + 34 ||
        Dsps < 0 || Dsps > 2 || (Dsps < 2 && HiW > 8)) begin : g_bad_params
      gru_requant_needs_a_width_18_to_35_rq_shift_0_to_40_and_room u_stop ();
    end
  endgenerate

  /* verilator lint_off UNUSEDSIGNAL */  // R3 uses the low AWidth + 16 bits (lo*M) and AWidth - 1 (hi*M)
  wire signed [FpW-1:0] plo_x, phi_x;      // R2 (R3 adds them)
  /* verilator lint_on UNUSEDSIGNAL */
  generate
    if (Dsps >= 1) begin : g_lo_dsp
      wire signed [34:0] plo_q;             // lo * M (18 x 17)
      mult18_oreg #(.AWidth(18), .BWidth(17), .InReg(1)) u_mul_lo (.clk_i(clk_i), .ce_i(ce_i),
        .a_i({1'b0, a_i[16:0]}), .b_i({1'b0, m_i}), .p_o(plo_q));
      assign plo_x = {{(FpW-35){plo_q[34]}}, plo_q};
    end else begin : g_lo_lut
      // lo * M = sum over the 16 bits j of M of lo * M[j] * 2^j (all unsigned): R1 four quarter
      // sums of 4 partial products each (from the caller's registers: two adder levels), R2 two
      // half sums, R3 adds them (with hi * M * 2^17)
      reg [20:0] lq_q [0:3];                // lo * M[4i+3:4i]
      reg [24:0] lh_q [0:1];                // lo * M[8i+7:8i]
      integer i;
      always @(posedge clk_i) begin
        if (ce_i) begin
          for (i = 0; i < 4; i = i + 1)
            lq_q[i] <= ({4'd0, m_i[4*i]     ? a_i[16:0] : 17'd0}        +
                        {3'd0, m_i[4*i + 1] ? a_i[16:0] : 17'd0, 1'b0}) +
                       ({2'd0, m_i[4*i + 2] ? a_i[16:0] : 17'd0, 2'd0}  +
                        {1'd0, m_i[4*i + 3] ? a_i[16:0] : 17'd0, 3'd0});
          for (i = 0; i < 2; i = i + 1)
            lh_q[i] <= {4'd0, lq_q[2*i]} + {lq_q[2*i + 1], 4'd0};
        end
      end
      wire [33:0] lo_sum = {9'd0, lh_q[0]} + {1'b0, lh_q[1], 8'd0};   // lo * M < 2^33
      assign plo_x = $signed({{(FpW-34){1'b0}}, lo_sum});
    end
    if (Dsps >= 2) begin : g_hi_dsp
      wire signed [HiW+16:0] phi_q;         // hi * M
      mult18_oreg #(.AWidth(HiW), .BWidth(17), .InReg(1)) u_mul_hi (.clk_i(clk_i), .ce_i(ce_i),
        .a_i(a_i[AWidth-1:17]), .b_i({1'b0, m_i}), .p_o(phi_q));
      assign phi_x = {{(FpW-HiW-17){phi_q[HiW+16]}}, phi_q};
    end else begin : g_hi_lut
      // hi * M (hi signed, at most 8 bits) = sum over the bits k of hi of hi[k] * M * 2^k, the
      // sign bit weighing -2^(HiW-1): R1 operands registered (the DSP's input registers), R2 two
      // half sums of up to 4 partial products (two adder levels), R3 adds them.
      // The negative term -(M * 2^s) (s = HiW-1) is ~(M * 2^s) + 1: the partial product is the
      // complement (no negation, which would be a carry chain of its own) and the + 1 is the
      // carry-in of the first-level addition of its pair ({x, 1} + {y, c}: bits above bit 0 are
      // x + y + c).
      localparam integer HPW = HiW + 17;    // hi * M, signed
      localparam integer SignPair = (HiW - 1) / 2;
      reg [HiW-1:0]         hi1_q;
      reg [15:0]            m1_q;
      reg signed [HPW-1:0]  hs_q [0:1];
      wire signed [HPW-1:0] t [0:7];
      wire        [HPW:0]   pair [0:3];     // t[2p] + t[2p+1] (+ 1 for the sign term's pair), bit 0 dropped
      wire                  neg = hi1_q[HiW-1];
      genvar k;
      for (k = 0; k < 8; k = k + 1) begin : g_pp
        if (k < HiW - 1) begin : g_pos
          assign t[k] = hi1_q[k] ? ($signed({{(HPW-16){1'b0}}, m1_q}) <<< k) : {HPW{1'b0}};
        end else if (k == HiW - 1) begin : g_neg
          assign t[k] = neg ? ~($signed({{(HPW-16){1'b0}}, m1_q}) <<< k) : {HPW{1'b0}};
        end else begin : g_none
          assign t[k] = {HPW{1'b0}};
        end
      end
      for (k = 0; k < 4; k = k + 1) begin : g_pair
        assign pair[k] = {t[2*k], 1'b1} + {t[2*k + 1], (k == SignPair) ? neg : 1'b0};
      end
      always @(posedge clk_i) begin
        if (ce_i) begin
          hi1_q    <= a_i[AWidth-1:17];
          m1_q     <= m_i;
          hs_q[0]  <= $signed(pair[0][HPW:1]) + $signed(pair[1][HPW:1]);
          hs_q[1]  <= $signed(pair[2][HPW:1]) + $signed(pair[3][HPW:1]);
        end
      end
      wire signed [HPW-1:0] hi_sum = hs_q[0] + hs_q[1];   // hi * M: fits HPW bits
      assign phi_x = {{(FpW-HPW){hi_sum[HPW-1]}}, hi_sum};
    end
  endgenerate

  // R3: a*M = hi*M*2^17 + lo*M. The low 17 bits are those of lo*M (nothing is added to them),
  //   so only the bits above take an addition, PW - 17 = AWidth - 1 bits wide: hi*M (fits them)
  //   plus lo*M >>> 17 (< 2^16). PW = AWidth + 16 holds a*M (|a| <= 2^(AWidth-1), M < 2^16).
  localparam integer PW = AWidth + 16;
  reg signed [PW-1:0]   pr_q;            // R3: a * M
  reg signed [15:0]     b1_q, b2_q, b3_q;
  wire signed [PW-18:0] pr_hi = phi_x[PW-18:0] + plo_x[PW-1:17];
  always @(posedge clk_i) begin
    if (ce_i) begin
      pr_q <= {pr_hi, plo_x[16:0]};
      b1_q <= b_i;
      b2_q <= b1_q;
      b3_q <= b2_q;
    end
  end
  // After R3: q = (a*M + b*2^S + 2^(S-1)) >>> S = (a*M >>> S) + b + c with c = bit S-1 of a*M
  //   (the carry out of its low S bits plus 2^(S-1)): one addition QW bits wide with c as its
  //   carry-in (the bits above bit 0 of {x, 1} + {y, c} are x + y + c), not one over the Width
  //   bits of the whole sum, so the carry chain after R3 stays short. QW holds the result.
  localparam integer QW = ((PW - RqShift > 16) ? PW - RqShift : 16) + 1;
  wire signed [QW-1:0] pr_s = {{(QW-PW+RqShift){pr_q[PW-1]}}, pr_q[PW-1:RqShift]};   // a*M >>> S
  wire signed [QW-1:0] b_s  = {{(QW-16){b3_q[15]}}, b3_q};
  wire                 c_s  = (RqShift > 0) ? pr_q[(RqShift > 0) ? RqShift - 1 : 0] : 1'b0;
  /* verilator lint_off UNUSEDSIGNAL */  // bit 0 only carries c
  wire signed [QW:0]   q_c  = {pr_s, 1'b1} + {b_s, c_s};
  /* verilator lint_on UNUSEDSIGNAL */
  wire signed [QW-1:0] q_n  = q_c[QW:1];
  assign q_o = {{(Width-QW){q_n[QW-1]}}, q_n};
  generate
    if (Width < QW) begin : g_bad_width
      gru_requant_width_cannot_hold_the_result u_stop ();
    end
  endgenerate
endmodule
`default_nettype wire
