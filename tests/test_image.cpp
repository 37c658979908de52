// flimgru image end to end (in process): synthetic PTU files with a known lifetime, .npy cubes
// through the network, the hazelnut file, PNGs read back with libpng, bad files leaving nothing.
#include <png.h>

#include <filesystem>
#include <sstream>

#include "cli.hpp"
#include "error.hpp"
#include "image.hpp"
#include "npy.hpp"
#include "png_maps.hpp"
#include "ptu_writer.hpp"
#include "safetensors.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void run(std::vector<std::string> args) { test::run_cli(std::move(args)); }

struct Png {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

Png read_png(const std::string& path) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str())) {
    ADD_FAILURE() << path << ": " << img.message;
    return {};
  }
  img.format = PNG_FORMAT_RGB;
  Png p;
  p.width = int(img.width);
  p.height = int(img.height);
  p.rgb.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, p.rgb.data(), 0, nullptr)) ADD_FAILURE() << path << ": " << img.message;
  return p;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream ls(line);
    std::string c;
    while (std::getline(ls, c, ',')) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

const char* kMaps[] = {"tau1.png", "tau2.png", "tau_mean.png", "tau_int.png", "intensity.png", "tau_int_intensity.png"};

TEST(ImagePtu, FitOnASyntheticFileRecoversTheLifetime) {
  TempDir d;
  test::SynthPtu s;  // 50 ps bins, 20 ns period: neither is the model's
  s.pix_x = 8;
  s.pix_y = 8;
  s.frames = 60;
  s.tau_ns = 1.5;
  s.t0_ns = 1.0;
  s.irf_sigma_ns = 0.12;
  std::vector<uint64_t> truth;
  test::spit(d / "s.ptu", make_ptu(s, &truth));
  run({"image", d / "s.ptu", "-o", d / "out", "--bin", "4", "--method", "fit", "--min-photons", "50", "--quiet"});
  EXPECT_FALSE(fs::exists(d / "out.tmp"));
  const auto rows = read_csv(d / "out/pixels.csv");
  ASSERT_EQ(rows.size(), 5u);
  const std::string csv = test::slurp(d / "out/pixels.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "row,col,photons,tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,fit_components");
  uint64_t total = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 9u);
    // A mono-exponential decay: the selection keeps the mono-exponential model (fit.hpp).
    EXPECT_EQ(rows[r][8], "1") << "pixel " << rows[r][0] << "," << rows[r][1];
    total += std::stoull(rows[r][2]);
    const double ti = std::stod(rows[r][7]);
    EXPECT_NEAR(ti, 1.5, 0.1) << "pixel " << rows[r][0] << "," << rows[r][1];
    const double a = std::stod(rows[r][5]), t1 = std::stod(rows[r][3]), t2 = std::stod(rows[r][4]);
    EXPECT_NEAR(std::stod(rows[r][6]), a * t1 + (1 - a) * t2, 1e-5);
    EXPECT_NEAR(ti, (a * t1 * t1 + (1 - a) * t2 * t2) / (a * t1 + (1 - a) * t2), 1e-5);
  }
  uint64_t want = 0;
  for (auto v : truth) want += v;
  EXPECT_EQ(total, want);
  const auto sum = nlohmann::json::parse(test::slurp(d / "out/summary.json"));
  EXPECT_EQ(sum["photons"].get<double>(), double(want));
  EXPECT_EQ(sum["file"]["record_type_name"], "PicoHarp 300 T3");
  EXPECT_NEAR(sum["file"]["grid"]["source_bin_ns"].get<double>(), 0.05, 1e-12);
  EXPECT_EQ(sum["method"], "fit");
  EXPECT_EQ(sum["model"]["pixels_mono"], 4);
  EXPECT_EQ(sum["model"]["pixels_at_bound"], 0);
  EXPECT_NEAR(sum["model"]["irf"]["peak_ns"].get<double>(), 1.0, 0.05);
  EXPECT_TRUE(sum["seconds"].contains("total"));
  const auto [w, h] = map_png_size(2, 2);
  for (const char* m : kMaps) {
    const Png p = read_png(d / ("out/" + std::string(m)));
    EXPECT_EQ(p.width, w) << m;
    EXPECT_EQ(p.height, h) << m;
  }
}

