// flimgru_lane: one lane (pixel) of the core: its x banks and state RAMs, the MAC lane
//   (rtl/gru_mac_lane.v), the gate unit (rtl/gru_gate_unit.v), the dense head
//   (rtl/dense_head_lane.v) and its result FIFO. Everything it gets from outside is broadcast to
//   every lane (issue pipeline, weight / unit / head ROM words, row serializer, head control).
// Latency: as its parts: MAC issue i -> accumulator i+4 -> row 0 at the gate unit in i+5
//   (through the row serializer) -> state write GateLatency cycles later (docs/architecture.md);
//   head: record pushed in ph7.
// Interface: the high-fanout control registers (clock enable, MAC column flags of stage s3, row
//   shift) are this lane's own copies (rep_reg), built here from their next values ce_d_i,
//   {v_s2_i, fl_s2_i}, shift_d_i: equal to the shared ones in every cycle. x_we_i writes this
//   lane's input bins; the state write (h_*_o) is also the debug port.
`default_nettype none
module flimgru_lane #(
  parameter integer MacRows     = 12,
  parameter integer LutRows     = 0,     // MAC rows multiplying in LUTs (gru_mac_lane)
  parameter integer AccWidth    = 24,
  parameter integer RqShift     = 16,
  parameter integer TableBits   = 10,
  parameter integer StepW       = 8,
  parameter integer UnitW       = 5,
  parameter integer LayerW      = 1,
  parameter integer MetaW       = 9,
  parameter integer TagWidth    = 16,
  parameter integer SumW        = 24,
  parameter integer CumW        = 32,
  parameter integer GateLatency = 12,
  parameter integer RowGap      = 1,     // fewest cycles between rows of two row groups
  parameter integer XAddrW      = StepW + 1,   // x RAM: {bank, bin}, or {irf, bank, bin}
  parameter         RomDir      = "."
) (
  input  wire                        clk_i,
  input  wire                        rst_i,
  input  wire                        ce_i,           // the shared clock enable
  input  wire                        ce_d_i,         // its next value (for this lane's copy)
  // input bins (loader)
  input  wire                        x_we_i,
  input  wire [XAddrW-1:0]           x_waddr_i,
  input  wire [7:0]                  x_wdata_i,
  // issue pipeline
  input  wire [XAddrW-1:0]           iss_xaddr_i,    // i
  input  wire [LayerW+UnitW:0]       iss_saddr_i,    // i
  input  wire                        src_x_s1_i,     // i+1
  input  wire                        zero_s1_i,
  input  wire [8*MacRows-1:0]        w_s2_i,         // i+2
  input  wire                        v_s2_i,         // i+2, for the lane's s3 copies
  input  wire [5:1]                  fl_s2_i,        // has_in, first_in, last_in, first_h, last
  // row serializer
  input  wire                        shift_d_i,      // next row shift
  input  wire                        row_v_i,
  input  wire [1:0]                  row_gate_i,
  input  wire [UnitW-1:0]            row_unit_i,
  input  wire [LayerW-1:0]           row_layer_i,
  input  wire                        row_wbank_i,
  input  wire                        row_hzero_i,
  input  wire [MetaW-1:0]            row_meta_i,
  input  wire [111:0]                units_g1_i,
  // head control
  input  wire                        hd_issue_i,
  input  wire [LayerW+UnitW:0]       hd_saddr_i,
  input  wire [23:0]                 hw_s2_i,
  input  wire                        hv_s3_i,
  input  wire                        hfirst_s3_i,
  input  wire [7:0]                  ph_i,
  input  wire [31:0]                 hp_word_i,
  input  wire                        hd_active_i,    // this lane holds a pixel
  input  wire                        hd_last_i,      // last decoder step
  input  wire [StepW-1:0]            hd_step_i,
  input  wire [TagWidth-1:0]         hd_tag_i,
  input  wire                        rec_push_i,
  // result FIFO
  input  wire                        pop_i,
  output wire [2+StepW+TagWidth+96+3*SumW+CumW-1:0] rec_o,
  output wire                        afull_o,
  output wire                        empty_o,
  // state write (debug)
  output wire                        h_we_o,
  output wire [LayerW+UnitW:0]       h_waddr_o,
  output wire [15:0]                 h_wdata_o,
  output wire [MetaW-1:0]            h_meta_o
);
  localparam integer SAddrW = LayerW + 1 + UnitW;
  localparam integer RecW   = 2 + StepW + TagWidth + 48 + CumW + 3 * SumW + 48;

  // this lane's copies of the high-fanout control registers: ce, the MAC column flags
  // (v_s3, fl_s3) and the row shift; equal to the shared ones in every cycle
  wire       ce_l, v_s3_l, shift_l;
  wire [5:1] fl_s3_l;            // has_in, first_in, last_in, first_h, last
  rep_reg #(.Width(1)) u_ce_rep (.clk_i(clk_i), .ce_i(1'b1), .d_i(ce_d_i), .q_o(ce_l));
  rep_reg #(.Width(6)) u_fl_rep (.clk_i(clk_i), .ce_i(ce_i | rst_i),
    .d_i({v_s2_i & ~rst_i, fl_s2_i}), .q_o({v_s3_l, fl_s3_l}));
  rep_reg #(.Width(1)) u_sh_rep (.clk_i(clk_i), .ce_i(1'b1), .d_i(shift_d_i), .q_o(shift_l));

  // input bins, two banks (and the IRF bins of a model with InDim 2, tpsf_loader)
  wire [7:0] x_rdata;
  ram_1w1r #(.DataWidth(8), .AddrWidth(XAddrW)) u_x (
    .clk_i(clk_i), .we_i(x_we_i), .waddr_i(x_waddr_i), .wdata_i(x_wdata_i),
    .re_i(ce_l), .raddr_i(iss_xaddr_i), .rdata_o(x_rdata));

  // state h (int16 Q1.14, numerics §2): three read ports (MAC operand, gate old state, head)
  // share one write; the MAC and head RAMs hold the operand view(h) = sat8(rshr(h, 7))
  // (int8, from the gate unit with h), the gate's RAM h itself
  wire              h_re;
  wire [SAddrW-1:0] h_raddr;
  wire [15:0]       s_rdata_gate;                      // Q1.14 states
  wire [7:0]        h_vdata, s_rdata_mac, s_rdata_head;  // view(h), int8 Q0.7
  ram_1w1r #(.DataWidth(8), .AddrWidth(SAddrW)) u_s_mac (
    .clk_i(clk_i), .we_i(h_we_o), .waddr_i(h_waddr_o), .wdata_i(h_vdata),
    .re_i(ce_l), .raddr_i(iss_saddr_i), .rdata_o(s_rdata_mac));
  ram_1w1r #(.DataWidth(16), .AddrWidth(SAddrW)) u_s_gate (
    .clk_i(clk_i), .we_i(h_we_o), .waddr_i(h_waddr_o), .wdata_i(h_wdata_o),
    .re_i(h_re), .raddr_i(h_raddr), .rdata_o(s_rdata_gate));
  ram_1w1r #(.DataWidth(8), .AddrWidth(SAddrW)) u_s_head (
    .clk_i(clk_i), .we_i(h_we_o), .waddr_i(h_waddr_o), .wdata_i(h_vdata),
    .re_i(hd_issue_i), .raddr_i(hd_saddr_i), .rdata_o(s_rdata_head));

  wire signed [AccWidth-1:0] row_ain, row_ah;
  gru_mac_lane #(.MacRows(MacRows), .AccWidth(AccWidth), .LutRows(LutRows)) u_mac (
    .clk_i(clk_i), .ce_i(ce_l),
    .src_x_s1_i(src_x_s1_i), .zero_s1_i(zero_s1_i), .x_rdata_i(x_rdata),
    .s_rdata_i(s_rdata_mac), .w_s2_i(w_s2_i),
    .v_s3_i(v_s3_l), .has_in_s3_i(fl_s3_l[5]), .first_in_s3_i(fl_s3_l[4]),
    .last_in_s3_i(fl_s3_l[3]), .first_h_s3_i(fl_s3_l[2]), .last_s3_i(fl_s3_l[1]),
    .shift_i(shift_l), .row_ain_o(row_ain), .row_ah_o(row_ah));

  gru_gate_unit #(.AccWidth(AccWidth), .RqShift(RqShift), .TableBits(TableBits),
                  .UnitW(UnitW), .LayerW(LayerW), .MetaW(MetaW), .Latency(GateLatency),
                  .RowGap(RowGap), .RomDir(RomDir)) u_gate (
    .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce_l),
    .row_v_i(row_v_i), .row_gate_i(row_gate_i), .row_ain_i(row_ain), .row_ah_i(row_ah),
    .row_unit_i(row_unit_i), .row_layer_i(row_layer_i), .row_wbank_i(row_wbank_i),
    .row_hzero_i(row_hzero_i), .row_meta_i(row_meta_i), .units_g1_i(units_g1_i),
    .h_re_o(h_re), .h_raddr_o(h_raddr), .h_rdata_i(s_rdata_gate),
    .h_we_o(h_we_o), .h_waddr_o(h_waddr_o), .h_wdata_o(h_wdata_o), .h_vdata_o(h_vdata),
    .h_meta_o(h_meta_o));

  wire [47:0]       y, first;
  wire [3*SumW-1:0] sum;
  wire [CumW-1:0]   cum;
  dense_head_lane #(.AccWidth(AccWidth), .RqShift(RqShift), .SumWidth(SumW), .CumWidth(CumW)) u_head (
    .clk_i(clk_i), .ce_i(ce_l), .s_rdata_i(s_rdata_head), .w_s2_i(hw_s2_i),
    .v_s3_i(hv_s3_i), .first_s3_i(hfirst_s3_i), .ph_i(ph_i), .hp_word_i(hp_word_i),
    .step0_i(hd_step_i == 0), .y_o(y), .sum_o(sum), .first_o(first), .cum_o(cum));

  wire [RecW-1:0] rec = {hd_active_i, hd_last_i, hd_step_i, hd_tag_i, y, cum, sum, first};
  lane_fifo #(.Width(RecW), .AddrWidth(2)) u_fifo (
    .clk_i(clk_i), .rst_i(rst_i), .wr_en_i(rec_push_i), .wr_data_i(rec),
    .rd_en_i(pop_i), .rd_data_o(rec_o), .afull_o(afull_o), .empty_o(empty_o));
endmodule
`default_nettype wire
