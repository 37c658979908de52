// batch_forward: the batched forward pass of the GRU Seq2Seq. See batch_forward.hpp for layouts.
#include "batch_forward.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "error.hpp"
#include "fixed_point.hpp"
#include "parallel.hpp"
#include "quantizer.hpp"

namespace flimgru {

namespace {

using RMap = Eigen::Map<Mat>;
using CRMap = Eigen::Map<const Mat>;
using AMap = Eigen::Map<Eigen::ArrayXf>;
using CAMap = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace

void ForwardWorkspace::resize(int L, int H, int B, int T) {
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
  gh.resize(B, 3 * H);
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

void qat_gru_units(const QuantModel& qm, const QuantLayer& L, const float* gi, const float* gh,
                   const float* hm_prev, float* hm_next, float* h_view, float* pre, float* gates,
                   float* hn) {
  const int H = L.hidden, S = qm.rq_shift, TB = qm.fmt.table_bits;
  const int view_shift = 14 - qm.fmt.frac_bits, SB = qm.fmt.state_bits;
  const uint32_t *Mr = L.m.data(), *Mz = Mr + H, *Mn = Mr + 2 * H;
  const int32_t *br = L.b_r.data(), *bz = L.b_z.data(), *bin = L.b_in.data(), *bhn = L.b_hn.data();
  const int32_t *sig = qm.sigmoid_table.data(), *tnh = qm.tanh_table.data();
  // Exact scales: the GEMM sums are integers · 2^-F, the stored values integers · 2^-F, 2^-10,
  // 2^-14; every product below is by a power of two, every conversion one of an exact integer.
  const float sF = std::ldexp(1.0f, qm.fmt.frac_bits), inv_sF = 1.0f / sF;
  const float k10 = 1.0f / float(kQ5_10), k14 = 1.0f / float(kQ1_14);
  // The units in chunks through local arrays, one simple pass per line of numerics §5 (each
  // vectorises); every input is read before any output is written (gates may be gi).
  constexpr int kChunk = 64;
  alignas(64) int64_t acc_r[kChunk], acc_z[kChunk], acc_in[kChunk], acc_hn[kChunk], pn_in[kChunk];
  alignas(64) int32_t h_old[kChunk], p_r[kChunk], p_z[kChunk], hnq[kChunk], r[kChunk], z[kChunk];
  alignas(64) int32_t p_n[kChunk], n[kChunk], h[kChunk];
  for (int j0 = 0; j0 < H; j0 += kChunk) {
    const int nj = std::min(kChunk, H - j0);
    const float *gi_r = gi + j0, *gi_z = gi + H + j0, *gi_n = gi + 2 * H + j0;
    const float *gh_r = gh + j0, *gh_z = gh + H + j0, *gh_n = gh + 2 * H + j0;
    for (int k = 0; k < nj; ++k) {  // the partial sums a_in + a_h (r, z), a_in_n, a_h_n
      acc_r[k] = int64_t(int32_t(gi_r[k] * sF)) + int32_t(gh_r[k] * sF);
      acc_z[k] = int64_t(int32_t(gi_z[k] * sF)) + int32_t(gh_z[k] * sF);
      acc_in[k] = int32_t(gi_n[k] * sF);
      acc_hn[k] = int32_t(gh_n[k] * sF);
      h_old[k] = int32_t(hm_prev[j0 + k] * float(kQ1_14));
    }
    for (int k = 0; k < nj; ++k) {  // p_r, p_z, hn and the input part of p_n
      const int j = j0 + k;
      p_r[k] = int32_t(sat(requantize(acc_r[k], Mr[j], S) + br[j], 16));
      p_z[k] = int32_t(sat(requantize(acc_z[k], Mz[j], S) + bz[j], 16));
      hnq[k] = int32_t(sat(requantize(acc_hn[k], Mn[j], S) + bhn[j], 16));
      pn_in[k] = requantize(acc_in[k], Mn[j], S) + bin[j];
    }
    for (int k = 0; k < nj; ++k) {  // r, z
      r[k] = sig[table_index(p_r[k], TB)];
      z[k] = sig[table_index(p_z[k], TB)];
    }
    for (int k = 0; k < nj; ++k)  // p_n
      p_n[k] = int32_t(sat(pn_in[k] + rshr(int64_t(r[k]) * hnq[k], 14), 16));
    for (int k = 0; k < nj; ++k) n[k] = tnh[table_index(p_n[k], TB)];
    for (int k = 0; k < nj; ++k)  // h' = sat_16(n + rshr(z · (h − n), 14))
      h[k] = int32_t(sat(n[k] + rshr(int64_t(z[k]) * (int64_t(h_old[k]) - n[k]), 14), 16));
    // The stored values, one output stream per loop (so each vectorises without alias checks).
    auto store = [nj](float* dst, const int32_t* v, float scale) {
      for (int k = 0; k < nj; ++k) dst[k] = float(v[k]) * scale;
    };
    store(hm_next + j0, h, k14);
    for (int k = 0; k < nj; ++k) h[k] = int32_t(sat(rshr(h[k], view_shift), SB));  // state_view (§2)
    store(h_view + j0, h, inv_sF);
    store(pre + j0, p_r, k10);
    store(pre + H + j0, p_z, k10);
    store(pre + 2 * H + j0, p_n, k10);
    store(gates + j0, r, k14);
    store(gates + H + j0, z, k14);
    store(gates + 2 * H + j0, n, k14);
    store(hn + j0, hnq, k10);
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
        // 2^-F are exact, so 2^F · (float sum) is the integer partial sum.
        qat_gru_units(*qm, *ql, g, a, c.hm.data() + row * H, c.hm.data() + (row + B) * H, hx,
                      c.pre.data() + row * G, g, hn_out);
      }
    }
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
  } else {  // exact float sums, as in gru_forward_batch (§7)
    const float sF = std::ldexp(1.0f, qm->fmt.frac_bits), k10 = 1.0f / float(kQ5_10);
    const int S = qm->rq_shift;
    for (int i = 0; i < n_rows; ++i)
      for (int c = 0; c < kChannels; ++c) {
        const int64_t acc = int64_t(Y(i, c) * sF);
        Y(i, c) = float(sat(requantize(acc, qm->head_m[c], S) + qm->head_b[c], 16)) * k10;
      }
  }
}

void qat_prepare(const Seq2SeqWeights& w, const QatOptions& q, QatWeights& out) {
  QuantModel& qm = out.qm;
  Seq2SeqWeights& qint = out.qint;
  Seq2SeqWeights& qeff = out.qeff;
  qm = quantize(w, q.format());
  if (qint.hidden != w.hidden || qint.layers != w.layers || qint.input_width != w.input_width ||
      qint.encoder.empty()) {
    qint = zeros_like(w);
    qeff = zeros_like(w);
  }
  set_zero(qint);
  set_zero(qeff);
  // The float GEMMs are exact while every partial sum is an integer multiple of 2^-F below
  // 2^24 · 2^-F: Σ_c |q_c| · (largest operand, 2^(SB-1)) < 2^24 for every row.
  const int64_t max_operand = int64_t(1) << (qm.fmt.state_bits - 1);
  auto check_row = [&](const int32_t* row, int n, const char* what) {
    int64_t sum = 0;
    for (int c = 0; c < n; ++c) sum += std::abs(int64_t(row[c]));
    if (sum * max_operand >= (int64_t(1) << 24))
      throw Error(std::string("QAT: a row of ") + what + " can reach an accumulator of " +
                  std::to_string(sum * max_operand) + " >= 2^24, beyond exact float sums (format " +
                  qm.fmt.name() + "); QAT supports formats whose accumulators stay below 2^24");
  };
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
        check_row(L.w.data() + size_t(r) * L.cols(), L.cols(), p == 0 ? "the encoder" : "the decoder");
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
  for (int c = 0; c < kChannels; ++c) {
    check_row(qm.head_w.data() + size_t(c) * w.hidden, w.hidden, "the head");
    for (int k = 0; k < w.hidden; ++k) {
      const int32_t v = qm.head_w[size_t(c) * w.hidden + k];
      qint.head_w(c, k) = float(v);
      qeff.head_w(c, k) = float(v * double(qm.head_m[c]) * unit);
    }
  }
  qeff.head_b = w.head_b;
}

void seq2seq_forward(const Seq2SeqWeights& w0, const float* x, int B, ForwardWorkspace& ws,
                     const QatWeights* qat) {
  if (B > ws.batch || w0.layers != ws.layers || w0.hidden != ws.hidden)
    throw Error("seq2seq_forward: workspace does not fit the batch or the model");
  const QuantModel* qm = qat ? &qat->qm : nullptr;
  const Seq2SeqWeights& w = qat ? qat->qint : w0;
  const int L = w.layers, H = w.hidden, T = ws.steps, W = w.input_width;
  const int N = T * B;
  if (ws.x.cols() != W) ws.x.resize(Eigen::Index(T) * ws.batch, W);
  float* xt = ws.x.data();
  const double sF = qm ? std::ldexp(1.0, qm->fmt.frac_bits) : 1.0;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < W; ++i) {
        const float v = x[(size_t(b) * T + t) * W + i];
        // QAT: x_q = sat_SB(round_half_away(x · 2^F)) (numerics §8), stored as x_q / 2^F; the
        // IRF column is quantized by the same rule.
        xt[(size_t(t) * B + b) * W + i] =
            qm ? float(double(sat(round_half_away(double(v) * sF), qm->fmt.state_bits)) / sF) : v;
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

void outputs_sample_major(const ForwardWorkspace& ws, int B, float* out) {
  const int T = ws.steps;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int c = 0; c < kChannels; ++c)
        out[(size_t(b) * T + t) * kChannels + c] = ws.y((size_t(t) * B + b), c);
}

// ---------------------------------------------------------------------------------------------

BatchForward::BatchForward(int layers, int hidden, int max_batch, int steps, int threads)
    : layers_(layers), hidden_(hidden), max_batch_(max_batch), steps_(steps) {
  if (threads <= 0) threads = default_threads();
  threads = std::max(1, std::min(threads, max_batch));
  per_slice_ = (max_batch + threads - 1) / threads;
  ws_.resize(threads);
  for (auto& ws : ws_) ws.resize(layers, hidden, per_slice_, steps);
}

// parallel.hpp: a slice holds at most ceil(B / n_threads) samples, what each workspace was
// sized for.
void BatchForward::run_slices(int B, const std::function<void(int k, int b0, int nb)>& f) const {
  parallel_for(size_t(B), threads(), [&](int k, size_t b, size_t e) { f(k, int(b), int(e - b)); }, 1);
}

const QatWeights* BatchForward::prepare_qat(const Seq2SeqWeights& w, const ForwardOptions& opts) {
  if (!opts.qat.enabled) return nullptr;
  qat_prepare(w, opts.qat, qat_);
  return &qat_;
}

void BatchForward::forward(const Seq2SeqWeights& w, const float* x, int B, float* y,
                           const ForwardOptions& opts) {
  if (B > max_batch_) throw Error("BatchForward: batch larger than max_batch");
  const int T = steps_;
  const size_t TW = size_t(T) * w.input_width;
  const QatWeights* qat = prepare_qat(w, opts);
  run_slices(B, [&](int k, int b0, int nb) {
    seq2seq_forward(w, x + size_t(b0) * TW, nb, ws_[k], qat);
    outputs_sample_major(ws_[k], nb, y + size_t(b0) * T * kChannels);
  });
}

}  // namespace flimgru
