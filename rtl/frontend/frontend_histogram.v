// frontend_histogram: per-pixel histograms of one row of binned pixels in block RAM, ping-pong:
//   the active bank counts the row being imaged while the other is read out and cleared.
//   PHOTON tokens: read-modify-write of bin (col, bin) at one per cycle; a photon on a bin
//   written in the two previous cycles takes the written value (forwarding), so equal bins in
//   consecutive cycles count exactly. Counts saturate at 2^CountW − 1 (a photon at the top is
//   counted as saturated, never wraps). ROW {frame, row, lost} opens a row (closing an open one
//   of another row first), CLOSE closes the open row: the banks swap, the closed one is read out.
//   A row is incomplete if a ROW token of it came with lost (photons of one of its lines lost).
//   Readout per pixel (col 0 … cols − 1): pass 1 reads the 135 bins for S = c_0 + … + c_9, the
//   largest count, the photons Σ c_k and the saturation flag; pass 2 reads them again, clears
//   them and sends one beat per bin with the pixel's pass-1 figures to frontend_norm.
// Latency: a photon is counted 3 cycles after it is taken; readout 2 × 135 cycles per pixel.
// Interface: tokens valid/ready in (s_ready_o low while a swap waits for the readout); beats
//   valid/ready out. Readout: issue → R1 (the block RAM's word) → R2 (registered: pass-1 sums,
//   pass-2 beats), all moving when the output beat is free or leaving.
`default_nettype none
module frontend_histogram #(
  parameter integer XW      = 9,      // column index width
  parameter integer MaxCols = 512,    // binned columns held per bank
  parameter integer CountW  = 16
) (
  input  wire               clk_i,
  input  wire               rst_i,
  input  wire [XW:0]        cols_i,          // binned columns of this image (≤ MaxCols)
  // tokens in
  input  wire               s_valid_i,
  output wire               s_ready_o,
  input  wire [1:0]         s_kind_i,
  input  wire [XW-1:0]      s_col_i,
  input  wire [7:0]         s_bin_i,
  input  wire [15:0]        s_row_i,
  input  wire [15:0]        s_frame_i,
  input  wire               s_lost_i,
  // readout beats out (pass 2)
  output wire               m_valid_o,
  input  wire               m_ready_i,
  output wire [15:0]        m_frame_o,
  output wire [15:0]        m_row_o,
  output wire [XW-1:0]      m_col_o,
  output wire [7:0]         m_bin_o,
  output wire [CountW-1:0]  m_count_o,
  output wire [CountW+3:0]  m_base_sum_o,    // S
  output wire [CountW-1:0]  m_count_max_o,
  output wire [23:0]        m_photons_o,
  output wire               m_saturated_o,
  output wire               m_incomplete_o,  // the row lost photons of a line
  output wire [31:0]        saturated_o,     // photons lost at the top of a bin
  output wire [31:0]        rows_out_o,
  output wire               idle_o           // no photon in the read-modify-write, no readout (an open row waits for its close)
);
`include "frontend_params.vh"
  localparam integer AW = $clog2(MaxCols * NBins);
  localparam [CountW-1:0] Top = {CountW{1'b1}};
  /* verilator lint_off WIDTH */
  localparam [7:0] LastBin = NBins - 1;
  localparam [7:0] BaseBins = BaselineBins;
  /* verilator lint_on WIDTH */
  generate
    if (CountW < 2 || CountW > 16 || MaxCols < 1 || MaxCols > (1 << XW) || NBins != 135) begin : g_bad_params
      frontend_histogram_bad_parameters u_stop ();
    end
  endgenerate

  // col · 135 + bin as shifts and adds (135 = 128 + 8 − 1): carry chains, no multiplier (Yosys
  // maps a constant product to a MULT18X18D, whose 3.9 ns sat on the token → read-address path)
  function [AW-1:0] addr_of(input [XW-1:0] col, input [7:0] bin);
    /* verilator lint_off WIDTH */
    addr_of = ({col, 7'd0} + {col, 3'd0}) - col + bin;
    /* verilator lint_on WIDTH */
  endfunction

  // --- bank state ---------------------------------------------------------------------------
  reg        abank_q, aopen_q, rbusy_q, ainc_q, rinc_q;
  reg [15:0] arow_q, aframe_q, rrow_q, rframe_q;
  reg [31:0] sat_q, rows_q;

  wire is_photon = s_kind_i == TokPhoton;
  wire is_row    = s_kind_i == TokRow;
  wire is_close  = s_kind_i == TokClose;
  wire other_row = aopen_q & ((s_row_i != arow_q) | (s_frame_i != aframe_q));
  wire need_swap = (is_row & other_row) | (is_close & aopen_q);

  // --- accumulate: P1 read, P2 the word registered, P3 increment and write ------------------
  // P3's read was issued two cycles before; the writes of the last two cycles (W1, W2) are not
  // in it and are forwarded (newest first), their address matches found in P2.
  reg              p2_valid_q, p2_bank_q, p3_valid_q, p3_bank_q;
  reg [AW-1:0]     p2_addr_q, p3_addr_q;
  reg [CountW-1:0] p3_word_q;
  reg              w1_valid_q, w1_bank_q;
  reg [AW-1:0]     w1_addr_q;
  reg [CountW-1:0] w1_data_q, w2_data_q;
  reg              m1_q, m2_q;      // P3's bin is W1's / W2's
  // A swap waits for the readout of the other bank and for the photons still in P2/P3 (the
  // readout's first read must not meet their writes).
  assign s_ready_o = ~(need_swap & (rbusy_q | p2_valid_q | p3_valid_q));
  wire fire = s_valid_i & s_ready_o;
  wire swap = fire & need_swap;
  wire             p1 = s_valid_i & is_photon;   // = fire & is_photon: a photon never waits (only ROW and CLOSE swap)
  wire [AW-1:0]    p1_addr = addr_of(s_col_i, s_bin_i);
  wire [CountW-1:0] rdata [0:1];
  wire [CountW-1:0] p3_old = m1_q ? w1_data_q : m2_q ? w2_data_q : p3_word_q;
  wire             p3_top = p3_old == Top;
  wire [CountW-1:0] p3_new = p3_top ? p3_old : p3_old + 1'b1;

  // --- readout: issue (pass, bin, col), R1 (the bank's word) -----------------------------------
  reg              r_pass_q, r_done_q;
  reg [7:0]        r_bin_q;
  reg [XW-1:0]     r_col_q;
  reg              r1_valid_q, r1_pass_q, r1_last_q;
  reg [7:0]        r1_bin_q;
  reg [XW-1:0]     r1_col_q;
  reg              r2_valid_q, r2_pass_q, r2_last_q;   // R2: the word registered
  reg [7:0]        r2_bin_q;
  reg [XW-1:0]     r2_col_q;
  reg [CountW-1:0] r2_data_q;
  reg [CountW+3:0] acc_sum_q, st_sum_q;
  reg [CountW-1:0] acc_max_q, st_max_q;
  reg [23:0]       acc_ph_q, st_ph_q;
  reg              acc_sat_q, st_sat_q;
  wire             r2_out = r2_valid_q & r2_pass_q;
  wire             en_r = ~r2_out | m_ready_i;
  wire             r_issue = en_r & rbusy_q & ~r_done_q;
  wire             rbank = ~abank_q;
  /* verilator lint_off WIDTH */
  wire [XW-1:0]    last_col = cols_i - 1'b1;
  /* verilator lint_on WIDTH */
  wire [AW-1:0]    r_addr = addr_of(r_col_q, r_bin_q);

  genvar b;
  generate
    for (b = 0; b < 2; b = b + 1) begin : g_bank
      wire rsel = rbusy_q & (rbank == b);
      wire we   = rsel ? (r_issue & r_pass_q) : (p3_valid_q & (p3_bank_q == b));
      wire re   = rsel ? r_issue : (p1 & (abank_q == b));
      ram_1w1r #(.DataWidth(CountW), .AddrWidth(AW)) u_ram (
        .clk_i(clk_i), .we_i(we), .waddr_i(rsel ? r_addr : p3_addr_q),
        .wdata_i(rsel ? {CountW{1'b0}} : p3_new),
        .re_i(re), .raddr_i(rsel ? r_addr : p1_addr), .rdata_o(rdata[b]));
`ifndef SYNTHESIS
      always @(posedge clk_i) begin
        if (!rst_i && rsel && p3_valid_q && p3_bank_q == b) begin
          $display("frontend_histogram: photon into bank %0d while it is read out", b);
          $stop;
        end
      end
`endif
    end
  endgenerate

  wire [CountW-1:0] r2_data = r2_data_q;
  wire [CountW+3:0] r2_sum_next = (r2_bin_q == 8'd0 ? {(CountW+4){1'b0}} : acc_sum_q) +
                                  (r2_bin_q < BaseBins ? {4'd0, r2_data} : {(CountW+4){1'b0}});
  wire [CountW-1:0] r2_max_next = (r2_bin_q == 8'd0 || r2_data > acc_max_q) ? r2_data : acc_max_q;
  wire [23:0]       r2_ph_next  = (r2_bin_q == 8'd0 ? 24'd0 : acc_ph_q) + {{(24-CountW){1'b0}}, r2_data};
  wire              r2_sat_next = (r2_bin_q == 8'd0 ? 1'b0 : acc_sat_q) | (r2_data == Top);

  always @(posedge clk_i) begin
    // accumulate
    p2_valid_q <= p1;
    p2_bank_q  <= abank_q;
    p2_addr_q  <= p1_addr;
    p3_valid_q <= p2_valid_q;
    p3_bank_q  <= p2_bank_q;
    p3_addr_q  <= p2_addr_q;
    p3_word_q  <= rdata[p2_bank_q];
    m1_q       <= p3_valid_q & (p3_bank_q == p2_bank_q) & (p3_addr_q == p2_addr_q);
    m2_q       <= w1_valid_q & (w1_bank_q == p2_bank_q) & (w1_addr_q == p2_addr_q);
    w1_valid_q <= p3_valid_q;
    w1_bank_q  <= p3_bank_q;
    w1_addr_q  <= p3_addr_q;
    w1_data_q  <= p3_new;
    w2_data_q  <= w1_data_q;
    if (p3_valid_q && p3_top) sat_q <= sat_q + 32'd1;
    // rows
    if (fire && is_row && (!aopen_q || other_row)) begin
      aopen_q  <= 1'b1;
      arow_q   <= s_row_i;
      aframe_q <= s_frame_i;
      ainc_q   <= s_lost_i;
    end else if (fire && is_row) begin
      ainc_q   <= ainc_q | s_lost_i;
    end
    if (fire && is_close) aopen_q <= 1'b0;
    if (swap) begin
      abank_q  <= ~abank_q;
      rbusy_q  <= 1'b1;
      r_done_q <= 1'b0;
      r_pass_q <= 1'b0;
      r_bin_q  <= 8'd0;
      r_col_q  <= {XW{1'b0}};
      rrow_q   <= arow_q;
      rframe_q <= aframe_q;
      rinc_q   <= ainc_q;
      rows_q   <= rows_q + 32'd1;
    end
    // readout issue
    if (r_issue) begin
      if (r_bin_q != LastBin) r_bin_q <= r_bin_q + 8'd1;
      else begin
        r_bin_q  <= 8'd0;
        r_pass_q <= ~r_pass_q;
        if (r_pass_q) begin
          if (r_col_q == last_col) r_done_q <= 1'b1;
          else r_col_q <= r_col_q + 1'b1;
        end
      end
    end
    if (en_r) begin
      r1_valid_q <= r_issue;
      r1_pass_q  <= r_pass_q;
      r1_bin_q   <= r_bin_q;
      r1_col_q   <= r_col_q;
      r1_last_q  <= r_pass_q & (r_bin_q == LastBin) & (r_col_q == last_col);
      r2_valid_q <= r1_valid_q;
      r2_pass_q  <= r1_pass_q;
      r2_bin_q   <= r1_bin_q;
      r2_col_q   <= r1_col_q;
      r2_last_q  <= r1_last_q;
      r2_data_q  <= rdata[rbank];
    end
    // pass 1 figures
    if (en_r && r2_valid_q && !r2_pass_q) begin
      acc_sum_q <= r2_sum_next;
      acc_max_q <= r2_max_next;
      acc_ph_q  <= r2_ph_next;
      acc_sat_q <= r2_sat_next;
      if (r2_bin_q == LastBin) begin
        st_sum_q <= r2_sum_next;
        st_max_q <= r2_max_next;
        st_ph_q  <= r2_ph_next;
        st_sat_q <= r2_sat_next;
      end
    end
    // the bank is free once its last beat has left
    if (en_r && r2_out && r2_last_q) rbusy_q <= 1'b0;
    if (rst_i) begin
      abank_q    <= 1'b0;
      aopen_q    <= 1'b0;
      rbusy_q    <= 1'b0;
      r_done_q   <= 1'b1;
      p2_valid_q <= 1'b0;
      p3_valid_q <= 1'b0;
      w1_valid_q <= 1'b0;
      r1_valid_q <= 1'b0;
      r2_valid_q <= 1'b0;
      sat_q      <= 32'd0;
      rows_q     <= 32'd0;
    end
  end

  assign m_valid_o     = r2_out;
  assign m_frame_o     = rframe_q;
  assign m_row_o       = rrow_q;
  assign m_col_o       = r2_col_q;
  assign m_bin_o       = r2_bin_q;
  assign m_count_o     = r2_data_q;
  assign m_base_sum_o  = st_sum_q;
  assign m_count_max_o = st_max_q;
  assign m_photons_o   = st_ph_q;
  assign m_saturated_o = st_sat_q;
  assign m_incomplete_o = rinc_q;
  assign saturated_o   = sat_q;
  assign rows_out_o    = rows_q;
  assign idle_o        = ~p2_valid_q & ~p3_valid_q & ~rbusy_q & ~r1_valid_q & ~r2_valid_q;

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (!rst_i && p1 && ({1'b0, s_col_i} >= cols_i || s_bin_i > LastBin)) begin
      $display("frontend_histogram: photon at column %0d bin %0d outside %0d columns", s_col_i, s_bin_i, cols_i);
      $stop;
    end
    if (!rst_i && p1 != (fire & is_photon)) begin
      $display("frontend_histogram: a photon token waited (p1 assumes photons are always taken)");
      $stop;
    end
  end
`endif
endmodule
`default_nettype wire
