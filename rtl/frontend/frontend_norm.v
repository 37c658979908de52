// frontend_norm: the integer pre-processing of docs/numerics.md §8 (integer form), per bin:
//   v = max(10·c − S, 0), V = max(10·c_max − S, 0) (= max_k v_k),
//   x_q = min(127, floor((256·v + V) / (2·V))), 0 when V = 0.
// Latency: 1 + 1 + 8 + 1 enabled cycles (input register, operands, pipelined_divider, output
//   register; the input register takes the histogram's block RAM output off the operand adders).
// Interface: beats valid/ready in and out (every stage moves when the output register is free);
//   the pixel's fields (incomplete flag included) travel with each beat, x_q and the count out
//   together.
`default_nettype none
module frontend_norm #(
  parameter integer XW     = 9,
  parameter integer CountW = 16
) (
  input  wire               clk_i,
  input  wire               rst_i,
  input  wire               s_valid_i,
  output wire               s_ready_o,
  input  wire [15:0]        s_frame_i,
  input  wire [15:0]        s_row_i,
  input  wire [XW-1:0]      s_col_i,
  input  wire [7:0]         s_bin_i,
  input  wire [CountW-1:0]  s_count_i,
  input  wire [CountW+3:0]  s_base_sum_i,
  input  wire [CountW-1:0]  s_count_max_i,
  input  wire [23:0]        s_photons_i,
  input  wire               s_saturated_i,
  input  wire               s_incomplete_i,
  output wire               m_valid_o,
  input  wire               m_ready_i,
  output wire [15:0]        m_frame_o,
  output wire [15:0]        m_row_o,
  output wire [XW-1:0]      m_col_o,
  output wire [7:0]         m_bin_o,
  output wire [CountW-1:0]  m_count_o,
  output wire [7:0]         m_xq_o,
  output wire [23:0]        m_photons_o,
  output wire               m_saturated_o,
  output wire               m_incomplete_o,
  output wire               idle_o           // no beat in a stage
);
  localparam integer VW   = CountW + 4;          // 10·c and S
  localparam integer NumW = VW + 9;              // 256·v + V
  localparam integer SideW = 16 + 16 + XW + 8 + CountW + 24 + 1 + 1;

  reg              m_valid_q;
  reg [7:0]        m_xq_q;
  reg [SideW-1:0]  m_side_q;
  wire en = ~m_valid_q | m_ready_i;
  assign s_ready_o = en;

  // input register
  reg              in_valid_q;
  reg [CountW-1:0] in_count_q, in_max_q;
  reg [VW-1:0]     in_sum_q;
  reg [SideW-1:0]  in_side_q;
  always @(posedge clk_i) begin
    if (en) begin
      in_valid_q <= s_valid_i;
      in_count_q <= s_count_i;
      in_max_q   <= s_count_max_i;
      in_sum_q   <= s_base_sum_i;
      in_side_q  <= {s_frame_i, s_row_i, s_col_i, s_bin_i, s_count_i, s_photons_i, s_saturated_i, s_incomplete_i};
    end
    if (rst_i) in_valid_q <= 1'b0;
  end

  // operands
  wire [VW-1:0] ten_c   = {in_count_q, 3'b000} + {2'b00, in_count_q, 1'b0};
  wire [VW-1:0] ten_max = {in_max_q, 3'b000} + {2'b00, in_max_q, 1'b0};
  wire [VW-1:0] v       = ten_c > in_sum_q ? ten_c - in_sum_q : {VW{1'b0}};
  wire [VW-1:0] peak    = ten_max > in_sum_q ? ten_max - in_sum_q : {VW{1'b0}};
  reg             op_valid_q;
  reg [NumW-1:0]  op_num_q;
  reg [VW:0]      op_den_q;
  reg [SideW-1:0] op_side_q;
  always @(posedge clk_i) begin
    if (en) begin
      op_valid_q <= in_valid_q;
      op_num_q   <= peak == 0 ? {NumW{1'b0}} : {1'b0, v, 8'd0} + {9'd0, peak};
      op_den_q   <= peak == 0 ? {{VW{1'b0}}, 1'b1} : {peak, 1'b0};
      op_side_q  <= in_side_q;
    end
    if (rst_i) op_valid_q <= 1'b0;
  end

  wire            d_valid;
  wire [7:0]      d_quot;
  wire [SideW-1:0] d_side;
  wire            d_busy;
  pipelined_divider #(.NumWidth(NumW), .DenWidth(VW + 1), .QuotWidth(8), .SideWidth(SideW)) u_div (
    .clk_i(clk_i), .rst_i(rst_i), .en_i(en),
    .valid_i(op_valid_q), .num_i(op_num_q), .den_i(op_den_q), .side_i(op_side_q),
    .valid_o(d_valid), .quot_o(d_quot), .side_o(d_side), .busy_o(d_busy));

  always @(posedge clk_i) begin
    if (en) begin
      m_valid_q <= d_valid;
      m_xq_q    <= d_quot > 8'd127 ? 8'd127 : d_quot;
      m_side_q  <= d_side;
    end
    if (rst_i) m_valid_q <= 1'b0;
  end

  assign m_valid_o = m_valid_q;
  assign idle_o    = ~in_valid_q & ~op_valid_q & ~d_busy & ~m_valid_q;
  assign m_xq_o    = m_xq_q;
  assign {m_frame_o, m_row_o, m_col_o, m_bin_o, m_count_o, m_photons_o, m_saturated_o, m_incomplete_o} = m_side_q;
endmodule
`default_nettype wire
