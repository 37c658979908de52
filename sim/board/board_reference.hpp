// board_reference: what a real-core virtual board must answer, from the C++ integer model of the
// same ROM set (FLIMGRU_VBOARD_ROM): simulated TPSFs, their int8 inputs as the host sends them,
// and the summary the RESULT frame carries. Shared by flimgru_real_board_tests and
// flimgru_board_bench.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "error.hpp"
#include "int_model.hpp"
#include "link_protocol.hpp"
#include "preprocess.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "simulator.hpp"

namespace flimgru::sim {

using Tpsf = std::array<int8_t, kBins>;

inline const QuantModel& board_model() {
  static const QuantModel m = load_rom_set(FLIMGRU_VBOARD_ROM);
  return m;
}

// n simulated TPSFs (counts), deterministic in seed.
inline std::vector<float> simulated_counts(size_t n, uint64_t seed) {
  SimConfig cfg;
  cfg.seed = seed;
  const Dataset ds = simulate(cfg, n, 1);
  return std::vector<float>(ds.counts.begin(), ds.counts.end());
}

// The int8 inputs the host sends for these counts (preprocess, then the model's input format).
inline std::vector<Tpsf> quantized(const std::vector<float>& counts) {
  const size_t n = counts.size() / kBins;
  const std::vector<float> x = preprocess_batch(counts.data(), n);
  std::vector<Tpsf> out(n);
  int32_t q[kBins];
  for (size_t i = 0; i < n; ++i) {
    quantize_input(board_model().fmt, x.data() + i * kBins, q);
    for (int k = 0; k < kBins; ++k) out[i][k] = static_cast<int8_t>(q[k]);
  }
  return out;
}

// The summary of one pixel by the integer model: what its RESULT frame must carry. A model with
// the IRF input (input width 2) reads `irf` (the i_q bins the board was loaded with) beside x.
inline link::Summary expected_summary(const Tpsf& x, const Tpsf* irf = nullptr) {
  const QuantModel& m = board_model();
  const int w = m.input_width;
  if (w == 2 && !irf) throw Error("expected_summary: the board's model reads an IRF: pass it");
  std::vector<int32_t> xq(size_t(kBins) * w);
  int32_t y[kBins * kChannels];
  for (int k = 0; k < kBins; ++k) {
    xq[size_t(k) * w] = x[k];
    if (w == 2) xq[size_t(k) * w + 1] = (*irf)[k];
  }
  run_int_model(m, xq.data(), y);
  std::vector<std::array<int16_t, 3>> yy(kBins);
  for (int t = 0; t < kBins; ++t)
    for (int c = 0; c < 3; ++c) yy[t][c] = static_cast<int16_t>(y[t * kChannels + c]);
  return link::summarize(yy);
}

}  // namespace flimgru::sim
