// Scoreboard: expected values of the RTL core from the bit-exact integer model
// (ref/model/int_model.hpp run_int_model with IntTrace) and the cycle formula of
// docs/architecture.md.
// The DutDriver reports every state write, output beat and batch start; the scoreboard checks
// value, order and (for state writes) the exact enabled-cycle, and reports failures with seed,
// pixel tag, step, lane, layer, unit and both values.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "int_model.hpp"

namespace flimgru::sim {

struct Pixel {
  std::vector<int32_t> x;  // [kBins] x_q
  uint32_t tag = 0;
};

// Schedule of docs/architecture.md for a core of `mac_rows` rows and the model's H, L.
// Pipeline latencies of the RTL that the schedule depends on:
//   kGateVisible: issue of a row group's last column at (g+1)K-1 -> row m's state write is
//   readable at (g+1)K + kGateVisible + m (MAC_LATENCY 5 cycles MAC/serializer, GATE_LATENCY 12
//   gate unit, 1 RAM write): rtl/core/flimgru_timing.vh, read by CMakeLists.txt, the same
//   numbers the core passes to rtl/core/seq2seq_sequencer.v (GateLat) and rtl/core/gru_gate_unit.v;
//   kHeadOut: head start -> SFD beat of lane 0 is H + kHeadOut cycles later.
#if !defined(FLIMGRU_MAC_LATENCY) || !defined(FLIMGRU_GATE_LATENCY)
#error "FLIMGRU_MAC_LATENCY / FLIMGRU_GATE_LATENCY: defined by CMakeLists.txt from rtl/core/flimgru_timing.vh"
#endif
inline constexpr int kGateVisible = FLIMGRU_MAC_LATENCY + FLIMGRU_GATE_LATENCY;
static_assert(kGateVisible == 17, "docs/architecture.md's schedule formula and tables assume 17");
inline constexpr int kHeadOut = 12;
// MULT18X18D of a core (docs/architecture.md; sim/synth_check.sh ASSERT=1 checks it): the MAC
// array, per lane 2 in the gate unit's requantizers (their high products and the head's
// requantizer are LUT shift-and-add) and 1 for r*hn and z*d when they share it (P <= H - 5,
// rtl/core/gru_gate_unit.v RowGap), else 2; less the MAC rows that multiply in LUTs (lut_rows a lane).
inline int mult18x18d(int lanes, int mac_rows, int hidden, int lut_rows = 0) {
  return lanes * (mac_rows + (mac_rows <= hidden - 5 ? 3 : 4) - lut_rows);
}
struct Schedule {
  int hidden, layers, mac_rows, groups, in_dim;
  // in_dim: the encoder's input columns (1: the TPSF bin; 2: and the IRF bin)
  Schedule(int hidden, int layers, int mac_rows, int in_dim = 1);
  int cols(bool dec, int layer) const;          // K of a layer-step
  int drain(int k) const;                       // Drain(K)
  int layer_step_cycles(bool dec, int layer) const { return groups * cols(dec, layer) + drain(cols(dec, layer)); }
  int64_t batch_cycles() const;                 // enabled cycles between batch starts
  // enabled cycle of the state write of (dec, step, layer, unit), from the batch start
  int64_t write_offset(bool dec, int step, int layer, int unit) const;
  // cycle of the SFD beat of decoder step t, lane 0, from the batch start, with the sinks
  // always ready: the head starts with the layer-step after step t, runs H cycles, needs 11
  // more for products, accumulation and the pipelined requantization (rtl/core/dense_head_lane.v
  // ph0..ph7), then FIFO and skid buffer (+1); lane n
  // follows n cycles later (at the last step each earlier lane's summary beat adds one).
  int64_t sample_offset(int step) const;
};

class Scoreboard {
 public:
  Scoreboard(const QuantModel& m, int lanes, int mac_rows, uint64_t seed);

  // Expectations: pixels in input order; a batch is `lanes` pixels or ends at `last`.
  void expect_batch(const std::vector<Pixel>& pixels);
  // A model with the IRF input (input_width 2): the IRF bins (x_q) of the batches expected from
  // now on, as loaded into the core (DutDriver::load_irf) before their pixels.
  void set_irf(const std::vector<int32_t>& irf) { irf_ = irf; }
  void clear();  // forget everything pending (after a reset)

  // Observations from the DutDriver (cycle = count of enabled cycles since construction).
  void on_batch_start(uint64_t ce_cycle);
  void on_state_write(uint64_t ce_cycle, bool dec, int step, int layer, int unit,
                      const std::vector<int32_t>& lane_values);
  void on_sample(uint64_t ce_cycle, uint32_t tag, int step, const std::array<int32_t, 3>& y);
  // also check the cycle of every SFD beat (only meaningful when the sinks never stall)
  void set_exact_output_timing(bool on) { exact_outputs_ = on; }
  void on_summary(uint32_t tag, const std::array<int64_t, 3>& sum, int64_t cum, const std::array<int32_t, 3>& first);

  bool done() const { return pending_samples_.empty() && pending_summaries_.empty() && write_batch_ == batches_.size(); }
  int failures() const { return failures_; }
  const std::vector<uint64_t>& batch_starts() const { return starts_; }
  const Schedule& schedule() const { return sched_; }
  int64_t writes_checked() const { return writes_checked_; }
  int64_t samples_checked() const { return samples_checked_; }

 private:
  struct Batch {
    std::vector<Pixel> pixels;
    std::vector<IntTrace> traces;
    std::vector<std::vector<int32_t>> y;  // [lane][kBins*3]
  };
  struct Sample { uint32_t tag; int step; std::array<int32_t, 3> y; size_t batch; int lane; };
  struct Summary { uint32_t tag; std::array<int64_t, 3> sum; int64_t cum; std::array<int32_t, 3> first; };
  void fail(const std::string& what);

  const QuantModel& m_;
  std::vector<int32_t> irf_;   // [kBins] for input_width 2
  int lanes_;
  uint64_t seed_;
  Schedule sched_;
  std::vector<Batch> batches_;
  std::deque<Sample> pending_samples_;
  std::deque<Summary> pending_summaries_;
  std::vector<uint64_t> starts_;
  size_t write_batch_ = 0;     // batch the next state write belongs to
  int64_t write_index_ = 0;    // index of the next write within that batch
  int failures_ = 0;
  bool exact_outputs_ = false;
  int64_t writes_checked_ = 0, samples_checked_ = 0;
};

}  // namespace flimgru::sim
