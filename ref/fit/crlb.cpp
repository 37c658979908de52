// crlb: Fisher information of the binned Poisson bi-exponential model (IRF known, or a Gaussian
// IRF's width and position as two more unknowns) and its inverse (crlb.hpp).
#include "crlb.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "error.hpp"

namespace flimgru {

namespace {

// Σ_k J_ki J_kj / λ_k for a Jacobian J [kBins][np].
template <int np>
std::array<double, np * np> fisher_from_jacobian(const double* lam, const double* J) {
  std::array<double, np * np> I{};
  for (int k = 0; k < kBins; ++k) {
    if (!(lam[k] > 0)) continue;
    for (int i = 0; i < np; ++i)
      for (int j = 0; j < np; ++j) I[i * np + j] += J[k * np + i] * J[k * np + j] / lam[k];
  }
  return I;
}

}  // namespace

std::array<double, kNumParams * kNumParams> fisher_information(const Irf& irf, const double* theta) {
  double lam[kBins], J[kBins * kNumParams];
  model_counts(irf, theta, lam, J);
  return fisher_from_jacobian<kNumParams>(lam, J);
}

std::array<double, kNumParamsIrf * kNumParamsIrf> fisher_information_irf(const Irf& irf, const double* theta) {
  double lam[kBins], J5[kBins * kNumParams], Jg[kBins * 2], J[kBins * kNumParamsIrf];
  model_counts(irf, theta, lam, J5);
  gaussian_irf_jacobian(irf, theta, Jg);
  for (int k = 0; k < kBins; ++k) {
    for (int i = 0; i < kNumParams; ++i) J[k * kNumParamsIrf + i] = J5[k * kNumParams + i];
    J[k * kNumParamsIrf + kIrfFwhm] = Jg[k * 2 + 0];
    J[k * kNumParamsIrf + kIrfPeak] = Jg[k * 2 + 1];
  }
  return fisher_from_jacobian<kNumParamsIrf>(lam, J);
}

CrlbResult crlb(const Irf& irf, double tau1, double tau2, double a, double photons, double b, bool irf_unknown) {
  if (!(tau1 > 0) || !(tau2 > 0) || !(a >= 0 && a <= 1) || !(photons > 0) || !(b >= 0 && b < 1))
    throw Error("crlb: need tau1, tau2 > 0, 0 <= a <= 1, photons > 0, 0 <= background < 1");
  if (irf_unknown && !(irf.fwhm_ns > 0))
    throw Error("crlb: the IRF-unknown bound needs a Gaussian IRF (its FWHM and peak are the extra unknowns), "
                "not a measured one (" + irf.source + ")");
  CrlbResult r;
  r.theta = {tau1, tau2, a, photons * (1 - b), photons * b / kBins};
  r.irf_unknown = irf_unknown;
  r.n_params = irf_unknown ? int(kNumParamsIrf) : int(kNumParams);
  const int np = r.n_params;
  if (irf_unknown) {
    r.fisher = fisher_information_irf(irf, r.theta.data());
  } else {
    const auto I5 = fisher_information(irf, r.theta.data());
    for (int i = 0; i < kNumParams; ++i)
      for (int j = 0; j < kNumParams; ++j) r.fisher[i * np + j] = I5[i * kNumParams + j];
  }
  // The free parameters: with no background B is pinned at 0 (its Fisher row would divide by
  // λ_k = 0 in empty bins); a parameter that does not change λ at all (a at τ1 == τ2) is not
  // identifiable and left out of the inverse.
  std::vector<int> free;
  for (int i = 0; i < np; ++i)
    if ((i != kBackground || b > 0) && r.fisher[i * np + i] > 0) free.push_back(i);
  const int n = int(free.size());
  Eigen::MatrixXd I(n, n);
  Eigen::VectorXd d(n);
  for (int i = 0; i < n; ++i) d(i) = 1.0 / std::sqrt(r.fisher[free[i] * np + free[i]]);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) I(i, j) = r.fisher[free[i] * np + free[j]] * d(i) * d(j);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(I);
  const Eigen::VectorXd& ev = es.eigenvalues();  // ascending
  const Eigen::MatrixXd& V = es.eigenvectors();
  const double tol = 1e-12 * ev(n - 1);
  // var(gᵀθ) = Σ over identifiable directions of (vᵀDg)²/λ; infinite if Dg leans on a null direction.
  auto variance = [&](const Eigen::VectorXd& g_full) {
    Eigen::VectorXd g(n);
    for (int i = 0; i < n; ++i) g(i) = g_full(free[i]) * d(i);
    for (int i = 0; i < np; ++i)  // a gradient on a parameter that was left out
      if (std::fabs(g_full(i)) > 1e-12 * g_full.lpNorm<Eigen::Infinity>() &&
          std::find(free.begin(), free.end(), i) == free.end() && i != kBackground)
        return double(INFINITY);
    double var = 0;
    const double gn = g.norm();
    for (int e = 0; e < n; ++e) {
      const double p = V.col(e).dot(g);
      if (ev(e) > tol) var += p * p / ev(e);
      else if (std::fabs(p) > 1e-6 * gn) return double(INFINITY);
    }
    return var;
  };
  r.singular = ev(0) <= tol || n < np - (b > 0 ? 0 : 1);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double c = 0;
      for (int e = 0; e < n; ++e)
        if (ev(e) > tol) c += V(i, e) * V(j, e) / ev(e);
      r.cov[free[i] * np + free[j]] = r.singular ? NAN : c * d(i) * d(j);
    }
  auto unit = [&](int i) {
    Eigen::VectorXd g = Eigen::VectorXd::Zero(np);
    g(i) = 1;
    return g;
  };
  r.sd_tau1 = std::sqrt(variance(unit(kTau1)));
  r.sd_tau2 = std::sqrt(variance(unit(kTau2)));
  r.sd_a = std::sqrt(variance(unit(kAmp)));
  if (irf_unknown) {
    r.sd_irf_fwhm = std::sqrt(variance(unit(kIrfFwhm)));
    r.sd_irf_peak = std::sqrt(variance(unit(kIrfPeak)));
  }
  r.tau_mean = tau_mean(tau1, tau2, a);
  r.tau_int = tau_int(tau1, tau2, a);
  // Delta method on (τ1, τ2, a).
  const double D = a * tau1 + (1 - a) * tau2, Nn = a * tau1 * tau1 + (1 - a) * tau2 * tau2;
  Eigen::VectorXd gm = Eigen::VectorXd::Zero(np), gi = Eigen::VectorXd::Zero(np);
  gm.head(3) << a, 1 - a, tau1 - tau2;
  gi.head(3) << (2 * a * tau1 * D - Nn * a) / (D * D), (2 * (1 - a) * tau2 * D - Nn * (1 - a)) / (D * D),
      (tau1 - tau2) * ((tau1 + tau2) * D - Nn) / (D * D);  // factored: exactly 0 at τ1 = τ2, FMA or not
  r.sd_tau_mean = std::sqrt(variance(gm));
  r.sd_tau_int = std::sqrt(variance(gi));
  return r;
}

nlohmann::json CrlbResult::to_json() const {
  // An infinite bound (a direction that is not identifiable) is written as null.
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json j = {{"tau1_ns", theta[kTau1]}, {"tau2_ns", theta[kTau2]}, {"a", theta[kAmp]},
                      {"signal_photons", theta[kSignal]}, {"background_per_bin", theta[kBackground]},
                      {"tau_mean_ns", tau_mean}, {"tau_int_ns", tau_int}, {"singular", singular},
                      {"irf", irf_unknown ? "unknown (Gaussian FWHM and peak estimated too)" : "known"},
                      {"sd_tau1_ns", num(sd_tau1)}, {"sd_tau2_ns", num(sd_tau2)}, {"sd_a", num(sd_a)},
                      {"sd_tau_mean_ns", num(sd_tau_mean)}, {"sd_tau_int_ns", num(sd_tau_int)}};
  if (irf_unknown) {
    j["sd_irf_fwhm_ns"] = num(sd_irf_fwhm);
    j["sd_irf_peak_ns"] = num(sd_irf_peak);
  }
  return j;
}

}  // namespace flimgru
