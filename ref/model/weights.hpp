// weights: the float weights of a GRU Seq2Seq (their on-disk form, safetensors: safetensors.hpp).
//
// Tensor names and shapes follow PyTorch's nn.GRU ("reset after" form, gates r, z, n):
//   encoder.weight_ih_l{l} [3H, I_l]   encoder.weight_hh_l{l} [3H, H]
//   encoder.bias_ih_l{l}   [3H]        encoder.bias_hh_l{l}   [3H]
//   decoder.* likewise (decoder layer 0 has I = 1 and reads zeros)
//   head.weight [3, H]                 head.bias [3]
// with I_l = H for l > 0, I_0 = 1 for the decoder and I_0 = the input width W for the encoder:
// W = 1 reads the TPSF bin, W = 2 the TPSF bin and the IRF bin (column 0 TPSF, column 1 IRF,
// irf_input.hpp). Metadata: "layers", "hidden", "format" = "flimgru-seq2seq-1", and "input_width"
// when W != 1 (absent: 1, so every earlier checkpoint is a width-1 model, unchanged).
// See docs/formats.md for the file layout.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "tpsf.hpp"

namespace flimgru {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;
constexpr int kHeadOut = kChannels;

struct GruLayer {
  Mat w_ih;  // [3H, I]
  Mat w_hh;  // [3H, H]
  Vec b_ih;  // [3H]
  Vec b_hh;  // [3H]
};

struct Seq2SeqWeights {
  int layers = 1;
  int hidden = 32;
  int input_width = 1;            // encoder inputs per step: 1 (TPSF) or 2 (TPSF, IRF)
  std::vector<GruLayer> encoder;  // [layers]
  std::vector<GruLayer> decoder;  // [layers]
  Mat head_w;                     // [3, H]
  Vec head_b;                     // [3]
  std::map<std::string, std::string> metadata;  // free-form provenance (command, seed, ...)

  // Zero weights of the right shapes.
  static Seq2SeqWeights zeros(int layers, int hidden, int input_width = 1);
  // Uniform(-k, k) with k = 1/sqrt(H), PyTorch's GRU initialisation, deterministic by seed.
  static Seq2SeqWeights random(int layers, int hidden, uint64_t seed, float scale = 1.0f,
                               int input_width = 1);

  int64_t parameter_count() const;
  // Input columns of decoder layer `layer` (and of encoder layers above 0).
  int input_size(int layer) const { return layer == 0 ? 1 : hidden; }
  // Input columns of encoder layer `layer`: the input width at layer 0.
  int encoder_input_size(int layer) const { return layer == 0 ? input_width : hidden; }

  // Every tensor by its checkpoint name (pointers into this object), in file order.
  std::vector<std::pair<std::string, Eigen::Map<Eigen::VectorXf>>> tensors();
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes() const;
};

// The model with encoder input width `width` >= w.input_width: the existing input columns are
// kept, the new ones (e.g. the IRF column) start at zero, so the widened model computes exactly
// what w computes whatever the new inputs hold (fine-tuning a width-1 model into a width-2 one).
Seq2SeqWeights widen_input(const Seq2SeqWeights& w, int width);

}  // namespace flimgru
