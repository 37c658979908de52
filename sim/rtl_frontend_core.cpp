// The "rtl" engine of the photon front end and the core (frontend_core.hpp): `flimgru image
// --frontend --backend rtl` runs the events through the verilated rtl/frontend/frontend_core
// (class Vchip), compiled by sim/CMakeLists.txt for the default model's ROM set (the one the
// "rtl" backend's core runs: rtl_check_model) and the front end's parameters below.
#include "Vchip.h"
#include "backend.hpp"
#include "error.hpp"
#include "frontend_core.hpp"
#include "frontend_core_runner.hpp"
#include "rtl_default.hpp"

namespace flimgru::sim {

namespace {

class RtlFrontendCore : public FrontendCoreEngine {
 public:
  RtlFrontendCore(QuantModel m, std::string model) : m_(std::move(m)), model_(std::move(model)) {}
  ChipRun run(const FrontendConfig& c, const std::vector<Event>& events, const std::vector<int8_t>& irf_q,
              std::atomic<size_t>* events_done) override {
    if (c.pix_x > (1 << FLIMGRU_CHIP_XW) || c.width() > FLIMGRU_CHIP_MAX_COLS)
      throw Error("the verilated front end takes images of up to " + std::to_string(1 << FLIMGRU_CHIP_XW) +
                  " pixels a line (" + std::to_string(FLIMGRU_CHIP_MAX_COLS) + " binned), not " +
                  std::to_string(c.pix_x));
    if (c.line_buffer != FLIMGRU_CHIP_LINE_DEPTH || c.count_bits != FLIMGRU_CHIP_COUNT_BITS || c.duration_bits != 24)
      throw Error("the verilated front end is compiled for " + std::to_string(FLIMGRU_CHIP_LINE_DEPTH) +
                  "-photon line banks and " + std::to_string(FLIMGRU_CHIP_COUNT_BITS) + "-bit counts");
    if (m_.input_width == 2 && irf_q.size() != size_t(kBins))
      throw Error("the model reads the instrument's IRF (input width 2): give it (--irf FILE)");
    FrontendCoreRunner<Vchip> chip(rtl_default().rom_dir, c);
    ChipRun r = chip.run(events, irf_q, {}, events_done);
    cycles_ += r.cycles;
    return r;
  }
  int input_width() const override { return m_.input_width; }
  int line_buffer() const override { return FLIMGRU_CHIP_LINE_DEPTH; }
  nlohmann::json describe() const override {
    const RtlDefault def = rtl_default();
    return {{"engine", "rtl"}, {"what", "the verilated rtl/frontend/frontend_core (front end and core)"},
            {"model", model_}, {"compiled_checkpoint", def.checkpoint}, {"rom_set", def.rom_dir},
            {"lanes", def.lanes}, {"mac_rows", def.mac_rows}, {"line_buffer", FLIMGRU_CHIP_LINE_DEPTH},
            {"count_bits", FLIMGRU_CHIP_COUNT_BITS}, {"max_columns", FLIMGRU_CHIP_MAX_COLS},
            {"simulated_cycles", cycles_}};
  }

 private:
  QuantModel m_;
  std::string model_;
  uint64_t cycles_ = 0;
};

}  // namespace

std::unique_ptr<FrontendCoreEngine> make_rtl_frontend_core(const std::string& model, int /*threads*/) {
  QuantModel m = rtl_check_model(model);
  return std::make_unique<RtlFrontendCore>(std::move(m), model.empty() ? default_model_path() : model);
}

}  // namespace flimgru::sim
