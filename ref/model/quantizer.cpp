// quantizer: see quantizer.hpp and docs/numerics.md §3.
#include "quantizer.hpp"

#include <cmath>

#include "error.hpp"
#include "fixed_point.hpp"
#include "preprocess.hpp"

namespace flimgru {

nlohmann::json QuantReport::to_json() const {
  return {{"rq_shift", rq_shift},
          {"min_multiplier", min_multiplier},
          {"max_weight_error", max_weight_error},
          {"saturated_biases", saturated_biases}};
}

namespace {

struct RowScale {
  std::vector<double> s;  // per row
};

double row_scale(const float* row, int n, int wmax) {
  double mx = 0;
  for (int i = 0; i < n; ++i) mx = std::max(mx, double(std::fabs(row[i])));
  return mx > 0 ? mx / wmax : 1.0;
}

}  // namespace

QuantModel quantize(const Seq2SeqWeights& w, QuantFormat fmt, QuantReport* report) {
  const int H = w.hidden, F = fmt.frac_bits;
  const int wmax = (1 << (fmt.weight_bits - 1)) - 1;
  QuantModel m;
  m.fmt = fmt;
  m.layers = w.layers;
  m.hidden = H;
  m.input_width = w.input_width;
  QuantReport rep;

  // Gather every row (concatenated [U_j W_j]) with its scale; decoder layer 0 drops U.
  struct Row { std::vector<float> v; double s; };
  auto layer_rows = [&](const GruLayer& g, bool keep_input) {
    std::vector<Row> rows(3 * H);
    for (int r = 0; r < 3 * H; ++r) {
      std::vector<float> full;
      for (int c = 0; c < g.w_ih.cols(); ++c) full.push_back(g.w_ih(r, c));
      for (int c = 0; c < H; ++c) full.push_back(g.w_hh(r, c));
      // The scale covers the whole row (U included) even when U is not stored, so that a
      // zero input stays exactly zero and the stored part is identical either way.
      rows[r].s = row_scale(full.data(), int(full.size()), wmax);
      rows[r].v = keep_input ? full : std::vector<float>(full.begin() + g.w_ih.cols(), full.end());
    }
    return rows;
  };
  std::vector<std::vector<Row>> enc, dec;
  for (int l = 0; l < w.layers; ++l) {
    enc.push_back(layer_rows(w.encoder[l], true));
    dec.push_back(layer_rows(w.decoder[l], l > 0));
  }
  std::vector<Row> head(kChannels);
  for (int c = 0; c < kChannels; ++c) {
    head[c].v.assign(w.head_w.row(c).data(), w.head_w.row(c).data() + H);
    head[c].s = row_scale(head[c].v.data(), H, wmax);
  }

  // One shift for the whole model: the largest S with round(max f_j · 2^S) <= 65535.
  const double f_scale = std::ldexp(1.0, 10 - F);
  double fmax = 0;
  auto visit = [&](auto&& fn) {
    for (auto* stack : {&enc, &dec})
      for (auto& rows : *stack)
        for (auto& r : rows) fn(r);
    for (auto& r : head) fn(r);
  };
  visit([&](Row& r) { fmax = std::max(fmax, r.s * f_scale); });
  int S = 48;
  while (S > 0 && std::llround(fmax * std::ldexp(1.0, S)) > 65535) --S;
  m.rq_shift = S;
  rep.rq_shift = S;
  rep.min_multiplier = 65535;

  auto mult = [&](double s) {
    const int64_t v = std::max<int64_t>(1, std::llround(s * f_scale * std::ldexp(1.0, S)));
    rep.min_multiplier = std::min<uint32_t>(rep.min_multiplier, uint32_t(v));
    return uint32_t(v);
  };
  auto qweight = [&](float v, double s) {
    const int64_t q = round_half_away(v / s);
    return int32_t(std::max<int64_t>(-wmax, std::min<int64_t>(wmax, q)));
  };
  auto qbias = [&](double b) {
    const int64_t q = round_half_away(double(kQ5_10) * b);
    if (q < -32768 || q > 32767) ++rep.saturated_biases;
    return int32_t(sat(q, 16));
  };
  auto build = [&](const GruLayer& g, const std::vector<Row>& rows, int in_dim) {
    QuantLayer L;
    L.in_dim = in_dim;
    L.hidden = H;
    for (int r = 0; r < 3 * H; ++r) {
      for (float v : rows[r].v) L.w.push_back(qweight(v, rows[r].s));
      L.m.push_back(mult(rows[r].s));
    }
    for (int j = 0; j < H; ++j) {
      L.b_r.push_back(qbias(double(g.b_ih[j]) + g.b_hh[j]));
      L.b_z.push_back(qbias(double(g.b_ih[H + j]) + g.b_hh[H + j]));
      L.b_in.push_back(qbias(g.b_ih[2 * H + j]));
      L.b_hn.push_back(qbias(g.b_hh[2 * H + j]));
    }
    return L;
  };
  for (int l = 0; l < w.layers; ++l) {
    m.encoder.push_back(build(w.encoder[l], enc[l], w.encoder_input_size(l)));
    m.decoder.push_back(build(w.decoder[l], dec[l], l == 0 ? 0 : H));
  }
  for (int c = 0; c < kChannels; ++c) {
    for (float v : head[c].v) m.head_w.push_back(qweight(v, head[c].s));
    m.head_m[c] = mult(head[c].s);
    m.head_b[c] = qbias(w.head_b[c]);
  }
  m.sigmoid_table = make_sigmoid_table(fmt.table_bits);
  m.tanh_table = make_tanh_table(fmt.table_bits);
  m.validate("quantized model");

  // Largest deviation of an effective weight from its float value.
  for (int l = 0; l < w.layers; ++l) {
    const auto& L = m.encoder[l];
    for (int r = 0; r < 3 * H; ++r)
      for (int c = 0; c < L.cols(); ++c)
        rep.max_weight_error = std::max(rep.max_weight_error,
                                        std::fabs(effective_weight(m, L, r, c) - enc[l][r].v[c]));
  }
  if (report) *report = rep;
  return m;
}

double effective_weight(const QuantModel& m, const QuantLayer& L, int row, int col) {
  return double(L.weight(row, col)) * L.m[row] * std::ldexp(1.0, -(m.rq_shift + 10 - m.fmt.frac_bits));
}

void quantize_input(const QuantFormat& fmt, const float* x, int32_t* x_q) {
  for (int k = 0; k < kBins; ++k) x_q[k] = quantize_value(x[k], fmt.frac_bits, fmt.state_bits);
}

}  // namespace flimgru
