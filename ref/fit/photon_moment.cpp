// photon_moment: the intensity-weighted lifetime from the photons' first moment (header).
#include "photon_moment.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "tpsf.hpp"

namespace flimgru {

PhotonSums photon_sums(const double* h, int pre_bins) {
  PhotonSums s;
  s.pre_bins = pre_bins;
  for (int k = 0; k < kBins; ++k) {
    s.s0 += h[k];
    s.s1 += double(k) * h[k];
    s.s2 += double(k) * k * h[k];
    if (k < pre_bins) s.pre += h[k];
  }
  return s;
}

PhotonSums photon_sums(const float* counts, int pre_bins) {
  std::array<double, kBins> h;
  std::copy_n(counts, kBins, h.begin());
  return photon_sums(h.data(), pre_bins);
}

PhotonSums photon_sums_from_running(uint64_t a, uint64_t b, uint64_t c, uint64_t p, int pre_bins) {
  constexpr int64_t K = kBins - 1;  // 134
  PhotonSums s;
  s.pre_bins = pre_bins;
  s.s0 = double(a);
  s.s1 = double(K * int64_t(a) - int64_t(b));
  s.s2 = double(K * K * int64_t(a) - (2 * K - 1) * int64_t(b) + 2 * int64_t(c));
  s.pre = double(p);
  return s;
}

double photon_centroid(const PhotonSums& s, double* var) {
  const double bg = s.pre_bins > 0 ? s.pre / s.pre_bins : 0.0;
  const double m = s.s0 - kBins * bg;
  if (!(m > 0)) return NAN;
  // Σ t_k h_k with t_k = (k + ½)·dt, and Σ_k t_k = dt·kBins²/2
  const double mt = kBinNs * ((s.s1 + 0.5 * s.s0) - bg * 0.5 * kBins * kBins);
  const double c = mt / m;
  if (var) {
    // Σ (t_k − c)² h_k = dt²(Σk²h + Σkh + Σh/4) − 2c·dt(Σkh + Σh/2) + c²Σh
    const double v = kBinNs * kBinNs * (s.s2 + s.s1 + 0.25 * s.s0) - 2 * c * kBinNs * (s.s1 + 0.5 * s.s0) +
                     c * c * s.s0;
    *var = std::max(v, 0.0) / (m * m);
  }
  return c;
}

namespace {

// centroid(p) of the components stretched in time by s (τ1·s, τ2·s, a).
double stretched_centroid(const Irf& irf, const Lifetimes& c, double s) {
  std::array<double, kBins> p;
  const double theta[kNumParams] = {std::max(c.tau1_ns * s, kFitTauMinNs), std::max(c.tau2_ns * s, kFitTauMinNs),
                                    std::clamp(c.a, 0.0, 1.0), 1.0, 0.0};
  model_counts(irf, theta, p.data(), nullptr);
  return photon_centroid(photon_sums(p.data(), irf.pre_rise_bins()));
}

}  // namespace

double stretch_to_centroid(const Irf& irf, const Lifetimes& c, double target) {
  // g(s) = centroid(s) − target rises with s; bracket the root in [lo, hi], then bisect with
  // secant steps (regula falsi, Illinois) to 1e-7 ns.
  const double s_max = kTauMaxNs / std::max({c.tau1_ns, c.tau2_ns, kFitTauMinNs});
  double lo = kFitTauMinNs / std::max({c.tau1_ns, c.tau2_ns, kFitTauMinNs}), hi = s_max;
  double glo = stretched_centroid(irf, c, lo) - target, ghi = stretched_centroid(irf, c, hi) - target;
  if (!std::isfinite(glo) || !std::isfinite(ghi)) return NAN;
  if (glo >= 0) return lo;
  if (ghi <= 0) return hi;
  int side = 0;
  double s = 1;
  for (int it = 0; it < 60; ++it) {
    s = (lo * ghi - hi * glo) / (ghi - glo);
    const double g = stretched_centroid(irf, c, s) - target;
    if (!std::isfinite(g)) return NAN;
    if (std::fabs(g) < 1e-7) break;
    if (g < 0) {
      lo = s, glo = g;
      if (side == -1) ghi /= 2;
      side = -1;
    } else {
      hi = s, ghi = g;
      if (side == 1) glo /= 2;
      side = 1;
    }
  }
  return s;
}

Lifetimes with_photon_tau_int(const Irf& irf, const PhotonSums& sums, const Lifetimes& net) {
  if (!std::isfinite(net.tau_int_ns) || !std::isfinite(net.tau1_ns) || !std::isfinite(net.tau2_ns) ||
      !std::isfinite(net.a))
    return net;
  double var = 0;
  const double data = photon_centroid(sums, &var);
  if (!std::isfinite(data)) return net;
  const double s = stretch_to_centroid(irf, net, data);
  if (!std::isfinite(s)) return net;
  // The correction extrapolates the stretched components past the window: where more than
  // kMaxOutsideWindow of their photons would lie there it is a guess, and the network's τI stays.
  const double t1 = net.tau1_ns * s, t2 = net.tau2_ns * s, a = std::clamp(net.a, 0.0, 1.0);
  const double after = kBins * kBinNs - irf.centroid_ns();
  const double in1 = a * t1, in2 = (1 - a) * t2;
  const double outside = (in1 * std::exp(-after / std::max(t1, 1e-9)) + in2 * std::exp(-after / std::max(t2, 1e-9))) /
                         std::max(in1 + in2, 1e-300);
  if (!(outside <= kMaxOutsideWindow)) return net;
  const double photons = s * tau_int(net.tau1_ns, net.tau2_ns, net.a);
  const double s2 = kNetworkTauIntFloorNs * kNetworkTauIntFloorNs;
  const double w = s2 / (s2 + var);
  Lifetimes out = net;
  out.tau_int_ns = std::clamp(net.tau_int_ns + w * (photons - net.tau_int_ns), 0.0, kTauMaxNs);
  return out;
}

Lifetimes with_photon_tau_int(const Irf& irf, const float* counts, const Lifetimes& net) {
  return with_photon_tau_int(irf, photon_sums(counts, irf.pre_rise_bins()), net);
}

Lifetimes with_photon_tau_int_own_irf(const float* counts, const Lifetimes& net, double period_ns) {
  if (!std::isfinite(net.tau_int_ns)) return net;
  const std::optional<Irf> irf = estimate_pixel_irf(counts, net.tau1_ns, net.tau2_ns, net.a, period_ns);
  return irf ? with_photon_tau_int(*irf, counts, net) : net;
}

double com_lifetime(const Irf& irf, const float* counts) {
  return photon_centroid(photon_sums(counts, irf.pre_rise_bins())) - irf.centroid_ns();
}

}  // namespace flimgru
