// irf_input: see irf_input.hpp.
#include "irf_input.hpp"

#include <cmath>

#include "error.hpp"
#include "simulator.hpp"

namespace flimgru {

IrfInput irf_input_from_bins(const std::vector<double>& bins, const std::string& source) {
  if (bins.size() != size_t(kBins))
    throw file_error(source, std::to_string(bins.size()) + " IRF values but the model needs " +
                                 std::to_string(kBins));
  double mx = 0;
  for (size_t k = 0; k < bins.size(); ++k) {
    if (!std::isfinite(bins[k]) || bins[k] < 0)
      throw file_error(source, "IRF bin " + std::to_string(k) + " is " + std::to_string(bins[k]) +
                                   ": IRF values must be finite and >= 0");
    mx = std::max(mx, bins[k]);
  }
  if (!(mx > 0)) throw file_error(source, "IRF is all zeros inside the window");
  IrfInput out;
  for (int k = 0; k < kBins; ++k) out[k] = float(bins[k] / mx);
  return out;
}

IrfInput gaussian_irf_input(double fwhm_ns, double peak_ns) {
  const std::string what = "Gaussian IRF (FWHM " + std::to_string(fwhm_ns) + " ns, peak " +
                           std::to_string(peak_ns) + " ns)";
  if (!std::isfinite(fwhm_ns) || !(fwhm_ns > 0) || !std::isfinite(peak_ns))
    throw Error(what + ": FWHM must be finite and > 0, the peak finite");
  const double delta = kBinNs / kSubBins;
  const std::vector<double> h = gaussian_irf_density(fwhm_ns, peak_ns, 0.0, delta, size_t(kBins) * kSubBins);
  std::vector<double> bins(kBins, 0.0);
  for (int k = 0; k < kBins; ++k)
    for (int s = 0; s < kSubBins; ++s) bins[k] += h[size_t(k) * kSubBins + s] * delta;
  return irf_input_from_bins(bins, what);
}

IrfInput load_irf_input(const std::string& path) { return irf_input_from_bins(read_irf_file(path), path); }

std::vector<float> dataset_irf_inputs(const Dataset& ds, const std::vector<size_t>* subset,
                                      const std::string& source) {
  const size_t n = subset ? subset->size() : ds.n;
  std::vector<float> out(n * kBins);
  IrfInput measured{};
  bool have_measured = false;
  for (size_t i = 0; i < n; ++i) {
    const size_t k = subset ? (*subset)[i] : i;
    if (k >= ds.n) throw Error("dataset_irf_inputs: subset index out of range");
    const double fwhm = ds.labels[k * kLabelCols + kLabelIrfFwhm];
    const double peak = ds.labels[k * kLabelCols + kLabelIrfPeak];
    IrfInput irf;
    if (std::isfinite(fwhm) && std::isfinite(peak)) {
      irf = gaussian_irf_input(fwhm, peak);
    } else {
      if (!have_measured) {
        const auto& cfg = ds.meta.is_object() ? ds.meta.value("config", nlohmann::json::object())
                                              : nlohmann::json::object();
        if (!cfg.is_object() || !cfg.contains("irf_counts") || !cfg["irf_counts"].is_array())
          throw file_error(source, "row " + std::to_string(k) +
                                       " has no Gaussian IRF in its labels and meta.json records no "
                                       "measured IRF (config.irf_counts): the model's IRF input is unknown");
        measured = irf_input_from_bins(cfg["irf_counts"].get<std::vector<double>>(),
                                       source + " (meta.json config.irf_counts)");
        have_measured = true;
      }
      irf = measured;
    }
    std::copy(irf.begin(), irf.end(), out.begin() + i * kBins);
  }
  return out;
}

std::vector<float> interleave_irf(const float* x, const float* irf, size_t irf_stride, size_t n) {
  std::vector<float> out(n * kBins * 2);
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < kBins; ++k) {
      out[(i * kBins + k) * 2] = x[i * kBins + k];
      out[(i * kBins + k) * 2 + 1] = irf[i * irf_stride + k];
    }
  return out;
}

}  // namespace flimgru