TEST(ImagePtu, OneFrameOnRequest) {
  TempDir d;
  test::SynthPtu s;
  s.frames = 3;
  test::spit(d / "f.ptu", make_ptu(s));
  run({"image", d / "f.ptu", "-o", d / "f1", "--bin", "8", "--frame", "1", "--min-photons", "1e9", "--quiet"});
  const auto rows = read_csv(d / "f1/pixels.csv");
  ASSERT_EQ(rows.size(), 3u);  // 16 x 8 pixels binned 8 x 8: 1 x 2
  uint64_t want = 0;
  for (int y = 0; y < s.pix_y; ++y)
    for (int x = 0; x < s.pix_x; ++x) want += uint64_t(s.photons(1, y, x));
  EXPECT_EQ(std::stoull(rows[1][2]) + std::stoull(rows[2][2]), want);
  EXPECT_EQ(rows[1][3], "nan");  // below --min-photons
  EXPECT_ERROR_MENTIONS(run({"image", d / "f.ptu", "-o", d / "f3", "--frame", "3", "--quiet"}), "f.ptu", "3 frames");
  EXPECT_FALSE(fs::exists(d / "f3"));
}

TEST(ImagePtu, HazelnutZ1FitIsPlausible) {
  const std::string f = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut/hazelnut_z1.ptu";
  if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
  TempDir d;
  ImageOptions o;
  o.input = f;
  o.out_dir = d / "hz";
  o.bin = 16;
  o.progress = false;
  const auto s = run_image(o);
  EXPECT_EQ(s["photons"].get<double>(), 150363.0);
  EXPECT_EQ(s["image"]["height"], 16);
  const double ti = s["median"]["tau_int_ns"].get<double>();
  EXPECT_GT(ti, 0.8);
  EXPECT_LT(ti, 2.0);
  // The centre of mass agrees with the fit on the intensity-weighted lifetime.
  EXPECT_NEAR(s["model"]["median_tau_com_ns"].get<double>(), ti, 0.15);
  EXPECT_EQ(read_png(d / "hz/tau_int.png").width, map_png_size(16, 16).first);
}

// --pixel-rule integer (the photon front end's exact rule): on hazelnut z1 no photon changes
// pixel (docs/numerics.md §10), so the lifetime map is byte for byte the float rule's.
TEST(ImagePtu, HazelnutZ1IntegerPixelRuleSameMap) {
  const std::string f = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut/hazelnut_z1.ptu";
  if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
  TempDir d;
  for (const char* rule : {"float", "integer"})
    run({"image", f, "-o", d / rule, "--bin", "16", "--method", "nn", "--backend", "int8", "--pixel-rule", rule,
         "--quiet"});
  const std::string a = test::slurp(d / "float/pixels.csv");
  EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 256);  // 16 × 16 pixels and the header
  EXPECT_EQ(a, test::slurp(d / "integer/pixels.csv"));
  const auto s = nlohmann::json::parse(test::slurp(d / "integer/summary.json"));
  EXPECT_THAT(s["file"]["pixel_rule"].get<std::string>(), testing::HasSubstr("integer"));
  EXPECT_THROW(run({"image", f, "-o", d / "bad", "--pixel-rule", "round", "--quiet"}), CLI::ValidationError);
}

