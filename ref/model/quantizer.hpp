// quantizer: float checkpoint -> integer model (docs/numerics.md §3), post-training.
#pragma once
#include <nlohmann/json.hpp>

#include "weights.hpp"
#include "int_model.hpp"
#include "fixed_point.hpp"

namespace flimgru {

struct QuantReport {
  int rq_shift = 0;
  uint32_t min_multiplier = 0;         // smallest M_j: its relative precision is 1/M_j
  double max_weight_error = 0;         // max |w - q·M/2^(S+10-F)| over all weights
  int saturated_biases = 0;            // biases clipped to int16
  nlohmann::json to_json() const;
};

// Per-row symmetric quantization, one global shift S, Q5.10 biases, generated tables.
QuantModel quantize(const Seq2SeqWeights& w, QuantFormat fmt, QuantReport* report = nullptr);

// The float value the integer model effectively uses for weight (row, col) of a layer: q·M/2^(S+10−F).
double effective_weight(const QuantModel& m, const QuantLayer& layer, int row, int col);

// x [kBins] pre-processed floats -> x_q [kBins] in the model's input format (§8, preprocess.hpp);
// the IRF input of a width-2 model is quantized by the same rule.
void quantize_input(const QuantFormat& fmt, const float* x, int32_t* x_q);

// Dequantize outputs (Q5.10) to floats.
inline float dequantize_output(int32_t y) { return float(y) / float(kQ5_10); }

}  // namespace flimgru
