// crlb: Fisher information of the binned Poisson bi-exponential model and its inverse (crlb.hpp).
#include "crlb.hpp"

#include <cmath>

#include <Eigen/Dense>

#include "error.hpp"

namespace flimgru {

std::array<double, kNumParams * kNumParams> fisher_information(const Irf& irf, const double* theta) {
  double lam[kBins], J[kBins * kNumParams];
  model_counts(irf, theta, lam, J);
  std::array<double, kNumParams * kNumParams> I{};
  for (int k = 0; k < kBins; ++k) {
    if (!(lam[k] > 0)) continue;
    for (int i = 0; i < kNumParams; ++i)
      for (int j = 0; j < kNumParams; ++j) I[i * kNumParams + j] += J[k * kNumParams + i] * J[k * kNumParams + j] / lam[k];
  }
  return I;
}

CrlbResult crlb(const Irf& irf, double tau1, double tau2, double a, double photons, double b) {
  if (!(tau1 > 0) || !(tau2 > 0) || !(a >= 0 && a <= 1) || !(photons > 0) || !(b >= 0 && b < 1))
    throw Error("crlb: need tau1, tau2 > 0, 0 <= a <= 1, photons > 0, 0 <= background < 1");
  CrlbResult r;
  r.theta = {tau1, tau2, a, photons * (1 - b), photons * b / kBins};
  // With no background B is pinned at 0 (its Fisher row would divide by λ_k = 0 in empty bins).
  r.fisher = fisher_information(irf, r.theta.data());
  const int n = b > 0 ? kNumParams : kNumParams - 1;
  Eigen::MatrixXd I(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) I(i, j) = r.fisher[i * kNumParams + j];
  Eigen::FullPivLU<Eigen::MatrixXd> lu(I);
  if (!lu.isInvertible() || lu.rcond() < 1e-15) {
    r.singular = true;
    r.sd_tau1 = r.sd_tau2 = r.sd_a = r.sd_tau_mean = r.sd_tau_int = INFINITY;
    return r;
  }
  const Eigen::MatrixXd C = lu.inverse();
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) r.cov[i * kNumParams + j] = C(i, j);
  r.sd_tau1 = std::sqrt(C(kTau1, kTau1));
  r.sd_tau2 = std::sqrt(C(kTau2, kTau2));
  r.sd_a = std::sqrt(C(kAmp, kAmp));
  r.tau_mean = tau_mean(tau1, tau2, a);
  r.tau_int = tau_int(tau1, tau2, a);
  // Delta method on (τ1, τ2, a).
  Eigen::Vector3d gm(a, 1 - a, tau1 - tau2);
  const double D = a * tau1 + (1 - a) * tau2, Nn = a * tau1 * tau1 + (1 - a) * tau2 * tau2;
  Eigen::Vector3d gi((2 * a * tau1 * D - Nn * a) / (D * D), (2 * (1 - a) * tau2 * D - Nn * (1 - a)) / (D * D),
                     ((tau1 * tau1 - tau2 * tau2) * D - Nn * (tau1 - tau2)) / (D * D));
  const Eigen::Matrix3d C3 = C.topLeftCorner(3, 3);
  r.sd_tau_mean = std::sqrt(gm.dot(C3 * gm));
  r.sd_tau_int = std::sqrt(gi.dot(C3 * gi));
  return r;
}

nlohmann::json CrlbResult::to_json() const {
  return {{"tau1_ns", theta[kTau1]}, {"tau2_ns", theta[kTau2]}, {"a", theta[kAmp]},
          {"signal_photons", theta[kSignal]}, {"background_per_bin", theta[kBackground]},
          {"tau_mean_ns", tau_mean}, {"tau_int_ns", tau_int}, {"singular", singular},
          {"sd_tau1_ns", sd_tau1}, {"sd_tau2_ns", sd_tau2}, {"sd_a", sd_a},
          {"sd_tau_mean_ns", sd_tau_mean}, {"sd_tau_int_ns", sd_tau_int}};
}

}  // namespace flimgru
