// train_model: batched forward / BPTT of the GRU Seq2Seq. See train_model.hpp for layouts.
#include "train_model.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "error.hpp"
#include "parallel.hpp"
#include "quantizer.hpp"

namespace flimgru {

namespace {

using RMap = Eigen::Map<Mat>;
using CRMap = Eigen::Map<const Mat>;
using AMap = Eigen::Map<Eigen::ArrayXf>;
using CAMap = Eigen::Map<const Eigen::ArrayXf>;

inline float sigmoidf(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Backward of one sample's step (all H units): fused elementwise pass, no aliasing.
//   g [3H] r|z|n, ghn [H], hp [H] previous state, ext [H] outside grad (HasExt), dhin [H] grad
//   from the next step, pre [3H] (Qat) -> dho [H] direct part of dh_prev, dg [3H] hh-gate grads,
//   dgi [H] n input grad; bias grads dbih, dbhh [3H] +=.
template <bool HasExt, bool Qat>
inline void bwd_row(int H, const float* __restrict g, const float* __restrict ghn,
                    const float* __restrict hp, const float* __restrict ext,
                    const float* __restrict dhin, const float* __restrict pre,
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
      const float sr = sigmoidf(pre[j]), sz = sigmoidf(pre[H + j]);
      const float tn = std::tanh(pre[2 * H + j]);
      dsr = sr * (1.0f - sr);
      dsz = sz * (1.0f - sz);
      dsn = 1.0f - tn * tn;
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

void TrainWorkspace::resize(int L, int H, int B, int T) {
  layers = L;
  hidden = H;
  batch = B;
  steps = T;
  const Eigen::Index N = Eigen::Index(T) * B;
  x.resize(N, 1);
  enc.resize(L);
  dec.resize(L);
  for (auto* part : {&enc, &dec}) {
    for (auto& c : *part) {
      c.h.resize(N + B, H);
      c.gates.resize(N, 3 * H);
      c.ghn.resize(N, H);
      c.pre.resize(0, 0);
    }
  }
  y.resize(N, kChannels);
  dy.resize(N, kChannels);
  gh.resize(B, 3 * H);
  dgh.resize(N, 3 * H);
  dgin.resize(N, H);
  dseq.resize(N, H);
  dseq_below.resize(N, H);
  dh.resize(B, H);
  dh_tmp.resize(B, H);
  dh_dec0.assign(L, Mat(B, H));
}

Seq2SeqWeights zeros_like(const Seq2SeqWeights& w) {
  Seq2SeqWeights g;
  g.layers = w.layers;
  g.hidden = w.hidden;
  g.input_width = w.input_width;
  g.encoder = w.encoder;
  g.decoder = w.decoder;
  g.head_w = w.head_w;
  g.head_b = w.head_b;
  set_zero(g);
  return g;
}

void set_zero(Seq2SeqWeights& g) {
  for (auto* part : {&g.encoder, &g.decoder}) {
    for (auto& l : *part) {
      l.w_ih.setZero();
      l.w_hh.setZero();
      l.b_ih.setZero();
      l.b_hh.setZero();
    }
  }
  g.head_w.setZero();
  g.head_b.setZero();
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

// in [N, I] or null, gates [N, 3H]
void gru_input_projection(const GruLayer& w, const float* in, int n_rows, float* gates) {
  const int G = int(w.w_hh.rows());
  const int I = int(w.w_ih.cols());
  RMap Gm(gates, n_rows, G);
  if (in == nullptr) {
    Gm.rowwise() = w.b_ih.transpose();
  } else if (I == 1) {
    Eigen::Map<const Eigen::VectorXf> u(in, n_rows);
    Gm.noalias() = u * w.w_ih.col(0).transpose();
    Gm.rowwise() += w.b_ih.transpose();
  } else {
    CRMap U(in, n_rows, I);
    Gm.noalias() = U * w.w_ih.transpose();
    Gm.rowwise() += w.b_ih.transpose();
  }
}

// gates [T*B, 3H] (in: gi, out: r|z|n), h [(T+1)*B, H], ghn [T*B, H], gh [B, 3H] scratch
void gru_forward_batch(const GruLayer& w, int B, int T, LayerCache& c, float* gh,
                       const QuantModel* qm, const QuantLayer* ql) {
  const int H = int(w.w_hh.cols());
  const int G = 3 * H;
  const float* bhh = w.b_hh.data();
  CAMap bhr(bhh, H), bhz(bhh + H, H), bhn(bhh + 2 * H, H);
  const bool q = qm != nullptr && ql != nullptr;
  if (q && (c.pre.rows() < c.gates.rows() || c.pre.cols() != G)) c.pre.resize(c.gates.rows(), G);
  if (q && c.hm.rows() != c.h.rows()) c.hm.resize(c.h.rows(), H);
  const double sF = q ? std::ldexp(1.0, qm->fmt.frac_bits) : 1.0;
  const float inv_sF = float(1.0 / sF), k10 = 1.0f / 1024.0f, k14 = 1.0f / 16384.0f;
  for (int t = 0; t < T; ++t) {
    const float* hprev = c.h.data() + size_t(t) * B * H;
    float* hnext = c.h.data() + size_t(t + 1) * B * H;
    RMap GH(gh, B, G);
    GH.noalias() = CRMap(hprev, B, H) * w.w_hh.transpose();
    for (int b = 0; b < B; ++b) {
      const size_t row = size_t(t) * B + b;
      float* g = c.gates.data() + row * G;
      const float* a = gh + size_t(b) * G;
      float* hn_out = c.ghn.data() + row * H;
      const float* hp = hprev + size_t(b) * H;
      float* hx = hnext + size_t(b) * H;
      if (!q) {
        AMap gr(g, H), gz(g + H, H), gn(g + 2 * H, H), hn(hn_out, H), hnew(hx, H);
        CAMap ar(a, H), az(a + H, H), an(a + 2 * H, H), hpa(hp, H);
        gr = (gr + ar + bhr).logistic();
        gz = (gz + az + bhz).logistic();
        hn = an + bhn;
        gn = (gn + gr * hn).tanh();
        hnew = gn + gz * (hpa - gn);
      } else {
        // The integer model (numerics §5): GEMMs over integer weights and operands scaled by
        // 2^-F are exact, so acc = 2^F · (float sum) recovers the integer partial sums.
        float* pre = c.pre.data() + row * G;
        const float* hm_prev = c.hm.data() + (size_t(t) * B + b) * H;
        float* hm_next = c.hm.data() + (size_t(t + 1) * B + b) * H;
        for (int j = 0; j < H; ++j) {
          GateSums s;
          s.in_r = std::llround(double(g[j]) * sF);
          s.h_r = std::llround(double(a[j]) * sF);
          s.in_z = std::llround(double(g[H + j]) * sF);
          s.h_z = std::llround(double(a[H + j]) * sF);
          s.in_n = std::llround(double(g[2 * H + j]) * sF);
          s.h_n = std::llround(double(a[2 * H + j]) * sF);
          const int32_t h_old = int32_t(std::llround(double(hm_prev[j]) * 16384.0));
          const UnitResult u = gru_unit_update(*qm, *ql, j, s, h_old);
          hm_next[j] = float(u.h) * k14;
          pre[j] = float(u.p_r) * k10;
          pre[H + j] = float(u.p_z) * k10;
          pre[2 * H + j] = float(u.p_n) * k10;
          g[j] = float(u.r) * k14;
          g[H + j] = float(u.z) * k14;
          g[2 * H + j] = float(u.n) * k14;
          hn_out[j] = float(u.hn) * k10;
          hx[j] = float(state_view(*qm, u.h)) * inv_sF;
        }
      }
    }
  }
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
        if (ext) bwd_row<true, true>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
        else bwd_row<false, true>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
      } else {
        if (ext) bwd_row<true, false>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
        else bwd_row<false, false>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
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

// h [N, H], y [N, 3]
void head_forward(const Mat& head_w, const Vec& head_b, const float* h, int n_rows, float* y,
                  const QuantModel* qm) {
  const int H = int(head_w.cols());
  RMap Y(y, n_rows, kChannels);
  Y.noalias() = CRMap(h, n_rows, H) * head_w.transpose();
  if (qm == nullptr) {
    Y.rowwise() += head_b.transpose();
  } else {
    const double sF = std::ldexp(1.0, qm->fmt.frac_bits);
    for (int i = 0; i < n_rows; ++i)
      for (int c = 0; c < kChannels; ++c) {
        const int64_t acc = std::llround(double(Y(i, c)) * sF);
        Y(i, c) = float(sat(requantize(acc, qm->head_m[c], qm->rq_shift) + qm->head_b[c], 16)) /
                  1024.0f;
      }
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
  const double alpha = loss.alpha, lam_t = double(loss.lifetime) * T;
  double acc = 0.0;
  for (int b = 0; b < B; ++b) {
    const float* yb = y + size_t(b) * sb;
    const float* refs[2] = {target + size_t(b) * T * kChannels,
                            alpha != 0.0 ? teacher + size_t(b) * T * kChannels : nullptr};
    const double mix[2] = {1.0 - alpha, alpha};
    for (int r = 0; r < 2; ++r) {
      if (!refs[r]) continue;
      for (int c = 0; c < kChannels; ++c) {
        double sq = 0.0, dsum = 0.0;
        for (int t = 0; t < T; ++t) {
          const double d = double(yb[size_t(t) * st + c]) - refs[r][size_t(t) * kChannels + c];
          sq += d * d;
          dsum += d;
        }
        if (lam_t != 0.0) {
          const double da = dsum / T, d0 = double(yb[c]) - refs[r][c];
          sq += lam_t * (da * da + d0 * d0);
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
  if (loss.lifetime == 0.0f) return;
  // λ·T·(Ā(y) − Ā(r))² adds 2λ·(Ā(y) − Ā(r)) to every bin, λ·T·(y(0) − r(0))² adds
  // 2λT·(y(0) − r(0)) to the first (k1, k2 hold the 2·inv·w_c·mix factors).
  const float lam = loss.lifetime, lam_t = lam * float(T);
  for (int b = 0; b < B; ++b) {
    for (int c = 0; c < kChannels; ++c) {
      double da = 0.0, dt = 0.0;
      for (int t = 0; t < T; ++t) {
        const size_t iy = (size_t(t) * B + b) * kChannels + c, it = (size_t(b) * T + t) * kChannels + c;
        da += double(y[iy]) - target[it];
        if (alpha != 0.0) dt += double(y[iy]) - teacher[it];
      }
      const float g_area = lam * float((k1[c] * da + k2[c] * dt) / T);
      for (int t = 0; t < T; ++t) dy[(size_t(t) * B + b) * kChannels + c] += g_area;
      const size_t i0 = size_t(b) * kChannels + c, j0 = size_t(b) * T * kChannels + c;
      const float d0 = y[i0] - target[j0], e0 = alpha != 0.0 ? y[i0] - teacher[j0] : 0.0f;
      dy[i0] += lam_t * (k1[c] * d0 + k2[c] * e0);
    }
  }
}

void qat_prepare(const Seq2SeqWeights& w, const QatOptions& q, QuantModel& qm,
                 Seq2SeqWeights& qint, Seq2SeqWeights& qeff) {
  qm = quantize(w, q.format());
  if (qint.hidden != w.hidden || qint.layers != w.layers || qint.input_width != w.input_width ||
      qint.encoder.empty()) {
    qint = zeros_like(w);
    qeff = zeros_like(w);
  }
  set_zero(qint);
  set_zero(qeff);
  const double unit = std::ldexp(1.0, -(qm.rq_shift + 10 - qm.fmt.frac_bits));
  for (int p = 0; p < 2; ++p) {
    const auto& QL = p == 0 ? qm.encoder : qm.decoder;
    auto& I = p == 0 ? qint.encoder : qint.decoder;
    auto& E = p == 0 ? qeff.encoder : qeff.decoder;
    const auto& W = p == 0 ? w.encoder : w.decoder;
    for (int l = 0; l < w.layers; ++l) {
      const QuantLayer& L = QL[l];
      const int H = L.hidden, in = L.in_dim;
      for (int r = 0; r < 3 * H; ++r) {
        const double m = double(L.m[r]) * unit;
        for (int c = 0; c < in; ++c) {
          I[l].w_ih(r, c) = float(L.weight(r, c));
          E[l].w_ih(r, c) = float(L.weight(r, c) * m);
        }
        for (int k = 0; k < H; ++k) {
          I[l].w_hh(r, k) = float(L.weight(r, in + k));
          E[l].w_hh(r, k) = float(L.weight(r, in + k) * m);
        }
      }
      // Biases live in the integer model (qm); the effective ones are only informative.
      E[l].b_ih = W[l].b_ih;
      E[l].b_hh = W[l].b_hh;
    }
  }
  for (int c = 0; c < kChannels; ++c)
    for (int k = 0; k < w.hidden; ++k) {
      const int32_t v = qm.head_w[size_t(c) * w.hidden + k];
      qint.head_w(c, k) = float(v);
      qeff.head_w(c, k) = float(v * double(qm.head_m[c]) * unit);
    }
  qeff.head_b = w.head_b;
}

void seq2seq_forward(const Seq2SeqWeights& w0, const float* x, int B, TrainWorkspace& ws,
                     const ForwardOptions& opts) {
  if (B > ws.batch || w0.layers != ws.layers || w0.hidden != ws.hidden)
    throw Error("seq2seq_forward: workspace does not fit the batch or the model");
  const QatOptions& q = opts.qat;
  if (q.enabled) qat_prepare(w0, q, ws.qm, ws.qint, ws.qeff);
  const QuantModel* qm = q.enabled ? &ws.qm : nullptr;
  const Seq2SeqWeights& w = q.enabled ? ws.qint : w0;
  const int L = w.layers, H = w.hidden, T = ws.steps, W = w.input_width;
  const int N = T * B;
  if (ws.x.cols() != W) ws.x.resize(Eigen::Index(T) * ws.batch, W);
  float* xt = ws.x.data();
  const double sF = std::ldexp(1.0, q.frac_bits);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < W; ++i) {
        const float v = x[(size_t(b) * T + t) * W + i];
        // QAT: x_q = sat_SB(round_half_away(x · 2^F)) (numerics §8), stored as x_q / 2^F; the
        // IRF column is quantized by the same rule.
        xt[(size_t(t) * B + b) * W + i] =
            q.enabled ? float(double(sat(round_half_away(double(v) * sF), q.weight_bits)) / sF) : v;
      }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.enc[l];
    const float* in = l == 0 ? xt : ws.enc[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.encoder[l], in, N, c.gates.data());
    std::fill(c.h.data(), c.h.data() + size_t(B) * H, 0.0f);
    if (qm) {
      c.hm.resize(c.h.rows(), H);
      std::fill(c.hm.data(), c.hm.data() + size_t(B) * H, 0.0f);
    }
    gru_forward_batch(w.encoder[l], B, T, c, ws.gh.data(), qm, qm ? &qm->encoder[l] : nullptr);
  }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.dec[l];
    const float* in = l == 0 ? nullptr : ws.dec[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.decoder[l], in, N, c.gates.data());
    const float* hT = ws.enc[l].h.data() + size_t(N) * H;
    std::copy(hT, hT + size_t(B) * H, c.h.data());
    if (qm) {  // the decoder starts from the encoder's kept (Q1.14) state
      c.hm.resize(c.h.rows(), H);
      const float* mT = ws.enc[l].hm.data() + size_t(N) * H;
      std::copy(mT, mT + size_t(B) * H, c.hm.data());
    }
    gru_forward_batch(w.decoder[l], B, T, c, ws.gh.data(), qm, qm ? &qm->decoder[l] : nullptr);
  }
  head_forward(w.head_w, w.head_b, ws.dec[L - 1].h.data() + size_t(B) * H, N, ws.y.data(), qm);
}

void seq2seq_backward(const Seq2SeqWeights& w0, int B, TrainWorkspace& ws, Seq2SeqWeights& grad,
                      const ForwardOptions& opts) {
  const QatOptions& q = opts.qat;
  const Seq2SeqWeights& w = q.enabled ? ws.qeff : w0;
  const int L = w.layers, H = w.hidden, T = ws.steps;
  const int N = T * B;
  head_backward(w.head_w, ws.dec[L - 1].h.data() + size_t(B) * H, ws.dy.data(), N,
                ws.dseq.data(), grad.head_w, grad.head_b);
  for (int l = L - 1; l >= 0; --l) {
    RMap(ws.dh.data(), B, H).setZero();
    const float* in = l == 0 ? nullptr : ws.dec[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : ws.dseq_below.data();
    gru_backward_batch(w.decoder[l], B, T, ws.dec[l], ws.dseq.data(), ws.dh, in, din,
                       grad.decoder[l], ws.dgh.data(), ws.dgin.data(), ws.dh_tmp, q);
    std::copy(ws.dh.data(), ws.dh.data() + size_t(B) * H, ws.dh_dec0[l].data());
    ws.dseq.swap(ws.dseq_below);
  }
  for (int l = L - 1; l >= 0; --l) {
    std::copy(ws.dh_dec0[l].data(), ws.dh_dec0[l].data() + size_t(B) * H, ws.dh.data());
    const float* dseq = l == L - 1 ? nullptr : ws.dseq.data();
    const float* in = l == 0 ? ws.x.data() : ws.enc[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : ws.dseq_below.data();
    gru_backward_batch(w.encoder[l], B, T, ws.enc[l], dseq, ws.dh, in, din, grad.encoder[l],
                       ws.dgh.data(), ws.dgin.data(), ws.dh_tmp, q);
    ws.dseq.swap(ws.dseq_below);
  }
}

void outputs_sample_major(const TrainWorkspace& ws, int B, float* out) {
  const int T = ws.steps;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int c = 0; c < kChannels; ++c)
        out[(size_t(b) * T + t) * kChannels + c] = ws.y((size_t(t) * B + b), c);
}

// ---------------------------------------------------------------------------------------------

BatchTrainer::BatchTrainer(int layers, int hidden, int max_batch, int steps, int threads)
    : layers_(layers), hidden_(hidden), max_batch_(max_batch), steps_(steps) {
  if (threads <= 0) threads = default_threads();
  threads = std::max(1, std::min(threads, max_batch));
  const int per = (max_batch + threads - 1) / threads;
  ws_.resize(threads);
  for (auto& ws : ws_) ws.resize(layers, hidden, per, steps);
  losses_.assign(threads, 0.0);
}

namespace {
// f(k, b0, nb) on slice k = [b0, b0 + nb) of the batch, slice k in workspace k (parallel.hpp: a
// slice holds at most ceil(B / n_threads) samples, what each workspace was sized for).
template <class F>
void run_slices(int n_threads, int B, F&& f) {
  parallel_for(size_t(B), n_threads, [&](int k, size_t b, size_t e) { f(k, int(b), int(e - b)); }, 1);
}
}  // namespace

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
  run_slices(nt, B, [&](int k, int b0, int nb) {
    TrainWorkspace& ws = ws_[k];
    Seq2SeqWeights& g = grads_[k];
    set_zero(g);
    used[k] = 1;
    seq2seq_forward(w, x + size_t(b0) * TW, nb, ws, opts);
    const float* tg = target + size_t(b0) * T * kChannels;
    const float* te = teacher ? teacher + size_t(b0) * T * kChannels : nullptr;
    losses_[k] = sfd_loss_forward(ws.y.data(), tg, te, loss, nb, T, inv);
    sfd_loss_backward(ws.y.data(), tg, te, loss, nb, T, inv, ws.dy.data());
    seq2seq_backward(w, nb, ws, g, opts);
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

void BatchTrainer::forward(const Seq2SeqWeights& w, const float* x, int B, float* y,
                           const ForwardOptions& opts) {
  if (B > max_batch_) throw Error("BatchTrainer: batch larger than max_batch");
  const int T = steps_;
  const size_t TW = size_t(T) * w.input_width;
  run_slices(threads(), B, [&](int k, int b0, int nb) {
    seq2seq_forward(w, x + size_t(b0) * TW, nb, ws_[k], opts);
    outputs_sample_major(ws_[k], nb, y + size_t(b0) * T * kChannels);
  });
}

}  // namespace flimgru
