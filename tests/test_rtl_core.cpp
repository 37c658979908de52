// RTL core vs the bit-exact integer model: every hidden state of every lane at every step (value
// and enabled cycle), every SFD sample, every summary; cycle formula; stalls; reset.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>

#include "dut_driver.hpp"
#include "fpga_report.hpp"
#include "rom_image.hpp"
#include "scoreboard.hpp"
#include "Vl2p12.h"
#include "Vl3p8h16.h"
#include "Vl1p25.h"
#include "Vl6p21.h"
#include "Vl2p16i2.h"

namespace fs = std::filesystem;
using namespace flimgru;
using namespace flimgru::sim;

namespace {

struct CfgL2P12 {  // default: H=32, L=1, MAC_ROWS=12, 2 lanes (24 MAC multipliers)
  using V = Vl2p12;
  static constexpr int lanes = 2, layers = 1, hidden = 32, rows = 12;
  static constexpr int in_dim = 1;
  static constexpr const char* name = "l2p12";
  static constexpr const char* params = FLIMGRU_RTL_l2p12_ROMS;
};
struct CfgL3P8H16 {  // generic L: H=16, L=2, MAC_ROWS=8, 3 lanes, drain cycles > 0
  using V = Vl3p8h16;
  static constexpr int lanes = 3, layers = 2, hidden = 16, rows = 8;
  static constexpr int in_dim = 1;
  static constexpr const char* name = "l3p8h16";
  static constexpr const char* params = FLIMGRU_RTL_l3p8h16_ROMS;
};

// name -> value of every `localparam integer NAME = VALUE;` in a model_params.vh
std::map<std::string, long> read_params(const std::string& path) {
  std::map<std::string, long> kv;
  std::ifstream f(path);
  const std::regex re(R"(^\s*localparam\s+integer\s+(\w+)\s*=\s*(-?\d+)\s*;)");
  std::string line;
  std::smatch mt;
  while (std::getline(f, line))
    if (std::regex_search(line, mt, re)) kv[mt[1]] = std::stol(mt[2]);
  return kv;
}

struct CfgL1P25 {  // LFE5U-12F/25F: one lane of 25 rows, all 28 of its MULT18X18D
  using V = Vl1p25;
  static constexpr int lanes = 1, layers = 1, hidden = 32, rows = 25;
  static constexpr int in_dim = 1;
  static constexpr const char* name = "l1p25";
  static constexpr const char* params = FLIMGRU_RTL_l1p25_ROMS;
};
struct CfgL6P21 {  // LFE5U-85F: six lanes of 21 rows, 144 of its 156 MULT18X18D
  using V = Vl6p21;
  static constexpr int lanes = 6, layers = 1, hidden = 32, rows = 21;
  static constexpr int in_dim = 1;
  static constexpr const char* name = "l6p21";
  static constexpr const char* params = FLIMGRU_RTL_l6p21_ROMS;
};

struct CfgL2P16I2 {  // the IRF-conditioned model: the encoder reads the IRF bin beside the TPSF's
  using V = Vl2p16i2;
  static constexpr int lanes = 2, layers = 1, hidden = 32, rows = 16;
  static constexpr int in_dim = 2;
  static constexpr const char* name = "l2p16i2";
  static constexpr const char* params = FLIMGRU_RTL_l2p16i2_ROMS;
};

enum class Shape { Zeros, SingleBin, Saturated, Random, Decay };

// An IRF as the core takes it (x_q, peak 127): a Gaussian of random position and width, or with
// random extra bins (any int8 pattern must be exact).
std::vector<int32_t> make_irf(std::mt19937_64& rng, bool noisy) {
  std::uniform_real_distribution<double> pos(5, 40), sigma(0.8, 6);
  const double p = pos(rng), s = sigma(rng);
  std::vector<int32_t> irf(kBins);
  for (int k = 0; k < kBins; ++k) irf[k] = int(std::lround(127.0 * std::exp(-0.5 * (k - p) * (k - p) / (s * s))));
  std::uniform_int_distribution<int> u(0, 127), bin(0, kBins - 1);
  if (noisy)
    for (int i = 0; i < 20; ++i) irf[bin(rng)] = u(rng);
  return irf;
}

Pixel make_pixel(Shape s, uint32_t tag, std::mt19937_64& rng) {
  Pixel p;
  p.tag = tag;
  p.x.assign(kBins, 0);
  std::uniform_int_distribution<int> u(0, 127), bin(0, kBins - 1);
  switch (s) {
    case Shape::Zeros: break;
    case Shape::SingleBin: p.x[bin(rng)] = 127; break;
    case Shape::Saturated: for (auto& v : p.x) v = 127; break;
    case Shape::Random: for (auto& v : p.x) v = u(rng); break;
    case Shape::Decay: {
      const int t0 = 10 + bin(rng) % 20;
      const double tau = 5.0 + (bin(rng) % 40);
      for (int k = t0; k < kBins; ++k) p.x[k] = int(std::lround(127.0 * std::exp(-(k - t0) / tau)));
      break;
    }
  }
  return p;
}

template <class C>
struct Bench {
  uint64_t seed;
  QuantModel model;
  std::string rom_dir;
  Scoreboard sb;
  DutDriver<typename C::V> dut;
  std::mt19937_64 rng;
  uint32_t next_tag = 100;

