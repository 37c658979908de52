// head_ctrl: control of the dense heads (rtl/dense_head_lane.v) of all lanes: per top-layer
//   decoder step it reads the H elements of the top layer's new state (one per enabled cycle,
//   the head-weight word broadcast with it), then sequences the requantizer phases ph0..ph7 and
//   pushes one result record per lane; it keeps the tags and active mask of the running batch.
// Latency: start_i (cycle t, the sequencer's head_start) -> element k issued in t+1+k (state
//   address hd_saddr_o, head-weight ROM address; issue_o) -> weight word on w_s2_o two cycles
//   later, v_s3_o / first_s3_o three cycles later (the head lane's RAM read, operand, products,
//   accumulate pipeline) -> ph_o[0] one cycle after the last element's v_s3_o, ph_o[c] c cycles
//   later; push_o in ph7. hp_word_o holds head_params word c (M_c, b_c) in ph_c (addressed two
//   cycles earlier: block-RAM and output registers).
// Interface: batch_start_i latches tags_i / active_i (the loader's bank being started); the
//   record fields (step, last step, tags, active) hold from start_i to the next start_i.
`default_nettype none
module head_ctrl #(
  parameter integer Lanes    = 2,
  parameter integer TagWidth = 16,
  parameter integer Hidden   = 32,
  parameter integer Layers   = 1,
  parameter integer Steps    = 135,
  parameter integer StepW    = 8,
  parameter integer UnitW    = 5,
  parameter integer LayerW   = 1,
  parameter         RomDir   = "."
) (
  input  wire                      clk_i,
  input  wire                      rst_i,
  input  wire                      ce_i,
  input  wire                      batch_start_i,
  input  wire [Lanes*TagWidth-1:0] tags_i,
  input  wire [Lanes-1:0]          active_i,
  input  wire                      start_i,
  input  wire                      bank_i,        // state bank holding the step's top layer
  input  wire [StepW-1:0]          step_i,
  // element issue (to every lane)
  output wire                      issue_o,
  output wire [LayerW+UnitW:0]     saddr_o,
  output wire [23:0]               w_s2_o,
  output reg                       v_s3_o,
  output reg                       first_s3_o,
  output reg  [7:0]                ph_o,
  output wire [31:0]               hp_word_o,
  // record
  output wire                      push_o,
  output reg  [StepW-1:0]          step_o,
  output wire                      last_o,        // step_o is the last decoder step
  output reg  [Lanes*TagWidth-1:0] tags_o,
  output reg  [Lanes-1:0]          active_o
);
  // tags and active mask of the running batch
  reg [Lanes*TagWidth-1:0] lane_tags_q;
  reg [Lanes-1:0]          lane_active_q;
  always @(posedge clk_i) begin
    if (batch_start_i) begin
      lane_tags_q   <= tags_i;
      lane_active_q <= active_i;
    end
  end

  reg              act_q, bank_q;
  reg [UnitW:0]    k_q;
  reg              hv_s1, hv_s2, hfirst_s1, hfirst_s2;
  reg              hlast_s1, hlast_s2, hlast_s3;
  /* verilator lint_off WIDTH */
  wire k_last = (k_q == Hidden - 1);
  localparam [LayerW-1:0] TopLayer = Layers - 1;
  /* verilator lint_on WIDTH */
  assign issue_o = ce_i & act_q;
  always @(posedge clk_i) begin
    if (ce_i) begin
      if (act_q) begin
        k_q <= k_q + 1'b1;
        if (k_last) act_q <= 1'b0;
      end
      if (start_i) begin
        act_q    <= 1'b1;
        k_q      <= {(UnitW+1){1'b0}};
        bank_q   <= bank_i;
        step_o   <= step_i;
        tags_o   <= lane_tags_q;
        active_o <= lane_active_q;
      end
      hv_s1 <= act_q; hv_s2 <= hv_s1; v_s3_o <= hv_s2;
      hfirst_s1 <= (k_q == 0); hfirst_s2 <= hfirst_s1; first_s3_o <= hfirst_s2;
      hlast_s1 <= k_last; hlast_s2 <= hlast_s1; hlast_s3 <= hlast_s2;
      ph_o <= {ph_o[6:0], v_s3_o & hlast_s3};
    end
    if (rst_i) begin
      act_q <= 1'b0;
      hv_s1 <= 1'b0; hv_s2 <= 1'b0; v_s3_o <= 1'b0;
      ph_o <= 8'd0;
    end
  end
  /* verilator lint_off WIDTH */
  assign last_o = (step_o == Steps - 1);
  /* verilator lint_on WIDTH */
  assign saddr_o = {TopLayer, bank_q, k_q[UnitW-1:0]};
  rom_sync #(.DataWidth(24), .Depth(Hidden), .AddrWidth(UnitW), .Latency(2), .RomDir(RomDir),
             .File("head_weights.hex")) u_hw (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(k_q[UnitW-1:0]), .data_o(w_s2_o));
  // head_params word c at the lanes in ph_c: addressed two cycles earlier (block-RAM and output
  // registers, so the broadcast to the lanes starts at a register)
  wire [1:0] hp_addr = (hv_s2 & hlast_s2) ? 2'd0 : ((v_s3_o & hlast_s3) ? 2'd1 : 2'd2);
  rom_sync #(.DataWidth(32), .Depth(3), .AddrWidth(2), .Latency(2), .RomDir(RomDir),
             .File("head_params.hex")) u_hp (
    .clk_i(clk_i), .ce_i(ce_i), .addr_i(hp_addr), .data_o(hp_word_o));
  assign push_o = ce_i & ph_o[7];
endmodule
`default_nettype wire
