// The subcommands end to end, in process: simulate -> quantize -> infer/eval, outputs that
// appear whole, and errors that name the file.
#include <cmath>
#include <filesystem>
#include <sstream>

#include "cli.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"
#include <nlohmann/json.hpp>
#include "error.hpp"
#include "lifetimes.hpp"
#include "npy.hpp"
#include "test_helpers.hpp"
#include "version.hpp"

namespace flimgru {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void run(std::vector<std::string> args) { test::run_cli(std::move(args)); }

class Cli : public ::testing::Test {
 protected:
  TempDir d;
  void SetUp() override {
    Seq2SeqWeights w = Seq2SeqWeights::random(1, 8, 5, 2.0f);
    save_checkpoint(w, d / "m.safetensors");
    run({"simulate", "-n", "40", "--seed", "3", "-o", d / "data"});
  }
};

TEST_F(Cli, Int8FromCheckpointAndFromRomSetWriteIdenticalCsv) {
  run({"quantize", d / "m.safetensors", "-o", d / "rom", "--mac-rows", "8"});
  run({"infer", d / "data", "-o", d / "a.csv", "--model", d / "m.safetensors", "--backend", "int8"});
  run({"infer", d / "data", "-o", d / "b.csv", "--model", d / "rom", "--backend", "int8"});
  const std::string a = test::slurp(d / "a.csv");
  EXPECT_EQ(a, test::slurp(d / "b.csv"));
  EXPECT_EQ(a.substr(0, a.find('\n')), "tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,photons");
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 41);
  EXPECT_FALSE(fs::exists(d / "a.csv.tmp"));
}

TEST_F(Cli, InferWritesNpyWithTheImageShape) {
  std::vector<float> img(2 * 3 * kBins);
  for (size_t i = 0; i < img.size(); ++i) img[i] = float((i * 7) % 50);
  write_npy(d / "img.npy", {2, 3, kBins}, img.data());
  run({"infer", d / "img.npy", "-o", d / "out.npy", "--model", d / "m.safetensors", "--backend", "float"});
  const NpyArray out = read_npy(d / "out.npy");
  ASSERT_EQ(out.shape, (std::vector<int64_t>{2, 3, 6}));
  for (int p = 0; p < 6; ++p) {  // the last column: the pixel's photons, the sum of its histogram
    double photons = 0;
    for (int k = 0; k < kBins; ++k) photons += img[p * kBins + k];
    EXPECT_EQ(out.at(p * 6 + 5), photons) << p;
  }
}

// Rows of a CSV without its header, split at commas.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line, cell;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream l(line);
    rows.emplace_back();
    while (std::getline(l, cell, ',')) rows.back().push_back(cell);
  }
  return rows;
}

