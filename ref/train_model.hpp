// train_model: batched forward and backward-through-time of the GRU Seq2Seq (llm.c style).
//
// Layout conventions (all float32, row-major, TIME-MAJOR inside the workspace):
//   B = batch, T = steps (kBins = 135 by default), H = hidden, L = layers, G = 3H (gates r, z, n).
//   A "sequence matrix" [T*B, C] holds step t of sample b in row t*B + b.
//   A "state matrix"    [(T+1)*B, H] holds the initial state in rows 0..B-1 and the state after
//                       step t (t = 0..T-1) in rows (t+1)*B .. (t+2)*B-1.
// External (sample-major) layouts: inputs x [B, T], targets / teacher outputs / y [B, T, 3].
//
// The plain functions below do one thing each; seq2seq_forward / seq2seq_backward chain them.
// BatchTrainer splits a batch over threads (separate workspaces and gradient buffers, summed in
// a fixed order at the end, so results are deterministic for a given thread count).
//
// QAT: with ForwardOptions::qat.enabled the forward pass is the integer model of
// docs/numerics.md (bit-exact with run_int_model for int8: per-row int8 weights with the global
// requantization shift, Q5.10 biases and pre-activations, 1024-entry σ/tanh tables, Q0.7 state);
// backward is straight-through (effective weights, true σ/tanh derivatives at the quantized
// pre-activations). With qat off the model is the plain float GRU.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "checkpoint.hpp"
#include "int_model.hpp"
#include "tpsf.hpp"

namespace flimgru {

// Fake-quantization options (QAT). With `enabled`, the forward pass IS the integer model of
// docs/numerics.md (the weights are quantized by quantize() at every forward, then every gate,
// state and output value is computed by the integer rules of §5–§7 and stored as its real
// value); backward is straight through the roundings, uses the effective float weights
// q·M/2^(S+10−F) and the true derivatives of σ / tanh at the quantized pre-activations.
// Bit-exact with run_int_model for the int8 format (all accumulators < 2^24, exact in float).
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

// Per-layer activations kept for backward.
struct LayerCache {
  Mat h;      // [(T+1)*B, H] states (state matrix)
  Mat gates;  // [T*B, 3H] on entry to gru_forward_batch: input projection U u + b_ih; on exit r|z|n
  Mat ghn;    // [T*B, H]  W_n h + b_hn (the "hn" term under the reset gate)
  Mat pre;    // [T*B, 3H] (QAT only) pre-activations p_r|p_z|p_n (real) fed to the tables
  Mat hm;     // [(T+1)*B, H] (QAT only) the Q1.14 state the recurrence keeps (real); h then holds
              // its operand view (numerics §2), which the products and the layers above read
};

// Everything one forward+backward of a batch needs; allocate once per (L, H, B, T).
struct TrainWorkspace {
  int layers = 0, hidden = 0, batch = 0, steps = 0;
  Mat x;                       // [T*B, W] input, time-major (W: the model's input width)
  std::vector<LayerCache> enc; // [L]
  std::vector<LayerCache> dec; // [L]
  Mat y;                       // [T*B, 3] model outputs, time-major
  Mat dy;                      // [T*B, 3] dLoss/dy
  Mat gh;                      // [B, 3H] scratch: W_hh h + b_hh of one step
  Mat dgh;                     // [T*B, 3H] per-step grads of the hh pre-activations (r|z|r⊙dn)
  Mat dgin;                    // [T*B, H]  per-step grads of the n input pre-activation
  Mat dseq;                    // [T*B, H]  grad w.r.t. a layer's outputs h[1..T] (from above)
  Mat dseq_below;              // [T*B, H]  grad w.r.t. the layer below's outputs
  Mat dh;                      // [B, H]    running grad w.r.t. the current state
  Mat dh_tmp;                  // [B, H]
  std::vector<Mat> dh_dec0;    // [L] of [B, H]: grad w.r.t. decoder initial states
  QuantModel qm;               // QAT: the integer model of the current weights
  Seq2SeqWeights qint;         // QAT: integer weights q as floats, zero biases (forward GEMMs)
  Seq2SeqWeights qeff;         // QAT: effective weights q·M/2^(S+10−F) (backward, STE)

