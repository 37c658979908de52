// int_model: the bit-exact integer Seq2Seq of docs/numerics.md, the golden model of the RTL.
//
// One function per RTL block, so that a mismatch in the harness names one block:
//   requantize()      ↔ the requantizer in the gate unit (numerics §4)
//   table_index()     ↔ the activation-table address (§6)
//   gru_unit_update() ↔ rtl/core/gru_gate_unit.v (§5): one unit's r, z, n and new state
//   dense_head()      ↔ the Dense(3) head (§7)
//   run_int_model()   ↔ the whole core: encoder, decoder, head, with per-step traces.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tpsf.hpp"

namespace flimgru {

struct QuantFormat {
  int weight_bits = 8;  // WB
  int state_bits = 8;   // SB: storage bits of state and input
  int frac_bits = 7;    // F: fractional bits of state and input
  int table_bits = 10;  // TB
  static QuantFormat int8() { return {8, 8, 7, 10}; }
  static QuantFormat int16() { return {16, 16, 14, 12}; }
  std::string name() const { return weight_bits == 8 ? "int8" : "int16"; }
};

// One GRU layer, rows in PyTorch order (row = gate*H + unit, gates r, z, n),
// columns: the layer's input columns first, then the hidden columns.
struct QuantLayer {
  int in_dim = 0;                 // stored input columns (0 for decoder layer 0: input is zero)
  int hidden = 0;
  std::vector<int32_t> w;         // [3H][in_dim + H]
  std::vector<uint32_t> m;        // [3H] requantization multipliers (1 … 65535)
  std::vector<int32_t> b_r, b_z, b_in, b_hn;  // [H] biases, Q5.10
  int cols() const { return in_dim + hidden; }
  int32_t weight(int row, int col) const { return w[size_t(row) * cols() + col]; }
};

struct QuantModel {
  QuantFormat fmt;
  int layers = 1;
  int hidden = 32;
  int input_width = 1;                 // encoder layer 0 input columns: 1 (x) or 2 (x, IRF)
  int rq_shift = 0;                    // S, one for the whole model
  std::vector<QuantLayer> encoder;     // [layers]
  std::vector<QuantLayer> decoder;     // [layers]
  std::vector<int32_t> head_w;         // [3][H]
  std::array<uint32_t, kChannels> head_m{};
  std::array<int32_t, kChannels> head_b{};
  std::vector<int32_t> sigmoid_table;  // [2^TB], Q1.14
  std::vector<int32_t> tanh_table;     // [2^TB], Q1.14

