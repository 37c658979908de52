// rom_sync: read-only memory initialised by $readmemh from a ROM image (docs/numerics.md §9).
// Latency: Latency (1 or 2) enabled cycles from addr_i to data_o; the first register is the
//   block-RAM read register, the optional second one the output register that keeps the
//   DP16KD clock-to-out off the next stage's path.
// File: RomDir/File, or at simulation time +rom_dir=DIR (plusarg) overrides RomDir, so one
//   verilated model can run any ROM set of the same dimensions.
`default_nettype none
module rom_sync #(
  parameter integer DataWidth = 8,
  parameter integer Depth     = 16,
  parameter integer AddrWidth = 4,
  parameter integer Latency   = 2,
  parameter         RomDir    = ".",
  parameter         File      = "rom.hex"
) (
  input  wire                 clk_i,
  input  wire                 ce_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [AddrWidth-1:0] addr_i,      // may be wider than Depth needs
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [DataWidth-1:0] data_o
);
  (* rom_style = "block" *)
  reg [DataWidth-1:0] mem [0:Depth-1];
  reg [DataWidth-1:0] rd_q;
  reg [DataWidth-1:0] out_q;

  generate
    if (Latency < 1 || Latency > 2 || (1 << AddrWidth) < Depth) begin : g_bad_params
      rom_sync_bad_latency_or_addr_width u_stop ();   // no such module: stops elaboration
    end
  endgenerate

`ifdef SYNTHESIS
  initial $readmemh({RomDir, "/", File}, mem);
`else
  reg [8*1024-1:0] dir;
  reg [8*1024-1:0] path;
  initial begin
    /* verilator lint_off WIDTH */
    dir = RomDir;
    /* verilator lint_on WIDTH */
    if ($value$plusargs("rom_dir=%s", dir)) begin end
    $sformat(path, "%0s/%0s", dir, File);
    $readmemh(path, mem);
  end
`endif

  always @(posedge clk_i) begin
    if (ce_i) begin
      /* verilator lint_off WIDTH */
      rd_q  <= mem[addr_i];    // addresses >= Depth are never issued
      /* verilator lint_on WIDTH */
      out_q <= rd_q;
    end
  end

  assign data_o = (Latency == 1) ? rd_q : out_q;
endmodule
`default_nettype wire
