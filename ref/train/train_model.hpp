// train_model: backward-through-time of the GRU Seq2Seq (llm.c style), the training loss, and
// BatchTrainer, the multi-threaded loss + gradient of a batch. The forward pass, its workspace
// and the layouts (time-major sequence and state matrices) are in batch_forward.hpp.
//
// BatchTrainer splits a batch over threads (separate workspaces and gradient buffers, summed in
// a fixed order at the end, so results are deterministic for a given thread count); under QAT
// it quantizes the weights once per batch, before the threads start.
//
// QAT (ForwardOptions::qat.enabled): the forward pass is the integer model; backward is
// straight-through (effective weights, true σ/tanh derivatives at the quantized
// pre-activations).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "batch_forward.hpp"
#include "tpsf.hpp"
#include "weights.hpp"

namespace flimgru {

// The backward buffers of one batch slice (the forward ones are its ForwardWorkspace);
// allocate once per (L, H, B, T).
struct BackwardWorkspace {
  Mat dy;                      // [T*B, 3] dLoss/dy
  Mat dgh;                     // [T*B, 3H] per-step grads of the hh pre-activations (r|z|r⊙dn)
  Mat dgin;                    // [T*B, H]  per-step grads of the n input pre-activation
  Mat dseq;                    // [T*B, H]  grad w.r.t. a layer's outputs h[1..T] (from above)
  Mat dseq_below;              // [T*B, H]  grad w.r.t. the layer below's outputs
  Mat dh;                      // [B, H]    running grad w.r.t. the current state
  Mat dh_tmp;                  // [B, H]
  std::vector<Mat> dh_dec0;    // [L] of [B, H]: grad w.r.t. decoder initial states

  void resize(int layers, int hidden, int batch, int steps = kBins);
};

// a += b, tensor by tensor (shapes must match).
void add_to(Seq2SeqWeights& a, const Seq2SeqWeights& b);

// Backward of one GRU layer (accumulates into grad, += semantics).
//   dseq    [T*B, H] in: dL/dh[t+1] from outside the recurrence (head or layer above); may be null
//   dh      [B, H] in: extra dL/dh[T] (e.g. from the decoder); out: dL/dh[0] (initial state)
//   in      [T*B, I] the layer input (nullptr: identically zero input, then w_ih gets no grad)
//   din     [T*B, I] out: dL/d(in) (nullptr: not needed)
//   dgh [T*B, 3H], dgin [T*B, H], dh_tmp [B, H]: scratch
//   qat.enabled: activation derivatives at c.pre (true σ'/tanh' at the quantized pre-activations,
//   looked up per Q5.10 value)
void gru_backward_batch(const GruLayer& w, int B, int T, const LayerCache& c, const float* dseq,
                        Mat& dh, const float* in, float* din, GruLayer& grad, float* dgh,
                        float* dgin, Mat& dh_tmp, const QatOptions& qat = {});

// Backward of the Dense(3) head (head_forward, batch_forward.hpp) over N = T*B rows.
//   dy [N, 3] in; dh [N, H] out (overwritten); grad_w [3, H] +=, grad_b [3] +=
void head_backward(const Mat& head_w, const float* h, const float* dy, int n_rows, float* dh,
                   Mat& grad_w, Vec& grad_b);

// The training loss: knowledge-distillation weight α and one weight per SFD channel
// (whole decay, τ1 part, τ2 part). The default is the plain MSE over all three channels.
struct LossSpec {
  float alpha = 0.0f;                                  // KD weight on the teacher's outputs
  std::array<float, kChannels> channel{1.0f, 1.0f, 1.0f};
  float lifetime = 0.0f;                               // λ of the lifetime term (0: plain MSE)
  float moment = 0.0f;                                 // μ of the first-moment term (0: none)
};

// Loss of one sample against a reference r (the target, or the teacher's output), per channel c:
//   e_c(y, r) = Σ_t (y_c(t) − r_c(t))²  +  λ·T·[ (Ā_c(y) − Ā_c(r))² + (y_c(0) − r_c(0))² ]
//                                      +  μ·T·(M̄_c(y) − M̄_c(r))²
// with Ā_c the channel's mean over the T bins and M̄_c = Σ_t (t/T)·y_c(t) / T its first moment.
// The λ term weighs the two quantities each component lifetime is computed from (τ_c = area /
// first bin, docs/numerics.md) beyond their share of the MSE; the μ term the one τI is computed
// from (the whole decay's first moment, docs/numerics.md §7a).
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

// Needs the forward of the same B in fw (seq2seq_forward, with the same qat) and bw.dy filled;
// accumulates (+=) into grad.
// qat non-null: straight-through weight gradients through the effective weights qat->qeff.
void seq2seq_backward(const Seq2SeqWeights& w, int B, const ForwardWorkspace& fw,
                      BackwardWorkspace& bw, Seq2SeqWeights& grad, const QatWeights* qat = nullptr);

// Multi-threaded batch driver: loss + gradients of a batch (threads = 0: hardware concurrency);
// forward() (BatchForward) runs the forward pass alone in the same workspaces.
class BatchTrainer : public BatchForward {
 public:
  BatchTrainer(int layers, int hidden, int max_batch, int steps = kBins, int threads = 0);
  // x [B, T, W] (W = w.input_width), target [B, T, 3], teacher [B, T, 3] or null; grad
  // overwritten (not accumulated).
  // Returns the batch loss (mean over B·T·3 of the weighted, KD-mixed squared error).
  double loss_and_grad(const Seq2SeqWeights& w, const float* x, const float* target,
                       const float* teacher, const LossSpec& loss, int B, Seq2SeqWeights& grad,
                       const ForwardOptions& opts = {});

 private:
  std::vector<BackwardWorkspace> bw_;  // [threads], beside BatchForward's ws_
  std::vector<Seq2SeqWeights> grads_;
  std::vector<double> losses_;
};

}  // namespace flimgru
