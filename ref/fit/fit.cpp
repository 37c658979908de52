// fit: the bi-exponential model with analytic derivatives, Ceres maximum-likelihood fits, the
// image IRF estimate and the centre-of-mass lifetime (fit.hpp).
#include "fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include <ceres/ceres.h>

#include "parallel.hpp"
#include "error.hpp"
#include "simulator.hpp"

namespace flimgru {

namespace {

constexpr double kDelta = kBinNs / kSubBins;
constexpr double kTauMin = kFitTauMinNs, kBgMin = 1e-6;

}  // namespace
void pulse_tail_bins(const Irf& irf, double tau, double* tail, double* dtail);
namespace {

// Window bins of (IRF * e^(−t/τ)) and of its τ-derivative (plus the earlier pulses' tails).
void decay_bins(const Irf& irf, double tau, double* e, double* de) {
  const double x = kDelta / tau;
  const double om = -std::expm1(-x);  // 1 − q
  const double q = 1.0 - om;
  const double qp = q * x / tau;      // dq/dτ
  const double k0 = tau * kDelta - tau * tau * om;
  const double dk0 = kDelta - 2 * tau * om + tau * tau * qp;
  const double c = tau * tau * om * om;
  const double dc = 2 * tau * om * om - 2 * tau * tau * om * qp;
  const std::vector<double>& h = irf.density;
  const size_t first = size_t(irf.pad_bins) * kSubBins;
  const size_t end = first + size_t(kBins) * kSubBins;
  if (h.size() < end) throw Error("IRF density does not cover the window");
  // T_m = q·T_{m−1} + h_{m−1} (and its τ-derivative) over the pad, then bin by bin.
  double t = 0, dt = 0;
  for (size_t m = 1; m < first; ++m) {  // T_1 … T_{first−1}; T_first is made in the loop below
    dt = qp * t + q * dt;
    t = q * t + h[m - 1];
  }
  const double* hp = h.data() + first;
  for (int k = 0; k < kBins; ++k) {
    double ek = 0, dek = 0;
    for (int s = 0; s < kSubBins; ++s, ++hp) {
      if (k > 0 || s > 0 || first > 0) {
        dt = qp * t + q * dt;
        t = q * t + hp[-1];
      }
      ek += *hp * k0 + c * t;
      dek += *hp * dk0 + dc * t + c * dt;
    }
    e[k] = ek;
    de[k] = dek;
  }
  if (irf.period_ns > 0) {
    double tl[kBins], dtl[kBins];
    pulse_tail_bins(irf, tau, tl, dtl);
    for (int k = 0; k < kBins; ++k) {
      e[k] += tl[k];
      de[k] += dtl[k];
    }
  }
}

}  // namespace

void pulse_tail_bins(const Irf& irf, double tau, double* tail, double* dtail) {
  for (int k = 0; k < kBins; ++k) tail[k] = dtail[k] = 0;
  const double P = irf.period_ns;
  if (!(P > 0)) return;
  if (P < kBins * kBinNs - 1e-9) throw Error("pulse tails: the laser period is shorter than the window");
  // A = τ Σ_j h_j (E(s_j+1) − E(s_j)), E(s) = e^((s−P)/τ) <= 1 for the IRF's sub-bin edges s
  // (window time, all before P); computed from the last edge down, E(s − δ) = q·E(s).
  const std::vector<double>& h = irf.density;
  const size_t J = h.size();
  const double t0 = -irf.pad_bins * kBinNs, q = std::exp(-kDelta / tau), itau2 = 1.0 / (tau * tau);
  double s_hi = t0 + double(J) * kDelta;
  double E_hi = std::exp((s_hi - P) / tau), sum = 0, dsum = 0;
  for (size_t j = J; j-- > 0;) {
    const double s_lo = s_hi - kDelta, E_lo = E_hi * q;
    // dE/dτ = −(s − P)/τ² · E
    sum += h[j] * (E_hi - E_lo);
    dsum += h[j] * (-(s_hi - P) * E_hi + (s_lo - P) * E_lo) * itau2;
    s_hi = s_lo;
    E_hi = E_lo;
  }
  const double A = tau * sum, dA = sum + tau * dsum;
  const double eP = std::exp(-P / tau), geo = 1.0 / (-std::expm1(-P / tau));
  const double dgeo = geo * geo * eP * P * itau2;
  // b_k = τ (e^(−t_k/τ) − e^(−t_k+1/τ)), t_k = k·kBinNs.
  const double qb = std::exp(-kBinNs / tau);
  double e_lo = 1.0;
  for (int k = 0; k < kBins; ++k) {
    const double tl = k * kBinNs, th = tl + kBinNs, e_hi = e_lo * qb;
    const double b = tau * (e_lo - e_hi);
    const double db = (e_lo - e_hi) + (tl * e_lo - th * e_hi) / tau;
    tail[k] = A * geo * b;
    dtail[k] = dA * geo * b + A * dgeo * b + A * geo * db;
    e_lo = e_hi;
  }
}

namespace {

double clamp_lambda(double l) { return std::max(l, 1e-300); }

// Deviance residuals r_k = sign(λ−c)·sqrt(2(λ − c + c·ln(c/λ))) and dr/dλ.
inline void deviance_residual(double c, double lam, double* r, double* drdl) {
  lam = clamp_lambda(lam);
  const double d = c > 0 ? lam - c + c * std::log(c / lam) : lam;
  const double rr = std::sqrt(std::max(2 * d, 0.0));
  const double s = lam >= c ? 1.0 : -1.0;
  *r = s * rr;
  if (drdl) *drdl = rr > 1e-7 ? (1.0 - c / lam) / (*r) : 1.0 / std::sqrt(lam);
}

class PixelCost : public ceres::SizedCostFunction<kBins, kNumParams> {
 public:
  PixelCost(const Irf& irf, const float* counts) : irf_(irf), c_(counts) {}
  bool Evaluate(double const* const* p, double* res, double** jac) const override {
    double lam[kBins], J[kBins * kNumParams];
    model_counts(irf_, p[0], lam, jac && jac[0] ? J : nullptr);
    for (int k = 0; k < kBins; ++k) {
      double drdl;
      deviance_residual(c_[k], lam[k], &res[k], &drdl);
      if (jac && jac[0])
        for (int i = 0; i < kNumParams; ++i) jac[0][k * kNumParams + i] = drdl * J[k * kNumParams + i];
    }
    return true;
  }

