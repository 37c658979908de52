// flimgru_core: the int8 GRU Seq2Seq of docs/numerics.md for Lanes pixels in lock-step.
//   TPSF bins in (x_q per bin, Steps bins per pixel, with a tag) -> SFD samples out
//   (3 x int16 Q5.10 per decoder step, with tag and step) and one summary per pixel
//   (per channel: sum over the steps, value at step 0).
// Dimensions come from model_params.vh in the ROM directory (`include path), the contents
//   from the ROM images (RomDir, or +rom_dir=DIR at simulation time): a new model needs no
//   RTL edit. MULT18X18D: Lanes x (MAC_ROWS + 8): the MAC array, per lane 6 in the gate unit
//   (two 25x17 requantizations, r*hn, z*(h-n)) and 2 in the head's requantizer (its three
//   int8 products are LUT shift-and-add).
// Throughput: one batch of Lanes pixels every
//   Steps * sum over layer-steps (G*K + Drain(K)) enabled cycles (docs/architecture.md).
// Interface: valid/ready streams; the compute pipeline has one clock enable that drops while
//   any lane's result FIFO is full, so back-pressure stalls the core and loses nothing.
`default_nettype none
module flimgru_core #(
  parameter integer Lanes    = 2,
  parameter integer TagWidth = 16,
  parameter integer MacRowsExpect = 0,   // if > 0: must equal the header's MAC_ROWS
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
  output wire [71:0]            m_sum_data_o,    // {sum2, sum1, sum0}, 24 bits each
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

  // ---- derived dimensions ------------------------------------------------------------------
  localparam integer P       = MAC_ROWS;
  localparam integer G       = (3 * H + P - 1) / P;
  localparam integer KEnc0   = IN_DIM + H;
  localparam integer KMax    = (KEnc0 > 2 * H) ? KEnc0 : 2 * H;
  localparam integer StepW   = 8;
  localparam integer UnitW   = (H > 1) ? $clog2(H) : 1;
  localparam integer LayerW  = (L > 1) ? $clog2(L) : 1;
  localparam integer SAddrW  = LayerW + 1 + UnitW;
  localparam integer WAddrW  = $clog2(G * KMax);
  localparam integer AccW    = 17 + $clog2(KMax);
  localparam integer SumW    = 24;
  localparam integer NRom    = 2 * L;
  localparam integer RecW    = 2 + 8 + TagWidth + 48 + 3 * SumW + 48;
  localparam integer MetaW   = 1 + StepW;

  localparam BadParams = (Lanes < 1 || Lanes > 8 || STEPS > 256 || L > 9 || H > 256 ||
      TABLE_BITS > 14 || WEIGHT_BITS != 8 || STATE_BITS != 8 || FRAC_BITS != 7 || IN_DIM != 1 ||
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
  // free entry. Each lane's datapath has its own copy (rep_reg in the lane, below).
  wire [Lanes-1:0] fifo_afull;
  wire             ce_d = rst_i | ~|fifo_afull;     // high in reset
  reg              ce;
  always @(posedge clk_i) ce <= ce_d;

  // ---- input loader ------------------------------------------------------------------------
  wire [Lanes-1:0]          x_we;
  wire [StepW:0]            x_waddr;
  wire [7:0]                x_wdata;
  wire [1:0]                bank_full, bank_release;
  wire                      rd_bank;
  wire [Lanes-1:0]          rd_active;
  wire [Lanes*TagWidth-1:0] rd_tags;

  tpsf_loader #(.Lanes(Lanes), .Steps(STEPS), .TagWidth(TagWidth), .StepW(StepW)) u_loader (
    .clk_i(clk_i), .rst_i(rst_i),
    .s_valid_i(s_x_valid_i), .s_ready_o(s_x_ready_o), .s_data_i(s_x_data_i),
    .s_tag_i(s_x_tag_i), .s_last_i(s_x_last_i), .flush_i(s_x_flush_i),
    .x_we_o(x_we), .x_waddr_o(x_waddr), .x_wdata_o(x_wdata),
    .bank_full_o(bank_full), .release_i(bank_release), .rd_bank_i(rd_bank),
    .rd_active_o(rd_active), .rd_tags_o(rd_tags));

  // ---- sequencer ---------------------------------------------------------------------------
  wire              iss_v, iss_dec, iss_src_x, iss_zero, iss_has_in, iss_first_in, iss_last_in;
  wire              iss_first_h, iss_last, iss_grp0, iss_wbank, iss_hzero, batch_start;
  wire [LayerW-1:0] iss_layer;
  wire [StepW-1:0]  iss_step;
  wire [WAddrW-1:0] iss_waddr;
  wire [StepW:0]    iss_xaddr;
  wire [SAddrW-1:0] iss_saddr;
  wire              head_start, head_bank;
  wire [StepW-1:0]  head_step;

  seq2seq_sequencer #(.Hidden(H), .Layers(L), .Steps(STEPS), .InDim(IN_DIM), .MacRows(P),
                      .StepW(StepW), .UnitW(UnitW), .LayerW(LayerW), .WAddrW(WAddrW)) u_seq (
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

  // lane tags and active mask of the running batch
  reg [Lanes*TagWidth-1:0] lane_tags_q;
  reg [Lanes-1:0]          lane_active_q;
  always @(posedge clk_i) begin
    if (batch_start) begin
      lane_tags_q   <= rd_tags;
      lane_active_q <= rd_active;
    end
  end

  // ---- issue pipeline: s1 (RAM data), s2 (weight word, operand), s3 (MULT18X18D input
  //      registers), s4 (products -> acc, rtl/gru_mac_lane.v) ----------------------------------
  localparam integer RomSelW = $clog2(NRom);   // NRom >= 2
  /* verilator lint_off WIDTH */
  wire [RomSelW-1:0] iss_sel = iss_dec * L + iss_layer;
  /* verilator lint_on WIDTH */
  reg               v_s1, v_s2, v_s3, v_s4;
  reg               src_x_s1, zero_s1;
  reg [RomSelW-1:0] sel_s1, sel_s2;
  reg [5:0]         fl_s1, fl_s2;     // has_in, first_in, last_in, first_h, last, grp0
  reg [1:0]         fl_s3, fl_s4;     // last, grp0 (the lanes have their own copies, rep_reg)
  localparam integer GMetaW = LayerW + 2 + MetaW;   // {layer, wbank, hzero, dec, step}
  reg [GMetaW-1:0]  gm_s1, gm_s2, gm_s3, gm_s4;
  wire [GMetaW-1:0] gm_iss = {iss_layer, iss_wbank, iss_hzero, iss_dec, iss_step};
  always @(posedge clk_i) begin
    if (ce) begin
      v_s1 <= iss_v;  v_s2 <= v_s1;  v_s3 <= v_s2;  v_s4 <= v_s3;
      src_x_s1 <= iss_src_x;
      zero_s1  <= iss_zero;
      sel_s1 <= iss_sel;  sel_s2 <= sel_s1;
      fl_s1 <= {iss_has_in, iss_first_in, iss_last_in, iss_first_h, iss_last, iss_grp0};
      fl_s2 <= fl_s1;  fl_s3 <= fl_s2[1:0];  fl_s4 <= fl_s3;
      gm_s1 <= gm_iss; gm_s2 <= gm_s1; gm_s3 <= gm_s2; gm_s4 <= gm_s3;
    end
    if (rst_i) begin
      v_s1 <= 1'b0; v_s2 <= 1'b0; v_s3 <= 1'b0; v_s4 <= 1'b0;
    end
  end

  // ---- weight and unit ROMs (shared by all lanes) -------------------------------------------
  wire [8*P-1:0] w_rom [0:NRom-1];
  wire [111:0]   u_rom [0:NRom-1];

  // row serializer state (its next unit, ser_unit_d, addresses the unit ROMs: the unit's word
  // reaches the gate unit one cycle after the row, in G1)
  reg               ser_act_q;
  reg [7:0]         ser_cnt_q;
  reg [UnitW:0]     ser_unit_q;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [UnitW:0]    ser_unit_d;       // the top bit (padding rows past unit H-1) is not an address
  /* verilator lint_on UNUSEDSIGNAL */
  reg [1:0]         ser_gate_q;
  reg [GMetaW-1:0]  ser_meta_q;
  reg [RomSelW-1:0] ser_sel_q, usel_1;

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
  // MULT18X18D input registers of every lane (s3)
  /* verilator lint_off WIDTH */
  wire [8*P-1:0] w_s2     = w_rom[sel_s2];
  wire [111:0]   units_g1 = u_rom[usel_1];
  /* verilator lint_on WIDTH */

  // ---- row serializer: P rows per group, one per cycle, r z n order -------------------------
  wire ser_load = ce & v_s4 & fl_s4[1];     // a group's last column accumulated (s4)
  /* verilator lint_off WIDTH */
  wire ser_last = (ser_cnt_q == P - 1);
  wire row_v    = ser_act_q & (ser_unit_q < H);
  // next unit (in enabled cycles; the ROM reads only then) and next ser_act_q (the lanes keep
  // copies of it: rep_reg u_sh_rep)
  assign ser_unit_d = (ser_load & fl_s4[0]) ? {(UnitW+1){1'b0}}
                    : ((ser_act_q & (ser_gate_q == 2'd2)) ? ser_unit_q + 1'b1 : ser_unit_q);
  wire ser_act_d = ~rst_i & (ce ? (ser_load | (ser_act_q & ~ser_last)) : ser_act_q);
  /* verilator lint_on WIDTH */
  always @(posedge clk_i) begin
    if (ce) begin
      usel_1 <= ser_sel_q;
      if (ser_act_q) begin
        ser_cnt_q <= ser_cnt_q + 1'b1;
        if (ser_last) ser_act_q <= 1'b0;
        if (ser_gate_q == 2'd2) begin
          ser_gate_q <= 2'd0;
          ser_unit_q <= ser_unit_q + 1'b1;
        end else begin
          ser_gate_q <= ser_gate_q + 1'b1;
        end
      end
      if (ser_load) begin
        ser_act_q  <= 1'b1;
        ser_cnt_q  <= 8'd0;
        ser_meta_q <= gm_s4;
        /* verilator lint_off WIDTH */
        ser_sel_q  <= gm_s4[MetaW-1] * L + gm_s4[GMetaW-1 -: LayerW];
        /* verilator lint_on WIDTH */
        if (fl_s4[0]) begin
          ser_unit_q <= {(UnitW+1){1'b0}};
          ser_gate_q <= 2'd0;
        end
      end
    end
    if (rst_i) ser_act_q <= 1'b0;
  end
  wire [LayerW-1:0] row_layer = ser_meta_q[GMetaW-1 -: LayerW];
  wire              row_wbank = ser_meta_q[MetaW+1];
  wire              row_hzero = ser_meta_q[MetaW];
  wire [MetaW-1:0]  row_meta  = ser_meta_q[MetaW-1:0];

  // ---- dense head control -------------------------------------------------------------------
  reg                      hd_act_q, hd_bank_q;
  reg [UnitW:0]            hd_k_q;
  reg [StepW-1:0]          hd_step_q;
  reg [Lanes*TagWidth-1:0] hd_tags_q;
  reg [Lanes-1:0]          hd_active_q;
  reg                      hv_s1, hv_s2, hv_s3, hfirst_s1, hfirst_s2, hfirst_s3;
  reg                      hlast_s1, hlast_s2, hlast_s3;
  reg [7:0]                ph_q;
  /* verilator lint_off WIDTH */
  wire hd_k_last = (hd_k_q == H - 1);
  localparam [LayerW-1:0] TopLayer = L - 1;
  /* verilator lint_on WIDTH */
  wire hd_issue = ce & hd_act_q;
  always @(posedge clk_i) begin
    if (ce) begin
      if (hd_act_q) begin
        hd_k_q <= hd_k_q + 1'b1;
        if (hd_k_last) hd_act_q <= 1'b0;
      end
      if (head_start) begin
        hd_act_q    <= 1'b1;
        hd_k_q      <= {(UnitW+1){1'b0}};
        hd_bank_q   <= head_bank;
        hd_step_q   <= head_step;
        hd_tags_q   <= lane_tags_q;
        hd_active_q <= lane_active_q;
      end
      hv_s1 <= hd_act_q; hv_s2 <= hv_s1; hv_s3 <= hv_s2;
      hfirst_s1 <= (hd_k_q == 0); hfirst_s2 <= hfirst_s1; hfirst_s3 <= hfirst_s2;
      hlast_s1 <= hd_k_last; hlast_s2 <= hlast_s1; hlast_s3 <= hlast_s2;
      ph_q <= {ph_q[6:0], hv_s3 & hlast_s3};
    end
    if (rst_i) begin
      hd_act_q <= 1'b0;
      hv_s1 <= 1'b0; hv_s2 <= 1'b0; hv_s3 <= 1'b0;
      ph_q <= 8'd0;
    end
  end
  /* verilator lint_off WIDTH */
  wire hd_last_q = (hd_step_q == STEPS - 1);
  /* verilator lint_on WIDTH */
  wire [SAddrW-1:0] hd_saddr = {TopLayer, hd_bank_q, hd_k_q[UnitW-1:0]};
  wire [23:0] hw_s2;
  rom_sync #(.DataWidth(24), .Depth(H), .AddrWidth(UnitW), .Latency(2), .RomDir(RomDir),
             .File("head_weights.hex")) u_hw (
    .clk_i(clk_i), .ce_i(ce), .addr_i(hd_k_q[UnitW-1:0]), .data_o(hw_s2));
  // head_params word c at the lanes in ph_c: addressed two cycles earlier (block-RAM and output
  // registers, so the broadcast to the lanes starts at a register)
  wire [1:0] hp_addr = (hv_s2 & hlast_s2) ? 2'd0 : ((hv_s3 & hlast_s3) ? 2'd1 : 2'd2);
  wire [31:0] hp_word;
  rom_sync #(.DataWidth(32), .Depth(3), .AddrWidth(2), .Latency(2), .RomDir(RomDir),
             .File("head_params.hex")) u_hp (
    .clk_i(clk_i), .ce_i(ce), .addr_i(hp_addr), .data_o(hp_word));
  wire rec_push = ce & ph_q[7];

  // ---- lanes ---------------------------------------------------------------------------------
  wire [Lanes*RecW-1:0] rec_heads;
  wire [Lanes-1:0]      fifo_empty, fifo_pop;
  wire                  g_we0;
  wire [SAddrW-1:0]     g_waddr0;
  wire [MetaW-1:0]      g_meta0;

  genvar ln;
  generate
    for (ln = 0; ln < Lanes; ln = ln + 1) begin : g_lane
      // this lane's copies of the high-fanout control registers: ce, the MAC column flags
      // (v_s3, fl_s3) and the row shift (ser_act_q); equal to the shared ones in every cycle
      wire       ce_l, v_s3_l, shift_l;
      wire [5:1] fl_s3_l;            // has_in, first_in, last_in, first_h, last
      rep_reg #(.Width(1)) u_ce_rep (.clk_i(clk_i), .ce_i(1'b1), .d_i(ce_d), .q_o(ce_l));
      rep_reg #(.Width(6)) u_fl_rep (.clk_i(clk_i), .ce_i(ce | rst_i),
        .d_i({v_s2 & ~rst_i, fl_s2[5:1]}), .q_o({v_s3_l, fl_s3_l}));
      rep_reg #(.Width(1)) u_sh_rep (.clk_i(clk_i), .ce_i(1'b1), .d_i(ser_act_d), .q_o(shift_l));
      // input bins, two banks
      wire [7:0] x_rdata;
      ram_1w1r #(.DataWidth(8), .AddrWidth(StepW + 1)) u_x (
        .clk_i(clk_i), .we_i(x_we[ln]), .waddr_i(x_waddr), .wdata_i(x_wdata),
        .re_i(ce_l), .raddr_i(iss_xaddr), .rdata_o(x_rdata));
      // state h (int16 Q1.14, numerics §2): three read ports (MAC operand, gate old state, head)
      // share one write; the MAC and head RAMs hold the operand view(h) = sat8(rshr(h, 7))
      // (int8, from the gate unit with h), the gate's RAM h itself
      wire              h_we, h_re;
      wire [SAddrW-1:0] h_waddr, h_raddr;
      wire [15:0]       h_wdata, s_rdata_gate;      // Q1.14 states
      wire [7:0]        h_vdata, s_rdata_mac, s_rdata_head;   // view(h), int8 Q0.7
      /* verilator lint_off UNUSEDSIGNAL */
      wire [MetaW-1:0]  h_meta;    // used by lane 0 only (debug port)
      /* verilator lint_on UNUSEDSIGNAL */
      ram_1w1r #(.DataWidth(8), .AddrWidth(SAddrW)) u_s_mac (
        .clk_i(clk_i), .we_i(h_we), .waddr_i(h_waddr), .wdata_i(h_vdata),
        .re_i(ce_l), .raddr_i(iss_saddr), .rdata_o(s_rdata_mac));
      ram_1w1r #(.DataWidth(16), .AddrWidth(SAddrW)) u_s_gate (
        .clk_i(clk_i), .we_i(h_we), .waddr_i(h_waddr), .wdata_i(h_wdata),
        .re_i(h_re), .raddr_i(h_raddr), .rdata_o(s_rdata_gate));
      ram_1w1r #(.DataWidth(8), .AddrWidth(SAddrW)) u_s_head (
        .clk_i(clk_i), .we_i(h_we), .waddr_i(h_waddr), .wdata_i(h_vdata),
        .re_i(hd_issue), .raddr_i(hd_saddr), .rdata_o(s_rdata_head));

      wire signed [AccW-1:0] row_ain, row_ah;
      gru_mac_lane #(.MacRows(P), .AccWidth(AccW)) u_mac (
        .clk_i(clk_i), .ce_i(ce_l),
        .src_x_s1_i(src_x_s1), .zero_s1_i(zero_s1), .x_rdata_i(x_rdata),
        .s_rdata_i(s_rdata_mac), .w_s2_i(w_s2),
        .v_s3_i(v_s3_l), .has_in_s3_i(fl_s3_l[5]), .first_in_s3_i(fl_s3_l[4]),
        .last_in_s3_i(fl_s3_l[3]), .first_h_s3_i(fl_s3_l[2]), .last_s3_i(fl_s3_l[1]),
        .shift_i(shift_l), .row_ain_o(row_ain), .row_ah_o(row_ah));

      gru_gate_unit #(.AccWidth(AccW), .RqShift(RQ_SHIFT), .TableBits(TABLE_BITS),
                      .UnitW(UnitW), .LayerW(LayerW), .MetaW(MetaW), .RomDir(RomDir)) u_gate (
        .clk_i(clk_i), .rst_i(rst_i), .ce_i(ce_l),
        .row_v_i(row_v), .row_gate_i(ser_gate_q), .row_ain_i(row_ain), .row_ah_i(row_ah),
        .row_unit_i(ser_unit_q[UnitW-1:0]), .row_layer_i(row_layer), .row_wbank_i(row_wbank),
        .row_hzero_i(row_hzero), .row_meta_i(row_meta), .units_g1_i(units_g1),
        .h_re_o(h_re), .h_raddr_o(h_raddr), .h_rdata_i(s_rdata_gate),
        .h_we_o(h_we), .h_waddr_o(h_waddr), .h_wdata_o(h_wdata), .h_vdata_o(h_vdata),
        .h_meta_o(h_meta));

      wire [47:0]       y, first;
      wire [3*SumW-1:0] sum;
      dense_head_lane #(.AccWidth(AccW), .RqShift(RQ_SHIFT), .SumWidth(SumW)) u_head (
        .clk_i(clk_i), .ce_i(ce_l), .s_rdata_i(s_rdata_head), .w_s2_i(hw_s2),
        .v_s3_i(hv_s3), .first_s3_i(hfirst_s3), .ph_i(ph_q), .hp_word_i(hp_word),
        .step0_i(hd_step_q == 0), .y_o(y), .sum_o(sum), .first_o(first));

      wire [RecW-1:0] rec = {hd_active_q[ln], hd_last_q, hd_step_q,
                             hd_tags_q[ln*TagWidth +: TagWidth], y, sum, first};
      lane_fifo #(.Width(RecW), .AddrWidth(2)) u_fifo (
        .clk_i(clk_i), .rst_i(rst_i), .wr_en_i(rec_push), .wr_data_i(rec),
        .rd_en_i(fifo_pop[ln]), .rd_data_o(rec_heads[ln*RecW +: RecW]),
        .afull_o(fifo_afull[ln]), .empty_o(fifo_empty[ln]));

      assign dbg_h_data_o[16*ln +: 16] = h_wdata;
      if (ln == 0) begin : g_dbg
        assign g_we0    = h_we;
        assign g_waddr0 = h_waddr;
        assign g_meta0  = h_meta;
      end
    end
  endgenerate

  // ---- outputs -------------------------------------------------------------------------------
  wire                y_v, y_r, s_v, s_r;
  wire [47:0]         y_d, s_first;
  wire [TagWidth-1:0] y_tag, s_tag;
  wire [7:0]          y_step;
  wire [3*SumW-1:0]   s_d;
  output_arbiter #(.Lanes(Lanes), .TagWidth(TagWidth), .SumWidth(SumW), .RecWidth(RecW)) u_arb (
    .clk_i(clk_i), .rst_i(rst_i), .rec_i(rec_heads), .empty_i(fifo_empty), .pop_o(fifo_pop),
    .y_valid_o(y_v), .y_ready_i(y_r), .y_data_o(y_d), .y_tag_o(y_tag), .y_step_o(y_step),
    .sum_valid_o(s_v), .sum_ready_i(s_r), .sum_tag_o(s_tag), .sum_data_o(s_d),
    .sum_first_o(s_first));
  skid_buffer #(.Width(48 + TagWidth + 8)) u_y_skid (
    .clk_i(clk_i), .rst_i(rst_i), .s_valid_i(y_v), .s_ready_o(y_r),
    .s_data_i({y_step, y_tag, y_d}), .m_valid_o(m_y_valid_o), .m_ready_i(m_y_ready_i),
    .m_data_o({m_y_step_o, m_y_tag_o, m_y_data_o}));
  skid_buffer #(.Width(48 + 3 * SumW + TagWidth)) u_s_skid (
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