  Bench(const std::string& test, uint64_t seed, bool extreme)
      : seed(seed),
        model(random_quant_model(C::layers, C::hidden, seed, extreme, QuantFormat::int8(), C::in_dim)),
        rom_dir(write_roms(model, test)),
        sb(model, C::lanes, C::rows, seed),
        dut(std::string(C::name) + "_" + test, rom_dir, &sb, C::lanes, seed),
        rng(seed * 7919 + 1) {
    // the model's header must equal the one the core was compiled with
    const auto compiled = read_params(std::string(C::params) + "/model_params.vh");
    const auto written = read_params(rom_dir + "/model_params.vh");
    EXPECT_FALSE(compiled.empty());
    EXPECT_EQ(compiled, written) << "model_params.vh of the test model differs from the compiled one";
    dut.reset();
    if (C::in_dim == 2) load_irf(make_irf(rng, false));
  }
  // an IRF load, ahead of every pixel queued after it (a model with the IRF input)
  void load_irf(const std::vector<int32_t>& irf) {
    dut.load_irf(irf);
    sb.set_irf(irf);
  }
  ~Bench() { fs::remove_all(rom_dir); }

  static std::string write_roms(const QuantModel& m, const std::string& test) {
    const fs::path dir = fs::temp_directory_path() /
        ("flimgru_rtl_" + std::string(C::name) + "_" + test + "_" + std::to_string(getpid()));
    write_rom_set(m, C::rows, dir.string());
    return dir.string();
  }

  // one batch of the given shapes (fewer than C::lanes closes a short batch)
  void batch(const std::vector<Shape>& shapes) {
    std::vector<Pixel> px;
    for (auto s : shapes) px.push_back(make_pixel(s, next_tag++, rng));
    sb.expect_batch(px);
    for (size_t i = 0; i < px.size(); ++i)
      dut.push_pixel(px[i], i + 1 == px.size() && px.size() < size_t(C::lanes));
  }

  void run_to_end() {
    const uint64_t budget = uint64_t(sb.schedule().batch_cycles()) * 40 + 100000;
    EXPECT_TRUE(dut.run(budget)) << "timeout after " << dut.cycles() << " cycles";
    EXPECT_EQ(sb.failures(), 0);
    EXPECT_TRUE(sb.done());
    std::printf("  %s: %llu cycles (%llu enabled), %lld state writes x lanes, %lld samples checked\n",
                C::name, (unsigned long long)dut.cycles(), (unsigned long long)dut.ce_cycles(),
                (long long)sb.writes_checked(), (long long)sb.samples_checked());
  }
};

template <class C>
void back_to_back(const std::string& test, uint64_t seed, bool extreme,
                  const std::vector<std::vector<Shape>>& batches) {
  Bench<C> b(test, seed, extreme);
  b.sb.set_exact_output_timing(true);  // sinks always ready: every beat's cycle is known
  for (const auto& s : batches) b.batch(s);
  b.run_to_end();
  // with every input loaded ahead, consecutive batches start exactly batch_cycles apart
  const auto& st = b.sb.batch_starts();
  ASSERT_EQ(st.size(), batches.size());
  for (size_t i = 1; i < st.size(); ++i)
    EXPECT_EQ(int64_t(st[i] - st[i - 1]), b.sb.schedule().batch_cycles()) << "batch " << i;
  EXPECT_EQ(b.sb.writes_checked(), int64_t(batches.size()) * 2 * kBins * C::layers * C::hidden);
  size_t pixels = 0;
  for (const auto& s : batches) pixels += s.size();
  EXPECT_EQ(b.sb.samples_checked(), int64_t(pixels) * kBins);
}

std::vector<Shape> lanes_of(int n, std::initializer_list<Shape> s) {
  std::vector<Shape> v(s);
  v.resize(n, Shape::Random);
  return v;
}

}  // namespace

