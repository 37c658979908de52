// photon_moment: the intensity-weighted lifetime τI from the photons' own first moment.
//
// For a decay d(t) = Σ aᵢ e^(−t/τᵢ) convolved with an IRF, the mean arrival time is the IRF's
// centroid plus ∫t·d / ∫d = τI, whatever the split into components: the photons measure τI
// directly, with the shot noise of a mean (σ² ≈ Var(t)/N), where a network's τI has an error
// floor that photons do not lower (docs/training.md, "What holds τI at 2–4× the bound"). What the
// moment cannot see is what lies outside the window; a model's components can, so:
//
//   centroid(h) = Σ t_k (h_k − B(h)) / Σ (h_k − B(h)),  t_k = (k + ½)·90 ps the bin centres,
//   B(h) = the mean of h over the IRF's pre-rise bins (Irf::pre_rise_bins: the whole bins before
//          the IRF reaches 0.1 % of its mass; 0 when there are none), the constant background;
//   p = the components' expected histogram (model_counts: exact convolution with the IRF, the
//       laser period's earlier pulses included when the IRF has one, no background);
//   s: centroid(p(s·τ1, s·τ2, a)) = centroid(counts) (the components stretched in time),
//   τI = τI_net + w · (s·τI(τ1, τ2, a) − τI_net)      (τI_net the network's own τI),
//   w = σ_net² / (σ_net² + σ_c²),  σ_c² = Σ (t_k − centroid)² c_k / (Σ (c_k − B))²,
//   σ_net = kNetworkTauIntFloorNs; τI_net stays where more than kMaxOutsideWindow of the
//   stretched components' photons would come after the window (an extrapolation, not a correction).
// The same linear rule applied to the data and to the model: the IRF's centroid, the sampling
// and the background cancel, and the components enter only through the shape of what the window
// cuts off (exact with the right components; with components 0.2–0.3 ns off the error falls 4–10×).
// w weighs the photons' estimate against the network's by their variances: at a few hundred
// photons the network's prior counts, at thousands the photons do. The result is clamped to
// [0, kTauMaxNs] and is an estimate of its own: it may lie outside the components' [τm, τ2]
// where they are off (clamping it there cost 1.5× the error at ≥ 5,000 photons on test20k).
//
// Measured (docs/numerics.md §7b, make results): the default int8 network with each sample's IRF,
// test20k, RMS error ÷ the known-IRF bound at < 1k / 1k–5k / ≥ 5k photons 0.79× / 1.17× / 2.56× →
// about 0.6× / 0.7× / 0.9×.
//
// The centre of mass (com_lifetime) is the same centroid minus the IRF's, without the window
// correction: biased low when the decay is not over inside the window.
#pragma once
#include <cstdint>

#include "fit.hpp"
#include "lifetimes.hpp"

namespace flimgru {

// The network's own τI error at high photon counts (ns): the MAE of the default's τI at 5,000 to
// 50,000 photons is 0.11–0.13 ns (docs/training.md), 0.1 ns rounds it down.
constexpr double kNetworkTauIntFloorNs = 0.1;
// The rule in words, for the reports (summary.json, infer --json, eval).
constexpr const char* kPhotonTauIntRule =
    "the photons' first moment with the IRF, window-corrected by the components (docs/numerics.md 7b)";

// The largest fraction of the stretched components' photons that may lie after the window (from
// the IRF's centroid on) for their correction to be used; past it the network's τI stays.
constexpr double kMaxOutsideWindow = 0.2;

// What the rule needs of a histogram h: its sums Σh, Σk·h, Σk²·h (k = 0 … 134) and the sum over
// its first pre_bins bins (the IRF's pre-rise bins). From the counts on the host, or from the
// running sums the chip forms (rtl/frontend/frontend_core.v: a = Σ c_k, b = Σ_{i<134} A_i,
// c = Σ_{i<134} B_i with A_i, B_i their values after bin i, p the pre-rise sum), exactly:
// Σk·c = 134a − b, Σk²·c = 17956a − 267b + 2c.
struct PhotonSums {
  double s0 = 0, s1 = 0, s2 = 0, pre = 0;
  int pre_bins = 0;
};
PhotonSums photon_sums(const double* h, int pre_bins);
PhotonSums photon_sums(const float* counts, int pre_bins);
PhotonSums photon_sums_from_running(uint64_t a, uint64_t b, uint64_t c, uint64_t p, int pre_bins);

// centroid(h) above (ns after the window start) with B(h) = pre / pre_bins and, if var is given,
// σ_c²; NaN when Σ (h_k − B(h)) is not positive.
double photon_centroid(const PhotonSums& s, double* var = nullptr);

// The factor s by which the components c stretched in time (τ1·s, τ2·s, a) have their expected
// histogram's centroid at `target` (ns), s·max(τ1, τ2) in [kFitTauMinNs, kTauMaxNs]; NaN if the
// centroids are not defined.
double stretch_to_centroid(const Irf& irf, const Lifetimes& c, double target);

// `net` with its τI replaced by the rule above, from the pixel's sums (pre_bins must be the IRF's
// pre-rise bins) or counts [kBins] and its IRF. Pixels without lifetimes (NaN τI) and histograms
// with nothing above the background keep `net`.
Lifetimes with_photon_tau_int(const Irf& irf, const PhotonSums& sums, const Lifetimes& net);
Lifetimes with_photon_tau_int(const Irf& irf, const float* counts, const Lifetimes& net);

// Without any IRF: the pixel's own Gaussian IRF fitted with the network's decay shape
// (estimate_pixel_irf), then the rule above; `net` unchanged where that fit fails.
Lifetimes with_photon_tau_int_own_irf(const float* counts, const Lifetimes& net, double period_ns = 0);

// The centre of mass: centroid(counts) − the IRF's centroid (NaN when not defined).
double com_lifetime(const Irf& irf, const float* counts);

}  // namespace flimgru
