// The long regression of the default model's compiled core (make regress; REGRESS=1): every
// hidden state, SFD beat and summary checked by the Scoreboard against the integer model, on
// thousands of simulated TPSFs, corner inputs, the maximal-weights model, random stalls on both
// sides, resets in the middle of a pixel and back-to-back batches. Every case prints its seed;
// REGRESS_SEED=S replays it (the case seeds derive from S and the case's index).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "Vdefault.h"
#include "dut_driver.hpp"
#include "preprocess.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "rtl_default.hpp"
#include "scoreboard.hpp"
#include "simulator.hpp"

namespace fs = std::filesystem;
using namespace flimgru;
using namespace flimgru::sim;

namespace {

bool regress_on() {
  const char* e = std::getenv("REGRESS");
  return e && std::string(e) == "1";
}
// REGRESS_SEED, or a fresh one per run (printed with every case)
uint64_t base_seed() {
  static const uint64_t s = [] {
    const char* e = std::getenv("REGRESS_SEED");
    return e ? std::strtoull(e, nullptr, 10) : uint64_t(std::random_device{}()) % 1000000000ull;
  }();
  return s;
}
double regress_scale() {  // REGRESS_SCALE=0.1 for a shorter run
  const char* e = std::getenv("REGRESS_SCALE");
  return e ? std::atof(e) : 1.0;
}

#define REQUIRE_REGRESS()                                                                \
  do {                                                                                   \
    if (!regress_on()) GTEST_SKIP() << "long regression: REGRESS=1 (make regress)";      \
  } while (0)

// the seed of one case, printed so that it can be replayed
uint64_t case_seed(const char* name, int index) {
  const uint64_t s = base_seed() * 1000003ull + uint64_t(index);
  std::printf("[regress] %s: seed %llu (replay: REGRESS=1 REGRESS_SEED=%llu --gtest_filter=RtlRegress.%s)\n", name,
              (unsigned long long)s, (unsigned long long)base_seed(), name);
  std::fflush(stdout);
  return s;
}

// One run of the compiled core on a model (the compiled default, or another with the same
// model_params.vh written to a temp ROM set), checked by the Scoreboard.
struct CoreRun {
  QuantModel model;
  std::string rom_dir;
  bool own_roms;
  Scoreboard sb;
  DutDriver<Vdefault> dut;
  uint32_t next_tag = 1;

