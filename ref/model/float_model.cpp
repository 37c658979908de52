// float_model: see float_model.hpp.
#include "float_model.hpp"

#include <cmath>

namespace flimgru {

Vec gru_cell(const GruLayer& layer, const Vec& u, const Vec& h) {
  const Eigen::Index H = h.size();
  const Vec gi = layer.w_ih * u + layer.b_ih;  // [3H]: input part of r, z, n
  const Vec gh = layer.w_hh * h + layer.b_hh;  // [3H]: recurrent part of r, z, n
  Vec out(H);
  for (Eigen::Index j = 0; j < H; ++j) {
    const float r = 1.0f / (1.0f + std::exp(-(gi[j] + gh[j])));
    const float z = 1.0f / (1.0f + std::exp(-(gi[H + j] + gh[H + j])));
    const float n = std::tanh(gi[2 * H + j] + r * gh[2 * H + j]);
    out[j] = (1.0f - z) * n + z * h[j];
  }
  return out;
}

void float_forward(const Seq2SeqWeights& w, const float* x, float* y) {
  std::vector<Vec> h(w.layers, Vec::Zero(w.hidden));
  const int W = w.input_width;
  Vec u(W);
  for (int t = 0; t < kBins; ++t) {
    for (int i = 0; i < W; ++i) u[i] = x[t * W + i];
    for (int l = 0; l < w.layers; ++l) h[l] = gru_cell(w.encoder[l], l == 0 ? u : h[l - 1], h[l]);
  }
  const Vec zero = Vec::Zero(1);
  for (int t = 0; t < kBins; ++t) {
    for (int l = 0; l < w.layers; ++l) h[l] = gru_cell(w.decoder[l], l == 0 ? zero : h[l - 1], h[l]);
    const Vec o = w.head_w * h.back() + w.head_b;
    for (int c = 0; c < kChannels; ++c) y[t * kChannels + c] = o[c];
  }
}

}  // namespace flimgru