 private:
  const Irf& irf_;
  const float* c_;
};

// The image-sum fit: θ plus the Gaussian IRF (FWHM, peak), IRF derivatives by central differences.
class SumCost : public ceres::SizedCostFunction<kBins, kNumParams, 2> {
 public:
  SumCost(const std::vector<double>& c, double period) : c_(c), period_(period) {}
  bool Evaluate(double const* const* p, double* res, double** jac) const override {
    const double fwhm = p[1][0], peak = p[1][1];
    if (!(fwhm > 0) || !std::isfinite(peak)) return false;
    const Irf irf = Irf::gaussian(fwhm, peak, period_);
    double lam[kBins], J[kBins * kNumParams];
    const bool want = jac != nullptr;
    model_counts(irf, p[0], lam, want && jac[0] ? J : nullptr);
    double Jg[kBins * 2];
    if (want && jac[1]) gaussian_irf_jacobian(irf, p[0], Jg);
    for (int k = 0; k < kBins; ++k) {
      double drdl;
      deviance_residual(c_[k], lam[k], &res[k], &drdl);
      if (want && jac[0])
        for (int i = 0; i < kNumParams; ++i) jac[0][k * kNumParams + i] = drdl * J[k * kNumParams + i];
      if (want && jac[1])
        for (int i = 0; i < 2; ++i) jac[1][k * 2 + i] = drdl * Jg[k * 2 + i];
    }
    return true;
  }

