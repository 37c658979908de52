// frontend_pixel_assign: a line's buffered photons → binned columns (docs/numerics.md §10):
//   x = floor(dt · PixX / duration) (exact, pipelined_divider), x = PixX − 1 when dt ≥ duration
//   (counted: past image), reversed on odd lines of a bidirectional scan, col = x >> BinShift.
//   Per LINE descriptor: a ROW token {frame, line >> BinShift, lost}, one PHOTON token {col,
//   bin} per photon, then a CLOSE token if the line is its row's last (line + 1 ≡ 0 mod
//   2^BinShift, or line + 1 = PixY); a descriptor without bank (a bad line) releases none; per
//   CLOSE descriptor one CLOSE token. Tokens keep the stream's order.
// Latency: 4 + XW enabled cycles from a bank read to its token; one photon per cycle.
// Interface: descriptors valid/ready in; the line banks' read port and release strobes; tokens
//   valid/ready out (every stage moves when the output register is free).
`default_nettype none
module frontend_pixel_assign #(
  parameter integer LineDepth = 1024,
  parameter integer DurW      = 24,
  parameter integer XW        = 9     // x < 2^XW: PixX ≤ 2^XW
) (
  input  wire                 clk_i,
  input  wire                 rst_i,
  input  wire [XW:0]          pix_x_i,
  input  wire [15:0]          pix_y_i,
  input  wire                 bidirect_i,
  input  wire [2:0]           bin_shift_i,
  // descriptors in
  input  wire                 s_valid_i,
  output wire                 s_ready_o,
  input  wire                 s_close_i,
  input  wire                 s_nobank_i,
  input  wire                 s_lost_i,
  input  wire                 s_bank_i,
  input  wire [$clog2(LineDepth):0] s_count_i,
  input  wire [DurW-1:0]      s_duration_i,
  input  wire [15:0]          s_line_i,
  input  wire [15:0]          s_frame_i,
  // line banks
  output wire                 rd_en_o,
  output wire [$clog2(LineDepth):0] rd_addr_o,
  input  wire [DurW+7:0]      rd_data_i,
  output reg  [1:0]           release_o,
  // tokens out
  output wire                 m_valid_o,
  input  wire                 m_ready_i,
  output wire [1:0]           m_kind_o,
  output wire [XW-1:0]        m_col_o,
  output wire [7:0]           m_bin_o,
  output wire [15:0]          m_row_o,
  output wire [15:0]          m_frame_o,
  output wire                 m_lost_o,       // ROW tokens: photons of the line were lost
  output wire [31:0]          past_image_o,
  output wire                 idle_o          // no descriptor or token in flight
);
`include "frontend_params.vh"
  localparam integer LW = $clog2(LineDepth);
  localparam integer NumW = DurW + XW + 1;
  localparam integer SideW = 1 + 2 + 1 + 1 + 8 + 16 + 16;   // lost, kind, past, odd, bin, row, frame

  reg              m_valid_q;
  reg [1:0]        m_kind_q;
  reg [XW-1:0]     m_col_q;
  reg [7:0]        m_bin_q;
  reg [15:0]       m_row_q, m_frame_q;
  reg              m_lost_q;
  reg [31:0]       past_q;
  wire en = ~m_valid_q | m_ready_i;

  // --- stage 0: walk a descriptor: ROW, the photons (bank reads), CLOSE ---------------------
  localparam [1:0] StIdle = 2'd0, StPhotons = 2'd1, StClose = 2'd2;
  reg [1:0]      st_q;
  reg            bank_q, nobank_q, odd_q, last_line_q;
  reg [LW:0]     idx_q, count_q;
  reg [DurW-1:0] dur_q;
  reg [15:0]     row_q, frame_q;

  wire take_desc = en & (st_q == StIdle) & s_valid_i;
  assign s_ready_o = en & (st_q == StIdle);
  wire issue_photon = en & (st_q == StPhotons) & (idx_q != count_q);
  assign rd_en_o   = issue_photon;
  assign rd_addr_o = {bank_q, idx_q[LW-1:0]};

  wire [15:0] line_plus1 = s_line_i + 16'd1;
  wire [15:0] bin_mask = (16'd1 << bin_shift_i) - 16'd1;

  // token issued this cycle (stage 0 → stage 1)
  reg        t0_valid;
  reg [1:0]  t0_kind;
  always @(*) begin
    t0_valid = 1'b0;
    t0_kind  = TokPhoton;
    if (take_desc) begin
      t0_valid = 1'b1;
      t0_kind  = s_close_i ? TokClose : TokRow;
    end else if (issue_photon) begin
      t0_valid = 1'b1;
      t0_kind  = TokPhoton;
    end else if (en & (st_q == StClose)) begin
      t0_valid = 1'b1;
      t0_kind  = TokClose;
    end
  end

  always @(posedge clk_i) begin
    release_o <= 2'b00;
    if (take_desc && !s_close_i) begin
      st_q        <= StPhotons;
      bank_q      <= s_bank_i;
      nobank_q    <= s_nobank_i;
      idx_q       <= {(LW+1){1'b0}};
      count_q     <= s_count_i;
      dur_q       <= s_duration_i;
      odd_q       <= s_line_i[0];
      row_q       <= s_line_i >> bin_shift_i;
      frame_q     <= s_frame_i;
      last_line_q <= ((line_plus1 & bin_mask) == 16'd0) | (line_plus1 == pix_y_i);
    end else if (en && st_q == StPhotons) begin
      if (idx_q != count_q) idx_q <= idx_q + 1'b1;
      else begin
        if (!nobank_q) release_o[bank_q] <= 1'b1;
        st_q <= last_line_q ? StClose : StIdle;
      end
    end else if (en && st_q == StClose) begin
      st_q <= StIdle;
    end
    if (rst_i) begin
      st_q      <= StIdle;
      release_o <= 2'b00;
    end
  end

  // --- stage 1: the bank's word arrives; dt · PixX ------------------------------------------
  reg            s1_valid_q;
  reg [1:0]      s1_kind_q;
  reg            s1_odd_q, s1_lost_q;
  reg [DurW-1:0] s1_dur_q;
  reg [15:0]     s1_row_q, s1_frame_q;
  always @(posedge clk_i) begin
    if (en) begin
      s1_valid_q <= t0_valid;
      s1_kind_q  <= t0_kind;
      s1_odd_q   <= take_desc ? s_line_i[0] : odd_q;
      s1_lost_q  <= take_desc & ~s_close_i & s_lost_i;
      s1_dur_q   <= dur_q;
      s1_row_q   <= take_desc ? (s_line_i >> bin_shift_i) : row_q;
      s1_frame_q <= take_desc ? s_frame_i : frame_q;
    end
    if (rst_i) s1_valid_q <= 1'b0;
  end

  // --- stage 1r: the bank's word registered (block RAM read data is unregistered, ~5.7 ns) ----
  reg            r1_valid_q;
  reg [1:0]      r1_kind_q;
  reg            r1_odd_q, r1_lost_q;
  reg [DurW-1:0] r1_dur_q, r1_dt_q;
  reg [7:0]      r1_bin_q;
  reg [15:0]     r1_row_q, r1_frame_q;
  always @(posedge clk_i) begin
    if (en) begin
      r1_valid_q <= s1_valid_q;
      r1_kind_q  <= s1_kind_q;
      r1_odd_q   <= s1_odd_q;
      r1_lost_q  <= s1_lost_q;
      r1_dur_q   <= s1_dur_q;
      r1_dt_q    <= rd_data_i[DurW+7:8];
      r1_bin_q   <= rd_data_i[7:0];
      r1_row_q   <= s1_row_q;
      r1_frame_q <= s1_frame_q;
    end
    if (rst_i) r1_valid_q <= 1'b0;
  end

  // --- stage 2: numerator, range ------------------------------------------------------------
  reg            s2_valid_q;
  reg [NumW-1:0] s2_num_q;
  reg [DurW-1:0] s2_dur_q;
  reg [SideW-1:0] s2_side_q;
  wire r1_past = (r1_kind_q == TokPhoton) & (r1_dt_q >= r1_dur_q);
  always @(posedge clk_i) begin
    if (en) begin
      s2_valid_q <= r1_valid_q;
      /* verilator lint_off WIDTH */
      s2_num_q   <= (r1_kind_q == TokPhoton && !r1_past) ? r1_dt_q * pix_x_i : {NumW{1'b0}};
      /* verilator lint_on WIDTH */
      s2_dur_q   <= (r1_kind_q == TokPhoton) ? r1_dur_q : {{(DurW-1){1'b0}}, 1'b1};
      s2_side_q  <= {r1_lost_q, r1_kind_q, r1_past, r1_odd_q, r1_bin_q, r1_row_q, r1_frame_q};
    end
    if (rst_i) s2_valid_q <= 1'b0;
  end

  // --- divider: x = floor(dt · PixX / duration) ------------------------------------------------
  wire            d_valid;
  wire [XW-1:0]   d_quot;
  wire [SideW-1:0] d_side;
  wire            d_busy;
  pipelined_divider #(.NumWidth(NumW), .DenWidth(DurW), .QuotWidth(XW), .SideWidth(SideW)) u_div (
    .clk_i(clk_i), .rst_i(rst_i), .en_i(en),
    .valid_i(s2_valid_q), .num_i(s2_num_q), .den_i(s2_dur_q), .side_i(s2_side_q),
    .valid_o(d_valid), .quot_o(d_quot), .side_o(d_side), .busy_o(d_busy));

  wire        d_lost  = d_side[SideW-1];
  wire [1:0]  d_kind  = d_side[SideW-2:SideW-3];
  wire        d_past  = d_side[SideW-4];
  wire        d_odd   = d_side[SideW-5];
  wire [7:0]  d_bin   = d_side[39:32];
  wire [15:0] d_row   = d_side[31:16];
  wire [15:0] d_frame = d_side[15:0];
  /* verilator lint_off WIDTH */
  wire [XW-1:0] last_x = pix_x_i - 1'b1;
  /* verilator lint_on WIDTH */
  wire [XW-1:0] x      = d_past ? last_x : d_quot;
  wire [XW-1:0] x_scan = (bidirect_i & d_odd) ? last_x - x : x;

  // --- output register -----------------------------------------------------------------------
  always @(posedge clk_i) begin
    if (en) begin
      m_valid_q <= d_valid;
      m_kind_q  <= d_kind;
      m_col_q   <= x_scan >> bin_shift_i;
      m_bin_q   <= d_bin;
      m_row_q   <= d_row;
      m_frame_q <= d_frame;
      m_lost_q  <= d_lost;
      if (d_valid && d_kind == TokPhoton && d_past) past_q <= past_q + 32'd1;
    end
    if (rst_i) begin
      m_valid_q <= 1'b0;
      past_q    <= 32'd0;
    end
  end
  assign m_valid_o    = m_valid_q;
  assign m_kind_o     = m_kind_q;
  assign m_col_o      = m_col_q;
  assign m_bin_o      = m_bin_q;
  assign m_row_o      = m_row_q;
  assign m_frame_o    = m_frame_q;
  assign m_lost_o     = m_lost_q;
  assign past_image_o = past_q;
  assign idle_o = (st_q == StIdle) & ~s1_valid_q & ~r1_valid_q & ~s2_valid_q & ~d_busy & ~m_valid_q;
endmodule
`default_nettype wire
