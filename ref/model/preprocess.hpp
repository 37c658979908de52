// preprocess: docs/numerics.md §8, counts → normalized input x (0…1) → quantized input x_q.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tpsf.hpp"

namespace flimgru {

constexpr int kBaselineBins = 10;  // the baseline is the mean of the first 10 bins

// b = mean(c_0..c_9), v_k = max(c_k − b, 0), x_k = v_k / max_k v_k (all zeros if the max is 0).
// Computed in double, returned as float.
std::array<float, kBins> preprocess_tpsf(const float* counts);

// round_half_away(v) saturated to the signed state_bits range.
int32_t quantize_value(double v, int frac_bits, int state_bits);

// x_q = sat_SB(round_half_away(x · 2^F)) per bin (int8 build: F = 7, SB = 8).
std::array<int32_t, kBins> quantize_input(const std::array<float, kBins>& x, int frac_bits,
                                          int state_bits);

// docs/numerics.md §8, integer form (the on-chip front end, rtl/frontend/frontend_norm.v):
// S = c_0 + … + c_9, v_k = max(10·c_k − S, 0), V = max_k v_k,
// x_q = min(2^(SB−1) − 1, floor((2^(F+1)·v_k + V) / (2·V))) (all zeros if V = 0): the same
// rounding of the same ratio as the float form, computed exactly.
std::array<int32_t, kBins> preprocess_counts_int(const uint32_t* counts, int frac_bits = 7, int state_bits = 8);

// preprocess_tpsf over n histograms [n][kBins] -> x [n][kBins].
std::vector<float> preprocess_batch(const float* counts, size_t n);

}  // namespace flimgru
