// Training model tests: gradient check of every tensor, KD α = 0, threading determinism,
// loss decreases (the batched forward alone: test_float_model.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "error.hpp"
#include "fixed_point.hpp"
#include "train_model.hpp"
#include "train_test_util.hpp"

using namespace flimgru;
using namespace flimgru::testutil;

namespace {

struct Problem {
  int L, H, B, T;
  Seq2SeqWeights w;
  std::vector<float> x, tg, te;
};

Problem make_problem(int L, int H, int B, int T, uint64_t seed, int W = 1) {
  Problem p{L, H, B, T, Seq2SeqWeights::random(L, H, seed, 1.5f, W), {}, {}, {}};
  p.x = uniform(size_t(B) * T * W, seed + 1, 0.0f, 1.0f);
  p.tg = uniform(size_t(B) * T * 3, seed + 2, -0.5f, 1.0f);
  p.te = uniform(size_t(B) * T * 3, seed + 3, -0.5f, 1.0f);
  return p;
}

void grad_check(int L, int H, int B, int T, LossSpec spec, int threads, int W = 1) {
  const double alpha = spec.alpha;
  Problem p = make_problem(L, H, B, T, 42, W);
  BatchTrainer bt(L, H, B, T, threads);
  Seq2SeqWeights g;
  double loss = bt.loss_and_grad(p.w, p.x.data(), p.tg.data(), alpha != 0 ? p.te.data() : nullptr,
                                 spec, B, g);
  WeightsD wd = to_double(p.w);
  double ref_loss = loss_d(wd, p.x, p.tg, p.te, alpha, B, T, spec.channel, spec.lifetime, spec.moment);
  EXPECT_NEAR(loss, ref_loss, 1e-5 * std::abs(ref_loss));
  auto dt = tensors_of(wd);
  auto gt = tensors_of(g);
  ASSERT_EQ(dt.size(), gt.size());
  const double eps = 1e-5;
  for (size_t k = 0; k < dt.size(); ++k) {
    auto& [name, ptr, n] = dt[k];
    const float* ga = std::get<1>(gt[k]);
    double max_err = 0, max_g = 0, max_ga = 0;
    for (long i = 0; i < n; ++i) {
      max_ga = std::max(max_ga, std::abs(double(ga[i])));
      double old = ptr[i];
      ptr[i] = old + eps;
      double lp = loss_d(wd, p.x, p.tg, p.te, alpha, B, T, spec.channel, spec.lifetime, spec.moment);
      ptr[i] = old - eps;
      double lm = loss_d(wd, p.x, p.tg, p.te, alpha, B, T, spec.channel, spec.lifetime, spec.moment);
      ptr[i] = old;
      double num = (lp - lm) / (2 * eps);
      max_err = std::max(max_err, std::abs(num - double(ga[i])));
      max_g = std::max(max_g, std::abs(num));
    }
    // Decoder layer 0 reads zeros: its weight_ih gradient is exactly zero (the finite difference
    // only sees the last bit of the loss's rounding).
    if (name == "decoder.weight_ih_l0") {
      EXPECT_EQ(max_ga, 0.0) << name;
      EXPECT_LE(max_g, 1e-9) << name;
    } else {
      EXPECT_GT(max_g, 0.0) << name;
    }
    EXPECT_LE(max_err, 1e-4 * max_g + 1e-7) << name << " max|num|=" << max_g;
    std::printf("  gradcheck %-22s max|num|=%.3e max|err|=%.3e rel=%.2e\n", name.c_str(), max_g, max_err, max_err / std::max(max_g, 1e-30));
  }
}

}  // namespace

TEST(TrainModel, GradCheckTwoLayers) { grad_check(2, 4, 3, 7, {}, 1); }
TEST(TrainModel, GradCheckThreeLayersTwoThreadsKD) { grad_check(3, 3, 5, 6, {0.3f}, 2); }
TEST(TrainModel, GradCheckChannelWeightsKD) { grad_check(2, 3, 4, 6, {0.4f, {2.0f, 0.5f, 0.25f}}, 2); }
TEST(TrainModel, GradCheckOneLayer) { grad_check(1, 5, 2, 9, {}, 2); }
// An IRF-conditioned model (input width 2): the IRF column of encoder.weight_ih_l0 included.
TEST(TrainModel, GradCheckInputWidthTwo) { grad_check(1, 4, 3, 7, {}, 2, 2); }
TEST(TrainModel, GradCheckInputWidthTwoTwoLayersLifetimeKD) {
  grad_check(2, 3, 4, 6, {0.3f, {1.0f, 1.0f, 1.0f}, 1.0f}, 1, 2);
}
TEST(TrainModel, GradCheckLifetimeTerm) { grad_check(1, 4, 3, 8, {0.0f, {1.0f, 1.0f, 1.0f}, 2.0f}, 1); }
TEST(TrainModel, GradCheckMomentTerm) { grad_check(1, 4, 3, 8, {0.0f, {1.0f, 1.0f, 1.0f}, 0.0f, 5.0f}, 1); }
TEST(TrainModel, GradCheckMomentAndLifetimeTermsKD) {
  grad_check(2, 3, 4, 6, {0.4f, {2.0f, 0.5f, 0.25f}, 1.5f, 3.0f}, 2);
}
TEST(TrainModel, GradCheckLifetimeTermChannelWeightsKD) {
  grad_check(2, 3, 4, 6, {0.4f, {2.0f, 0.5f, 0.25f}, 3.0f}, 2);
}

