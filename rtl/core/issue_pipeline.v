// issue_pipeline: the shared delay line of the MAC column issue (one column per enabled cycle
//   from rtl/seq2seq_sequencer.v) beside the lanes' datapath: s1 (RAM data: operand select),
//   s2 (weight word: ROM select, column flags for the lanes' s3 copies), s4 (accumulate: a
//   group's last column loads the row serializer, with the group's meta data).
// Latency: issue in cycle i -> *_s1_o in i+1, *_s2_o in i+2, *_s4_o in i+4 (enabled cycles;
//   every output is a register).
// Interface: flags = {has_in, first_in, last_in, first_h, last, grp0}; meta = {layer, wbank,
//   hzero, dec, step}. The valid bits are cleared in reset, the rest is data.
`default_nettype none
module issue_pipeline #(
  parameter integer RomSelW = 1,
  parameter integer GMetaW  = 11
) (
  input  wire               clk_i,
  input  wire               rst_i,
  input  wire               ce_i,
  input  wire               v_i,
  input  wire               src_x_i,
  input  wire               zero_i,
  input  wire [RomSelW-1:0] sel_i,       // weight ROM index dec * L + layer
  input  wire [5:0]         fl_i,
  input  wire [GMetaW-1:0]  meta_i,
  output reg                src_x_s1_o,
  output reg                zero_s1_o,
  output reg                v_s2_o,
  output reg  [RomSelW-1:0] sel_s2_o,
  output wire [5:1]         fl_s2_o,     // has_in .. last (grp0 goes on to s4 only)
  output reg                v_s4_o,
  output reg  [1:0]         fl_s4_o,     // last, grp0
  output reg  [GMetaW-1:0]  meta_s4_o
);
  reg               v_s1, v_s3;
  reg [RomSelW-1:0] sel_s1;
  reg [5:0]         fl_s1, fl_s2;
  reg [1:0]         fl_s3;      // last, grp0 (the lanes have their own s3 copies, rep_reg)
  reg [GMetaW-1:0]  gm_s1, gm_s2, gm_s3;
  always @(posedge clk_i) begin
    if (ce_i) begin
      v_s1 <= v_i;  v_s2_o <= v_s1;  v_s3 <= v_s2_o;  v_s4_o <= v_s3;
      src_x_s1_o <= src_x_i;
      zero_s1_o  <= zero_i;
      sel_s1 <= sel_i;  sel_s2_o <= sel_s1;
      fl_s1 <= fl_i;
      fl_s2 <= fl_s1;  fl_s3 <= fl_s2[1:0];  fl_s4_o <= fl_s3;
      gm_s1 <= meta_i; gm_s2 <= gm_s1; gm_s3 <= gm_s2; meta_s4_o <= gm_s3;
    end
    if (rst_i) begin
      v_s1 <= 1'b0; v_s2_o <= 1'b0; v_s3 <= 1'b0; v_s4_o <= 1'b0;
    end
  end
  assign fl_s2_o = fl_s2[5:1];
endmodule
`default_nettype wire