TEST_F(Cli, InferGivesNanExactlyBelowMinPhotonsAndFiniteLifetimesElsewhere) {
  // The 40 simulated pixels' photons; the threshold at their median leaves half below it. The
  // random model's SFDs are far from decays: every pixel above the threshold takes the
  // fallback rules of lifetimes.hpp somewhere, and must still come out finite and in range.
  const NpyArray counts = read_npy(d / "data/counts.npy");
  std::vector<double> photons(40, 0.0);
  for (size_t i = 0; i < counts.size(); ++i) photons[i / kBins] += counts.at(i);
  std::vector<double> sorted = photons;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_LT(sorted[19], sorted[20]);
  const double min_photons = sorted[20];
  std::ostringstream mp;
  mp << std::fixed << min_photons;
  for (const char* model : {"m.safetensors", ""}) {  // the random model and the shipped one
    std::vector<std::string> args = {"infer", d / "data", "-o", d / "l.csv", "--backend", "int8",
                                     "--min-photons", mp.str()};
    if (*model) args.insert(args.end(), {"--model", d / model});
    run(args);
    const std::string text = test::slurp(d / "l.csv");
    ASSERT_EQ(text.substr(0, text.find('\n')), "tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,photons");
    const auto rows = csv_rows(text);
    ASSERT_EQ(rows.size(), 40u);
    size_t below = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), 6u) << i;
      EXPECT_EQ(std::stod(rows[i][5]), photons[i]) << i;
      if (photons[i] < min_photons) {
        ++below;
        for (int c = 0; c < 5; ++c) EXPECT_EQ(rows[i][c], "nan") << "pixel " << i << " column " << c;
        continue;
      }
      std::vector<double> v;
      for (int c = 0; c < 5; ++c) v.push_back(std::stod(rows[i][c]));
      for (double x : v) EXPECT_TRUE(std::isfinite(x)) << "pixel " << i << ": " << text;
      EXPECT_LE(0.0, v[0]) << i;
      EXPECT_LE(v[0], v[1]) << i;          // tau1 <= tau2
      EXPECT_LE(v[1], kTauMaxNs) << i;
      EXPECT_LE(0.0, v[2]) << i;           // a in [0, 1]
      EXPECT_LE(v[2], 1.0) << i;
      for (int c : {3, 4}) {               // tau_mean, tau_int in [tau1, tau2]
        EXPECT_LE(v[0], v[c]) << i;
        EXPECT_LE(v[c], v[1]) << i;
      }
    }
    EXPECT_EQ(below, 20u);
  }
  // The .npy: the same values (float32), NaN in the same pixels.
  run({"infer", d / "data", "-o", d / "l.npy", "--backend", "int8", "--min-photons", mp.str()});
  const NpyArray out = read_npy(d / "l.npy");
  ASSERT_EQ(out.shape, (std::vector<int64_t>{40, 6}));
  const auto rows = csv_rows(test::slurp(d / "l.csv"));
  for (size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(std::isnan(out.at(i * 6)), photons[i] < min_photons) << i;
    EXPECT_EQ(out.at(i * 6 + 5), float(photons[i])) << i;
    if (photons[i] >= min_photons) {
      EXPECT_NEAR(out.at(i * 6 + 4), std::stod(rows[i][4]), 1e-5) << i;
    }
  }
}

// eval --preprocess integer: the front end's integer pre-processing (numerics §8) counts the
// inputs x_q that differ from the float form; where none differ the int8 results are identical.
TEST_F(Cli, EvalIntegerPreprocessingCountsDifferingInputs) {
  run({"eval", "--data", d / "data", "--model", d / "m.safetensors", "--backend", "int8", "--out", d / "pf.json"});
  run({"eval", "--data", d / "data", "--model", d / "m.safetensors", "--backend", "int8", "--preprocess",
       "integer", "--out", d / "pi.json"});
  const auto f = nlohmann::json::parse(test::slurp(d / "pf.json"));
  const auto i = nlohmann::json::parse(test::slurp(d / "pi.json"));
  EXPECT_EQ(f["preprocess"]["form"], "float");
  EXPECT_EQ(i["preprocess"]["form"], "integer");
  EXPECT_EQ(i["preprocess"]["inputs_xq"], 40 * kBins);
  const uint64_t differ = i["preprocess"]["inputs_xq_differing_from_float"];
  EXPECT_LE(differ, 2u);
  if (differ == 0) {
    EXPECT_EQ(i["results"]["int8"]["channels"].dump(), f["results"]["int8"]["channels"].dump());
  }
  EXPECT_THROW(run({"eval", "--data", d / "data", "--preprocess", "fixed"}), CLI::ValidationError);
}

