// DutDriver: queued input bins and random input/output stall patterns around one
// VerilatedCore (clock, reset, trace) of a flimgru_core configuration (class V). Every cycle it
// reports the core's state writes, output beats and batch starts to the Scoreboard.
//   TRACE=1 in the environment writes <name>.fst in the working directory.
#pragma once
#include <array>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <type_traits>

#include "scoreboard.hpp"
#include "tpsf.hpp"
#include "verilated_core.hpp"

namespace flimgru::sim {

// a 72-bit (or any) verilated wide port: bits [lo, lo+n) as an integer
template <class W>
inline uint64_t wide_bits(const W& w, int lo, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t((w[(lo + i) / 32] >> ((lo + i) % 32)) & 1u) << i;
  return v;
}
// bits [lo, lo+n) of a verilated port of any width (integral or VlWide)
template <class T>
inline uint64_t port_bits(const T& p, int lo, int n) {
  if constexpr (std::is_integral_v<T>) {
    return (uint64_t(p) >> lo) & (n >= 64 ? ~0ull : ((1ull << n) - 1));
  } else {
    return wide_bits(p, lo, n);
  }
}
inline int64_t sext(uint64_t v, int bits) {
  return int64_t(v << (64 - bits)) >> (64 - bits);
}

template <class V>
class DutDriver {
 public:
  DutDriver(const std::string& name, const std::string& rom_dir, Scoreboard* sb, int lanes,
            uint64_t seed)
      : core_(rom_dir, trace_file(name)), sb_(sb), lanes_(lanes), rng_(seed) {}

  // probability that the source offers a beat / the sinks accept one, per cycle
  void set_stalls(double in_valid_p, double out_ready_p) {
    in_p_ = in_valid_p;
    out_p_ = out_ready_p;
  }

  // drive s_x_flush_i while no bin is queued (closes a partial batch, as a board does when idle)
  void set_flush_when_idle(bool on) { flush_idle_ = on; }

  void reset(int cycles = 4) {
    input_.clear();
    core_.reset(cycles);
  }

  // queue a pixel's bins; `last` closes a short batch
  void push_pixel(const Pixel& p, bool last) {
    for (int k = 0; k < kBins; ++k)
      input_.push_back({uint8_t(p.x[k]), p.tag, last && k == kBins - 1, false});
  }
  // queue an IRF load (kBins x_q, a model with the IRF input): offered on s_irf_* once every bin
  // queued before it is taken, and the pixels queued after it wait until it is taken
  void load_irf(const std::vector<int32_t>& irf) {
    for (int k = 0; k < kBins; ++k) input_.push_back({uint8_t(irf[k]), 0, false, true});
  }

  // run until the scoreboard has seen everything (true) or max_cycles pass (false)
  bool run(uint64_t max_cycles) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
      if (sb_->done() && input_.empty()) return true;
      tick();
    }
    return sb_->done();
  }

  void tick() {
    // drive this cycle's inputs
    const bool offer = !input_.empty() && (in_p_ >= 1.0 || coin_(rng_) < in_p_);
    const bool irf = offer && input_.front().irf;
    core_->s_x_valid_i = offer && !irf;
    core_->s_irf_valid_i = irf;
    if (offer) {
      core_->s_x_data_i = input_.front().data;
      core_->s_x_tag_i = input_.front().tag;
      core_->s_x_last_i = input_.front().last;
      core_->s_irf_data_i = input_.front().data;
    }
    core_->s_x_flush_i = flush_idle_ && input_.empty();
    core_->m_y_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
    core_->m_sum_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
    core_.fall();
    observe();
    const bool in_fire = offer && (irf ? core_->s_irf_ready_o : core_->s_x_ready_o);
    core_.rise();
    if (in_fire) input_.pop_front();
  }

  V* top() { return core_.top(); }
  uint64_t cycles() const { return core_.cycles(); }
  uint64_t ce_cycles() const { return core_.ce_cycles(); }

 private:
  struct Bin { uint8_t data; uint32_t tag; bool last; bool irf; };  // irf: an IRF load's bin

  void observe() {
    if (core_->rst_i) return;
    const uint64_t ce_cycles = core_.ce_cycles();
    if (core_->dbg_batch_start_o) sb_->on_batch_start(ce_cycles);
    if (core_->dbg_h_we_o) {
      std::vector<int32_t> v(lanes_);
      for (int l = 0; l < lanes_; ++l) v[l] = int32_t(sext(port_bits(core_->dbg_h_data_o, 16 * l, 16), 16));
      sb_->on_state_write(ce_cycles, core_->dbg_h_dec_o, core_->dbg_h_step_o, core_->dbg_h_layer_o,
                          core_->dbg_h_unit_o, v);
    }
    if (core_->m_y_valid_o && core_->m_y_ready_i) {
      const uint64_t d = core_->m_y_data_o;
      sb_->on_sample(ce_cycles, core_->m_y_tag_o, core_->m_y_step_o,
                     {int32_t(sext(d & 0xffff, 16)), int32_t(sext((d >> 16) & 0xffff, 16)),
                      int32_t(sext((d >> 32) & 0xffff, 16))});
    }
    if (core_->m_sum_valid_o && core_->m_sum_ready_i) {
      std::array<int64_t, 3> sum;
      for (int c = 0; c < 3; ++c) sum[c] = sext(wide_bits(core_->m_sum_data_o, 24 * c, 24), 24);
      const int64_t cum = sext(wide_bits(core_->m_sum_data_o, 72, 32), 32);
      const uint64_t f = core_->m_sum_first_o;
      sb_->on_summary(core_->m_sum_tag_o, sum, cum,
                      {int32_t(sext(f & 0xffff, 16)), int32_t(sext((f >> 16) & 0xffff, 16)),
                       int32_t(sext((f >> 32) & 0xffff, 16))});
    }
  }

  // TRACE=1 in the environment: trace to <name>.fst
  static std::string trace_file(const std::string& name) {
    const char* tr = std::getenv("TRACE");
    return tr && std::string(tr) == "1" ? name + ".fst" : "";
  }

  VerilatedCore<V> core_;
  Scoreboard* sb_;
  int lanes_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  std::deque<Bin> input_;
  double in_p_ = 1.0, out_p_ = 1.0;
  bool flush_idle_ = false;
};

}  // namespace flimgru::sim
