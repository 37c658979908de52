// frontend_ports: the configuration inputs and the counters output of a verilated photon front
// end (rtl/frontend/frontend_top.v, or frontend_core.v around it: the same port names), shared
// by the front end's test driver (tests/rtl_frontend/frontend_dut.hpp) and FrontendCoreRunner.
#pragma once
#include <array>
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
  std::array<uint32_t, kFrontendCounters> words{};
  for (int i = 0; i < kFrontendCounters; ++i) words[size_t(i)] = top.counters_o[i];
  return frontend_counters_from_words(words);
}

}  // namespace flimgru::sim
