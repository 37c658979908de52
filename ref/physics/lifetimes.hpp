// lifetimes: tau1, tau2, a, the mean lifetimes from a 3-channel SFD, and the rule that makes them
// finite; the photon threshold below which a pixel has no lifetimes; the lifetime CSV columns.
//
// tau_i = (area of channel i) / (channel i at its first bin), made exact for a sampled,
// truncated exponential: with R = sum_k c_i[k] / c_i[0] over the 135 bins, the q in (0,1)
// with (1 - q^135) / (1 - q) = R gives tau_i = -dt / ln q (for small dt it is area/first bin).
// a = amp1 / (amp1 + amp2) with amp_i = c_i[0]; tau_mean = a*tau1 + (1-a)*tau2 (amplitude-
// weighted). tau_int, the intensity-weighted mean (a*tau1^2 + (1-a)*tau2^2) / tau_mean, is taken
// from the whole decay's first moment (below), not from the components: measured on held-out
// sets it is the better estimate (docs/numerics.md §7a).
//
// Range: every lifetime is in [0, kTauMaxNs] = [0, 30 ns]. tau_from_ratio returns kTauMaxNs for
// R >= R(30 ns) ~ 111 (q -> 1: for R >= 135 the channel does not decay at all, tau would be
// infinite). 30 ns is 10x the longest lifetime the shipped models are trained on (3 ns), well
// above common fluorophores (< 10 ns), and 2.5 windows (135 x 90 ps = 12.15 ns): such a decay
// falls by less than a third (e^(-12.15/30) = 0.67) inside the window, so longer ones are mostly
// a flat offset there, not a decay the window resolves.
//
// The rule (lifetimes_from_sums applies it; so the software backends' SFD path and the hardware
// summary path, lifetimes_from_summary of the board and the RTL, give identical results):
//   tau_c = tau_from_ratio(sum_c / first_c) if first_c > 0, else kTauMaxNs (no decay to measure),
//   for each channel c (0 whole decay, 1 and 2 the components).
//   A component c in {1, 2} is resolved if first_c > 0 (it has an amplitude) and
//   tau_c < kTauMaxNs (it decays inside the window: this excludes every R >= 135).
//   Both resolved: the bi-exponential answer, its components ordered so that tau1 <= tau2 (a is
//   the amplitude fraction of the shorter one); tau_int = the whole decay's first-moment lifetime
//   (tau_from_mean_step of step_moment0 / sum0; kTauMaxNs if sum0 <= 0) clamped to
//   [tau_mean, tau2], where tau_int always lies.
//   Otherwise (a component without amplitude, a flat one, an all-zero SFD): the mono-exponential
//   answer of the whole decay, tau1 = tau2 = tau_mean = tau_int = tau_0, a = 1.
// So finite sums and first bins always give finite 0 <= tau1 <= tau_mean, tau_int <= tau2 <=
// kTauMaxNs and a in [0, 1]. NaN is left for pixels below the photon threshold (has_lifetimes).
//
// The whole decay's first moment (issue 17, part 2): for d(t) = sum_i a_i exp(-t/tau_i) the
// first moment int t d / int d is tau_int, whatever the split into components. Over the sampled,
// truncated window it is made exact for a mono-exponential: with m = sum_k k y0[k] / sum_k y0[k]
// (in steps), the q in (0,1) with
//   mean_step(q) = q / (1 - q) - N q^N / (1 - q^N)        (N = kBins = 135)
// gives tau = -dt / ln q (tau_from_mean_step; mean_step rises from 0 at q = 0 to (N-1)/2 at
// q = 1, so m >= mean_step(tau = kTauMaxNs) gives kTauMaxNs and m <= 0 gives 0). For a mixture
// this inversion is not exact: the sampling and the truncation are corrected as for one decay of
// the mixture's own first moment, so the estimate falls short of tau_int where the components
// differ most (the longer one loses more of its first moment to the truncation, and the sampling
// term depends on the spread of the lifetimes). Measured on the noiseless SFDs of test20k
// (simulate -n 20000 --seed 777), as RMS error / bias in units of the known-IRF bound's sigma:
// 0.17 / -0.09 (< 1k photons), 0.30 / -0.17 (1k-5k), 0.76 / -0.41 (>= 5k); tests bound the error
// on noiseless decays (test_lifetimes). whole_decay_tau_int applies it to an SFD.
// Measured against the component rule on the network's SFDs (docs/numerics.md, "Mean lifetimes"):
// the first moment is the better tau_int (int8 1k-5k photons 1.17x against 1.88x the bound), so
// the rule uses it; tau_mean from the components and from area/first of the whole decay are within
// 0.01x, and it stays with the components. The hardware summary carries what the first moment
// needs (cum, docs/protocol.md), so the board gives the same bytes as the software backends.
#pragma once
#include <array>
#include <limits>
#include <ostream>

