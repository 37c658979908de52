// train_model: batched forward / BPTT of the GRU Seq2Seq. See train_model.hpp for layouts.
#include "train_model.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "error.hpp"

namespace flimgru {

namespace {

using RMap = Eigen::Map<Mat>;
using CRMap = Eigen::Map<const Mat>;
using AMap = Eigen::Map<Eigen::ArrayXf>;
using CAMap = Eigen::Map<const Eigen::ArrayXf>;

// Round half away from zero to `frac` fractional bits, saturate to `bits` signed bits.
inline float fq(float v, int frac, int bits) {
  const float scale = float(1 << frac);
  const float lo = -std::ldexp(1.0f, bits - 1), hi = std::ldexp(1.0f, bits - 1) - 1.0f;
  float q = std::round(v * scale);  // std::round: half away from zero
  return std::min(std::max(q, lo), hi) / scale;
}
// Round half up (rshr semantics) to `frac` bits, saturate to `bits`.
inline float fq_up(float v, int frac, int bits) {
  const float scale = float(1 << frac);
  const float lo = -std::ldexp(1.0f, bits - 1), hi = std::ldexp(1.0f, bits - 1) - 1.0f;
  float q = std::floor(v * scale + 0.5f);
  return std::min(std::max(q, lo), hi) / scale;
}
inline float pre_q(float v) { return fq_up(v, 10, 16); }  // Q5.10, int16

// Activation tables of numerics §6 as float values (Q1.14 / 16384).
struct Tables {
  int tb = 0;
  std::vector<float> sig, tanh_;
  void build(int table_bits) {
    if (tb == table_bits) return;
    tb = table_bits;
    int n = 1 << tb;
    sig.resize(n);
    tanh_.resize(n);
    for (int i = 0; i < n; ++i) {
      double x = (i - n / 2 + 0.5) * 16.0 / n;
      sig[i] = float(std::round(16384.0 / (1.0 + std::exp(-x))) / 16384.0);
      tanh_[i] = float(std::round(16384.0 * std::tanh(x)) / 16384.0);
    }
  }
  // p is a Q5.10 value (multiple of 1/1024).
  int index(float p) const {
    int pi = int(std::lround(p * 1024.0f));
    int s = pi >> (14 - tb);
    int half = 1 << (tb - 1);
    return std::min(std::max(s, -half), half - 1) + half;
  }
};
Tables& tables(int tb) {
  thread_local Tables t;
  t.build(tb);
  return t;
}

inline float sigmoidf(float x) { return 1.0f / (1.0f + std::exp(-x)); }

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
                       const QatOptions& qat) {
  const int H = int(w.w_hh.cols());
  const int G = 3 * H;
  const float* bhh = w.b_hh.data();
  CAMap bhr(bhh, H), bhz(bhh + H, H), bhn(bhh + 2 * H, H);
  const bool q = qat.enabled;
  if (q && (c.pre.rows() < c.gates.rows() || c.pre.cols() != G)) c.pre.resize(c.gates.rows(), G);
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
        // Fake quantization (numerics §5): pre-activations Q5.10, table activations Q1.14,
        // state Q0.7. Biases and weights were fake-quantized beforehand (ws.qw).
        const Tables& tab = tables(qat.table_bits);
        float* pre = c.pre.data() + row * G;
        const int sb = qat.weight_bits, fb = qat.frac_bits;
        for (int j = 0; j < H; ++j) {
          float pr = pre_q(g[j] + a[j] + bhh[j]);
          float pz = pre_q(g[H + j] + a[H + j] + bhh[H + j]);
          float r = tab.sig[tab.index(pr)];
          float z = tab.sig[tab.index(pz)];
          float hn = pre_q(a[2 * H + j] + bhh[2 * H + j]);
          float pn = pre_q(pre_q(g[2 * H + j]) + fq_up(r * hn, 10, 32));
          float n = tab.tanh_[tab.index(pn)];
          float hq = n + fq_up(z * (hp[j] - n), 14, 32);
          pre[j] = pr;
          pre[H + j] = pz;
          pre[2 * H + j] = pn;
          g[j] = r;
          g[H + j] = z;
          g[2 * H + j] = n;
          hn_out[j] = hn;
          hx[j] = fq_up(hq, fb, sb);
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
      for (int j = 0; j < H; ++j) {
        const float r = g[j], z = g[H + j], n = g[2 * H + j];
        const float dhv = ext ? dhin[j] + ext[j] : dhin[j];
        const float dn = dhv * (1.0f - z);
        const float dz = dhv * (hp[j] - n);
        float dsr, dsz, dsn;  // activation derivatives
        if (!q) {
          dsr = r * (1.0f - r);
          dsz = z * (1.0f - z);
          dsn = 1.0f - n * n;
        } else {
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
                  const QatOptions& qat) {
  const int H = int(head_w.cols());
  RMap Y(y, n_rows, kChannels);
  Y.noalias() = CRMap(h, n_rows, H) * head_w.transpose();
  if (!qat.enabled) {
    Y.rowwise() += head_b.transpose();
  } else {
    for (int i = 0; i < n_rows; ++i)
      for (int c = 0; c < kChannels; ++c) Y(i, c) = pre_q(pre_q(Y(i, c)) + head_b[c]);
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

// y [T*B, 3] time-major; target, teacher [B, T, 3]
double mse_loss_forward(const float* y, const float* target, const float* teacher, float alpha,
                        int B, int T, double inv_count) {
  double acc = 0.0;
  for (int b = 0; b < B; ++b) {
    double ab = 0.0;
    for (int t = 0; t < T; ++t) {
      const float* yy = y + (size_t(t) * B + b) * kChannels;
      const float* tg = target + (size_t(b) * T + t) * kChannels;
      if (alpha == 0.0f) {
        for (int c = 0; c < kChannels; ++c) {
          const float d = yy[c] - tg[c];
          ab += double(d) * d;
        }
      } else {
        const float* te = teacher + (size_t(b) * T + t) * kChannels;
        for (int c = 0; c < kChannels; ++c) {
          const float d1 = yy[c] - tg[c], d2 = yy[c] - te[c];
          ab += (1.0 - alpha) * double(d1) * d1 + double(alpha) * double(d2) * d2;
        }
      }
    }
    acc += ab;
  }
  return acc * inv_count;
}

void mse_loss_backward(const float* y, const float* target, const float* teacher, float alpha,
                       int B, int T, double inv_count, float* dy) {
  const float k = float(2.0 * inv_count);
  const float k1 = float(2.0 * inv_count * (1.0 - alpha)), k2 = float(2.0 * inv_count * alpha);
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const size_t iy = (size_t(t) * B + b) * kChannels;
      const size_t it = (size_t(b) * T + t) * kChannels;
      for (int c = 0; c < kChannels; ++c) {
        if (alpha == 0.0f) {
          dy[iy + c] = k * (y[iy + c] - target[it + c]);
        } else {
          dy[iy + c] = k1 * (y[iy + c] - target[it + c]) + k2 * (y[iy + c] - teacher[it + c]);
        }
      }
    }
  }
}

float fake_quant_state(float v, int frac_bits, int storage_bits) {
  return fq(v, frac_bits, storage_bits);
}

void fake_quantize_weights(const Seq2SeqWeights& w, Seq2SeqWeights& out, const QatOptions& q) {
  if (out.layers != w.layers || out.hidden != w.hidden || out.encoder.size() != w.encoder.size())
    out = zeros_like(w);
  const double qmax = double((1 << (q.weight_bits - 1)) - 1);
  const int H = w.hidden;
  for (int p = 0; p < 2; ++p) {
    const auto& src = p == 0 ? w.encoder : w.decoder;
    auto& dst = p == 0 ? out.encoder : out.decoder;
    for (int l = 0; l < w.layers; ++l) {
      // As the quantizer: the scale covers the whole row [U_j W_j], U included even for
      // decoder layer 0 (whose input is zero and whose U is not stored).
      for (int j = 0; j < 3 * H; ++j) {
        double m = std::max(src[l].w_hh.row(j).cwiseAbs().maxCoeff(),
                            src[l].w_ih.row(j).cwiseAbs().maxCoeff());
        const double s = m > 0.0 ? m / qmax : 1.0;
        for (int k = 0; k < src[l].w_hh.cols(); ++k)
          dst[l].w_hh(j, k) = float(std::round(double(src[l].w_hh(j, k)) / s) * s);
        for (int k = 0; k < src[l].w_ih.cols(); ++k)
          dst[l].w_ih(j, k) = float(std::round(double(src[l].w_ih(j, k)) / s) * s);
      }
      // b_r, b_z summed then quantized (kept in b_ih, hh part zero); b_in, b_hn separate.
      for (int j = 0; j < 2 * H; ++j) {
        dst[l].b_ih[j] = fq(src[l].b_ih[j] + src[l].b_hh[j], 10, 16);
        dst[l].b_hh[j] = 0.0f;
      }
      for (int j = 2 * H; j < 3 * H; ++j) {
        dst[l].b_ih[j] = fq(src[l].b_ih[j], 10, 16);
        dst[l].b_hh[j] = fq(src[l].b_hh[j], 10, 16);
      }
    }
  }
  for (int c = 0; c < kChannels; ++c) {
    const double m = w.head_w.row(c).cwiseAbs().maxCoeff();
    const double s = m > 0.0 ? m / qmax : 1.0;
    for (int k = 0; k < H; ++k)
      out.head_w(c, k) = float(std::round(double(w.head_w(c, k)) / s) * s);
    out.head_b[c] = fq(w.head_b[c], 10, 16);
  }
}

void seq2seq_forward(const Seq2SeqWeights& w0, const float* x, int B, TrainWorkspace& ws,
                     const ForwardOptions& opts) {
  if (B > ws.batch || w0.layers != ws.layers || w0.hidden != ws.hidden)
    throw Error("seq2seq_forward: workspace does not fit the batch or the model");
  const QatOptions& q = opts.qat;
  if (q.enabled) fake_quantize_weights(w0, ws.qw, q);
  const Seq2SeqWeights& w = q.enabled ? ws.qw : w0;
  const int L = w.layers, H = w.hidden, T = ws.steps;
  const int N = T * B;
  float* xt = ws.x.data();
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const float v = x[size_t(b) * T + t];
      xt[size_t(t) * B + b] = q.enabled ? fq(v, q.frac_bits, q.weight_bits) : v;
    }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.enc[l];
    const float* in = l == 0 ? xt : ws.enc[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.encoder[l], in, N, c.gates.data());
    std::fill(c.h.data(), c.h.data() + size_t(B) * H, 0.0f);
    gru_forward_batch(w.encoder[l], B, T, c, ws.gh.data(), q);
  }
  for (int l = 0; l < L; ++l) {
    LayerCache& c = ws.dec[l];
    const float* in = l == 0 ? nullptr : ws.dec[l - 1].h.data() + size_t(B) * H;
    gru_input_projection(w.decoder[l], in, N, c.gates.data());
    const float* hT = ws.enc[l].h.data() + size_t(N) * H;
    std::copy(hT, hT + size_t(B) * H, c.h.data());
    gru_forward_batch(w.decoder[l], B, T, c, ws.gh.data(), q);
  }
  head_forward(w.head_w, w.head_b, ws.dec[L - 1].h.data() + size_t(B) * H, N, ws.y.data(), q);
}

void seq2seq_backward(const Seq2SeqWeights& w0, int B, TrainWorkspace& ws, Seq2SeqWeights& grad,
                      const ForwardOptions& opts) {
  const QatOptions& q = opts.qat;
  const Seq2SeqWeights& w = q.enabled ? ws.qw : w0;
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
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::max(1, std::min(threads, max_batch));
  const int per = (max_batch + threads - 1) / threads;
  ws_.resize(threads);
  for (auto& ws : ws_) ws.resize(layers, hidden, per, steps);
  losses_.assign(threads, 0.0);
}

namespace {
template <class F>
void run_slices(int n_threads, int B, F&& f) {
  const int per = (B + n_threads - 1) / n_threads;
  std::vector<std::thread> th;
  for (int k = 1; k < n_threads; ++k) {
    const int b0 = k * per, nb = std::min(per, B - b0);
    if (nb > 0) th.emplace_back([&f, k, b0, nb] { f(k, b0, nb); });
  }
  f(0, 0, std::min(per, B));
  for (auto& t : th) t.join();
}
}  // namespace

double BatchTrainer::loss_and_grad(const Seq2SeqWeights& w, const float* x, const float* target,
                                   const float* teacher, float alpha, int B,
                                   Seq2SeqWeights& grad, const ForwardOptions& opts) {
  if (B > max_batch_) throw Error("BatchTrainer: batch larger than max_batch");
  if (w.layers != layers_ || w.hidden != hidden_) throw Error("BatchTrainer: model shape");
  const int nt = threads();
  if (int(grads_.size()) != nt || grads_[0].hidden != w.hidden) grads_.assign(nt, zeros_like(w));
  const int T = steps_;
  const double inv = 1.0 / (double(B) * T * kChannels);
  std::fill(losses_.begin(), losses_.end(), 0.0);
  std::vector<int> used(nt, 0);
  run_slices(nt, B, [&](int k, int b0, int nb) {
    TrainWorkspace& ws = ws_[k];
    Seq2SeqWeights& g = grads_[k];
    set_zero(g);
    used[k] = 1;
    seq2seq_forward(w, x + size_t(b0) * T, nb, ws, opts);
    const float* tg = target + size_t(b0) * T * kChannels;
    const float* te = teacher ? teacher + size_t(b0) * T * kChannels : nullptr;
    losses_[k] = mse_loss_forward(ws.y.data(), tg, te, alpha, nb, T, inv);
    mse_loss_backward(ws.y.data(), tg, te, alpha, nb, T, inv, ws.dy.data());
    seq2seq_backward(w, nb, ws, g, opts);
  });
  if (grad.hidden != w.hidden || grad.layers != w.layers || grad.encoder.empty())
    grad = zeros_like(w);
  set_zero(grad);
  double loss = 0.0;
  for (int k = 0; k < nt; ++k) {
    if (!used[k]) continue;
    add_to(grad, grads_[k]);
    loss += losses_[k];
  }
  return loss;
}

void BatchTrainer::forward(const Seq2SeqWeights& w, const float* x, int B, float* y,
                           const ForwardOptions& opts) {
  if (B > max_batch_) throw Error("BatchTrainer: batch larger than max_batch");
  const int T = steps_;
  run_slices(threads(), B, [&](int k, int b0, int nb) {
    seq2seq_forward(w, x + size_t(b0) * T, nb, ws_[k], opts);
    outputs_sample_major(ws_[k], nb, y + size_t(b0) * T * kChannels);
  });
}

}  // namespace flimgru
