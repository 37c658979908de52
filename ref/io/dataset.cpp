// dataset: save/load of the data set directory with full validation, and loading of
// inference inputs (data set directory or .npy histograms).
#include "dataset.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "error.hpp"
#include "files.hpp"
#include "npy.hpp"
#include "version.hpp"

namespace fs = std::filesystem;

namespace flimgru {

const std::array<const char*, kLabelCols> kLabelNames = {
    "tau1_ns", "tau2_ns", "amplitude", "photons", "background_fraction", "irf_fwhm_ns",
    "irf_peak_ns"};

namespace {

std::string strip_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

void expect_shape(const std::string& path, const NpyArray& a, const std::vector<int64_t>& want,
                  const std::string& what) {
  if (a.shape != want)
    throw file_error(path, "shape " + shape_string(a.shape) + " but " + what + " needs " +
                               shape_string(want));
}

// Index of a flat element as "pixel P, bin K[, channel C]" for messages.
std::string where_counts(size_t flat) {
  return "pixel " + std::to_string(flat / kBins) + ", bin " + std::to_string(flat % kBins);
}


}  // namespace

void save_dataset(const std::string& dir_in, const Dataset& ds) {
  const std::string dir = strip_slash(dir_in);
  if (ds.counts.size() != ds.n * kBins || ds.sfd.size() != ds.n * kBins * kChannels ||
      ds.labels.size() != ds.n * kLabelCols)
    throw file_error(dir, "data set arrays do not agree with n = " + std::to_string(ds.n));
  // an existing DIR is replaced only if it is a data set (holds a meta.json)
  write_dir(dir, "meta.json", [&](const std::string& tmp) {
    const auto n = static_cast<int64_t>(ds.n);
    write_npy(tmp + "/counts.npy", {n, kBins}, ds.counts.data());
    write_npy(tmp + "/sfd.npy", {n, kBins, kChannels}, ds.sfd.data());
    write_npy(tmp + "/labels.npy", {n, kLabelCols}, ds.labels.data());
    nlohmann::json meta = ds.meta.is_object() ? ds.meta : nlohmann::json::object();
    meta["format"] = "flimgru-dataset";
    meta["format_version"] = kDatasetFormatVersion;
    meta["n"] = ds.n;
    meta["bins"] = kBins;
    meta["bin_ns"] = kBinNs;
    meta["channels"] = kChannels;
    meta["label_columns"] = std::vector<std::string>(kLabelNames.begin(), kLabelNames.end());
    meta[kVersionKey] = version_string();
    write_file(tmp + "/meta.json", meta.dump(2) + "\n");
  });
}

Dataset load_dataset(const std::string& dir_in) {
  const std::string dir = strip_slash(dir_in);
  if (!fs::is_directory(dir)) throw file_error(dir, "not a data set directory");
  const std::string meta_path = dir + "/meta.json";
  Dataset ds;
  {
    std::ifstream in(meta_path);
    if (!in) throw file_error(meta_path, "cannot open file");
    try {
      ds.meta = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw file_error(meta_path, std::string("invalid JSON: ") + e.what());
    }
  }
  const auto& m = ds.meta;
  if (!m.is_object() || m.value("format", "") != "flimgru-dataset")
    throw file_error(meta_path, "not a flimgru data set (format is not \"flimgru-dataset\")");
  if (!m.contains("format_version") || !m["format_version"].is_number_integer() ||
      m["format_version"].get<int>() != kDatasetFormatVersion)
    throw file_error(meta_path, "unsupported format_version (this build reads " +
                                    std::to_string(kDatasetFormatVersion) + ")");
  if (!m.contains("n") || !m["n"].is_number_unsigned())
    throw file_error(meta_path, "missing or invalid \"n\"");
  const std::vector<std::string> names(kLabelNames.begin(), kLabelNames.end());
  if (!m.contains("label_columns") || m["label_columns"] != nlohmann::json(names))
    throw file_error(meta_path, "label_columns do not match this build's " +
                                    nlohmann::json(names).dump());
  const auto n_meta = m["n"].get<uint64_t>();

  const std::string counts_path = dir + "/counts.npy";
  const NpyArray counts = read_npy(counts_path);
  if (counts.shape.size() != 2 || counts.shape[1] != kBins)
    throw file_error(counts_path, "shape " + shape_string(counts.shape) +
                                      " but counts need [N," + std::to_string(kBins) + "]");
  const int64_t n = counts.shape[0];
  if (static_cast<uint64_t>(n) != n_meta)
    throw file_error(counts_path, "holds " + std::to_string(n) + " histograms but " + meta_path +
                                      " says n = " + std::to_string(n_meta));
  if (counts.dtype == "float32" || counts.dtype == "float64")
    throw file_error(counts_path, "counts must be an integer dtype, not " + counts.dtype);
  ds.n = static_cast<size_t>(n);
  ds.counts.resize(counts.size());
  counts.visit([&](const auto& v) {  // in the file's integer type (npy.hpp), no double in between
    using T = typename std::decay_t<decltype(v)>::value_type;
    for (size_t i = 0; i < v.size(); ++i) {
      const T c = v[i];
      bool bad = false;
      if constexpr (std::is_signed_v<T>) bad = c < 0;
      if constexpr (sizeof(T) > 4 || std::is_floating_point_v<T>) bad = bad || double(c) > 4294967295.0;
      if (bad) throw file_error(counts_path, where_counts(i) + ": count " + fmt(double(c)) + " out of range");
      ds.counts[i] = static_cast<uint32_t>(c);
    }
  });

  const std::string sfd_path = dir + "/sfd.npy";
  const NpyArray sfd = read_npy(sfd_path);
  expect_shape(sfd_path, sfd, {n, kBins, kChannels}, "the SFD of " + std::to_string(n) +
                                                         " histograms");
  ds.sfd.resize(sfd.size());
  sfd.visit([&](const auto& v) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(double(v[i])))
        throw file_error(sfd_path, "pixel " + std::to_string(i / (kBins * kChannels)) + ", bin " +
                                       std::to_string(i / kChannels % kBins) + ", channel " +
                                       std::to_string(i % kChannels) + ": value " +
                                       fmt(double(v[i])) + " is not finite");
      ds.sfd[i] = static_cast<float>(v[i]);
    }
  });

  const std::string labels_path = dir + "/labels.npy";
  const NpyArray labels = read_npy(labels_path);
  expect_shape(labels_path, labels, {n, kLabelCols},
               "the labels of " + std::to_string(n) + " histograms");
  ds.labels.resize(labels.size());
  labels.visit([&](const auto& vals) {
    for (size_t i = 0; i < vals.size(); ++i) {
      const int col = static_cast<int>(i % kLabelCols);
      const double v = double(vals[i]);
      const bool irf_col = col == kLabelIrfFwhm || col == kLabelIrfPeak;
      if (std::isinf(v) || (std::isnan(v) && !irf_col))
        throw file_error(labels_path, "row " + std::to_string(i / kLabelCols) + ", column " +
                                          kLabelNames[col] + ": value " + fmt(v) +
                                          " is not finite");
      ds.labels[i] = static_cast<float>(vals[i]);
    }
  });
  return ds;
}

