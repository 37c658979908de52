// crlb: the Cramér–Rao lower bound of the bi-exponential lifetime parameters for one TPSF on the
// model grid (135 × 90 ps), from the Fisher information of the binned Poisson model of fit.hpp:
//   I_ij = Σ_k (∂λ_k/∂θ_i)(∂λ_k/∂θ_j) / λ_k,   θ = (τ1, τ2, a, S, B)
// with analytic ∂λ/∂θ (model_counts), S = N(1−b) and B = N·b/135 for N expected photons and a
// background fraction b. S and B are estimated too (nuisance parameters). Bounds of the derived
// lifetimes (amplitude-weighted τm = aτ1 + (1−a)τ2, intensity-weighted τi) by the delta method.
#pragma once
#include <array>

#include <nlohmann/json.hpp>

#include "fit.hpp"

namespace flimgru {

struct CrlbResult {
  std::array<double, kNumParams> theta{};
  std::array<double, kNumParams * kNumParams> fisher{}, cov{};  // row-major
  double sd_tau1 = 0, sd_tau2 = 0, sd_a = 0, sd_tau_mean = 0, sd_tau_int = 0;
  double tau_mean = 0, tau_int = 0;
  bool singular = false;  // Fisher information not invertible (e.g. τ1 == τ2)
  nlohmann::json to_json() const;
};

// theta: τ1, τ2 (ns), a, S, B as in fit.hpp.
std::array<double, kNumParams * kNumParams> fisher_information(const Irf& irf, const double* theta);
CrlbResult crlb(const Irf& irf, double tau1, double tau2, double a, double photons, double background_fraction);

}  // namespace flimgru
