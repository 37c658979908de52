// flimgru_core: the int8 GRU Seq2Seq of docs/numerics.md for Lanes pixels in lock-step.
//   TPSF bins in (x_q per bin, Steps bins per pixel, with a tag) -> SFD samples out
//   (3 x int16 Q5.10 per decoder step, with tag and step) and one summary per pixel
//   (per channel: sum over the steps, value at step 0; and the whole decay's cum, numerics §7a).
// Dimensions come from model_params.vh in the ROM directory (`include path), the contents
//   from the ROM images (RomDir, or +rom_dir=DIR at simulation time): a new model needs no
//   RTL edit. This module is wiring: loader (rtl/tpsf_loader.v), sequencer
//   (rtl/seq2seq_sequencer.v), issue pipeline (rtl/issue_pipeline.v), the shared weight and
//   unit ROMs, row serializer (rtl/row_serializer.v), head control (rtl/head_ctrl.v), Lanes
//   lanes (rtl/flimgru_lane.v: MAC lane, gate unit, head, result FIFO), output arbiter and skid
//   buffers, and the clock enable register. Pipeline latencies: rtl/flimgru_timing.vh.
//   MULT18X18D: Lanes x (MAC_ROWS + 3): the MAC array and per lane 3 in the gate unit (the
//   low products of its two requantizers, rtl/gru_requant.v, whose high products are LUT
//   shift-and-add, and one for r*hn and z*(h-n) at a fixed phase); Lanes x (MAC_ROWS + 4) if
//   MAC_ROWS > H - 5 (r*hn and z*(h-n) could collide: two). The head has none (its three int8
//   products and its requantizer are LUT shift-and-add). LutRows of each lane's MAC rows (the last
//   ones) multiply in LUTs instead (rtl/lib/mult8_lut.v, the same product and latency): the
//   MULT18X18D count drops by Lanes x LutRows, for devices with fewer than the array needs.
// Throughput: one batch of Lanes pixels every
//   Steps * sum over layer-steps (G*K + Drain(K)) enabled cycles (docs/architecture.md).
// Interface: valid/ready streams; the compute pipeline has one clock enable that drops while
//   any lane's result FIFO is full, so back-pressure stalls the core and loses nothing.
`default_nettype none
module flimgru_core #(
  parameter integer Lanes    = 2,
  parameter integer TagWidth = 16,
  parameter integer MacRowsExpect = 0,   // if > 0: must equal the header's MAC_ROWS
  parameter integer LutRows  = 0,        // MAC rows per lane multiplying in LUTs (0 .. MAC_ROWS)
  parameter         RomDir   = "."
) (
  input  wire                   clk_i,
  input  wire                   rst_i,
  // TPSF bins
  input  wire                   s_x_valid_i,
  output wire                   s_x_ready_o,
  input  wire [7:0]             s_x_data_i,
  input  wire [TagWidth-1:0]    s_x_tag_i,
  input  wire                   s_x_last_i,      // final pixel of a (short) batch
  input  wire                   s_x_flush_i,     // close a partial batch between pixels
  // the instrument's IRF (IN_DIM 2: Steps bins x_q, loaded once, the encoder's second input;
  // rtl/core/tpsf_loader.v says when a load applies). IN_DIM 1: taken and dropped.
  input  wire                   s_irf_valid_i,
  output wire                   s_irf_ready_o,
  input  wire [7:0]             s_irf_data_i,
  // SFD samples
  output wire                   m_y_valid_o,
  input  wire                   m_y_ready_i,
  output wire [47:0]            m_y_data_o,      // {y2, y1, y0}
  output wire [TagWidth-1:0]    m_y_tag_o,
  output wire [7:0]             m_y_step_o,
  // per-pixel summary
  output wire                   m_sum_valid_o,
  input  wire                   m_sum_ready_i,
  output wire [TagWidth-1:0]    m_sum_tag_o,
  output wire [103:0]           m_sum_data_o,    // {cum[31:0], sum2, sum1, sum0}: sums 24 bits each,
                                                 //   cum = sum_{t<134} running sum of y0 (numerics §7a)
  output wire [47:0]            m_sum_first_o,   // {y2, y1, y0} at step 0
  // debug / verification (unused in hardware tops)
  output wire                   dbg_ce_o,
  output wire                   dbg_batch_start_o,
  output wire                   dbg_h_we_o,
  output wire                   dbg_h_dec_o,
  output wire [7:0]             dbg_h_step_o,
  output wire [3:0]             dbg_h_layer_o,
  output wire                   dbg_h_bank_o,
  output wire [7:0]             dbg_h_unit_o,
  output wire [16*Lanes-1:0]    dbg_h_data_o    // new states, Q1.14
);
`include "model_params.vh"
`include "flimgru_timing.vh"

  // ---- derived dimensions ------------------------------------------------------------------
  localparam integer P       = MAC_ROWS;
  localparam integer G       = (3 * H + P - 1) / P;
  localparam integer KEnc0   = IN_DIM + H;
  localparam integer KMax    = (KEnc0 > 2 * H) ? KEnc0 : 2 * H;
  localparam integer StepW   = 8;
  localparam integer XAddrW  = StepW + IN_DIM;   // x RAM address {[irf,] bank, bin}
  localparam integer UnitW   = (H > 1) ? $clog2(H) : 1;
  localparam integer LayerW  = (L > 1) ? $clog2(L) : 1;
  localparam integer SAddrW  = LayerW + 1 + UnitW;
  localparam integer WAddrW  = $clog2(G * KMax);
  // accumulators (numerics §2): 8 + 8 + ceil(log2(K)) bits hold K products of two int8 exactly
  // (|q * h| <= 2^14): 22 bits for K = 2H = 64
  localparam integer AccW    = 16 + $clog2(KMax);
  localparam integer SumW    = 24;
  localparam integer CumW    = 32;
  localparam integer NRom    = 2 * L;
  localparam integer RecW    = 2 + 8 + TagWidth + 48 + CumW + 3 * SumW + 48;
  localparam integer MetaW   = 1 + StepW;
  // fewest enabled cycles between two rows of different row groups at the gate units: groups
  // are handed off K >= H cycles apart, a group's rows take P cycles (rtl/gru_gate_unit.v shares
  // one MULT18X18D between r*hn and z*d if this exceeds 5)
  localparam integer RowGap  = H - P + 1;

  localparam BadParams = (Lanes < 1 || Lanes > 8 || STEPS > 256 || L > 9 || H > 256 ||
      TABLE_BITS > 14 || WEIGHT_BITS != 8 || STATE_BITS != 8 || FRAC_BITS != 7 || IN_DIM < 1 || IN_DIM > 2 ||
      ROW_GROUPS != G || ENC_L0_COLS != KEnc0 || DEC_L0_COLS != H ||
      ENC_L0_DEPTH != G * KEnc0 || DEC_L0_DEPTH != G * H || UPPER_COLS != 2 * H ||
      UPPER_DEPTH != G * 2 * H || (MacRowsExpect > 0 && MacRowsExpect != MAC_ROWS));
  // Invalid combinations stop elaboration (in every tool) by instantiating a module that does
  // not exist; its name is the message.
  generate
    if (BadParams) begin : g_bad_params
      flimgru_core_unsupported_model_params_or_lanes u_stop ();
    end
  endgenerate

  // ---- clock enable: stall while any lane's result FIFO is nearly full -------------------------
  // ce is a register (its fanout is every pipeline register): it drops in the cycle after a
  // result FIFO holds Depth-1 records, so the push that may happen in that cycle still finds a
  // free entry. Each lane's datapath has its own copy (rep_reg in rtl/flimgru_lane.v).
  wire [Lanes-1:0] fifo_afull;
  wire             ce_d = rst_i | ~|fifo_afull;     // high in reset
  reg              ce;
  always @(posedge clk_i) ce <= ce_d;

  // ---- input loader ------------------------------------------------------------------------
  wire [Lanes-1:0]          x_we;
  wire [XAddrW-1:0]        x_waddr;
  wire [7:0]                x_wdata;
  wire [1:0]                bank_full, bank_release;
  wire                      rd_bank;
  wire [Lanes-1:0]          rd_active;
  wire [Lanes*TagWidth-1:0] rd_tags;

  tpsf_loader #(.Lanes(Lanes), .Steps(STEPS), .TagWidth(TagWidth), .StepW(StepW),
                .InDim(IN_DIM), .XAddrW(XAddrW)) u_loader (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(s_x_valid_i), .s_ready_o(s_x_ready_o), .s_data_i(s_x_data_i),
    .s_tag_i(s_x_tag_i), .s_last_i(s_x_last_i), .flush_i(s_x_flush_i),
    .s_irf_valid_i(s_irf_valid_i), .s_irf_ready_o(s_irf_ready_o), .s_irf_data_i(s_irf_data_i),
    .x_we_o(x_we), .x_waddr_o(x_waddr), .x_wdata_o(x_wdata),
    .bank_full_o(bank_full), .release_i(bank_release), .rd_bank_i(rd_bank),
    .rd_active_o(rd_active), .rd_tags_o(rd_tags));

  // ---- sequencer ---------------------------------------------------------------------------
  wire              iss_v, iss_dec, iss_src_x, iss_zero, iss_has_in, iss_first_in, iss_last_in;
  wire              iss_first_h, iss_last, iss_grp0, iss_wbank, iss_hzero, batch_start;
  wire [LayerW-1:0] iss_layer;
  wire [StepW-1:0]  iss_step;
  wire [WAddrW-1:0] iss_waddr;
  wire [XAddrW-1:0] iss_xaddr;
  wire [SAddrW-1:0] iss_saddr;
  wire              head_start, head_bank;
  wire [StepW-1:0]  head_step;

  seq2seq_sequencer #(.Hidden(H), .Layers(L), .Steps(STEPS), .InDim(IN_DIM), .MacRows(P),
                      .StepW(StepW), .UnitW(UnitW), .LayerW(LayerW), .WAddrW(WAddrW),
                      .XAddrW(XAddrW), .GateLat(MAC_LATENCY + GATE_LATENCY)) u_seq (
    .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce),
    .bank_full_i(bank_full), .release_o(bank_release), .rd_bank_o(rd_bank),
    .batch_start_o(batch_start),
    .iss_v_o(iss_v), .iss_dec_o(iss_dec), .iss_layer_o(iss_layer), .iss_step_o(iss_step),
    .iss_waddr_o(iss_waddr), .iss_src_x_o(iss_src_x), .iss_xaddr_o(iss_xaddr),
    .iss_saddr_o(iss_saddr), .iss_zero_o(iss_zero), .iss_has_in_o(iss_has_in),
    .iss_first_in_o(iss_first_in), .iss_last_in_o(iss_last_in), .iss_first_h_o(iss_first_h),
    .iss_last_o(iss_last), .iss_grp0_o(iss_grp0), .iss_wbank_o(iss_wbank),
    .iss_hzero_o(iss_hzero),
    .head_start_o(head_start), .head_bank_o(head_bank), .head_step_o(head_step));

  // ---- issue pipeline: s1 (RAM data), s2 (weight word, operand), s3 (MULT18X18D input
  //      registers), s4 (products -> acc, rtl/gru_mac_lane.v) ----------------------------------
  localparam integer RomSelW = $clog2(NRom);   // NRom >= 2
  localparam integer GMetaW  = LayerW + 2 + MetaW;   // {layer, wbank, hzero, dec, step}
  /* verilator lint_off WIDTH */
  wire [RomSelW-1:0] iss_sel = iss_dec * L + iss_layer;
  /* verilator lint_on WIDTH */
  wire               src_x_s1, zero_s1, v_s2, v_s4;
  wire [RomSelW-1:0] sel_s2;
  wire [5:1]         fl_s2;     // has_in, first_in, last_in, first_h, last
  wire [1:0]         fl_s4;     // last, grp0
  wire [GMetaW-1:0]  gm_s4;
  issue_pipeline #(.RomSelW(RomSelW), .GMetaW(GMetaW)) u_iss (
    .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce), .v_i(iss_v), .src_x_i(iss_src_x),
    .zero_i(iss_zero), .sel_i(iss_sel),
    .fl_i({iss_has_in, iss_first_in, iss_last_in, iss_first_h, iss_last, iss_grp0}),
    .meta_i({iss_layer, iss_wbank, iss_hzero, iss_dec, iss_step}),
    .src_x_s1_o(src_x_s1), .zero_s1_o(zero_s1), .v_s2_o(v_s2), .sel_s2_o(sel_s2),
    .fl_s2_o(fl_s2), .v_s4_o(v_s4), .fl_s4_o(fl_s4), .meta_s4_o(gm_s4));

  // ---- row serializer: P rows per group, one per cycle, r z n order -------------------------
  /* verilator lint_off UNUSEDSIGNAL */
  wire [UnitW:0]     ser_unit_d;   // the top bit (padding rows past unit H-1) is not an address
  /* verilator lint_on UNUSEDSIGNAL */
  wire [RomSelW-1:0] usel_1;
  wire               ser_shift_d, row_v, row_wbank, row_hzero;
  wire [1:0]         row_gate;
  wire [UnitW-1:0]   row_unit;
  wire [LayerW-1:0]  row_layer;
  wire [MetaW-1:0]   row_meta;
  row_serializer #(.MacRows(P), .Hidden(H), .Layers(L), .UnitW(UnitW), .LayerW(LayerW),
                   .MetaW(MetaW), .RomSelW(RomSelW)) u_ser (
    .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce), .load_i(v_s4 & fl_s4[1]), .grp0_i(fl_s4[0]),
    .meta_i(gm_s4), .unit_d_o(ser_unit_d), .usel_o(usel_1), .shift_d_o(ser_shift_d),
    .row_v_o(row_v), .row_gate_o(row_gate), .row_unit_o(row_unit), .row_layer_o(row_layer),
    .row_wbank_o(row_wbank), .row_hzero_o(row_hzero), .row_meta_o(row_meta));

  // ---- weight and unit ROMs (shared by all lanes) -------------------------------------------
  wire [8*P-1:0] w_rom [0:NRom-1];
  wire [111:0]   u_rom [0:NRom-1];
  genvar r;
  generate
    for (r = 0; r < NRom; r = r + 1) begin : g_rom
      localparam integer IsDec = r / L;
      localparam integer Lay   = r % L;
      localparam integer K     = (IsDec != 0) ? ((Lay == 0) ? H : 2 * H)
                                              : ((Lay == 0) ? KEnc0 : 2 * H);
      localparam [8*3-1:0] Pre = (IsDec != 0) ? "dec" : "enc";
      /* verilator lint_off WIDTH */
      localparam [7:0]     Dig = 48 + Lay;     // ASCII digit of the layer
      /* verilator lint_on WIDTH */
      rom_sync #(.DataWidth(8 * P), .Depth(G * K), .AddrWidth(WAddrW), .Latency(2),
                 .RomDir(RomDir), .File({Pre, "_l", Dig, "_weights.hex"})) u_w (
        .clk_i(clk_i), .ce_i(ce), .addr_i(iss_waddr), .data_o(w_rom[r]));
      rom_sync #(.DataWidth(112), .Depth(H), .AddrWidth(UnitW), .Latency(2),
                 .RomDir(RomDir), .File({Pre, "_l", Dig, "_units.hex"})) u_u (
        .clk_i(clk_i), .ce_i(ce), .addr_i(ser_unit_d[UnitW-1:0]), .data_o(u_rom[r]));
    end
  endgenerate
  // the weight word: block-RAM register (s1) -> output register (s2) -> layer select -> the
  // MULT18X18D input registers of every lane (s3); the unit word reaches the gate units in G1
  /* verilator lint_off WIDTH */
  wire [8*P-1:0] w_s2     = w_rom[sel_s2];
  wire [111:0]   units_g1 = u_rom[usel_1];
  /* verilator lint_on WIDTH */

  // ---- dense head control -------------------------------------------------------------------
  wire                      hd_issue, hv_s3, hfirst_s3, rec_push, hd_last;
  wire [SAddrW-1:0]         hd_saddr;
  wire [23:0]               hw_s2;
  wire [7:0]                ph;
  wire [31:0]               hp_word;
  wire [StepW-1:0]          hd_step;
  wire [Lanes*TagWidth-1:0] hd_tags;
  wire [Lanes-1:0]          hd_active;
  head_ctrl #(.Lanes(Lanes), .TagWidth(TagWidth), .Hidden(H), .Layers(L), .Steps(STEPS),
              .StepW(StepW), .UnitW(UnitW), .LayerW(LayerW), .RomDir(RomDir)) u_hctl (
    .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce), .batch_start_i(batch_start), .tags_i(rd_tags),
    .active_i(rd_active), .start_i(head_start), .bank_i(head_bank), .step_i(head_step),
    .issue_o(hd_issue), .saddr_o(hd_saddr), .w_s2_o(hw_s2), .v_s3_o(hv_s3),
    .first_s3_o(hfirst_s3), .ph_o(ph), .hp_word_o(hp_word), .push_o(rec_push),
    .step_o(hd_step), .last_o(hd_last), .tags_o(hd_tags), .active_o(hd_active));

  // ---- lanes ---------------------------------------------------------------------------------
  wire [Lanes*RecW-1:0]   rec_heads;
  wire [Lanes-1:0]        fifo_empty, fifo_pop;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [Lanes-1:0]        h_we;      // lane 0's state write is the debug port (the other lanes
  wire [Lanes*SAddrW-1:0] h_waddr;   // write in the same cycles)
  wire [Lanes*MetaW-1:0]  h_meta;
  /* verilator lint_on UNUSEDSIGNAL */

  genvar ln;
  generate
    for (ln = 0; ln < Lanes; ln = ln + 1) begin : g_lane
      flimgru_lane #(.MacRows(P), .LutRows(LutRows), .AccWidth(AccW), .RqShift(RQ_SHIFT), .TableBits(TABLE_BITS),
                     .StepW(StepW), .UnitW(UnitW), .LayerW(LayerW), .MetaW(MetaW),
                     .TagWidth(TagWidth), .SumW(SumW), .CumW(CumW), .GateLatency(GATE_LATENCY),
                     .RowGap(RowGap), .XAddrW(XAddrW), .RomDir(RomDir)) u_lane (
        .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce), .ce_d_i(ce_d),
        .x_we_i(x_we[ln]), .x_waddr_i(x_waddr), .x_wdata_i(x_wdata),
        .iss_xaddr_i(iss_xaddr), .iss_saddr_i(iss_saddr), .src_x_s1_i(src_x_s1),
        .zero_s1_i(zero_s1), .w_s2_i(w_s2), .v_s2_i(v_s2), .fl_s2_i(fl_s2),
        .shift_d_i(ser_shift_d), .row_v_i(row_v), .row_gate_i(row_gate), .row_unit_i(row_unit),
        .row_layer_i(row_layer), .row_wbank_i(row_wbank), .row_hzero_i(row_hzero),
        .row_meta_i(row_meta), .units_g1_i(units_g1),
        .hd_issue_i(hd_issue), .hd_saddr_i(hd_saddr), .hw_s2_i(hw_s2), .hv_s3_i(hv_s3),
        .hfirst_s3_i(hfirst_s3), .ph_i(ph), .hp_word_i(hp_word), .hd_active_i(hd_active[ln]),
        .hd_last_i(hd_last), .hd_step_i(hd_step), .hd_tag_i(hd_tags[ln*TagWidth +: TagWidth]),
        .rec_push_i(rec_push), .pop_i(fifo_pop[ln]), .rec_o(rec_heads[ln*RecW +: RecW]),
        .afull_o(fifo_afull[ln]), .empty_o(fifo_empty[ln]),
        .h_we_o(h_we[ln]), .h_waddr_o(h_waddr[ln*SAddrW +: SAddrW]),
        .h_wdata_o(dbg_h_data_o[16*ln +: 16]), .h_meta_o(h_meta[ln*MetaW +: MetaW]));
    end
  endgenerate
  wire              g_we0    = h_we[0];
  wire [SAddrW-1:0] g_waddr0 = h_waddr[0 +: SAddrW];
  wire [MetaW-1:0]  g_meta0  = h_meta[0 +: MetaW];

  // ---- outputs -------------------------------------------------------------------------------
  wire                y_v, y_r, s_v, s_r;
  wire [47:0]         y_d, s_first;
  wire [TagWidth-1:0] y_tag, s_tag;
  wire [7:0]          y_step;
  wire [CumW+3*SumW-1:0] s_d;
  output_arbiter #(.Lanes(Lanes), .TagWidth(TagWidth), .SumBits(CumW + 3 * SumW), .RecWidth(RecW)) u_arb (
    .clk_i(clk_i), .rst_i(rst_i), .rec_i(rec_heads), .empty_i(fifo_empty), .pop_o(fifo_pop),
    .y_valid_o(y_v), .y_ready_i(y_r), .y_data_o(y_d), .y_tag_o(y_tag), .y_step_o(y_step),
    .sum_valid_o(s_v), .sum_ready_i(s_r), .sum_tag_o(s_tag), .sum_data_o(s_d),
    .sum_first_o(s_first));
  skid_buffer #(.Width(48 + TagWidth + 8)) u_y_skid (
    .clk_i(clk_i), .rst_i(rst_i), .s_valid_i(y_v), .s_ready_o(y_r),
    .s_data_i({y_step, y_tag, y_d}), .m_valid_o(m_y_valid_o), .m_ready_i(m_y_ready_i),
    .m_data_o({m_y_step_o, m_y_tag_o, m_y_data_o}));
  skid_buffer #(.Width(48 + CumW + 3 * SumW + TagWidth)) u_s_skid (
    .clk_i(clk_i), .rst_i(rst_i), .s_valid_i(s_v), .s_ready_o(s_r),
    .s_data_i({s_tag, s_d, s_first}), .m_valid_o(m_sum_valid_o), .m_ready_i(m_sum_ready_i),
    .m_data_o({m_sum_tag_o, m_sum_data_o, m_sum_first_o}));

  // ---- debug ---------------------------------------------------------------------------------
  assign dbg_ce_o          = ce;
  assign dbg_batch_start_o = batch_start;
  assign dbg_h_we_o        = g_we0;
  assign dbg_h_dec_o       = g_meta0[MetaW-1];
  assign dbg_h_step_o      = g_meta0[StepW-1:0];
  /* verilator lint_off WIDTH */
  assign dbg_h_layer_o     = g_waddr0[SAddrW-1 -: LayerW];
  assign dbg_h_unit_o      = g_waddr0[UnitW-1:0];
  assign dbg_h_bank_o      = g_waddr0[UnitW];
  /* verilator lint_on WIDTH */
`ifdef FLIMGRU_ASSERT
  // ---- simulation checks (FLIMGRU_ASSERT: the harness verilates with --assert; a failure
  //      stops the test with this message, the instance and the cycle) -----------------------
  // The write rule of the result FIFOs (the FORMAL block below states it too): a record is pushed
  // only if no FIFO was almost full in the cycle before, or reset was high.
  reg a_room_q;
  always @(posedge clk_i) a_room_q <= rst_i | ~|fifo_afull;
  always @(posedge clk_i) if (!rst_i)
    assert (!rec_push || a_room_q) else $error("flimgru_core: record pushed, a FIFO almost full");
`endif
`ifdef FORMAL
  // The write rule that lane_fifo's proof assumes (sim/formal/lane_fifo.sby): a result FIFO is
  // written only if, in the previous cycle, no FIFO was almost full (or reset was high). It holds
  // because rec_push = ce & ... and ce is the register of rst_i | ~|fifo_afull. The whole core is
  // not run through SymbiYosys (too large); this assertion states the obligation next to its cause.
  reg f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(posedge clk_i) if (f_past_valid && rec_push) assert ($past(rst_i) || !$past(|fifo_afull));
`endif
endmodule
`default_nettype wire
