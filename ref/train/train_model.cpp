// train_model: backward-through-time of the GRU Seq2Seq, the loss, the batch trainer. See
// train_model.hpp (and batch_forward.hpp for the forward pass and the layouts).
#include "train_model.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"
#include "fixed_point.hpp"

namespace flimgru {

namespace {

using RMap = Eigen::Map<Mat>;
using CRMap = Eigen::Map<const Mat>;

inline float sigmoidf(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The activation derivatives of the QAT backward: σ'(p) and tanh'(p) at every Q5.10
// pre-activation p / 1024 (int16, index p + 32768), by the formulas σ(1 − σ) and 1 − tanh²; made
// once, they replace three transcendental functions per unit and step by three loads.
struct ActivationSlopes {
  std::vector<float> sigmoid, tanh;
  ActivationSlopes() : sigmoid(size_t(1) << 16), tanh(size_t(1) << 16) {
    for (int p = -32768; p < 32768; ++p) {
      const float x = float(p) * (1.0f / float(kQ5_10));
      const float s = sigmoidf(x), t = std::tanh(x);
      sigmoid[size_t(p + 32768)] = s * (1.0f - s);
      tanh[size_t(p + 32768)] = 1.0f - t * t;
    }
  }
};

const ActivationSlopes& activation_slopes() {
  static const ActivationSlopes slopes;
  return slopes;
}

// The table index of a stored pre-activation (pre = p / 1024 exactly, so pre · 1024 = p).
inline int slope_index(float pre) { return int(pre * float(kQ5_10)) + 32768; }

// Backward of one sample's step (all H units): fused elementwise pass, no aliasing.
//   g [3H] r|z|n, ghn [H], hp [H] previous state, ext [H] outside grad (HasExt), dhin [H] grad
//   from the next step, pre [3H] (Qat) -> dho [H] direct part of dh_prev, dg [3H] hh-gate grads,
//   dgi [H] n input grad; bias grads dbih, dbhh [3H] +=. Qat: the slopes are looked up in
//   activation_slopes() (sig, tnh).
template <bool HasExt, bool Qat>
inline void bwd_row(int H, const float* __restrict g, const float* __restrict ghn,
                    const float* __restrict hp, const float* __restrict ext,
                    const float* __restrict dhin, const float* __restrict pre,
                    const float* __restrict sig, const float* __restrict tnh,
                    float* __restrict dho, float* __restrict dg, float* __restrict dgi,
                    float* __restrict dbih, float* __restrict dbhh) {
  for (int j = 0; j < H; ++j) {
    const float r = g[j], z = g[H + j], n = g[2 * H + j];
    const float dhv = HasExt ? dhin[j] + ext[j] : dhin[j];
    const float dn = dhv * (1.0f - z);
    const float dz = dhv * (hp[j] - n);
    float dsr, dsz, dsn;  // activation derivatives
    if (!Qat) {
      dsr = r * (1.0f - r);
      dsz = z * (1.0f - z);
      dsn = 1.0f - n * n;
    } else {  // true derivatives at the quantized pre-activations (the table is STE'd)
      dsr = sig[slope_index(pre[j])];
      dsz = sig[slope_index(pre[H + j])];
      dsn = tnh[slope_index(pre[2 * H + j])];
    }
    const float dpn = dn * dsn;
    const float dpr = dpn * ghn[j] * dsr;
    const float dpz = dz * dsz;
    const float dpnh = dpn * r;
    dg[j] = dpr;
    dg[H + j] = dpz;
    dg[2 * H + j] = dpnh;
    dgi[j] = dpn;
    dbih[j] += dpr;
    dbih[H + j] += dpz;
    dbih[2 * H + j] += dpn;
    dbhh[j] += dpr;
    dbhh[H + j] += dpz;
    dbhh[2 * H + j] += dpnh;
    dho[j] = dhv * z;
  }
}

}  // namespace

void BackwardWorkspace::resize(int L, int H, int B, int T) {
  const Eigen::Index N = Eigen::Index(T) * B;
  dy.resize(N, kChannels);
  dgh.resize(N, 3 * H);
  dgin.resize(N, H);
  dseq.resize(N, H);
  dseq_below.resize(N, H);
  dh.resize(B, H);
  dh_tmp.resize(B, H);
  dh_dec0.assign(L, Mat(B, H));
}

void add_to(Seq2SeqWeights& a, const Seq2SeqWeights& b) {
  for (int p = 0; p < 2; ++p) {
    auto& A = p == 0 ? a.encoder : a.decoder;
    const auto& Bv = p == 0 ? b.encoder : b.decoder;
    for (size_t l = 0; l < A.size(); ++l) {
      A[l].w_ih += Bv[l].w_ih;
      A[l].w_hh += Bv[l].w_hh;
      A[l].b_ih += Bv[l].b_ih;
      A[l].b_hh += Bv[l].b_hh;
    }
  }
  a.head_w += b.head_w;
  a.head_b += b.head_b;
}

void gru_backward_batch(const GruLayer& w, int B, int T, const LayerCache& c, const float* dseq,
                        Mat& dh, const float* in, float* din, GruLayer& grad, float* dgh,
                        float* dgin, Mat& dh_tmp, const QatOptions& qat) {
  const int H = int(w.w_hh.cols());
  const int G = 3 * H;
  const int I = int(w.w_ih.cols());
  const size_t N = size_t(T) * B;
  float* dbih = grad.b_ih.data();
  float* dbhh = grad.b_hh.data();
  const bool q = qat.enabled;
  const float* sig = q ? activation_slopes().sigmoid.data() : nullptr;
  const float* tnh = q ? activation_slopes().tanh.data() : nullptr;
  for (int t = T - 1; t >= 0; --t) {
    const float* hprev = c.h.data() + size_t(t) * B * H;
    for (int b = 0; b < B; ++b) {
      const size_t row = size_t(t) * B + b;
      const float* g = c.gates.data() + row * G;
      const float* ghn = c.ghn.data() + row * H;
      const float* hp = hprev + size_t(b) * H;
      const float* ext = dseq ? dseq + row * H : nullptr;
      const float* dhin = dh.data() + size_t(b) * H;
      float* dho = dh_tmp.data() + size_t(b) * H;
      float* dg = dgh + row * G;
      float* dgi = dgin + row * H;
      const float* pre = q ? c.pre.data() + row * G : nullptr;
      if (q) {
        if (ext) bwd_row<true, true>(H, g, ghn, hp, ext, dhin, pre, sig, tnh, dho, dg, dgi, dbih, dbhh);
        else bwd_row<false, true>(H, g, ghn, hp, ext, dhin, pre, sig, tnh, dho, dg, dgi, dbih, dbhh);
      } else {
        if (ext) bwd_row<true, false>(H, g, ghn, hp, ext, dhin, pre, sig, tnh, dho, dg, dgi, dbih, dbhh);
        else bwd_row<false, false>(H, g, ghn, hp, ext, dhin, pre, sig, tnh, dho, dg, dgi, dbih, dbhh);
      }
    }
    RMap(dh_tmp.data(), B, H).noalias() += CRMap(dgh + size_t(t) * B * G, B, G) * w.w_hh;
    dh.swap(dh_tmp);
  }
  CRMap DGH(dgh, N, G);
  CRMap DGIN(dgin, N, H);
  grad.w_hh.noalias() += DGH.transpose() * CRMap(c.h.data(), N, H);
  if (in != nullptr) {
    if (I == 1) {
      Eigen::Map<const Eigen::VectorXf> u(in, N);
      grad.w_ih.col(0).head(2 * H).noalias() += DGH.leftCols(2 * H).transpose() * u;
      grad.w_ih.col(0).tail(H).noalias() += DGIN.transpose() * u;
    } else {
      CRMap U(in, N, I);
      grad.w_ih.topRows(2 * H).noalias() += DGH.leftCols(2 * H).transpose() * U;
      grad.w_ih.bottomRows(H).noalias() += DGIN.transpose() * U;
    }
  }
  if (din != nullptr) {
    RMap D(din, N, I);
    D.noalias() = DGH.leftCols(2 * H) * w.w_ih.topRows(2 * H);
    D.noalias() += DGIN * w.w_ih.bottomRows(H);
  }
}

// dy [N, 3], dh [N, H] out, grad_w [3, H] +=, grad_b [3] +=
void head_backward(const Mat& head_w, const float* h, const float* dy, int n_rows, float* dh,
                   Mat& grad_w, Vec& grad_b) {
  const int H = int(head_w.cols());
  CRMap DY(dy, n_rows, kChannels);
  RMap(dh, n_rows, H).noalias() = DY * head_w;
  grad_w.noalias() += DY.transpose() * CRMap(h, n_rows, H);
  float s[kChannels] = {0, 0, 0};
  for (int i = 0; i < n_rows; ++i)
    for (int c = 0; c < kChannels; ++c) s[c] += dy[size_t(i) * kChannels + c];
  for (int c = 0; c < kChannels; ++c) grad_b[c] += s[c];
}

namespace {

// y element (b, t, c) at y[b·sb + t·st + c]; target, teacher [B, T, 3] sample-major.
double sfd_loss_sum(const float* y, size_t sb, size_t st, const float* target, const float* teacher,
                    const LossSpec& loss, int B, int T) {
  const double alpha = loss.alpha, lam_t = double(loss.lifetime) * T, mu_t = double(loss.moment) * T;
  double acc = 0.0;
  for (int b = 0; b < B; ++b) {
    const float* yb = y + size_t(b) * sb;
    const float* refs[2] = {target + size_t(b) * T * kChannels,
                            alpha != 0.0 ? teacher + size_t(b) * T * kChannels : nullptr};
    const double mix[2] = {1.0 - alpha, alpha};
    for (int r = 0; r < 2; ++r) {
      if (!refs[r]) continue;
      for (int c = 0; c < kChannels; ++c) {
        double sq = 0.0, dsum = 0.0, dmom = 0.0;
        for (int t = 0; t < T; ++t) {
          const double d = double(yb[size_t(t) * st + c]) - refs[r][size_t(t) * kChannels + c];
          sq += d * d;
          dsum += d;
          dmom += d * t;
        }
        if (lam_t != 0.0) {
          const double da = dsum / T, d0 = double(yb[c]) - refs[r][c];
          sq += lam_t * (da * da + d0 * d0);
        }
        if (mu_t != 0.0) {
          const double dm = dmom / (double(T) * T);
          sq += mu_t * dm * dm;
        }
        acc += mix[r] * loss.channel[c] * sq;
      }
    }
  }
  return acc;
}

}  // namespace

double sfd_loss_forward(const float* y, const float* target, const float* teacher,
                        const LossSpec& loss, int B, int T, double inv_count) {
  return inv_count * sfd_loss_sum(y, kChannels, size_t(B) * kChannels, target, teacher, loss, B, T);
}

double sfd_loss_forward_sample_major(const float* y, const float* target, const float* teacher,
                                     const LossSpec& loss, int B, int T, double inv_count) {
  return inv_count * sfd_loss_sum(y, size_t(T) * kChannels, kChannels, target, teacher, loss, B, T);
}

void sfd_loss_backward(const float* y, const float* target, const float* teacher,
                       const LossSpec& loss, int B, int T, double inv_count, float* dy) {
  const double alpha = loss.alpha;
  float k1[kChannels], k2[kChannels];
  for (int c = 0; c < kChannels; ++c) {
    const double wc = 2.0 * inv_count * loss.channel[c];
    k1[c] = float(wc * (1.0 - alpha));
    k2[c] = float(wc * alpha);
  }
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const size_t iy = (size_t(t) * B + b) * kChannels;
      const size_t it = (size_t(b) * T + t) * kChannels;
      for (int c = 0; c < kChannels; ++c) {
        if (alpha == 0.0) {
          dy[iy + c] = k1[c] * (y[iy + c] - target[it + c]);
        } else {
          dy[iy + c] = k1[c] * (y[iy + c] - target[it + c]) + k2[c] * (y[iy + c] - teacher[it + c]);
        }
      }
    }
  }
  // λ·T·(Ā(y) − Ā(r))² adds 2λ·(Ā(y) − Ā(r)) to every bin, λ·T·(y(0) − r(0))² adds
  // 2λT·(y(0) − r(0)) to the first, μ·T·(M̄(y) − M̄(r))² adds 2μ·(M̄(y) − M̄(r))·t/T to bin t
  // (k1, k2 hold the 2·inv·w_c·mix factors).
  if (loss.lifetime == 0.0f && loss.moment == 0.0f) return;
  const float lam = loss.lifetime, lam_t = lam * float(T), mu = loss.moment;
  for (int b = 0; b < B; ++b) {
    for (int c = 0; c < kChannels; ++c) {
      double da = 0.0, dt = 0.0, ma = 0.0, mt = 0.0;
      for (int t = 0; t < T; ++t) {
        const size_t iy = (size_t(t) * B + b) * kChannels + c, it = (size_t(b) * T + t) * kChannels + c;
        const double e = double(y[iy]) - target[it], f = alpha != 0.0 ? double(y[iy]) - teacher[it] : 0.0;
        da += e;
        dt += f;
        ma += e * t;
        mt += f * t;
      }
      const float g_area = lam * float((k1[c] * da + k2[c] * dt) / T);
      const double g_mom = mu * (k1[c] * ma + k2[c] * mt) / (double(T) * T * T);
      for (int t = 0; t < T; ++t) dy[(size_t(t) * B + b) * kChannels + c] += g_area + float(g_mom * t);
      if (lam == 0.0f) continue;
      const size_t i0 = size_t(b) * kChannels + c, j0 = size_t(b) * T * kChannels + c;
      const float d0 = y[i0] - target[j0], e0 = alpha != 0.0 ? y[i0] - teacher[j0] : 0.0f;
      dy[i0] += lam_t * (k1[c] * d0 + k2[c] * e0);
    }
  }
}

