// weights: Seq2SeqWeights shapes, initialisation and tensor order (see weights.hpp).
#include "weights.hpp"

#include <cmath>
#include <random>

#include "error.hpp"

namespace flimgru {

namespace {

GruLayer make_layer(int in, int hidden) {
  GruLayer l;
  l.w_ih = Mat::Zero(3 * hidden, in);
  l.w_hh = Mat::Zero(3 * hidden, hidden);
  l.b_ih = Vec::Zero(3 * hidden);
  l.b_hh = Vec::Zero(3 * hidden);
  return l;
}

}  // namespace

Seq2SeqWeights Seq2SeqWeights::zeros(int layers, int hidden, int input_width) {
  if (layers < 1 || layers > 8) throw Error("layers must be 1..8, got " + std::to_string(layers));
  if (hidden < 1 || hidden > 1024) throw Error("hidden must be 1..1024, got " + std::to_string(hidden));
  if (input_width < 1 || input_width > 2)
    throw Error("input_width must be 1 (TPSF) or 2 (TPSF and IRF), got " + std::to_string(input_width));
  Seq2SeqWeights w;
  w.layers = layers;
  w.hidden = hidden;
  w.input_width = input_width;
  for (int l = 0; l < layers; ++l) {
    w.encoder.push_back(make_layer(w.encoder_input_size(l), hidden));
    w.decoder.push_back(make_layer(w.input_size(l), hidden));
  }
  w.head_w = Mat::Zero(kHeadOut, hidden);
  w.head_b = Vec::Zero(kHeadOut);
  return w;
}

Seq2SeqWeights Seq2SeqWeights::random(int layers, int hidden, uint64_t seed, float scale,
                                      int input_width) {
  Seq2SeqWeights w = zeros(layers, hidden, input_width);
  std::mt19937_64 rng(seed);
  const float k = scale / std::sqrt(float(hidden));
  std::uniform_real_distribution<float> u(-k, k);
  for (auto& [name, t] : w.tensors())
    for (Eigen::Index i = 0; i < t.size(); ++i) t[i] = u(rng);
  return w;
}

int64_t Seq2SeqWeights::parameter_count() const {
  int64_t n = 0;
  for (auto& [name, shape] : shapes()) {
    int64_t s = 1;
    for (auto d : shape) s *= d;
    n += s;
  }
  return n;
}

std::vector<std::pair<std::string, Eigen::Map<Eigen::VectorXf>>> Seq2SeqWeights::tensors() {
  std::vector<std::pair<std::string, Eigen::Map<Eigen::VectorXf>>> out;
  auto add = [&](const std::string& name, float* p, Eigen::Index n) {
    out.emplace_back(name, Eigen::Map<Eigen::VectorXf>(p, n));
  };
  for (const char* part : {"encoder", "decoder"}) {
    auto& stack = std::string(part) == "encoder" ? encoder : decoder;
    for (int l = 0; l < layers; ++l) {
      const std::string s = "_l" + std::to_string(l);
      auto& L = stack[l];
      add(std::string(part) + ".weight_ih" + s, L.w_ih.data(), L.w_ih.size());
      add(std::string(part) + ".weight_hh" + s, L.w_hh.data(), L.w_hh.size());
      add(std::string(part) + ".bias_ih" + s, L.b_ih.data(), L.b_ih.size());
      add(std::string(part) + ".bias_hh" + s, L.b_hh.data(), L.b_hh.size());
    }
  }
  add("head.weight", head_w.data(), head_w.size());
  add("head.bias", head_b.data(), head_b.size());
  return out;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> Seq2SeqWeights::shapes() const {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  const int64_t g = 3 * int64_t(hidden);
  for (const char* part : {"encoder", "decoder"}) {
    const bool enc = std::string(part) == "encoder";
    for (int l = 0; l < layers; ++l) {
      const std::string s = "_l" + std::to_string(l);
      out.push_back({std::string(part) + ".weight_ih" + s, {g, enc ? encoder_input_size(l) : input_size(l)}});
      out.push_back({std::string(part) + ".weight_hh" + s, {g, hidden}});
      out.push_back({std::string(part) + ".bias_ih" + s, {g}});
      out.push_back({std::string(part) + ".bias_hh" + s, {g}});
    }
  }
  out.push_back({"head.weight", {kHeadOut, hidden}});
  out.push_back({"head.bias", {kHeadOut}});
  return out;
}

Seq2SeqWeights widen_input(const Seq2SeqWeights& w, int width) {
  if (width < w.input_width)
    throw Error("widen_input: width " + std::to_string(width) + " is below the model's " +
                std::to_string(w.input_width));
  Seq2SeqWeights out = Seq2SeqWeights::zeros(w.layers, w.hidden, width);
  out.encoder = w.encoder;
  out.decoder = w.decoder;
  out.head_w = w.head_w;
  out.head_b = w.head_b;
  out.metadata = w.metadata;
  Mat& wi = out.encoder[0].w_ih;
  const Mat old = wi;
  wi = Mat::Zero(old.rows(), width);
  wi.leftCols(old.cols()) = old;
  return out;
}

}  // namespace flimgru
