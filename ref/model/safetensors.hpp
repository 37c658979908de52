// safetensors: the on-disk form of Seq2SeqWeights (weights.hpp), a safetensors file of float32
// tensors named and shaped as weights.hpp says. See docs/formats.md for the file layout.
#pragma once
#include <string>

#include "weights.hpp"

namespace flimgru {

// Writes a safetensors file (float32 tensors, metadata). Writes PATH.tmp then renames.
void save_checkpoint(const Seq2SeqWeights& w, const std::string& path);
// Reads and validates (header, names, shapes, sizes, finite values); throws flimgru::Error
// naming the file and the problem.
Seq2SeqWeights load_checkpoint(const std::string& path);

}  // namespace flimgru
