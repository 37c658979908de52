// The integer model: rounding and saturation corners of docs/numerics.md, the tables,
// the gate unit on hand-computed values, and closeness to the float model.
#include "int_model.hpp"

#include <cmath>
#include <random>
#include <set>

#include "float_model.hpp"
#include "quantizer.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

TEST(IntNumerics, RoundingShiftTiesTowardPlusInfinity) {
  EXPECT_EQ(rshr(3, 1), 2);    // 1.5 -> 2
  EXPECT_EQ(rshr(-3, 1), -1);  // -1.5 -> -1
  EXPECT_EQ(rshr(-5, 1), -2);  // -2.5 -> -2
  EXPECT_EQ(rshr(-6, 2), -1);  // -1.5 -> -1
  EXPECT_EQ(rshr(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(rshr(7, 0), 7);
  EXPECT_EQ(rshr(int64_t(1) << 40, 20), int64_t(1) << 20);
}

TEST(IntNumerics, SaturationAtBothEnds) {
  EXPECT_EQ(sat(128, 8), 127);
  EXPECT_EQ(sat(-129, 8), -128);
  EXPECT_EQ(sat(-128, 8), -128);
  EXPECT_EQ(sat(40000, 16), 32767);
  EXPECT_EQ(sat(-40000, 16), -32768);
  EXPECT_EQ(round_half_away(2.5), 3);
  EXPECT_EQ(round_half_away(-2.5), -3);
}

TEST(IntNumerics, RequantizeIsProductThenRoundingShift) {
  EXPECT_EQ(requantize(1000, 3, 4), 188);  // 3000/16 = 187.5 -> 188
  EXPECT_EQ(requantize(-1000, 3, 4), -187);
  EXPECT_EQ(requantize(520192, 65535, 20), 32512);  // 32·127·128 at the largest multiplier
}

TEST(IntNumerics, TableIndexFloorsAndClamps) {
  EXPECT_EQ(table_index(0, 10), 512);
  EXPECT_EQ(table_index(15, 10), 512);
  EXPECT_EQ(table_index(16, 10), 513);
  EXPECT_EQ(table_index(-1, 10), 511);
  EXPECT_EQ(table_index(-16, 10), 511);
  EXPECT_EQ(table_index(-17, 10), 510);
  EXPECT_EQ(table_index(8191, 10), 1023);
  EXPECT_EQ(table_index(8192, 10), 1023);
  EXPECT_EQ(table_index(32767, 10), 1023);
  EXPECT_EQ(table_index(-8192, 10), 0);
  EXPECT_EQ(table_index(-32768, 10), 0);
}

TEST(IntNumerics, TablesAreSymmetricMonotoneAndAccurate) {
  for (int tb : {10, 12}) {
    const auto s = make_sigmoid_table(tb), t = make_tanh_table(tb);
    const int n = 1 << tb;
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(s[i] + s[n - 1 - i], 16384) << i;
      EXPECT_EQ(t[i], -t[n - 1 - i]) << i;
      if (i) {
        EXPECT_GE(s[i], s[i - 1]);
        EXPECT_GE(t[i], t[i - 1]);
      }
    }
    // Worst-case error against the true function over the covered range, per docs §6.
    double es = 0, et = 0;
    for (int p = -8192; p < 8192; ++p) {
      const double x = p / 1024.0;
      es = std::max(es, std::fabs(s[table_index(p, tb)] / 16384.0 - 1 / (1 + std::exp(-x))));
      et = std::max(et, std::fabs(t[table_index(p, tb)] / 16384.0 - std::tanh(x)));
    }
    EXPECT_LT(es, tb == 10 ? 0.0021 : 0.00055);
    EXPECT_LT(et, tb == 10 ? 0.0081 : 0.0021);
  }
}

QuantModel one_unit_model() {
  QuantModel m = random_quant_model(1, 1, 1);
  m.rq_shift = 10;
  QuantLayer& L = m.encoder[0];
  L.m = {1024, 2048, 512};  // r, z, n: factors 1, 2, 0.5
  L.b_r = {100};
  L.b_z = {-300};
  L.b_in = {50};
  L.b_hn = {-20};
  return m;
}

TEST(IntNumerics, StateViewRoundsAndSaturatesToQ07) {
  const QuantModel m = random_quant_model(1, 1, 1);
  EXPECT_EQ(state_view(m, 64), 1);     // 0.5 LSB ties up
  EXPECT_EQ(state_view(m, -64), 0);    // −0.5 ties up too
  EXPECT_EQ(state_view(m, -65), -1);
  EXPECT_EQ(state_view(m, 16256), 127);
  EXPECT_EQ(state_view(m, 16319), 127);  // 127.49
  EXPECT_EQ(state_view(m, 16320), 127);  // 127.5 rounds to 128, saturates
  EXPECT_EQ(state_view(m, -16384), -128);
  QuantModel m16 = random_quant_model(1, 1, 1, false, QuantFormat::int16());
  EXPECT_EQ(state_view(m16, -12345), -12345);  // int16 build: the operand is the state
}

TEST(IntGateUnit, MatchesHandComputedValues) {
  const QuantModel m = one_unit_model();
  const QuantLayer& L = m.encoder[0];
  GateSums s{400, 124, 1000, -1200, 333, -999};
  const UnitResult o = gru_unit_update(m, L, 0, s, -9856);  // state −0.6016 in Q1.14
  EXPECT_EQ(o.p_r, 624);               // rshr(524·1024, 10) + 100
  EXPECT_EQ(o.p_z, -700);              // rshr(−200·2048, 10) − 300
  EXPECT_EQ(o.r, m.sigmoid_table[551]);  // 624 >> 4 = 39
  EXPECT_EQ(o.z, m.sigmoid_table[468]);  // floor(−700/16) = −44
  EXPECT_EQ(o.hn, -519);               // rshr(−999·512, 10): −499.5 -> −499 (tie up); −499 − 20
  const int64_t rhn = rshr(int64_t(o.r) * -519, 14);
  EXPECT_EQ(o.p_n, 167 + 50 + rhn);    // rshr(333·512, 10) = 166.5 -> 167
  EXPECT_EQ(o.n, m.tanh_table[table_index(o.p_n, 10)]);
  const int64_t d = -9856 - o.n;
  EXPECT_EQ(o.h, o.n + rshr(int64_t(o.z) * d, 14));
}

TEST(IntGateUnit, SaturatedUpdateGateHoldsTheState) {
  QuantModel m = one_unit_model();
  const QuantLayer& L = m.encoder[0];
  for (int h : {-16384, -9856, 0, 1, 16384}) {
    GateSums s{0, 0, 0, 100000, 0, 0};  // p_z saturates high: z = σ(≈8) < 1, state nearly held
    const UnitResult o = gru_unit_update(m, L, 0, s, h);
    EXPECT_EQ(o.p_z, 32767);
    // h − h' = (1 − z/16384)(h − n) with z = SIGMOID[1023] = 16378: at most 6·2 = 12 LSB.
    EXPECT_EQ(o.z, 16378);
    EXPECT_LE(std::abs(o.h - h), 12) << h;
  }
}

TEST(IntGateUnit, ExtremeSumsSaturateEveryPreActivation) {
  const QuantModel m = one_unit_model();
  const QuantLayer& L = m.encoder[0];
  const int64_t big = int64_t(1) << 30;
  const UnitResult hi = gru_unit_update(m, L, 0, {big, big, -big, -big, big, big}, 16384);
  EXPECT_EQ(hi.p_r, 32767);
  EXPECT_EQ(hi.p_z, -32768);
  EXPECT_EQ(hi.hn, 32767);
  EXPECT_EQ(hi.p_n, 32767);
  EXPECT_EQ(hi.n, m.tanh_table[1023]);
  EXPECT_EQ(hi.n, 16384);
  EXPECT_EQ(hi.h, 16384);                // n = h = +1: the top of the state range
  EXPECT_EQ(state_view(m, hi.h), 127);   // whose operand view saturates
  const UnitResult lo = gru_unit_update(m, L, 0, {-big, -big, -big, -big, -big, -big}, -16384);
  EXPECT_EQ(lo.p_n, -32768);
  EXPECT_EQ(lo.h, -16384);
  EXPECT_EQ(state_view(m, lo.h), -128);
}

TEST(IntModel, TraceRecordsEveryStateAndStatesStayInRange) {
  for (bool extreme : {false, true}) {
    const QuantModel m = random_quant_model(2, 8, 5, extreme);
    m.validate("random");
    std::vector<int32_t> x(kBins), y(kBins * kChannels);
    std::mt19937 rng(3);
    for (auto& v : x) v = int32_t(rng() % 128);
    IntTrace tr;
    run_int_model(m, x.data(), y.data(), &tr);
    ASSERT_EQ(tr.enc_h.size(), size_t(kBins) * 2 * 8);
    std::set<int32_t> distinct;
    for (auto v : tr.enc_h) {
      EXPECT_GE(v, -16384);
      EXPECT_LE(v, 16384);
      distinct.insert(v);
    }
    for (auto v : y) {
      EXPECT_GE(v, -32768);
      EXPECT_LE(v, 32767);
    }
    EXPECT_GT(distinct.size(), 3u) << "states should vary";
    // The traced decoder top state reproduces the outputs through the head.
    std::vector<int32_t> top(8);
    for (int k = 0; k < 8; ++k) top[k] = tr.dec(kBins - 1, 1, k);
    const auto o = dense_head(m, top);
    for (int c = 0; c < 3; ++c) EXPECT_EQ(o[c], y[(kBins - 1) * 3 + c]);
  }
}

TEST(IntModel, Int8AndInt16StayCloseToTheFloatModel) {
  const Seq2SeqWeights w = Seq2SeqWeights::random(1, 16, 11, 1.5f);
  std::vector<float> x(kBins), yf(kBins * 3);
  for (int k = 0; k < kBins; ++k) x[k] = float(std::exp(-std::pow((k - 20) / 6.0, 2)) + 0.5 * std::exp(-k / 30.0));
  float_forward(w, x.data(), yf.data());
  for (auto fmt : {QuantFormat::int8(), QuantFormat::int16()}) {
    const QuantModel m = quantize(w, fmt);
    std::vector<int32_t> xq(kBins), yq(kBins * 3);
    quantize_input(fmt, x.data(), xq.data());
    run_int_model(m, xq.data(), yq.data());
    double se = 0, sf = 0;
    for (int i = 0; i < kBins * 3; ++i) {
      se += std::pow(dequantize_output(yq[i]) - yf[i], 2);
      sf += double(yf[i]) * yf[i];
    }
    const double rmse = std::sqrt(se / (kBins * 3)), rms = std::sqrt(sf / (kBins * 3));
    EXPECT_LT(rmse, fmt.weight_bits == 8 ? 0.03 * rms + 0.003 : 0.004 * rms + 0.001) << fmt.name() << " rms " << rms;
    EXPECT_GT(rms, 0.05);
  }
}

}  // namespace
}  // namespace flimgru
