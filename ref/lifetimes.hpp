// lifetimes: tau1, tau2, a and the mean lifetime from a 3-channel SFD.
//
// tau_i = (area of channel i) / (channel i at its first bin), made exact for a sampled,
// truncated exponential: with R = sum_k c_i[k] / c_i[0] over the 135 bins, the q in (0,1)
// with (1 - q^135) / (1 - q) = R gives tau_i = -dt / ln q (for small dt it is area/first bin).
// a = amp1 / (amp1 + amp2) with amp_i = c_i[0]; tau_mean = a*tau1 + (1-a)*tau2 (amplitude-
// weighted), tau_int = (a*tau1^2 + (1-a)*tau2^2) / tau_mean (intensity-weighted); with a = 1 or 0
// both are the one lifetime present.
// Undefined quantities (a channel whose first bin is not positive) are NaN.
#pragma once
#include <array>

namespace flimgru {

struct Lifetimes {
  double tau1_ns, tau2_ns, a, tau_mean_ns, tau_int_ns;
};

double tau_mean(double tau1, double tau2, double a);  // a·τ1 + (1−a)·τ2
double tau_int(double tau1, double tau2, double a);   // (aτ1² + (1−a)τ2²) / (aτ1 + (1−a)τ2)

// From the per-channel sums and first-bin values (what the hardware summary carries).
double tau_from_ratio(double sum_over_first);
Lifetimes lifetimes_from_sums(const std::array<double, 3>& sums, const std::array<double, 3>& firsts);
// From an SFD y [kBins][3] (row-major).
Lifetimes lifetimes_from_sfd(const float* y);

}  // namespace flimgru
