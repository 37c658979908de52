// FrontendDut: one verilated rtl/frontend/frontend_top configuration (class V) driven with an
// event stream: random valid gaps on the input and ready gaps on the output (seeded), every
// output beat collected into FrontendPixel records, the cycles counted, the counters read.
#pragma once
#include <verilated.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "frontend.hpp"
#include "frontend_ports.hpp"
#include "verify_context.hpp"

namespace flimgru::sim {

struct DriveOptions {
  double input_gap = 0;    // probability that the source holds valid low in a cycle
  double output_stall = 0; // probability that the sink holds ready low in a cycle
  uint64_t seed = 1;
  uint64_t max_idle = 400000;  // cycles without an event taken or a beat out before giving up
};

struct DriveResult {
  std::vector<FrontendPixel> pixels;
  FrontendCounters counters;
  uint64_t cycles_to_last_event = 0;  // first cycle offered … the cycle the last event was taken
  uint64_t cycles = 0;                // … the last beat out
  bool timed_out = false;
  std::string error;                  // a malformed output stream (beats out of order)
};

template <class V>
class FrontendDut {
 public:
  explicit FrontendDut(const FrontendConfig& c) : c_(c) {
    ctx_ = std::make_unique<VerilatedContext>();
    apply_verify_settings(*ctx_);
    top_ = std::make_unique<V>(ctx_.get());
    top_->clk_i = 0;
    top_->rst_i = 1;
    top_->s_valid_i = 0;
    top_->m_ready_i = 0;
    set_frontend_config(*top_, c);
    for (int i = 0; i < 4; ++i) tick();
    top_->rst_i = 0;
  }
  ~FrontendDut() {
    top_->final();
    write_coverage(*ctx_);
  }

  DriveResult drive(const std::vector<Event>& events, const DriveOptions& o) {
    DriveResult r;
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> u(0, 1);
    size_t next = 0;
    uint64_t idle = 0, cycle = 0;
    FrontendPixel cur;
    int expect_bin = 0;
    while (idle < o.max_idle) {
      const bool offer = next < events.size() && !(o.input_gap > 0 && u(rng) < o.input_gap);
      top_->s_valid_i = offer;
      if (offer) top_->s_event_i = pack_event(events[next]);
      top_->m_ready_i = !(o.output_stall > 0 && u(rng) < o.output_stall);
      top_->clk_i = 0;
      top_->eval();
      const bool taken = offer && top_->s_ready_o;
      const bool beat = top_->m_valid_o && top_->m_ready_i;
      if (beat) {
        if (bool(top_->m_first_o) != (expect_bin == 0) || bool(top_->m_last_o) != (expect_bin == kBins - 1))
          r.error = "first/last flags out of step at bin " + std::to_string(expect_bin);
        if (expect_bin == 0) {
          cur = FrontendPixel{};
          cur.frame = int(top_->m_frame_o);
          cur.row = int(top_->m_row_o);
          cur.col = int(top_->m_col_o);
          cur.photons = top_->m_photons_o;
          cur.saturated = top_->m_saturated_o;
          cur.incomplete = top_->m_incomplete_o;
        } else if (cur.frame != int(top_->m_frame_o) || cur.row != int(top_->m_row_o) ||
                   cur.col != int(top_->m_col_o)) {
          r.error = "pixel fields change within a pixel";
        }
        cur.counts[expect_bin] = top_->m_count_o;
        cur.x_q[expect_bin] = int32_t(top_->m_xq_o);
        if (++expect_bin == kBins) {
          r.pixels.push_back(cur);
          expect_bin = 0;
        }
      }
      tick_high();
      ++cycle;
      if (taken) {
        ++next;
        if (next == events.size()) r.cycles_to_last_event = cycle;
      }
      if (taken || beat) {
        idle = 0;
        r.cycles = cycle;
      } else {
        ++idle;
      }
      if (next == events.size() && expect_bin == 0 && idle > 2000) break;  // drained
    }
    r.timed_out = idle >= o.max_idle;
    r.counters = read_counters();
    return r;
  }

  FrontendCounters read_counters() { return read_frontend_counters(*top_); }

 private:
  void tick() {
    top_->clk_i = 0;
    top_->eval();
    tick_high();
  }
  void tick_high() {
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    check_assertions(*ctx_, ++cycles_);
  }
  FrontendConfig c_;
  uint64_t cycles_ = 0;  // clock edges since construction
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
};

}  // namespace flimgru::sim
