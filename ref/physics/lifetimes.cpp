// lifetimes: see lifetimes.hpp.
#include "lifetimes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tpsf.hpp"

namespace flimgru {

double tau_mean(double tau1, double tau2, double a) { return a * tau1 + (1 - a) * tau2; }
double tau_int(double tau1, double tau2, double a) {
  const double m = a * tau1 + (1 - a) * tau2;
  return m != 0 ? (a * tau1 * tau1 + (1 - a) * tau2 * tau2) / m : 0.0;
}

double tau_from_ratio(double R) {
  if (std::isnan(R)) return R;
  if (R <= 1.0) return 0.0;                  // all area in the first bin: tau -> 0
  if (R >= kBins) return kTauMaxNs;          // no decay inside the window (tau would be infinite)
  // sum_{k<N} q^k is increasing in q on (0,1): bisection to double precision.
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double q = 0.5 * (lo + hi);
    const double s = (1.0 - std::pow(q, kBins)) / (1.0 - q);
    (s < R ? lo : hi) = q;
  }
  const double q = 0.5 * (lo + hi);
  return std::min(-kBinNs / std::log(q), kTauMaxNs);
}


double window_area(double tau) {
  if (!(tau > 0)) return 1.0;  // all of it in the first bin
  const double q = std::exp(-kBinNs / tau);
  return (1.0 - std::pow(q, kBins)) / (1.0 - q);
}

double window_step_moment(double tau) {
  if (!(tau > 0)) return 0.0;
  const double q = std::exp(-kBinNs / tau), qn = std::pow(q, kBins);
  // sum_{k<N} k q^k = q (1 - N q^(N-1) + (N-1) q^N) / (1-q)^2
  return (q - kBins * qn + (kBins - 1) * qn * q) / ((1.0 - q) * (1.0 - q));
}

namespace {
// mean_step as a function of q = exp(-dt/tau), q in (0, 1).
double mean_step_of_q(double q) {
  const double qn = std::pow(q, kBins);
  return q / (1.0 - q) - kBins * qn / (1.0 - qn);
}
}  // namespace

double mean_step(double tau) { return tau > 0 ? mean_step_of_q(std::exp(-kBinNs / tau)) : 0.0; }

double tau_from_mean_step(double m) {
  if (std::isnan(m)) return m;
  if (m <= 0.0) return 0.0;                            // all of it at step 0: tau -> 0
  const double q_max = std::exp(-kBinNs / kTauMaxNs);  // mean_step_of_q is increasing in q
  if (m >= mean_step_of_q(q_max)) return kTauMaxNs;    // includes m >= (N-1)/2, a flat decay
  double lo = 0.0, hi = q_max;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double q = 0.5 * (lo + hi);
    (mean_step_of_q(q) < m ? lo : hi) = q;
  }
  return std::min(-kBinNs / std::log(0.5 * (lo + hi)), kTauMaxNs);
}

double whole_decay_tau_int(const float* y) {
  double sum = 0, step_moment = 0;
  for (int k = 0; k < kBins; ++k) {
    sum += y[k * kChannels];
    step_moment += k * double(y[k * kChannels]);
  }
  return sum > 0 ? tau_from_mean_step(step_moment / sum) : kTauMaxNs;
}

Lifetimes lifetimes_from_sums(const std::array<double, 3>& sums, const std::array<double, 3>& firsts,
                              double step_moment0) {
  std::array<double, 3> tau{};
  for (int c = 0; c < 3; ++c) tau[c] = firsts[c] > 0 ? tau_from_ratio(sums[c] / firsts[c]) : kTauMaxNs;
  auto resolved = [&](int c) { return firsts[c] > 0 && tau[c] < kTauMaxNs; };
  if (!resolved(1) || !resolved(2)) return Lifetimes{tau[0], tau[0], 1.0, tau[0], tau[0]};
  const int s = tau[1] <= tau[2] ? 1 : 2, l = 3 - s;  // the shorter and the longer component
  Lifetimes r{};
  r.tau1_ns = tau[s];
  r.tau2_ns = tau[l];
  r.a = firsts[s] / (firsts[s] + firsts[l]);
  // Both lie in [tau1, tau2]; the clamp only removes rounding.
  r.tau_mean_ns = std::clamp(tau_mean(r.tau1_ns, r.tau2_ns, r.a), r.tau1_ns, r.tau2_ns);
  const double moment_tau = sums[0] > 0 ? tau_from_mean_step(step_moment0 / sums[0]) : kTauMaxNs;
  r.tau_int_ns = std::clamp(moment_tau, r.tau_mean_ns, r.tau2_ns);
  return r;
}

double component_tau_int(const Lifetimes& l) {
  return std::clamp(tau_int(l.tau1_ns, l.tau2_ns, l.a), l.tau1_ns, l.tau2_ns);
}

Lifetimes lifetimes_from_sfd(const float* y) {
  std::array<double, 3> sums{}, firsts{};
  double step_moment0 = 0;
  for (int c = 0; c < kChannels; ++c) firsts[c] = y[c];
  for (int k = 0; k < kBins; ++k) {
    for (int c = 0; c < kChannels; ++c) sums[c] += y[k * kChannels + c];
    step_moment0 += k * double(y[k * kChannels]);
  }
  return lifetimes_from_sums(sums, firsts, step_moment0);
}

void write_lifetime_csv_fields(std::ostream& out, const Lifetimes& l) {
  const double v[5] = {l.tau1_ns, l.tau2_ns, l.a, l.tau_mean_ns, l.tau_int_ns};
  char buf[64];
  for (int i = 0; i < 5; ++i) {
    if (std::isnan(v[i])) out << (i ? ",nan" : "nan");
    else out.write(buf, std::snprintf(buf, sizeof buf, i ? ",%.6f" : "%.6f", v[i]));
  }
}

}  // namespace flimgru