  CoreRun(QuantModel m, const std::string& roms, bool own, uint64_t seed, const std::string& name)
      : model(std::move(m)), rom_dir(roms), own_roms(own),
        sb(model, rtl_default().lanes, rtl_default().mac_rows, seed),
        dut("build/rtl_regress_" + name, rom_dir, &sb, rtl_default().lanes, seed) {
    dut.reset();
  }
  ~CoreRun() {
    if (own_roms) fs::remove_all(rom_dir);
  }
  // pixels in order; batches of `lanes`, a shorter final one closed by s_x_last
  void push(std::vector<Pixel> px, bool close_short = true) {
    const int lanes = rtl_default().lanes;
    for (size_t i = 0; i < px.size(); i += lanes) {
      std::vector<Pixel> b(px.begin() + i, px.begin() + std::min(px.size(), i + lanes));
      for (auto& p : b) p.tag = (next_tag++) & 0xffff;
      sb.expect_batch(b);
      for (size_t j = 0; j < b.size(); ++j)
        dut.push_pixel(b[j], close_short && j + 1 == b.size() && b.size() < size_t(lanes));
    }
  }
  void finish(size_t pixels) {
    const uint64_t budget = uint64_t(sb.schedule().batch_cycles()) * (pixels + 8) * 400 + 1000000;
    EXPECT_TRUE(dut.run(budget)) << "timeout after " << dut.cycles() << " cycles";
    EXPECT_EQ(sb.failures(), 0);
    EXPECT_TRUE(sb.done());
  }
};

QuantModel compiled_model() { return load_rom_set(rtl_default().rom_dir); }

// a model of the compiled shape with other contents: its own ROM set in a temp dir
std::string write_temp_roms(QuantModel& m, const std::string& name) {
  const QuantModel def = compiled_model();
  m.rq_shift = def.rq_shift;  // RQ_SHIFT is a compiled parameter
  const fs::path dir = fs::temp_directory_path() / ("flimgru_regress_" + name + "_" + std::to_string(getpid()));
  write_rom_set(m, rtl_default().mac_rows, dir.string());
  return dir.string();
}

// n simulated TPSFs (random photon counts, lifetimes, amplitudes, backgrounds, Gaussian IRFs)
std::vector<Pixel> simulated(const QuantModel& m, size_t n, uint64_t seed) {
  SimConfig cfg;
  cfg.seed = seed;
  cfg.photons = {20, 500000};
  cfg.tau1 = {0.02, 8.0};
  cfg.tau2 = {0.02, 8.0};
  cfg.background = {0.0, 0.3};
  cfg.irf_fwhm = {0.1, 1.5};
  cfg.irf_peak = {0.2, 5.0};
  const Dataset ds = simulate(cfg, n, 2);
  std::vector<float> counts(ds.counts.begin(), ds.counts.begin() + n * kBins);
  const auto x = preprocess_batch(counts.data(), n);
  std::vector<Pixel> px(n);
  for (size_t i = 0; i < n; ++i) {
    px[i].x.resize(kBins);
    quantize_input(m.fmt, &x[i * kBins], px[i].x.data());
  }
  return px;
}

Pixel pixel_of(std::vector<int32_t> x) {
  Pixel p;
  p.x = std::move(x);
  return p;
}

// corner inputs: all zeros, a single bin at every position, saturated everywhere, saturated
// plateaus (clipped peaks) at several positions, negative extremes (the core takes any int8)
std::vector<Pixel> corners(std::mt19937_64& rng) {
  std::vector<Pixel> px;
  px.push_back(pixel_of(std::vector<int32_t>(kBins, 0)));
  for (int k = 0; k < kBins; ++k) {
    std::vector<int32_t> x(kBins, 0);
    x[k] = 127;
    px.push_back(pixel_of(x));
  }
  px.push_back(pixel_of(std::vector<int32_t>(kBins, 127)));
  px.push_back(pixel_of(std::vector<int32_t>(kBins, -128)));
  for (int start : {0, 5, 30, 70, 120}) {
    for (int width : {1, 4, 20}) {
      std::vector<int32_t> x(kBins, 0);
      for (int k = start; k < kBins; ++k)
        x[k] = k < start + width ? 127 : int(std::lround(127.0 * std::exp(-(k - start - width) / 15.0)));
      px.push_back(pixel_of(x));
    }
  }
  std::vector<int32_t> alt(kBins);
  for (int k = 0; k < kBins; ++k) alt[k] = k % 2 ? 127 : -128;
  px.push_back(pixel_of(alt));
  std::uniform_int_distribution<int> u(-128, 127);
  for (int i = 0; i < 8; ++i) {
    std::vector<int32_t> x(kBins);
    for (auto& v : x) v = u(rng);
    px.push_back(pixel_of(x));
  }
  return px;
}

size_t scaled(size_t n) { return std::max<size_t>(rtl_default().lanes, size_t(double(n) * regress_scale())); }

}  // namespace

TEST(RtlRegress, DefaultModelSimulatedTpsfsBackToBack) {
  REQUIRE_REGRESS();
  const uint64_t seed = case_seed("DefaultModelSimulatedTpsfsBackToBack", 1);
  const size_t total = scaled(24000), chunk = 200;
  size_t done = 0;
  for (int c = 0; done < total; ++c) {
    const size_t n = std::min(chunk, total - done);
    SCOPED_TRACE("seed " + std::to_string(seed) + " chunk " + std::to_string(c));
    CoreRun r(compiled_model(), rtl_default().rom_dir, false, seed + c, "sim");
    r.sb.set_exact_output_timing(true);
    r.push(simulated(r.model, n, seed + c));
    r.finish(n);
    // back-to-back input: consecutive batches start exactly batch_cycles apart
    const auto& st = r.sb.batch_starts();
    for (size_t i = 1; i < st.size(); ++i)
      ASSERT_EQ(int64_t(st[i] - st[i - 1]), r.sb.schedule().batch_cycles()) << "batch " << i;
    done += n;
    if (HasFailure()) break;
  }
  std::printf("[regress] %zu simulated TPSFs checked\n", done);
}

TEST(RtlRegress, DefaultModelCornerInputs) {
  REQUIRE_REGRESS();
  const uint64_t seed = case_seed("DefaultModelCornerInputs", 2);
  std::mt19937_64 rng(seed);
  CoreRun r(compiled_model(), rtl_default().rom_dir, false, seed, "corner");
  r.sb.set_exact_output_timing(true);
  const auto px = corners(rng);
  r.push(px);
  r.finish(px.size());
  std::printf("[regress] %zu corner pixels checked\n", px.size());
}

