// Fit: recovery of known parameters, variance against the CRLB (Monte Carlo), the image IRF
// estimate, threads.
#include <chrono>
#include <cmath>

#include "crlb.hpp"
#include "fit.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

std::vector<float> expected_counts(const Irf& irf, const double* th) {
  double lam[kBins];
  model_counts(irf, th, lam, nullptr);
  return std::vector<float>(lam, lam + kBins);
}

TEST(FitRecovery, NoiseFreeDecaysGiveBackTheirParameters) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  for (auto th : {std::array<double, 5>{0.4, 2.5, 0.6, 5000, 3}, std::array<double, 5>{0.9, 3.5, 0.3, 20000, 10},
                  std::array<double, 5>{0.2, 1.2, 0.8, 2000, 0.5}}) {
    const auto c = expected_counts(irf, th.data());
    const FitResult r = fit_pixel(irf, c.data(), FitStart{0.5, 2.0, 0.5});
    ASSERT_TRUE(r.ok);
    EXPECT_NEAR(r.tau1, th[0], 2e-3 * th[0]);
    EXPECT_NEAR(r.tau2, th[1], 2e-3 * th[1]);
    EXPECT_NEAR(r.a, th[2], 2e-3);
    EXPECT_NEAR(r.signal, th[3], 1e-3 * th[3]);
    EXPECT_NEAR(r.background, th[4], 1e-2 * th[4] + 1e-3);
    EXPECT_NEAR(r.tau_int, tau_int(th[0], th[1], th[2]), 1e-3);
    EXPECT_LT(r.deviance, 1e-4);
  }
}

TEST(FitMonteCarlo, VarianceApproachesTheCrlbAtHighCounts) {
  SimConfig cfg;
  cfg.photons = Range::fixed(100000);
  cfg.tau1 = Range::fixed(0.5);
  cfg.tau2 = Range::fixed(2.5);
  cfg.amplitude = Range::fixed(0.5);
  cfg.background = Range::fixed(0.02);
  cfg.irf_fwhm = Range::fixed(0.3);
  cfg.irf_peak = Range::fixed(1.0);
  cfg.seed = 11;
  const size_t n = 300;
  const Dataset ds = simulate(cfg, n, 2);
  std::vector<float> counts(ds.counts.begin(), ds.counts.end());
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const auto t0 = std::chrono::steady_clock::now();
  const auto fits = fit_pixels(irf, counts.data(), n, FitStart{0.6, 2.0, 0.5}, 0, 2);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ FitSpeed ] %zu pixels at 1e5 photons in %.3f s = %.0f pixels/s (2 threads)\n", n, secs, n / secs);
  const CrlbResult b = crlb(irf, 0.5, 2.5, 0.5, 100000, 0.02);
  auto check = [&](const char* name, double truth, double sd_bound, auto get) {
    double m = 0, v = 0;
    for (const auto& f : fits) m += get(f);
    m /= n;
    for (const auto& f : fits) v += (get(f) - m) * (get(f) - m);
    v /= (n - 1);
    const double ratio = v / (sd_bound * sd_bound);
    std::printf("[ FitVsCrlb ] %-8s mean %.5f (truth %.5f)  sd %.5f  CRLB sd %.5f  var/CRLB %.2f\n", name, m, truth,
                std::sqrt(v), sd_bound, ratio);
    EXPECT_NEAR(m, truth, 4 * sd_bound / std::sqrt(double(n)) + 1e-3 * truth) << name;
    EXPECT_GT(ratio, 0.7) << name;
    EXPECT_LT(ratio, 1.4) << name;
  };
  for (const auto& f : fits) ASSERT_TRUE(f.ok);
  check("tau1", 0.5, b.sd_tau1, [](const FitResult& f) { return f.tau1; });
  check("tau2", 2.5, b.sd_tau2, [](const FitResult& f) { return f.tau2; });
  check("a", 0.5, b.sd_a, [](const FitResult& f) { return f.a; });
  check("tau_mean", 1.5, b.sd_tau_mean, [](const FitResult& f) { return f.tau_mean; });
  check("tau_int", tau_int(0.5, 2.5, 0.5), b.sd_tau_int, [](const FitResult& f) { return f.tau_int; });
}

TEST(FitIrf, EstimateFromTheSummedDecayRecoversTheGaussian) {
  const Irf truth = Irf::gaussian(0.32, 1.15);
  const double th[5] = {0.6, 3.0, 0.55, 2e6, 200};
  const auto lam = expected_counts(truth, th);
  Rng rng(3);
  std::vector<double> summed(kBins);
  for (int k = 0; k < kBins; ++k) summed[k] = rng.poisson(lam[k]);
  const IrfEstimate e = estimate_irf(summed);
  EXPECT_NEAR(e.irf.fwhm_ns, 0.32, 0.02);
  EXPECT_NEAR(e.irf.peak_ns, 1.15, 0.01);
  EXPECT_NEAR(e.fit.tau1, 0.6, 0.03);
  EXPECT_NEAR(e.fit.tau2, 3.0, 0.05);
  EXPECT_NEAR(e.irf.centroid_ns(), truth.centroid_ns(), 5e-3);
  EXPECT_EQ(e.irf.pre_rise_bins(), 8);  // 0.1 % of the IRF at 1.15 − 3.09 σ = 0.73 ns: bins 0..7 precede it
}

TEST(FitPixels, ThreadsAgreeAndMinPhotonsSkips) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  SimConfig cfg;
  cfg.photons = Range{50, 5000};
  cfg.irf_fwhm = Range::fixed(0.3);
  cfg.irf_peak = Range::fixed(1.0);
  const Dataset ds = simulate(cfg, 40, 1);
  std::vector<float> counts(ds.counts.begin(), ds.counts.end());
  const auto one = fit_pixels(irf, counts.data(), 40, FitStart{}, 300, 1);
  const auto two = fit_pixels(irf, counts.data(), 40, FitStart{}, 300, 2);
  int skipped = 0;
  for (size_t i = 0; i < 40; ++i) {
    const bool dim = ds.labels[i * kLabelCols + kLabelPhotons] < 300;
    EXPECT_EQ(one[i].ok || std::isnan(one[i].tau1), true);
    if (dim) {
      ++skipped;
      EXPECT_FALSE(one[i].ok);
      EXPECT_TRUE(std::isnan(one[i].tau1));
    }
    if (!std::isnan(one[i].tau1)) {
      EXPECT_EQ(one[i].tau1, two[i].tau1);
    }
  }
  EXPECT_GT(skipped, 0);
}

}  // namespace
}  // namespace flimgru
