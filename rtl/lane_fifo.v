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
endmodule
`default_nettype wire
