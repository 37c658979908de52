// uart_rx: 8N1 UART receiver.
// What: a 2-FF synchronizer on rx_i, start-bit detection on the falling edge, a start bit
//   re-checked at its middle (glitches are ignored), data bits sampled in the middle of each bit
//   (LSB first), stop bit sampled in its middle. Returns to idle in the middle of the stop bit, so
//   a sender up to ~4% fast or slow is tolerated.
// Latency: m_valid_o pulses one cycle, 9.5 bit times after the falling start edge (+2 sync).
// Interface: m_valid_o/m_data_o (no back-pressure: a UART cannot wait), m_frame_err_o high
//   together with m_valid_o when the stop bit was 0 (framing error; the data is still given).
`default_nettype none

module uart_rx #(
  parameter integer ClksPerBit = 25   // clock cycles per bit, >= 4
) (
  input  wire       clk_i,
  input  wire       rst_i,
  input  wire       rx_i,           // asynchronous serial input, idle high
  output wire       m_valid_o,
  output wire [7:0] m_data_o,
  output wire       m_frame_err_o
`ifdef FORMAL
  ,                                 // the registers, for sim/formal/uart_loopback.v's invariants
  output wire [1:0] f_state_o,
  output wire [7:0] f_cnt_o,
  output wire [2:0] f_bit_o,
  output wire [7:0] f_shift_o,
  output wire [1:0] f_sync_o        // {rx_meta_q, rx_sync_q}
`endif
);
  localparam integer CntW = $clog2(ClksPerBit + 1) + 1;
  localparam integer HalfBit = ClksPerBit / 2;
  // Counter reloads at the counter's width: ClksPerBit - 1 (one bit time) and HalfBit - 1 (half
  // of one). Both fit in CntW bits, so the sized subtractions give the integer values.
  localparam [CntW-1:0] CntBit  = ClksPerBit[CntW-1:0] - 1'b1;
  localparam [CntW-1:0] CntHalf = HalfBit[CntW-1:0] - 1'b1;

  localparam [1:0] StIdle = 2'd0, StStart = 2'd1, StData = 2'd2, StStop = 2'd3;

  initial begin
    if (ClksPerBit < 4) begin
      $display("uart_rx: ClksPerBit must be >= 4");
      $finish;
    end
  end

  // Synchronizer (the first stage may go metastable; nothing else reads it).
  reg rx_meta_q, rx_sync_q;
  always @(posedge clk_i) begin
    rx_meta_q <= rx_i;
    rx_sync_q <= rx_meta_q;
    if (rst_i) begin
      rx_meta_q <= 1'b1;
      rx_sync_q <= 1'b1;
    end
  end

  reg [1:0]      state_q;
  reg [CntW-1:0] cnt_q;      // cycles left until the next sample point
  reg [2:0]      bit_q;      // data bit index
  reg [7:0]      shift_q;
  reg            valid_q, ferr_q;

  always @(posedge clk_i) begin
    valid_q <= 1'b0;
    ferr_q  <= 1'b0;
    case (state_q)
      StIdle: begin
        if (!rx_sync_q) begin
          state_q <= StStart;
          cnt_q   <= CntHalf;
        end
      end
      StStart: begin
        if (cnt_q != 0) begin
          cnt_q <= cnt_q - 1'b1;
        end else if (rx_sync_q) begin
          state_q <= StIdle;                 // glitch, not a start bit
        end else begin
          state_q <= StData;
          cnt_q   <= CntBit;
          bit_q   <= 3'd0;
        end
      end
      StData: begin
        if (cnt_q != 0) begin
          cnt_q <= cnt_q - 1'b1;
        end else begin
          shift_q <= {rx_sync_q, shift_q[7:1]};
          cnt_q   <= CntBit;
          bit_q   <= bit_q + 1'b1;
          if (bit_q == 3'd7) state_q <= StStop;
        end
      end
      default: begin  // StStop
        if (cnt_q != 0) begin
          cnt_q <= cnt_q - 1'b1;
        end else begin
          valid_q <= 1'b1;
          ferr_q  <= !rx_sync_q;
          state_q <= StIdle;
        end
      end
    endcase
    if (rst_i) begin
      state_q <= StIdle;
      valid_q <= 1'b0;
      ferr_q  <= 1'b0;
    end
  end

  assign m_valid_o     = valid_q;
  assign m_data_o      = shift_q;
  assign m_frame_err_o = ferr_q;
`ifdef FORMAL
  assign f_state_o = state_q;
  assign f_cnt_o   = {{(8 - CntW){1'b0}}, cnt_q};
  assign f_bit_o   = bit_q;
  assign f_shift_o = shift_q;
  assign f_sync_o  = {rx_meta_q, rx_sync_q};
`endif
endmodule

`default_nettype wire
