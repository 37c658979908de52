// frontend_line_assembler: line markers → lines of buffered photons (ptu.cpp's line rules,
//   docs/architecture.md "The photon front end"). The photons of the open line go into one of
//   two line banks of LineDepth entries {dt, bin} (dt = macro − start, saturated to DurW bits);
//   a stop closes the line: a line of 0 < duration < 2^DurW becomes a LINE descriptor (bank,
//   photons, duration, line, frame; lost set if photons of it were dropped at a full bank) and
//   the other bank takes the next line; a line of another duration becomes a LINE descriptor
//   without photons or bank (nobank, lost: its row is flagged incomplete); frame markers and
//   flush become CLOSE descriptors (the open row is read out). Line numbers restart after a
//   frame marker that follows a line; a start at line PixY opens the next frame; a start, a
//   frame marker or a flush drops an open line (its photons counted outside lines).
// Counters (32 bits): every event kind of docs/architecture.md's bad-input list that is decided
//   here (see frontend_params.vh, Cnt*).
// Latency: an event is taken in one cycle; s_ready_o is low while a start waits for a free bank
//   or a descriptor waits for FIFO space (nothing is dropped for back-pressure).
// Interface: valid/ready in; descriptors valid/ready out (FIFO); the banks' read port and the
//   release strobes belong to frontend_pixel_assign.
`default_nettype none
module frontend_line_assembler #(
  parameter integer LineDepth = 1024,   // photons per line bank (power of two)
  parameter integer DurW      = 24
) (
  input  wire                     clk_i,
  input  wire                     rst_i,
  input  wire [15:0]              pix_y_i,
  // mapped events in
  input  wire                     s_valid_i,
  output wire                     s_ready_o,
  input  wire [2:0]               s_kind_i,
  input  wire [31:0]              s_macro_i,
  input  wire [7:0]               s_bin_i,
  input  wire                     s_in_window_i,
  // descriptors out: {close, nobank, lost, bank, count, duration, line, frame}
  output wire                     m_valid_o,
  input  wire                     m_ready_i,
  output wire                     m_close_o,
  output wire                     m_nobank_o,
  output wire                     m_lost_o,
  output wire                     m_bank_o,
  output wire [$clog2(LineDepth):0] m_count_o,
  output wire [DurW-1:0]          m_duration_o,
  output wire [15:0]              m_line_o,
  output wire [15:0]              m_frame_o,
  // line bank read port and release
  input  wire                     rd_en_i,
  input  wire [$clog2(LineDepth):0] rd_addr_i,   // {bank, index}
  output wire [DurW+7:0]          rd_data_o,    // {dt, bin}
  input  wire [1:0]               release_i,
  output wire [14*32-1:0]         counters_o,   // 14 counters, 32 bits each (see the end)
  output wire                     idle_o        // no descriptor queued, no line bank handed on (an open line waits for its stop)
);
`include "frontend_params.vh"
  localparam integer LW = $clog2(LineDepth);
  localparam integer DescW = 1 + 1 + 1 + 1 + (LW + 1) + DurW + 16 + 16;
  generate
    if ((1 << LW) != LineDepth || DurW < 2 || DurW > 31) begin : g_bad_params
      frontend_line_assembler_bad_parameters u_stop ();
    end
  endgenerate
  /* verilator lint_off WIDTH */
  localparam [LW:0] Depth = LineDepth;
  /* verilator lint_on WIDTH */

  reg              in_line_q, wbank_q, lost_q;
  reg [31:0]       t_start_q;
  reg [15:0]       line_q, frame_q;
  reg [LW:0]       wcount_q;
  reg [1:0]        busy_q;
  reg [31:0]       n_events_q, n_photons_q, n_imaged_q, n_out_lines_q, n_out_window_q, n_overflow_q,
                   n_bad_line_q, n_lines_q, n_too_long_q, n_zero_q, n_stop_first_q, n_trunc_q,
                   n_unknown_q, n_frames_q;

  // descriptor FIFO
  wire             fifo_ready;
  reg              push;
  reg  [DescW-1:0] push_data;
  wire [DescW-1:0] pop_data;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [2:0]       fifo_count;   // (unused: the FIFO's ready is enough)
  /* verilator lint_on UNUSEDSIGNAL */
  sync_fifo #(.Width(DescW), .Depth(4)) u_desc (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(push), .s_ready_o(fifo_ready), .s_data_i(push_data),
    .m_valid_o(m_valid_o), .m_ready_i(m_ready_i), .m_data_o(pop_data), .count_o(fifo_count));
  assign {m_close_o, m_nobank_o, m_lost_o, m_bank_o, m_count_o, m_duration_o, m_line_o, m_frame_o} = pop_data;

  wire is_photon = s_kind_i == EvPhoton;
  wire is_start  = s_kind_i == EvLineStart;
  wire is_stop   = s_kind_i == EvLineStop;
  wire is_frame  = s_kind_i == EvFrame;
  wire is_flush  = s_kind_i == EvFlush;
  wire needs_fifo = is_stop | is_frame | is_flush;
  assign s_ready_o = ~(needs_fifo & ~fifo_ready) & ~(is_start & busy_q[wbank_q]);
  wire fire = s_valid_i & s_ready_o;

  wire [31:0] dt32     = s_macro_i - t_start_q;
  wire [DurW-1:0] dt   = (dt32 >> DurW) != 0 ? {DurW{1'b1}} : dt32[DurW-1:0];
  wire        dur_zero = dt32 == 32'd0;
  wire        dur_long = (dt32 >> DurW) != 0;
  wire        do_write = fire & is_photon & in_line_q & s_in_window_i & (wcount_q != Depth);
  wire        line_ok  = fire & is_stop & in_line_q & ~dur_zero & ~dur_long;
  wire        line_bad = fire & is_stop & in_line_q & (dur_zero | dur_long);
  wire        drop     = fire & (is_start | is_frame | is_flush) & in_line_q;
  wire [15:0] line_next = line_q + 16'd1;

  ram_1w1r #(.DataWidth(DurW + 8), .AddrWidth(LW + 1)) u_bank (
    .clk_i(clk_i),
    .we_i(do_write), .waddr_i({wbank_q, wcount_q[LW-1:0]}), .wdata_i({dt, s_bin_i}),
    .re_i(rd_en_i), .raddr_i(rd_addr_i), .rdata_o(rd_data_o));

  always @(*) begin
    push      = 1'b0;
    push_data = {DescW{1'b0}};
    if (line_ok) begin
      push      = 1'b1;
      push_data = {1'b0, 1'b0, lost_q, wbank_q, wcount_q, dt32[DurW-1:0], line_q, frame_q};
    end else if (line_bad) begin
      push      = 1'b1;
      push_data = {1'b0, 1'b1, 1'b1, wbank_q, {(LW+1){1'b0}}, {DurW{1'b0}}, line_q, frame_q};
    end else if (fire & (is_frame | is_flush)) begin
      push      = 1'b1;
      push_data = {1'b1, 1'b0, 1'b0, 1'b0, {(LW+1){1'b0}}, {DurW{1'b0}}, 16'd0, 16'd0};
    end
  end

  always @(posedge clk_i) begin
    busy_q <= busy_q & ~release_i;
    if (fire) begin
      n_events_q <= n_events_q + 32'd1;
      case (s_kind_i)
        EvPhoton: begin
          n_photons_q <= n_photons_q + 32'd1;
          if (!in_line_q) n_out_lines_q <= n_out_lines_q + 32'd1;
          else if (!s_in_window_i) n_out_window_q <= n_out_window_q + 32'd1;
          else if (wcount_q == Depth) begin
            n_overflow_q <= n_overflow_q + 32'd1;
            lost_q       <= 1'b1;
          end
          if (do_write) wcount_q <= wcount_q + 1'b1;
        end
        EvLineStop: begin
          if (!in_line_q) n_stop_first_q <= n_stop_first_q + 32'd1;
          else begin
            in_line_q <= 1'b0;
            wcount_q  <= {(LW+1){1'b0}};
            line_q    <= line_next;
            if (dur_zero) begin
              n_zero_q     <= n_zero_q + 32'd1;
              n_bad_line_q <= n_bad_line_q + {{(31-LW){1'b0}}, wcount_q};
            end else if (dur_long) begin
              n_too_long_q <= n_too_long_q + 32'd1;
              n_bad_line_q <= n_bad_line_q + {{(31-LW){1'b0}}, wcount_q};
            end else begin
              n_lines_q  <= n_lines_q + 32'd1;
              n_imaged_q <= n_imaged_q + {{(31-LW){1'b0}}, wcount_q};
              busy_q[wbank_q] <= 1'b1;
              wbank_q <= ~wbank_q;
            end
          end
        end
        EvFrame: begin
          if (line_q != 16'd0) begin
            frame_q    <= frame_q + 16'd1;
            n_frames_q <= n_frames_q + 32'd1;
            line_q     <= 16'd0;
          end
        end
        EvLineStart: begin
          if (line_q >= pix_y_i) begin
            frame_q    <= frame_q + 16'd1;
            n_frames_q <= n_frames_q + 32'd1;
            line_q     <= 16'd0;
          end
          in_line_q <= 1'b1;
          t_start_q <= s_macro_i;
          wcount_q  <= {(LW+1){1'b0}};
          lost_q    <= 1'b0;
        end
        EvTruncated: n_trunc_q   <= n_trunc_q + 32'd1;
        EvUnknown:   n_unknown_q <= n_unknown_q + 32'd1;
        default: ;
      endcase
      if (drop) begin
        n_out_lines_q <= n_out_lines_q + {{(31-LW){1'b0}}, wcount_q};
        if (!is_start) begin
          in_line_q <= 1'b0;
          wcount_q  <= {(LW+1){1'b0}};
        end
      end
    end
    if (rst_i) begin
      in_line_q <= 1'b0;
      lost_q    <= 1'b0;
      wbank_q   <= 1'b0;
      line_q    <= 16'd0;
      frame_q   <= 16'd0;
      wcount_q  <= {(LW+1){1'b0}};
      busy_q    <= 2'b00;
      {n_events_q, n_photons_q, n_imaged_q, n_out_lines_q, n_out_window_q, n_overflow_q, n_bad_line_q,
       n_lines_q, n_too_long_q, n_zero_q, n_stop_first_q, n_trunc_q, n_unknown_q, n_frames_q} <= {14{32'd0}};
    end
  end

  // the counters in frontend_params.vh order, less past image / saturated / rows out (decided
  // downstream): events, photons, imaged, outside lines, outside window, overflow, bad line,
  // lines imaged, too long, zero duration, stop before start, truncated, unknown, frames
  assign idle_o = ~m_valid_o & (busy_q == 2'b00);
  assign counters_o = {n_frames_q, n_unknown_q, n_trunc_q, n_stop_first_q, n_zero_q, n_too_long_q,
                       n_lines_q, n_bad_line_q, n_overflow_q, n_out_window_q, n_out_lines_q, n_imaged_q,
                       n_photons_q, n_events_q};

`ifndef SYNTHESIS
  // a bank is written only while it is not waiting for the pixel assigner
  always @(posedge clk_i) begin
    if (!rst_i && do_write && busy_q[wbank_q]) begin
      $display("frontend_line_assembler: write into bank %0d while it is being read", wbank_q);
      $stop;
    end
    if (!rst_i && |(release_i & ~busy_q)) begin
      $display("frontend_line_assembler: release of a free bank");
      $stop;
    end
  end
`endif
endmodule
`default_nettype wire
