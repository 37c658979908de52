// link_rx: host-to-board frame receiver (docs/protocol.md).
// What: COBS-decodes the byte stream from uart_rx (0x00 delimits frames), parses
//   magic / type / seq / len / payload / CRC-16, writes a TPSF or IRF payload into tpsf_buffer
//   (with its kind) and commits it only when the whole frame checked out; a status request, a
//   committed IRF (answered by a status frame) or any bad frame produces a response request
//   (m_rsp_*) for link_tx. With Photons, PHOTON_CONFIG and EVENTS payloads take the same buffer
//   (EVENTS only in seq order, else ORDER; each answered by an ACK) and PHOTON_STATUS_REQ asks
//   for a PHOTON_STATUS (docs/protocol.md §7). A bad frame is dropped whole; the parser is back in
//   step at the next 0x00, whatever arrived before it (no state can hang: every frame ends at a
//   delimiter, and the first 0x00 after garbage ends the garbage).
// Latency: the TPSF stream starts 2 cycles after the closing delimiter of its frame; the response
//   request is valid 1 cycle after the delimiter.
// Interface: s_valid_i/s_data_i/s_frame_err_i from uart_rx (no back-pressure); m_tpsf_* to the
//   core (valid/ready/data/last, Bins beats a pixel; m_tpsf_irf_o: the beats are an IRF load, not
//   a pixel); m_seq_* = seq of every TPSF frame handed to the core, in order (link_tx pairs them
//   with results; IRF frames have none); m_rsp_* = one pending response (kind 0
//   error, 1 status) held until accepted; a response that finds one pending is counted in
//   rsp_drop_o and lost. good_o / bad_o count frames.
`default_nettype none

module link_rx #(
  parameter integer Bins     = 135,
  parameter integer BufBytes = 2048,   // payload buffer (power of two, >= 2 pixels)
  parameter integer SeqDepth = 32,     // TPSF frames in flight (buffer + core), power of two
  parameter integer Photons  = 0       // 1: the photon frames (PHOTON_CONFIG, EVENTS, PHOTON_STATUS_REQ)
) (
  input  wire        clk_i,
  input  wire        rst_i,
  input  wire        s_valid_i,
  input  wire [7:0]  s_data_i,
  input  wire        s_frame_err_i,
  output wire        m_tpsf_valid_o,
  input  wire        m_tpsf_ready_i,
  output wire [7:0]  m_tpsf_data_o,
  output wire        m_tpsf_last_o,
  output wire        m_tpsf_irf_o,
  output wire        m_tpsf_photon_o,   // with m_tpsf_irf_o: 0 0 TPSF, 0 1 IRF, 1 0 EVENTS, 1 1 PHOTON_CONFIG
  output wire        m_seq_valid_o,
  input  wire        m_seq_ready_i,
  output wire [7:0]  m_seq_data_o,
  output wire        m_rsp_valid_o,
  input  wire        m_rsp_ready_i,
  output wire [1:0]  m_rsp_kind_o,      // RspError, RspStatus, RspAck, RspPhotonStatus (link_params.vh)
  output wire [7:0]  m_rsp_seq_o,
  output wire [31:0] m_rsp_err_o,       // error payload {len_lo, type, flags, code}
  output wire        bad_pulse_o,
  output wire [15:0] good_o,
  output wire [15:0] bad_o,
  output wire [7:0]  rsp_drop_o,
  output wire [7:0]  inflight_o         // TPSF frames accepted and not yet answered
);
`include "link_params.vh"
  localparam integer SeqW = $clog2(SeqDepth);
  // Bins as the length byte, SeqDepth at the FIFO count's width (explicit part-selects).
  localparam [7:0] BinsB = Bins[7:0];
  localparam [SeqW:0] SeqDepthW = SeqDepth[SeqW:0];

  initial begin
    if (SeqDepth > 128) begin
      $display("link_rx: SeqDepth must be <= 128");
      $finish;
    end
  end

  // ---- COBS decoding ---------------------------------------------------------------------
  reg [7:0] cnt_q;          // data bytes left in the current COBS block (0: next is a code)
  reg [7:0] code_q;         // code of the current block
  reg       first_q;        // no code byte seen yet in this frame
  reg       started_q;      // the frame has at least one byte

  wire is_delim = s_valid_i && (s_data_i == 8'h00);
  wire is_code  = s_valid_i && !is_delim && (cnt_q == 8'd0);
  wire is_data  = s_valid_i && !is_delim && (cnt_q != 8'd0);
  // A code byte first emits the zero implied by the previous block (unless it was a 0xFF block).
  wire dec_valid = is_data || (is_code && !first_q && code_q != 8'hFF);
  wire [7:0] dec_data = is_data ? s_data_i : 8'h00;

  // ---- frame fields ----------------------------------------------------------------------
  reg [8:0]  idx_q;         // decoded bytes so far (saturates at 511)
  reg [7:0]  type_q, seq_q;
  reg [15:0] crc_q;
  reg        ferr_q;        // a UART framing error inside this frame
  reg        herr_q;        // a header error (magic, type, length, too long)
  reg [7:0]  hcode_q;
  reg        busy_q;        // no room for the payload
  reg        tpsf_q;        // payload bytes go to the buffer
  reg        hdr_ok_q;      // the header checked out: magic, type, len, no framing error so far
  // The end-of-frame decision reads only these flags (registered as the bytes arrive), so the
  // closing delimiter's commit is a few gates from registers (timing: docs/timing.md).
  reg        past_len_q;    // the length byte is in (idx_q >= 4)
  reg [8:0]  left_q;        // after the length byte: decoded bytes still due (payload + CRC)
  reg        crc_ok_q;      // crc_q == 0: the CRC checks out if the frame ends here
  reg        seq_bad_q;     // seq_q != ev_expect_q (an EVENTS frame out of order)

  wire [15:0] crc_next;
  crc16 u_crc (.crc_i(crc_q), .data_i(dec_data), .crc_o(crc_next));

  wire       buf_room;
  wire [SeqW:0] seq_count;
  wire       seq_room = (seq_count != SeqDepthW);
  wire       at_len    = dec_valid && (idx_q == 9'd3);
  wire       is_events = (Photons != 0) && (type_q == TypeEvents);
  wire       is_config = (Photons != 0) && (type_q == TypePhotonConfig);
  wire       is_pstat  = (Photons != 0) && (type_q == TypePhotonStatusReq);
  wire       pay_type  = (type_q == TypeTpsf) || (type_q == TypeIrf) || is_events || is_config;   // Bins payload bytes
  wire       req_type  = (type_q == TypeStatusReq) || is_pstat;                                  // no payload
  wire       len_ok    = pay_type ? (dec_data == BinsB) : req_type ? (dec_data == 8'd0) : 1'b0;
  wire       type_ok   = pay_type || req_type;
  wire       buf_start = at_len && !herr_q && pay_type && len_ok && buf_room && seq_room;
  wire       in_pay    = past_len_q && (left_q > 9'd2);      // idx_q in 4 .. len + 3
  wire       buf_wr    = dec_valid && tpsf_q && in_pay;

  // ---- end of frame ----------------------------------------------------------------------
  wire end_frame = is_delim && started_q;
  wire truncated = (cnt_q != 8'd0) || !past_len_q || (left_q != 9'd0);   // idx_q != len + 6
  reg  [7:0] err_code;
  // EVENTS frames are taken only in seq order (docs/protocol.md §7): the first after a
  // PHOTON_CONFIG carries its seq + 1, each next one seq + 1.
  reg  [7:0] ev_expect_q;
  wire       out_of_order = is_events && seq_bad_q;
  always @* begin
    if (ferr_q || s_frame_err_i) err_code = ErrFraming;
    else if (herr_q)         err_code = hcode_q;
    else if (truncated)      err_code = ErrTruncated;
    else if (!crc_ok_q)      err_code = ErrCrc;
    else if (out_of_order)   err_code = ErrOrder;
    else if (busy_q)         err_code = ErrBusy;
    else                     err_code = 8'h00;
  end
  wire frame_good = !(ferr_q || s_frame_err_i || herr_q || truncated || !crc_ok_q || out_of_order || busy_q);
  wire commit     = end_frame && frame_good && tpsf_q;          // the payload to the core
  wire seq_push   = commit && (type_q == TypeTpsf);             // a pixel: its seq for the result
  wire status_req = end_frame && frame_good && !seq_push;       // a response: STATUS, ACK or PHOTON_STATUS
  wire [1:0] good_kind = is_events ? RspAck : is_pstat ? RspPhotonStatus : RspStatus;

  always @(posedge clk_i) begin
    if (is_code) begin
      code_q  <= s_data_i;
      cnt_q   <= s_data_i - 1'b1;
      first_q <= 1'b0;
    end else if (is_data) begin
      cnt_q   <= cnt_q - 1'b1;
    end
    if (s_valid_i && !is_delim) started_q <= 1'b1;
    if (s_valid_i && s_frame_err_i) ferr_q <= 1'b1;

    if (dec_valid) begin
      crc_q    <= crc_next;
      crc_ok_q <= (crc_next == 16'h0);
      if (idx_q != 9'h1FF) idx_q <= idx_q + 1'b1;
      case (idx_q)
        9'd0: if (dec_data != LinkMagic && !herr_q) begin herr_q <= 1'b1; hcode_q <= ErrMagic; end
        9'd1: type_q <= dec_data;
        9'd2: begin
          seq_q     <= dec_data;
          seq_bad_q <= (dec_data != ev_expect_q);
        end
        9'd3: begin
          past_len_q <= 1'b1;
          left_q     <= {1'b0, dec_data} + 9'd2;
          if (!herr_q && !type_ok) begin herr_q <= 1'b1; hcode_q <= ErrType; end
          else if (!herr_q && !len_ok) begin herr_q <= 1'b1; hcode_q <= ErrLength; end
          if (!herr_q && type_ok && len_ok && !ferr_q && !s_frame_err_i) hdr_ok_q <= 1'b1;
          if (!herr_q && type_ok && len_ok && pay_type) begin
            if (buf_room && seq_room) tpsf_q <= 1'b1;
            else                      busy_q <= 1'b1;
          end
        end
        default: begin
          if (left_q == 9'd0) begin
            if (!herr_q) begin herr_q <= 1'b1; hcode_q <= ErrTooLong; end
          end else begin
            left_q <= left_q - 1'b1;
          end
        end
      endcase
    end

    if (is_delim | rst_i) begin     // every delimiter (and the reset) starts a new frame
      cnt_q     <= 8'd0;
      code_q    <= 8'd0;
      first_q   <= 1'b1;
      started_q <= 1'b0;
      idx_q     <= 9'd0;
      crc_q     <= 16'hFFFF;
      crc_ok_q  <= 1'b0;
      past_len_q <= 1'b0;
      left_q    <= 9'd0;
      seq_bad_q <= 1'b0;
      ferr_q    <= 1'b0;
      herr_q    <= 1'b0;
      busy_q    <= 1'b0;
      tpsf_q    <= 1'b0;
      hdr_ok_q  <= 1'b0;
      type_q    <= 8'h00;
      seq_q     <= 8'h00;
    end
  end

  // ---- responses and counters ------------------------------------------------------------
  reg        rsp_valid_q;
  reg [1:0]  rsp_kind_q;
  reg [7:0]  rsp_seq_q;
  reg [31:0] rsp_err_q;
  reg [15:0] good_q, bad_q;
  reg [7:0]  drop_q;
  reg        bad_pulse_q;

  wire rsp_new = end_frame && (!frame_good || status_req);
  always @(posedge clk_i) begin
    bad_pulse_q <= end_frame && !frame_good;
    if (m_rsp_ready_i) rsp_valid_q <= 1'b0;
    if (rsp_new) begin
      if (rsp_valid_q && !m_rsp_ready_i) begin
        if (drop_q != 8'hFF) drop_q <= drop_q + 1'b1;
      end else begin
        rsp_valid_q <= 1'b1;
        rsp_kind_q  <= frame_good ? good_kind : RspError;
        rsp_seq_q   <= seq_q;
        rsp_err_q   <= {idx_q[7:0], type_q, 7'd0, hdr_ok_q, err_code};   // flags bit 0: seq valid
      end
    end
    if (end_frame && frame_good)  good_q <= good_q + 1'b1;
    if (commit && is_config) ev_expect_q <= seq_q + 8'd1;
    if (commit && is_events) ev_expect_q <= ev_expect_q + 8'd1;
    if (end_frame && !frame_good) bad_q  <= bad_q + 1'b1;
    if (rst_i) begin
      rsp_valid_q <= 1'b0;
      bad_pulse_q <= 1'b0;
      good_q      <= 16'd0;
      bad_q       <= 16'd0;
      drop_q      <= 8'd0;
      ev_expect_q <= 8'd0;
    end
  end

  // ---- payload buffer and sequence numbers ---------------------------------------------
  // each byte with its frame's kind: {irf} (9 bits: a DP16KD's ninth bit), or {photon, irf}
  localparam integer KindW = (Photons != 0) ? 2 : 1;
  wire [KindW-1:0] wr_kind, rd_kind;
  generate
    if (Photons != 0) begin : g_kind2
      assign wr_kind = {is_events | is_config, (type_q == TypeIrf) | is_config};
      assign {m_tpsf_photon_o, m_tpsf_irf_o} = rd_kind;
    end else begin : g_kind1
      assign wr_kind = type_q == TypeIrf;
      assign m_tpsf_irf_o    = rd_kind;
      assign m_tpsf_photon_o = 1'b0;
    end
  endgenerate
  tpsf_buffer #(.Depth(BufBytes), .Bins(Bins), .Width(8 + KindW)) u_buf (
    .clk_i(clk_i), .rst_i(rst_i),
    .start_i(buf_start), .wr_valid_i(buf_wr), .wr_data_i({wr_kind, dec_data}),
    .commit_i(commit), .abort_i(end_frame && !commit), .room_o(buf_room),
    .m_valid_o(m_tpsf_valid_o), .m_ready_i(m_tpsf_ready_i),
    .m_data_o({rd_kind, m_tpsf_data_o}), .m_last_o(m_tpsf_last_o)
  );

  // seq_in_ready is not needed (lint waiver below): the FIFO never refuses a push, by
  // construction. A push is a TPSF frame's commit, which needs tpsf_q; tpsf_q is set only at the length byte
  // and only with seq_room (count < SeqDepth; a TPSF frame without room is BUSY instead); from
  // that check to the frame's commit nothing else is pushed (a push happens only at a closing
  // delimiter, one per frame, and that delimiter also clears tpsf_q) and pops only lower the
  // count; a reset clears tpsf_q and empties the FIFO together. The FORMAL block asserts
  // commit -> seq_in_ready (sim/formal/link_rx.sby); it is the signal's only reader.
  /* verilator lint_off UNUSEDSIGNAL */
  wire seq_in_ready;
  /* verilator lint_on UNUSEDSIGNAL */
  sync_fifo #(.Width(8), .Depth(SeqDepth)) u_seq (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(seq_push), .s_ready_o(seq_in_ready), .s_data_i(seq_q),
    .m_valid_o(m_seq_valid_o), .m_ready_i(m_seq_ready_i), .m_data_o(m_seq_data_o),
    .count_o(seq_count)
  );

  assign m_rsp_valid_o = rsp_valid_q;
  assign m_rsp_kind_o  = rsp_kind_q;
  assign m_rsp_seq_o   = rsp_seq_q;
  assign m_rsp_err_o   = rsp_err_q;
  assign bad_pulse_o   = bad_pulse_q;
  assign good_o        = good_q;
  assign bad_o         = bad_q;
  assign rsp_drop_o    = drop_q;
  assign inflight_o    = {{(8 - SeqW - 1){1'b0}}, seq_count};
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // The sequence FIFO is never pushed when full (its ready is otherwise unread), and a payload
  // is buffered only for a TPSF or IRF frame of Bins bytes.
  always @(posedge clk_i) if (!rst_i) begin
    if (seq_push) assert (seq_in_ready)
      else $error("link_rx: seq %0d pushed into a full sequence FIFO", seq_q);
    if (tpsf_q) assert (pay_type && past_len_q)
      else $error("link_rx: payload of type %0d buffered", type_q);
  end
`endif
`ifdef FORMAL
  // ---- formal properties (sim/formal/link_rx.sby) ------------------------------------------
  // Environment: a reset in the first cycle (and any time later); the byte stream (s_*) and the
  // ready inputs are free. tpsf_buffer and sync_fifo are read without their FORMAL blocks; the
  // environment their proofs assume is asserted here (assume-guarantee).
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  // Reference view of the current frame, from the decoded byte stream: bytes so far, the four
  // header bytes, a UART framing error among the bytes up to the fourth decoded one, payload
  // bytes written to the buffer, and whether a buffer frame is open (start .. commit / abort).
  reg [8:0] f_nd;
  reg [7:0] f_b0, f_b1, f_b2, f_b3;
  reg       f_fe;
  reg [8:0] f_nw;
  reg       f_open;
  wire [9:0] frame_len = {2'b00, f_b3} + 10'd6;   // the frame's decoded bytes
  wire [9:0] pay_end   = {2'b00, f_b3} + 10'd4;   // first CRC byte position
  always @(posedge clk_i) begin
    if (s_valid_i && s_frame_err_i && f_nd < 9'd4) f_fe <= 1'b1;
    if (dec_valid) begin
      if (f_nd != 9'h1FF) f_nd <= f_nd + 1'b1;
      if (f_nd == 9'd0) f_b0 <= dec_data;
      if (f_nd == 9'd1) f_b1 <= dec_data;
      if (f_nd == 9'd2) f_b2 <= dec_data;
      if (f_nd == 9'd3) f_b3 <= dec_data;
    end
    if (buf_start) begin f_open <= 1'b1; f_nw <= 9'd0; end
    if (buf_wr) f_nw <= f_nw + 1'b1;
    if (end_frame) f_open <= 1'b0;      // commit or abort
    if (is_delim || rst_i) begin f_nd <= 9'd0; f_fe <= 1'b0; end
    if (rst_i) f_open <= 1'b0;
  end
  // The header is well-formed: magic, a known type, the length of that type, no framing error.
  wire f_pay = f_b1 == TypeTpsf || f_b1 == TypeIrf ||
               (Photons != 0 && (f_b1 == TypeEvents || f_b1 == TypePhotonConfig));
  wire f_req = f_b1 == TypeStatusReq || (Photons != 0 && f_b1 == TypePhotonStatusReq);
  wire f_hdr_ok = (f_nd >= 9'd4) && (f_b0 == LinkMagic) && !f_fe &&
                  ((f_pay && f_b3 == BinsB) || (f_req && f_b3 == 8'd0));

  always @* if (f_past_valid && !rst_i) begin
    // payload: only into an open buffer frame, only payload bytes, never past len
    if (buf_wr) assert (f_open && f_nd >= 9'd4 && {1'b0, f_nd} < pay_end && f_nw < {1'b0, f_b3});
    if (tpsf_q) assert (f_b3 == BinsB && pay_type);
    // tpsf_buffer's environment: start with room and no frame open, commit after exactly Bins
    // payload bytes; sync_fifo (sequence numbers): never pushed when full
    if (buf_start) assert (!f_open && buf_room);
    if (commit) assert (f_open && f_nw == Bins);
    if (seq_push) assert (seq_in_ready);
    // every frame (a delimiter after at least one byte) ends in exactly one of: a sequence push
    // (good TPSF), a response request (a status request, a committed IRF or a bad frame)
    if (end_frame) assert (seq_push != rsp_new);
    if (commit && !seq_push) assert ((type_q == TypeIrf || is_events || is_config) && rsp_new);
    if (commit && is_events) assert (seq_q == ev_expect_q);
    if (is_delim && !started_q) assert (!commit && !rsp_new);
    // induction helpers
    assert (f_nd == idx_q && f_open == tpsf_q);
    assert (hdr_ok_q == f_hdr_ok);
    if (f_nd >= 9'd2) assert (type_q == f_b1);
    if (f_nd >= 9'd3) assert (seq_q == f_b2);
    if (f_nd >= 9'd1 && f_nd <= 9'd3) assert (herr_q == (f_b0 != LinkMagic));
    if (f_nd <= 9'd3) assert (f_fe == ferr_q);
    if (f_fe) assert (ferr_q);
    if (tpsf_q) assert (f_nw == ((idx_q < pay_end[8:0]) ? idx_q - 9'd4 : {1'b0, f_b3}) && idx_q >= 9'd4);
    if (tpsf_q) assert (seq_count < SeqDepthW);
    assert (seq_count <= SeqDepthW);
    assert (!(tpsf_q && busy_q));
    if (herr_q) assert (hcode_q == ErrMagic || hcode_q == ErrType || hcode_q == ErrLength ||
                        hcode_q == ErrTooLong);
    if (idx_q >= 9'd4 && !herr_q && pay_type) assert (tpsf_q || busy_q);
    if (idx_q >= 9'd4 && !herr_q && !ferr_q) assert (hdr_ok_q);
    if (tpsf_q || busy_q) assert (idx_q >= 9'd4 && pay_type && f_b3 == BinsB);
    if (idx_q != 9'd0) assert (started_q && !first_q);
    if (cnt_q != 8'd0) assert (!first_q && cnt_q < code_q);
    if (!first_q) assert (started_q && code_q != 8'd0);
    if (idx_q == 9'd0) assert (!herr_q && !tpsf_q && !busy_q && !hdr_ok_q && crc_q == 16'hFFFF);
    if (first_q) assert (cnt_q == 8'd0 && code_q == 8'd0 && idx_q == 9'd0);
    if (idx_q >= 9'd4 && !herr_q) assert (type_ok && f_b3 == (pay_type ? BinsB : 8'd0));
    // the registered end-of-frame flags equal what they stand for; frame_good (the flags' OR, for
    // timing) says exactly what the error code says
    assert (frame_good == (err_code == 8'h00));
    assert (past_len_q == (idx_q >= 9'd4));
    assert (crc_ok_q == (crc_q == 16'h0));
    if (idx_q >= 9'd3) assert (seq_bad_q == (seq_q != ev_expect_q));
    if (idx_q >= 9'd4 && {1'b0, idx_q} <= frame_len) assert ({1'b0, left_q} == frame_len - {1'b0, idx_q});
    if (idx_q >= 9'd4 && {1'b0, idx_q} > frame_len) assert (left_q == 9'd0 && herr_q);
    if (idx_q < 9'd4) assert (left_q == 9'd0);
  end

  // Back in step at every delimiter: the parser is in its idle state after it.
  always @(posedge clk_i) if (f_past_valid && !rst_i && $past(is_delim)) begin
    assert (idx_q == 9'd0 && cnt_q == 8'd0 && code_q == 8'd0 && first_q && !started_q);
    assert (!herr_q && !busy_q && !tpsf_q && !ferr_q && crc_q == 16'hFFFF);
  end

  // An error response carries flags bit 0 ("seq valid") exactly when the bad frame had a
  // well-formed header, and then the seq of that frame.
  always @(posedge clk_i) if (f_past_valid && !rst_i && !$past(rst_i) &&
                              $past(rsp_new && !frame_good && !(rsp_valid_q && !m_rsp_ready_i))) begin
    assert (m_rsp_valid_o && m_rsp_kind_o == RspError && m_rsp_err_o[7:0] == $past(err_code));
    assert (m_rsp_err_o[8] == $past(f_hdr_ok));
    if (m_rsp_err_o[8]) assert (m_rsp_seq_o == $past(f_b2));
  end
  // A good response: for a good request or a committed IRF, PHOTON_CONFIG or EVENTS frame,
  // with its seq: an ACK exactly for EVENTS, a PHOTON_STATUS exactly for its request.
  always @(posedge clk_i) if (f_past_valid && !rst_i && !$past(rst_i) &&
                              $past(status_req && !(rsp_valid_q && !m_rsp_ready_i))) begin
    assert (m_rsp_valid_o && m_rsp_kind_o != RspError && m_rsp_seq_o == $past(f_b2) && $past(f_hdr_ok));
    assert ((m_rsp_kind_o == RspAck) == $past(is_events));
    assert ((m_rsp_kind_o == RspPhotonStatus) == $past(is_pstat));
  end

  // Reachability: each error code, a status reply, a committed TPSF and IRF frame, a last byte out
  always @* if (f_past_valid && !rst_i) begin
    cover (rsp_new && err_code == ErrCrc);
    cover (rsp_new && err_code == ErrTruncated);
    cover (rsp_new && err_code == ErrMagic);
    cover (rsp_new && err_code == ErrType);
    cover (rsp_new && err_code == ErrLength);
    cover (rsp_new && err_code == ErrFraming);
    cover (rsp_new && err_code == ErrTooLong);
    cover (rsp_new && err_code == ErrMagic && idx_q >= 9'd3);   // a garbage chunk of 3+ bytes
    cover (status_req);
    cover (seq_push);
    cover (commit && type_q == TypeIrf);
    cover (commit && is_config);                               // (the .sby proves Photons 1)
    cover (commit && is_events);
    cover (rsp_new && err_code == ErrOrder);
    cover (m_tpsf_valid_o && m_tpsf_ready_i && m_tpsf_last_o);
  end
`ifdef FORMAL_BUSY
  always @* if (f_past_valid && !rst_i) cover (rsp_new && err_code == ErrBusy);   // deep: 3 frames
`endif
`endif
endmodule

`default_nettype wire