template <class C>
void cycle_budget() {
  auto m = random_quant_model(C::layers, C::hidden, 1);
  Schedule s(m.hidden, m.layers, C::rows);
  const double per_tpsf = double(s.batch_cycles()) / C::lanes;
  const double ideal = double(m.macs_per_tpsf()) / (C::lanes * C::rows);
  EXPECT_LE(per_tpsf, 1.25 * ideal) << C::name;
  std::printf("config %s: batch %lld cycles, %.1f cycles/TPSF, ideal %.1f (ratio %.3f)\n", C::name,
              (long long)s.batch_cycles(), per_tpsf, ideal, per_tpsf / ideal);
}

TEST(RtlCore, CycleFormulaWithinBudget) {
  // cycles per TPSF vs the ideal MACs / multipliers (docs/architecture.md)
  cycle_budget<CfgL2P12>();
  cycle_budget<CfgL3P8H16>();
  cycle_budget<CfgL1P25>();
  cycle_budget<CfgL6P21>();
}

TEST(RtlCore, FpgaReportUsesTheHarnessSchedule) {
  // flimgru fpga-report computes throughput without the harness; both must agree everywhere.
  for (int H : {8, 16, 32, 64})
    for (int L : {1, 2, 3})
      for (int P : {4, 8, 12, 16, 18, 20, 21, 25, 32})
        EXPECT_EQ(fpga_batch_cycles(H, L, P), sim::Schedule(H, L, P).batch_cycles()) << H << " " << L << " " << P;
}

TEST(RtlCore, RandomModelCornerInputsBackToBack) {
  back_to_back<CfgL2P12>("corner", 11, false,
                         {{Shape::Zeros, Shape::SingleBin}, {Shape::Saturated, Shape::Random},
                          {Shape::Decay, Shape::Decay}});
}

TEST(RtlCore, ExtremeModel) {
  back_to_back<CfgL2P12>("extreme", 12, true,
                         {{Shape::Saturated, Shape::Random}, {Shape::Decay, Shape::Zeros}});
}

TEST(RtlCore, RandomStallsBothSides) {
  Bench<CfgL2P12> b("stalls", 13, false);
  b.dut.set_stalls(0.3, 0.2);
  b.batch({Shape::Random, Shape::Decay});
  b.batch({Shape::Saturated, Shape::SingleBin});
  b.run_to_end();
}

TEST(RtlCore, ShortBatchThenFull) {
  Bench<CfgL2P12> b("short", 14, false);
  b.batch({Shape::Decay});
  b.batch({Shape::Random, Shape::Random});
  b.run_to_end();
}

TEST(RtlCore, FlushClosesPartialBatch) {
  // no s_x_last: the batch of one pixel is closed by s_x_flush_i once the input runs dry
  Bench<CfgL2P12> b("flush", 18, false);
  b.dut.set_flush_when_idle(true);
  std::vector<Pixel> px{make_pixel(Shape::Decay, 7, b.rng)};
  b.sb.expect_batch(px);
  b.dut.push_pixel(px[0], false);
  b.run_to_end();
}

TEST(RtlCore, ResetInTheMiddleOfAPixel) {
  Bench<CfgL2P12> b("reset", 15, false);
  b.batch({Shape::Random, Shape::Decay});
  b.batch({Shape::Random, Shape::Decay});
  // run into the first batch's encoder while the second batch is still loading
  for (int i = 0; i < 300; ++i) b.dut.tick();
  b.dut.reset(3);
  b.sb.clear();
  b.batch({Shape::Saturated, Shape::Decay});
  b.run_to_end();
}

TEST(RtlCore, ResetDuringDecoderWithBackPressure) {
  Bench<CfgL2P12> b("reset2", 16, false);
  b.dut.set_stalls(1.0, 0.0);  // outputs blocked: the core fills its FIFOs and stalls
  b.batch({Shape::Random, Shape::Random});
  for (int i = 0; i < 60000; ++i) b.dut.tick();
  b.dut.reset(2);
  b.sb.clear();
  b.dut.set_stalls(1.0, 1.0);
  b.batch({Shape::Decay, Shape::SingleBin});
  b.run_to_end();
}

TEST(RtlCoreGenericL, TwoLayersThreeLanes) {
  back_to_back<CfgL3P8H16>("l2", 21, false,
                           {lanes_of(3, {Shape::Decay, Shape::Saturated, Shape::Zeros}),
                            lanes_of(3, {Shape::SingleBin, Shape::Random, Shape::Decay})});
}

