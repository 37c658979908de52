// row_serializer: hands the rows of each finished row group to the gate units, one per enabled
//   cycle, in r z n order per unit (row m of the group = gate m % 3 of unit (first unit) + m / 3;
//   numerics §9), and drives the MAC lanes' hand-off shift registers.
// Latency: load_i in the cycle a group's last column accumulates (MAC stage s4, cycle i+4) ->
//   row 0 on row_*_o in i+5, row m in i+5+m; P rows, then idle until the next load. Rows past
//   unit H-1 (padding of the last group) come out with row_v_o low.
// Interface: unit_d_o is the next unit (advances in enabled cycles only), the address of the
//   unit ROMs: their word reaches the gate units one cycle after the row (G1), selected by
//   usel_o (ROM index dec * L + layer of that row). shift_d_o is the next value of the row
//   shift (the lanes keep their own registered copies of it, rep_reg). meta_i = {layer, wbank,
//   hzero, dec, step} of the group (issue pipeline s4), carried with its rows.
`default_nettype none
module row_serializer #(
  parameter integer MacRows = 12,
  parameter integer Hidden  = 32,
  parameter integer Layers  = 1,
  parameter integer UnitW   = 5,
  parameter integer LayerW  = 1,
  parameter integer MetaW   = 9,         // {dec, step}
  parameter integer RomSelW = 1
) (
  input  wire                      clk_i,
  input  wire                      rst_i,
  input  wire                      ce_i,
  input  wire                      load_i,      // s4: a group's last column accumulated
  input  wire                      grp0_i,      // s4: that group is group 0 (unit 0 first)
  input  wire [LayerW+2+MetaW-1:0] meta_i,      // s4
  output wire [UnitW:0]            unit_d_o,    // next unit (the unit ROM address)
  output reg  [RomSelW-1:0]        usel_o,      // unit ROM select, with the ROM word (G1)
  output wire                      shift_d_o,   // next row shift
  output wire                      row_v_o,
  output wire [1:0]                row_gate_o,  // 0 r, 1 z, 2 n
  output wire [UnitW-1:0]          row_unit_o,
  output wire [LayerW-1:0]         row_layer_o,
  output wire                      row_wbank_o,
  output wire                      row_hzero_o,
  output wire [MetaW-1:0]          row_meta_o
);
  localparam integer GMetaW = LayerW + 2 + MetaW;

  reg               act_q;
  reg [7:0]         cnt_q;
  reg [UnitW:0]     unit_q;
  reg [1:0]         gate_q;
  reg [GMetaW-1:0]  meta_q;
  reg [RomSelW-1:0] sel_q;

  wire load = ce_i & load_i;
  /* verilator lint_off WIDTH */
  wire last = (cnt_q == MacRows - 1);
  assign row_v_o = act_q & (unit_q < Hidden);
  // next unit (in enabled cycles; the ROM reads only then) and next act_q
  assign unit_d_o = (load & grp0_i) ? {(UnitW+1){1'b0}}
                  : ((act_q & (gate_q == 2'd2)) ? unit_q + 1'b1 : unit_q);
  assign shift_d_o = ~rst_i & (ce_i ? (load | (act_q & ~last)) : act_q);
  /* verilator lint_on WIDTH */
  always @(posedge clk_i) begin
    if (ce_i) begin
      usel_o <= sel_q;
      if (act_q) begin
        cnt_q <= cnt_q + 1'b1;
        if (last) act_q <= 1'b0;
        if (gate_q == 2'd2) begin
          gate_q <= 2'd0;
          unit_q <= unit_q + 1'b1;
        end else begin
          gate_q <= gate_q + 1'b1;
        end
      end
      if (load) begin
        act_q  <= 1'b1;
        cnt_q  <= 8'd0;
        meta_q <= meta_i;
        /* verilator lint_off WIDTH */
        sel_q  <= meta_i[MetaW-1] * Layers + meta_i[GMetaW-1 -: LayerW];
        /* verilator lint_on WIDTH */
        if (grp0_i) begin
          unit_q <= {(UnitW+1){1'b0}};
          gate_q <= 2'd0;
        end
      end
    end
    if (rst_i) act_q <= 1'b0;
  end
  assign row_gate_o  = gate_q;
  assign row_unit_o  = unit_q[UnitW-1:0];
  assign row_layer_o = meta_q[GMetaW-1 -: LayerW];
  assign row_wbank_o = meta_q[MetaW+1];
  assign row_hzero_o = meta_q[MetaW];
  assign row_meta_o  = meta_q[MetaW-1:0];
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // A row group is loaded only after the previous one has handed out its last row: the MAC
  // lanes' shift registers are reloaded at the load, so earlier rows would be overwritten.
  always @(posedge clk_i) if (!rst_i && ce_i)
    assert (!load_i || !act_q || last)
      else $error("row_serializer: group loaded after %0d of the previous group's %0d rows",
                  cnt_q + 8'd1, MacRows);
`endif
endmodule
`default_nettype wire
