// The RTL photon front end (rtl/frontend/frontend_top.v, verilated) against its C++ twin
// (ref/frontend/): synthetic streams (saturating bright pixels, empty pixels and lines, several
// frames, a bidirectional scan, a marker storm, bad input) and a slice of a hazelnut file; every
// histogram, x_q, pixel field and counter equal, under random input gaps and output stalls; the
// events per clock sustained printed.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "Vfrontend.h"
#include "Vfrontend_small.h"
#include "frontend_dut.hpp"
#include "frontend_streams.hpp"

namespace flimgru {
namespace {

using sim::DriveOptions;
using sim::DriveResult;
using sim::FrontendDut;

const std::string kHazel = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut";

// Compares the DUT's output with the twin's, pixel by pixel and counter by counter.
void expect_equal(const FrontendRun& twin, const DriveResult& dut, const std::string& what) {
  ASSERT_FALSE(dut.timed_out) << what << ": the front end stopped (" << dut.pixels.size() << " of "
                              << twin.pixels.size() << " pixels out)";
  ASSERT_TRUE(dut.error.empty()) << what << ": " << dut.error;
  EXPECT_EQ(dut.counters.json().dump(), twin.counters.json().dump()) << what;
  ASSERT_EQ(dut.pixels.size(), twin.pixels.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < twin.pixels.size() && bad < 5; ++i) {
    const FrontendPixel &a = dut.pixels[i], &b = twin.pixels[i];
    const bool same = a.frame == b.frame && a.row == b.row && a.col == b.col && a.photons == b.photons &&
                      a.saturated == b.saturated && a.incomplete == b.incomplete && a.counts == b.counts &&
                      a.x_q == b.x_q;
    if (!same) {
      ++bad;
      int k = 0;
      while (k < kBins && a.counts[k] == b.counts[k] && a.x_q[k] == b.x_q[k]) ++k;
      ADD_FAILURE() << what << ": pixel " << i << " (frame " << b.frame << " row " << b.row << " col " << b.col
                    << "): rtl frame " << a.frame << " row " << a.row << " col " << a.col << " photons "
                    << a.photons << " sat " << a.saturated << " inc " << a.incomplete << " vs twin photons "
                    << b.photons << " sat " << b.saturated << " inc " << b.incomplete << "; first differing bin " << k
                    << (k < kBins ? ": count " + std::to_string(a.counts[k]) + " vs " + std::to_string(b.counts[k]) +
                                        ", x_q " + std::to_string(a.x_q[k]) + " vs " + std::to_string(b.x_q[k])
                                  : std::string());
    }
  }
}

template <class V>
void run_case(const FrontendConfig& c, const std::vector<Event>& ev, const std::string& what,
              std::vector<DriveOptions> drives = {{0, 0, 1}, {0.3, 0.3, 2}, {0.05, 0.7, 3}}) {
  const FrontendRun twin = run_frontend(c, ev);
  for (const DriveOptions& o : drives) {
    FrontendDut<V> dut(c);
    const DriveResult r = dut.drive(ev, o);
    expect_equal(twin, r, what + " (input gaps " + std::to_string(o.input_gap) + ", output stalls " +
                              std::to_string(o.output_stall) + ", seed " + std::to_string(o.seed) + ")");
  }
}

// Small configuration (frontend_small: counts of 4 bits, 256-photon line banks, 32 columns):
// bright pixels saturate, long lines overflow, every bad input kind, a marker storm.
TEST(FrontendRtl, SyntheticBadInputSaturationStorm) {
  for (bool bidi : {false, true}) {
    test::SynthEvents s;
    s.bidirect = bidi;
    s.bad_input = true;
    s.bright = 300;
    s.marker_storm = 40;
    s.frames = 3;
    const auto ev = test::make_event_stream(s);
    const FrontendConfig c = test::synth_config(s, 4, 256);
    const FrontendRun twin = run_frontend(c, ev);
    ASSERT_GT(twin.counters.photons_saturated, 0u);
    ASSERT_GT(twin.counters.photons_line_overflow, 0u);
    ASSERT_GT(twin.counters.photons_outside_window, 0u);
    ASSERT_GT(twin.counters.photons_past_image, 0u);
    ASSERT_GT(twin.counters.lines_too_long + twin.counters.lines_zero_duration + twin.counters.stops_before_start, 0u);
    // the rows whose lines lost photons (overflow, bad duration) are flagged, the others not
    size_t incomplete = 0;
    for (const FrontendPixel& p : twin.pixels) incomplete += p.incomplete;
    ASSERT_GT(incomplete, 0u);
    ASSERT_LT(incomplete, twin.pixels.size());
    run_case<Vfrontend_small>(c, ev, std::string("synthetic bad input, bidirect ") + (bidi ? "on" : "off"));
  }
}

// Default configuration: several frames, binned 2 × 2 and 4 × 4, empty lines and pixels.
TEST(FrontendRtl, SyntheticFramesBinned) {
  for (int shift : {0, 1, 2}) {
    test::SynthEvents s;
    s.pix_x = 40;
    s.pix_y = 12;
    s.line_syncs = 400;
    s.frames = 2;
    s.bidirect = shift == 1;
    const auto ev = test::make_event_stream(s);
    FrontendConfig c = test::synth_config(s, 16, 1024);
    c.bin_shift = shift;
    c.window_offset = int64_t(3) << kWindowFrac;
    run_case<Vfrontend>(c, ev, "synthetic frames, bin shift " + std::to_string(shift));
  }
}

// Events per clock: a stream of bright lines with the sink always ready.
TEST(FrontendRtl, EventsPerClock) {
  test::SynthEvents s;
  s.pix_x = 32;
  s.pix_y = 16;
  s.frames = 1;
  s.empty_lines = false;
  s.line_syncs = 3200;
  auto ev = test::make_event_stream(s);
  // more photons per line: each line's photons tripled (same times, micro-times spread)
  std::vector<Event> dense;
  for (const Event& e : ev) {
    dense.push_back(e);
    if (e.kind == EventKind::kPhoton)
      for (int k = 1; k < 40; ++k) dense.push_back({e.kind, e.macro, uint16_t((e.micro + 37 * k) % 3000)});
  }
  FrontendConfig c = test::synth_config(s, 16, 1024);
  c.bin_shift = 2;
  const FrontendRun twin = run_frontend(c, dense);
  FrontendDut<Vfrontend> dut(c);
  const DriveResult r = dut.drive(dense, {0, 0, 1});
  expect_equal(twin, r, "dense lines");
  const double rate = double(dense.size()) / double(r.cycles_to_last_event);
  std::printf("[ events/clock ] dense synthetic: %zu events taken in %llu cycles = %.3f events per clock "
              "(%.0f photons per row of binned pixels, %d lines)\n",
              dense.size(), (unsigned long long)r.cycles_to_last_event, rate,
              double(twin.counters.photons_imaged) / double(twin.counters.rows_out), c.bin());
  EXPECT_GT(rate, 0.95);
}

// A slice of hazelnut z1 (32 lines from its middle), binned 4 × 4 with the real instrument's
// micro-time mapping; and the events per clock on it.
TEST(FrontendRtl, HazelnutSlice) {
  const std::string f = kHazel + "/hazelnut_z1.ptu";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " absent";
  EventStream all = events_from_ptu(f);
  // lines 120 … 151 (the middle of the image: the first lines are nearly dark)
  const std::vector<Event> ev = test::line_slice(all.events, 120, 152);
  for (int shift : {2, 3}) {
    const FrontendConfig c = frontend_config(all.header, 1 << shift, 0.0);
    const FrontendRun twin = run_frontend(c, ev);
    ASSERT_GT(twin.counters.photons_imaged, 1000u);
    FrontendDut<Vfrontend> dut(c);
    const DriveResult r = dut.drive(ev, {0, 0, 1});
    expect_equal(twin, r, "hazelnut z1, 32 lines, bin " + std::to_string(1 << shift));
    std::printf("[ events/clock ] hazelnut z1 lines 120-151, bin %d: %zu events in %llu cycles = %.3f events per clock "
                "to the last event (%llu cycles to the last pixel out)\n",
                1 << shift, ev.size(), (unsigned long long)r.cycles_to_last_event,
                double(ev.size()) / double(r.cycles_to_last_event), (unsigned long long)r.cycles);
    FrontendDut<Vfrontend> stalled(c);
    expect_equal(twin, stalled.drive(ev, {0.2, 0.5, 9}), "hazelnut z1 with stalls, bin " + std::to_string(1 << shift));
  }
}

}  // namespace
}  // namespace flimgru
