// fixed_point: the fixed-point scales of the integer model, named once (docs/numerics.md §2).
//   Q5.10 (pre-activations, biases, SFD outputs): real = q / kQ5_10, int16, range ±32.
//   Q1.14 (hidden state, gate values, σ/tanh table entries): real = q / kQ1_14, in [−1, 1].
#pragma once
#include <cstdint>

namespace flimgru {

constexpr int kQ5_10Bits = 10;
constexpr int32_t kQ5_10 = int32_t(1) << kQ5_10Bits;  // 1024
constexpr int kQ1_14Bits = 14;
constexpr int32_t kQ1_14 = int32_t(1) << kQ1_14Bits;  // 16384

}  // namespace flimgru
