// photon_moment: the intensity-weighted lifetime from the photons' first moment (header).
#include "photon_moment.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "tpsf.hpp"

namespace flimgru {

double photon_centroid(const Irf& irf, const double* h, double* var) {
  const int nb = irf.pre_rise_bins();
  double b = 0;
  for (int k = 0; k < nb; ++k) b += h[k];
  if (nb > 0) b /= nb;
  double m = 0, mt = 0;
  for (int k = 0; k < kBins; ++k) {
    m += h[k] - b;
    mt += (h[k] - b) * (k + 0.5) * kBinNs;
  }
  if (!(m > 0)) return NAN;
  const double c = mt / m;
  if (var) {
    double v = 0;
    for (int k = 0; k < kBins; ++k) {
      const double d = (k + 0.5) * kBinNs - c;
      v += d * d * std::max(h[k], 0.0);
    }
    *var = v / (m * m);
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
  return photon_centroid(irf, p.data());
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

Lifetimes with_photon_tau_int(const Irf& irf, const float* counts, const Lifetimes& net) {
  if (!std::isfinite(net.tau_int_ns) || !std::isfinite(net.tau1_ns) || !std::isfinite(net.tau2_ns) ||
      !std::isfinite(net.a))
    return net;
  std::array<double, kBins> c;
  std::copy_n(counts, kBins, c.begin());
  double var = 0;
  const double data = photon_centroid(irf, c.data(), &var);
  if (!std::isfinite(data)) return net;
  const double s = stretch_to_centroid(irf, net, data);
  if (!std::isfinite(s)) return net;
  const double ti = tau_int(net.tau1_ns, net.tau2_ns, net.a);
  const double s2 = kNetworkTauIntFloorNs * kNetworkTauIntFloorNs;
  const double w = s2 / (s2 + var);
  Lifetimes out = net;
  out.tau_int_ns = std::clamp(ti + w * (s * ti - ti), 0.0, kTauMaxNs);
  return out;
}

double com_lifetime(const Irf& irf, const float* counts) {
  std::array<double, kBins> c;
  std::copy_n(counts, kBins, c.begin());
  return photon_centroid(irf, c.data()) - irf.centroid_ns();
}

}  // namespace flimgru
