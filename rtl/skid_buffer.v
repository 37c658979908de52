// skid_buffer: registered valid/ready stage (two entries), full throughput.
// Latency: 1 cycle s -> m. s_ready_o is a register (breaks the ready path); no word is ever
//   lost or duplicated: a word is held on m_* until m_ready_i.
`default_nettype none
module skid_buffer #(
  parameter integer Width = 8
) (
  input  wire             clk_i,
  input  wire             rst_i,
  input  wire             s_valid_i,
  output wire             s_ready_o,
  input  wire [Width-1:0] s_data_i,
  output wire             m_valid_o,
  input  wire             m_ready_i,
  output wire [Width-1:0] m_data_o
);
  reg             m_valid_q, skid_valid_q;
  reg [Width-1:0] m_data_q, skid_data_q;

  assign s_ready_o = ~skid_valid_q;
  assign m_valid_o = m_valid_q;
  assign m_data_o  = m_data_q;

  wire s_fire = s_valid_i & ~skid_valid_q;
  wire m_free = ~m_valid_q | m_ready_i;

  always @(posedge clk_i) begin
    if (m_free) begin
      if (skid_valid_q) begin
        m_data_q     <= skid_data_q;
        m_valid_q    <= 1'b1;
        skid_valid_q <= 1'b0;
      end else begin
        m_data_q  <= s_data_i;
        m_valid_q <= s_fire;
      end
    end else if (s_fire) begin
      skid_data_q  <= s_data_i;
      skid_valid_q <= 1'b1;
    end
    if (rst_i) begin
      m_valid_q    <= 1'b0;
      skid_valid_q <= 1'b0;
    end
  end
endmodule
`default_nettype wire