TEST(TrainModel, BatchedForwardMatchesDoubleReference) {
  for (auto [L, H] : {std::pair{1, 32}, std::pair{2, 16}}) {
    const int B = 7, T = kBins;
    Problem p = make_problem(L, H, B, T, 7);
    BatchTrainer bt(L, H, B, T, 2);
    std::vector<float> y(size_t(B) * T * 3);
    bt.forward(p.w, p.x.data(), B, y.data());
    WeightsD wd = to_double(p.w);
    std::vector<double> yr;
    double max_err = 0;
    for (int b = 0; b < B; ++b) {
      forward_d(wd, p.x.data() + size_t(b) * T, T, yr);
      for (int i = 0; i < T * 3; ++i)
        max_err = std::max(max_err, std::abs(yr[i] - y[size_t(b) * T * 3 + i]));
    }
    EXPECT_LT(max_err, 1e-5) << "L=" << L << " H=" << H;
  }
}

TEST(TrainModel, KdAlphaZeroIsBitIdenticalToPlainMse) {
  Problem p = make_problem(2, 8, 6, 20, 3);
  BatchTrainer bt(2, 8, 6, 20, 2);
  Seq2SeqWeights g0, g1;
  double l0 = bt.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 6, g0);
  double l1 = bt.loss_and_grad(p.w, p.x.data(), p.tg.data(), p.te.data(), {}, 6, g1);
  EXPECT_EQ(l0, l1);
  auto a = tensors_of(g0), b = tensors_of(g1);
  for (size_t k = 0; k < a.size(); ++k)
    EXPECT_EQ(0, std::memcmp(std::get<1>(a[k]), std::get<1>(b[k]), sizeof(float) * std::get<2>(a[k])))
        << std::get<0>(a[k]);
}

TEST(TrainModel, ThreadCountDoesNotChangeGradientsBeyondRounding) {
  Problem p = make_problem(2, 8, 9, 15, 5);
  BatchTrainer b1(2, 8, 9, 15, 1), b2(2, 8, 9, 15, 2);
  Seq2SeqWeights g1, g2;
  double l1 = b1.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 9, g1);
  double l2 = b2.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 9, g2);
  EXPECT_NEAR(l1, l2, 1e-7 * l1);  // GEMM blocking differs with the slice size
  auto a = tensors_of(g1), b = tensors_of(g2);
  for (size_t k = 0; k < a.size(); ++k)
    for (long i = 0; i < std::get<2>(a[k]); ++i)
      EXPECT_NEAR(std::get<1>(a[k])[i], std::get<1>(b[k])[i], 1e-6) << std::get<0>(a[k]);
  // A smaller batch than the workspace capacity gives the same result as an exact-size one.
  BatchTrainer big(2, 8, 32, 15, 2);
  Seq2SeqWeights g3;
  double l3 = big.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 9, g3);
  EXPECT_NEAR(l1, l3, 1e-7 * l1);
}

