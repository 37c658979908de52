// The photon front end with the default model's core (rtl/frontend/frontend_core.v, verilated
// as Vchip) against its reference (ref/frontend/frontend_core.hpp: the front end's C++ twin, then
// the int8 model): every pixel's coordinates, photons, saturation flag, summary and photon
// moments, and every
// counter, on synthetic streams (bad input, a bidirectional scan, a marker storm, several
// frames, input gaps and output stalls) and a slice of hazelnut z1; `flimgru image --frontend`
// writes the same pixels.csv through --backend rtl and int8. make regress: the whole hazelnut
// files (REGRESS=1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../frontend_streams.hpp"
#include "../ptu_writer.hpp"
#include "Vchip.h"
#include "frontend_core.hpp"
#include "frontend_core_runner.hpp"
#include "rom_image.hpp"
#include "rtl_default.hpp"

namespace fs = std::filesystem;

namespace flimgru {
namespace {

const std::string kHazel = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut";

const QuantModel& compiled() {
  static const QuantModel m = load_rom_set(sim::rtl_default().rom_dir);
  return m;
}

void expect_equal(const ChipRun& ref, const ChipRun& rtl, const std::string& what) {
  EXPECT_EQ(rtl.counters.json().dump(), ref.counters.json().dump()) << what;
  ASSERT_EQ(rtl.pixels.size(), ref.pixels.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < ref.pixels.size() && bad < 5; ++i) {
    const ChipPixel &a = rtl.pixels[i], &b = ref.pixels[i];
    if (a == b) continue;
    ++bad;
    ADD_FAILURE() << what << ": result " << i << ": rtl frame " << a.frame << " row " << a.row << " col " << a.col
                  << " photons " << a.photons << " sat " << a.saturated << " sum0 " << a.summary[0].sum << " cum "
                  << a.summary.cum << " moments " << a.moments.a << "/" << a.moments.b << "/" << a.moments.c << "/"
                  << a.moments.p << " vs reference frame " << b.frame << " row " << b.row << " col " << b.col
                  << " photons " << b.photons << " sat " << b.saturated << " sum0 " << b.summary[0].sum << " cum "
                  << b.summary.cum << " moments " << b.moments.a << "/" << b.moments.b << "/" << b.moments.c << "/"
                  << b.moments.p;
  }
}

ChipRun run_rtl(const FrontendConfig& c, const std::vector<Event>& ev, const sim::ChipDriveOptions& o = {}) {
  sim::FrontendCoreRunner<Vchip> chip(sim::rtl_default().rom_dir, c);
  return chip.run(ev, {}, o);
}

TEST(FrontendCore, SyntheticStreamsEqualTheReference) {
  test::SynthEvents s;
  s.pix_x = 24;
  s.pix_y = 8;
  s.frames = 2;
  s.bidirect = true;
  s.bad_input = true;
  s.bright = 3000;
  s.marker_storm = 20;
  s.micro_units = 700;  // mostly inside the window: decays the network sees
  const auto ev = test::make_event_stream(s);
  FrontendConfig c = test::synth_config(s);
  c.bin_shift = 1;
  c.pre_rise_bins = 9;
  const ChipRun ref = run_frontend_core(compiled(), c, ev, {}, 2);
  ASSERT_GT(ref.pixels.size(), 0u);
  ASSERT_EQ(ref.pixels.size() % 12, 0u) << "rows of 12 binned pixels";
  ASSERT_GT(ref.counters.photons_outside_window, 0u);
  ASSERT_GT(ref.counters.stops_before_start + ref.counters.lines_too_long + ref.counters.lines_zero_duration, 0u);
  ASSERT_GT(ref.counters.truncated_records + ref.counters.unknown_records, 0u);
  // pixels with photons get summaries of their own (the core really ran on each)
  std::vector<const link::Summary*> lit;
  for (const ChipPixel& p : ref.pixels)
    if (p.photons > 0) lit.push_back(&p.summary);
  ASSERT_GT(lit.size(), 40u);
  size_t distinct = 0;
  for (size_t i = 1; i < lit.size(); ++i) distinct += !(*lit[i] == *lit[i - 1]);
  EXPECT_GT(distinct, lit.size() / 2);
  expect_equal(ref, run_rtl(c, ev), "synthetic, no stalls");
  expect_equal(ref, run_rtl(c, ev, {0.3, 0.6, 5}), "synthetic, input gaps 0.3, output stalls 0.6");
}

// 32 lines from the middle of hazelnut z1, binned 8 x 8 with the instrument's micro-time mapping:
// 4 rows of 32 pixels.
TEST(FrontendCore, HazelnutSliceEqualsTheReference) {
  const std::string f = kHazel + "/hazelnut_z1.ptu";
  if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
  const EventStream all = events_from_ptu(f);
  const std::vector<Event> ev = test::line_slice(all.events, 120, 152);
  FrontendConfig c = frontend_config(all.header, 8, 0.0);
  c.pre_rise_bins = 11;
  const ChipRun ref = run_frontend_core(compiled(), c, ev, {}, 2);
  ASSERT_EQ(ref.pixels.size(), 4u * 32);
  ASSERT_GT(ref.counters.photons_imaged, 5000u);
  const ChipRun rtl = run_rtl(c, ev);
  expect_equal(ref, rtl, "hazelnut z1 lines 120-151, bin 8");
  std::printf("[ chip ] hazelnut z1, 32 lines, bin 8: %zu events, %zu pixels in %llu cycles (%.0f cycles a pixel)\n",
              ev.size(), rtl.pixels.size(), (unsigned long long)rtl.cycles,
              double(rtl.cycles) / double(rtl.pixels.size()));
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int cli(const std::string& args, const std::string& log) {
  const std::string cmd = std::string(FLIMGRU_CLI) + " " + args + " > " + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

struct Tmp {
  fs::path dir;
  explicit Tmp(const std::string& name)
      : dir(fs::temp_directory_path() / ("flimgru_chip_" + name + "_" + std::to_string(getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Tmp() { fs::remove_all(dir); }
  std::string operator/(const std::string& f) const { return (dir / f).string(); }
};

// `flimgru image --frontend`: the same pixels.csv from the RTL and from the reference, for the
// frame asked for; bad combinations refused with a message that names the problem.
TEST(FrontendCore, ImageCliIdenticalToInt8) {
  Tmp t("image");
  test::SynthPtu s;
  s.pix_x = 16;
  s.pix_y = 8;
  s.frames = 3;
  s.res_ns = 0.045;
  s.tau_ns = 2.2;
  {
    std::ofstream f(t / "small.ptu", std::ios::binary);
    const std::string bytes = test::make_ptu(s);
    f.write(bytes.data(), std::streamsize(bytes.size()));
  }
  const std::string model = " --model " + sim::rtl_default().checkpoint;
  for (const char* b : {"rtl", "int8"}) {
    const std::string be = b;
    ASSERT_EQ(cli("image " + t / "small.ptu" + " -o " + t / be + " --method nn --frontend --frame 1 --bin 2 --backend " +
                      be + " --min-photons 1 --quiet" + model,
                  t / (be + ".log")),
              0)
        << slurp(t / (be + ".log"));
  }
  const std::string a = slurp(t / "rtl/pixels.csv"), b = slurp(t / "int8/pixels.csv");
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 1 + 4 * 8);
  EXPECT_EQ(a.substr(0, a.find('\n')), "row,col,photons,tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,saturated,incomplete");
  EXPECT_EQ(a.find("nan"), std::string::npos) << "every pixel has photons in frame 1:\n" << a;
  EXPECT_TRUE(a == b) << "rtl and int8 pixels.csv differ:\n" << a << "\n" << b;
  const std::string summary = slurp(t / "rtl/summary.json");
  EXPECT_NE(summary.find("\"engine\": \"rtl\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"photons_per_frame\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"pixels_incomplete\": 0"), std::string::npos) << summary;
  // τI from the chip's photon moments, with the IRF fitted to the file's summed decay
  EXPECT_NE(summary.find("estimated from the file's summed decay"), std::string::npos) << summary;
  EXPECT_NE(summary.find("from the chip's photon moments"), std::string::npos) << summary;

  EXPECT_NE(cli("image " + t / "small.ptu" + " -o " + t / "fit --frontend --method fit", t / "fit.log"), 0);
  EXPECT_NE(slurp(t / "fit.log").find("--frontend runs the network"), std::string::npos) << slurp(t / "fit.log");
  EXPECT_NE(cli("image " + t / "small.ptu" + " -o " + t / "f9 --frontend --method nn --frame 9" + model, t / "f9.log"), 0);
  EXPECT_NE(slurp(t / "f9.log").find("imaged 3 frames"), std::string::npos) << slurp(t / "f9.log");
  EXPECT_NE(cli("image " + t / "small.ptu" + " -o " + t / "fl --frontend --method nn --backend float" + model,
                t / "fl.log"), 0);
  EXPECT_NE(slurp(t / "fl.log").find("runs with --backend int8"), std::string::npos) << slurp(t / "fl.log");
  EXPECT_NE(cli("image " + t / "small.ptu" + " -o " + t / "b3 --frontend --method nn --bin 3" + model, t / "b3.log"), 0);
  EXPECT_NE(slurp(t / "b3.log").find("bins by a power of two, not 3"), std::string::npos) << slurp(t / "b3.log");
  EXPECT_FALSE(fs::exists(t / "fit") || fs::exists(t / "f9") || fs::exists(t / "fl") || fs::exists(t / "b3"));

  // a file cut in the middle of a record: imaged up to the cut, the cut counted in summary.json
  {
    const std::string bytes = slurp(t / "small.ptu");
    std::ofstream f(t / "cut.ptu", std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size() * 2 / 3 + 1));
  }
  ASSERT_EQ(cli("image " + t / "cut.ptu" + " -o " + t / "cut --frontend --method nn --min-photons 1 --quiet" + model,
                t / "cut.log"), 0) << slurp(t / "cut.log");
  EXPECT_NE(slurp(t / "cut/summary.json").find("\"truncated_records\": 1"), std::string::npos)
      << slurp(t / "cut/summary.json");
}

// make regress: every frame of both hazelnut files, binned 8 x 8.
TEST(FrontendCore, HazelnutFilesEqualTheReference) {
  const char* r = std::getenv("REGRESS");
  if (!r || std::string(r) != "1") GTEST_SKIP() << "long regression: REGRESS=1 (make regress)";
  for (const char* name : {"hazelnut_z1.ptu", "hazelnut_z10.ptu"}) {
    const std::string f = kHazel + "/" + name;
    if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
    const EventStream all = events_from_ptu(f);
    FrontendConfig c = frontend_config(all.header, 8, 0.0);
    c.pre_rise_bins = 11;
    const ChipRun ref = run_frontend_core(compiled(), c, all.events, {}, 2);
    const ChipRun rtl = run_rtl(c, all.events);
    expect_equal(ref, rtl, name);
    std::printf("[ chip ] %s, bin 8: %zu events, %zu pixels in %llu cycles (%.0f cycles a pixel)\n", name,
                all.events.size(), rtl.pixels.size(), (unsigned long long)rtl.cycles,
                double(rtl.cycles) / double(rtl.pixels.size()));
  }
}

}  // namespace
}  // namespace flimgru
