// sync_fifo: small single-clock FIFO (registers / LUT RAM), first word fall-through.
// Latency: a word written in cycle t is visible on m_data_o in cycle t+1.
// Interface: valid/ready in and out; count_o = words held. Depth must be a power of two.
`default_nettype none

module sync_fifo #(
  parameter integer Width = 8,
  parameter integer Depth = 16
) (
  input  wire               clk_i,
  input  wire               rst_i,
  input  wire               s_valid_i,
  output wire               s_ready_o,
  input  wire [Width-1:0]   s_data_i,
  output wire               m_valid_o,
  input  wire               m_ready_i,
  output wire [Width-1:0]   m_data_o,
  output wire [$clog2(Depth):0] count_o
);
  localparam integer AddrW = $clog2(Depth);
  localparam [AddrW:0] DepthW = Depth;

  initial begin
    if ((1 << AddrW) != Depth) begin
      $display("sync_fifo: Depth must be a power of two");
      $finish;
    end
  end

  reg [Width-1:0] mem_q [0:Depth-1];
  reg [AddrW:0]   wr_q, rd_q;

  wire full  = (wr_q - rd_q) == DepthW;
  wire empty = (wr_q == rd_q);
  wire push  = s_valid_i && !full;
  wire pop   = m_ready_i && !empty;

  always @(posedge clk_i) begin
    if (push) mem_q[wr_q[AddrW-1:0]] <= s_data_i;
  end

  always @(posedge clk_i) begin
    if (push) wr_q <= wr_q + 1'b1;
    if (pop)  rd_q <= rd_q + 1'b1;
    if (rst_i) begin
      wr_q <= 0;
      rd_q <= 0;
    end
  end

  assign s_ready_o = !full;
  assign m_valid_o = !empty;
  assign m_data_o  = mem_q[rd_q[AddrW-1:0]];
  assign count_o   = wr_q - rd_q;
endmodule

`default_nettype wire
