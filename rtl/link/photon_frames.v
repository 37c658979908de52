// photon_frames: the payloads of EVENTS and PHOTON_CONFIG frames (docs/protocol.md §7), as
//   link_rx's buffer hands them on, into the photon front end's event stream and configuration.
// What: an EVENTS payload (135 bytes: n, then n events of 7 bytes little-endian, zero padding)
//   becomes n 51-bit events, in order; a PHOTON_CONFIG payload (14 bytes used, zero padding)
//   becomes the configuration: once its last byte is in and no pixel is half-way into the core
//   (mid_i low), the configuration registers take it and restart_o pulses (a new acquisition).
//   A configuration the front end cannot run (PixX 0 or above 2^XW, more binned columns than
//   MaxCols) is not taken: the one before stays (the host checks the limits of the STATUS
//   first). Until the first one: a 1 × 1 image, M = 2^16, no offset.
// Latency: an event leaves 1 cycle after its 7th byte; one byte a cycle while no event waits.
// Interface: s_* the buffer's photon bytes (valid/ready, data, last on the 135th byte of a
//   frame, config: 1 for PHOTON_CONFIG, 0 for EVENTS); m_* events (valid/ready); the
//   configuration outputs (static between restarts); restart_o one cycle.
`default_nettype none
module photon_frames #(
  parameter integer XW      = 9,
  parameter integer MaxCols = 512
) (
  input  wire          clk_i,
  input  wire          rst_i,
  input  wire          s_valid_i,
  output wire          s_ready_o,
  input  wire [7:0]    s_data_i,
  input  wire          s_last_i,
  input  wire          s_config_i,
  output wire          m_valid_o,
  input  wire          m_ready_i,
  output wire [50:0]   m_event_o,
  input  wire          mid_i,
  output wire          restart_o,
  output wire [XW:0]   pix_x_o,
  output wire [15:0]   pix_y_o,
  output wire          bidirect_o,
  output wire [2:0]    bin_shift_o,
  output wire [16:0]   micro_mul_o,
  output wire [30:0]   window_off_o,
  output wire [7:0]    pre_rise_o
);
  localparam [7:0] CfgBytes = 8'd14;

  reg  [7:0]   idx_q;          // byte of the frame's payload
  reg  [7:0]   n_q;            // events in this EVENTS frame
  reg  [7:0]   num_q;          // events of it assembled so far
  reg  [2:0]   part_q;         // byte of the current event
  reg  [55:0]  ev_q;
  reg          ev_valid_q;
  reg  [111:0] cfg_q;          // PHOTON_CONFIG bytes 0 .. 13
  reg          cfg_pending_q;
  reg          restart_q;

  assign s_ready_o = ~ev_valid_q & ~cfg_pending_q;
  wire fire = s_valid_i & s_ready_o;
  wire [55:0] ev_next = {s_data_i, ev_q[55:8]};

  // the configuration registers and the candidate in cfg_q
  reg [XW:0]  pix_x_q;
  reg [15:0]  pix_y_q;
  reg         bidirect_q;
  reg [2:0]   bin_shift_q;
  reg [16:0]  micro_mul_q;
  reg [30:0]  window_off_q;
  reg [7:0]   pre_rise_q;
  wire [15:0] c_pix_x = cfg_q[15:0];
  wire [2:0]  c_shift = cfg_q[42:40];
  /* verilator lint_off WIDTH */
  wire [16:0] c_cols  = ({1'b0, c_pix_x} + ((17'd1 << c_shift) - 17'd1)) >> c_shift;
  wire        c_ok    = (c_pix_x != 16'd0) && ({1'b0, c_pix_x} <= (17'd1 << XW)) && (c_cols <= MaxCols);
  /* verilator lint_on WIDTH */

  always @(posedge clk_i) begin
    restart_q <= 1'b0;
    if (m_ready_i) ev_valid_q <= 1'b0;
    if (fire) begin
      idx_q <= s_last_i ? 8'd0 : idx_q + 8'd1;
      if (s_config_i) begin
        if (idx_q < CfgBytes) cfg_q <= {s_data_i, cfg_q[111:8]};
        if (s_last_i) cfg_pending_q <= 1'b1;
      end else if (idx_q == 8'd0) begin
        n_q    <= s_data_i;
        num_q  <= 8'd0;
        part_q <= 3'd0;
      end else begin
        ev_q   <= ev_next;
        part_q <= (part_q == 3'd6) ? 3'd0 : part_q + 3'd1;
        if (part_q == 3'd6) begin
          num_q      <= num_q + 8'd1;
          ev_valid_q <= num_q < n_q;
        end
      end
    end
    if (cfg_pending_q && !mid_i) begin
      cfg_pending_q <= 1'b0;
      if (c_ok) begin
        pix_x_q      <= c_pix_x[XW:0];
        pix_y_q      <= cfg_q[31:16];
        bidirect_q   <= cfg_q[32];
        bin_shift_q  <= c_shift;
        micro_mul_q  <= cfg_q[64:48];
        window_off_q <= cfg_q[102:72];
        pre_rise_q   <= cfg_q[111:104];
        restart_q    <= 1'b1;
      end
    end
    if (rst_i) begin
      idx_q         <= 8'd0;
      ev_valid_q    <= 1'b0;
      cfg_pending_q <= 1'b0;
      restart_q     <= 1'b0;
      pix_x_q       <= {{XW{1'b0}}, 1'b1};
      pix_y_q       <= 16'd1;
      bidirect_q    <= 1'b0;
      bin_shift_q   <= 3'd0;
      micro_mul_q   <= 17'h10000;
      window_off_q  <= 31'd0;
      pre_rise_q    <= 8'd0;
    end
  end

  assign m_valid_o    = ev_valid_q;
  assign m_event_o    = ev_q[50:0];
  assign restart_o    = restart_q;
  assign pix_x_o      = pix_x_q;
  assign pix_y_o      = pix_y_q;
  assign bidirect_o   = bidirect_q;
  assign bin_shift_o  = bin_shift_q;
  assign micro_mul_o  = micro_mul_q;
  assign window_off_o = window_off_q;
  assign pre_rise_o   = pre_rise_q;
endmodule
`default_nettype wire
