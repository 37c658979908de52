// Helpers shared by the training tests: a double-precision per-sample reference of the model.
#pragma once
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "weights.hpp"
#include "tpsf.hpp"

namespace flimgru::testutil {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecD = Eigen::VectorXd;
struct LayerD {
  MatD w_ih, w_hh;
  VecD b_ih, b_hh;
};
struct WeightsD {
  int L = 0, H = 0;
  std::vector<LayerD> enc, dec;
  MatD head_w;
  VecD head_b;
};

inline WeightsD to_double(const Seq2SeqWeights& w) {
  WeightsD d;
  d.L = w.layers;
  d.H = w.hidden;
  for (int p = 0; p < 2; ++p)
    for (const auto& l : p == 0 ? w.encoder : w.decoder)
      (p == 0 ? d.enc : d.dec)
          .push_back({l.w_ih.cast<double>(), l.w_hh.cast<double>(), l.b_ih.cast<double>(),
                      l.b_hh.cast<double>()});
  d.head_w = w.head_w.cast<double>();
  d.head_b = w.head_b.cast<double>();
  return d;
}

// (name, pointer, size) of every tensor, in checkpoint order.
inline std::vector<std::tuple<std::string, double*, long>> tensors_of(WeightsD& d) {
  std::vector<std::tuple<std::string, double*, long>> r;
  for (int p = 0; p < 2; ++p) {
    auto& v = p == 0 ? d.enc : d.dec;
    std::string pre = p == 0 ? "encoder." : "decoder.";
    for (int l = 0; l < d.L; ++l) {
      std::string s = std::to_string(l);
      r.emplace_back(pre + "weight_ih_l" + s, v[l].w_ih.data(), long(v[l].w_ih.size()));
      r.emplace_back(pre + "weight_hh_l" + s, v[l].w_hh.data(), long(v[l].w_hh.size()));
      r.emplace_back(pre + "bias_ih_l" + s, v[l].b_ih.data(), long(v[l].b_ih.size()));
      r.emplace_back(pre + "bias_hh_l" + s, v[l].b_hh.data(), long(v[l].b_hh.size()));
    }
  }
  r.emplace_back("head.weight", d.head_w.data(), long(d.head_w.size()));
  r.emplace_back("head.bias", d.head_b.data(), long(d.head_b.size()));
  return r;
}
inline std::vector<std::tuple<std::string, float*, long>> tensors_of(Seq2SeqWeights& w) {
  std::vector<std::tuple<std::string, float*, long>> r;
  for (int p = 0; p < 2; ++p) {
    auto& v = p == 0 ? w.encoder : w.decoder;
    std::string pre = p == 0 ? "encoder." : "decoder.";
    for (int l = 0; l < w.layers; ++l) {
      std::string s = std::to_string(l);
      r.emplace_back(pre + "weight_ih_l" + s, v[l].w_ih.data(), long(v[l].w_ih.size()));
      r.emplace_back(pre + "weight_hh_l" + s, v[l].w_hh.data(), long(v[l].w_hh.size()));
      r.emplace_back(pre + "bias_ih_l" + s, v[l].b_ih.data(), long(v[l].b_ih.size()));
      r.emplace_back(pre + "bias_hh_l" + s, v[l].b_hh.data(), long(v[l].b_hh.size()));
    }
  }
  r.emplace_back("head.weight", w.head_w.data(), long(w.head_w.size()));
  r.emplace_back("head.bias", w.head_b.data(), long(w.head_b.size()));
  return r;
}

inline VecD gru_step_d(const LayerD& w, const VecD& u, const VecD& h, bool zero_input) {
  const long H = h.size();
  VecD gi = zero_input ? VecD(w.b_ih) : VecD(w.w_ih * u + w.b_ih);
  VecD gh = w.w_hh * h + w.b_hh;
  VecD out(H);
  for (long j = 0; j < H; ++j) {
    double r = 1.0 / (1.0 + std::exp(-(gi[j] + gh[j])));
    double z = 1.0 / (1.0 + std::exp(-(gi[H + j] + gh[H + j])));
    double n = std::tanh(gi[2 * H + j] + r * gh[2 * H + j]);
    out[j] = (1.0 - z) * n + z * h[j];
  }
  return out;
}

// x [T, W] (W = the encoder's input width), y [T*3] out.
inline void forward_d(const WeightsD& w, const float* x, int T, std::vector<double>& y) {
  std::vector<VecD> h(w.L, VecD::Zero(w.H));
  const int W = int(w.enc[0].w_ih.cols());
  for (int t = 0; t < T; ++t) {
    VecD u(W);
    for (int i = 0; i < W; ++i) u[i] = x[size_t(t) * W + i];
    for (int l = 0; l < w.L; ++l) {
      h[l] = gru_step_d(w.enc[l], l == 0 ? u : h[l - 1], h[l], false);
    }
  }
  y.assign(size_t(T) * 3, 0.0);
  for (int t = 0; t < T; ++t) {
    for (int l = 0; l < w.L; ++l) h[l] = gru_step_d(w.dec[l], l == 0 ? VecD::Zero(1) : h[l - 1], h[l], l == 0);
    VecD o = w.head_w * h[w.L - 1] + w.head_b;
    for (int c = 0; c < 3; ++c) y[size_t(t) * 3 + c] = o[c];
  }
}

// Mean KD loss over B samples, x [B,T,W], target/teacher [B,T,3].
// The training loss (train_model.hpp, LossSpec): per sample and channel, the squared errors plus
// lifetime · T · (squared error of the channel's mean + squared error of its first bin)
// plus moment · T · (squared error of Σ_t (t/T)·y(t) / T).
inline double loss_d(const WeightsD& w, const std::vector<float>& x, const std::vector<float>& tg,
                     const std::vector<float>& te, double alpha, int B, int T,
                     std::array<float, 3> channel = {1.0f, 1.0f, 1.0f}, double lifetime = 0.0,
                      double moment = 0.0) {
  auto channel_error = [&](const std::vector<double>& y, const float* r, int c) {
    double sq = 0, mean_y = 0, mean_r = 0, mom_y = 0, mom_r = 0;
    for (int t = 0; t < T; ++t) {
      const double d = y[size_t(t) * 3 + c] - r[size_t(t) * 3 + c];
      sq += d * d;
      mean_y += y[size_t(t) * 3 + c] / T;
      mean_r += r[size_t(t) * 3 + c] / double(T);
      mom_y += double(t) / T * y[size_t(t) * 3 + c] / T;
      mom_r += double(t) / T * r[size_t(t) * 3 + c] / T;
    }
    const double d0 = y[size_t(c)] - r[c];
    return sq + lifetime * T * ((mean_y - mean_r) * (mean_y - mean_r) + d0 * d0) +
           moment * T * (mom_y - mom_r) * (mom_y - mom_r);
  };
  double acc = 0;
  std::vector<double> y;
  for (int b = 0; b < B; ++b) {
    forward_d(w, x.data() + size_t(b) * T * w.enc[0].w_ih.cols(), T, y);
    for (int c = 0; c < 3; ++c) {
      double e = (1 - alpha) * channel_error(y, tg.data() + size_t(b) * T * 3, c);
      if (alpha != 0) e += alpha * channel_error(y, te.data() + size_t(b) * T * 3, c);
      acc += channel[c] * e;
    }
  }
  return acc / (double(B) * T * 3);
}

inline std::vector<float> uniform(size_t n, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& e : v) e = u(rng);
  return v;
}

}  // namespace flimgru::testutil
