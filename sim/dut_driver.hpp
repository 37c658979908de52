// DutDriver: clock, reset, input/output stall patterns and optional FST trace around one
// verilated flimgru_core configuration (class V). Every cycle it reports the core's state
// writes, output beats and batch starts to the Scoreboard.
//   TRACE=1 in the environment writes <name>.fst in the working directory.
#pragma once
#include <verilated.h>
#include <verilated_fst_c.h>

#include <array>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>

#include "scoreboard.hpp"
#include "tpsf.hpp"

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
      : sb_(sb), lanes_(lanes), rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    const std::string arg = "+rom_dir=" + rom_dir;
    const char* argv[] = {"flimgru_rtl_tests", arg.c_str()};
    ctx_->commandArgs(2, argv);
    const char* tr = std::getenv("TRACE");
    if (tr && std::string(tr) == "1") ctx_->traceEverOn(true);
    top_ = std::make_unique<V>(ctx_.get());
    if (tr && std::string(tr) == "1") {
      fst_ = std::make_unique<VerilatedFstC>();
      top_->trace(fst_.get(), 99);
      fst_->open((name + ".fst").c_str());
    }
    top_->clk_i = 0;
    top_->rst_i = 1;
    top_->s_x_valid_i = 0;
    top_->m_y_ready_i = 0;
    top_->m_sum_ready_i = 0;
    top_->eval();
  }
  ~DutDriver() {
    if (fst_) fst_->close();
    top_->final();
  }

  // probability that the source offers a beat / the sinks accept one, per cycle
  void set_stalls(double in_valid_p, double out_ready_p) {
    in_p_ = in_valid_p;
    out_p_ = out_ready_p;
  }

  // drive s_x_flush_i while no bin is queued (closes a partial batch, as a board does when idle)
  void set_flush_when_idle(bool on) { flush_idle_ = on; }

  void reset(int cycles = 4) {
    input_.clear();
    top_->rst_i = 1;
    for (int i = 0; i < cycles; ++i) tick();
    top_->rst_i = 0;
  }

  // queue a pixel's bins; `last` closes a short batch
  void push_pixel(const Pixel& p, bool last) {
    for (int k = 0; k < kBins; ++k) input_.push_back({uint8_t(p.x[k]), p.tag, last && k == kBins - 1});
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
    top_->s_x_valid_i = offer;
    if (offer) {
      top_->s_x_data_i = input_.front().data;
      top_->s_x_tag_i = input_.front().tag;
      top_->s_x_last_i = input_.front().last;
    }
    top_->s_x_flush_i = flush_idle_ && input_.empty();
    top_->m_y_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
    top_->m_sum_ready_i = out_p_ >= 1.0 || coin_(rng_) < out_p_;
    top_->clk_i = 0;
    top_->eval();
    observe();
    const bool in_fire = offer && top_->s_x_ready_o;
    if (fst_) fst_->dump(ctx_->time());
    ctx_->timeInc(5);
    top_->clk_i = 1;
    top_->eval();
    if (fst_) fst_->dump(ctx_->time());
    ctx_->timeInc(5);
    if (in_fire) input_.pop_front();
    ++cycles_;
    if (ce_now_) ++ce_cycles_;
  }

  V* top() { return top_.get(); }
  uint64_t cycles() const { return cycles_; }
  uint64_t ce_cycles() const { return ce_cycles_; }

 private:
  struct Bin { uint8_t data; uint32_t tag; bool last; };

  void observe() {
    ce_now_ = top_->dbg_ce_o && !top_->rst_i;
    if (top_->rst_i) return;
    if (top_->dbg_batch_start_o) sb_->on_batch_start(ce_cycles_);
    if (top_->dbg_h_we_o) {
      std::vector<int32_t> v(lanes_);
      for (int l = 0; l < lanes_; ++l) v[l] = int32_t(sext(port_bits(top_->dbg_h_data_o, 16 * l, 16), 16));
      sb_->on_state_write(ce_cycles_, top_->dbg_h_dec_o, top_->dbg_h_step_o, top_->dbg_h_layer_o,
                          top_->dbg_h_unit_o, v);
    }
    if (top_->m_y_valid_o && top_->m_y_ready_i) {
      const uint64_t d = top_->m_y_data_o;
      sb_->on_sample(ce_cycles_, top_->m_y_tag_o, top_->m_y_step_o,
                     {int32_t(sext(d & 0xffff, 16)), int32_t(sext((d >> 16) & 0xffff, 16)),
                      int32_t(sext((d >> 32) & 0xffff, 16))});
    }
    if (top_->m_sum_valid_o && top_->m_sum_ready_i) {
      std::array<int64_t, 3> sum;
      for (int c = 0; c < 3; ++c) sum[c] = sext(wide_bits(top_->m_sum_data_o, 24 * c, 24), 24);
      const uint64_t f = top_->m_sum_first_o;
      sb_->on_summary(top_->m_sum_tag_o, sum,
                      {int32_t(sext(f & 0xffff, 16)), int32_t(sext((f >> 16) & 0xffff, 16)),
                       int32_t(sext((f >> 32) & 0xffff, 16))});
    }
  }

  Scoreboard* sb_;
  int lanes_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  std::unique_ptr<VerilatedFstC> fst_;
  std::deque<Bin> input_;
  double in_p_ = 1.0, out_p_ = 1.0;
  bool ce_now_ = false, flush_idle_ = false;
  uint64_t cycles_ = 0, ce_cycles_ = 0;
};

}  // namespace flimgru::sim