TEST(ImageNpy, NetworkOnACubeAndAMeasuredIrfForTheFit) {
  TempDir d;
  SimConfig cfg;
  cfg.photons = Range{300, 3000};
  cfg.irf_fwhm = Range::fixed(0.3);
  cfg.irf_peak = Range::fixed(1.0);
  const Dataset ds = simulate(cfg, 4 * 6, 1);
  write_npy(d / "cube.npy", {4, 6, kBins}, ds.counts.data());
  save_checkpoint(Seq2SeqWeights::random(1, 8, 5, 2.0f), d / "m.safetensors");
  run({"image", d / "cube.npy", "-o", d / "nn", "--method", "nn", "--model", d / "m.safetensors", "--backend", "int8",
       "--min-photons", "0", "--quiet"});
  auto rows = read_csv(d / "nn/pixels.csv");
  ASSERT_EQ(rows.size(), 25u);
  EXPECT_EQ(rows[24][0], "3");
  EXPECT_EQ(rows[24][1], "5");
  const auto s = nlohmann::json::parse(test::slurp(d / "nn/summary.json"));
  EXPECT_EQ(s["model"]["backend"], "int8");
  // The same lifetimes for the pixels that pass --min-photons, NaN for the others.
  run({"image", d / "cube.npy", "-o", d / "nn2", "--method", "nn", "--model", d / "m.safetensors", "--backend",
       "int8", "--min-photons", "1000", "--quiet"});
  const auto rows2 = read_csv(d / "nn2/pixels.csv");
  int dim = 0;
  for (size_t r = 1; r < rows2.size(); ++r) {
    if (std::stod(rows2[r][2]) < 1000) {
      ++dim;
      EXPECT_EQ(rows2[r][3], "nan");
    } else {
      EXPECT_EQ(rows2[r], rows[r]);
    }
  }
  EXPECT_GT(dim, 0);
  EXPECT_LT(dim, 24);
  EXPECT_EQ(s["file"]["format"], "npy");
  // The fit with a measured IRF file (the Gaussian sampled on the grid), binned 2 x 2.
  std::ostringstream irf;
  SampleParams p;
  p.irf_fwhm = 0.3;
  p.irf_peak = 1.0;
  const auto g = gaussian_irf_density(0.3, 1.0, 0.0, kBinNs, kBins);
  for (double v : g) irf << v * kBinNs << "\n";
  test::spit(d / "irf.txt", irf.str());
  run({"image", d / "cube.npy", "-o", d / "fit", "--bin", "2", "--irf", d / "irf.txt", "--quiet"});
  rows = read_csv(d / "fit/pixels.csv");
  ASSERT_EQ(rows.size(), 7u);
  const auto sf = nlohmann::json::parse(test::slurp(d / "fit/summary.json"));
  EXPECT_EQ(sf["model"]["irf"]["source"], d / "irf.txt");
  EXPECT_EQ(sf["pixels_estimated"], 6);
  // The laser period is unknown for a .npy cube.
  EXPECT_ERROR_MENTIONS(run({"image", d / "cube.npy", "-o", d / "p", "--period", "sync", "--quiet"}), "cube.npy",
                        "sync");
  EXPECT_FALSE(fs::exists(d / "p"));
  run({"image", d / "cube.npy", "-o", d / "p", "--period", "12.5", "--bin", "6", "--quiet"});
  EXPECT_EQ(nlohmann::json::parse(test::slurp(d / "p/summary.json"))["model"]["irf"]["period_ns"], 12.5);
  // Running again replaces the earlier output.
  run({"image", d / "cube.npy", "-o", d / "fit", "--bin", "3", "--irf", d / "irf.txt", "--quiet"});
  EXPECT_EQ(read_csv(d / "fit/pixels.csv").size(), 5u);
}

TEST(ImageErrors, BadInputsNameTheFileAndLeaveNothing) {
  TempDir d;
  test::SynthPtu s;
  const std::string good = make_ptu(s);
  test::spit(d / "trunc.ptu", good.substr(0, good.size() - 6));
  EXPECT_ERROR_MENTIONS(run({"image", d / "trunc.ptu", "-o", d / "o1", "--quiet"}), "trunc.ptu", "truncated records");
  EXPECT_FALSE(fs::exists(d / "o1"));
  EXPECT_FALSE(fs::exists(d / "o1.tmp"));
  test::SynthPtu t2 = s;
  t2.record_type = 0x00010203;
  test::spit(d / "t2.ptu", make_ptu(t2));
  EXPECT_ERROR_MENTIONS(run({"image", d / "t2.ptu", "-o", d / "o2", "--quiet"}), "t2.ptu", "T2");
  EXPECT_FALSE(fs::exists(d / "o2"));
  // A window that does not fit in a short laser period.
  test::SynthPtu fast = s;
  fast.period_ns = 10.0;
  test::spit(d / "fast.ptu", make_ptu(fast));
  EXPECT_ERROR_MENTIONS(run({"image", d / "fast.ptu", "-o", d / "o3", "--quiet"}), "fast.ptu", "beyond the laser period");
  EXPECT_FALSE(fs::exists(d / "o3"));
  // A directory that is not an earlier output is not overwritten.
  fs::create_directories(d / "keep");
  test::spit(d / "keep/x.txt", "mine");
  test::spit(d / "good.ptu", good);
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "keep", "--quiet"}), "keep", "not replacing");
  EXPECT_EQ(test::slurp(d / "keep/x.txt"), "mine");
  test::SynthPtu nolines = s;
  nolines.line_markers = false;
  test::spit(d / "nolines.ptu", make_ptu(nolines));
  EXPECT_ERROR_MENTIONS(run({"image", d / "nolines.ptu", "-o", d / "o5", "--quiet"}), "nolines.ptu", "no line markers");
  EXPECT_FALSE(fs::exists(d / "o5"));
  std::string magic = good;
  magic[1] = 'X';
  test::spit(d / "magic.ptu", magic);
  EXPECT_ERROR_MENTIONS(run({"image", d / "magic.ptu", "-o", d / "o6", "--quiet"}), "magic.ptu", "wrong magic");
  EXPECT_FALSE(fs::exists(d / "o6"));
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o7", "--period", "abc", "--quiet"}), "--period");
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o7", "--period", "5", "--quiet"}), "shorter");
  EXPECT_FALSE(fs::exists(d / "o7"));
  // A bad measured IRF file.
  test::spit(d / "irf.txt", "1\n2\n");
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o4", "--irf", d / "irf.txt", "--quiet"}), "irf.txt");
  EXPECT_FALSE(fs::exists(d / "o4"));
}

