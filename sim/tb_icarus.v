// tb_icarus: plain-Verilog bench of flimgru_core (Icarus, or Verilator on the post-synthesis
//   netlist): one batch of Lanes pixels with the input x_q = bin % 128 (pixel 0) and all zeros
//   (other pixels); prints every SFD sample, every hidden-state write of every lane (from the
//   dbg_* ports) and each summary, and checks the counts. sim/postsynth.sh diffs the print-out
//   against the integer model (flimgru_rtl_romgen ... tb LANES).
//   iverilog -g2005 -Irtl/core -I ROMDIR -s tb_icarus -o tb.vvp sim/tb_icarus.v rtl/core/*.v rtl/lib/*.v
//   vvp tb.vvp +rom_dir=ROMDIR
//   -DPOSTSYNTH: the DUT is flimgru_core_netlist, a synthesized netlist of flimgru_core
//   (sim/postsynth.sh): no
//   parameters to set (Lanes and the ROM contents are baked in).
`default_nettype none
`timescale 1ns / 1ps
module tb_icarus;
`ifdef LANES
  localparam integer Lanes = `LANES;
`else
  localparam integer Lanes = 2;
`endif
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = ~clk;

  reg         x_valid = 1'b0;
  wire        x_ready;
  reg  [7:0]  x_data = 8'd0;
  reg  [15:0] x_tag = 16'd0;
  wire        y_valid, s_valid;
  wire [47:0] y_data, s_first;
  wire [15:0] y_tag, s_tag;
  wire [7:0]  y_step;
  wire [103:0] s_data;
  wire        dbg_ce, dbg_bs, dbg_we, dbg_dec, dbg_bank;
  wire [7:0]  dbg_step, dbg_unit;
  wire [3:0]  dbg_layer;
  wire [16*Lanes-1:0] dbg_data;

`ifdef POSTSYNTH
  flimgru_core_netlist dut (
`else
  flimgru_core #(.Lanes(Lanes)) dut (
`endif
    .clk_i(clk), .rst_i(rst),
    .s_x_valid_i(x_valid), .s_x_ready_o(x_ready), .s_x_data_i(x_data), .s_x_tag_i(x_tag),
    .s_x_last_i(1'b0), .s_x_flush_i(1'b0),
`ifndef POSTSYNTH
    .s_irf_valid_i(1'b0), .s_irf_ready_o(), .s_irf_data_i(8'd0),
`endif
    .m_y_valid_o(y_valid), .m_y_ready_i(1'b1), .m_y_data_o(y_data), .m_y_tag_o(y_tag),
    .m_y_step_o(y_step),
    .m_sum_valid_o(s_valid), .m_sum_ready_i(1'b1), .m_sum_tag_o(s_tag), .m_sum_data_o(s_data),
    .m_sum_first_o(s_first),
    .dbg_ce_o(dbg_ce), .dbg_batch_start_o(dbg_bs), .dbg_h_we_o(dbg_we), .dbg_h_dec_o(dbg_dec),
    .dbg_h_step_o(dbg_step), .dbg_h_layer_o(dbg_layer), .dbg_h_bank_o(dbg_bank),
    .dbg_h_unit_o(dbg_unit), .dbg_h_data_o(dbg_data));

  integer px, bin, ln, samples = 0, summaries = 0;
  initial begin
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    for (px = 0; px < Lanes; px = px + 1) begin
      for (bin = 0; bin < 135; bin = bin + 1) begin
        x_valid <= 1'b1;
        x_data  <= (px == 0) ? bin[7:0] % 8'd128 : 8'd0;
        x_tag   <= 16'd100 + px[15:0];
        @(posedge clk);
        while (!x_ready) @(posedge clk);
      end
    end
    x_valid <= 1'b0;
  end

  always @(posedge clk) begin
    if (y_valid) begin
      samples = samples + 1;
      $display("sample pixel %0d step %0d: y = %0d %0d %0d", y_tag, y_step, $signed(y_data[15:0]),
               $signed(y_data[31:16]), $signed(y_data[47:32]));
    end
    if (dbg_we)
      for (ln = 0; ln < Lanes; ln = ln + 1)
        $display("state lane %0d dec %0d step %0d layer %0d unit %0d: h = %0d", ln, dbg_dec,
                 dbg_step, dbg_layer, dbg_unit, $signed(dbg_data[16 * ln +: 16]));
    if (s_valid) begin
      summaries = summaries + 1;
      $display("summary pixel %0d: sum = %0d %0d %0d, first = %0d %0d %0d, cum = %0d", s_tag,
               $signed(s_data[23:0]), $signed(s_data[47:24]), $signed(s_data[71:48]),
               $signed(s_first[15:0]), $signed(s_first[31:16]), $signed(s_first[47:32]),
               $signed(s_data[103:72]));
      if (summaries == Lanes) begin
        $display("tb_icarus: %0d samples, %0d summaries: %s", samples, summaries,
                 (samples == 135 * Lanes) ? "PASS" : "FAIL");
        $finish;
      end
    end
  end

  initial begin
    #20000000;
    $display("tb_icarus: timeout, FAIL");
    $finish;
  end
endmodule
`default_nettype wire