  TrainWorkspace() = default;
  TrainWorkspace(int layers, int hidden, int batch, int steps = kBins) {
    resize(layers, hidden, batch, steps);
  }
  void resize(int layers, int hidden, int batch, int steps = kBins);
};

// Gradients: a Seq2SeqWeights of the same shapes, all zero.
Seq2SeqWeights zeros_like(const Seq2SeqWeights& w);
void set_zero(Seq2SeqWeights& g);
// a += b, tensor by tensor (shapes must match).
void add_to(Seq2SeqWeights& a, const Seq2SeqWeights& b);

// Input projection of a whole sequence at once.
//   in    [N, I] (N = T*B) or nullptr for an identically zero input (decoder layer 0)
//   gates [N, 3H] out: in · w_ihᵀ + b_ih
void gru_input_projection(const GruLayer& w, const float* in, int n_rows, float* gates);

// One GRU layer over T steps for a batch.
//   c.gates [T*B, 3H] in: input projections; out: r|z|n
//   c.h     [(T+1)*B, H] in: rows 0..B-1 initial state; out: all states
//   c.ghn   [T*B, H] out;  gh_scratch [B, 3H]
// QAT (qm, ql non-null): w holds integer weights (zero biases), c.h / inputs hold exact
// multiples of 2^-F; every unit is updated by gru_unit_update() of the integer model.
void gru_forward_batch(const GruLayer& w, int B, int T, LayerCache& c, float* gh_scratch,
                       const QuantModel* qm = nullptr, const QuantLayer* ql = nullptr);

// Backward of one GRU layer (accumulates into grad, += semantics).
//   dseq    [T*B, H] in: dL/dh[t+1] from outside the recurrence (head or layer above); may be null
//   dh      [B, H] in: extra dL/dh[T] (e.g. from the decoder); out: dL/dh[0] (initial state)
//   in      [T*B, I] the layer input (nullptr: identically zero input, then w_ih gets no grad)
//   din     [T*B, I] out: dL/d(in) (nullptr: not needed)
//   dgh [T*B, 3H], dgin [T*B, H], dh_tmp [B, H]: scratch
//   qat.enabled: activation derivatives from c.pre (true σ'/tanh' at the quantized inputs)
void gru_backward_batch(const GruLayer& w, int B, int T, const LayerCache& c, const float* dseq,
                        Mat& dh, const float* in, float* din, GruLayer& grad, float* dgh,
                        float* dgin, Mat& dh_tmp, const QatOptions& qat = {});

// Dense(3) head over all decoder steps.
//   h [N, H] (N = T*B), y [N, 3] out: h · head_wᵀ + head_b
// QAT (qm non-null): head_w holds integer weights; y = sat16(rq(acc, M_c) + b_c) / 1024.
void head_forward(const Mat& head_w, const Vec& head_b, const float* h, int n_rows, float* y,
                  const QuantModel* qm = nullptr);
//   dy [N, 3] in; dh [N, H] out (overwritten); grad_w [3, H] +=, grad_b [3] +=
void head_backward(const Mat& head_w, const float* h, const float* dy, int n_rows, float* dh,
                   Mat& grad_w, Vec& grad_b);

// The training loss: knowledge-distillation weight α and one weight per SFD channel
// (whole decay, τ1 part, τ2 part). The default is the plain MSE over all three channels.
struct LossSpec {
  float alpha = 0.0f;                                  // KD weight on the teacher's outputs
  std::array<float, kChannels> channel{1.0f, 1.0f, 1.0f};
  float lifetime = 0.0f;                               // λ of the lifetime term (0: plain MSE)
};

// Loss of one sample against a reference r (the target, or the teacher's output), per channel c:
//   e_c(y, r) = Σ_t (y_c(t) − r_c(t))²  +  λ·T·[ (Ā_c(y) − Ā_c(r))² + (y_c(0) − r_c(0))² ]
// with Ā_c the channel's mean over the T bins. The λ term weighs the two quantities each lifetime
// is computed from (τ_c = area / first bin, docs/numerics.md) beyond their share of the MSE.
// Loss summed (not averaged) over this batch slice and scaled by inv_count
// (= 1 / (total samples · T · 3), so slices add up to the batch mean):
//   loss = inv_count · Σ_{b,c} w_c [(1−α)·e_c(y, target) + α·e_c(y, teacher)]   (α = 0: teacher not read)
//   y [T*B, 3] time-major;  target, teacher [B, T, 3] sample-major (teacher may be null if α = 0)
double sfd_loss_forward(const float* y, const float* target, const float* teacher,
                        const LossSpec& loss, int B, int T, double inv_count);
// The same for y [B, T, 3] sample-major (validation).
double sfd_loss_forward_sample_major(const float* y, const float* target, const float* teacher,
                                     const LossSpec& loss, int B, int T, double inv_count);
//   dy [T*B, 3] out: dloss/dy
void sfd_loss_backward(const float* y, const float* target, const float* teacher,
                       const LossSpec& loss, int B, int T, double inv_count, float* dy);

// Whole model, one batch slice of B ≤ ws.batch samples (T = ws.steps).
// x [B, T, W] sample-major (pre-processed inputs, W = w.input_width: the TPSF, then the IRF). Leaves outputs in ws.y (time-major, first T*B
// rows). With opts.qat.enabled, quantizes the weights into ws.qm / ws.qint / ws.qeff first.
void seq2seq_forward(const Seq2SeqWeights& w, const float* x, int B, TrainWorkspace& ws,
                     const ForwardOptions& opts = {});
// Needs the forward of the same B and ws.dy filled; accumulates (+=) into grad.
// Weight gradients are straight-through under QAT.
void seq2seq_backward(const Seq2SeqWeights& w, int B, TrainWorkspace& ws, Seq2SeqWeights& grad,
                      const ForwardOptions& opts = {});
// ws.y (time-major) → out [B, T, 3] sample-major.
void outputs_sample_major(const TrainWorkspace& ws, int B, float* out);

// QAT: quantize w (quantizer.hpp, format q.format()) into qm and derive the integer-valued
// weights (qint, zero biases) and the effective float weights (qeff) of the same shapes.
void qat_prepare(const Seq2SeqWeights& w, const QatOptions& q, QuantModel& qm,
                 Seq2SeqWeights& qint, Seq2SeqWeights& qeff);

// Multi-threaded batch driver: loss + gradients of a batch (threads = 0: hardware concurrency).
class BatchTrainer {
 public:
  BatchTrainer(int layers, int hidden, int max_batch, int steps = kBins, int threads = 0);
  // x [B, T, W] (W = w.input_width), target [B, T, 3], teacher [B, T, 3] or null; grad
  // overwritten (not accumulated).
  // Returns the batch loss (mean over B·T·3 of the weighted, KD-mixed squared error).
  double loss_and_grad(const Seq2SeqWeights& w, const float* x, const float* target,
                       const float* teacher, const LossSpec& loss, int B, Seq2SeqWeights& grad,
                       const ForwardOptions& opts = {});
  // Forward only (x [B, T, W]); y [B, T, 3] sample-major out.
  void forward(const Seq2SeqWeights& w, const float* x, int B, float* y,
               const ForwardOptions& opts = {});
  int threads() const { return int(ws_.size()); }
  int steps() const { return steps_; }

 private:
  int layers_, hidden_, max_batch_, steps_;
  std::vector<TrainWorkspace> ws_;
  std::vector<Seq2SeqWeights> grads_;
  std::vector<double> losses_;
};

}  // namespace flimgru
