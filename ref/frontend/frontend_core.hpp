// frontend_core: photons in, one result per binned pixel out: the photon front end followed by
// the int8 core, as rtl/frontend/frontend_core.v runs them on a chip. The reference (the
// front end's twin, then the integer model of each pixel's x_q) and the engines that compute the
// same results elsewhere (the verilated RTL: "rtl", registered by sim/; a board: later) share
// one interface, so `flimgru image --frontend` gives the same pixels.csv from each.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend.hpp"
#include "int_model.hpp"
#include "link_protocol.hpp"

namespace flimgru {

// A pixel's photon moments as the chip forms them (rtl/frontend/frontend_core.v), running sums
// of its counts c_k: a = Σ_k c_k, b = Σ_{i<134} A_i, c = Σ_{i<134} B_i (A_i, B_i the values of a
// and b after bin i), p = Σ_{k < pre_rise_bins} c_k. photon_moment.hpp turns them into the sums
// of τI from the photons (photon_sums_from_running).
struct ChipMoments {
  uint64_t a = 0, b = 0, c = 0, p = 0;
  bool operator==(const ChipMoments& o) const { return a == o.a && b == o.b && c == o.c && p == o.p; }
};
ChipMoments chip_moments(const std::array<uint32_t, kBins>& counts, int pre_rise_bins);

// One binned pixel of one frame: what the chip sends the host (docs/protocol.md RESULT payload
// with the pixel's coordinates, photons, saturation flag and photon moments).
struct ChipPixel {
  int frame = 0, row = 0, col = 0;
  uint32_t photons = 0;     // photons counted into the pixel's histogram (in the window)
  bool saturated = false;   // a bin of its histogram reached 2^count_bits − 1
  bool incomplete = false;  // a line of its row lost photons (FrontendPixel)
  link::Summary summary;    // the core's summary of the pixel's x_q
  ChipMoments moments;      // of its (saturated) counts
  bool operator==(const ChipPixel& o) const {
    return frame == o.frame && row == o.row && col == o.col && photons == o.photons &&
           saturated == o.saturated && incomplete == o.incomplete && summary == o.summary && moments == o.moments;
  }
};

struct ChipRun {
  std::vector<ChipPixel> pixels;  // in the order the chip emits them (row by row, per frame)
  FrontendCounters counters;
  uint64_t cycles = 0;            // clock cycles from the first event to the last result (0: not a
                                  // clocked engine)
};

class FrontendCoreEngine {
 public:
  virtual ~FrontendCoreEngine() = default;
  // irf_q: kBins i_q values for a model of input width 2 (loaded before the first event), else empty.
  // events_done (optional): advanced as events are taken, for a progress bar.
  virtual ChipRun run(const FrontendConfig& c, const std::vector<Event>& events, const std::vector<int8_t>& irf_q,
                      std::atomic<size_t>* events_done = nullptr) = 0;
  virtual int input_width() const = 0;
  // Photons of one line the engine holds (FrontendConfig::line_buffer; a board's LineDepth).
  virtual int line_buffer() const { return FrontendConfig{}.line_buffer; }
  virtual nlohmann::json describe() const = 0;
};

// The reference: run_frontend, then run_int_model on every pixel's x_q (with irf_q beside it for
// input width 2), summarized as the core does (link::summarize). Throws Error for input width 2
// without irf_q.
ChipRun run_frontend_core(const QuantModel& m, const FrontendConfig& c, const std::vector<Event>& events,
                          const std::vector<int8_t>& irf_q, int threads);

using FrontendCoreFactory = std::function<std::unique_ptr<FrontendCoreEngine>(const std::string& model, int threads)>;
// An engine that lives outside the reference library (sim/: "rtl"), registered before main runs.
void register_frontend_core(const std::string& name, FrontendCoreFactory factory);
// "int8": the reference on the int8 model of `model` (load_quant_model); else a registered one.
// Throws Error naming the engines this build has for any other name.
std::unique_ptr<FrontendCoreEngine> make_frontend_core(const std::string& name, const std::string& model, int threads);

}  // namespace flimgru
