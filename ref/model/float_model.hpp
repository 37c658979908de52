// float_model: the plain float forward pass of the GRU Seq2Seq, one sample at a time.
// It is the readable reference that faster paths (the batched forward, batch_forward.hpp) are
// tested against.
#pragma once
#include "weights.hpp"

namespace flimgru {

// One GRU cell step, "reset after" form, gates r, z, n (PyTorch nn.GRU):
//   u [I], h [H] -> returns h' [H].
Vec gru_cell(const GruLayer& layer, const Vec& u, const Vec& h);

// x [kBins][w.input_width] pre-processed inputs (width 1: the TPSF; width 2: TPSF and IRF bin
// of each step, irf_input.hpp) -> y [kBins][kChannels] SFD (row-major).
void float_forward(const Seq2SeqWeights& w, const float* x, float* y);

}  // namespace flimgru
