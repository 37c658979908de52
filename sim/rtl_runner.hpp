// CoreRunner: streams quantized TPSFs through one verilated flimgru_core (class V) and collects
// its SFD stream, without a scoreboard: the engine of `flimgru infer --backend rtl`, of
// `make sim` (FST trace) and of the RTL rows of `make bench`.
//   Input: back-to-back bins (valid every cycle unless stalled), pixel tags = index mod 2^16,
//   s_x_last_i on the final pixel when it closes a short batch. Output: y_q [n][kBins][3]
//   (Q5.10, channel order y0, y1, y2 as the integer model), one summary beat per pixel checked
//   for presence. Optional random valid/ready stalls (probabilities per cycle).
#pragma once
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tpsf.hpp"
#include "verilated_core.hpp"

namespace flimgru::sim {

struct RunStats {
  uint64_t cycles = 0;      // clock cycles from the end of reset to the last output beat
  uint64_t ce_cycles = 0;   // of which the core's clock enable was high
  std::vector<uint64_t> batch_starts;  // clock cycle of every dbg_batch_start_o
};

template <class V>
class CoreRunner {
 public:
  // rom_dir: the ROM set read by $readmemh (+rom_dir=); fst: trace file ("" = none)
  CoreRunner(const std::string& rom_dir, int lanes, const std::string& fst = "", uint64_t seed = 1)
      : core_(rom_dir, fst), lanes_(lanes), rng_(seed) {
    core_.reset(4);
  }

  void set_stalls(double in_valid_p, double out_ready_p) { in_p_ = in_valid_p; out_p_ = out_ready_p; }

  // x_q [n][kBins] (int8 values) -> y_q [n][kBins][kChannels]
  void run(const int32_t* x_q, size_t n, int32_t* y_q, RunStats* st = nullptr) {
    if (n == 0) return;
    std::vector<int> got(n, 0);
    std::vector<char> sum_seen(n, 0);
    size_t in_pix = 0, in_bin = 0, done = 0, oldest = 0;
    const uint64_t c0 = core_.cycles(), ce0 = core_.ce_cycles();
    uint64_t idle = 0;
    if (st) st->batch_starts.clear();
    auto index_of = [&](uint32_t tag) {
      const size_t p = oldest + ((tag - uint32_t(oldest)) & 0xffffu);
      if (p >= n) throw std::runtime_error("rtl: output tag " + std::to_string(tag) + " of no pixel in flight");
      return p;
    };
    while (done < n) {
      const bool offer = in_pix < n && (in_p_ >= 1.0 || coin_(rng_) < in_p_);
      core_->s_x_valid_i = offer;
      if (offer) {
        core_->s_x_data_i = uint8_t(x_q[in_pix * kBins + in_bin]);
        core_->s_x_tag_i = uint32_t(in_pix & 0xffff);
        core_->s_x_last_i = in_pix + 1 == n && in_bin == kBins - 1 && n % lanes_ != 0;
      }
      core_->m_y_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
      core_->m_sum_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
      core_.fall();
      bool progress = false;
      if (st && core_->dbg_batch_start_o) st->batch_starts.push_back(core_.cycles() - c0);
      if (core_->m_y_valid_o && core_->m_y_ready_i) {
        const size_t p = index_of(core_->m_y_tag_o);
        const int t = core_->m_y_step_o;
        const uint64_t d = core_->m_y_data_o;
        for (int c = 0; c < kChannels; ++c)
          y_q[(p * kBins + t) * kChannels + c] = int32_t(int16_t(uint16_t(d >> (16 * c))));
        ++got[p];
        progress = true;
      }
      if (core_->m_sum_valid_o && core_->m_sum_ready_i) {
        sum_seen[index_of(core_->m_sum_tag_o)] = 1;
        progress = true;
      }
      const bool in_fire = offer && core_->s_x_ready_o;
      core_.rise();
      if (in_fire) {
        progress = true;
        if (++in_bin == kBins) in_bin = 0, ++in_pix;
      }
      while (oldest < n && got[oldest] == kBins && sum_seen[oldest]) ++oldest, ++done;
      idle = progress ? 0 : idle + 1;
      if (idle > 50'000'000) throw std::runtime_error("rtl: the core made no progress for 50M cycles");
    }
    if (st) {
      st->cycles = core_.cycles() - c0;
      st->ce_cycles = core_.ce_cycles() - ce0;
    }
  }

  uint64_t cycles() const { return core_.cycles(); }
  V* top() { return core_.top(); }

 private:
  VerilatedCore<V> core_;
  int lanes_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  double in_p_ = 1.0, out_p_ = 1.0;
};

}  // namespace flimgru::sim
