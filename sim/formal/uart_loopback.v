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
  wire [3:0] tx_bits;
  wire [7:0] tx_cnt, rx_cnt, rx_shift;
  wire [8:0] tx_shift;
  wire [1:0] rx_state, rx_sync;
  wire [2:0] rx_bit;
  uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i(clk_i), .rst_i(rst_i), .s_valid_i(s_valid_i), .s_ready_o(s_ready_o),
    .s_data_i(s_data_i), .tx_o(line),
    .f_bits_o(tx_bits), .f_cnt_o(tx_cnt), .f_shift_o(tx_shift)
  );
  uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i(clk_i), .rst_i(rst_i), .rx_i(line),
    .m_valid_o(m_valid_o), .m_data_o(m_data_o), .m_frame_err_o(m_frame_err_o),
    .f_state_o(rx_state), .f_cnt_o(rx_cnt), .f_bit_o(rx_bit), .f_shift_o(rx_shift), .f_sync_o(rx_sync)
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

  // Induction invariants: both ends' registers as functions of the ages and bytes above (the
  // state of the whole loop is determined by them), so that k-induction proves the properties
  // for every reachable state, not only within a bound.
  localparam integer Cpb = ClksPerBit, Half = ClksPerBit / 2;
  localparam integer RxData0 = 4 + Half;                    // age of the first data-bit count
  // The line at a byte's age a (cycles since its handshake; idle high outside the byte).
  function f_line_at(input integer a, input [7:0] by);
    integer e;
    begin
      e = a - 1;
      if (a < 1 || e >= 10 * Cpb) f_line_at = 1'b1;
      else if (e / Cpb == 0)      f_line_at = 1'b0;
      else if (e / Cpb <= 8)      f_line_at = by[e / Cpb - 1];
      else                        f_line_at = 1'b1;
    end
  endfunction
  integer f_e, f_b, f_ra, f_d, f_k;
  reg [7:0] f_rb;
  always @* if (f_past_valid && !rst_i) begin
    assert (f_age0 >= 1 && f_age0 <= AgeMax && f_age1 <= AgeMax);
    // uart_tx: bits left, bit counter and shift register of the byte on the line
    f_e = f_age0 - 1;
    f_b = f_e / Cpb;
    assert (line == f_line_at(f_age0, f_byte0));
    if (f_age0 >= 1 && f_e < 10 * Cpb) begin
      assert (tx_bits == 10 - f_b);
      assert (tx_cnt == Cpb - 1 - f_e % Cpb);
      assert (tx_shift == (({1'b1, f_byte0} >> f_b) | ~(9'h1FF >> f_b)));
    end else begin
      assert (tx_bits == 4'd0);
    end
    // uart_rx: the synchronizer holds the line of one and two cycles ago
    assert (rx_sync == {f_line_at(f_age0 - 1, f_byte0), f_line_at(f_age0 - 2, f_byte0)});
    // the byte the receiver works on (from its start edge to its output) and its age there
    f_ra = 0;
    f_rb = f_byte0;
    if (f_age0 >= 3 && f_age0 <= RxLatency) f_ra = f_age0;
    else if (f_age1 <= RxLatency) begin f_ra = f_age1; f_rb = f_byte1; end
    f_d = f_ra - RxData0;
    f_k = f_d / Cpb;
    if (f_ra >= 4 && f_ra < RxData0) begin
      assert (rx_state == 2'd1 && rx_cnt == RxData0 - 1 - f_ra);            // start bit
    end else if (f_ra >= RxData0 && f_ra < RxLatency) begin
      assert (rx_cnt == Cpb - 1 - f_d % Cpb);
      if (f_k < 8) assert (rx_state == 2'd2 && rx_bit == f_k && (f_k == 0 ||
                           (rx_shift >> (8 - f_k)) == (f_rb & ((8'd1 << f_k) - 8'd1))));
      else         assert (rx_state == 2'd3 && rx_shift == f_rb);          // stop bit
    end else begin
      assert (rx_state == 2'd0);                                          // idle
      if (f_ra == RxLatency) assert (rx_shift == f_rb);
    end
  end

  // Reachability: a byte received.
  always @* if (f_past_valid && !rst_i) cover (m_valid_o && f_age0 == RxLatency);
`endif
endmodule

`default_nettype wire