TEST_F(Cli, EvalReportsMetricsForEachBackendAndTheirAgreement) {
  run({"eval", "--data", d / "data", "--model", d / "m.safetensors", "--backend", "float,int8,int16",
       "--out", d / "eval.json"});
  const auto j = nlohmann::json::parse(test::slurp(d / "eval.json"));
  EXPECT_EQ(j["samples"], 40);
  for (const char* b : {"float", "int8", "int16"}) EXPECT_TRUE(j["results"][b]["channels"]["decay"].contains("rmse"));
  const double a8 = j["agreement"]["int8_vs_float"]["rmse"];
  const double a16 = j["agreement"]["int16_vs_float"]["rmse"];
  EXPECT_GT(a8, 0.0);
  EXPECT_LT(a16, a8);  // more bits, closer to the float model
  // The photon-count bands partition the samples, and their squared errors add up to the whole.
  for (const char* b : {"float", "int8"}) {
    const auto& r = j["results"][b];
    int64_t n = 0;
    double se = 0;
    for (const auto& band : r["by_photons"]) {
      const int64_t nb = band["samples"];
      const double rmse = band["channels"]["decay"]["rmse"];
      EXPECT_GT(nb, 0);
      n += nb;
      se += nb * rmse * rmse;
    }
    EXPECT_EQ(n, 40);
    EXPECT_NEAR(std::sqrt(se / n), r["channels"]["decay"]["rmse"].get<double>(), 1e-12);
  }
  // The intensity-weighted lifetime, scored with the shipped model (the random one above gives no
  // valid lifetimes): the bands' absolute errors add up to the whole too.
  run({"eval", "--data", d / "data", "--backend", "float,int8,int16", "--out", d / "eval-shipped.json"});
  const auto js = nlohmann::json::parse(test::slurp(d / "eval-shipped.json"));
  for (const char* b : {"float", "int8"}) {
    const auto& r = js["results"][b];
    int64_t scored = 0;
    double ae = 0;
    for (const auto& band : r["by_photons"]) {
      const int64_t c = band["lifetimes"]["tau_int_ns"]["count"];
      scored += c;
      if (c) ae += double(c) * band["lifetimes"]["tau_int_ns"]["mae"].get<double>();
    }
    EXPECT_EQ(scored, r["lifetimes"]["tau_int_ns"]["count"].get<int64_t>());
    ASSERT_GT(scored, 0);
    EXPECT_NEAR(ae / double(scored), r["lifetimes"]["tau_int_ns"]["mae"].get<double>(), 1e-12);
  }
  // The report has the τI table by photon count, a number in every band of every row.
  run({"report", d / "eval-shipped.json", "-o", d / "results.md"});
  const std::string md = test::slurp(d / "results.md");
  const size_t at = md.find("## Intensity-weighted lifetime τI by photon count");
  ASSERT_NE(at, std::string::npos);
  std::istringstream table(md.substr(at));
  std::string line;
  int rows = 0;
  bool in_table = false;
  while (std::getline(table, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    if (line.rfind("|---", 0) == 0 || line.find("| model") == 0 || line.find("samples") != std::string::npos)
      continue;
    EXPECT_EQ(line.find("—"), std::string::npos) << line;
    ++rows;
  }
  EXPECT_GE(rows, 3);  // float, int8, int16
}

// eval's `labels` backend scores the set's own noiseless SFDs: the component rule
// (--tau-int components) is exact there, the whole decay's first moment (the output columns' rule
// without an IRF) falls short of tau_int (lifetimes.hpp), never above it, and leaves tau_mean alone;
// with each sample's IRF (--irf-given) tau_int comes from the photons.
TEST_F(Cli, EvalScoresTheFirstMomentOnTheSetsOwnSfds) {
  run({"eval", "--data", d / "data", "--backend", "labels", "--tau-int", "components", "--out", d / "labels.json"});
  run({"eval", "--data", d / "data", "--backend", "labels", "--out", d / "labels-m.json"});
  run({"eval", "--data", d / "data", "--backend", "labels", "--irf-given", "--out", d / "labels-p.json"});
  const auto c = nlohmann::json::parse(test::slurp(d / "labels.json"))["results"]["labels"];
  const auto m = nlohmann::json::parse(test::slurp(d / "labels-m.json"))["results"]["labels"];
  const auto p = nlohmann::json::parse(test::slurp(d / "labels-p.json"))["results"]["labels"];
  EXPECT_THAT(c["model"]["tau_int"].get<std::string>(), ::testing::HasSubstr("component rule"));
  EXPECT_THAT(m["model"]["tau_int"].get<std::string>(), ::testing::HasSubstr("whole decay's first moment"));
  EXPECT_THAT(p["model"]["tau_int"].get<std::string>(), ::testing::HasSubstr("photons"));
  EXPECT_EQ(p["lifetimes"]["tau_mean_ns"]["mae"].get<double>(), c["lifetimes"]["tau_mean_ns"]["mae"].get<double>());
  EXPECT_GT(p["lifetimes"]["tau_int_ns"]["mae"].get<double>(), 1e-4);  // the photons' shot noise
  EXPECT_LT(c["lifetimes"]["tau_int_ns"]["mae"].get<double>(), 1e-4);
  EXPECT_LT(c["lifetimes"]["tau_mean_ns"]["mae"].get<double>(), 1e-4);
  EXPECT_EQ(m["lifetimes"]["tau_mean_ns"]["mae"].get<double>(), c["lifetimes"]["tau_mean_ns"]["mae"].get<double>());
  EXPECT_GT(m["lifetimes"]["tau_int_ns"]["mae"].get<double>(), 1e-4);
  int scored = 0;
  for (const auto& band : m["crlb"]["irf_known"]["bands"]) {
    const auto& q = band["quantities"]["tau_int_ns"];
    if (q["n"].get<int64_t>() == 0) continue;
    EXPECT_LE(q["bias"].get<double>(), 1e-6);
    ++scored;
  }
  EXPECT_GT(scored, 0);
  // One Gaussian IRF for every sample (--irf-gaussian): on a set of one instrument it is each
  // sample's own, so the scores are --irf-given's; 0.2 ns late, tau_int is worse; nonsense refused.
  run({"simulate", "-n", "40", "--seed", "4", "--irf-fwhm-min", "0.3", "--irf-fwhm-max", "0.3", "--irf-peak-min", "1",
       "--irf-peak-max", "1", "-o", d / "one-irf"});
  auto labels_eval = [&](std::vector<std::string> irf, const std::string& name) {
    std::vector<std::string> args{"eval", "--data", d / "one-irf", "--backend", "labels", "--out", d / name};
    args.insert(args.end(), irf.begin(), irf.end());
    run(args);
    return nlohmann::json::parse(test::slurp(d / name));
  };
  const auto given = labels_eval({"--irf-given"}, "one-given.json");
  const auto same = labels_eval({"--irf-gaussian", "0.3,1"}, "one-same.json");
  const auto late = labels_eval({"--irf-gaussian", "0.3,1.2"}, "one-late.json");
  EXPECT_EQ(same["irf_gaussian"]["peak_ns"].get<double>(), 1.0);
  for (const char* q : {"tau_int_ns", "tau_mean_ns"})  // equal but for the labels' float32 FWHM and peak
    EXPECT_NEAR(same["results"]["labels"]["lifetimes"][q]["mae"].get<double>(),
                given["results"]["labels"]["lifetimes"][q]["mae"].get<double>(), 1e-8)
        << q;
  EXPECT_GT(late["results"]["labels"]["lifetimes"]["tau_int_ns"]["mae"].get<double>(),
            2 * given["results"]["labels"]["lifetimes"]["tau_int_ns"]["mae"].get<double>());
  EXPECT_ERROR_MENTIONS(run({"eval", "--data", d / "data", "--backend", "labels", "--irf-gaussian", "0,1"}),
                        "--irf-gaussian");
  EXPECT_THROW(run({"eval", "--data", d / "data", "--backend", "labels", "--irf-gaussian", "0.3"}), CLI::Error);
}

TEST_F(Cli, TrainChannelWeightsAreValidatedAndRecorded) {
  EXPECT_ERROR_MENTIONS(run({"train", "--data", d / "data", "-o", d / "run", "--hidden", "4", "--epochs", "1",
                             "--channel-weights", "0,0,0"}),
                        "--channel-weights");
  EXPECT_ERROR_MENTIONS(run({"train", "--data", d / "data", "-o", d / "run", "--hidden", "4", "--epochs", "1",
                             "--channel-weights", "1,-1,1"}),
                        "--channel-weights");
  EXPECT_ERROR_MENTIONS(run({"train", "--data", d / "data", "-o", d / "run", "--hidden", "4", "--epochs", "1",
                             "--lifetime-weight", "-1"}),
                        "--lifetime-weight");
  EXPECT_FALSE(fs::exists(d / "run"));
  run({"train", "--data", d / "data", "-o", d / "run", "--hidden", "4", "--epochs", "1", "--batch", "8",
       "--channel-weights", "4,1,1", "--progress", "0"});
  const Seq2SeqWeights w = load_checkpoint(d / "run/best.safetensors");
  EXPECT_NE(w.metadata.at("command").find("--channel-weights"), std::string::npos);
}

TEST_F(Cli, TrainRecordsTheExactInitAndTeacherFiles) {
  run({"train", "--data", d / "data", "-o", d / "run", "--hidden", "8", "--epochs", "1", "--batch", "8",
       "--progress", "0", "--init", d / "m.safetensors", "--teacher", d / "m.safetensors", "--alpha", "0.5"});
  const Seq2SeqWeights w = load_checkpoint(d / "run/best.safetensors");
  const std::string sha = sha256_file(d / "m.safetensors");
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_EQ(w.metadata.at("init_sha256"), sha);
  EXPECT_EQ(w.metadata.at("teacher_sha256"), sha);
  EXPECT_EQ(w.metadata.at("teacher"), std::string(d / "m.safetensors"));
}

TEST_F(Cli, BadInputsAreRefusedAndLeaveNoOutput) {
  EXPECT_ERROR_MENTIONS(run({"infer", d / "nope.npy", "-o", d / "x.csv", "--model", d / "m.safetensors"}),
                        "nope.npy");
  EXPECT_ERROR_MENTIONS(run({"infer", d / "data", "-o", d / "x.txt", "--model", d / "m.safetensors"}), "x.txt",
                        ".csv or .npy");
  run({"quantize", d / "m.safetensors", "-o", d / "rom"});
  EXPECT_ERROR_MENTIONS(run({"infer", d / "data", "-o", d / "x.csv", "--model", d / "rom", "--backend", "float"}),
                        "rom", "float checkpoint");
  std::vector<float> bad(kBins, 1.0f);
  bad[7] = -3;
  write_npy(d / "neg.npy", {1, kBins}, bad.data());
  EXPECT_ERROR_MENTIONS(run({"infer", d / "neg.npy", "-o", d / "x.csv", "--model", d / "m.safetensors"}),
                        "neg.npy", "negative");
  EXPECT_FALSE(fs::exists(d / "x.csv"));
}

// Bug: eval filed each thread's sums under a slot computed from its first sample, so with an odd
// count two chunks could share a slot and one was lost. 131 samples (above the 64-item chunk
// threshold) at 1, 2 and 3 threads must all count 131 and give the same metrics.
TEST_F(Cli, EvalCountsEverySampleAtAnyThreadCount) {
  run({"simulate", "-n", "131", "--seed", "9", "-o", d / "odd"});
  std::vector<nlohmann::json> reports;
  for (const char* threads : {"1", "2", "3"}) {
    const std::string out = d / (std::string("eval") + threads + ".json");
    run({"eval", "--data", d / "odd", "--model", d / "m.safetensors", "--backend", "int8", "--threads", threads,
         "--out", out});
    reports.push_back(nlohmann::json::parse(test::slurp(out)));
    EXPECT_EQ(reports.back()["samples"], 131) << threads << " threads";
    EXPECT_EQ(reports.back()["results"]["int8"]["samples"], 131) << threads << " threads";
  }
  // the same sums in another grouping: equal to rounding
  for (size_t k = 1; k < reports.size(); ++k)
    for (const char* ch : {"decay", "tau1_part", "tau2_part"})
      for (const char* m : {"rmse", "l2", "dtw", "r2"}) {
        const double a = reports[0]["results"]["int8"]["channels"][ch][m], b = reports[k]["results"]["int8"]["channels"][ch][m];
        EXPECT_NEAR(b, a, 1e-9 * std::max(1.0, std::fabs(a))) << ch << " " << m << ", run " << k;
      }
}

// Bug: quantize -o DIR deleted any DIR. Only an earlier ROM set may be replaced.
TEST_F(Cli, QuantizeReplacesOnlyAnEarlierRomSet) {
  fs::create_directories(d / "notes");
  test::spit(d / "notes/results.txt", "keep me");
  EXPECT_ERROR_MENTIONS(run({"quantize", d / "m.safetensors", "-o", d / "notes"}), "notes", "not replacing");
  EXPECT_EQ(test::slurp(d / "notes/results.txt"), "keep me");
  run({"quantize", d / "m.safetensors", "-o", d / "rom", "--mac-rows", "8"});
  run({"quantize", d / "m.safetensors", "-o", d / "rom", "--mac-rows", "12"});
  EXPECT_EQ(nlohmann::json::parse(test::slurp(d / "rom/manifest.json"))["mac_rows"], 12);
}

// Bug: eval --out into a folder that does not exist exited 0 and wrote nothing.
TEST_F(Cli, EvalOutIntoAMissingFolderFails) {
  EXPECT_ERROR_MENTIONS(run({"eval", "--data", d / "data", "--model", d / "m.safetensors", "--backend", "float",
                             "--out", d / "nonexistent/r.json"}),
                        "nonexistent/r.json", "does not exist");
}

// Bugs: train --lr nan exited 0 with a checkpoint nobody could load; --batch 0 died with SIGFPE,
// --batch -5 with std::bad_alloc.
TEST_F(Cli, TrainRefusesBadSettingsBeforeWritingAnything) {
  const std::vector<std::string> base{"train", "--data", d / "data", "-o", d / "run", "--hidden", "4",
                                      "--epochs", "1", "--progress", "0"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  EXPECT_ERROR_MENTIONS(run(with({"--lr", "nan"})), "learning rate");
  EXPECT_ERROR_MENTIONS(run(with({"--lr", "-1"})), "learning rate");
  EXPECT_THROW(run(with({"--batch", "0"})), CLI::ValidationError);  // usage errors: exit code 2 (app.hpp)
  EXPECT_THROW(run(with({"--batch", "-5"})), CLI::ValidationError);
  EXPECT_FALSE(fs::exists(d / "run"));
}

// Bug: image on a directory named like a PTU file said "cannot create std::vector larger than
// max_size()" without naming it.
TEST_F(Cli, ImageOfADirectoryNamesIt) {
  fs::create_directories(d / "scan.ptu");
  EXPECT_ERROR_MENTIONS(run({"image", d / "scan.ptu", "-o", d / "img", "--quiet"}), "scan.ptu", "is a directory");
  fs::create_directories(d / "cube.npy");
  EXPECT_ERROR_MENTIONS(run({"infer", d / "cube.npy", "-o", d / "x.csv", "--model", d / "m.safetensors"}),
                        "cube.npy");
  EXPECT_FALSE(fs::exists(d / "img"));
}

// `flimgru --version`: VERSION+DESCRIBE, a git hash where the tree is a checkout; the same string
// in the JSON and manifests the tools write.
TEST_F(Cli, VersionPrintsAHashAndOutputsCarryTheSameString) {
  testing::internal::CaptureStdout();
  const int rc = cli::run({"--version"});
  const std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(printed, "flimgru " + version_string() + "\n");
  const bool git = fs::exists(FLIMGRU_SOURCE_DIR "/.git");
  EXPECT_THAT(version_string(), testing::MatchesRegex(git ? "[0-9]+\\.[0-9]+\\.[0-9]+\\+[0-9a-f]{7,40}(-dirty)?"
                                                          : "[0-9]+\\.[0-9]+\\.[0-9]+\\+unknown"));
  auto json = [](const std::string& p) { return nlohmann::json::parse(test::slurp(p)); };
  EXPECT_EQ(json(d / "data/meta.json").at(kVersionKey), version_string());
  run({"quantize", d / "m.safetensors", "-o", d / "rom", "--mac-rows", "8"});
  EXPECT_EQ(json(d / "rom/manifest.json").at(kVersionKey), version_string());
  run({"eval", "--data", d / "data", "--model", d / "m.safetensors", "--backend", "int8", "-o", d / "r.json"});
  EXPECT_EQ(json(d / "r.json").at(kVersionKey), version_string());
  EXPECT_EQ(load_checkpoint(d / "m.safetensors").metadata.at(kVersionKey), version_string());
}

// The exit-code rule of app.hpp: 0 success, 1 a failure of the command, 2 a usage error.
TEST_F(Cli, UsageErrorsAndFailuresExitWithTheirDocumentedCodes) {
  auto rc = [](std::vector<std::string> args) {
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    const int r = cli::run(args);
    testing::internal::GetCapturedStdout();
    const std::string err = testing::internal::GetCapturedStderr();
    return std::make_pair(r, err);
  };
  EXPECT_EQ(rc({"simulate", "--no-such-option", "-o", d / "x"}).first, cli::kExitUsage);
  EXPECT_EQ(rc({"simulate", "-n", "many", "-o", d / "x"}).first, cli::kExitUsage);
  EXPECT_EQ(rc({"simulate"}).first, cli::kExitUsage);  // -o missing
  EXPECT_EQ(rc({"no-such-command"}).first, cli::kExitUsage);
  EXPECT_EQ(rc({"simulate", "--help"}).first, 0);
  const auto [code, err] = rc({"infer", d / "missing.npy", "-o", d / "x.csv"});
  EXPECT_EQ(code, cli::kExitFailure);
  EXPECT_THAT(err, testing::HasSubstr("missing.npy"));
  EXPECT_EQ(rc({"simulate", "-n", "5", "--threads", "0", "-o", d / "five"}).first, 0);
  EXPECT_EQ(cli::kExitFailure, 1);
  EXPECT_EQ(cli::kExitUsage, 2);
}

// The IRF file is --irf in simulate as in crlb and image; --irf-file stays as a hidden alias.
TEST_F(Cli, SimulateTakesIrfAndStillIrfFile) {
  std::string irf;
  for (int k = 0; k < kBins; ++k) irf += std::to_string(k >= 10 && k <= 14 ? 100 - 20 * std::abs(k - 12) : 0) + "\n";
  test::spit(d / "irf.txt", irf);
  run({"simulate", "-n", "8", "--seed", "4", "--irf", d / "irf.txt", "-o", d / "a"});
  run({"simulate", "-n", "8", "--seed", "4", "--irf-file", d / "irf.txt", "-o", d / "b"});
  EXPECT_EQ(test::slurp(d / "a/counts.npy"), test::slurp(d / "b/counts.npy"));
  EXPECT_NE(test::slurp(d / "a/meta.json").find("irf.txt"), std::string::npos);
  run({"simulate", "-n", "8", "--seed", "4", "-o", d / "g"});  // the Gaussian IRF: other data
  EXPECT_NE(test::slurp(d / "a/counts.npy"), test::slurp(d / "g/counts.npy"));
}

// infer's CSV and npy go through write_file: a missing folder fails naming the path and
// leaves nothing behind.
TEST_F(Cli, InferIntoAMissingFolderFailsCleanly) {
  for (const char* name : {"nowhere/l.csv", "nowhere/l.npy"}) {
    EXPECT_ERROR_MENTIONS(run({"infer", d / "data", "-o", d / name, "--model", d / "m.safetensors"}), "nowhere");
  }
  EXPECT_FALSE(fs::exists(d / "nowhere"));
}

}  // namespace
}  // namespace flimgru
