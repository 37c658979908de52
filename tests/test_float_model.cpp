// Float model: the GRU cell against hand-computed values, the Seq2Seq against an
// independent scalar step-by-step computation, the batched forward against the Seq2Seq.
#include "float_model.hpp"

#include <cmath>
#include <cstdio>

#include "batch_forward.hpp"

#include "test_helpers.hpp"

namespace flimgru {
namespace {

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(FloatModel, GruCellMatchesHandComputedValues) {
  // H = 1, I = 1: r, z, n rows are the 3 entries.
  GruLayer g;
  g.w_ih = Mat(3, 1);
  g.w_ih << 0.5f, -1.0f, 2.0f;
  g.w_hh = Mat(3, 1);
  g.w_hh << 1.5f, 0.25f, -0.75f;
  g.b_ih = Vec(3);
  g.b_ih << 0.1f, 0.2f, -0.3f;
  g.b_hh = Vec(3);
  g.b_hh << -0.2f, 0.05f, 0.4f;
  Vec u(1), h(1);
  u << 0.8f;
  h << -0.6f;
  // r = σ(0.5·0.8 + 0.1 + 1.5·(−0.6) − 0.2) = σ(−0.6)
  // z = σ(−0.8 + 0.2 − 0.15 + 0.05) = σ(−0.7)
  // n = tanh(1.6 − 0.3 + r·(0.45 + 0.4))
  const double r = sigm(-0.6), z = sigm(-0.7), n = std::tanh(1.3 + r * 0.85);
  const double expected = (1 - z) * n + z * (-0.6);
  EXPECT_NEAR(gru_cell(g, u, h)[0], expected, 1e-6);
}

// Independent scalar implementation with plain loops, following the PyTorch equations.
std::vector<double> reference_step(const GruLayer& g, const std::vector<double>& u, const std::vector<double>& h) {
  const int H = int(h.size());
  std::vector<double> out(H);
  for (int j = 0; j < H; ++j) {
    double gi[3], gh[3];
    for (int q = 0; q < 3; ++q) {
      gi[q] = g.b_ih[q * H + j];
      gh[q] = g.b_hh[q * H + j];
      for (size_t c = 0; c < u.size(); ++c) gi[q] += g.w_ih(q * H + j, c) * u[c];
      for (int k = 0; k < H; ++k) gh[q] += g.w_hh(q * H + j, k) * h[k];
    }
    const double r = sigm(gi[0] + gh[0]), z = sigm(gi[1] + gh[1]);
    const double n = std::tanh(gi[2] + r * gh[2]);
    out[j] = (1 - z) * n + z * h[j];
  }
  return out;
}

TEST(FloatModel, Seq2SeqMatchesIndependentStepByStepComputation) {
  const Seq2SeqWeights w = Seq2SeqWeights::random(2, 5, 3, 2.0f);
  std::vector<float> x(kBins), y(kBins * kChannels);
  for (int k = 0; k < kBins; ++k) x[k] = std::exp(-std::pow((k - 30) / 12.0, 2));
  float_forward(w, x.data(), y.data());

  std::vector<std::vector<double>> h(2, std::vector<double>(5, 0.0));
  for (int t = 0; t < kBins; ++t) {
    h[0] = reference_step(w.encoder[0], {x[t]}, h[0]);
    h[1] = reference_step(w.encoder[1], h[0], h[1]);
  }
  double max_err = 0;
  for (int t = 0; t < kBins; ++t) {
    h[0] = reference_step(w.decoder[0], {0.0}, h[0]);
    h[1] = reference_step(w.decoder[1], h[0], h[1]);
    for (int c = 0; c < kChannels; ++c) {
      double o = w.head_b[c];
      for (int k = 0; k < 5; ++k) o += w.head_w(c, k) * h[1][k];
      max_err = std::max(max_err, std::fabs(o - y[t * kChannels + c]));
    }
  }
  EXPECT_LT(max_err, 2e-5);
  // The outputs are not trivially constant: the model does compute something.
  EXPECT_GT(std::fabs(y[0] - y[(kBins - 1) * kChannels]), 1e-4);
}

// The batched forward (batch_forward.hpp: what the float backend and training run) against
// float_forward, sample by sample.
TEST(FloatModel, BatchForwardEqualsPlainFloatForward) {
  for (auto [L, H] : {std::pair{1, 32}, std::pair{2, 128}}) {
    const int B = 5, T = kBins;
    const Seq2SeqWeights w = Seq2SeqWeights::random(L, H, 11);  // PyTorch initialisation scale
    std::vector<float> x(size_t(B) * T);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::fmod(0.618034 * double(i), 1.0));
    BatchForward bf(L, H, B, T, 2);
    std::vector<float> y(size_t(B) * T * 3), yr(size_t(T) * 3);
    bf.forward(w, x.data(), B, y.data());
    double max_err = 0;
    for (int b = 0; b < B; ++b) {
      float_forward(w, x.data() + size_t(b) * T, yr.data());
      for (int i = 0; i < T * 3; ++i)
        max_err = std::max(max_err, double(std::abs(yr[i] - y[size_t(b) * T * 3 + i])));
    }
    std::printf("  batched vs float_forward L=%d H=%d: max|diff| = %.3e\n", L, H, max_err);
    EXPECT_LT(max_err, 1e-5) << "L=" << L << " H=" << H;
  }
}

}  // namespace
}  // namespace flimgru
