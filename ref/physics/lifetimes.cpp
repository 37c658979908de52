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

Lifetimes lifetimes_from_sums(const std::array<double, 3>& sums, const std::array<double, 3>& firsts) {
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
  r.tau_int_ns = std::clamp(tau_int(r.tau1_ns, r.tau2_ns, r.a), r.tau1_ns, r.tau2_ns);
  return r;
}

Lifetimes lifetimes_from_sfd(const float* y) {
  std::array<double, 3> sums{}, firsts{};
  for (int c = 0; c < kChannels; ++c) firsts[c] = y[c];
  for (int k = 0; k < kBins; ++k)
    for (int c = 0; c < kChannels; ++c) sums[c] += y[k * kChannels + c];
  return lifetimes_from_sums(sums, firsts);
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
