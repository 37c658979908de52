// uart_tx: 8N1 UART transmitter.
// What: sends one byte as start bit, 8 data bits LSB first, one stop bit.
// Latency: the start bit begins the cycle after s_valid_i && s_ready_o; a byte occupies the
//   line for 10 * ClksPerBit + 1 cycles (s_ready_o is high for one cycle between bytes).
// Interface: valid/ready byte input; tx_o idles high (also during reset).
`default_nettype none

module uart_tx #(
  parameter integer ClksPerBit = 25   // clock cycles per bit, >= 2
) (
  input  wire       clk_i,
  input  wire       rst_i,
  input  wire       s_valid_i,
  output wire       s_ready_o,
  input  wire [7:0] s_data_i,
  output wire       tx_o
`ifdef FORMAL
  ,                                 // the registers, for sim/formal/uart_loopback.v's invariants
  output wire [3:0] f_bits_o,
  output wire [7:0] f_cnt_o,
  output wire [8:0] f_shift_o
`endif
);
  localparam integer CntW = $clog2(ClksPerBit + 1) + 1;
  // Counter reload for one bit time, ClksPerBit - 1 at the counter's width (ClksPerBit fits in
  // CntW bits, so the sized subtraction gives the same value as the integer one).
  localparam [CntW-1:0] CntBit = ClksPerBit[CntW-1:0] - 1'b1;

  // The start bit goes out of tx_q directly, so the shift register holds only what follows it.
  reg [8:0]      shift_q;    // {stop, data[7:0]}, LSB goes out first (after the start bit)
  reg [3:0]      bits_q;     // bits left to send, 0 = idle
  reg [CntW-1:0] cnt_q;
  reg            tx_q;

  wire idle = (bits_q == 4'd0);
  assign s_ready_o = idle;

  always @(posedge clk_i) begin
    if (idle) begin
      tx_q <= 1'b1;
      if (s_valid_i) begin
        shift_q <= {1'b1, s_data_i};
        bits_q  <= 4'd10;
        cnt_q   <= CntBit;
        tx_q    <= 1'b0;
      end
    end else if (cnt_q != 0) begin
      cnt_q <= cnt_q - 1'b1;
    end else begin
      shift_q <= {1'b1, shift_q[8:1]};
      tx_q    <= shift_q[0];
      bits_q  <= bits_q - 1'b1;
      cnt_q   <= CntBit;
      if (bits_q == 4'd1) tx_q <= 1'b1;
    end
    if (rst_i) begin
      bits_q <= 4'd0;
      tx_q   <= 1'b1;
    end
  end

  assign tx_o = tx_q;
`ifdef FORMAL
  assign f_bits_o  = bits_q;
  assign f_cnt_o   = {{(8 - CntW){1'b0}}, cnt_q};
  assign f_shift_o = shift_q;
`endif
endmodule

`default_nettype wire
