// fixed_point.vh: the rounding and saturation helpers of docs/numerics.md, written once and
//   `include`d inside a module (gru_gate_unit, dense_head_lane) after that module defines
//   `localparam integer FpW`, the width of the wide signed operands the helpers take.
// rshr(x, s) = (x + 2^(s-1)) >>> s (floor shift: round half up; rshr(x, 0) = x) is split into
//   fp_half(s), added in one pipeline stage together with other terms, and the shift, which is
//   wiring; fp_rshr does both for the places where no stage is split.
// sat_16(x), sat_8(x): clamp to [-2^15, 2^15 - 1], [-2^7, 2^7 - 1].

  // 2^(s-1) for s > 0, 0 for s = 0: the rounding term of rshr(x, s)
  function signed [FpW-1:0] fp_half;
    input integer s;
    begin
      fp_half = (s > 0) ? ($signed({{(FpW-1){1'b0}}, 1'b1}) <<< (s - 1)) : {FpW{1'b0}};
    end
  endfunction

  // rshr(x, s), numerics "Notation"
  function signed [FpW-1:0] fp_rshr;
    input signed [FpW-1:0] x;
    input integer s;
    begin
      fp_rshr = (x + fp_half(s)) >>> s;
    end
  endfunction

  // sat_16(x)
  function signed [15:0] fp_sat16;
    input signed [FpW-1:0] x;
    begin
      if (x[FpW-1:15] == {(FpW-15){1'b0}} || x[FpW-1:15] == {(FpW-15){1'b1}}) fp_sat16 = x[15:0];
      else fp_sat16 = x[FpW-1] ? 16'sh8000 : 16'sh7fff;
    end
  endfunction

  // sat_8(x)
  function signed [7:0] fp_sat8;
    input signed [FpW-1:0] x;
    begin
      if (x[FpW-1:7] == {(FpW-7){1'b0}} || x[FpW-1:7] == {(FpW-7){1'b1}}) fp_sat8 = x[7:0];
      else fp_sat8 = x[FpW-1] ? 8'sh80 : 8'sh7f;
    end
  endfunction
