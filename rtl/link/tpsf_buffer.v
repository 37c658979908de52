// tpsf_buffer: byte FIFO between the frame parser and the core, with tentative writes.
// What: the parser writes a frame's payload at a tentative pointer; commit_i makes the bytes
//   visible to the read side, abort_i throws them away (a frame whose CRC failed never reaches
//   the core). The read side streams the committed bytes out; every Bins-th byte carries last.
// Latency: 3 cycles from commit_i to m_valid_o (pointer update, RAM read, output register);
//   then one byte per cycle while m_ready_i is high.
// Interface: start_i (begin a frame: tentative pointer := committed pointer), wr_valid_i/wr_data_i
//   (Width bits: a byte, and link_rx's frame kind above it),
//   commit_i/abort_i; room_o = a whole pixel (Bins bytes) fits besides what is committed.
//   Output: valid/ready/data/last. Depth (bytes) must be a power of two; block RAM when large.
`default_nettype none

module tpsf_buffer #(
  parameter integer Depth = 2048,   // bytes
  parameter integer Bins  = 135,
  parameter integer Width = 8       // bits a byte entry (9 fills a DP16KD's ninth bit for free)
) (
  input  wire       clk_i,
  input  wire       rst_i,
  input  wire       start_i,
  input  wire       wr_valid_i,
  input  wire [Width-1:0] wr_data_i,
  input  wire       commit_i,
  input  wire       abort_i,
  output wire       room_o,
  output wire       m_valid_o,
  input  wire       m_ready_i,
  output wire [Width-1:0] m_data_o,
  output wire       m_last_o
);
  localparam integer AddrW = $clog2(Depth);
  localparam integer BinW  = $clog2(Bins);
  // Depth and Bins at the pointers' width, Bins - 1 at the bin counter's width: explicit
  // part-selects keep the bits the sized assignment kept (the values fit: Depth = 2^AddrW,
  // Bins <= Depth / 2; Bins - 1 < 2^BinW, and the BinW-bit subtraction wraps to it even where
  // Bins = 2^BinW).
  localparam [AddrW:0] DepthW = Depth[AddrW:0];
  localparam [AddrW:0] BinsW  = Bins[AddrW:0];
  localparam [BinW-1:0] LastBin = Bins[BinW-1:0] - 1'b1;

  initial begin
    if ((1 << AddrW) != Depth || Depth < 2 * Bins) begin
      $display("tpsf_buffer: Depth must be a power of two and hold two pixels");
      $finish;
    end
  end

  reg [Width-1:0] mem_q [0:Depth-1];
  reg [AddrW:0] wr_q;      // committed write pointer
  reg [AddrW:0] tent_q;    // tentative write pointer of the frame being received
  reg [AddrW:0] rd_q;      // next address to fetch
  reg [BinW-1:0] bin_q;    // bin index of the next fetched byte
  reg [Width-1:0] out_data_q;
  reg       out_valid_q, out_last_q;

  wire [AddrW:0] used = wr_q - rd_q;
  assign room_o = (DepthW - used) >= BinsW;

  always @(posedge clk_i) begin
    if (wr_valid_i) mem_q[tent_q[AddrW-1:0]] <= wr_data_i;
  end

  always @(posedge clk_i) begin
    if (start_i || abort_i) tent_q <= wr_q;
    else if (wr_valid_i)    tent_q <= tent_q + 1'b1;
    if (commit_i)           wr_q   <= tent_q;
    if (rst_i) begin
      wr_q   <= 0;
      tent_q <= 0;
    end
  end

  // Read side, two stages: the block-RAM read (s1; its clock-to-out is slow) and a fabric
  // output register (s2). Full throughput; both stages hold while the core stalls.
  reg [Width-1:0] s1_data_q;
  reg       s1_valid_q, s1_last_q;
  wire move  = s1_valid_q && (!out_valid_q || m_ready_i);
  wire fetch = (rd_q != wr_q) && (!s1_valid_q || move);
  always @(posedge clk_i) begin
    if (fetch) s1_data_q <= mem_q[rd_q[AddrW-1:0]];
  end
  always @(posedge clk_i) begin
    if (fetch) begin
      rd_q      <= rd_q + 1'b1;
      bin_q     <= (bin_q == LastBin) ? {BinW{1'b0}} : bin_q + 1'b1;
      s1_last_q <= (bin_q == LastBin);
    end
    if (fetch)     s1_valid_q <= 1'b1;
    else if (move) s1_valid_q <= 1'b0;
    if (move) begin
      out_data_q  <= s1_data_q;
      out_last_q  <= s1_last_q;
      out_valid_q <= 1'b1;
    end else if (m_ready_i) begin
      out_valid_q <= 1'b0;
    end
    if (rst_i) begin
      rd_q        <= 0;
      bin_q       <= 0;
      s1_valid_q  <= 1'b0;
      out_valid_q <= 1'b0;
    end
  end

  assign m_valid_o = out_valid_q;
  assign m_data_o  = out_data_q;
  assign m_last_o  = out_last_q;
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // The parser's rule: a frame opens only with room for a pixel, takes at most Bins bytes and is
  // committed with exactly Bins (the read side's bin counter counts pixels of Bins bytes).
  reg a_open_q;
  wire [AddrW:0] a_tent = tent_q - wr_q;
  always @(posedge clk_i) begin
    if (!rst_i) begin
      if (start_i) assert (room_o && !a_open_q)
        else $error("tpsf_buffer: frame opened without room or inside a frame");
      if (wr_valid_i) assert (a_open_q && a_tent < BinsW)
        else $error("tpsf_buffer: byte %0d written outside a pixel's frame", a_tent);
      if (commit_i) assert (a_open_q && a_tent == BinsW)
        else $error("tpsf_buffer: commit of %0d bytes (a pixel is %0d)", a_tent, Bins);
    end
    if (start_i) a_open_q <= 1'b1;
    if (commit_i || abort_i || rst_i) a_open_q <= 1'b0;
  end
`endif
`ifdef FORMAL
  // ---- formal properties (sim/formal/tpsf_buffer.sby) --------------------------------------
  // Environment = how link_rx drives it: a reset in the first cycle (and any time later); a frame
  // opens with start_i (only when room_o), gets at most Bins writes, and closes with commit_i
  // (only after exactly Bins writes: link_rx commits a good TPSF frame, len = Bins) or abort_i
  // (any time; also with no frame open). At most one of start / write / commit / abort a cycle.
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  localparam integer FW = AddrW + 2;       // byte sequence numbers modulo 2 * (Depth + 1..)
  reg          f_open;                     // a frame is open
  reg [BinW:0] f_nwr;                      // bytes written into the open frame
  reg [FW-1:0] f_ncom;                     // bytes committed so far
  reg [FW-1:0] f_nout;                     // bytes out so far
  reg [BinW-1:0] f_obin;                   // bin index of the next byte out
  wire f_out = m_valid_o && m_ready_i;

  always @* begin
    assume ({1'b0, start_i} + wr_valid_i + commit_i + abort_i <= 2'd1);
    if (start_i)    assume (!f_open && room_o);
    if (wr_valid_i) assume (f_open && f_nwr < Bins);
    if (commit_i)   assume (f_open && f_nwr == Bins);
  end
  always @(posedge clk_i) begin
    if (start_i) begin f_open <= 1'b1; f_nwr <= 0; end
    if (wr_valid_i) f_nwr <= f_nwr + 1'b1;
    if (commit_i) begin f_open <= 1'b0; f_ncom <= f_ncom + f_nwr; end
    if (abort_i) f_open <= 1'b0;
    if (f_out) begin
      f_nout <= f_nout + 1'b1;
      f_obin <= (f_obin == LastBin) ? {BinW{1'b0}} : f_obin + 1'b1;
    end
    if (rst_i) begin f_open <= 1'b0; f_ncom <= 0; f_nout <= 0; f_obin <= 0; end
  end

  // The tracked byte: the f_idx-th committed byte (f_idx arbitrary but fixed). A write that would
  // become it if its frame commits is a candidate; commit makes the candidate the tracked byte,
  // abort forgets it. The byte stream out must be exactly the committed bytes, in order: the
  // f_idx-th byte out is the tracked byte, and only committed bytes come out.
  (* anyconst *) reg [FW-1:0] f_idx;
  reg [Width-1:0] f_cand, f_word;
  reg       f_cand_v;
  always @(posedge clk_i) begin
    if (wr_valid_i && f_ncom + f_nwr == f_idx) begin f_cand <= wr_data_i; f_cand_v <= 1'b1; end
    if (commit_i && f_cand_v) f_word <= f_cand;
    if (start_i || commit_i || abort_i || rst_i) f_cand_v <= 1'b0;
  end

  wire [FW-1:0] f_held = f_ncom - f_nout;                // committed bytes not yet out
  wire [FW-1:0] f_pos  = f_idx - f_nout;                 // tracked byte's place (0 = next out)
  wire          f_in   = f_pos < f_held;                 // the tracked byte is committed, not out
  wire [1:0]    f_pipe = {1'b0, out_valid_q} + s1_valid_q;
  wire [BinW-1:0] f_obin1 = (f_obin == LastBin)  ? {BinW{1'b0}} : f_obin + 1'b1;   // bins of the
  wire [BinW-1:0] f_obin2 = (f_obin1 == LastBin) ? {BinW{1'b0}} : f_obin1 + 1'b1;  // next ones

  always @* if (f_past_valid && !rst_i) begin
    // nothing but committed bytes comes out, all of them in order, every Bins-th one with last
    if (f_out) assert (f_held != 0);
    if (f_out && f_nout == f_idx) assert (f_in && m_data_o == f_word);
    if (m_valid_o) assert (m_last_o == (f_obin == LastBin));
    // pointers consistent with the frames: committed = wr_q, tentative = wr_q + bytes written
    assert (wr_q == f_ncom[AddrW:0]);
    assert (tent_q - wr_q == (f_open ? {{(AddrW - BinW){1'b0}}, f_nwr} : {(AddrW + 1){1'b0}}));
    assert (f_held == used + f_pipe);
    assert (used <= DepthW && f_held <= DepthW + 2);
    // room: the open frame never overwrites a committed byte not yet read
    if (f_open) assert (f_nwr <= BinsW && used + BinsW <= DepthW);
    // induction helpers: where the tracked byte (or its candidate) is; the bin counters
    if (f_in && out_valid_q && f_pos == 0) assert (out_data_q == f_word);
    if (f_in && s1_valid_q && f_pos == {1'b0, out_valid_q}) assert (s1_data_q == f_word);
    if (f_in && f_pos >= f_pipe) assert (mem_q[f_idx[AddrW-1:0]] == f_word);
    assert (f_cand_v == (f_open && f_idx - f_ncom < f_nwr));
    if (f_cand_v) assert (mem_q[f_idx[AddrW-1:0]] == f_cand);
    assert (f_obin <= LastBin && bin_q <= LastBin);
    if (out_valid_q) assert (out_last_q == (f_obin == LastBin));
    if (s1_valid_q)  assert (s1_last_q == ((out_valid_q ? f_obin1 : f_obin) == LastBin));
    // bin of the next fetched byte = bin of the next byte out + bytes in the output pipeline
    assert (bin_q == (f_pipe == 0 ? f_obin : f_pipe == 1 ? f_obin1 : f_obin2));
  end

  // AXI-stream rule on the output
  always @(posedge clk_i) if (f_past_valid && !$past(rst_i) && !rst_i && $past(m_valid_o && !m_ready_i)) begin
    assert (m_valid_o);
    assert ($stable(m_data_o) && $stable(m_last_o));
  end

  always @* if (f_past_valid && !rst_i) begin
    cover (commit_i);
    cover (abort_i && f_open && f_nwr == Bins);     // a whole frame thrown away
    cover (!room_o);                                 // buffer full
    cover (f_out && m_last_o && f_nout == 2 * Bins - 1);
    cover (f_out && f_nout == f_idx && f_idx == DepthW + 1);   // past a pointer wrap
  end
`endif
endmodule

`default_nettype wire