// image --device: the photon path on a board; a port that does not open is named, and what the
// board cannot run (the fit, another backend or model, an image cube) is refused before it.
TEST(ImageErrors, DeviceRefusals) {
  TempDir d;
  test::spit(d / "good.ptu", make_ptu(test::SynthPtu{}));
  const std::string port = "/nonexistent/ttyFLIM9";
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o", "--device", port, "--quiet"}), port);
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o", "--device", port, "--method", "fit", "--quiet"}),
                        "--device", "--method nn");
  EXPECT_ERROR_MENTIONS(
      run({"image", d / "good.ptu", "-o", d / "o", "--device", port, "--backend", "float", "--quiet"}), "--device",
      "--backend");
  EXPECT_ERROR_MENTIONS(run({"image", d / "good.ptu", "-o", d / "o", "--device", port, "--model", d / "m", "--quiet"}),
                        "--device", "--model");
  const std::vector<float> cube(2 * 2 * kBins, 1.0f);
  write_npy(d / "cube.npy", {2, 2, kBins}, cube.data());
  EXPECT_ERROR_MENTIONS(run({"image", d / "cube.npy", "-o", d / "o", "--device", port, "--quiet"}), "cube.npy",
                        "--device");
  EXPECT_FALSE(fs::exists(d / "o"));
}

// PNGs go through write_file: into a missing folder, an error naming the path and no file.
TEST(ImagePng, WriteIntoAMissingFolderFailsCleanly) {
  TempDir d;
  MapSpec m;
  m.height = 2;
  m.width = 2;
  m.values = {0, 1, 2, 3};
  m.lo = 0;
  m.hi = 3;
  EXPECT_ERROR_MENTIONS(write_map_png(d / "nowhere/m.png", m), "nowhere");
  EXPECT_ERROR_MENTIONS(write_png_rgb(d / "nowhere/p.png", 1, 1, {1, 2, 3}), "nowhere");
  EXPECT_FALSE(fs::exists(d / "nowhere"));
  write_png_rgb(d / "p.png", 1, 1, {1, 2, 3});
  const Png p = read_png(d / "p.png");
  EXPECT_EQ(p.rgb, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()), 1);  // no temporary
}

TEST(ImagePng, MapsReadBackWithTheRightSizeAndColours) {
  TempDir d;
  MapSpec m;
  m.height = 3;
  m.width = 5;
  m.values = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, NAN};
  m.lo = 0;
  m.hi = 13;
  write_map_png(d / "m.png", m);
  const Png p = read_png(d / "m.png");
  const auto [w, h] = map_png_size(3, 5);
  EXPECT_EQ(p.width, w);
  EXPECT_EQ(p.height, h);
  EXPECT_EQ(w, 5 * 51 + kMapBarWidth);
  EXPECT_EQ(h, std::max(3 * 51, kMapMinHeight));
  auto px = [&](int x, int y) { return &p.rgb[(size_t(y) * p.width + x) * 3]; };
  EXPECT_EQ(px(0, 0)[0], 68);      // lo: dark violet
  EXPECT_EQ(px(3 * 51 + 5, 2 * 51 + 5)[0], 253);  // hi: yellow
  EXPECT_EQ(px(4 * 51 + 5, 2 * 51 + 5)[0], 40);   // NaN: dark grey
  EXPECT_FALSE(fs::exists(d / "m.png.tmp"));
  EXPECT_EQ(scale_label(1.234), "1.23");
  EXPECT_EQ(scale_label(5076), "5076");
  EXPECT_EQ(scale_label(0), "0");
  EXPECT_EQ(scale_label(250000), "250k");
}

TEST(CrlbCli, PrintsBoundsAsJson) {
  testing::internal::CaptureStdout();
  {
    CLI::App app;
    cli::add_crlb(app);
    std::vector<std::string> args = {"crlb", "--photons", "1000,4000", "--json"};
    std::reverse(args.begin(), args.end());
    app.parse(args);
  }
  const auto j = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  ASSERT_EQ(j["bounds"].size(), 2u);
  EXPECT_NEAR(j["bounds"][0]["sd_tau1_ns"].get<double>() / j["bounds"][1]["sd_tau1_ns"].get<double>(), 2.0, 1e-6);
}

}  // namespace
}  // namespace flimgru
