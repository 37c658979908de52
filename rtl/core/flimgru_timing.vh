// flimgru_timing.vh: pipeline latencies that the schedule is built on, written once. `include'd
//   inside flimgru_core, which passes them to the sequencer (the Drain of docs/architecture.md)
//   and the gate unit (which stops elaboration unless its pipeline has this depth); CMakeLists.txt
//   reads both from this file for the harness (sim/scoreboard.hpp kGateVisible) and the cycle
//   formula of ref/fpga_report.cpp.
//   Keep the format `localparam integer NAME = value;` (CMake parses it).
// MAC_LATENCY:  issue of a row group's last column (cycle i) -> row 0 of the group at the gate
//               unit's G0 (cycle i+5: operand, MULT18X18D input and output registers,
//               accumulator, hand-off; rtl/gru_mac_lane.v, rtl/row_serializer.v).
// GATE_LATENCY: G0 -> the state write (rtl/gru_gate_unit.v G12), readable one cycle later.
  localparam integer MAC_LATENCY = 5;
  localparam integer GATE_LATENCY = 12;