 private:
  const std::vector<double>& c_;
  double period_;
};

// One pixel with a fixed decay shape stretched in time: (s, S, B) and the Gaussian IRF (FWHM,
// peak); λ = model_counts(IRF, (s·τ1, s·τ2, a, S, B)), ∂λ/∂s = τ1·∂λ/∂τ1 + τ2·∂λ/∂τ2.
class StretchCost : public ceres::SizedCostFunction<kBins, 3, 2> {
 public:
  StretchCost(const float* c, double tau1, double tau2, double a, double period)
      : c_(c), t1_(tau1), t2_(tau2), a_(a), period_(period) {}
  bool Evaluate(double const* const* p, double* res, double** jac) const override {
    const double s = p[0][0], fwhm = p[1][0], peak = p[1][1];
    if (!(s > 0) || !(fwhm > 0) || !std::isfinite(peak)) return false;
    const Irf irf = Irf::gaussian(fwhm, peak, period_);
    const double th[kNumParams] = {std::max(t1_ * s, kTauMin), std::max(t2_ * s, kTauMin), a_, p[0][1], p[0][2]};
    double lam[kBins], J[kBins * kNumParams], Jg[kBins * 2];
    const bool want = jac != nullptr;
    model_counts(irf, th, lam, want && jac[0] ? J : nullptr);
    if (want && jac[1]) gaussian_irf_jacobian(irf, th, Jg);
    for (int k = 0; k < kBins; ++k) {
      double drdl;
      deviance_residual(c_[k], lam[k], &res[k], &drdl);
      if (want && jac[0]) {
        const double* Jk = &J[k * kNumParams];
        jac[0][k * 3 + 0] = drdl * (t1_ * Jk[kTau1] + t2_ * Jk[kTau2]);
        jac[0][k * 3 + 1] = drdl * Jk[kSignal];
        jac[0][k * 3 + 2] = drdl * Jk[kBackground];
      }
      if (want && jac[1])
        for (int i = 0; i < 2; ++i) jac[1][k * 2 + i] = drdl * Jg[k * 2 + i];
    }
    return true;
  }