TEST(TrainModel, QatForwardRunsAndStaysClose) {
  Problem p = make_problem(1, 16, 4, kBins, 9);
  BatchTrainer bt(1, 16, 4, kBins, 2);
  std::vector<float> yf(size_t(4) * kBins * 3), yq(yf.size());
  bt.forward(p.w, p.x.data(), 4, yf.data());
  ForwardOptions o;
  o.qat.enabled = true;
  bt.forward(p.w, p.x.data(), 4, yq.data(), o);
  double max_err = 0;
  for (size_t i = 0; i < yf.size(); ++i) max_err = std::max(max_err, double(std::abs(yf[i] - yq[i])));
  EXPECT_GT(max_err, 0.0);
  EXPECT_LT(max_err, 0.1);
  // Straight-through gradients point the same way as the float gradients.
  Seq2SeqWeights g, gf;
  double l = bt.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 4, g, o);
  bt.loss_and_grad(p.w, p.x.data(), p.tg.data(), nullptr, {}, 4, gf);
  EXPECT_TRUE(std::isfinite(l));
  auto a = tensors_of(g), b = tensors_of(gf);
  double dot = 0, na = 0, nb = 0;
  for (size_t k = 0; k < a.size(); ++k)
    for (long i = 0; i < std::get<2>(a[k]); ++i) {
      const double u = std::get<1>(a[k])[i], v = std::get<1>(b[k])[i];
      dot += u * v;
      na += u * u;
      nb += v * v;
    }
  const double cosine = dot / std::sqrt(na * nb);
  std::printf("  cos(QAT grad, float grad) = %.4f\n", cosine);
  EXPECT_GT(cosine, 0.9);
}

#include "simulator.hpp"
#include "trainer.hpp"

TEST(TrainModel, ParamSpansFollowCheckpointTensorOrder) {
  auto w = Seq2SeqWeights::random(2, 4, 1);
  auto spans = param_spans(w);
  auto tens = w.tensors();
  ASSERT_EQ(spans.size(), tens.size());
  for (size_t k = 0; k < spans.size(); ++k) {
    EXPECT_EQ(spans[k].first, tens[k].second.data()) << tens[k].first;
    EXPECT_EQ(spans[k].second, size_t(tens[k].second.size())) << tens[k].first;
  }
}

TEST(TrainModel, DatasetSourcePreprocessesSimulatedData) {
  SimConfig sc;
  sc.seed = 3;
  Dataset ds = simulate(sc, 6, 1);
  std::vector<size_t> sub = {4, 1};
  MemoryDataSource src = dataset_source(ds, &sub);
  ASSERT_EQ(src.size(), 2u);
  std::vector<float> x(2 * kBins), y(2 * kBins * kChannels);
  size_t idx[2] = {0, 1};
  src.gather(idx, 2, x.data(), y.data());
  float mx = 0;
  for (float v : x) {
    EXPECT_GE(v, 0.0f);
    mx = std::max(mx, v);
  }
  EXPECT_EQ(mx, 1.0f);
  EXPECT_EQ(y[0], ds.sfd[4 * kBins * kChannels]);
  EXPECT_EQ(y[kBins * kChannels + 5], ds.sfd[1 * kBins * kChannels + 5]);
}

#include "int_model.hpp"
#include "quantizer.hpp"

// The QAT forward is the integer model (docs/numerics.md), bit for bit, for the int8 format.
TEST(TrainModel, QatForwardIsBitExactWithTheIntegerModel) {
  for (auto [L, H] : {std::pair{1, 32}, std::pair{2, 16}}) {
  const int B = 8;
  Seq2SeqWeights w = Seq2SeqWeights::random(L, H, 21 + L, 2.0f);
  auto x = uniform(size_t(B) * kBins, 22, 0.0f, 1.0f);
  BatchTrainer bt(L, H, B, kBins, 2);
  ForwardOptions o;
  o.qat.enabled = true;
  std::vector<float> yq(size_t(B) * kBins * 3), yf(yq.size());
  bt.forward(w, x.data(), B, yq.data(), o);
  bt.forward(w, x.data(), B, yf.data());
  QuantModel qm = quantize(w, QuantFormat::int8());
  std::vector<int32_t> xq(kBins), yi(size_t(kBins) * 3);
  double max_qat = 0, max_float = 0;
  size_t exact = 0;
  for (int b = 0; b < B; ++b) {
    quantize_input(qm.fmt, x.data() + size_t(b) * kBins, xq.data());
    run_int_model(qm, xq.data(), yi.data());
    for (int i = 0; i < kBins * 3; ++i) {
      const float yint = dequantize_output(yi[i]);
      const size_t k = size_t(b) * kBins * 3 + i;
      max_qat = std::max(max_qat, double(std::abs(yq[k] - yint)));
      max_float = std::max(max_float, double(std::abs(yf[k] - yint)));
      exact += yq[k] == yint;
    }
  }
  std::printf("  QAT vs int model: max|diff| %.4g (float model: %.4g), exact %.1f%%\n", max_qat,
              max_float, 100.0 * exact / (B * kBins * 3));
  EXPECT_EQ(max_qat, 0.0);
  EXPECT_EQ(exact, size_t(B) * kBins * 3);
  }
}

