// lifetimes: see lifetimes.hpp.
#include "lifetimes.hpp"

#include <cmath>
#include <limits>

#include "tpsf.hpp"

namespace flimgru {

double tau_mean(double tau1, double tau2, double a) { return a * tau1 + (1 - a) * tau2; }
double tau_int(double tau1, double tau2, double a) {
  return (a * tau1 * tau1 + (1 - a) * tau2 * tau2) / (a * tau1 + (1 - a) * tau2);
}

double tau_from_ratio(double R) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(R)) return nan;
  if (R <= 1.0) return 0.0;            // all area in the first bin: tau -> 0
  if (R >= kBins) return std::numeric_limits<double>::infinity();
  // sum_{k<N} q^k is increasing in q on (0,1): bisection to double precision.
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double q = 0.5 * (lo + hi);
    const double s = (1.0 - std::pow(q, kBins)) / (1.0 - q);
    (s < R ? lo : hi) = q;
  }
  const double q = 0.5 * (lo + hi);
  return -kBinNs / std::log(q);
}

Lifetimes lifetimes_from_sums(const std::array<double, 3>& sums, const std::array<double, 3>& firsts) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Lifetimes l{};
  l.tau1_ns = firsts[1] > 0 ? tau_from_ratio(sums[1] / firsts[1]) : nan;
  l.tau2_ns = firsts[2] > 0 ? tau_from_ratio(sums[2] / firsts[2]) : nan;
  const double a1 = std::max(firsts[1], 0.0), a2 = std::max(firsts[2], 0.0);
  l.a = a1 + a2 > 0 ? a1 / (a1 + a2) : nan;
  if (l.a == 1.0) l.tau_mean_ns = l.tau_int_ns = l.tau1_ns;
  else if (l.a == 0.0) l.tau_mean_ns = l.tau_int_ns = l.tau2_ns;
  else l.tau_mean_ns = tau_mean(l.tau1_ns, l.tau2_ns, l.a), l.tau_int_ns = tau_int(l.tau1_ns, l.tau2_ns, l.a);
  return l;
}

Lifetimes lifetimes_from_sfd(const float* y) {
  std::array<double, 3> sums{}, firsts{};
  for (int c = 0; c < kChannels; ++c) firsts[c] = y[c];
  for (int k = 0; k < kBins; ++k)
    for (int c = 0; c < kChannels; ++c) sums[c] += y[k * kChannels + c];
  return lifetimes_from_sums(sums, firsts);
}

}  // namespace flimgru
