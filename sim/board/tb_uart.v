// tb_uart: Icarus test of uart_tx -> uart_rx: all 256 byte values back to back, then a byte with
// its stop bit forced to 0 (framing error flagged), then a normal byte again. Prints PASS/FAIL.
`default_nettype none

module tb_uart;
  localparam integer Cpb = 6;
  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = !clk;   // time units are arbitrary

  reg        tx_valid = 1'b0;
  reg  [7:0] tx_data = 8'h00;
  wire       tx_ready, line;
  reg        force_low = 1'b0;      // pulls the line low (to break a stop bit)
  wire       rx_valid, rx_ferr;
  wire [7:0] rx_data;

  uart_tx #(.ClksPerBit(Cpb)) u_tx (.clk_i(clk), .rst_i(rst), .s_valid_i(tx_valid),
    .s_ready_o(tx_ready), .s_data_i(tx_data), .tx_o(line));
  uart_rx #(.ClksPerBit(Cpb)) u_rx (.clk_i(clk), .rst_i(rst), .rx_i(line && !force_low),
    .m_valid_o(rx_valid), .m_data_o(rx_data), .m_frame_err_o(rx_ferr));

  integer errors = 0, got = 0, ferrs = 0;
  reg [7:0] expect_q = 8'h00;
  always @(posedge clk) begin
    if (rx_valid) begin
      if (rx_ferr) ferrs = ferrs + 1;
      else begin
        if (rx_data !== expect_q) begin
          errors = errors + 1;
          $display("FAIL: got %h, expected %h", rx_data, expect_q);
        end
        expect_q <= expect_q + 1'b1;
        got = got + 1;
      end
    end
  end

  task send(input [7:0] b);
    begin
      @(posedge clk);
      while (!tx_ready) @(posedge clk);
      tx_valid <= 1'b1;
      tx_data  <= b;
      @(posedge clk);
      tx_valid <= 1'b0;
    end
  endtask

  integer i;
  initial begin
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    for (i = 0; i < 256; i = i + 1) send(i[7:0]);
    // a byte whose stop bit is pulled low: framing error, no data byte counted
    send(8'h55);
    repeat (9 * Cpb + 1) @(posedge clk);
    force_low <= 1'b1;                 // low across the middle of the stop bit only
    repeat (Cpb - 2) @(posedge clk);
    force_low <= 1'b0;
    repeat (4 * Cpb) @(posedge clk);
    expect_q <= 8'h00;
    send(8'h00);
    repeat (12 * Cpb) @(posedge clk);
    if (got != 257 || ferrs != 1 || errors != 0) begin
      $display("FAIL: %0d bytes, %0d framing errors, %0d mismatches", got, ferrs, errors);
      $finish;
    end
    $display("PASS: tb_uart (%0d bytes, %0d framing error)", got, ferrs);
    $finish;
  end
endmodule

`default_nettype wire