 private:
  const float* c_;
  double t1_, t2_, a_, period_;
};

void set_bounds(ceres::Problem& pb, double* th, double total, double tau_max, bool mono = false) {
  pb.SetParameterLowerBound(th, kTau1, kTauMin);
  pb.SetParameterUpperBound(th, kTau1, tau_max);
  if (!mono) {  // the mono-exponential fit holds τ2 and a = 1 constant
    pb.SetParameterLowerBound(th, kTau2, kTauMin);
    pb.SetParameterUpperBound(th, kTau2, tau_max);
    pb.SetParameterLowerBound(th, kAmp, 0.0);
    pb.SetParameterUpperBound(th, kAmp, 1.0);
  }
  pb.SetParameterLowerBound(th, kSignal, 0.0);
  pb.SetParameterUpperBound(th, kSignal, 10 * total + 10);
  pb.SetParameterLowerBound(th, kBackground, kBgMin);
  pb.SetParameterUpperBound(th, kBackground, total + 1);
}

// A Gaussian IRF's (FWHM, peak) as a fit sees it: FWHM 0.03–3 ns, peak from 1 ns before the
// window to its end.
void set_irf_bounds(ceres::Problem& pb, double* g) {
  pb.SetParameterLowerBound(g, 0, 0.03);
  pb.SetParameterUpperBound(g, 0, 3.0);
  pb.SetParameterLowerBound(g, 1, -1.0);
  pb.SetParameterUpperBound(g, 1, kBins * kBinNs);
}

ceres::Solver::Options solver_options(int max_iter) {
  ceres::Solver::Options o;
  o.linear_solver_type = ceres::DENSE_QR;
  o.max_num_iterations = max_iter;
  o.function_tolerance = 1e-10;
  o.gradient_tolerance = 1e-12;
  o.parameter_tolerance = 1e-10;
  o.logging_type = ceres::SILENT;
  o.minimizer_progress_to_stdout = false;
  o.num_threads = 1;
  return o;
}

FitResult finish(const double* th, const ceres::Solver::Summary& s) {
  FitResult r;
  r.tau1 = th[kTau1];
  r.tau2 = th[kTau2];
  r.a = th[kAmp];
  if (r.tau1 > r.tau2) {
    std::swap(r.tau1, r.tau2);
    r.a = 1.0 - r.a;
  }
  r.signal = th[kSignal];
  r.background = th[kBackground];
  r.tau_mean = tau_mean(r.tau1, r.tau2, r.a);
  r.tau_int = tau_int(r.tau1, r.tau2, r.a);
  r.deviance = 2 * s.final_cost;  // Ceres' cost is ½ Σ r_k², and Σ r_k² is the deviance
  r.iterations = int(s.iterations.size());
  r.ok = s.IsSolutionUsable() && std::isfinite(r.tau_mean);
  return r;
}

double initial_background(const Irf& irf, const float* c) {
  const int nb = std::min(irf.pre_rise_bins(), 20);
  if (nb <= 0) return 1e-3;
  double s = 0;
  for (int k = 0; k < nb; ++k) s += c[k];
  return std::max(s / nb, 1e-3);
}

}  // namespace

Irf Irf::gaussian(double fwhm_ns, double peak_ns, double period_ns) {
  Irf irf;
  irf.period_ns = period_ns;
  const double sigma = fwhm_ns / (2.0 * std::sqrt(2.0 * std::log(2.0)));
  const double need = 10.0 * sigma - peak_ns;
  irf.pad_bins = need > 0 ? int(std::ceil(need / kBinNs)) : 0;
  irf.density = gaussian_irf_density(fwhm_ns, peak_ns, -irf.pad_bins * kBinNs, kDelta,
                                     size_t((irf.pad_bins + kBins) * kSubBins));
  irf.fwhm_ns = fwhm_ns;
  irf.peak_ns = peak_ns;
  irf.source = "gaussian";
  return irf;
}

Irf Irf::from_grid(const std::vector<double>& counts, const std::string& source) {
  if (counts.size() != size_t(kBins))
    throw file_error(source, "IRF has " + std::to_string(counts.size()) + " values, need " + std::to_string(kBins));
  double sum = 0;
  for (double v : counts) {
    if (!(v >= 0) || !std::isfinite(v)) throw file_error(source, "IRF values must be finite and >= 0");
    sum += v;
  }
  if (!(sum > 0)) throw file_error(source, "IRF is all zeros");
  Irf irf;
  irf.density.resize(size_t(kBins) * kSubBins);
  for (int k = 0; k < kBins; ++k)
    for (int s = 0; s < kSubBins; ++s) irf.density[size_t(k) * kSubBins + s] = counts[k] / sum / kBinNs;
  irf.source = source;
  return irf;
}

double Irf::centroid_ns() const {
  double m = 0, mt = 0;
  for (size_t j = 0; j < density.size(); ++j) {
    const double t = (double(j) + 0.5) * kDelta - pad_bins * kBinNs;
    m += density[j];
    mt += density[j] * t;
  }
  return mt / m;
}

int Irf::pre_rise_bins() const {
  double total = 0;
  for (double v : density) total += v;
  double cum = 0;
  for (size_t j = 0; j < density.size(); ++j) {
    cum += density[j];
    if (cum > 1e-3 * total) {
      const int sub = int(j) - pad_bins * kSubBins;  // first sub-bin with signal, window-relative
      return std::max(0, sub / kSubBins);
    }
  }
  return 0;
}

nlohmann::json Irf::to_json() const {
  nlohmann::json j = {{"source", source}, {"centroid_ns", centroid_ns()}, {"pre_rise_bins", pre_rise_bins()}};
  j["period_ns"] = period_ns;
  j["earlier_pulses"] = period_ns > 0 ? "tails of all earlier pulses included" : "single pulse";
  if (fwhm_ns > 0) {
    j["fwhm_ns"] = fwhm_ns;
    j["peak_ns"] = peak_ns;
  }
  return j;
}


void model_counts(const Irf& irf, const double* th, double* lambda, double* jac) {
  double e1[kBins], d1[kBins], e2[kBins], d2[kBins];
  decay_bins(irf, th[kTau1], e1, d1);
  decay_bins(irf, th[kTau2], e2, d2);
  const double a = th[kAmp], S = th[kSignal], B = th[kBackground];
  double u[kBins], sum = 0, s_a = 0, s_t1 = 0, s_t2 = 0;
  for (int k = 0; k < kBins; ++k) {
    u[k] = a * e1[k] + (1 - a) * e2[k];
    sum += u[k];
    s_a += e1[k] - e2[k];
    s_t1 += a * d1[k];
    s_t2 += (1 - a) * d2[k];
  }
  const double inv = 1.0 / sum;
  for (int k = 0; k < kBins; ++k) {
    const double p = u[k] * inv;
    lambda[k] = S * p + B;
    if (jac) {
      double* J = jac + k * kNumParams;
      J[kTau1] = S * (a * d1[k] - p * s_t1) * inv;
      J[kTau2] = S * ((1 - a) * d2[k] - p * s_t2) * inv;
      J[kAmp] = S * ((e1[k] - e2[k]) - p * s_a) * inv;
      J[kSignal] = p;
      J[kBackground] = 1.0;
    }
  }
}

void gaussian_irf_jacobian(const Irf& irf, const double* theta, double* jac) {
  if (!(irf.fwhm_ns > 0)) throw Error("IRF derivatives need a Gaussian IRF (FWHM and peak)");
  // The decay bins e(τ) (decay_bins, earlier pulses included) are linear in the IRF's sub-bin
  // density h, so ∂e/∂g is decay_bins of ∂h/∂g. h_m = (Φ(b) − Φ(a))/δ over the sub-bin [a, b),
  // Φ the Gaussian CDF of mean μ (the peak) and σ = FWHM/(2√(2 ln 2)):
  //   ∂Φ(x)/∂μ = −φ(x),  ∂Φ(x)/∂σ = −(x − μ)/σ · φ(x),  φ the Gaussian density.
  const double fwhm_per_sigma = 2.0 * std::sqrt(2.0 * std::log(2.0));
  const double sigma = irf.fwhm_ns / fwhm_per_sigma, mu = irf.peak_ns;
  const size_t n = irf.density.size();
  const double t0 = -irf.pad_bins * kBinNs, norm = 1.0 / (sigma * std::sqrt(2.0 * M_PI));
  std::vector<double> phi(n + 1), zphi(n + 1);  // φ(edge) and (edge − μ)/σ · φ(edge)
  for (size_t m = 0; m <= n; ++m) {
    const double z = (t0 + double(m) * kDelta - mu) / sigma;
    phi[m] = std::fabs(z) > 10.0 * std::sqrt(2.0) ? 0.0 : norm * std::exp(-0.5 * z * z);  // the density's cut
    zphi[m] = z * phi[m];
  }
  Irf d_fwhm = irf, d_peak = irf;  // the same pad and laser period, h replaced by ∂h/∂g
  for (size_t m = 0; m < n; ++m) {
    d_fwhm.density[m] = (zphi[m] - zphi[m + 1]) / (kDelta * fwhm_per_sigma);
    d_peak.density[m] = (phi[m] - phi[m + 1]) / kDelta;
  }
  // λ_k = S·u_k/Σu + B, u = a·e(τ1) + (1 − a)·e(τ2): ∂λ_k/∂g = S·(∂u_k − p_k·Σ∂u)/Σu, p = u/Σu.
  const double a = theta[kAmp], S = theta[kSignal];
  double e1[kBins], e2[kBins], scratch[kBins], u[kBins], sum = 0;
  decay_bins(irf, theta[kTau1], e1, scratch);
  decay_bins(irf, theta[kTau2], e2, scratch);
  for (int k = 0; k < kBins; ++k) sum += u[k] = a * e1[k] + (1 - a) * e2[k];
  const Irf* dh[2] = {&d_fwhm, &d_peak};
  for (int i = 0; i < 2; ++i) {
    double du[kBins], dsum = 0;
    decay_bins(*dh[i], theta[kTau1], e1, scratch);
    decay_bins(*dh[i], theta[kTau2], e2, scratch);
    for (int k = 0; k < kBins; ++k) dsum += du[k] = a * e1[k] + (1 - a) * e2[k];
    for (int k = 0; k < kBins; ++k) jac[k * 2 + i] = S * (du[k] - u[k] / sum * dsum) / sum;
  }
}

double fit_tau_max(double period_ns) { return period_ns > 0 ? std::min(kTauMaxNs, period_ns) : kTauMaxNs; }

const char* const kFitModelSelection =
    "mono- vs bi-exponential per pixel by BIC on the Poisson deviance: bi if D_mono - D_bi > 2 ln(photons) "
    "and no lifetime or amplitude of the bi-exponential answer is at a bound, else mono";

namespace {

// One Ceres fit from th (clamped into the bounds); mono: a = 1 and τ2 held constant.
FitResult fit_model(const Irf& irf, const float* counts, double total, double* th, bool mono) {
  const double tau_max = fit_tau_max(irf.period_ns);
  th[kTau1] = std::clamp(th[kTau1], kTauMin, tau_max);
  th[kTau2] = std::clamp(th[kTau2], kTauMin, tau_max);
  th[kAmp] = mono ? 1.0 : std::clamp(th[kAmp], 0.0, 1.0);
  ceres::Problem::Options po;
  ceres::Problem pb(po);
  pb.AddResidualBlock(new PixelCost(irf, counts), nullptr, th);
  if (mono) pb.SetManifold(th, new ceres::SubsetManifold(kNumParams, {kTau2, kAmp}));
  set_bounds(pb, th, total, tau_max, mono);
  ceres::Solver::Summary s;
  ceres::Solve(solver_options(100), &pb, &s);
  FitResult r = finish(th, s);
  if (mono) {
    r.components = 1;
    r.tau2 = r.tau_mean = r.tau_int = r.tau1 = th[kTau1];
    r.a = 1.0;
  }
  // At a bound: a lifetime within 0.1 % of τ_min or τ_max, or (bi) a component without amplitude.
  auto pinned = [&](double t) { return t <= kTauMin * 1.001 || t >= tau_max * 0.999; };
  r.at_bound = pinned(r.tau1) || (!mono && (pinned(r.tau2) || r.a <= 1e-4 || r.a >= 1 - 1e-4));
  return r;
}

}  // namespace

FitResult fit_pixel(const Irf& irf, const float* counts, const FitStart& start, FitModel model) {
  double total = 0;
  for (int k = 0; k < kBins; ++k) total += counts[k];
  const double B0 = std::min(initial_background(irf, counts), 0.5 * total / kBins + 1e-3);
  const double S0 = std::max(total - B0 * kBins, 1.0);
  FitResult bi, mono;
  auto fit_bi = [&](FitStart st) {
    // A start that is itself mono-exponential (τ1 ≈ τ2 or a at 0 or 1, e.g. from a mono summed
    // decay) gives the bi-exponential fit no gradient to split along: split it about its τm.
    if (!(st.tau2 > 1.2 * st.tau1 || st.tau1 > 1.2 * st.tau2) || !(st.a > 0.05 && st.a < 0.95)) {
      const double tm = std::max(tau_mean(st.tau1, st.tau2, st.a), 2 * kTauMin);
      st = FitStart{0.5 * tm, 2 * tm, 0.5};
    }
    double th[kNumParams] = {st.tau1, st.tau2, st.a, S0, B0};
    return fit_model(irf, counts, total, th, false);
  };
  if (model == FitModel::bi) return fit_bi(start);
  {
    double th[kNumParams] = {tau_int(start.tau1, start.tau2, start.a), 0, 1.0, S0, B0};
    th[kTau2] = th[kTau1];
    mono = fit_model(irf, counts, total, th, true);
    if (model == FitModel::mono) return mono;
  }
  bi = fit_bi(start);
  // Selection (kFitModelSelection): the bi-exponential answer only where the data ask for it.
  const bool bi_wins = bi.ok && !bi.at_bound &&
                       (!mono.ok || mono.deviance - bi.deviance > fit_selection_threshold(total));
  return bi_wins ? bi : mono;
}

double fit_selection_threshold(double photons) {
  return 2 * std::log(std::max(photons, 1.0));
}

std::vector<FitResult> fit_pixels(const Irf& irf, const float* counts, size_t n, const FitStart& start,
                                  double min_photons, int threads, std::atomic<size_t>* done) {
  std::vector<FitResult> out(n);
  // Small blocks handed out in turn, so that every thread gets a share of the bright and the dim
  // regions.
  parallel_blocks(n, threads, 16, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const float* c = counts + i * kBins;
      double tot = 0;
      for (int k = 0; k < kBins; ++k) tot += c[k];
      if (tot >= min_photons && tot > 0) out[i] = fit_pixel(irf, c, start);
    }
    if (done) done->fetch_add(e - b);
  });
  return out;
}

