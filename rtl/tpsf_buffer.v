// tpsf_buffer: byte FIFO between the frame parser and the core, with tentative writes.
// What: the parser writes a frame's payload at a tentative pointer; commit_i makes the bytes
//   visible to the read side, abort_i throws them away (a frame whose CRC failed never reaches
//   the core). The read side streams the committed bytes out; every Bins-th byte carries last.
// Latency: 3 cycles from commit_i to m_valid_o (pointer update, RAM read, output register);
//   then one byte per cycle while m_ready_i is high.
// Interface: start_i (begin a frame: tentative pointer := committed pointer), wr_valid_i/wr_data_i,
//   commit_i/abort_i; room_o = a whole pixel (Bins bytes) fits besides what is committed.
//   Output: valid/ready/data/last. Depth (bytes) must be a power of two; block RAM when large.
`default_nettype none

module tpsf_buffer #(
  parameter integer Depth = 2048,   // bytes
  parameter integer Bins  = 135
) (
  input  wire       clk_i,
  input  wire       rst_i,
  input  wire       start_i,
  input  wire       wr_valid_i,
  input  wire [7:0] wr_data_i,
  input  wire       commit_i,
  input  wire       abort_i,
  output wire       room_o,
  output wire       m_valid_o,
  input  wire       m_ready_i,
  output wire [7:0] m_data_o,
  output wire       m_last_o
);
  localparam integer AddrW = $clog2(Depth);
  localparam integer BinW  = $clog2(Bins);
  localparam [AddrW:0] DepthW = Depth;
  localparam [AddrW:0] BinsW  = Bins;
  localparam [BinW-1:0] LastBin = Bins - 1;

  initial begin
    if ((1 << AddrW) != Depth || Depth < 2 * Bins) begin
      $display("tpsf_buffer: Depth must be a power of two and hold two pixels");
      $finish;
    end
  end

  reg [7:0] mem_q [0:Depth-1];
  reg [AddrW:0] wr_q;      // committed write pointer
  reg [AddrW:0] tent_q;    // tentative write pointer of the frame being received
  reg [AddrW:0] rd_q;      // next address to fetch
  reg [BinW-1:0] bin_q;    // bin index of the next fetched byte
  reg [7:0] out_data_q;
  reg       out_valid_q, out_last_q;

  wire [AddrW:0] used = wr_q - rd_q;
  assign room_o = (DepthW - used) >= BinsW;

  always @(posedge clk_i) begin
    if (wr_valid_i) mem_q[tent_q[AddrW-1:0]] <= wr_data_i;
  end

  always @(posedge clk_i) begin
    if (start_i || abort_i) tent_q <= wr_q;
    else if (wr_valid_i)    tent_q <= tent_q + 1'b1;
    if (commit_i)           wr_q   <= tent_q;
    if (rst_i) begin
      wr_q   <= 0;
      tent_q <= 0;
    end
  end

  // Read side, two stages: the block-RAM read (s1; its clock-to-out is slow) and a fabric
  // output register (s2). Full throughput; both stages hold while the core stalls.
  reg [7:0] s1_data_q;
  reg       s1_valid_q, s1_last_q;
  wire move  = s1_valid_q && (!out_valid_q || m_ready_i);
  wire fetch = (rd_q != wr_q) && (!s1_valid_q || move);
  always @(posedge clk_i) begin
    if (fetch) s1_data_q <= mem_q[rd_q[AddrW-1:0]];
  end
  always @(posedge clk_i) begin
    if (fetch) begin
      rd_q      <= rd_q + 1'b1;
      bin_q     <= (bin_q == LastBin) ? {BinW{1'b0}} : bin_q + 1'b1;
      s1_last_q <= (bin_q == LastBin);
    end
    if (fetch)     s1_valid_q <= 1'b1;
    else if (move) s1_valid_q <= 1'b0;
    if (move) begin
      out_data_q  <= s1_data_q;
      out_last_q  <= s1_last_q;
      out_valid_q <= 1'b1;
    end else if (m_ready_i) begin
      out_valid_q <= 1'b0;
    end
    if (rst_i) begin
      rd_q        <= 0;
      bin_q       <= 0;
      s1_valid_q  <= 1'b0;
      out_valid_q <= 1'b0;
    end
  end

  assign m_valid_o = out_valid_q;
  assign m_data_o  = out_data_q;
  assign m_last_o  = out_last_q;
endmodule

`default_nettype wire
