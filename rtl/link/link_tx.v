// link_tx: board-to-host frame sender (docs/protocol.md).
// What: builds one frame at a time - a result (the core's 152-bit summary, echoing the seq of
//   the TPSF frame it answers), an error report, a status reply, an ACK, or (Photons) a PIXEL
//   frame or a PHOTON_STATUS reply - appends CRC-16/CCITT-FALSE (big-endian), COBS-encodes it
//   between two 0x00 delimiters and hands the bytes to uart_tx. Responses go before results and
//   pixels; results and pixels wait where they come from (back-pressure).
// Latency: after a request is taken, 4+len cycles of CRC, then the bytes as fast as uart_tx takes
//   them (through a registered output; one scan cycle per byte, hidden behind the UART).
// Interface: s_sum_* (valid/ready, 152-bit summary) and s_seq_* (valid/ready, 8-bit seq) are
//   taken together; s_pix_* (Photons: valid/ready, seq and the 44-byte PIXEL payload); s_rsp_*
//   from link_rx (kind: link_params.vh Rsp*); status_i = the 24 STATUS payload bytes,
//   photon_status_i the 73 PHOTON_STATUS bytes (byte 0 in the low bits); m_* = byte stream to
//   uart_tx (valid/ready).
`default_nettype none

module link_tx #(
  parameter integer Photons = 0      // 1: PIXEL and PHOTON_STATUS frames (79-byte frames, else 30)
) (
  input  wire         clk_i,
  input  wire         rst_i,
  input  wire         s_sum_valid_i,
  output wire         s_sum_ready_o,
  input  wire [151:0] s_sum_data_i,
  input  wire         s_seq_valid_i,
  output wire         s_seq_ready_o,
  input  wire [7:0]   s_seq_data_i,
  input  wire         s_pix_valid_i,
  output wire         s_pix_ready_o,
  input  wire [7:0]   s_pix_seq_i,
  input  wire [351:0] s_pix_data_i,
  input  wire         s_rsp_valid_i,
  output wire         s_rsp_ready_o,
  input  wire [1:0]   s_rsp_kind_i,
  input  wire [7:0]   s_rsp_seq_i,
  input  wire [31:0]  s_rsp_err_i,
  input  wire [191:0] status_i,
  input  wire [583:0] photon_status_i,
  output wire         m_valid_o,
  input  wire         m_ready_i,
  output wire [7:0]   m_data_o,
  output wire         busy_o
);
`include "link_params.vh"
  // longest frame before COBS: a PHOTON_STATUS (Photons), else a STATUS
  localparam integer MaxBytes = (Photons != 0) ? 4 + 73 + 2 : 4 + 24 + 2;
  localparam integer FrameW   = 8 * MaxBytes;
  localparam integer IW       = $clog2(MaxBytes + 1);   // byte positions 0 .. MaxBytes
  localparam [IW-1:0] Zero    = 0;
  localparam [IW-1:0] One     = 1;
  localparam [IW-1:0] Two     = 2;
  // frame lengths (header, payload, CRC) at the positions' width (those of the photon frames
  // only used with Photons)
  localparam integer NStatusI = 6 + 24, NErrorI = 6 + 4, NAckI = 6, NResultI = 6 + 19,
                     NPixelI = 6 + 44, NPhotonStatusI = 6 + 73;
  localparam [IW-1:0] NStatus = NStatusI[IW-1:0], NError = NErrorI[IW-1:0], NAck = NAckI[IW-1:0],
                      NResult = NResultI[IW-1:0], NPixel = NPixelI[IW-1:0],
                      NPhotonStatus = NPhotonStatusI[IW-1:0];
  // every frame's header and payload, zero-extended to the longest (a PHOTON_STATUS), cut to
  // FrameW when loaded (without Photons the bits above FrameW are zero and unread: waived)
  localparam integer WideW = 8 * (4 + 73 + 2);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [WideW-1:0] w_status = {{(WideW - 8 * 28){1'b0}}, status_i, LenStatus, s_rsp_seq_i, TypeStatus, LinkMagic};
  wire [WideW-1:0] w_ack    = {{(WideW - 8 * 4){1'b0}}, LenAck, s_rsp_seq_i, TypeAck, LinkMagic};
  wire [WideW-1:0] w_pstat  = {{(WideW - 8 * 77){1'b0}}, photon_status_i, LenPhotonStatus, s_rsp_seq_i,
                               TypePhotonStatus, LinkMagic};
  wire [WideW-1:0] w_error  = {{(WideW - 8 * 8){1'b0}}, s_rsp_err_i, LenError, s_rsp_seq_i, TypeError, LinkMagic};
  wire [WideW-1:0] w_result = {{(WideW - 8 * 23){1'b0}}, s_sum_data_i, LenResult, s_seq_data_i, TypeResult, LinkMagic};
  wire [WideW-1:0] w_pixel  = {{(WideW - 8 * 48){1'b0}}, s_pix_data_i, LenPixel, s_pix_seq_i, TypePixel, LinkMagic};
  /* verilator lint_on UNUSEDSIGNAL */

  localparam [2:0] StIdle = 3'd0, StCrc = 3'd1, StLead = 3'd2, StScan = 3'd3,
                   StCode = 3'd4, StData = 3'd5, StAfter = 3'd6, StEnd = 3'd7;

  reg [2:0]        state_q;
  reg [FrameW-1:0] frame_q;     // byte i in bits 8i+7:8i
  reg [IW-1:0]     n_q;         // bytes in the frame, CRC included
  reg [IW-1:0]     i_q;         // CRC position / COBS block start
  reg [IW-1:0]     j_q;         // COBS scan position (next zero or end)
  reg [IW-1:0]     k_q;         // COBS data position
  reg [15:0]       crc_q;

  wire take_rsp = (state_q == StIdle) && s_rsp_valid_i;
  wire take_sum = (state_q == StIdle) && !s_rsp_valid_i && s_sum_valid_i && s_seq_valid_i;
  wire take_pix = (Photons != 0) && (state_q == StIdle) && !s_rsp_valid_i && !take_sum && s_pix_valid_i;

  // Frame byte p: the header and payload from frame_q, then the CRC (big-endian) from crc_q.
  wire [IW-1:0] len_n = n_q - Two;          // bytes before the CRC (n_q counts the CRC)
  function [7:0] frame_byte(input [IW-1:0] p, input [FrameW-1:0] f, input [15:0] c,
                            input [IW-1:0] nb);
    if (p == nb)               frame_byte = c[15:8];
    else if (p == nb + One)    frame_byte = c[7:0];
    else                       frame_byte = f[8*p +: 8];
  endfunction
  // Readers: byte i for the CRC, byte k for the COBS data; the COBS scan only needs to know
  // which bytes are zero (zero_q, computed once per frame after the CRC), which keeps the byte
  // multiplexers off the state machine's paths.
  wire [7:0] byte_i = frame_q[8*i_q +: 8];
  wire [7:0] byte_k = frame_byte(k_q, frame_q, crc_q, len_n);
  reg  [MaxBytes-1:0] zero_q;
  reg  [MaxBytes-1:0] zero_d;
  integer zp;
  always @* begin
    for (zp = 0; zp < MaxBytes; zp = zp + 1) zero_d[zp] = (frame_byte(zp[IW-1:0], frame_q, crc_q, len_n) == 8'h00);
  end
  wire byte_j_zero = zero_q[j_q];

  wire [15:0] crc_next;
  crc16 u_crc (.crc_i(crc_q), .data_i(byte_i), .crc_o(crc_next));

  wire [IW-1:0] code = j_q - i_q + One;

  reg       out_valid;
  reg [7:0] out_data;
  always @* begin
    out_valid = 1'b0;
    out_data  = 8'h00;
    case (state_q)
      StLead, StEnd: out_valid = 1'b1;
      StCode: begin out_valid = 1'b1; out_data = {{(8 - IW){1'b0}}, code}; end
      StData: begin out_valid = 1'b1; out_data = byte_k; end
      default: ;
    endcase
  end
  // Output holding register: a byte is emitted into it when it is empty (the UART is slow, so
  // this costs nothing) and the mux above stays off the UART's timing paths.
  reg       out_valid_q;
  reg [7:0] out_data_q;
  wire out_fire = out_valid && !out_valid_q;
  always @(posedge clk_i) begin
    if (out_fire) begin
      out_valid_q <= 1'b1;
      out_data_q  <= out_data;
    end else if (m_ready_i) begin
      out_valid_q <= 1'b0;
    end
    if (rst_i) out_valid_q <= 1'b0;
  end

  always @(posedge clk_i) begin
    case (state_q)
      StIdle: begin
        if (take_rsp) begin
          case (s_rsp_kind_i)
            RspStatus:       begin frame_q <= w_status[FrameW-1:0]; n_q <= NStatus; end
            RspAck:          begin frame_q <= w_ack[FrameW-1:0];    n_q <= NAck; end
            RspPhotonStatus: begin   // (never asked for without Photons: a STATUS then)
              frame_q <= (Photons != 0) ? w_pstat[FrameW-1:0] : w_status[FrameW-1:0];
              n_q     <= (Photons != 0) ? NPhotonStatus : NStatus;
            end
            default:         begin frame_q <= w_error[FrameW-1:0];  n_q <= NError; end
          endcase
        end else if (take_sum) begin
          frame_q <= w_result[FrameW-1:0];
          n_q     <= NResult;
        end else if (take_pix) begin
          frame_q <= w_pixel[FrameW-1:0];
          n_q     <= NPixel;
        end
        if (take_rsp || take_sum || take_pix) begin
          state_q <= StCrc;
          i_q     <= Zero;
          crc_q   <= 16'hFFFF;
        end
      end
      StCrc: begin
        if (i_q == len_n) begin    // CRC done; it goes out after the payload
          state_q <= StLead;
        end else begin
          crc_q <= crc_next;
          i_q   <= i_q + One;
        end
      end
      StLead: if (out_fire) begin
        zero_q  <= zero_d;          // the CRC is final here
        i_q     <= Zero;
        j_q     <= Zero;
        state_q <= StScan;
      end
      StScan: begin
        if (j_q != n_q && !byte_j_zero) j_q <= j_q + One;
        else begin
          k_q     <= i_q;
          state_q <= StCode;
        end
      end
      StCode: if (out_fire) state_q <= (k_q == j_q) ? StAfter : StData;
      StData: if (out_fire) begin
        k_q <= k_q + One;
        if (k_q + One == j_q) state_q <= StAfter;
      end
      StAfter: begin
        if (j_q == n_q) state_q <= StEnd;
        else begin
          i_q     <= j_q + One;
          j_q     <= j_q + One;
          state_q <= StScan;
        end
      end
      default: if (out_fire) state_q <= StIdle;   // StEnd
    endcase
    if (rst_i) state_q <= StIdle;
  end

  assign s_rsp_ready_o = take_rsp;
  assign s_sum_ready_o = take_sum;
  assign s_seq_ready_o = take_sum;
  assign s_pix_ready_o = take_pix;
  assign m_valid_o     = out_valid_q;
  assign m_data_o      = out_data_q;
  assign busy_o        = (state_q != StIdle) || out_valid_q;
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // COBS: a 0x00 byte leaves only as a frame's leading or closing delimiter.
  always @(posedge clk_i) if (!rst_i && out_fire && out_data == 8'h00)
    assert (state_q == StLead || state_q == StEnd)
      else $error("link_tx: 0x00 inside a frame (state %0d)", state_q);
`endif
`ifdef FORMAL
  // ---- formal properties (sim/formal/link_tx.sby) ------------------------------------------
  // Environment: a reset in the first cycle (and any time later); requests, data and m_ready_i
  // free (the UART may hold a byte any time). Properties: 0x00 goes out only as a frame's
  // leading or closing delimiter (never inside a frame, whatever the frame's bytes); a byte is
  // held, unchanged, until taken; one request taken at a time, a response before a result; the
  // COBS stream decodes to the frame's bytes (below).
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  // The byte in the output register is a delimiter (StLead / StEnd put it there).
  reg f_delim_q;
  always @(posedge clk_i) if (out_fire) f_delim_q <= (state_q == StLead) || (state_q == StEnd);

  integer fp;
  reg f_run_nonzero;                 // frame bytes i_q .. j_q-1 are all non-zero
  always @* begin
    f_run_nonzero = 1'b1;
    for (fp = 0; fp < MaxBytes; fp = fp + 1)
      if (fp >= i_q && fp < j_q && zero_q[fp]) f_run_nonzero = 1'b0;
  end
  wire f_cobs = (state_q == StScan) || (state_q == StCode) || (state_q == StData) ||
                (state_q == StAfter);

  always @* if (f_past_valid && !rst_i) begin
    // no 0x00 inside a frame: a zero in the output register is a delimiter
    if (out_valid_q && out_data_q == 8'h00) assert (f_delim_q);
    if (out_fire && out_data == 8'h00) assert (state_q == StLead || state_q == StEnd);
    // requests: one at a time, a response first
    assert (!(take_rsp && take_sum) && !(take_pix && (take_rsp || take_sum)));
    if (s_rsp_valid_i && state_q == StIdle) assert (take_rsp);
    // induction helpers: the frame length, the COBS block positions, the zero map of the frame
    assert (n_q == NStatus || n_q == NError || n_q == NResult || n_q == NAck ||
            ((Photons != 0) && (n_q == NPixel || n_q == NPhotonStatus)) || state_q == StIdle);
    if (state_q == StCrc) assert (i_q <= len_n);
    if (f_cobs || state_q == StEnd) begin
      assert (zero_q == zero_d);
      assert (i_q <= j_q && j_q <= n_q && f_run_nonzero);
    end
    if (state_q == StCode || state_q == StData) assert (k_q >= i_q && k_q <= j_q && j_q - i_q < {IW{1'b1}});
    if (state_q == StData) assert (k_q < j_q);
    if (state_q == StCode || state_q == StData || state_q == StAfter) assert (j_q == n_q || zero_q[j_q]);
    if (state_q == StEnd) assert (j_q == n_q);
  end

  // AXI-stream rule on the byte output: valid and data hold until ready.
  always @(posedge clk_i) if (f_past_valid && !rst_i && !$past(rst_i) && $past(m_valid_o && !m_ready_i)) begin
    assert (m_valid_o);
    assert ($stable(m_data_o));
  end

  // COBS decodes to the frame: a decoder on the bytes as they enter the output register (which
  // hands each on once, in order: the rule above) reads the stream by COBS alone - 0x00 a
  // delimiter, else a code byte when the block before is complete, else a data byte - and every
  // decoded byte must be the frame's byte at its position (header, payload and CRC: frame_byte),
  // the implied zero between blocks included, and the closing delimiter must come after exactly
  // n_q bytes with no block cut short.
  reg       f_in;            // after a leading delimiter
  reg [IW-1:0] f_p;            // frame bytes decoded
  reg [IW-1:0] f_left;         // data bytes left in the current block
  reg       f_zpend;         // a block below 0xFF ended: a zero follows unless the frame ends
  wire      f_is_code = f_in && out_data != 8'h00 && f_left == Zero;
  wire      f_is_data = f_in && out_data != 8'h00 && f_left != Zero;
  always @(posedge clk_i) begin
    if (out_fire) begin
      if (out_data == 8'h00) begin
        f_in    <= !f_in;
        f_p     <= Zero;
        f_left  <= Zero;
        f_zpend <= 1'b0;
      end else if (f_is_code) begin
        f_left  <= out_data[IW-1:0] - One;
        f_zpend <= (out_data != 8'hFF);
        if (f_zpend) f_p <= f_p + One;
      end else if (f_is_data) begin
        f_left <= f_left - One;
        f_p    <= f_p + One;
      end
    end
    if (rst_i) f_in <= 1'b0;
  end
  wire f_frame_body = (state_q == StScan) || (state_q == StCode) || (state_q == StData) ||
                      (state_q == StAfter) || (state_q == StEnd);
  wire [IW-1:0] f_i_prev = i_q - One;
  always @* if (f_past_valid && !rst_i) begin
    if (out_fire) begin
      assert (f_in || out_data == 8'h00);                           // nothing outside a frame
      if (f_in && out_data == 8'h00) assert (f_left == Zero && f_p == n_q);   // whole frame
      if (f_is_code && f_zpend)
        assert (f_p < n_q && frame_byte(f_p, frame_q, crc_q, len_n) == 8'h00);  // implied zero
      if (f_is_data) assert (f_p < n_q && out_data == frame_byte(f_p, frame_q, crc_q, len_n));
    end
    // induction helpers: the decoder's position against the encoder's block registers
    assert (f_in == f_frame_body);
    if (state_q == StScan || state_q == StCode) begin
      assert (f_left == Zero && f_zpend == (i_q != Zero) && f_p + {{(IW - 1){1'b0}}, f_zpend} == i_q);
      if (i_q != Zero) assert (zero_q[f_i_prev]);
    end
    if (state_q == StCode) assert (k_q == i_q);
    if (state_q == StData) assert (f_zpend && f_p == k_q && f_left == j_q - k_q);
    if (state_q == StAfter || state_q == StEnd) assert (f_left == Zero && f_zpend && f_p == j_q);
  end

  // Reachability: a frame with a zero inside (a second COBS block), a data byte held under
  // back-pressure, an implied zero decoded.
  always @* if (f_past_valid && !rst_i) begin
    cover (state_q == StAfter && j_q != n_q);
    cover (m_valid_o && !m_ready_i && !f_delim_q);
    cover (out_fire && f_is_code && f_zpend);
  end
`endif
endmodule

`default_nettype wire
