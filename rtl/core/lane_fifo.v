// lane_fifo: synchronous FIFO (the per-lane result FIFO), 2^AddrWidth entries, show-ahead (head word on rd_data_o while
//   !empty_o). Writes when full and reads when empty are ignored (callers gate them).
// Latency: a written word is readable the next cycle. afull_o/empty_o are registered-state
//   functions (no combinational path from wr_en_i/rd_en_i).
`default_nettype none
module lane_fifo #(
  parameter integer Width     = 8,
  parameter integer AddrWidth = 2
) (
  input  wire             clk_i,
  input  wire             rst_i,
  input  wire             wr_en_i,
  input  wire [Width-1:0] wr_data_i,
  input  wire             rd_en_i,
  output wire [Width-1:0] rd_data_o,
  output wire             afull_o,     // at most one free entry (a write still fits)
  output wire             empty_o
);
  reg [Width-1:0]   mem [0:(1 << AddrWidth)-1];
  reg [AddrWidth:0] wptr_q, rptr_q;

  assign empty_o   = (wptr_q == rptr_q);
  wire   full      = (wptr_q[AddrWidth-1:0] == rptr_q[AddrWidth-1:0]) &&
                     (wptr_q[AddrWidth] != rptr_q[AddrWidth]);
  wire [AddrWidth:0] count = wptr_q - rptr_q;     // modulo 2^(AddrWidth+1)
  /* verilator lint_off WIDTH */
  assign afull_o   = (count >= (1 << AddrWidth) - 1);
  /* verilator lint_on WIDTH */
  assign rd_data_o = mem[rptr_q[AddrWidth-1:0]];

  wire do_wr = wr_en_i & ~full;
  wire do_rd = rd_en_i & ~empty_o;

  always @(posedge clk_i) begin
    if (do_wr) mem[wptr_q[AddrWidth-1:0]] <= wr_data_i;
    if (do_wr) wptr_q <= wptr_q + 1'b1;
    if (do_rd) rptr_q <= rptr_q + 1'b1;
    if (rst_i) begin
      wptr_q <= {(AddrWidth+1){1'b0}};
      rptr_q <= {(AddrWidth+1){1'b0}};
    end
  end
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  always @(posedge clk_i) if (!rst_i)
    assert (!(wr_en_i && full)) else $error("lane_fifo: write while full (a record is lost)");
`endif
`ifdef FORMAL
  // ---- formal properties (sim/formal/lane_fifo.sby) ----------------------------------------
  // Environment (flimgru_core): a reset in the first cycle (and any time later). The writer
  // stops in the cycle after afull_o rises: flimgru_core writes only when ce is high, and ce is
  // a register of rst_i | ~afull_o (flimgru_core carries the matching assertion in its FORMAL
  // block). A write in the cycle afull_o rises must still fit. Reads are free (a read of an
  // empty FIFO is ignored).
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);
  always @(posedge clk_i) if (f_past_valid && wr_en_i) assume ($past(rst_i) || !$past(afull_o));

  localparam integer Depth = 1 << AddrWidth;
  wire f_in  = wr_en_i;                   // every write must be taken (asserted below)
  wire f_out = rd_en_i && !empty_o;       // show-ahead: the head word is read

  localparam integer FW = AddrWidth + 2;  // sequence numbers modulo 4 * Depth
  reg [FW-1:0] f_nin, f_nout;
  always @(posedge clk_i) begin
    if (f_in)  f_nin  <= f_nin + 1'b1;
    if (f_out) f_nout <= f_nout + 1'b1;
    if (rst_i) begin f_nin <= 0; f_nout <= 0; end
  end
  wire [FW-1:0] f_count = f_nin - f_nout;

  (* anyconst *) reg [FW-1:0] f_idx;      // the tracked word: the f_idx-th one written
  reg [Width-1:0] f_word;
  always @(posedge clk_i) if (f_in && f_nin == f_idx) f_word <= wr_data_i;
  wire [FW-1:0] f_pos  = f_idx - f_nout;
  wire          f_held = f_pos < f_count;

  always @* if (f_past_valid && !rst_i) begin
    // never written when full (the write would be dropped silently)
    if (wr_en_i) assert (!full);
    // count / afull / empty consistent with the words in and out
    assert (f_count <= Depth);
    assert (empty_o == (f_count == 0));
    assert (full == (f_count == Depth));
    assert (afull_o == (f_count >= Depth - 1));
    // induction helpers
    assert (wptr_q == f_nin[AddrWidth:0] && rptr_q == f_nout[AddrWidth:0]);
    if (f_held) assert (mem[f_idx[AddrWidth-1:0]] == f_word);
    // no loss / duplication / reordering / alteration
    if (f_out && f_nout == f_idx) assert (f_held && rd_data_o == f_word);
  end

  // Show-ahead head held until read (the valid/ready rule with valid = !empty_o, ready = rd_en_i).
  always @(posedge clk_i) if (f_past_valid && !$past(rst_i) && !rst_i && $past(!empty_o && !rd_en_i)) begin
    assert (!empty_o);
    assert ($stable(rd_data_o));
  end

  always @* if (f_past_valid && !rst_i) begin
    cover (empty_o && f_nin != 0);
    cover (afull_o);
    cover (full);
    cover (full && f_out);
    cover (f_out && f_nout == f_idx && f_idx == 3 * Depth - 1);
  end
`endif
endmodule
`default_nettype wire
