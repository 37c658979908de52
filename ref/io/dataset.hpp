// dataset: the on-disk training/evaluation data set (a directory of .npy files + meta.json) and
// the TPSF inputs accepted for inference (a data set directory or a .npy of histograms).
//
//   DIR/counts.npy  uint32  [N, 135]      photon counts per bin
//   DIR/sfd.npy     float32 [N, 135, 3]   SFD targets (whole decay, tau1 part, tau2 part)
//   DIR/labels.npy  float32 [N, kLabelCols]  the columns below
//   DIR/meta.json   format, format_version, n, seed, label_columns, config, ...
// See docs/formats.md.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpsf.hpp"

namespace flimgru {

constexpr int kDatasetFormatVersion = 1;

// Label columns (labels.npy, one row per sample).
constexpr int kLabelTau1 = 0;        // ns, the shorter lifetime
constexpr int kLabelTau2 = 1;        // ns, the longer lifetime (tau2 >= tau1)
constexpr int kLabelAmp = 2;         // amplitude fraction a of tau1
constexpr int kLabelPhotons = 3;     // actual total counts of the histogram
constexpr int kLabelBackground = 4;  // background fraction b of the expected counts
constexpr int kLabelIrfFwhm = 5;     // ns (NaN for a measured IRF)
constexpr int kLabelIrfPeak = 6;     // ns after window start (NaN for a measured IRF)
constexpr int kLabelCols = 7;
extern const std::array<const char*, kLabelCols> kLabelNames;

// A data set in memory (what simulate() draws, simulator.hpp).
struct Dataset {
  size_t n = 0;
  std::vector<uint32_t> counts;  // n * kBins
  std::vector<float> sfd;        // n * kBins * kChannels, bin-major then channel
  std::vector<float> labels;     // n * kLabelCols
  nlohmann::json meta;
};

// Write `ds` to DIR.tmp, then rename it to DIR. An existing DIR is replaced only if it is a
// data set (holds meta.json); anything else there is an error.
void save_dataset(const std::string& dir, const Dataset& ds);

// Load and validate a data set: meta.json format/version/n/label columns, shapes that agree
// across the files, finite values (labels may be NaN only in the IRF columns), counts that are
// non-negative integers.
Dataset load_dataset(const std::string& dir);

// Histograms to run inference on.
struct TpsfInput {
  std::string source;                // the path given
  std::vector<int64_t> image_shape;  // {H, W} for an image, {N} for a list of histograms
  size_t pixels = 0;
  std::vector<float> counts;         // pixels * kBins, counts as float
  std::vector<double> photons;       // per pixel: its histogram's total count (before pre-processing)
};

// A data set directory (its counts.npy) or a .npy of shape [N,135] or [H,W,135] (float32,
// float64, integer types). Rejects NaN/Inf and negative counts naming the file, the pixel and
// the value.
TpsfInput load_tpsf_input(const std::string& path);

}  // namespace flimgru
