// The batched QAT forward and its STE gradients against the scalar implementation they replace
// (per-unit gru_unit_update with llround(double), weights quantized per slice, σ'/tanh' from
// std::exp / std::tanh in the backward), copied here verbatim: equal bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "fixed_point.hpp"
#include "quantizer.hpp"
#include "train_model.hpp"
#include "trainer.hpp"
#include "train_test_util.hpp"

using namespace flimgru;
using namespace flimgru::testutil;

namespace scalar_qat {

using RMap = Eigen::Map<Mat>;
using CRMap = Eigen::Map<const Mat>;

struct Prepared {
  QuantModel qm;
  Seq2SeqWeights qint, qeff;
};

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

void gru_forward_batch(const GruLayer& w, int B, int T, LayerCache& c, float* gh,
                       const QuantModel* qm, const QuantLayer* ql) {
  const int H = int(w.w_hh.cols());
  const int G = 3 * H;
  if (c.pre.rows() < c.gates.rows() || c.pre.cols() != G) c.pre.resize(c.gates.rows(), G);
  if (c.hm.rows() != c.h.rows()) c.hm.resize(c.h.rows(), H);
  const double sF = std::ldexp(1.0, qm->fmt.frac_bits);
  const float inv_sF = float(1.0 / sF), k10 = 1.0f / float(kQ5_10), k14 = 1.0f / float(kQ1_14);
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
      float* hx = hnext + size_t(b) * H;
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
        const int32_t h_old = int32_t(std::llround(double(hm_prev[j]) * kQ1_14));
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

void head_forward(const Mat& head_w, const float* h, int n_rows, float* y, const QuantModel* qm) {
  const int H = int(head_w.cols());
  RMap Y(y, n_rows, kChannels);
  Y.noalias() = CRMap(h, n_rows, H) * head_w.transpose();
  const double sF = std::ldexp(1.0, qm->fmt.frac_bits);
  for (int i = 0; i < n_rows; ++i)
    for (int c = 0; c < kChannels; ++c) {
      const int64_t acc = std::llround(double(Y(i, c)) * sF);
      Y(i, c) = float(sat(requantize(acc, qm->head_m[c], qm->rq_shift) + qm->head_b[c], 16)) /
                float(kQ5_10);
    }
}

void seq2seq_forward(const Seq2SeqWeights& w0, const float* x, int B, ForwardWorkspace& ws,
                     Prepared& pq, const QatOptions& q) {
  scalar_qat::qat_prepare(w0, q, pq.qm, pq.qint, pq.qeff);
  const QuantModel* qm = &pq.qm;
  const Seq2SeqWeights& w = pq.qint;
  const int L = w.layers, H = w.hidden, T = ws.steps, W = w.input_width;
  const int N = T * B;
  if (ws.x.cols() != W) ws.x.resize(Eigen::Index(T) * ws.batch, W);
  float* xt = ws.x.data();
  const double sF = std::ldexp(1.0, q.frac_bits);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < W; ++i) {
        const float v = x[(size_t(b) * T + t) * W + i];
        xt[(size_t(t) * B + b) * W + i] =
            float(double(sat(round_half_away(double(v) * sF), q.weight_bits)) / sF);
      }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.enc[l];
    const float* in = l == 0 ? xt : ws.enc[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.encoder[l], in, N, c.gates.data());
    std::fill(c.h.data(), c.h.data() + size_t(B) * H, 0.0f);
    c.hm.resize(c.h.rows(), H);
    std::fill(c.hm.data(), c.hm.data() + size_t(B) * H, 0.0f);
    scalar_qat::gru_forward_batch(w.encoder[l], B, T, c, ws.gh.data(), qm, &qm->encoder[l]);
  }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.dec[l];
    const float* in = l == 0 ? nullptr : ws.dec[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.decoder[l], in, N, c.gates.data());
    const float* hT = ws.enc[l].h.data() + size_t(N) * H;
    std::copy(hT, hT + size_t(B) * H, c.h.data());
    c.hm.resize(c.h.rows(), H);
    const float* mT = ws.enc[l].hm.data() + size_t(N) * H;
    std::copy(mT, mT + size_t(B) * H, c.hm.data());
    scalar_qat::gru_forward_batch(w.decoder[l], B, T, c, ws.gh.data(), qm, &qm->decoder[l]);
  }
  scalar_qat::head_forward(w.head_w, ws.dec[L - 1].h.data() + size_t(B) * H, N, ws.y.data(), qm);
}

inline float sigmoidf(float x) { return 1.0f / (1.0f + std::exp(-x)); }

template <bool HasExt>
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
    float dsr, dsz, dsn;
    const float sr = sigmoidf(pre[j]), sz = sigmoidf(pre[H + j]);
    const float tn = std::tanh(pre[2 * H + j]);
    dsr = sr * (1.0f - sr);
    dsz = sz * (1.0f - sz);
    dsn = 1.0f - tn * tn;
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

