// ecp5_dp16kd_sim: behavioural model of the ECP5 DP16KD block RAM for post-synthesis simulation
//   (sim/postsynth.sh). Yosys' share/ecp5/cells_sim.v declares DP16KD with its parameters only (no
//   behaviour), so the netlist's ROMs and RAMs would read as undriven. This model covers what
//   synth_ecp5 generates (brams_map_16kd.v: $__DP16KD_ and $__PDPW16KD_): DATA_WIDTH 9, 18, 36,
//   REGMODE NOREG, WRITEMODE NORMAL / WRITETHROUGH / READBEFOREWRITE, byte enables on AD[3:0],
//   CLKxMUX CLKx or INV, synchronous or asynchronous output reset to 0, chip selects ignored
//   (CSDECODE 0b000 with CS tied low). Contents: 1024 words of 18 bits, word k = bits
//   (k%16)*20 +: 18 of INITVAL_{k/16} (Yosys' init_slice). 36-bit mode: address AD[13:5], data
//   {DIB, DIA} / {DOB, DOA}, words 2a (low) and 2a+1; 9-bit mode: half (a & 1) of word a/2.
//   Other modes stop the simulation.
`timescale 1ns / 1ps
module DP16KD (
  input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
  input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
  input CEA, OCEA, CLKA, WEA, RSTA,
  input CSA2, CSA1, CSA0,
  output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
  input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
  input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
  input CEB, OCEB, CLKB, WEB, RSTB,
  input CSB2, CSB1, CSB0,
  output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
  parameter DATA_WIDTH_A = 18;
  parameter DATA_WIDTH_B = 18;
  parameter REGMODE_A = "NOREG";
  parameter REGMODE_B = "NOREG";
  parameter RESETMODE = "SYNC";
  parameter ASYNC_RESET_RELEASE = "SYNC";
  parameter CSDECODE_A = "0b000";
  parameter CSDECODE_B = "0b000";
  parameter WRITEMODE_A = "NORMAL";
  parameter WRITEMODE_B = "NORMAL";
  parameter CLKAMUX = "CLKA";
  parameter CLKBMUX = "CLKB";
  parameter GSR = "ENABLED";
  parameter INIT_DATA = "STATIC";
  parameter INITVAL_00 = 320'h0;
  parameter INITVAL_01 = 320'h0;
  parameter INITVAL_02 = 320'h0;
  parameter INITVAL_03 = 320'h0;
  parameter INITVAL_04 = 320'h0;
  parameter INITVAL_05 = 320'h0;
  parameter INITVAL_06 = 320'h0;
  parameter INITVAL_07 = 320'h0;
  parameter INITVAL_08 = 320'h0;
  parameter INITVAL_09 = 320'h0;
  parameter INITVAL_0A = 320'h0;
  parameter INITVAL_0B = 320'h0;
  parameter INITVAL_0C = 320'h0;
  parameter INITVAL_0D = 320'h0;
  parameter INITVAL_0E = 320'h0;
  parameter INITVAL_0F = 320'h0;
  parameter INITVAL_10 = 320'h0;
  parameter INITVAL_11 = 320'h0;
  parameter INITVAL_12 = 320'h0;
  parameter INITVAL_13 = 320'h0;
  parameter INITVAL_14 = 320'h0;
  parameter INITVAL_15 = 320'h0;
  parameter INITVAL_16 = 320'h0;
  parameter INITVAL_17 = 320'h0;
  parameter INITVAL_18 = 320'h0;
  parameter INITVAL_19 = 320'h0;
  parameter INITVAL_1A = 320'h0;
  parameter INITVAL_1B = 320'h0;
  parameter INITVAL_1C = 320'h0;
  parameter INITVAL_1D = 320'h0;
  parameter INITVAL_1E = 320'h0;
  parameter INITVAL_1F = 320'h0;
  parameter INITVAL_20 = 320'h0;
  parameter INITVAL_21 = 320'h0;
  parameter INITVAL_22 = 320'h0;
  parameter INITVAL_23 = 320'h0;
  parameter INITVAL_24 = 320'h0;
  parameter INITVAL_25 = 320'h0;
  parameter INITVAL_26 = 320'h0;
  parameter INITVAL_27 = 320'h0;
  parameter INITVAL_28 = 320'h0;
  parameter INITVAL_29 = 320'h0;
  parameter INITVAL_2A = 320'h0;
  parameter INITVAL_2B = 320'h0;
  parameter INITVAL_2C = 320'h0;
  parameter INITVAL_2D = 320'h0;
  parameter INITVAL_2E = 320'h0;
  parameter INITVAL_2F = 320'h0;
  parameter INITVAL_30 = 320'h0;
  parameter INITVAL_31 = 320'h0;
  parameter INITVAL_32 = 320'h0;
  parameter INITVAL_33 = 320'h0;
  parameter INITVAL_34 = 320'h0;
  parameter INITVAL_35 = 320'h0;
  parameter INITVAL_36 = 320'h0;
  parameter INITVAL_37 = 320'h0;
  parameter INITVAL_38 = 320'h0;
  parameter INITVAL_39 = 320'h0;
  parameter INITVAL_3A = 320'h0;
  parameter INITVAL_3B = 320'h0;
  parameter INITVAL_3C = 320'h0;
  parameter INITVAL_3D = 320'h0;
  parameter INITVAL_3E = 320'h0;
  parameter INITVAL_3F = 320'h0;

  wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
  wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
  wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
  wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
  reg  [17:0] doa_q = 18'd0, dob_q = 18'd0;
  assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa_q;
  assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob_q;

  reg [8:0] mem [0:2047];   // 9-bit units: word k = {mem[2k+1], mem[2k]}
  integer k;
  reg [319:0] iv;
  initial begin
    if (REGMODE_A != "NOREG" || REGMODE_B != "NOREG" || !(DATA_WIDTH_A == 9 || DATA_WIDTH_A == 18 ||
        DATA_WIDTH_A == 36) || !(DATA_WIDTH_B == 9 || DATA_WIDTH_B == 18 || DATA_WIDTH_B == 36)) begin
      $display("ecp5_dp16kd_sim: mode not modelled (DATA_WIDTH %0d/%0d, REGMODE %s/%s), FAIL",
               DATA_WIDTH_A, DATA_WIDTH_B, REGMODE_A, REGMODE_B);
      $finish;
    end
    for (k = 0; k < 1024; k = k + 1) begin
      case (k / 16)
        0: iv = INITVAL_00;
        1: iv = INITVAL_01;
        2: iv = INITVAL_02;
        3: iv = INITVAL_03;
        4: iv = INITVAL_04;
        5: iv = INITVAL_05;
        6: iv = INITVAL_06;
        7: iv = INITVAL_07;
        8: iv = INITVAL_08;
        9: iv = INITVAL_09;
        10: iv = INITVAL_0A;
        11: iv = INITVAL_0B;
        12: iv = INITVAL_0C;
        13: iv = INITVAL_0D;
        14: iv = INITVAL_0E;
        15: iv = INITVAL_0F;
        16: iv = INITVAL_10;
        17: iv = INITVAL_11;
        18: iv = INITVAL_12;
        19: iv = INITVAL_13;
        20: iv = INITVAL_14;
        21: iv = INITVAL_15;
        22: iv = INITVAL_16;
        23: iv = INITVAL_17;
        24: iv = INITVAL_18;
        25: iv = INITVAL_19;
        26: iv = INITVAL_1A;
        27: iv = INITVAL_1B;
        28: iv = INITVAL_1C;
        29: iv = INITVAL_1D;
        30: iv = INITVAL_1E;
        31: iv = INITVAL_1F;
        32: iv = INITVAL_20;
        33: iv = INITVAL_21;
        34: iv = INITVAL_22;
        35: iv = INITVAL_23;
        36: iv = INITVAL_24;
        37: iv = INITVAL_25;
        38: iv = INITVAL_26;
        39: iv = INITVAL_27;
        40: iv = INITVAL_28;
        41: iv = INITVAL_29;
        42: iv = INITVAL_2A;
        43: iv = INITVAL_2B;
        44: iv = INITVAL_2C;
        45: iv = INITVAL_2D;
        46: iv = INITVAL_2E;
        47: iv = INITVAL_2F;
        48: iv = INITVAL_30;
        49: iv = INITVAL_31;
        50: iv = INITVAL_32;
        51: iv = INITVAL_33;
        52: iv = INITVAL_34;
        53: iv = INITVAL_35;
        54: iv = INITVAL_36;
        55: iv = INITVAL_37;
        56: iv = INITVAL_38;
        57: iv = INITVAL_39;
        58: iv = INITVAL_3A;
        59: iv = INITVAL_3B;
        60: iv = INITVAL_3C;
        61: iv = INITVAL_3D;
        62: iv = INITVAL_3E;
        63: iv = INITVAL_3F;
        default: iv = 320'h0;
      endcase
      mem[2 * k]     = iv[(k % 16) * 20 +: 9];
      mem[2 * k + 1] = iv[(k % 16) * 20 + 9 +: 9];
    end
  end

  wire clka = (CLKAMUX == "INV") ? ~CLKA : CLKA;
  wire clkb = (CLKBMUX == "INV") ? ~CLKB : CLKB;
  // 36-bit mode: port A writes, port B reads all 36 bits ({DOB, DOA}).
  wire wide = (DATA_WIDTH_A == 36) || (DATA_WIDTH_B == 36);

  function [10:0] unit_addr(input [13:0] ad, input integer width);
    unit_addr = (width == 36) ? {ad[13:5], 2'b00} : (width == 18) ? {ad[13:4], 1'b0} : ad[13:3];
  endfunction

  // Port A
  wire [10:0] ua = unit_addr(ada, DATA_WIDTH_A);
  always @(posedge clka) begin
    if (CEA) begin
      if (WEA) begin
        if (DATA_WIDTH_A == 36) begin
          if (ada[0]) mem[ua]     <= dia[8:0];
          if (ada[1]) mem[ua + 1] <= dia[17:9];
          if (ada[2]) mem[ua + 2] <= dib[8:0];
          if (ada[3]) mem[ua + 3] <= dib[17:9];
        end else if (DATA_WIDTH_A == 18) begin
          if (ada[0]) mem[ua]     <= dia[8:0];
          if (ada[1]) mem[ua + 1] <= dia[17:9];
        end else begin
          mem[ua] <= dia[8:0];
        end
      end
      if (DATA_WIDTH_A != 36 && !(DATA_WIDTH_B == 36)) begin
        if (!WEA || WRITEMODE_A == "READBEFOREWRITE")
          doa_q <= (DATA_WIDTH_A == 18) ? {mem[ua + 1], mem[ua]} : {9'd0, mem[ua]};
        else if (WRITEMODE_A == "WRITETHROUGH")
          doa_q <= (DATA_WIDTH_A == 18) ? dia : {9'd0, dia[8:0]};
      end
    end
    if (RSTA && !wide) doa_q <= 18'd0;
  end

  // Port B
  wire [10:0] ub = unit_addr(adb, DATA_WIDTH_B);
  always @(posedge clkb) begin
    if (CEB) begin
      if (WEB && !wide) begin
        if (DATA_WIDTH_B == 18) begin
          if (adb[0]) mem[ub]     <= dib[8:0];
          if (adb[1]) mem[ub + 1] <= dib[17:9];
        end else begin
          mem[ub] <= dib[8:0];
        end
      end
      if (DATA_WIDTH_B == 36) begin
        doa_q <= {mem[ub + 1], mem[ub]};
        dob_q <= {mem[ub + 3], mem[ub + 2]};
      end else if (!WEB || WRITEMODE_B == "READBEFOREWRITE") begin
        dob_q <= (DATA_WIDTH_B == 18) ? {mem[ub + 1], mem[ub]} : {9'd0, mem[ub]};
      end else if (WRITEMODE_B == "WRITETHROUGH") begin
        dob_q <= (DATA_WIDTH_B == 18) ? dib : {9'd0, dib[8:0]};
      end
    end
    if (RSTB) begin
      dob_q <= 18'd0;
      if (wide) doa_q <= 18'd0;
    end
  end
endmodule
