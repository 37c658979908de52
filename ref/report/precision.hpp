// precision: the lifetime precision study behind `flimgru precision` and the precision section of
// `flimgru report`. For each photon count N, M pixels are simulated with FIXED decay parameters
// (simulator.hpp) and the amplitude-weighted τm = a·τ1 + (1−a)·τ2 and intensity-weighted
// τI = (aτ1² + (1−a)τ2²)/(aτ1 + (1−a)τ2) are estimated by
//   * the float and the int8 network (backend.hpp; lifetimes from the SFD, lifetimes.hpp), and
//     with "-photons" (e.g. int8-photons) the same with τI from the photons and the true IRF
//     (photon_moment.hpp),
//   * the maximum-likelihood fit with the true Gaussian IRF held fixed (fit.hpp fit_pixels; the
//     start is the fit of the summed decay of the M pixels, as `flimgru image --method fit` does),
//   * the centre of mass with the true IRF (τI only; com_lifetime).
// Per method, quantity and N: bias, standard deviation σ and the F-value F = σ·√N/τ (N the
// expected photons of a pixel), next to the Cramér–Rao bound σ of τm and τI (crlb.hpp) and its F.
// Estimates that are not finite (or fits that did not converge) are left out and counted.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flimgru {

struct PrecisionConfig {
  std::vector<double> photons{200, 500, 1000, 2000, 5000, 10000, 50000};
  size_t pixels = 400;  // M per photon count
  double tau1 = 0.5, tau2 = 2.5, a = 0.5, background = 0.01;  // ns, ns, amplitude fraction of τ1, b
  double irf_fwhm = 0.3, irf_peak = 1.0;                       // Gaussian IRF (ns)
  std::string model;                                           // checkpoint or ROM set; empty: default
  std::vector<std::string> methods{"float", "int8", "int8-photons", "fit", "com"};
  uint64_t seed = 1;  // photon count i is simulated with seed + i
  int threads = 2;

  void validate() const;  // throws Error
};

// Runs the study; the JSON layout (docs: `flimgru precision --help`):
//   {config, truth{tau_mean_ns, tau_int_ns}, rows: [{photons, crlb{tau_mean_ns{sd,F}, tau_int_ns{sd,F}},
//    methods{<name>{tau_mean_ns|tau_int_ns{n, n_invalid, mean, bias, sd, F}}},
//    ratio_int8_crlb_tau_int}], seconds}
nlohmann::json precision_study(const PrecisionConfig& cfg);

// The markdown section of docs/results.md generated from precision_study's JSON: one table per
// quantity (rows = photon counts, columns = bias / σ per method and the bound), the ratio
// σ_int8/σ_CRLB on τI and a computed sentence on where int8 is within `factor` of the bound.
std::string precision_markdown(const nlohmann::json& study, double factor = 1.5);

}  // namespace flimgru
