// skid_buffer: registered valid/ready stage (two entries), full throughput.
// Latency: 1 cycle s -> m. s_ready_o is a register (breaks the ready path); no word is ever
//   lost or duplicated: a word is held on m_* until m_ready_i.
`default_nettype none
module skid_buffer #(
  parameter integer Width = 8
) (
  input  wire             clk_i,
  input  wire             rst_i,
  input  wire             s_valid_i,
  output wire             s_ready_o,
  input  wire [Width-1:0] s_data_i,
  output wire             m_valid_o,
  input  wire             m_ready_i,
  output wire [Width-1:0] m_data_o
);
  reg             m_valid_q, skid_valid_q;
  reg [Width-1:0] m_data_q, skid_data_q;

  assign s_ready_o = ~skid_valid_q;
  assign m_valid_o = m_valid_q;
  assign m_data_o  = m_data_q;

  wire s_fire = s_valid_i & ~skid_valid_q;
  wire m_free = ~m_valid_q | m_ready_i;

  always @(posedge clk_i) begin
    if (m_free) begin
      if (skid_valid_q) begin
        m_data_q     <= skid_data_q;
        m_valid_q    <= 1'b1;
        skid_valid_q <= 1'b0;
      end else begin
        m_data_q  <= s_data_i;
        m_valid_q <= s_fire;
      end
    end else if (s_fire) begin
      skid_data_q  <= s_data_i;
      skid_valid_q <= 1'b1;
    end
    if (rst_i) begin
      m_valid_q    <= 1'b0;
      skid_valid_q <= 1'b0;
    end
  end
`ifdef FORMAL
  // ---- formal properties (sim/formal/skid_buffer.sby) --------------------------------------
  // Environment: a reset in the first cycle (and any time later); inputs otherwise free. The
  // source need not follow the valid/ready rule: a word counts as taken when s_valid_i && s_ready_o.
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @* if (!f_past_valid) assume (rst_i);

  wire f_in  = s_valid_i && s_ready_o;     // a word enters
  wire f_out = m_valid_o && m_ready_i;     // a word leaves

  // Sequence numbers of the words in and out (mod 8; at most 2 words are inside).
  reg [2:0] f_nin, f_nout;
  always @(posedge clk_i) begin
    if (f_in)  f_nin  <= f_nin + 1'b1;
    if (f_out) f_nout <= f_nout + 1'b1;
    if (rst_i) begin f_nin <= 3'd0; f_nout <= 3'd0; end
  end
  wire [2:0] f_count = f_nin - f_nout;

  // Order: the word with an arbitrary (but fixed) sequence number f_idx leaves as the f_idx-th
  // word out, with its value. For every f_idx: the output stream is the input stream (no word
  // lost, duplicated, reordered or altered).
  (* anyconst *) reg [2:0] f_idx;
  reg [Width-1:0] f_word;                  // the tracked word, captured when it enters
  always @(posedge clk_i) if (f_in && f_nin == f_idx) f_word <= s_data_i;
  wire [2:0] f_pos  = f_idx - f_nout;      // tracked word's place in the queue (0 = head)
  wire       f_held = !rst_i && f_past_valid && (f_pos < f_count);

  always @* if (f_past_valid && !rst_i) begin
    // count consistent: 0..2 words, skid only behind a head word; a word inside is offered
    assert (f_count <= 3'd2);
    assert (f_count == {1'b0, m_valid_q} + {1'b0, skid_valid_q});
    assert (!skid_valid_q || m_valid_q);
    assert (s_ready_o == (f_count != 3'd2));    // ready unless both entries are full
    // the tracked word, while inside, sits at its place (induction helper)
    if (f_held && f_pos == 3'd0) assert (m_data_q == f_word);
    if (f_held && f_pos == 3'd1) assert (skid_data_q == f_word);
    // no extra word: out only what came in
    if (f_out) assert (f_count != 3'd0);
    // no reordering / duplication / alteration: the f_idx-th word out is the tracked word
    if (f_out && f_nout == f_idx) assert (f_held && m_data_o == f_word);
  end

  // AXI-stream rule on the output: once valid, valid and data hold until ready.
  always @(posedge clk_i) if (f_past_valid && !$past(rst_i) && !rst_i && $past(m_valid_o && !m_ready_i)) begin
    assert (m_valid_o);
    assert ($stable(m_data_o));
  end

  // Reachability
  always @* if (f_past_valid && !rst_i) begin
    cover (f_count == 3'd0);
    cover (skid_valid_q);                             // full (two words)
    cover (skid_valid_q && f_out);                    // full and draining
    cover (f_out && f_nout == f_idx && f_idx == 3'd5);   // a word far down the stream
  end
`endif
endmodule
`default_nettype wire
