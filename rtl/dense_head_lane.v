// dense_head_lane: one lane's Dense(3) head (docs/numerics.md §7) and per-pixel summary.
//   Three int8 x int8 products per cycle in LUTs (the broadcast 24-bit head word x view(h) of
//   this lane's top-layer state element), accumulated over H cycles; then y_c = sat16(rshr(acc_c * M_c, S) + b_c) for
//   c = 0, 1, 2 on one shared requantization multiplier; then the running summary
//   (sum over decoder steps and the value at step 0, per channel).
// Pipeline (issue of element k at cycle i, like gru_mac_lane): RAM read (i), operand (i+1),
//   products (i+2), accumulate (i+3); phases ph_i[0..4] after the last element's accumulate:
//   ph0 M0 product, ph1 y0 + M1, ph2 y1 + M2, ph3 y2, ph4 result valid (y_o, sum_o, first_o).
// Interface: hp_word_i = head_params word {M_c, b_c} of channel c valid in ph_c.
`default_nettype none
module dense_head_lane #(
  parameter integer AccWidth = 24,
  parameter integer RqShift  = 16,
  parameter integer SumWidth = 24
) (
  input  wire                    clk_i,
  input  wire                    ce_i,
  input  wire [15:0]             s_rdata_i,      // i+1, state h (Q1.14)
  input  wire [23:0]             w_s2_i,         // i+2
  input  wire                    v_s3_i,         // i+3
  input  wire                    first_s3_i,
  input  wire [4:0]              ph_i,
  input  wire [31:0]             hp_word_i,
  input  wire                    step0_i,        // the result of ph4 is decoder step 0
  output wire [47:0]             y_o,            // {y2, y1, y0}
  output wire [3*SumWidth-1:0]   sum_o,          // {sum2, sum1, sum0} including this step
  output wire [47:0]             first_o         // {y2, y1, y0} of step 0
);
  localparam integer PrW = AccWidth + 17;
  localparam integer RqW = PrW + 2 + 41;

  // int8 x int8 as shift-and-add: the head's three products per lane go to LUTs, so the
  // MULT18X18D blocks stay with the MAC array (the only `*` here is the requantizer).
  function signed [15:0] mul8_lut;
    input signed [7:0] a;
    input signed [7:0] b;
    reg [15:0] ax, p0, p1, p2, p3, p4, p5, p6, p7;
    begin
      ax = {{8{a[7]}}, a};
      p0 = b[0] ? ax        : 16'd0;
      p1 = b[1] ? ax << 1   : 16'd0;
      p2 = b[2] ? ax << 2   : 16'd0;
      p3 = b[3] ? ax << 3   : 16'd0;
      p4 = b[4] ? ax << 4   : 16'd0;
      p5 = b[5] ? ax << 5   : 16'd0;
      p6 = b[6] ? ax << 6   : 16'd0;
      p7 = b[7] ? -(ax << 7) : 16'd0;    // sign bit of b weighs -2^7
      mul8_lut = ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7));   // adder tree, 3 levels
    end
  endfunction

  function signed [15:0] sat16;
    input signed [RqW-1:0] x;
    begin
      if (x[RqW-1:15] == {(RqW-15){1'b0}} || x[RqW-1:15] == {(RqW-15){1'b1}}) sat16 = x[15:0];
      else sat16 = x[RqW-1] ? 16'sh8000 : 16'sh7fff;
    end
  endfunction

  reg signed [7:0]          opnd_q;
  reg signed [15:0]         prod_q [0:2];
  reg signed [AccWidth-1:0] acc_q  [0:2];
  reg signed [PrW-1:0]      rqp_q;
  reg signed [15:0]         b_q;
  reg signed [15:0]         y_q    [0:2];
  reg signed [SumWidth-1:0] sum_q  [0:2];
  reg signed [15:0]         first_q [0:2];

  wire [1:0] ch = ph_i[0] ? 2'd0 : (ph_i[1] ? 2'd1 : 2'd2);
  wire signed [RqW-1:0] rq_ext = {{(RqW-PrW){rqp_q[PrW-1]}}, rqp_q};
  wire signed [RqW-1:0] rq_rnd = ((rq_ext <<< 1) + ($signed({{(RqW-1){1'b0}}, 1'b1}) <<< RqShift))
                                 >>> (RqShift + 1);
  wire signed [15:0] y_new = sat16(rq_rnd + {{(RqW-16){b_q[15]}}, b_q});

  // view(h) = sat8(rshr(h, 7)), numerics §2
  wire signed [16:0] h_ext  = {s_rdata_i[15], s_rdata_i};
  wire signed [16:0] h_view = ((h_ext <<< 1) + 17'sd128) >>> 8;
  wire [7:0] view = (h_view > 17'sd127) ? 8'h7f : ((h_view < -17'sd128) ? 8'h80 : h_view[7:0]);

  genvar c;
  generate
    for (c = 0; c < 3; c = c + 1) begin : g_ch
      wire signed [7:0] w_c = w_s2_i[8*c +: 8];
      wire signed [AccWidth-1:0] prod_ext = {{(AccWidth-16){prod_q[c][15]}}, prod_q[c]};
      wire signed [SumWidth-1:0] sum_d = (step0_i ? {SumWidth{1'b0}} : sum_q[c]) +
                                         {{(SumWidth-16){y_q[c][15]}}, y_q[c]};
      always @(posedge clk_i) begin
        if (ce_i) begin
          prod_q[c] <= mul8_lut(w_c, opnd_q);
          if (v_s3_i) acc_q[c] <= first_s3_i ? prod_ext : acc_q[c] + prod_ext;
          if (ph_i[c + 1]) y_q[c] <= y_new;
          if (ph_i[4]) begin
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

  always @(posedge clk_i) begin
    if (ce_i) begin
      opnd_q <= view;
      if (ph_i[0] | ph_i[1] | ph_i[2]) begin
        rqp_q <= acc_q[ch] * $signed({1'b0, hp_word_i[31:16]});
        b_q   <= hp_word_i[15:0];
      end
    end
  end
endmodule
`default_nettype wire