TpsfInput load_tpsf_input(const std::string& path_in) {
  const std::string path = strip_slash(path_in);
  TpsfInput out;
  out.source = path;
  const bool is_dir = fs::is_directory(path);
  const std::string npy_path = is_dir ? path + "/counts.npy" : path;
  if (!is_dir && !fs::exists(path)) throw file_error(path, "no such file or directory");
  const NpyArray a = read_npy(npy_path);
  const auto& s = a.shape;
  const bool ok = !s.empty() && s.back() == kBins && (s.size() == 2 || (s.size() == 3 && !is_dir));
  if (!ok) {
    if ((s.size() == 2 || (s.size() == 3 && !is_dir)) && s.back() != kBins)
      throw file_error(npy_path, "shape " + shape_string(s) + " but a TPSF needs " +
                                     std::to_string(kBins) + " bins");
    throw file_error(npy_path, "shape " + shape_string(s) + " but TPSF input needs [N," +
                                   std::to_string(kBins) + "]" +
                                   (is_dir ? "" : " or [H,W," + std::to_string(kBins) + "]"));
  }
  out.image_shape.assign(s.begin(), s.end() - 1);
  out.pixels = a.size() / kBins;
  out.counts.resize(a.size());
  out.photons.assign(out.pixels, 0.0);
  // Each value from the file's own type straight to float (npy.hpp: a uint16 or float32 cube is
  // never widened to double).
  a.visit([&](const auto& vals) {
    using T = typename std::decay_t<decltype(vals)>::value_type;
    for (size_t i = 0; i < vals.size(); ++i) {
      const T c = vals[i];
      bool bad = false;
      if constexpr (std::is_floating_point_v<T>) bad = !std::isfinite(c) || c < 0;
      else if constexpr (std::is_signed_v<T>) bad = c < 0;
      if (bad) {
        const double v = double(c);
        const size_t pixel = i / kBins;
        std::string where = "pixel " + std::to_string(pixel);
        if (s.size() == 3) {
          where += " (row " + std::to_string(pixel / static_cast<size_t>(s[1])) + ", col " +
                   std::to_string(pixel % static_cast<size_t>(s[1])) + ")";
        }
        where += ", bin " + std::to_string(i % kBins);
        throw file_error(npy_path, where + ": value " + fmt(v) +
                                       (std::isfinite(v) ? " is a negative count"
                                                         : " is not finite"));
      }
      out.counts[i] = static_cast<float>(c);
      out.photons[i / kBins] += double(c);
    }
  });
  return out;
}

}  // namespace flimgru
