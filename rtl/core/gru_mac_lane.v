// gru_mac_lane: one lane (pixel) of the output-stationary MAC array: MacRows int8 x int8
//   products per cycle (one broadcast weight word x this lane's operand), accumulated per row.
// Per row group: the input columns give a_in (latched after the last input column), the hidden
//   columns a_h; after the last column both are loaded into a shift register that the row
//   serializer drains one row per cycle (row m of the group at row_* in the m-th shift cycle).
// Pipeline (cycle of issue = i): operand RAM read (i) -> operand register (i+1) -> MULT18X18D
//   input registers (i+2; in a LUT row: mult8_lut's digit products) -> product register (i+3) -> accumulator (i+4) -> row 0 on row_* from
//   i+5 (docs/architecture.md), read from the accumulators in that cycle. The column flags
//   arrive in i+3 (*_s3_i) and are registered here once more for the accumulate stage.
// Numerics: docs/numerics.md §2 (accumulators, operand view(h) of the Q1.14 state: the state
//   operand RAM holds view(h), written by the gate unit with h), §5.
`default_nettype none
module gru_mac_lane #(
  parameter integer MacRows  = 12,
  parameter integer AccWidth = 24,
  parameter integer LutRows  = 0    // the last LutRows rows multiply in logic cells (mult8_lut)
) (
  input  wire                      clk_i,
  input  wire                      ce_i,
  // stage 1 (i+1): operand select, RAM read data
  input  wire                      src_x_s1_i,
  input  wire                      zero_s1_i,
  input  wire [7:0]                x_rdata_i,
  input  wire [7:0]                s_rdata_i,      // view(h) of the state, int8 Q0.7
  // stage 2 (i+2): weight word, row m in bits 8m+7:8m
  input  wire [8*MacRows-1:0]      w_s2_i,
  // stage 3 (i+3): column flags
  input  wire                      v_s3_i,
  input  wire                      has_in_s3_i,
  input  wire                      first_in_s3_i,
  input  wire                      last_in_s3_i,
  input  wire                      first_h_s3_i,
  input  wire                      last_s3_i,
  // row serializer
  input  wire                      shift_i,
  output wire signed [AccWidth-1:0] row_ain_o,
  output wire signed [AccWidth-1:0] row_ah_o
);
  reg signed [7:0]           opnd_q;
  // the column flags, one stage later (accumulate stage, i+4)
  reg v_q, has_in_q, first_in_q, last_in_q, first_h_q, last_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      v_q        <= v_s3_i;
      has_in_q   <= has_in_s3_i;
      first_in_q <= first_in_s3_i;
      last_in_q  <= last_in_s3_i;
      first_h_q  <= first_h_s3_i;
      last_q     <= last_s3_i;
    end
  end
  reg signed [AccWidth-1:0]  acc_q  [0:MacRows-1];
  reg signed [AccWidth-1:0]  ain_q  [0:MacRows-1];
  reg signed [AccWidth-1:0]  sh_in_q [0:MacRows-1];
  reg signed [AccWidth-1:0]  sh_h_q  [0:MacRows-1];

  // Hand-off from the accumulators, one cycle after the last column's accumulate (i+5): the
  // accumulators still hold the group's sums in that cycle (the next group overwrites them at its
  // end), so the rows are read from acc_q rather than from the adder, and the product register
  // reaches only the adder and acc_q (the timing-critical path: MULT18X18D -> carry chain -> FF).
  // In the hand-off cycle row 0 comes straight from acc_q / ain_q and the shift register is loaded
  // already shifted if shift_i: row_* shows the same row in every cycle as a register loaded from
  // the adder would. a_in is latched from acc_q one cycle after the last input column, which a
  // group with at least one hidden column after it (every GRU group) leaves enough time for.
  reg load_q, ld_ain_q, has_in_ld_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      load_q      <= v_q & last_q;
      ld_ain_q    <= v_q & last_in_q;
      has_in_ld_q <= has_in_q;
    end
  end
  assign row_ain_o = load_q ? (has_in_ld_q ? ain_q[0] : {AccWidth{1'b0}}) : sh_in_q[0];
  assign row_ah_o  = load_q ? acc_q[0] : sh_h_q[0];

  // block-RAM outputs (x bin or view(h)) go through one LUT to the operand register
  always @(posedge clk_i) begin
    if (ce_i) opnd_q <= zero_s1_i ? 8'sd0 : (src_x_s1_i ? x_rdata_i : s_rdata_i);
  end

  genvar m;
  generate
    if (LutRows < 0 || LutRows > MacRows) begin : g_bad_lut_rows
      gru_mac_lane_needs_0_to_MacRows_lut_rows u_stop ();
    end
    for (m = 0; m < MacRows; m = m + 1) begin : g_row
      localparam integer Next = (m + 1) % MacRows;
      wire signed [7:0]          w_m   = w_s2_i[8*m +: 8];
      wire signed [15:0]         prod;     // i+3: the product register (in the MULT18X18D)
      wire signed [AccWidth-1:0] prod_ext = {{(AccWidth-16){prod[15]}}, prod};
      // the first column of a sum starts from 0: the select sits on the accumulator's side of
      // the adder, off the product's path
      wire signed [AccWidth-1:0] acc_base = (first_in_q | first_h_q) ? {AccWidth{1'b0}} : acc_q[m];
      // multiply stage: a MULT18X18D, or for the last LutRows rows the same product in LUTs
      if (m < MacRows - LutRows) begin : g_dsp
        mult18_oreg #(.AWidth(8), .BWidth(8), .InReg(1)) u_mul (
          .clk_i(clk_i), .ce_i(ce_i), .a_i(w_m), .b_i(opnd_q), .p_o(prod));
      end else begin : g_lut
        mult8_lut u_mul (.clk_i(clk_i), .ce_i(ce_i), .a_i(w_m), .b_i(opnd_q), .p_o(prod));
      end
      // accumulate stage (i+4), a_in latch and shift register (from i+5)
      always @(posedge clk_i) begin
        if (ce_i) begin
          if (v_q) acc_q[m] <= acc_base + prod_ext;
          if (ld_ain_q) ain_q[m] <= acc_q[m];
          if (load_q) begin
            if (shift_i) begin
              sh_in_q[m] <= (has_in_ld_q && m + 1 < MacRows) ? ain_q[Next] : {AccWidth{1'b0}};
              sh_h_q[m]  <= (m + 1 < MacRows) ? acc_q[Next] : {AccWidth{1'b0}};
            end else begin
              sh_in_q[m] <= has_in_ld_q ? ain_q[m] : {AccWidth{1'b0}};
              sh_h_q[m]  <= acc_q[m];
            end
          end else if (shift_i) begin
            sh_in_q[m] <= (m + 1 < MacRows) ? sh_in_q[Next] : {AccWidth{1'b0}};
            sh_h_q[m]  <= (m + 1 < MacRows) ? sh_h_q[Next] : {AccWidth{1'b0}};
          end
        end
      end
    end
  endgenerate
endmodule
`default_nettype wire
