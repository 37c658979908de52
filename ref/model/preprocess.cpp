// preprocess: baseline subtraction, clamping and peak normalization of a TPSF, then input
// quantization (docs/numerics.md §8).
#include "preprocess.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "error.hpp"

namespace flimgru {

std::array<float, kBins> preprocess_tpsf(const float* counts) {
  double baseline = 0;
  for (int k = 0; k < kBaselineBins; ++k) baseline += counts[k];
  baseline /= kBaselineBins;
  std::array<double, kBins> v{};
  double peak = 0;
  for (int k = 0; k < kBins; ++k) {
    v[k] = std::max(static_cast<double>(counts[k]) - baseline, 0.0);
    peak = std::max(peak, v[k]);
  }
  std::array<float, kBins> x{};
  if (peak > 0)
    for (int k = 0; k < kBins; ++k) x[k] = static_cast<float>(v[k] / peak);
  return x;
}

int32_t quantize_value(double v, int frac_bits, int state_bits) {
  if (state_bits < 2 || state_bits > 31 || frac_bits < 0 || frac_bits > 30)
    throw Error("quantize_input: unsupported format F=" + std::to_string(frac_bits) +
                " SB=" + std::to_string(state_bits));
  if (std::isnan(v)) throw Error("quantize_input: NaN input");
  const double lo = -std::ldexp(1.0, state_bits - 1);
  const double hi = std::ldexp(1.0, state_bits - 1) - 1;
  const double r = std::round(std::ldexp(v, frac_bits));  // std::round: half away from zero
  return static_cast<int32_t>(std::clamp(r, lo, hi));
}

std::array<int32_t, kBins> quantize_input(const std::array<float, kBins>& x, int frac_bits,
                                          int state_bits) {
  std::array<int32_t, kBins> q{};
  for (int k = 0; k < kBins; ++k) q[k] = quantize_value(x[k], frac_bits, state_bits);
  return q;
}

std::array<int32_t, kBins> preprocess_counts_int(const uint32_t* counts, int frac_bits, int state_bits) {
  if (state_bits < 2 || state_bits > 16 || frac_bits < 0 || frac_bits > state_bits - 1)
    throw Error("preprocess_counts_int: unsupported format F=" + std::to_string(frac_bits) +
                " SB=" + std::to_string(state_bits));
  int64_t sum = 0;
  for (int k = 0; k < kBaselineBins; ++k) sum += counts[k];
  std::array<int64_t, kBins> v{};
  int64_t peak = 0;
  for (int k = 0; k < kBins; ++k) {
    v[k] = std::max<int64_t>(int64_t(kBaselineBins) * counts[k] - sum, 0);
    peak = std::max(peak, v[k]);
  }
  std::array<int32_t, kBins> q{};
  if (peak == 0) return q;
  const int64_t top = (int64_t(1) << (state_bits - 1)) - 1;
  for (int k = 0; k < kBins; ++k)
    q[k] = int32_t(std::min(top, ((v[k] << (frac_bits + 1)) + peak) / (2 * peak)));
  return q;
}

std::vector<float> preprocess_batch(const float* counts, size_t n) {
  std::vector<float> x(n * kBins);
  for (size_t i = 0; i < n; ++i) {
    const auto v = preprocess_tpsf(counts + i * kBins);
    std::copy(v.begin(), v.end(), x.begin() + i * kBins);
  }
  return x;
}

}  // namespace flimgru