IrfEstimate estimate_irf(const std::vector<double>& summed, double period_ns) {
  if (summed.size() != size_t(kBins)) throw Error("estimate_irf: need " + std::to_string(kBins) + " bins");
  double total = 0;
  int kmax = 0;
  for (int k = 0; k < kBins; ++k) {
    total += summed[k];
    if (summed[k] > summed[kmax]) kmax = k;
  }
  if (!(total > 0)) throw Error("cannot estimate the IRF: the image holds no photons");
  double B0 = 0;
  const int nb = std::max(1, std::min(kmax - 3, 10));
  for (int k = 0; k < nb; ++k) B0 += summed[k];
  B0 = std::max(B0 / nb, 1e-3);
  IrfEstimate best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (const auto& st : {FitStart{0.3, 2.5, 0.5}, FitStart{0.8, 4.0, 0.7}, FitStart{0.1, 1.5, 0.3}}) {
    double th[kNumParams] = {st.tau1, st.tau2, st.a, std::max(total - B0 * kBins, 1.0), B0};
    double g[2] = {0.3, std::max(0.1, (kmax + 0.5) * kBinNs - 0.1)};
    ceres::Problem pb;
    pb.AddResidualBlock(new SumCost(summed, period_ns), nullptr, th, g);
    set_bounds(pb, th, total, fit_tau_max(period_ns));
    set_irf_bounds(pb, g);
    ceres::Solver::Summary s;
    ceres::Solve(solver_options(200), &pb, &s);
    if (s.IsSolutionUsable() && s.final_cost < best_cost) {
      best_cost = s.final_cost;
      best.irf = Irf::gaussian(g[0], g[1], period_ns);
      best.irf.source = "estimated: Gaussian fitted with a bi-exponential to the image's summed decay";
      best.fit = finish(th, s);
    }
  }
  if (!best.fit.ok) throw Error("cannot estimate the IRF: the fit to the summed decay failed");
  return best;
}

