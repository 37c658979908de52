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
  /* verilator lint_off WIDTH */
  localparam [AddrW:0] DepthW = Depth;
  /* verilator lint_on WIDTH */

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
`ifdef FORMAL
  // ---- formal properties (sim/formal/sync_fifo.sby) ----------------------------------------
  // Environment: a reset in the first cycle (and any time later); inputs otherwise free. A word
  // enters on s_valid_i && s_ready_o and leaves on m_valid_o && m_ready_i.
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  wire f_in  = s_valid_i && s_ready_o;
  wire f_out = m_valid_o && m_ready_i;

  // Sequence numbers of the words in and out, modulo 4 * Depth (at most Depth words inside).
  localparam integer FW = AddrW + 2;
  reg [FW-1:0] f_nin, f_nout;
  always @(posedge clk_i) begin
    if (f_in)  f_nin  <= f_nin + 1'b1;
    if (f_out) f_nout <= f_nout + 1'b1;
    if (rst_i) begin f_nin <= 0; f_nout <= 0; end
  end
  wire [FW-1:0] f_count = f_nin - f_nout;

  // Order: the f_idx-th word in (f_idx arbitrary but fixed) is the f_idx-th word out, unchanged.
  (* anyconst *) reg [FW-1:0] f_idx;
  reg [Width-1:0] f_word;
  always @(posedge clk_i) if (f_in && f_nin == f_idx) f_word <= s_data_i;
  wire [FW-1:0] f_pos  = f_idx - f_nout;          // its place in the queue (0 = head)
  wire          f_held = f_pos < f_count;         // it is inside

  always @* if (f_past_valid && !rst_i) begin
    // count / full / empty consistent with the words that went in and out
    assert (f_count <= Depth);
    assert ({1'b0, count_o} == f_count);
    assert (s_ready_o == (f_count != Depth));     // full exactly at Depth words
    assert (m_valid_o == (f_count != 0));         // a word inside is offered (nothing stuck)
    // induction helpers: the pointers count the words; the tracked word sits at its address
    assert (wr_q == f_nin[AddrW:0] && rd_q == f_nout[AddrW:0]);
    if (f_held) assert (mem_q[f_idx[AddrW-1:0]] == f_word);
    // no reordering / duplication / alteration
    if (f_out && f_nout == f_idx) assert (f_held && m_data_o == f_word);
  end

  // AXI-stream rule on the output: valid and data hold until ready.
  always @(posedge clk_i) if (f_past_valid && !$past(rst_i) && !rst_i && $past(m_valid_o && !m_ready_i)) begin
    assert (m_valid_o);
    assert ($stable(m_data_o));
  end

  // Reachability
  always @* if (f_past_valid && !rst_i) begin
    cover (f_count == 0 && f_nin != 0);          // empty again after traffic
    cover (!s_ready_o);                           // full
    cover (!s_ready_o && f_out && s_valid_i);     // full, draining, refused write
    cover (f_out && f_nout == f_idx && f_idx == 3 * Depth - 1);   // past a pointer wrap
  end
`endif
endmodule

`default_nettype wire
