// ram_1w1r: simple dual-port RAM, one write port and one registered read port.
// Latency: read data appears 1 cycle after (re_i, raddr_i); a write is visible to a read issued
//   in the following cycle (read-during-write to the same address returns the old word).
// Interface: plain strobes, no handshake; maps to DP16KD or distributed RAM.
`default_nettype none
module ram_1w1r #(
  parameter integer DataWidth = 8,
  parameter integer AddrWidth = 6
) (
  input  wire                 clk_i,
  input  wire                 we_i,
  input  wire [AddrWidth-1:0] waddr_i,
  input  wire [DataWidth-1:0] wdata_i,
  input  wire                 re_i,
  input  wire [AddrWidth-1:0] raddr_i,
  output reg  [DataWidth-1:0] rdata_o
);
  reg [DataWidth-1:0] mem [0:(1 << AddrWidth)-1];

  always @(posedge clk_i) begin
    if (we_i) mem[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem[raddr_i];
  end
endmodule
`default_nettype wire