  // Structural checks (sizes, ranges of every field); throws flimgru::Error naming `what`.
  void validate(const std::string& what) const;
  int64_t macs_per_tpsf() const;       // multiply-accumulates the RTL performs per TPSF
};

// Per-step record of every hidden state (the 16-bit Q1.14 state), for the harness.
struct IntTrace {
  int layers = 0, hidden = 0;
  std::vector<int32_t> enc_h;  // [kBins][layers][H], state after each encoder step
  std::vector<int32_t> dec_h;  // [kBins][layers][H], state after each decoder step
  int32_t enc(int step, int layer, int unit) const {
    return enc_h[(size_t(step) * layers + layer) * hidden + unit];
  }
  int32_t dec(int step, int layer, int unit) const {
    return dec_h[(size_t(step) * layers + layer) * hidden + unit];
  }
};

// Integer helpers of docs/numerics.md. sat, rshr, requantize and table_index are inline so that
// the batched QAT forward (batch_forward.cpp) runs these same definitions in vectorised loops.
// sat_N: clamp to the signed N-bit range.
inline int64_t sat(int64_t x, int bits) {
  const int64_t hi = (int64_t(1) << (bits - 1)) - 1, lo = -(int64_t(1) << (bits - 1));
  return x < lo ? lo : (x > hi ? hi : x);
}
// Rounding arithmetic right shift (round to nearest, ties towards +infinity).
inline int64_t rshr(int64_t x, int s) { return s == 0 ? x : (x + (int64_t(1) << (s - 1))) >> s; }
int64_t round_half_away(double x);
// The requantizer (§4): rshr(acc · M, S).
inline int64_t requantize(int64_t acc, uint32_t m, int shift) { return rshr(acc * int64_t(m), shift); }
// The activation-table address (§6).
inline int table_index(int64_t p, int table_bits) {
  const int64_t half = int64_t(1) << (table_bits - 1);
  int64_t i = p >> (14 - table_bits);
  if (i < -half) i = -half;
  if (i > half - 1) i = half - 1;
  return int(i + half);
}
std::vector<int32_t> make_sigmoid_table(int table_bits);
std::vector<int32_t> make_tanh_table(int table_bits);

// The MAC operand of a state value (§2): sat_SB(rshr(h, 14 - F)); int8: rshr(h, 7) to Q0.7.
inline int32_t state_view(const QuantModel& m, int32_t h) {
  return int32_t(sat(rshr(h, 14 - m.fmt.frac_bits), m.fmt.state_bits));
}
std::vector<int32_t> state_view(const QuantModel& m, const std::vector<int32_t>& h);

// One unit's update (§5): partial sums of its r, z, n rows, old state (Q1.14) -> new state.
struct GateSums {
  int64_t in_r = 0, h_r = 0, in_z = 0, h_z = 0, in_n = 0, h_n = 0;
};
struct UnitResult {
  int32_t p_r, p_z, r, z, hn, p_n, n, h;  // every intermediate, for debugging
};
// Inline: the batched QAT forward (batch_forward.cpp) runs it for all units of a step in one
// vectorised loop.
inline UnitResult gru_unit_update(const QuantModel& m, const QuantLayer& L, int j,
                                  const GateSums& s, int32_t h_old) {
  const int H = L.hidden, S = m.rq_shift, TB = m.fmt.table_bits;
  UnitResult o;
  o.p_r = int32_t(sat(requantize(s.in_r + s.h_r, L.m[j], S) + L.b_r[j], 16));
  o.p_z = int32_t(sat(requantize(s.in_z + s.h_z, L.m[H + j], S) + L.b_z[j], 16));
  o.r = m.sigmoid_table[table_index(o.p_r, TB)];
  o.z = m.sigmoid_table[table_index(o.p_z, TB)];
  const uint32_t mn = L.m[2 * H + j];
  o.hn = int32_t(sat(requantize(s.h_n, mn, S) + L.b_hn[j], 16));
  o.p_n = int32_t(sat(requantize(s.in_n, mn, S) + L.b_in[j] + rshr(int64_t(o.r) * o.hn, 14), 16));
  o.n = m.tanh_table[table_index(o.p_n, TB)];
  const int64_t d = int64_t(h_old) - o.n;
  o.h = int32_t(sat(o.n + rshr(int64_t(o.z) * d, 14), 16));
  return o;
}

// One GRU step of a layer: input vector u (operands, size in_dim, ignored when in_dim == 0),
// state h (Q1.14, updated in place; its view is the operand of the hidden columns).
void gru_layer_step(const QuantModel& m, const QuantLayer& layer, const int32_t* u,
                    std::vector<int32_t>& h);

// Dense(3) head on the view of the top decoder state (§7).
std::array<int32_t, kChannels> dense_head(const QuantModel& m, const std::vector<int32_t>& h);

// The whole Seq2Seq on one quantized input sequence x_q [kBins][m.input_width] (width 2: x_q and
// the quantized IRF of each step, §8); writes y [kBins][3] (Q5.10).
void run_int_model(const QuantModel& m, const int32_t* x_q, int32_t* y, IntTrace* trace = nullptr);

// Random integer model for tests: weights uniform over the full range (or all at +max/-max
// when `extreme`), biases, multipliers and shift drawn so that both saturation and the
// linear regions of the tables are exercised.
QuantModel random_quant_model(int layers, int hidden, uint64_t seed, bool extreme = false,
                              QuantFormat fmt = QuantFormat::int8(), int input_width = 1);

}  // namespace flimgru
