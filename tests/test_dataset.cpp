// test_dataset: data set directory round trip and validation, and inference input loading.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

#include "dataset.hpp"
#include "error.hpp"
#include "npy.hpp"
#include "simulator.hpp"

using namespace flimgru;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("flimgru_ds_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

Dataset small_dataset(size_t n = 40) {
  SimConfig cfg;
  cfg.seed = 2024;
  return simulate(cfg, n, 2);
}

template <typename F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error, expected: " << parts.front();
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
  }
}

}  // namespace

TEST(Dataset, SaveLoadRoundTrip) {
  const std::string dir = temp_path("rt");
  fs::remove_all(dir);
  const Dataset ds = small_dataset();
  save_dataset(dir, ds);
  EXPECT_FALSE(fs::exists(dir + ".tmp"));
  for (const char* f : {"counts.npy", "sfd.npy", "labels.npy", "meta.json"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f;
  const Dataset back = load_dataset(dir + "/");
  EXPECT_EQ(back.n, ds.n);
  EXPECT_EQ(back.counts, ds.counts);
  EXPECT_EQ(back.sfd, ds.sfd);
  EXPECT_EQ(back.labels, ds.labels);
  EXPECT_EQ(back.meta["seed"], 2024);
  EXPECT_EQ(back.meta["n"], ds.n);
  EXPECT_EQ(back.meta["format_version"], kDatasetFormatVersion);
  EXPECT_EQ(back.meta["label_columns"][kLabelTau2], "tau2_ns");
  EXPECT_EQ(back.meta["config"]["irf"], "gaussian");

  // Overwriting an existing data set replaces it whole.
  const Dataset smaller = small_dataset(5);
  save_dataset(dir, smaller);
  EXPECT_EQ(load_dataset(dir).n, 5u);
  EXPECT_FALSE(fs::exists(dir + ".old"));
  fs::remove_all(dir);
}

TEST(Dataset, MeasuredIrfLabelsMayBeNaN) {
  const std::string dir = temp_path("measured");
  fs::remove_all(dir);
  SimConfig cfg;
  cfg.measured_irf.assign(kBins, 0.0);
  cfg.measured_irf[15] = 10;
  cfg.measured_irf[16] = 4;
  cfg.measured_irf_source = "irf.txt";
  save_dataset(dir, simulate(cfg, 8, 1));
  const Dataset back = load_dataset(dir);
  EXPECT_TRUE(std::isnan(back.labels[kLabelIrfPeak]));
  EXPECT_EQ(back.meta["config"]["irf_file"], "irf.txt");
  fs::remove_all(dir);
}

TEST(Dataset, RefusesToOverwriteSomethingElse) {
  const std::string dir = temp_path("other");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/precious.txt") << "keep";
  expect_error([&] { save_dataset(dir, small_dataset(3)); }, {dir, "not replacing"});
  EXPECT_TRUE(fs::exists(dir + "/precious.txt"));
  fs::remove_all(dir);
}

TEST(Dataset, MismatchesAreDetected) {
  const std::string dir = temp_path("mismatch");
  fs::remove_all(dir);
  const Dataset ds = small_dataset(10);
  auto fresh = [&] {
    fs::remove_all(dir);
    save_dataset(dir, ds);
  };
  const std::string counts = dir + "/counts.npy", sfd = dir + "/sfd.npy",
                    labels = dir + "/labels.npy", meta = dir + "/meta.json";

  fresh();  // labels with the wrong number of rows
  write_npy(labels, {9, kLabelCols}, ds.labels.data());
  expect_error([&] { load_dataset(dir); }, {labels, "shape [9,7]", "[10,7]"});

  fresh();  // SFD with 2 channels
  write_npy(sfd, {10, kBins, 2}, ds.sfd.data());
  expect_error([&] { load_dataset(dir); }, {sfd, "[10,135,2]"});

  fresh();  // counts with 134 bins
  write_npy(counts, {10, 134}, ds.counts.data());
  expect_error([&] { load_dataset(dir); }, {counts, "[10,134]"});

  fresh();  // counts disagree with meta.json's n
  write_npy(counts, {9, kBins}, ds.counts.data());
  expect_error([&] { load_dataset(dir); }, {counts, "n = 10"});

  fresh();  // counts stored as floats
  {
    std::vector<float> f(ds.counts.begin(), ds.counts.end());
    write_npy(counts, {10, kBins}, f.data());
  }
  expect_error([&] { load_dataset(dir); }, {counts, "integer"});

  fresh();  // NaN in the SFD
  {
    std::vector<float> s = ds.sfd;
    s[3 * kBins * kChannels + 5 * kChannels + 1] = std::numeric_limits<float>::quiet_NaN();
    write_npy(sfd, {10, kBins, kChannels}, s.data());
  }
  expect_error([&] { load_dataset(dir); }, {sfd, "pixel 3, bin 5, channel 1", "not finite"});

  fresh();  // NaN in a label column that must be finite
  {
    std::vector<float> l = ds.labels;
    l[2 * kLabelCols + kLabelTau1] = std::numeric_limits<float>::quiet_NaN();
    write_npy(labels, {10, kLabelCols}, l.data());
  }
  expect_error([&] { load_dataset(dir); }, {labels, "row 2", "tau1_ns"});

  fresh();  // negative counts (a signed integer file written by another tool)
  {
    std::vector<int32_t> c(ds.counts.begin(), ds.counts.end());
    c[kBins + 4] = -1;
    std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (10, 135), }";
    while ((10 + dict.size() + 1) % 64) dict += ' ';
    dict += '\n';
    std::ofstream out(counts, std::ios::binary | std::ios::trunc);
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(static_cast<char>(dict.size() & 0xff));
    out.put(static_cast<char>(dict.size() >> 8));
    out << dict;
    out.write(reinterpret_cast<const char*>(c.data()), c.size() * 4);
  }
  expect_error([&] { load_dataset(dir); }, {counts, "pixel 1, bin 4", "-1"});

  fresh();  // meta.json
  std::ofstream(meta) << "{ not json";
  expect_error([&] { load_dataset(dir); }, {meta, "invalid JSON"});
  std::ofstream(meta) << R"({"format": "flimgru-dataset", "format_version": 99, "n": 10})";
  expect_error([&] { load_dataset(dir); }, {meta, "format_version"});

  fresh();
  fs::remove(sfd);
  expect_error([&] { load_dataset(dir); }, {sfd, "no such file"});
  fs::remove_all(dir);
  expect_error([&] { load_dataset(dir); }, {dir, "not a data set"});
}

TEST(Dataset, TpsfInputFromDirectoryListAndImage) {
  const std::string dir = temp_path("input_ds");
  fs::remove_all(dir);
  const Dataset ds = small_dataset(6);
  save_dataset(dir, ds);
  TpsfInput in = load_tpsf_input(dir);
  EXPECT_EQ(in.pixels, 6u);
  EXPECT_EQ(in.image_shape, (std::vector<int64_t>{6}));
  ASSERT_EQ(in.counts.size(), ds.counts.size());
  for (size_t i = 0; i < ds.counts.size(); ++i) EXPECT_EQ(in.counts[i], float(ds.counts[i]));
  fs::remove_all(dir);

  const std::string img = temp_path("image.npy");
  std::vector<float> pix(2 * 3 * kBins);
  for (size_t i = 0; i < pix.size(); ++i) pix[i] = float(i % 17);
  write_npy(img, {2, 3, kBins}, pix.data());
  in = load_tpsf_input(img);
  EXPECT_EQ(in.image_shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(in.pixels, 6u);
  EXPECT_EQ(in.counts, pix);

  std::vector<uint32_t> list(4 * kBins, 7);
  write_npy(img, {4, kBins}, list.data());
  in = load_tpsf_input(img);
  EXPECT_EQ(in.image_shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(in.counts[100], 7.0f);
  fs::remove(img);
}

TEST(Dataset, TpsfInputRejectionsNameFilePixelAndValue) {
  const std::string img = temp_path("bad_input.npy");
  std::vector<float> pix(2 * 3 * kBins, 1.0f);
  write_npy(img, {10, 134}, pix.data());
  expect_error([&] { load_tpsf_input(img); }, {img, "shape [10,134] but a TPSF needs 135 bins"});
  write_npy(img, {6 * kBins}, pix.data());
  expect_error([&] { load_tpsf_input(img); }, {img, "[N,135] or [H,W,135]"});

  pix[4 * kBins + 7] = std::numeric_limits<float>::quiet_NaN();
  write_npy(img, {2, 3, kBins}, pix.data());
  expect_error([&] { load_tpsf_input(img); }, {img, "pixel 4 (row 1, col 1), bin 7", "nan"});

  pix[4 * kBins + 7] = std::numeric_limits<float>::infinity();
  write_npy(img, {6, kBins}, pix.data());
  expect_error([&] { load_tpsf_input(img); }, {img, "pixel 4, bin 7", "inf"});

  pix[4 * kBins + 7] = -2.5f;
  write_npy(img, {6, kBins}, pix.data());
  expect_error([&] { load_tpsf_input(img); }, {img, "pixel 4, bin 7", "-2.5", "negative"});
  fs::remove(img);
  expect_error([&] { load_tpsf_input(img); }, {img});
}
