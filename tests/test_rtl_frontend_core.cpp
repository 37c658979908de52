// The photon front end feeding a core whose model reads the instrument's IRF (IN_DIM 2, the
// l2p16i2 test configuration; rtl/frontend/frontend_core.v verilated as Vchip_l2p16i2): the IRF
// is loaded once through s_irf, then the events; every pixel's facts and summary and every
// counter equal run_frontend_core with the same IRF, and the IRF changes the answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "Vchip_l2p16i2.h"
#include "frontend_core.hpp"
#include "frontend_core_runner.hpp"
#include "frontend_streams.hpp"
#include "rom_image.hpp"

namespace fs = std::filesystem;

namespace flimgru {
namespace {

std::vector<int8_t> gaussian_irf_q(int peak, double sigma) {
  std::vector<int8_t> q(kBins);
  for (int k = 0; k < kBins; ++k) q[k] = int8_t(std::lround(127.0 * std::exp(-0.5 * std::pow((k - peak) / sigma, 2))));
  return q;
}

TEST(FrontendCoreIrf, IrfLoadedOnceEqualsTheReference) {
  const QuantModel m = random_quant_model(1, 32, 77, false, QuantFormat::int8(), 2);
  const fs::path dir = fs::temp_directory_path() / ("flimgru_chip_irf_" + std::to_string(getpid()));
  write_rom_set(m, 16, dir.string());
  test::SynthEvents s;
  s.pix_x = 16;
  s.pix_y = 4;
  s.frames = 2;
  s.micro_units = 700;
  const auto ev = test::make_event_stream(s);
  FrontendConfig c = test::synth_config(s, 16, 256);
  c.bin_shift = 1;
  const auto irf = gaussian_irf_q(20, 3.0);
  const ChipRun ref = run_frontend_core(m, c, ev, irf, 2);
  ASSERT_EQ(ref.pixels.size(), size_t(2 * 2 * 8));
  sim::FrontendCoreRunner<Vchip_l2p16i2> chip(dir.string(), c);
  const ChipRun rtl = chip.run(ev, irf, {0.2, 0.3, 4});
  fs::remove_all(dir);
  EXPECT_EQ(rtl.counters.json().dump(), ref.counters.json().dump());
  ASSERT_EQ(rtl.pixels.size(), ref.pixels.size());
  for (size_t i = 0; i < ref.pixels.size(); ++i)
    EXPECT_TRUE(rtl.pixels[i] == ref.pixels[i]) << "pixel " << i << " (frame " << ref.pixels[i].frame << " row "
                                                << ref.pixels[i].row << " col " << ref.pixels[i].col << ")";
  // the IRF is really an input: another one changes the summaries
  const ChipRun other = run_frontend_core(m, c, ev, gaussian_irf_q(40, 8.0), 2);
  size_t differ = 0;
  for (size_t i = 0; i < ref.pixels.size(); ++i) differ += !(other.pixels[i].summary == ref.pixels[i].summary);
  EXPECT_GT(differ, ref.pixels.size() / 2);
}

}  // namespace
}  // namespace flimgru