void gru_backward_batch(const GruLayer& w, int B, int T, const LayerCache& c, const float* dseq,
                        Mat& dh, const float* in, float* din, GruLayer& grad, float* dgh,
                        float* dgin, Mat& dh_tmp) {
  const int H = int(w.w_hh.cols());
  const int G = 3 * H;
  const int I = int(w.w_ih.cols());
  const size_t N = size_t(T) * B;
  float* dbih = grad.b_ih.data();
  float* dbhh = grad.b_hh.data();
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
      const float* pre = c.pre.data() + row * G;
      if (ext) bwd_row<true>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
      else bwd_row<false>(H, g, ghn, hp, ext, dhin, pre, dho, dg, dgi, dbih, dbhh);
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

void seq2seq_backward(const Prepared& pq, int B, const ForwardWorkspace& fw,
                      BackwardWorkspace& bw, Seq2SeqWeights& grad) {
  const Seq2SeqWeights& w = pq.qeff;
  const int L = w.layers, H = w.hidden, T = fw.steps;
  const int N = T * B;
  head_backward(w.head_w, fw.dec[L - 1].h.data() + size_t(B) * H, bw.dy.data(), N,
                bw.dseq.data(), grad.head_w, grad.head_b);
  for (int l = L - 1; l >= 0; --l) {
    RMap(bw.dh.data(), B, H).setZero();
    const float* in = l == 0 ? nullptr : fw.dec[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : bw.dseq_below.data();
    scalar_qat::gru_backward_batch(w.decoder[l], B, T, fw.dec[l], bw.dseq.data(), bw.dh, in, din,
                       grad.decoder[l], bw.dgh.data(), bw.dgin.data(), bw.dh_tmp);
    std::copy(bw.dh.data(), bw.dh.data() + size_t(B) * H, bw.dh_dec0[l].data());
    bw.dseq.swap(bw.dseq_below);
  }
  for (int l = L - 1; l >= 0; --l) {
    std::copy(bw.dh_dec0[l].data(), bw.dh_dec0[l].data() + size_t(B) * H, bw.dh.data());
    const float* dseq = l == L - 1 ? nullptr : bw.dseq.data();
    const float* in = l == 0 ? fw.x.data() : fw.enc[l - 1].h.data() + size_t(B) * H;
    float* din = l == 0 ? nullptr : bw.dseq_below.data();
    scalar_qat::gru_backward_batch(w.encoder[l], B, T, fw.enc[l], dseq, bw.dh, in, din, grad.encoder[l],
                       bw.dgh.data(), bw.dgin.data(), bw.dh_tmp);
    bw.dseq.swap(bw.dseq_below);
  }
}

}  // namespace scalar_qat

namespace {

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// Old (scalar, one slice) against new (BatchTrainer, one thread: the same GEMM blocking) on a
// batch: loss, outputs and every gradient tensor equal bit for bit.
void compare(int L, int H, int W, int B, uint64_t seed, float scale, int batches) {
  Seq2SeqWeights w = Seq2SeqWeights::random(L, H, seed, scale, W);
  ForwardOptions opts;
  opts.qat.enabled = true;
  BatchTrainer bt(L, H, B, kBins, 1), bt2(L, H, B, kBins, 2);
  for (int k = 0; k < batches; ++k) {
    auto x = uniform(size_t(B) * kBins * W, seed + 10 + k, 0.0f, 1.0f);
    auto tg = uniform(size_t(B) * kBins * 3, seed + 20 + k, -0.5f, 1.0f);
    ForwardWorkspace fw(L, H, B, kBins);
    BackwardWorkspace bw;
    bw.resize(L, H, B, kBins);
    scalar_qat::Prepared pq;
    scalar_qat::seq2seq_forward(w, x.data(), B, fw, pq, opts.qat);
    const double inv = 1.0 / (double(B) * kBins * kChannels);
    const double loss_old = sfd_loss_forward(fw.y.data(), tg.data(), nullptr, {}, B, kBins, inv);
    sfd_loss_backward(fw.y.data(), tg.data(), nullptr, {}, B, kBins, inv, bw.dy.data());
    Seq2SeqWeights g_old = zeros_like(w);
    scalar_qat::seq2seq_backward(pq, B, fw, bw, g_old);
    std::vector<float> y_old(size_t(B) * kBins * 3), y_new(y_old.size()), y_new2(y_old.size());
    outputs_sample_major(fw, B, y_old.data());

    Seq2SeqWeights g_new;
    const double loss_new = bt.loss_and_grad(w, x.data(), tg.data(), nullptr, {}, B, g_new, opts);
    bt.forward(w, x.data(), B, y_new.data(), opts);
    bt2.forward(w, x.data(), B, y_new2.data(), opts);
    EXPECT_EQ(loss_old, loss_new) << "L=" << L << " H=" << H << " batch " << k;
    EXPECT_TRUE(same_bits(y_old.data(), y_new.data(), y_old.size())) << "batch " << k;
    EXPECT_TRUE(same_bits(y_old.data(), y_new2.data(), y_old.size())) << "2 threads, batch " << k;
    auto a = tensors_of(g_old), b = tensors_of(g_new);
    ASSERT_EQ(a.size(), b.size());
    for (size_t t = 0; t < a.size(); ++t)
      EXPECT_TRUE(same_bits(std::get<1>(a[t]), std::get<1>(b[t]), size_t(std::get<2>(a[t]))))
          << std::get<0>(a[t]) << " L=" << L << " H=" << H << " W=" << W << " batch " << k;
    // the next batch sees different weights, as in training
    for (auto& [p, n] : param_spans(w))
      for (size_t i = 0; i < n; ++i) p[i] -= 1e-2f * std::get<1>(b[0])[0] * float((i % 7) - 3);
  }
}

}  // namespace

TEST(QatScalarReference, StudentBatchesBitIdentical) { compare(1, 32, 1, 64, 5, 1.5f, 3); }
TEST(QatScalarReference, TwoLayersIrfInputBitIdentical) { compare(2, 16, 2, 24, 6, 2.0f, 2); }
TEST(QatScalarReference, SaturatingWeightsBitIdentical) { compare(1, 16, 1, 16, 7, 6.0f, 2); }
