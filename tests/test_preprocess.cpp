// test_preprocess: numerics.md §8 pre-processing and input quantization on hand-computed cases.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "error.hpp"
#include "preprocess.hpp"

using namespace flimgru;

TEST(Preprocess, BaselineSubtractClampAndNormalize) {
  std::array<float, kBins> c{};
  c.fill(2.0f);  // baseline 2
  c[20] = 12;    // v = 10 → 1
  c[21] = 7;     // v = 5  → 0.5
  c[22] = 4.5f;  // v = 2.5 → 0.25
  c[30] = 1;     // below the baseline → 0
  const auto x = preprocess_tpsf(c.data());
  EXPECT_FLOAT_EQ(x[20], 1.0f);
  EXPECT_FLOAT_EQ(x[21], 0.5f);
  EXPECT_FLOAT_EQ(x[22], 0.25f);
  EXPECT_EQ(x[30], 0.0f);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_EQ(x[100], 0.0f);
}

TEST(Preprocess, BaselineIsTheMeanOfTheFirstTenBins) {
  std::array<float, kBins> c{};
  for (int k = 0; k < 10; ++k) c[k] = float(k);  // mean 4.5
  c[50] = 14.5f;                                 // v = 10 (the max)
  c[51] = 7.0f;                                  // v = 2.5
  const auto x = preprocess_tpsf(c.data());
  EXPECT_FLOAT_EQ(x[50], 1.0f);
  EXPECT_FLOAT_EQ(x[51], 0.25f);
  EXPECT_FLOAT_EQ(x[9], 0.45f);  // v = 9 − 4.5
  EXPECT_FLOAT_EQ(x[5], 0.05f);  // v = 0.5
  EXPECT_EQ(x[4], 0.0f);         // 4 − 4.5 < 0
  EXPECT_EQ(x[60], 0.0f);
}

TEST(Preprocess, FlatOrEmptyHistogramGivesZeros) {
  std::array<float, kBins> c{};
  c.fill(3.0f);
  for (float v : preprocess_tpsf(c.data())) EXPECT_EQ(v, 0.0f);
  c.fill(0.0f);
  for (float v : preprocess_tpsf(c.data())) EXPECT_EQ(v, 0.0f);
}

TEST(Preprocess, QuantizeRoundsHalfAwayAndSaturates) {
  // int8 build: F = 7, SB = 8.
  EXPECT_EQ(quantize_value(1.0, 7, 8), 127);          // 128 saturates
  EXPECT_EQ(quantize_value(0.5, 7, 8), 64);
  EXPECT_EQ(quantize_value(0.5 / 128, 7, 8), 1);      // 0.5 → 1 (away from zero)
  EXPECT_EQ(quantize_value(1.5 / 128, 7, 8), 2);
  EXPECT_EQ(quantize_value(2.5 / 128, 7, 8), 3);      // not banker's rounding
  EXPECT_EQ(quantize_value(-0.5 / 128, 7, 8), -1);
  EXPECT_EQ(quantize_value(0.49 / 128, 7, 8), 0);
  EXPECT_EQ(quantize_value(-2.0, 7, 8), -128);
  // int16 build: F = 14, SB = 16: 1.0 fits.
  EXPECT_EQ(quantize_value(1.0, 14, 16), 16384);
  EXPECT_EQ(quantize_value(3.0, 14, 16), 32767);
  EXPECT_THROW(quantize_value(std::nan(""), 7, 8), Error);

  std::array<float, kBins> x{};
  x[0] = 1.0f;
  x[1] = 0.25f;
  x[2] = 0.00390625f;  // exactly 0.5 LSB
  const auto q = quantize_input(x, 7, 8);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], 32);
  EXPECT_EQ(q[2], 1);
  EXPECT_EQ(q[3], 0);
}
