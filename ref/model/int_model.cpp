// int_model: the bit-exact integer Seq2Seq of docs/numerics.md (see int_model.hpp).
#include "int_model.hpp"

#include <cmath>
#include <random>

#include "error.hpp"
#include "fixed_point.hpp"

namespace flimgru {

int64_t round_half_away(double x) { return int64_t(std::llround(x)); }

namespace {

double table_x(int i, int table_bits) {
  const int half = 1 << (table_bits - 1);
  return (i - half + 0.5) * 16.0 / double(1 << table_bits);
}

}  // namespace

std::vector<int32_t> make_sigmoid_table(int table_bits) {
  std::vector<int32_t> t(size_t(1) << table_bits);
  for (size_t i = 0; i < t.size(); ++i)
    t[i] = int32_t(round_half_away(double(kQ1_14) / (1.0 + std::exp(-table_x(int(i), table_bits)))));
  return t;
}

std::vector<int32_t> make_tanh_table(int table_bits) {
  std::vector<int32_t> t(size_t(1) << table_bits);
  for (size_t i = 0; i < t.size(); ++i)
    t[i] = int32_t(round_half_away(double(kQ1_14) * std::tanh(table_x(int(i), table_bits))));
  return t;
}

std::vector<int32_t> state_view(const QuantModel& m, const std::vector<int32_t>& h) {
  std::vector<int32_t> v(h.size());
  for (size_t k = 0; k < h.size(); ++k) v[k] = state_view(m, h[k]);
  return v;
}

void gru_layer_step(const QuantModel& m, const QuantLayer& L, const int32_t* u,
                    std::vector<int32_t>& h) {
  const int H = L.hidden, I = L.in_dim;
  const std::vector<int32_t> hv = state_view(m, h);  // the MAC operands
  std::vector<int32_t> h_new(H);
  for (int j = 0; j < H; ++j) {
    int64_t in[3] = {0, 0, 0}, hh[3] = {0, 0, 0};
    for (int g = 0; g < 3; ++g) {
      const int row = g * H + j;
      for (int c = 0; c < I; ++c) in[g] += int64_t(L.weight(row, c)) * u[c];
      for (int k = 0; k < H; ++k) hh[g] += int64_t(L.weight(row, I + k)) * hv[k];
    }
    const GateSums s{in[0], hh[0], in[1], hh[1], in[2], hh[2]};
    h_new[j] = gru_unit_update(m, L, j, s, h[j]).h;
  }
  h = std::move(h_new);
}

std::array<int32_t, kChannels> dense_head(const QuantModel& m, const std::vector<int32_t>& h_state) {
  const std::vector<int32_t> h = state_view(m, h_state);
  std::array<int32_t, kChannels> y{};
  for (int c = 0; c < kChannels; ++c) {
    int64_t acc = 0;
    for (int k = 0; k < m.hidden; ++k) acc += int64_t(m.head_w[size_t(c) * m.hidden + k]) * h[k];
    y[c] = int32_t(sat(requantize(acc, m.head_m[c], m.rq_shift) + m.head_b[c], 16));
  }
  return y;
}

void run_int_model(const QuantModel& m, const int32_t* x_q, int32_t* y, IntTrace* trace) {
  const int H = m.hidden, Ls = m.layers;
  if (trace) {
    trace->layers = Ls;
    trace->hidden = H;
    trace->enc_h.assign(size_t(kBins) * Ls * H, 0);
    trace->dec_h.assign(size_t(kBins) * Ls * H, 0);
  }
  std::vector<std::vector<int32_t>> h(Ls, std::vector<int32_t>(H, 0));
  auto record = [&](std::vector<int32_t>& dst, int t) {
    for (int l = 0; l < Ls; ++l)
      std::copy(h[l].begin(), h[l].end(), dst.begin() + (size_t(t) * Ls + l) * H);
  };
  for (int t = 0; t < kBins; ++t) {
    for (int l = 0; l < Ls; ++l)
      gru_layer_step(m, m.encoder[l], l == 0 ? &x_q[size_t(t) * m.input_width] : state_view(m, h[l - 1]).data(), h[l]);
    if (trace) record(trace->enc_h, t);
  }
  for (int t = 0; t < kBins; ++t) {
    for (int l = 0; l < Ls; ++l)
      gru_layer_step(m, m.decoder[l], l == 0 ? nullptr : state_view(m, h[l - 1]).data(), h[l]);
    if (trace) record(trace->dec_h, t);
    const auto o = dense_head(m, h.back());
    for (int c = 0; c < kChannels; ++c) y[t * kChannels + c] = o[c];
  }
}

void QuantModel::validate(const std::string& what) const {
  auto fail = [&](const std::string& msg) { throw Error(what + ": " + msg); };
  const QuantFormat f8 = QuantFormat::int8(), f16 = QuantFormat::int16();
  auto same = [](const QuantFormat& a, const QuantFormat& b) {
    return a.weight_bits == b.weight_bits && a.state_bits == b.state_bits &&
           a.frac_bits == b.frac_bits && a.table_bits == b.table_bits;
  };
  if (!same(fmt, f8) && !same(fmt, f16)) fail("unsupported number format");
  if (layers < 1 || layers > 8) fail("layers must be 1..8");
  if (hidden < 1 || hidden > 1024) fail("hidden must be 1..1024");
  if (input_width < 1 || input_width > 2) fail("input_width must be 1 or 2");
  if (rq_shift < 0 || rq_shift > 48) fail("requantization shift must be 0..48");
  const int64_t wmax = (int64_t(1) << (fmt.weight_bits - 1)) - 1;
  auto check_w = [&](const std::vector<int32_t>& w, size_t n, const std::string& name) {
    if (w.size() != n) fail(name + " has " + std::to_string(w.size()) + " weights, expected " + std::to_string(n));
    for (size_t i = 0; i < n; ++i)
      if (w[i] < -wmax || w[i] > wmax) fail(name + " weight " + std::to_string(i) + " = " + std::to_string(w[i]) + " is out of range");
  };
  auto check_m = [&](uint32_t mm, const std::string& name) {
    if (mm < 1 || mm > 65535) fail(name + " multiplier " + std::to_string(mm) + " is outside 1..65535");
  };
  auto check_b = [&](const std::vector<int32_t>& b, const std::string& name) {
    if (b.size() != size_t(hidden)) fail(name + " has the wrong length");
    for (auto v : b) if (v < -32768 || v > 32767) fail(name + " bias " + std::to_string(v) + " is out of int16 range");
  };
  for (int part = 0; part < 2; ++part) {
    const auto& stack = part == 0 ? encoder : decoder;
    if (int(stack.size()) != layers) fail("wrong number of layers");
    for (int l = 0; l < layers; ++l) {
      const auto& L = stack[l];
      const std::string name = std::string(part == 0 ? "enc" : "dec") + "_l" + std::to_string(l);
      const int want_in = (part == 1 && l == 0) ? 0 : (l == 0 ? input_width : hidden);
      if (L.in_dim != want_in || L.hidden != hidden) fail(name + " has the wrong dimensions");
      check_w(L.w, size_t(3 * hidden) * L.cols(), name);
      if (L.m.size() != size_t(3 * hidden)) fail(name + " has the wrong number of multipliers");
      for (auto mm : L.m) check_m(mm, name);
      check_b(L.b_r, name + " b_r"); check_b(L.b_z, name + " b_z");
      check_b(L.b_in, name + " b_in"); check_b(L.b_hn, name + " b_hn");
    }
  }
  check_w(head_w, size_t(kChannels) * hidden, "head");
  for (auto mm : head_m) check_m(mm, "head");
  for (auto b : head_b) if (b < -32768 || b > 32767) fail("head bias out of int16 range");
  const size_t tn = size_t(1) << fmt.table_bits;
  if (sigmoid_table.size() != tn || tanh_table.size() != tn) fail("activation tables have the wrong size");
  for (auto v : sigmoid_table) if (v < 0 || v > kQ1_14) fail("sigmoid table entry out of range");
  for (auto v : tanh_table) if (v < -kQ1_14 || v > kQ1_14) fail("tanh table entry out of range");
}

int64_t QuantModel::macs_per_tpsf() const {
  int64_t per_step = 0;
  for (const auto& L : encoder) per_step += int64_t(3 * hidden) * L.cols();
  for (const auto& L : decoder) per_step += int64_t(3 * hidden) * L.cols();
  per_step += int64_t(kChannels) * hidden;
  return per_step * kBins;
}

QuantModel random_quant_model(int layers, int hidden, uint64_t seed, bool extreme, QuantFormat fmt,
                              int input_width) {
  std::mt19937_64 rng(seed);
  QuantModel m;
  m.fmt = fmt;
  m.layers = layers;
  m.hidden = hidden;
  m.input_width = input_width;
  const int wmax = (1 << (fmt.weight_bits - 1)) - 1;
  // Pick S and multipliers so a typical accumulator lands in the tables' active range
  // (pre-activation of a few units), with some rows driven into saturation.
  m.rq_shift = fmt.weight_bits == 8 ? 20 : 36;
  std::uniform_int_distribution<int> w_dist(-wmax, wmax), sign(0, 1);
  std::uniform_int_distribution<uint32_t> m_dist(200, 65535);
  std::uniform_int_distribution<int> b_dist(-8192, 8192), b_ext(-32768, 32767);
  auto weight = [&]() { return extreme ? (sign(rng) ? wmax : -wmax) : w_dist(rng); };
  auto make = [&](int in_dim) {
    QuantLayer L;
    L.in_dim = in_dim;
    L.hidden = hidden;
    L.w.resize(size_t(3 * hidden) * L.cols());
    for (auto& v : L.w) v = weight();
    L.m.resize(3 * hidden);
    for (auto& v : L.m) v = extreme ? 65535 : m_dist(rng);
    for (auto* b : {&L.b_r, &L.b_z, &L.b_in, &L.b_hn}) {
      b->resize(hidden);
      for (auto& v : *b) v = extreme ? b_ext(rng) : b_dist(rng);
    }
    return L;
  };
  for (int l = 0; l < layers; ++l) {
    m.encoder.push_back(make(l == 0 ? input_width : hidden));
    m.decoder.push_back(make(l == 0 ? 0 : hidden));
  }
  m.head_w.resize(size_t(kChannels) * hidden);
  for (auto& v : m.head_w) v = weight();
  for (auto& v : m.head_m) v = extreme ? 65535 : m_dist(rng);
  for (auto& v : m.head_b) v = extreme ? b_ext(rng) : b_dist(rng);
  m.sigmoid_table = make_sigmoid_table(fmt.table_bits);
  m.tanh_table = make_tanh_table(fmt.table_bits);
  return m;
}

}  // namespace flimgru
