// `flimgru infer --backend rtl` (the verilated core compiled for the default model) against
// `--backend int8`: identical CSV and .npy bytes on simulated TPSFs and on an image cube; a
// model other than the compiled one is refused with a clear message; `flimgru image` of a small
// PTU file writes the same pixels.csv through either backend. Runs build/flimgru itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "../ptu_writer.hpp"
#include "npy.hpp"
#include "rtl_default.hpp"
#include "tpsf.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Tmp {
  fs::path dir;
  Tmp(const std::string& name)
      : dir(fs::temp_directory_path() / ("flimgru_rtlb_" + name + "_" + std::to_string(getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Tmp() { fs::remove_all(dir); }
  std::string operator/(const std::string& f) const { return (dir / f).string(); }
};

// runs build/flimgru ARGS, stdout+stderr into LOG; returns the exit status
int cli(const std::string& args, const std::string& log) {
  const std::string cmd = std::string(FLIMGRU_CLI) + " " + args + " > " + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

// The checkpoint the core was compiled for (weights/default unless cmake -DFLIMGRU_RTL_CHECKPOINT
// chose another), named on every command so that both backends run that model.
std::string compiled_model() { return " --model " + flimgru::sim::rtl_default().checkpoint; }

}  // namespace

TEST(RtlBackend, CsvIdenticalToInt8OnSimulatedTpsfs) {
  // 301 pixels: not a multiple of the lanes, so the last batch is short
  Tmp t("csv");
  ASSERT_EQ(cli("simulate -n 301 --seed 4242 --photons-min 50 --photons-max 200000 -o " + t / "data", t / "sim.log"), 0)
      << slurp(t / "sim.log");
  ASSERT_EQ(cli("infer " + t / "data" + " -o " + t / "rtl.csv --backend rtl --json" + compiled_model(), t / "rtl.log"), 0)
      << slurp(t / "rtl.log");
  ASSERT_EQ(cli("infer " + t / "data" + " -o " + t / "int8.csv --backend int8" + compiled_model(), t / "int8.log"), 0)
      << slurp(t / "int8.log");
  const std::string a = slurp(t / "rtl.csv"), b = slurp(t / "int8.csv");
  EXPECT_EQ(lines(a), 302u);
  EXPECT_TRUE(a == b) << "rtl and int8 CSVs differ";
  const std::string log = slurp(t / "rtl.log");
  const size_t at = log.find("\"tpsf_per_second\"");
  std::printf("  CSV identical on %zu pixels (rtl backend: %s)\n", lines(a) - 1,
              at == std::string::npos ? "?" : log.substr(at, log.find_first_of(",\n}", at) - at).c_str());
}

TEST(RtlBackend, NpyImageInputIdenticalToInt8) {
  // an image cube [6,7,135] of Poisson-ish decays, zeros and a saturated pixel; .npy and .csv out
  Tmp t("npy");
  const int H = 6, W = 7;
  std::vector<float> cube(size_t(H) * W * flimgru::kBins, 0.0f);
  std::mt19937_64 rng(77);
  for (int p = 0; p < H * W; ++p) {
    float* c = &cube[size_t(p) * flimgru::kBins];
    if (p == 0) continue;  // all zeros
    if (p == 1) { c[40] = 1.0f; continue; }  // a single photon
    if (p == 2) { for (int k = 0; k < flimgru::kBins; ++k) c[k] = 65535.0f; continue; }
    const double tau = 2.0 + (p % 13) * 3.0, amp = 20.0 + 50.0 * p;
    std::poisson_distribution<int> bg(0.5);
    for (int k = 0; k < flimgru::kBins; ++k) {
      const double mean = k < 15 ? 0.0 : amp * std::exp(-(k - 15) / tau);
      std::poisson_distribution<int> pd(mean + 1e-9);
      c[k] = float(pd(rng) + bg(rng));
    }
  }
  flimgru::write_npy(t / "cube.npy", {H, W, flimgru::kBins}, cube.data());
  for (const char* ext : {"npy", "csv"}) {
    const std::string e = ext;
    ASSERT_EQ(cli("infer " + t / "cube.npy" + " -o " + t / ("rtl." + e) + " --backend rtl" + compiled_model(), t / "rtl.log"), 0)
        << slurp(t / "rtl.log");
    ASSERT_EQ(cli("infer " + t / "cube.npy" + " -o " + t / ("int8." + e) + " --backend int8" + compiled_model(), t / "int8.log"), 0)
        << slurp(t / "int8.log");
    const std::string a = slurp(t / ("rtl." + e)), b = slurp(t / ("int8." + e));
    EXPECT_FALSE(a.empty());
    EXPECT_TRUE(a == b) << "rtl and int8 ." << e << " outputs differ";
  }
}

TEST(RtlBackend, ImagePixelsCsvIdenticalToInt8) {
  // a synthetic PicoHarp T3 image of 8 x 6 pixels, 40 frames (~100-280 photons per pixel, 50 ps
  // micro-time bins resampled onto the model grid); every pixel goes through the network
  Tmp t("image");
  flimgru::test::SynthPtu s;
  s.pix_x = 8;
  s.pix_y = 6;
  s.frames = 40;
  s.tau_ns = 2.2;
  {
    std::ofstream f(t / "small.ptu", std::ios::binary);
    const std::string bytes = flimgru::test::make_ptu(s);
    f.write(bytes.data(), std::streamsize(bytes.size()));
  }
  for (const char* b : {"rtl", "int8"}) {
    const std::string be = b;
    ASSERT_EQ(cli("image " + t / "small.ptu" + " -o " + t / be + " --method nn --backend " + be +
                      " --min-photons 1 --quiet" + compiled_model(),
                  t / (be + ".log")),
              0)
        << slurp(t / (be + ".log"));
  }
  const std::string a = slurp(t / "rtl/pixels.csv"), b = slurp(t / "int8/pixels.csv");
  EXPECT_EQ(lines(a), 1u + 8 * 6);
  EXPECT_EQ(a.find("nan"), std::string::npos) << "every pixel has lifetimes:\n" << a;
  EXPECT_TRUE(a == b) << "rtl and int8 pixels.csv differ:\n" << a << "\n" << b;
  const std::string summary = slurp(t / "rtl/summary.json");
  EXPECT_NE(summary.find("\"backend\": \"rtl\""), std::string::npos) << summary;
}

TEST(RtlBackend, AcceptsTheCompiledRomSetAndCheckpoint) {
  Tmp t("ok");
  const auto def = flimgru::sim::rtl_default();
  std::vector<float> one(flimgru::kBins, 0.0f);
  for (int k = 20; k < flimgru::kBins; ++k) one[k] = float(int(500 * std::exp(-(k - 20) / 20.0)));
  flimgru::write_npy(t / "one.npy", {1, flimgru::kBins}, one.data());
  EXPECT_EQ(cli("infer " + t / "one.npy" + " -o " + t / "a.csv --backend rtl --model " + def.rom_dir, t / "a.log"), 0)
      << slurp(t / "a.log");
  EXPECT_EQ(cli("infer " + t / "one.npy" + " -o " + t / "b.csv --backend rtl --model " + def.checkpoint, t / "b.log"), 0)
      << slurp(t / "b.log");
  EXPECT_EQ(slurp(t / "a.csv"), slurp(t / "b.csv"));
}

TEST(RtlBackend, RefusesAnotherModel) {
  Tmp t("refuse");
  std::vector<float> one(flimgru::kBins, 1.0f);
  flimgru::write_npy(t / "one.npy", {1, flimgru::kBins}, one.data());
  // the float student (not the QAT one the default links to): other weights, other ROM set
  const std::string other = std::string(FLIMGRU_SOURCE_DIR) + "/weights/student-h32/model.safetensors";
  ASSERT_TRUE(fs::exists(other));
  EXPECT_NE(cli("infer " + t / "one.npy" + " -o " + t / "x.csv --backend rtl --model " + other, t / "x.log"), 0);
  const std::string log = slurp(t / "x.log");
  EXPECT_NE(log.find("runs only the model its core was compiled for"), std::string::npos) << log;
  EXPECT_NE(log.find(".hex"), std::string::npos) << "names the differing files: " << log;
  EXPECT_FALSE(fs::exists(t / "x.csv"));
}