std::vector<double> summed_decay(const float* counts, size_t n) {
  std::vector<double> summed(kBins, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < kBins; ++k) summed[k] += counts[i * kBins + k];
  return summed;
}

std::optional<Irf> estimate_pixel_irf(const float* counts, double tau1, double tau2, double a, double period_ns) {
  double total = 0;
  int kmax = 0;
  for (int k = 0; k < kBins; ++k) {
    total += counts[k];
    if (counts[k] > counts[kmax]) kmax = k;
  }
  if (!(total > 0) || !(tau1 > 0) || !(tau2 > 0) || !(a >= 0 && a <= 1)) return std::nullopt;
  const double B0 = std::max(0.01 * total / kBins, kBgMin);
  double p[3] = {1.0, std::max(total - B0 * kBins, 1.0), B0};
  double g[2] = {0.3, std::max(0.1, (kmax + 0.5) * kBinNs - 0.1)};
  ceres::Problem pb;
  pb.AddResidualBlock(new StretchCost(counts, tau1, tau2, a, period_ns), nullptr, p, g);
  pb.SetParameterLowerBound(p, 0, 0.1);
  pb.SetParameterUpperBound(p, 0, 10.0);
  pb.SetParameterLowerBound(p, 1, 0.0);
  pb.SetParameterUpperBound(p, 1, 10 * total + 10);
  pb.SetParameterLowerBound(p, 2, kBgMin);
  pb.SetParameterUpperBound(p, 2, total + 1);
  set_irf_bounds(pb, g);
  ceres::Solver::Summary sm;
  ceres::Solve(solver_options(100), &pb, &sm);
  if (!sm.IsSolutionUsable()) return std::nullopt;
  Irf irf = Irf::gaussian(g[0], g[1], period_ns);
  irf.source = "fitted to the pixel with the network's decay shape";
  return irf;
}

}  // namespace flimgru
