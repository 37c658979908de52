// batch_forward: the batched forward pass of the GRU Seq2Seq (GEMMs over a whole batch, llm.c
// style): what the float backend runs (backend.cpp) and what training runs before its backward
// pass (train_model.hpp). Tested equal to float_forward (float_model.hpp), the one-sample reference.
//
// Layout conventions (all float32, row-major, TIME-MAJOR inside the workspace):
//   B = batch, T = steps (kBins = 135 by default), H = hidden, L = layers, G = 3H (gates r, z, n).
//   A "sequence matrix" [T*B, C] holds step t of sample b in row t*B + b.
//   A "state matrix"    [(T+1)*B, H] holds the initial state in rows 0..B-1 and the state after
//                       step t (t = 0..T-1) in rows (t+1)*B .. (t+2)*B-1.
// External (sample-major) layouts: inputs x [B, T, W] (W = input width), outputs y [B, T, 3].
//
// The plain functions below do one thing each; seq2seq_forward chains them. BatchForward splits
// a batch over threads (one workspace per slice).
//
// QAT: with ForwardOptions::qat.enabled the forward pass is the integer model of
// docs/numerics.md (bit-exact with run_int_model for int8: per-row int8 weights with the global
// requantization shift, Q5.10 biases and pre-activations, 1024-entry σ/tanh tables, Q0.7 state).
// The weights are quantized once per batch (qat_prepare, by BatchForward before the threads
// start); the GEMMs run in float over the integer weights and operands, exact because every
// partial sum is an integer below 2^24 (qat_prepare checks the bound), and each step's unit
// updates are integer loops the compiler vectorises (the inline helpers of int_model.hpp).
// With qat off the model is the plain float GRU.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "int_model.hpp"
#include "tpsf.hpp"
#include "weights.hpp"

namespace flimgru {

// Fake-quantization options (QAT). With `enabled`, the forward pass IS the integer model of
// docs/numerics.md (the weights are quantized by quantize() once per batch, then every gate,
// state and output value is computed by the integer rules of §5–§7 and stored as its real
// value); backward is straight through the roundings, uses the effective float weights
// q·M/2^(S+10−F) and the true derivatives of σ / tanh at the quantized pre-activations.
// Bit-exact with run_int_model for the int8 format (all accumulators < 2^24, exact in float);
// a format whose accumulators can reach 2^24 (int16) is refused by qat_prepare.
struct QatOptions {
  bool enabled = false;
  int weight_bits = 8;   // WB = SB (state storage bits)
  int frac_bits = 7;     // F
  int table_bits = 10;   // TB
  QuantFormat format() const { return {weight_bits, weight_bits, frac_bits, table_bits}; }
};

struct ForwardOptions {
  QatOptions qat;
};

// QAT: the integer model of the current weights and two float views of its weights, made by
// qat_prepare once per batch and read by every slice's forward and backward.
struct QatWeights {
  QuantModel qm;         // quantize(w, format)
  Seq2SeqWeights qint;   // integer weights q as floats, zero biases (forward GEMMs)
  Seq2SeqWeights qeff;   // effective weights q·M/2^(S+10−F) (backward, STE)
};

// Per-layer activations of the forward pass (what the trainer's backward reads).
struct LayerCache {
  Mat h;      // [(T+1)*B, H] states (state matrix)
  Mat gates;  // [T*B, 3H] on entry to gru_forward_batch: input projection U u + b_ih; on exit r|z|n
  Mat ghn;    // [T*B, H]  W_n h + b_hn (the "hn" term under the reset gate)
  Mat pre;    // [T*B, 3H] (QAT only) pre-activations p_r|p_z|p_n (real) fed to the tables
  Mat hm;     // [(T+1)*B, H] (QAT only) the Q1.14 state the recurrence keeps (real); h then holds
              // its operand view (numerics §2), which the products and the layers above read
};

// What one forward of a batch needs; allocate once per (L, H, B, T).
struct ForwardWorkspace {
  int layers = 0, hidden = 0, batch = 0, steps = 0;
  Mat x;                       // [T*B, W] input, time-major (W: the model's input width)
  std::vector<LayerCache> enc; // [L]
  std::vector<LayerCache> dec; // [L]
  Mat y;                       // [T*B, 3] model outputs, time-major
  Mat gh;                      // [B, 3H] scratch: W_hh h + b_hh of one step

