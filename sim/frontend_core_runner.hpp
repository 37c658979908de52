// FrontendCoreRunner: one verilated rtl/frontend/frontend_core (class V: the photon front end
// and the core of one ROM set) driven with an event stream: the IRF load first (a model of
// input width 2), then the events, each offered until taken (optional random input gaps and
// output stalls, seeded), every result beat collected as a ChipPixel, the front end's counters
// read at the end. The engine of `flimgru image --frontend --backend rtl` (sim/rtl_backend.cpp)
// and of the tests of tests/rtl_default/.
//   Done when every event is taken and every pixel of the rows the front end read out has its
//   result (rows_out × binned columns), with no beat for 20,000 cycles; a stream that makes no
//   progress for 20M cycles throws.
#pragma once
#include <verilated.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontend_core.hpp"
#include "frontend_ports.hpp"
#include "verify_context.hpp"

namespace flimgru::sim {

struct ChipDriveOptions {
  double input_gap = 0;     // probability that the source holds valid low in a cycle
  double output_stall = 0;  // probability that the sink holds ready low in a cycle
  uint64_t seed = 1;
};

template <class V>
class FrontendCoreRunner {
 public:
  FrontendCoreRunner(const std::string& rom_dir, const FrontendConfig& c) : c_(c) {
    ctx_ = std::make_unique<VerilatedContext>();
    const std::string arg = "+rom_dir=" + rom_dir;
    const char* argv[] = {"flimgru_chip", arg.c_str()};
    ctx_->commandArgs(2, argv);
    apply_verify_settings(*ctx_);
    top_ = std::make_unique<V>(ctx_.get());
    top_->clk_i = 0;
    top_->rst_i = 1;
    top_->s_valid_i = 0;
    top_->s_irf_valid_i = 0;
    top_->m_ready_i = 0;
    set_frontend_config(*top_, c);
    top_->pre_rise_i = uint32_t(c.pre_rise_bins);
    for (int i = 0; i < 4; ++i) tick();
    top_->rst_i = 0;
  }
  ~FrontendCoreRunner() {
    top_->final();
    write_coverage(*ctx_);
  }
  FrontendCoreRunner(const FrontendCoreRunner&) = delete;
  FrontendCoreRunner& operator=(const FrontendCoreRunner&) = delete;

  // events_done (optional): set to the events taken so far, every 4096 events and at the end.
  ChipRun run(const std::vector<Event>& events, const std::vector<int8_t>& irf_q, const ChipDriveOptions& o = {},
              std::atomic<size_t>* events_done = nullptr) {
    ChipRun r;
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t k = 0; k < irf_q.size();) {  // the IRF load, before any event
      top_->s_irf_valid_i = 1;
      top_->s_irf_data_i = uint8_t(irf_q[k]);
      fall();
      const bool taken = top_->s_irf_ready_o;
      rise();
      k += taken;
    }
    top_->s_irf_valid_i = 0;
    const uint64_t cols = uint64_t(c_.width());
    size_t next = 0;
    uint64_t idle = 0, cycle = 0;
    while (true) {
      const bool offer = next < events.size() && !(o.input_gap > 0 && u(rng) < o.input_gap);
      top_->s_valid_i = offer;
      if (offer) top_->s_event_i = pack_event(events[next]);
      top_->m_ready_i = !(o.output_stall > 0 && u(rng) < o.output_stall);
      fall();
      const bool taken = offer && top_->s_ready_o;
      if (top_->m_valid_o && top_->m_ready_i) r.pixels.push_back(read_result());
      const bool beat = top_->m_valid_o && top_->m_ready_i;
      rise();
      ++cycle;
      next += taken;
      if (events_done && taken && (next % 4096 == 0 || next == events.size())) *events_done = next;
      idle = (taken || beat) ? 0 : idle + 1;
      if (beat) r.cycles = cycle;
      if (next == events.size() && idle >= 20000 && r.pixels.size() == read_frontend_counters(*top_).rows_out * cols)
        break;
      if (idle > 20'000'000)
        throw std::runtime_error("frontend_core: no progress for 20M cycles (" + std::to_string(next) + " of " +
                                 std::to_string(events.size()) + " events taken, " +
                                 std::to_string(r.pixels.size()) + " results)");
    }
    r.counters = read_frontend_counters(*top_);
    return r;
  }

 private:
  ChipPixel read_result() const {
    ChipPixel p;
    p.frame = int(top_->m_frame_o);
    p.row = int(top_->m_row_o);
    p.col = int(top_->m_col_o);
    p.photons = top_->m_photons_o;
    p.saturated = top_->m_saturated_o;
    p.incomplete = top_->m_incomplete_o;
    std::array<uint8_t, link::kLenResult> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = uint8_t(top_->m_sum_data_o[i / 4] >> (8 * (i % 4)));
    p.summary = link::unpack_summary(b.data());
    // m_moments_o {P[23:0], C[39:0], B[31:0], A[23:0]}: 120 bits in four 32-bit words
    auto field = [&](int lo, int width) {
      uint64_t v = 0;
      for (int bit = 0; bit < width; ++bit)
        v |= uint64_t((top_->m_moments_o[(lo + bit) / 32] >> ((lo + bit) % 32)) & 1u) << bit;
      return v;
    };
    p.moments = {field(0, 24), field(24, 32), field(56, 40), field(96, 24)};
    return p;
  }
  void fall() {
    top_->clk_i = 0;
    top_->eval();
  }
  void rise() {
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    check_assertions(*ctx_, ++cycles_);
  }
  void tick() {
    fall();
    rise();
  }
  FrontendConfig c_;
  uint64_t cycles_ = 0;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
};

}  // namespace flimgru::sim
