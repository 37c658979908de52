// uart_loopback: proof harness (sim/formal/uart_loopback.sby) of uart_tx driving uart_rx over a
//   wire at the same ClksPerBit: every byte uart_tx accepts comes out of uart_rx unchanged,
//   without a framing error, exactly RxLatency cycles after it was accepted, in order; uart_rx
//   puts out nothing else; uart_tx is ready exactly when its last byte has left the line.
// Latency: RxLatency = 4 + ClksPerBit/2 + 9 * ClksPerBit cycles (tx start bit 1 cycle after the
//   handshake, 2 synchronizer stages, start-bit check at its middle, 8 data bits, the stop bit's
//   middle).
// Interface: the byte input of uart_tx (free); uart_rx's outputs observed.
`default_nettype none

module uart_loopback #(
  parameter integer ClksPerBit = 4
) (
  input  wire       clk_i,
  input  wire       rst_i,
  input  wire       s_valid_i,
  output wire       s_ready_o,
  input  wire [7:0] s_data_i,
  output wire       m_valid_o,
  output wire [7:0] m_data_o,
  output wire       m_frame_err_o
);
  wire line;
  uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i(clk_i), .rst_i(rst_i), .s_valid_i(s_valid_i), .s_ready_o(s_ready_o),
    .s_data_i(s_data_i), .tx_o(line)
  );
  uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i(clk_i), .rst_i(rst_i), .rx_i(line),
    .m_valid_o(m_valid_o), .m_data_o(m_data_o), .m_frame_err_o(m_frame_err_o)
  );

`ifdef FORMAL
  localparam integer ByteCycles = 10 * ClksPerBit + 1;      // uart_tx's line time of a byte
  localparam integer RxLatency  = 4 + ClksPerBit / 2 + 9 * ClksPerBit;
  localparam integer AgeMax     = RxLatency + ByteCycles;   // ages saturate here
  localparam integer AW         = $clog2(AgeMax + 1);

  // Environment: a reset in the first cycle (and any time later), the line idle long before it
  // (rst_i forces both ends to idle; the receiver needs the line high for one byte time).
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  // The last two bytes accepted by uart_tx and their ages (cycles since their handshake).
  wire f_in = s_valid_i && s_ready_o;
  reg [AW-1:0] f_age0, f_age1;
  reg [7:0]    f_byte0, f_byte1;
  always @(posedge clk_i) begin
    if (f_age0 != AgeMax) f_age0 <= f_age0 + 1'b1;
    if (f_age1 != AgeMax) f_age1 <= f_age1 + 1'b1;
    if (f_in) begin
      f_age0  <= 1;
      f_byte0 <= s_data_i;
      f_age1  <= (f_age0 == AgeMax) ? AgeMax : f_age0 + 1'b1;
      f_byte1 <= f_byte0;
    end
    if (rst_i) begin
      f_age0 <= AgeMax;
      f_age1 <= AgeMax;
    end
  end

  always @* if (f_past_valid && !rst_i) begin
    // the sender: busy for exactly one byte time after each handshake, bytes never overlap
    assert (s_ready_o == (f_age0 >= ByteCycles));
    assert (f_age1 == AgeMax || f_age1 >= f_age0 + ByteCycles);
    // the round trip: a byte comes out exactly when one went in RxLatency cycles ago, equal to
    // it, with its stop bit
    assert (m_valid_o == (f_age0 == RxLatency || f_age1 == RxLatency));
    if (f_age0 == RxLatency) assert (m_data_o == f_byte0 && !m_frame_err_o);
    if (f_age1 == RxLatency) assert (m_data_o == f_byte1 && !m_frame_err_o);
    // the line idles high between bytes
    if (f_age0 >= ByteCycles) assert (line);
  end

  // Reachability: a byte received.
  always @* if (f_past_valid && !rst_i) cover (m_valid_o && f_age0 == RxLatency);
`endif
endmodule

`default_nettype wire
