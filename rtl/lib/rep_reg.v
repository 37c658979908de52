// rep_reg: a register that synthesis keeps as its own copy. Yosys merges registers with equal
//   inputs (opt_merge), so a high-fanout control register replicated per lane in plain RTL
//   collapses back into one; an instance of this module per copy (keep_hierarchy) survives, and
//   each copy drives only its lane (the clock enable, the MAC column flags, the row shift).
// Latency: 1 cycle, q_o <= d_i when ce_i; no reset (callers fold it into d_i / ce_i).
`default_nettype none
(* keep_hierarchy *)
module rep_reg #(
  parameter integer Width = 1
) (
  input  wire             clk_i,
  input  wire             ce_i,
  input  wire [Width-1:0] d_i,
  output reg  [Width-1:0] q_o
);
  always @(posedge clk_i) begin
    if (ce_i) q_o <= d_i;
  end
endmodule
`default_nettype wire