// The vectorised unit update of the QAT forward (qat_gru_units) against the integer model's
// gru_unit_update, unit by unit: random partial sums over the whole exact range (saturating and
// linear regions of the tables), both chunked and odd widths, gates written over the input sums
// as the forward does.
TEST(TrainModel, QatUnitUpdateMatchesTheIntegerModelUnitByUnit) {
  for (auto [H, extreme] : {std::pair{5, false}, std::pair{32, false}, std::pair{100, false},
                            std::pair{32, true}}) {
    const QuantModel qm = random_quant_model(1, H, 40 + H, extreme);
    const QuantLayer& L = qm.encoder[0];
    const float sF = float(1 << qm.fmt.frac_bits);
    const int64_t bound = int64_t(127) * 128 * L.cols();  // largest |partial sum| of a row
    std::mt19937_64 rng(7 + H);
    size_t checked = 0, saturated = 0;
    for (int trial = 0; trial < 200; ++trial) {
      // log-uniform magnitudes: most sums small enough to land inside the tables' range
      auto sum = [&]() {
        const double mag = std::pow(double(bound), std::uniform_real_distribution<double>(0, 1)(rng));
        return int64_t(std::uniform_real_distribution<double>(-mag, mag)(rng));
      };
      std::vector<int64_t> in(3 * H), hh(3 * H);
      std::vector<int32_t> h_old(H);
      std::vector<float> gi(3 * H), gh(3 * H), hm(H), hm_next(H), view(H), pre(3 * H), hn(H);
      for (int k = 0; k < 3 * H; ++k) {
        in[k] = sum();
        hh[k] = sum();
        gi[k] = float(in[k]) / sF;
        gh[k] = float(hh[k]) / sF;
      }
      for (int j = 0; j < H; ++j) {
        h_old[j] = std::uniform_int_distribution<int32_t>(-kQ1_14, kQ1_14)(rng);
        hm[j] = float(h_old[j]) / float(kQ1_14);
      }
      qat_gru_units(qm, L, gi.data(), gh.data(), hm.data(), hm_next.data(), view.data(), pre.data(),
                    gi.data(), hn.data());
      for (int j = 0; j < H; ++j) {
        const GateSums s{in[j], hh[j], in[H + j], hh[H + j], in[2 * H + j], hh[2 * H + j]};
        const UnitResult u = gru_unit_update(qm, L, j, s, h_old[j]);
        ASSERT_EQ(hm_next[j], float(u.h) / float(kQ1_14)) << "H=" << H << " unit " << j;
        ASSERT_EQ(view[j], float(state_view(qm, u.h)) / sF) << "unit " << j;
        ASSERT_EQ(pre[j], float(u.p_r) / float(kQ5_10)) << "unit " << j;
        ASSERT_EQ(pre[H + j], float(u.p_z) / float(kQ5_10)) << "unit " << j;
        ASSERT_EQ(pre[2 * H + j], float(u.p_n) / float(kQ5_10)) << "unit " << j;
        ASSERT_EQ(gi[j], float(u.r) / float(kQ1_14)) << "unit " << j;
        ASSERT_EQ(gi[H + j], float(u.z) / float(kQ1_14)) << "unit " << j;
        ASSERT_EQ(gi[2 * H + j], float(u.n) / float(kQ1_14)) << "unit " << j;
        ASSERT_EQ(hn[j], float(u.hn) / float(kQ5_10)) << "unit " << j;
        ++checked;
        saturated += std::abs(u.p_r) == 32767 || u.p_r == -32768 || std::abs(u.p_n) >= 8192;
      }
    }
    // both regions were reached: some pre-activations beyond the tables' ±8, most inside
    EXPECT_GT(saturated, 0u) << "H=" << H;
    EXPECT_LT(saturated, checked) << "H=" << H;
  }
}

// QAT needs every accumulator exact in float (< 2^24): a format that breaks the bound (int16
// weights and operands) is refused with a reason instead of computing inexact sums.
TEST(TrainModel, QatRefusesAFormatWhoseSumsAreNotExactInFloat) {
  Problem p = make_problem(1, 8, 2, kBins, 4);
  BatchTrainer bt(1, 8, 2, kBins, 1);
  ForwardOptions o;
  o.qat.enabled = true;
  o.qat.weight_bits = 16;
  o.qat.frac_bits = 14;
  o.qat.table_bits = 12;
  std::vector<float> y(size_t(2) * kBins * 3);
  try {
    bt.forward(p.w, p.x.data(), 2, y.data(), o);
    FAIL() << "an int16 QAT forward was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2^24"), std::string::npos) << e.what();
  }
  o.qat = QatOptions{};
  o.qat.enabled = true;
  EXPECT_NO_THROW(bt.forward(p.w, p.x.data(), 2, y.data(), o));  // int8: exact
}
