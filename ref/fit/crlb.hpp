// crlb: the Cramér–Rao lower bound of the bi-exponential lifetime parameters for one TPSF on the
// model grid (135 × 90 ps), from the Fisher information of the binned Poisson model of fit.hpp:
//   I_ij = Σ_k (∂λ_k/∂θ_i)(∂λ_k/∂θ_j) / λ_k,   θ = (τ1, τ2, a, S, B)
// with analytic ∂λ/∂θ (model_counts), S = N(1−b) and B = N·b/135 for N expected photons and a
// background fraction b. S and B are estimated too (nuisance parameters). Bounds of the derived
// lifetimes (amplitude-weighted τm = aτ1 + (1−a)τ2, intensity-weighted τi) by the delta method.
//
// IRF known (the default): the IRF is given exactly. IRF unknown (irf_unknown = true, Gaussian
// IRFs only): θ is extended by the IRF's FWHM and peak position, two more nuisance parameters
// with ∂λ/∂(FWHM, peak) from gaussian_irf_jacobian (fit.hpp); the bound can only grow
// (CrlbBound.IrfUnknownIsNeverBelowIrfKnown).
//
// The inverse: I is scaled to unit diagonal (its entries span ~10 orders of magnitude between S
// and a) and inverted through its eigen-decomposition. Directions with eigenvalue < 1e-12 of the
// largest are not identifiable (τ1 = τ2, where a and τ1 − τ2 do not change λ); a bound whose
// gradient has a component along them is infinite (τ1, τ2, a there), the others — τm and τI, which
// are defined whatever the split — keep the finite bound of the identifiable directions.
#pragma once
#include <array>

#include <nlohmann/json.hpp>

#include "fit.hpp"

namespace flimgru {

// θ with the Gaussian IRF's width and position appended (IRF unknown).
enum { kIrfFwhm = kNumParams, kIrfPeak = kNumParams + 1, kNumParamsIrf = kNumParams + 2 };

struct CrlbResult {
  std::array<double, kNumParams> theta{};
  bool irf_unknown = false;
  int n_params = kNumParams;  // kNumParamsIrf with the IRF unknown
  std::array<double, kNumParamsIrf * kNumParamsIrf> fisher{}, cov{};  // row-major, n_params × n_params
  double sd_tau1 = 0, sd_tau2 = 0, sd_a = 0, sd_tau_mean = 0, sd_tau_int = 0;
  double sd_irf_fwhm = NAN, sd_irf_peak = NAN;  // IRF unknown only
  double tau_mean = 0, tau_int = 0;
  bool singular = false;  // some direction of θ is not identifiable (e.g. τ1 == τ2): τ1, τ2, a infinite
  nlohmann::json to_json() const;
};

// theta: τ1, τ2 (ns), a, S, B as in fit.hpp.
std::array<double, kNumParams * kNumParams> fisher_information(const Irf& irf, const double* theta);
// The same with the Gaussian IRF's FWHM and peak (irf.fwhm_ns, irf.peak_ns) appended: 7 × 7.
std::array<double, kNumParamsIrf * kNumParamsIrf> fisher_information_irf(const Irf& irf, const double* theta);
// irf_unknown needs a Gaussian IRF (Irf::gaussian); a measured one throws.
CrlbResult crlb(const Irf& irf, double tau1, double tau2, double a, double photons, double background_fraction,
                bool irf_unknown = false);

}  // namespace flimgru
