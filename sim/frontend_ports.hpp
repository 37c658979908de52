// frontend_ports: the configuration inputs and the counters output of a verilated photon front
// end (rtl/frontend/frontend_top.v, or frontend_core.v around it: the same port names), shared
// by the front end's test driver (tests/rtl_frontend/frontend_dut.hpp) and FrontendCoreRunner.
#pragma once
#include <cstdint>

#include "frontend.hpp"

namespace flimgru::sim {

// Drives pix_x_i … window_off_i from c (static while events flow).
template <class V>
void set_frontend_config(V& top, const FrontendConfig& c) {
  top.pix_x_i = uint32_t(c.pix_x);
  top.pix_y_i = uint32_t(c.pix_y);
  top.bidirect_i = c.bidirect;
  top.bin_shift_i = uint32_t(c.bin_shift);
  top.micro_mul_i = c.micro_mul;
  top.window_off_i = uint32_t(c.window_offset);
}

// counters_o (frontend_params.vh Cnt*, 32 bits each) in FrontendCounters.
template <class V>
FrontendCounters read_frontend_counters(const V& top) {
  FrontendCounters n;
  uint64_t* f[] = {&n.events, &n.photons, &n.photons_imaged, &n.photons_outside_lines, &n.photons_outside_window,
                   &n.photons_line_overflow, &n.photons_bad_line, &n.photons_past_image, &n.photons_saturated,
                   &n.lines_imaged, &n.lines_too_long, &n.lines_zero_duration, &n.stops_before_start,
                   &n.truncated_records, &n.unknown_records, &n.frames, &n.rows_out};
  for (int i = 0; i < 17; ++i) *f[i] = top.counters_o[i];
  return n;
}

}  // namespace flimgru::sim
