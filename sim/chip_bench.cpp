// flimgru_chip_bench: photons in, results out, in simulated cycles (make bench): the verilated
// rtl/frontend/frontend_core (the photon front end feeding the default model's core, compiled
// with FLIMGRU_RTL_LANES lanes) on two streams, each checked against the reference
// (ref/frontend/frontend_core.hpp), with events per clock, cycles per pixel, and photons/s in and
// pixels/s out at the clocks of boards/boards.tsv; then per board, the core's own bound (its lanes
// and MAC rows, the schedule of docs/architecture.md) and the front end's (one event a clock).
//   flimgru_chip_bench [--quick]     --quick: the bright image only (no hazelnut z10)
// Streams: hazelnut z10 (../shared/data, every frame, binned 8 x 8) and a bright synthetic image
// (32 x 256 scan pixels binned 8 x 8: 4 x 32 pixels of about 6,000 photons each, lifetimes
// 0.5 … 3 ns, micro-time unit 90 ps).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vchip.h"
#include "board_table.hpp"
#include "frontend_core.hpp"
#include "frontend_core_runner.hpp"
#include "rom_image.hpp"
#include "rtl_default.hpp"
#include "scoreboard.hpp"
#include "synthetic_streams.hpp"

using namespace flimgru;

namespace {

using sim::Stream;

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const sim::RtlDefault def = sim::rtl_default();
  const QuantModel m = load_rom_set(def.rom_dir);
  std::vector<Stream> streams;
  const std::string z10 = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut/hazelnut_z10.ptu";
  if (!quick && std::filesystem::exists(z10)) {
    EventStream e = events_from_ptu(z10);
    streams.push_back({"hazelnut z10, bin 8, 5 frames", frontend_config(e.header, 8, 0.0), std::move(e.events)});
  }
  streams.push_back(sim::bright_image(32, 256, 94));

  std::printf("Photons in, results out (rtl/frontend/frontend_core: the front end and the default model's core,\n"
              "%d lanes x %d MAC rows, verilated; simulated cycles, the sink always ready):\n\n",
              def.lanes, def.mac_rows);
  std::printf("| stream | events | photons imaged | pixels | photons a pixel | cycles | events/clock | cycles/pixel | "
              "identical to the reference |\n|---|---|---|---|---|---|---|---|---|\n");
  std::vector<std::pair<double, double>> per_cycle;  // photons, pixels per cycle
  bool all_same = true;
  for (const Stream& s : streams) {
    sim::FrontendCoreRunner<Vchip> chip(def.rom_dir, s.config);
    const ChipRun r = chip.run(s.events, {});
    const ChipRun ref = run_frontend_core(m, s.config, s.events, {}, 2);
    const bool same = r.pixels == ref.pixels && r.counters == ref.counters;
    all_same = all_same && same;
    const double ph = double(r.counters.photons_imaged), px = double(r.pixels.size()), cy = double(r.cycles);
    per_cycle.push_back({ph / cy, px / cy});
    std::printf("| %s | %zu | %.0f | %.0f | %.0f | %.0f | %.3f | %.0f | %s |\n", s.name.c_str(), s.events.size(), ph,
                px, ph / px, cy, double(s.events.size()) / cy, cy / px, same ? "yes" : "NO");
  }
  std::printf("\nAt the clocks of boards/boards.tsv, this %d-lane core: photons/s in and pixels/s out\n\n", def.lanes);
  std::printf("| board | clock (MHz) |");
  for (const Stream& s : streams) std::printf(" %s: photons/s (M) | pixels/s |", s.name.c_str());
  std::printf("\n|---|---|");
  for (size_t i = 0; i < streams.size(); ++i) std::printf("---|---|");
  std::printf("\n");
  const std::vector<sim::BoardRow> bs = sim::read_board_table();
  for (const sim::BoardRow& b : bs) {
    std::printf("| %s | %.0f |", b.name.c_str(), b.mhz);
    for (const auto& [ph, px] : per_cycle) std::printf(" %.1f | %.0f |", ph * b.mhz, px * b.mhz * 1e6);
    std::printf("\n");
  }
  std::printf("\nEach board's own core (its lanes and MAC rows): the pixel rate it sustains, and the photons a pixel\n"
              "at which the front end (one event a clock) becomes the bound instead:\n\n"
              "| board | lanes x rows | clock (MHz) | core: pixels/s | front end bound at (photons a pixel) |\n"
              "|---|---|---|---|---|\n");
  for (const sim::BoardRow& b : bs) {
    const sim::Schedule sch(m.hidden, m.layers, b.rows, m.input_width);
    const double px_s = b.lanes * b.mhz * 1e6 / double(sch.batch_cycles());
    std::printf("| %s | %d x %d | %.0f | %.0f | %.0f |\n", b.name.c_str(), b.lanes, b.rows, b.mhz, px_s,
                b.mhz * 1e6 / px_s);
  }
  return all_same ? 0 : 1;
}