TEST(RtlCoreGenericL, ExtremeShortBatchStalls) {
  Bench<CfgL3P8H16> b("l2x", 22, true);
  b.dut.set_stalls(0.5, 0.3);
  b.batch({Shape::Random, Shape::Saturated});
  b.batch(lanes_of(3, {Shape::Decay}));
  b.run_to_end();
}

TEST(RtlCore, OutputBackPressureStallsCore) {
  // the sinks accept rarely: result FIFOs fill, the clock enable drops, nothing is lost
  Bench<CfgL2P12> b("backpressure", 17, false);
  b.dut.set_stalls(1.0, 0.004);
  b.batch({Shape::Decay, Shape::Random});
  b.batch({Shape::SingleBin, Shape::Saturated});
  b.run_to_end();
  EXPECT_GT(b.dut.cycles(), b.dut.ce_cycles() + 10000) << "the core never stalled";
}

TEST(RtlCore, RandomSeedsSweep) {
  // more random and extreme models, every input shape, random stalls on both sides
  for (uint64_t seed = 30; seed < 38; ++seed) {
    Bench<CfgL2P12> b("sweep" + std::to_string(seed), seed, seed % 3 == 0);
    b.dut.set_stalls(0.6 + 0.05 * (seed % 5), 0.1 + 0.1 * (seed % 4));
    const Shape shapes[] = {Shape::Zeros, Shape::SingleBin, Shape::Saturated, Shape::Random, Shape::Decay};
    b.batch({shapes[seed % 5], shapes[(seed + 2) % 5]});
    b.run_to_end();
    if (HasFailure()) break;
  }
}

TEST(RtlCoreDevices, Ecp5_25F_OneLaneTwentyFiveRows) {
  back_to_back<CfgL1P25>("25f", 41, false, {{Shape::Decay}, {Shape::Saturated}, {Shape::Random}});
}

TEST(RtlCoreDevices, Ecp5_85F_SixLanesTwentyOneRows) {
  back_to_back<CfgL6P21>("85f", 42, false,
                         {lanes_of(6, {Shape::Decay, Shape::Zeros, Shape::SingleBin, Shape::Saturated}),
                          lanes_of(6, {Shape::Decay, Shape::Decay})});
}

TEST(RtlCoreDevices, Ecp5_85F_ExtremeShortBatchStalls) {
  Bench<CfgL6P21> b("85fx", 43, true);
  b.dut.set_stalls(0.7, 0.01);
  b.batch({Shape::Random, Shape::Decay, Shape::Saturated, Shape::SingleBin});
  b.batch(lanes_of(6, {Shape::Decay}));
  b.run_to_end();
}

// The IRF-conditioned model (IN_DIM 2): the IRF is loaded once into every lane's x RAM and read
// as the encoder's second input column; every state, sample and summary bit-exact, the batch
// period K = 2 + H columns per encoder group.
TEST(RtlCoreIrf, IrfModelBackToBack) {
  back_to_back<CfgL2P16I2>("irf", 51, false,
                           {{Shape::Decay, Shape::Random}, {Shape::Zeros, Shape::Saturated},
                            {Shape::SingleBin, Shape::Decay}});
}

TEST(RtlCoreIrf, ExtremeModel) {
  back_to_back<CfgL2P16I2>("irfx", 52, true, {{Shape::Saturated, Shape::Decay}});
}

// A new IRF between batches: it waits until the batches before it have left the encoder, holds
// the pixels after it, and applies to exactly those; with random stalls, a short batch, a noisy
// IRF, and a partial batch (no s_x_last) that the pending IRF load closes.
TEST(RtlCoreIrf, IrfReloadedBetweenBatches) {
  Bench<CfgL2P16I2> b("irf_reload", 53, false);
  b.dut.set_stalls(0.7, 0.5);
  b.batch({Shape::Decay, Shape::Random});
  b.load_irf(make_irf(b.rng, true));
  b.batch({Shape::Decay});          // short batch, closed by s_x_last
  b.load_irf(make_irf(b.rng, false));
  b.batch({Shape::Random, Shape::Decay});
  const Pixel lone = make_pixel(Shape::Decay, b.next_tag++, b.rng);
  b.sb.expect_batch({lone});        // one pixel without s_x_last: the IRF load below closes it
  b.dut.push_pixel(lone, false);
  b.load_irf(make_irf(b.rng, false));
  b.batch({Shape::SingleBin, Shape::Random});
  b.run_to_end();
}

TEST(RtlCoreIrf, ScheduleHasTwoInputColumns) {
  const Schedule one(32, 1, 16), two(32, 1, 16, 2);
  // one more column per row group of every encoder step, nothing else
  EXPECT_EQ(two.batch_cycles() - one.batch_cycles(), int64_t(kBins) * one.groups);
}