void seq2seq_backward(const Seq2SeqWeights& w0, int B, const ForwardWorkspace& fw,
                      BackwardWorkspace& bw, Seq2SeqWeights& grad, const QatWeights* qat) {
  QatOptions q;
  q.enabled = qat != nullptr;
  const Seq2SeqWeights& w = qat ? qat->qeff : w0;
  const int L = w.layers, H = w.hidden, T = fw.steps;
  const int N = T * B;
  head_backward(w.head_w, fw.dec[L - 1].h.data() + size_t(B) * H, bw.dy.data(), N,
                bw.dseq.data(), grad.head_w, grad.head_b);
  for (int l = L - 1; l >= 0; --l) {
    RMap(bw.dh.data(), B, H).setZero();
    const float* in = l == 0 ? nullptr : fw.dec[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : bw.dseq_below.data();
    gru_backward_batch(w.decoder[l], B, T, fw.dec[l], bw.dseq.data(), bw.dh, in, din,
                       grad.decoder[l], bw.dgh.data(), bw.dgin.data(), bw.dh_tmp, q);
    std::copy(bw.dh.data(), bw.dh.data() + size_t(B) * H, bw.dh_dec0[l].data());
    bw.dseq.swap(bw.dseq_below);
  }
  for (int l = L - 1; l >= 0; --l) {
    std::copy(bw.dh_dec0[l].data(), bw.dh_dec0[l].data() + size_t(B) * H, bw.dh.data());
    const float* dseq = l == L - 1 ? nullptr : bw.dseq.data();
    const float* in = l == 0 ? fw.x.data() : fw.enc[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : bw.dseq_below.data();
    gru_backward_batch(w.encoder[l], B, T, fw.enc[l], dseq, bw.dh, in, din, grad.encoder[l],
                       bw.dgh.data(), bw.dgin.data(), bw.dh_tmp, q);
    bw.dseq.swap(bw.dseq_below);
  }
}

// ---------------------------------------------------------------------------------------------

BatchTrainer::BatchTrainer(int layers, int hidden, int max_batch, int steps, int threads)
    : BatchForward(layers, hidden, max_batch, steps, threads) {
  bw_.resize(ws_.size());
  for (auto& bw : bw_) bw.resize(layers, hidden, per_slice_, steps);
  losses_.assign(ws_.size(), 0.0);
}

double BatchTrainer::loss_and_grad(const Seq2SeqWeights& w, const float* x, const float* target,
                                   const float* teacher, const LossSpec& loss, int B,
                                   Seq2SeqWeights& grad, const ForwardOptions& opts) {
  if (B > max_batch_) throw Error("BatchTrainer: batch larger than max_batch");
  if (w.layers != layers_ || w.hidden != hidden_) throw Error("BatchTrainer: model shape");
  const int nt = threads();
  if (int(grads_.size()) != nt || grads_[0].hidden != w.hidden ||
      grads_[0].input_width != w.input_width)
    grads_.assign(nt, zeros_like(w));
  const int T = steps_;
  const size_t TW = size_t(T) * w.input_width;
  const double inv = 1.0 / (double(B) * T * kChannels);
  std::fill(losses_.begin(), losses_.end(), 0.0);
  std::vector<int> used(nt, 0);
  const QatWeights* qat = prepare_qat(w, opts);
  run_slices(B, [&](int k, int b0, int nb) {
    ForwardWorkspace& fw = ws_[k];
    BackwardWorkspace& bw = bw_[k];
    Seq2SeqWeights& g = grads_[k];
    set_zero(g);
    used[k] = 1;
    seq2seq_forward(w, x + size_t(b0) * TW, nb, fw, qat);
    const float* tg = target + size_t(b0) * T * kChannels;
    const float* te = teacher ? teacher + size_t(b0) * T * kChannels : nullptr;
    losses_[k] = sfd_loss_forward(fw.y.data(), tg, te, loss, nb, T, inv);
    sfd_loss_backward(fw.y.data(), tg, te, loss, nb, T, inv, bw.dy.data());
    seq2seq_backward(w, nb, fw, bw, g, qat);
  });
  if (grad.hidden != w.hidden || grad.layers != w.layers || grad.input_width != w.input_width ||
      grad.encoder.empty())
    grad = zeros_like(w);
  set_zero(grad);
  double total = 0.0;
  for (int k = 0; k < nt; ++k) {
    if (!used[k]) continue;
    add_to(grad, grads_[k]);
    total += losses_[k];
  }
  return total;
}

}  // namespace flimgru
