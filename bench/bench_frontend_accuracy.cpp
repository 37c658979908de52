// bench_frontend_accuracy: does the photon front end's integer path cost lifetime accuracy
// against the host's float path, on photons whose truth is known?
//   bench_frontend_accuracy [N] [SEED]      (N decays, default 6000; prints a table)
// Each decay (the simulator's training distribution: τ1, τ2 in 0.05–3 ns, a in 0–1, background
// 0–5 %, Gaussian IRF FWHM 0.15–0.6 ns at 0.5–2 ns, photons log-uniform 200–50,000) is drawn as
// single photons with continuous arrival times, which an instrument like the hazelnut PicoHarp
// (96.4 ps units, 12.82 ns period) turns into micro-times. Then
//   host: micro-time histogram → resample_to_grid (fractional shares) → numerics §8 float form
//   front end: map_micro with the LFSR dither → integer counts → §8 integer form (the chip's path)
// and the default int8 model on both; RMS error and bias of τ_mean and τ_int against the truth per
// photon band, and the RMS difference between the two paths; and τ_int from the photons
// (docs/numerics.md §7b) with the chip's photon moments (chip_moments of its counts, as
// frontend_core sums them) and the decay's own IRF: the chip path with the IRF known.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "backend.hpp"
#include "frontend.hpp"
#include "frontend_core.hpp"
#include "int_model.hpp"
#include "lifetimes.hpp"
#include "photon_moment.hpp"
#include "preprocess.hpp"
#include "ptu.hpp"
#include "quantizer.hpp"
#include "simulator.hpp"

using namespace flimgru;

namespace {

struct Stat {
  double n = 0, se = 0, bias = 0;
  void add(double e) {
    n += 1;
    se += e * e;
    bias += e;
  }
  double rms() const { return n ? std::sqrt(se / n) : NAN; }
  double mean() const { return n ? bias / n : NAN; }
};

Lifetimes run(const QuantModel& m, const int32_t* xq) {
  int32_t y[kBins * kChannels];
  run_int_model(m, xq, y);
  float yf[kBins * kChannels];
  for (int k = 0; k < kBins * kChannels; ++k) yf[k] = dequantize_output(y[k]);
  return lifetimes_from_sfd(yf);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 6000;
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4711;
  const QuantModel m = load_quant_model("", "int8");
  const double period = 12.8172, unit = period / 133;  // the hazelnut PicoHarp
  const int units = 133;
  const GridMapping grid = make_grid_mapping("bench", unit, period, units, 0.0);
  FrontendConfig fc;
  fc.micro_mul = uint32_t(std::llround(std::ldexp(unit / kBinNs, kMicroMulFrac)));
  const SimConfig cfg;
  const char* band_name[3] = {"200-1k", "1k-5k", ">=5k"};
  Stat host[3][2], fe[3][2], diff[3][2], photons_fe[3];
  uint16_t lfsr = kDitherSeed;
  for (size_t i = 0; i < n; ++i) {
    Rng rng(splitmix64(seed, i));
    const double t1 = rng.uniform(cfg.tau1.lo, cfg.tau1.hi), t2x = rng.uniform(cfg.tau2.lo, cfg.tau2.hi);
    const double tau1 = std::min(t1, t2x), tau2 = std::max(t1, t2x);
    const double a = rng.uniform(cfg.amplitude.lo, cfg.amplitude.hi);
    const double b = rng.uniform(cfg.background.lo, cfg.background.hi);
    const double fwhm = rng.uniform(cfg.irf_fwhm.lo, cfg.irf_fwhm.hi), peak = rng.uniform(cfg.irf_peak.lo, cfg.irf_peak.hi);
    const double photons = std::exp(rng.uniform(std::log(cfg.photons.lo), std::log(cfg.photons.hi)));
    const double w1 = a * tau1 / (a * tau1 + (1 - a) * tau2);  // photon share of component 1
    const double sigma = fwhm / 2.35482;
    std::vector<uint32_t> src(units + 1, 0);
    std::array<uint32_t, kBins> counts{};
    const uint32_t total = rng.poisson(photons);
    for (uint32_t p = 0; p < total; ++p) {
      double t;
      if (rng.uniform() < b) {
        t = rng.uniform(0, kBins * kBinNs);
      } else {
        const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
        const double g = peak + sigma * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
        const double tau = rng.uniform() < w1 ? tau1 : tau2;
        t = g - tau * std::log(1 - rng.uniform());
      }
      if (t < 0 || t >= period) continue;
      const int mu = int(t / unit);
      ++src[size_t(mu)];
      lfsr = dither_next(lfsr);
      const int bin = map_micro(uint16_t(mu), uint8_t(lfsr), fc);
      if (bin >= 0) ++counts[size_t(bin)];
    }
    uint32_t in_window = 0;
    for (uint32_t c : counts) in_window += c;
    if (in_window < 200) continue;
    const int band = in_window < 1000 ? 0 : in_window < 5000 ? 1 : 2;
    // host path
    std::array<float, kBins> hc{};
    resample_to_grid(grid, src.data(), hc.data());
    const auto x = preprocess_tpsf(hc.data());
    int32_t xq[kBins];
    quantize_input(m.fmt, x.data(), xq);
    const Lifetimes lh = run(m, xq);
    // front-end path
    const auto xqi = preprocess_counts_int(counts.data());
    const Lifetimes lf = run(m, xqi.data());
    const Irf irf = Irf::gaussian(fwhm, peak);
    const ChipMoments cm = chip_moments(counts, irf.pre_rise_bins());
    const Lifetimes lp =
        with_photon_tau_int(irf, photon_sums_from_running(cm.a, cm.b, cm.c, cm.p, irf.pre_rise_bins()), lf);
    const double truth[2] = {tau_mean(tau1, tau2, a), tau_int(tau1, tau2, a)};
    const double eh[2] = {lh.tau_mean_ns, lh.tau_int_ns}, ef[2] = {lf.tau_mean_ns, lf.tau_int_ns};
    for (int q = 0; q < 2; ++q) {
      host[band][q].add(eh[q] - truth[q]);
      fe[band][q].add(ef[q] - truth[q]);
      diff[band][q].add(ef[q] - eh[q]);
    }
    photons_fe[band].add(lp.tau_int_ns - truth[1]);
  }
  std::printf("Photon front end (dither, integer §8) against the host path (fractional shares, float §8), default\n"
              "int8 model, %zu decays of the training distribution as single photons on a 96.4 ps / 12.82 ns\n"
              "instrument (seed %llu): RMS error (bias) against the truth, ns\n\n",
              n, (unsigned long long)seed);
  std::printf("| photons in the window | decays | tau_mean host | tau_mean front end | tau_int host | tau_int front end | "
              "RMS front end - host: tau_mean, tau_int | tau_int front end, from the photons (IRF known) |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (int band = 0; band < 3; ++band)
    std::printf("| %s | %.0f | %.4f (%+.4f) | %.4f (%+.4f) | %.4f (%+.4f) | %.4f (%+.4f) | %.4f, %.4f | %.4f (%+.4f) |\n",
                band_name[band], host[band][0].n, host[band][0].rms(), host[band][0].mean(), fe[band][0].rms(),
                fe[band][0].mean(), host[band][1].rms(), host[band][1].mean(), fe[band][1].rms(), fe[band][1].mean(),
                diff[band][0].rms(), diff[band][1].rms(), photons_fe[band].rms(), photons_fe[band].mean());
  return 0;
}
