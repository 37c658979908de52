// dense_head_lane: one lane's Dense(3) head (docs/numerics.md §7) and per-pixel summary.
//   Three int8 x int8 products per cycle in LUTs (the broadcast 24-bit head word x view(h) of
//   this lane's top-layer state element), accumulated over H cycles; then y_c = sat16(rshr(acc_c * M_c, S) + b_c) for
//   c = 0, 1, 2 on one shared, pipelined requantizer (LUT products: no MULT18X18D); then the running summary
//   (sum over decoder steps and the value at step 0, per channel).
// Pipeline (issue of element k at cycle i, like gru_mac_lane): RAM read (i), operand (i+1),
//   products (i+2, two half sums), accumulate (i+3, both added); phases ph_i[0..7] after the
//   last element's accumulate:
//   channel c: ph_c acc_c, M_c, b_c to registers | ph_c+1 .. ph_c+4 the requantizer
//   (rtl/gru_requant.v: MULT18X18D input registers, the two 18x18 products, hi*2^17 + lo) |
//   ph_c+4 y_c = sat16((. + b_c*2^S + 2^(S-1)) >>> S); ph7 result valid (y_o, sum_o, first_o,
//   cum_o).
// cum_o (docs/numerics.md §7a): the sum over the steps before this one of channel 0's running sum,
//   C_t = sum_{u<t} P_u with P_u = sum_{j<=u} y0[j]; after the last step (N = 135)
//   C = sum_j (N-1-j) y0[j], so the host has the whole decay's step moment (N-1) S0 - C. One adder:
//   in ph7 of step t, sum_q[0] still holds P_(t-1).
// Interface: hp_word_i = head_params word {M_c, b_c} of channel c valid in ph_c.
`default_nettype none
module dense_head_lane #(
  parameter integer AccWidth = 24,
  parameter integer RqShift  = 16,
  parameter integer SumWidth = 24,
  parameter integer CumWidth = 32     // |C| <= 32768 * 9045 < 2^29
) (
  input  wire                    clk_i,
  input  wire                    ce_i,
  input  wire [7:0]              s_rdata_i,      // i+1, view(h) of the state (int8 Q0.7)
  input  wire [23:0]             w_s2_i,         // i+2
  input  wire                    v_s3_i,         // i+3
  input  wire                    first_s3_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [7:0]              ph_i,           // ph3 has no action of its own
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire [31:0]             hp_word_i,
  input  wire                    step0_i,        // the result of ph7 is decoder step 0
  output wire [47:0]             y_o,            // {y2, y1, y0}
  output wire [3*SumWidth-1:0]   sum_o,          // {sum2, sum1, sum0} including this step
  output wire [47:0]             first_o,        // {y2, y1, y0} of step 0
  output wire [CumWidth-1:0]     cum_o           // C_t of this step (above)
);
  localparam integer HiW = AccWidth - 17;      // high part of acc (signed), low 17 bits unsigned
  localparam integer PrW = AccWidth + 17;
  localparam integer FpW = PrW + 3;             // room for the rounding term and the bias

  generate
    if (HiW < 1 || HiW > 18 || RqShift < 0 || RqShift > 40) begin : g_bad_params
      dense_head_lane_needs_acc_width_18_to_35_and_rq_shift_0_to_40 u_stop ();
    end
    if (CumWidth < SumWidth + 8) begin : g_bad_cum   // 134 running sums of SumWidth bits
      dense_head_lane_needs_cum_width_at_least_sum_width_plus_8 u_stop ();
    end
  endgenerate

`include "fixed_point.vh"

  // int8 x int8 as shift-and-add: the head's three products per lane go to LUTs, so the
  // MULT18X18D blocks stay with the MAC array (the only `*` here is the requantizer). The adder
  // tree is split over two stages: the product stage forms the two half sums a·b[3:0] and
  // a·b[7:4]·2^4 (b[7] weighs -2^7), the accumulate stage adds both to the accumulator. Every
  // value fits 16 bits (|a·b[3:0]| <= 1920, |a·b[7:4]·16| <= 16384), so acc gets a·b exactly.
  function signed [15:0] mul8_half;
    input signed [7:0] a;
    input [3:0]        b;      // the nibble
    input              top;    // the high nibble: weights 2^4..2^7, the last one negative
    reg [15:0] ax, p0, p1, p2, p3;
    begin
      ax = {{8{a[7]}}, a} << (top ? 4 : 0);
      p0 = b[0] ? ax        : 16'd0;
      p1 = b[1] ? ax << 1   : 16'd0;
      p2 = b[2] ? ax << 2   : 16'd0;
      p3 = b[3] ? (top ? -(ax << 3) : ax << 3) : 16'd0;
      mul8_half = (p0 + p1) + (p2 + p3);   // adder tree, 2 levels
    end
  endfunction

  reg signed [7:0]          opnd_q;
  reg signed [15:0]         prod_lo_q [0:2];    // a·b[3:0]
  reg signed [15:0]         prod_hi_q [0:2];    // a·b[7:4]·2^4
  reg signed [AccWidth-1:0] acc_q  [0:2];
  reg signed [AccWidth-1:0] ra_q;                 // requantizer operands (ph_c)
  reg        [15:0]         rm_q;
  reg signed [15:0]         rb_q;
  wire signed [FpW-1:0]     rq;                   // ph_c+4: rshr(acc_c * M_c, S) + b_c
  reg signed [15:0]         y_q    [0:2];
  reg signed [SumWidth-1:0] sum_q  [0:2];
  reg signed [15:0]         first_q [0:2];
  reg signed [CumWidth-1:0] cum_q;

  wire [1:0] ch = ph_i[0] ? 2'd0 : (ph_i[1] ? 2'd1 : (ph_i[2] ? 2'd2 : 2'd0));
  wire signed [15:0] y_new = fp_sat16(rq);

  genvar c;
  generate
    for (c = 0; c < 3; c = c + 1) begin : g_ch
      wire signed [7:0] w_c = w_s2_i[8*c +: 8];
      wire signed [AccWidth-1:0] lo_ext = {{(AccWidth-16){prod_lo_q[c][15]}}, prod_lo_q[c]};
      wire signed [AccWidth-1:0] hi_ext = {{(AccWidth-16){prod_hi_q[c][15]}}, prod_hi_q[c]};
      wire signed [AccWidth-1:0] acc_base = first_s3_i ? {AccWidth{1'b0}} : acc_q[c];
      wire signed [SumWidth-1:0] sum_d = (step0_i ? {SumWidth{1'b0}} : sum_q[c]) +
                                         {{(SumWidth-16){y_q[c][15]}}, y_q[c]};
      always @(posedge clk_i) begin
        if (ce_i) begin
          prod_lo_q[c] <= mul8_half(w_c, opnd_q[3:0], 1'b0);
          prod_hi_q[c] <= mul8_half(w_c, opnd_q[7:4], 1'b1);
          if (v_s3_i) acc_q[c] <= (acc_base + lo_ext) + hi_ext;
          if (ph_i[c + 4]) y_q[c] <= y_new;
          if (ph_i[7]) begin
            sum_q[c] <= sum_d;
            if (step0_i) first_q[c] <= y_q[c];
          end
        end
      end
      assign y_o[16*c +: 16]             = y_q[c];
      assign sum_o[SumWidth*c +: SumWidth] = sum_d;
      assign first_o[16*c +: 16]         = step0_i ? y_q[c] : first_q[c];
    end
  endgenerate

  // C_t = C_(t-1) + P_(t-1), zero at step 0 (both operands cleared there)
  wire signed [CumWidth-1:0] cum_d = step0_i ? {CumWidth{1'b0}} :
                                     cum_q + {{(CumWidth-SumWidth){sum_q[0][SumWidth-1]}}, sum_q[0]};
  always @(posedge clk_i) if (ce_i && ph_i[7]) cum_q <= cum_d;
  assign cum_o = cum_d;

  // the requantizer (rtl/gru_requant.v, Dsps 0: both products in LUTs; it is busy 3 cycles
  // per decoder step): operands of channel c in ph_c+1, result in ph_c+4
  gru_requant #(.AWidth(AccWidth), .Width(FpW), .RqShift(RqShift), .Dsps(0)) u_rq (
    .clk_i(clk_i), .ce_i(ce_i), .a_i(ra_q), .m_i(rm_q), .b_i(rb_q), .q_o(rq));

  always @(posedge clk_i) begin
    if (ce_i) begin
      opnd_q <= s_rdata_i;      // view(h), numerics §2, from the operand RAM
      // the requantizer runs every cycle; y_q[c] takes its result in ph_c+4
      ra_q  <= acc_q[ch];
      rm_q  <= hp_word_i[31:16];
      rb_q  <= hp_word_i[15:0];
    end
  end
endmodule
`default_nettype wire
