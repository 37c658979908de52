// crc16: one byte step of CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, MSB first, no reflection,
//   no final XOR; check value of "123456789" = 0x29B1). See docs/protocol.md.
// Latency: combinational.
// Interface: crc_o = CRC state after feeding data_i into state crc_i. Appending the CRC to a
//   message big-endian makes the CRC of the whole message 0 (the receiver checks that).
`default_nettype none

module crc16 (
  input  wire [15:0] crc_i,
  input  wire [7:0]  data_i,
  output wire [15:0] crc_o
);
  reg [15:0] c;
  integer i;
  always @* begin
    c = crc_i ^ {data_i, 8'h00};
    for (i = 0; i < 8; i = i + 1) begin
      c = c[15] ? ({c[14:0], 1'b0} ^ 16'h1021) : {c[14:0], 1'b0};
    end
  end
  assign crc_o = c;
endmodule

`default_nettype wire