namespace flimgru {

constexpr double kTauMaxNs = 30.0;  // every lifetime is in [0, kTauMaxNs] (see above)

// The photon threshold of `flimgru infer` and `flimgru image` (--min-photons): a pixel with fewer
// photons (or none) has no lifetimes, all NaN; kDefaultMinPhotons is the default of both.
constexpr double kDefaultMinPhotons = 100;
inline bool has_lifetimes(double photons, double min_photons) { return photons >= min_photons && photons > 0; }

struct Lifetimes {
  double tau1_ns, tau2_ns, a, tau_mean_ns, tau_int_ns;
};
// A pixel below the photon threshold: every lifetime NaN.
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Lifetimes kNoLifetimes{kNaN, kNaN, kNaN, kNaN, kNaN};

double tau_mean(double tau1, double tau2, double a);  // a·τ1 + (1−a)·τ2
double tau_int(double tau1, double tau2, double a);   // (aτ1² + (1−a)τ2²) / (aτ1 + (1−a)τ2); 0 if that is 0

// From the per-channel sums and first-bin values (what the hardware summary carries).
double tau_from_ratio(double sum_over_first);  // in [0, kTauMaxNs]; NaN only for a NaN ratio
// The sampled, truncated mono-exponential exp(-k dt / tau), k = 0 .. kBins-1: its area (in bins,
// first bin 1), its step moment sum_k k q^k and its mean step (the ratio of the two), closed forms
// in q = exp(-dt/tau); tau <= 0 is all of it in the first bin.
double window_area(double tau);
double window_step_moment(double tau);
double mean_step(double tau);
// The inverse of mean_step: the tau whose sampled, truncated decay has mean step m, in
// [0, kTauMaxNs]; NaN only for a NaN m.
double tau_from_mean_step(double m);
// tau_int of an SFD y [kBins][3] from its whole-decay channel alone: tau_from_mean_step of its
// mean step; kTauMaxNs when the channel's sum is not positive (nothing that decays).
double whole_decay_tau_int(const float* y);
// sums, firsts: per channel; step_moment0 = sum_k k * y0[k], in the units of the sums.
Lifetimes lifetimes_from_sums(const std::array<double, 3>& sums, const std::array<double, 3>& firsts,
                              double step_moment0);
// tau_int by the component rule (tau_int of tau1, tau2, a, clamped to [tau1, tau2]): the rule
// before the first moment, kept for comparison (eval --tau-int components).
double component_tau_int(const Lifetimes& l);
// From an SFD y [kBins][3] (row-major).
Lifetimes lifetimes_from_sfd(const float* y);

// The lifetime columns of the CSV outputs (infer's CSV, image's pixels.csv), in this order, as
// "%.6f" ("nan" for NaN), comma-separated, without a trailing separator: the same values give
// the same bytes whichever backend computed them.
constexpr const char* kLifetimeCsvColumns = "tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns";
void write_lifetime_csv_fields(std::ostream& out, const Lifetimes& l);

}  // namespace flimgru