TEST(RtlRegress, MaximalWeightsModel) {
  REQUIRE_REGRESS();
  const int cases = int(std::max<size_t>(2, size_t(8 * regress_scale())));
  for (int i = 0; i < cases; ++i) {
    const uint64_t seed = case_seed("MaximalWeightsModel", 10 + i);
    SCOPED_TRACE("seed " + std::to_string(seed));
    QuantModel m = random_quant_model(compiled_model().layers, compiled_model().hidden, seed, /*extreme=*/true);
    const std::string roms = write_temp_roms(m, "max" + std::to_string(i));
    std::mt19937_64 rng(seed);
    CoreRun r(std::move(m), roms, true, seed, "max");
    r.dut.set_stalls(i % 2 ? 0.7 : 1.0, i % 2 ? 0.3 : 1.0);
    auto px = corners(rng);
    px.resize(40);
    auto sim = simulated(r.model, 60, seed);
    px.insert(px.end(), sim.begin(), sim.end());
    r.push(px);
    r.finish(px.size());
    if (HasFailure()) break;
  }
}

TEST(RtlRegress, RandomModelsAndStallsBothSides) {
  REQUIRE_REGRESS();
  const int cases = int(std::max<size_t>(2, size_t(24 * regress_scale())));
  for (int i = 0; i < cases; ++i) {
    const uint64_t seed = case_seed("RandomModelsAndStallsBothSides", 100 + i);
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> p(0.05, 1.0);
    const bool own = i % 2 == 1;
    QuantModel m = own ? random_quant_model(1, compiled_model().hidden, seed, i % 4 == 3) : compiled_model();
    const std::string roms = own ? write_temp_roms(m, "stall" + std::to_string(i)) : rtl_default().rom_dir;
    CoreRun r(std::move(m), roms, own, seed, "stall");
    const double in_p = p(rng), out_p = i % 3 == 0 ? 0.01 + 0.05 * p(rng) : p(rng);
    std::printf("[regress]   valid p %.3f, ready p %.3f\n", in_p, out_p);
    r.dut.set_stalls(in_p, out_p);
    const size_t n = 8 * rtl_default().lanes + size_t(rng() % rtl_default().lanes);  // last batch short
    r.push(simulated(r.model, n, seed));
    r.finish(n);
    if (HasFailure()) break;
  }
}

TEST(RtlRegress, ResetInTheMiddleOfAPixel) {
  REQUIRE_REGRESS();
  const int cases = int(std::max<size_t>(3, size_t(32 * regress_scale())));
  const QuantModel def = compiled_model();
  const int64_t batch = Schedule(def.hidden, def.layers, rtl_default().mac_rows).batch_cycles();
  for (int i = 0; i < cases; ++i) {
    const uint64_t seed = case_seed("ResetInTheMiddleOfAPixel", 200 + i);
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    CoreRun r(compiled_model(), rtl_default().rom_dir, false, seed, "reset");
    r.dut.set_stalls(i % 2 ? 0.8 : 1.0, i % 3 ? 1.0 : 0.2);
    r.push(simulated(r.model, 3 * rtl_default().lanes, seed));
    // reset anywhere: while loading the first pixel, in the encoder, the decoder, the output drain
    const uint64_t at = i == 0 ? 40 : rng() % uint64_t(3 * batch);
    for (uint64_t c = 0; c < at; ++c) r.dut.tick();
    r.dut.reset(1 + int(rng() % 4));
    r.sb.clear();
    std::printf("[regress]   reset at cycle %llu\n", (unsigned long long)at);
    const size_t n = 2 * rtl_default().lanes + 1;
    r.push(simulated(r.model, n, seed + 1));
    r.finish(n);
    if (HasFailure()) break;
  }
}

TEST(RtlRegress, ShortBatchesAndFlush) {
  REQUIRE_REGRESS();
  const uint64_t seed = case_seed("ShortBatchesAndFlush", 300);
  std::mt19937_64 rng(seed);
  // batches of 1 … lanes pixels, each closed by s_x_last (or full)
  {
    CoreRun r(compiled_model(), rtl_default().rom_dir, false, seed, "short");
    size_t total = 0;
    for (int b = 1; b <= 2 * rtl_default().lanes; ++b) {
      const size_t n = 1 + size_t(b - 1) % rtl_default().lanes;
      r.push(simulated(r.model, n, seed + b));
      total += n;
    }
    r.finish(total);
  }
  // a single pixel closed by s_x_flush_i once the source runs dry
  {
    CoreRun r(compiled_model(), rtl_default().rom_dir, false, seed, "flush");
    r.dut.set_flush_when_idle(true);
    r.push(simulated(r.model, 1, seed), /*close_short=*/false);
    r.finish(1);
  }
}
