// seq2seq_sequencer: the schedule of one batch (Lanes pixels in lock-step) through the encoder
//   (Steps steps x L layers) and the decoder (Steps steps x L layers).
// Per layer-step it issues one MAC column per enabled cycle: G = ceil(3H/P) row groups of K
//   columns each (input columns first, then hidden columns), the weight-ROM address running
//   0 .. G*K-1; then it waits Drain(K) cycles (0 for the default dimensions) so that the gate
//   unit's last state write lands before the next layer-step reads it. See docs/architecture.md.
// Batch cycles = Steps * sum over the 2L layer-steps of (G*K + Drain(K)); the next batch starts
//   in the cycle after the last one, without a gap, if its input bank is full.
// Interface: bank_full_i / release_o handshake with tpsf_loader; iss_* are valid in the issue
//   cycle; head_start_o pulses in the last issue (or drain) cycle of every top-layer decoder
//   step. Latency: every output is registered (one enabled cycle after the counters).
// Everything advances only when ce_i is high.
`default_nettype none
module seq2seq_sequencer #(
  parameter integer Hidden  = 32,
  parameter integer Layers  = 1,
  parameter integer Steps   = 135,
  parameter integer InDim   = 1,
  parameter integer MacRows = 12,
  parameter integer StepW   = 8,
  parameter integer UnitW   = 5,
  parameter integer LayerW  = 1,
  parameter integer WAddrW  = 9,   // >= clog2(G * max K), checked below
  parameter integer XAddrW  = StepW + InDim,   // x RAM address {[irf,] bank, step}
  parameter integer GateLat = 17   // issue of a group's last column -> state write visible
                                   // = (g+1)K + GateLat + m, m = row within the group; the core
                                   // passes MAC_LATENCY + GATE_LATENCY (rtl/flimgru_timing.vh)
) (
  input  wire                          clk_i,
  input  wire                          rst_i,
  input  wire                          ce_i,
  // input banks
  input  wire [1:0]                    bank_full_i,
  output wire [1:0]                    release_o,
  output wire                          rd_bank_o,       // bank of the batch being started / run
  output wire                          batch_start_o,   // first issue cycle of a batch
  // issue (one MAC column)
  output wire                          iss_v_o,
  output wire                          iss_dec_o,
  output wire [LayerW-1:0]             iss_layer_o,
  output wire [StepW-1:0]              iss_step_o,
  output wire [WAddrW-1:0]             iss_waddr_o,
  output wire                          iss_src_x_o,     // operand = input bin (or IRF bin)
  output wire [XAddrW-1:0]             iss_xaddr_o,     // {bank, step}; InDim 2: {0, bank, step}
                                                        //   for column 0, {1, 0, step} (IRF) for 1
  output wire [LayerW+UnitW:0]         iss_saddr_o,     // {layer, bank, unit}
  output wire                          iss_zero_o,      // operand is the zero initial state
  output wire                          iss_has_in_o,    // this layer has input columns
  output wire                          iss_first_in_o,
  output wire                          iss_last_in_o,
  output wire                          iss_first_h_o,
  output wire                          iss_last_o,      // last column of the row group
  output wire                          iss_grp0_o,      // row group 0
  output wire                          iss_wbank_o,     // state bank this layer-step writes
  output wire                          iss_hzero_o,     // old state is the zero initial state
  // dense head
  output wire                          head_start_o,
  output wire                          head_bank_o,
  output wire [StepW-1:0]              head_step_o
);
  localparam integer GroupsC = (3 * Hidden + MacRows - 1) / MacRows;
  localparam integer KEnc0   = InDim + Hidden;
  localparam integer KDec0   = Hidden;
  localparam integer KDeep   = 2 * Hidden;
  localparam integer KMaxC   = (KEnc0 > KDeep) ? KEnc0 : KDeep;
  localparam integer ColW    = $clog2(KMaxC + 1);
  localparam integer GrpW    = (GroupsC > 1) ? $clog2(GroupsC) : 1;

  // Drain(K): extra cycles after the last issue of a layer-step so that every state write of
  // the step is visible when the next layer-step (or the head) reads unit j at offset j.
  function integer drain_cycles;
    input integer k;
    integer j, g, m, t, worst;
    begin
      worst = 0;
      for (j = 0; j < Hidden; j = j + 1) begin
        g = (3 * j + 2) / MacRows;
        m = (3 * j + 2) % MacRows;
        t = (g + 1) * k + GateLat + m - j - GroupsC * k;
        if (t > worst) worst = t;
      end
      drain_cycles = worst;
    end
  endfunction

  localparam integer DEnc0 = drain_cycles(KEnc0);
  localparam integer DDec0 = drain_cycles(KDec0);
  localparam integer DDeep = drain_cycles(KDeep);

  generate
    if (GateLat < 1) begin : g_bad_lat
      seq2seq_sequencer_needs_gate_latency_ge_1 u_stop ();
    end
    if (MacRows < 1 || MacRows > Hidden) begin : g_bad_rows
      seq2seq_sequencer_needs_1_le_mac_rows_le_h u_stop ();   // no such module: stops elaboration
    end
    if (InDim < 1 || InDim > 2 || XAddrW != StepW + InDim || Layers < 1 || (1 << UnitW) < Hidden || (1 << StepW) < Steps ||
        (1 << LayerW) < Layers || (1 << WAddrW) < GroupsC * KMaxC) begin : g_bad_params
      seq2seq_sequencer_bad_parameters u_stop ();
    end
  endgenerate

  /* verilator lint_off WIDTH */
  localparam [ColW-1:0]   KEnc0C  = KEnc0;
  localparam [ColW-1:0]   KDec0C  = KDec0;
  localparam [ColW-1:0]   KDeepC  = KDeep;
  localparam [ColW-1:0]   HiddenC = Hidden;
  localparam [GrpW-1:0]   LastGrp = GroupsC - 1;
  localparam [StepW-1:0]  LastStep = Steps - 1;
  localparam [LayerW-1:0] LastLayer = Layers - 1;
  localparam [15:0]       DEnc0C  = DEnc0;
  localparam [15:0]       DDec0C  = DDec0;
  localparam [15:0]       DDeepC  = DDeep;
  /* verilator lint_on WIDTH */

  reg              run_q, issuing_q, dec_q, par_q, rb_q;
  reg [LayerW-1:0] layer_q;
  reg [StepW-1:0]  step_q;
  reg [GrpW-1:0]   grp_q;
  reg [ColW-1:0]   col_q;
  reg [WAddrW-1:0] waddr_q;
  reg [15:0]       drain_q;
  reg              first_q;   // first issue cycle of a batch

  wire [ColW-1:0] k_cur = dec_q ? ((layer_q == 0) ? KDec0C : KDeepC)
                                : ((layer_q == 0) ? KEnc0C : KDeepC);
  wire [15:0]     d_cur = dec_q ? ((layer_q == 0) ? DDec0C : DDeepC)
                                : ((layer_q == 0) ? DEnc0C : DDeepC);
  wire [ColW-1:0] i_cur = k_cur - HiddenC;

  wire issue     = ce_i & run_q & issuing_q;
  wire last_col  = (col_q == k_cur - 1'b1);
  wire last_grp  = (grp_q == LastGrp);
  wire step_done = issue & last_col & last_grp;
  wire advance   = ce_i & run_q & ((step_done & (d_cur == 0)) | (~issuing_q & (drain_q == 1)));
  wire top       = (layer_q == LastLayer);
  wire last_step = (step_q == LastStep);
  wire enc_done  = advance & top & last_step & ~dec_q;
  wire batch_end = advance & top & last_step & dec_q;
  wire start     = ce_i & ((~run_q & bank_full_i[rb_q]) | (batch_end & bank_full_i[~rb_q]));

  always @(posedge clk_i) begin
    if (issue) begin
      waddr_q <= waddr_q + 1'b1;
      first_q <= 1'b0;
      if (last_col) begin
        col_q <= {ColW{1'b0}};
        grp_q <= last_grp ? {GrpW{1'b0}} : grp_q + 1'b1;
      end else begin
        col_q <= col_q + 1'b1;
      end
      if (step_done && d_cur != 0) begin
        issuing_q <= 1'b0;
        drain_q   <= d_cur;
      end
    end
    if (ce_i && run_q && !issuing_q) drain_q <= drain_q - 1'b1;
    if (advance) begin
      issuing_q <= 1'b1;
      waddr_q   <= {WAddrW{1'b0}};
      if (!top) begin
        layer_q <= layer_q + 1'b1;
      end else begin
        layer_q <= {LayerW{1'b0}};
        par_q   <= ~par_q;
        step_q  <= last_step ? {StepW{1'b0}} : step_q + 1'b1;
        if (last_step) dec_q <= ~dec_q;
      end
    end
    if (batch_end) begin
      rb_q  <= ~rb_q;
      run_q <= 1'b0;
    end
    if (start) begin
      run_q     <= 1'b1;
      issuing_q <= 1'b1;
      first_q   <= 1'b1;
      dec_q     <= 1'b0;
      par_q     <= 1'b0;
      layer_q   <= {LayerW{1'b0}};
      step_q    <= {StepW{1'b0}};
      grp_q     <= {GrpW{1'b0}};
      col_q     <= {ColW{1'b0}};
      waddr_q   <= {WAddrW{1'b0}};
    end
    if (rst_i) begin
      run_q     <= 1'b0;
      issuing_q <= 1'b0;
      first_q   <= 1'b0;
      rb_q      <= 1'b0;
      dec_q     <= 1'b0;
      par_q     <= 1'b0;
      layer_q   <= {LayerW{1'b0}};
      step_q    <= {StepW{1'b0}};
      grp_q     <= {GrpW{1'b0}};
      col_q     <= {ColW{1'b0}};
      waddr_q   <= {WAddrW{1'b0}};
      drain_q   <= 16'd0;
    end
  end

  wire in_col = (col_q < i_cur);
  /* verilator lint_off WIDTH */
  wire [UnitW-1:0]  unit_sel  = in_col ? col_q : col_q - i_cur;
  /* verilator lint_on WIDTH */
  wire [LayerW-1:0] layer_sel = in_col ? layer_q - 1'b1 : layer_q;
  wire              bank_sel  = in_col ? ~par_q : par_q;

  // ---- the issue register: every output below is the sequencer's state of the previous
  //      enabled cycle, so the state-RAM and ROM addresses leave flip-flops (timing); the whole
  //      schedule moves by one enabled cycle and nothing else changes
  // InDim 2: the encoder's input column 1 reads the IRF bin of the step ({1, 0, step})
  wire [XAddrW-1:0] xaddr;
  generate
    if (InDim > 1) begin : g_xaddr_irf
      wire irf_col = (col_q == {{(ColW-1){1'b0}}, 1'b1});
      assign xaddr = {irf_col, rb_q & ~irf_col, step_q};
    end else begin : g_xaddr
      assign xaddr = {rb_q, step_q};
    end
  endgenerate
  localparam integer IssW = 2 + 1 + 1 + 1 + LayerW + StepW + WAddrW + 1 + XAddrW +
                            (LayerW + UnitW + 1) + 9 + 2 + StepW;
  wire [IssW-1:0] iss_d = {
    enc_done & rb_q, enc_done & ~rb_q,                       // release
    issue & first_q,                                          // batch start
    issue, dec_q, layer_q, step_q, waddr_q,
    ~dec_q & (layer_q == 0) & in_col,                         // src_x
    xaddr,                                                    // xaddr
    {layer_sel, bank_sel, unit_sel},                          // saddr
    ~in_col & ~dec_q & (step_q == 0),                         // zero
    (i_cur != 0),                                             // has_in
    (i_cur != 0) & (col_q == 0),                              // first_in
    (i_cur != 0) & (col_q == i_cur - 1'b1),                   // last_in
    (col_q == i_cur),                                         // first_h
    last_col, (grp_q == 0), ~par_q, ~dec_q & (step_q == 0),  // last, grp0, wbank, hzero
    advance & dec_q & top, ~par_q, step_q                     // head start, bank, step
  };
  reg  [IssW-1:0] iss_q;
  wire [1:0]      release_q;
  wire            batch_start_q, iss_v_q, head_start_q;
  always @(posedge clk_i) begin
    if (ce_i) iss_q <= iss_d;
    if (rst_i) iss_q <= {IssW{1'b0}};
  end
  assign {release_q, batch_start_q, iss_v_q, iss_dec_o, iss_layer_o, iss_step_o, iss_waddr_o,
          iss_src_x_o, iss_xaddr_o, iss_saddr_o, iss_zero_o, iss_has_in_o, iss_first_in_o,
          iss_last_in_o, iss_first_h_o, iss_last_o, iss_grp0_o, iss_wbank_o, iss_hzero_o,
          head_start_q, head_bank_o, head_step_o} = iss_q;
  // strobes: one enabled cycle long, as the state they come from
  assign release_o     = release_q & {2{ce_i}};
  assign batch_start_o = batch_start_q & ce_i;
  assign iss_v_o       = iss_v_q & ce_i;
  assign head_start_o  = head_start_q & ce_i;
  // valid for the batch in its first issue cycle (batch_start_o) and until its encoder is done
  assign rd_bank_o     = rb_q;
endmodule
`default_nettype wire