  ForwardWorkspace() = default;
  ForwardWorkspace(int layers, int hidden, int batch, int steps = kBins) {
    resize(layers, hidden, batch, steps);
  }
  void resize(int layers, int hidden, int batch, int steps = kBins);
};

// A Seq2SeqWeights of the same shapes, all zero (gradients, QAT weights).
Seq2SeqWeights zeros_like(const Seq2SeqWeights& w);
void set_zero(Seq2SeqWeights& g);

// Input projection of a whole sequence at once.
//   in    [N, I] (N = T*B) or nullptr for an identically zero input (decoder layer 0)
//   gates [N, 3H] out: in · w_ihᵀ + b_ih
void gru_input_projection(const GruLayer& w, const float* in, int n_rows, float* gates);

// One GRU layer over T steps for a batch.
//   c.gates [T*B, 3H] in: input projections; out: r|z|n
//   c.h     [(T+1)*B, H] in: rows 0..B-1 initial state; out: all states
//   c.ghn   [T*B, H] out;  gh_scratch [B, 3H]
// QAT (qm, ql non-null): w holds integer weights (zero biases), c.h / inputs hold exact
// multiples of 2^-F; every unit is updated by the rules of gru_unit_update() (numerics §5),
// all units of a step in one vectorised loop (qat_gru_units).
void gru_forward_batch(const GruLayer& w, int B, int T, LayerCache& c, float* gh_scratch,
                       const QuantModel* qm = nullptr, const QuantLayer* ql = nullptr);

// Dense(3) head over all decoder steps.
//   h [N, H] (N = T*B), y [N, 3] out: h · head_wᵀ + head_b
// QAT (qm non-null): head_w holds integer weights; y = sat16(rq(acc, M_c) + b_c) / 1024.
void head_forward(const Mat& head_w, const Vec& head_b, const float* h, int n_rows, float* y,
                  const QuantModel* qm = nullptr);

// One step of the integer GRU (numerics §5) for one sample, all H units of layer L at once: the
// arithmetic of gru_unit_update() unit by unit, as loops over the units.
//   gi [3H] in: the input partial sums a_in (r|z|n), gh [3H]: the hidden ones a_h, both as the
//     float GEMMs deliver them (integers · 2^-F, exact);  hm_prev [H]: the old Q1.14 state / 2^14
//   out: hm_next [H] new state / 2^14, h_view [H] its operand view / 2^F, pre [3H] p_r|p_z|p_n
//     / 2^10, gates [3H] r|z|n / 2^14, hn [H] / 2^10 (gates may alias gi)
void qat_gru_units(const QuantModel& qm, const QuantLayer& L, const float* gi, const float* gh,
                   const float* hm_prev, float* hm_next, float* h_view, float* pre, float* gates,
                   float* hn);

// Whole model, one batch slice of B ≤ ws.batch samples (T = ws.steps).
// x [B, T, W] sample-major (pre-processed inputs, W = w.input_width: the TPSF, then the IRF).
// Leaves outputs in ws.y (time-major, first T*B rows). qat non-null: the QAT forward with the
// weights qat_prepare made from w.
void seq2seq_forward(const Seq2SeqWeights& w, const float* x, int B, ForwardWorkspace& ws,
                     const QatWeights* qat = nullptr);
// ws.y (time-major) → out [B, T, 3] sample-major.
void outputs_sample_major(const ForwardWorkspace& ws, int B, float* out);

// QAT: quantize w (quantizer.hpp, format q.format()) into out.qm and derive the integer-valued
// weights (qint, zero biases) and the effective float weights (qeff) of the same shapes. Throws
// flimgru::Error when a row's accumulator could reach 2^24 (Σ|q| · max operand), where the float
// GEMMs would no longer be exact; never for int8 rows of up to 1,031 columns (127 · 128 · 1031 <
// 2^24: any H of a one-layer model up to 1,029, stacked layers up to H = 515), beyond that only
// for weights near their row maxima everywhere.
void qat_prepare(const Seq2SeqWeights& w, const QatOptions& q, QatWeights& out);

// Multi-threaded forward driver (threads = 0: hardware concurrency): slice k of a batch, at most
// ceil(max_batch / threads) samples, runs in workspace k (parallel.hpp). Under QAT the weights
// are quantized once per call, before the slices start, and shared by all of them.
class BatchForward {
 public:
  BatchForward(int layers, int hidden, int max_batch, int steps = kBins, int threads = 0);
  // Forward only; x [B, T, W] in (W = w.input_width), y [B, T, 3] sample-major out.
  void forward(const Seq2SeqWeights& w, const float* x, int B, float* y,
               const ForwardOptions& opts = {});
  int threads() const { return int(ws_.size()); }
  int steps() const { return steps_; }

 protected:
  // f(k, b0, nb) on slice k = [b0, b0 + nb) of a batch of B samples, slice k in workspace k.
  void run_slices(int B, const std::function<void(int k, int b0, int nb)>& f) const;
  // QAT: quantizes w into qat_ and returns it; nullptr when opts.qat is off.
  const QatWeights* prepare_qat(const Seq2SeqWeights& w, const ForwardOptions& opts);

  int layers_, hidden_, max_batch_, steps_;
  int per_slice_;                      // samples each workspace holds
  std::vector<ForwardWorkspace> ws_;   // [threads]
  QatWeights qat_;                     // QAT: the current batch's quantized weights
};

}  // namespace flimgru
