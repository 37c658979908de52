// CRLB: analytic derivatives against central differences, Fisher information against the
// finite-difference one, the model against the simulator, 1/sqrt(N) scaling.
#include <cmath>

#include "crlb.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

std::vector<Irf> test_irfs() {
  std::vector<double> grid(kBins, 0.0);
  for (int k = 8; k < 20; ++k) grid[k] = std::exp(-0.5 * (k - 11.3) * (k - 11.3) / 2.0) + 0.01 * (k - 8);
  Irf periodic = Irf::from_grid(grid, "grid IRF, 12.5 ns period");
  periodic.period_ns = 12.5;
  return {Irf::gaussian(0.3, 1.0), Irf::gaussian(0.5, 0.2), Irf::from_grid(grid, "grid IRF"),
          Irf::gaussian(0.3, 1.0, 12.82), periodic};
}

TEST(CrlbModel, EarlierPulsesMatchAnExplicitConvolutionOverThreePeriods) {
  // A period of 140 bins (12.6 ns) is a whole number of sub-bins: put copies of the IRF 1 and 2
  // periods before the window on one long grid and convolve once.
  std::vector<double> grid(kBins, 0.0);
  for (int k = 5; k < 30; ++k) grid[k] = std::exp(-0.5 * (k - 11.0) * (k - 11.0) / 3.0) + 0.02 * (30 - k);
  Irf irf = Irf::from_grid(grid, "grid");
  irf.period_ns = 140 * kBinNs;
  const size_t per = 140 * kSubBins, win = size_t(kBins) * kSubBins;
  for (double tau : {0.3, 1.5, 4.0}) {
    std::vector<double> h(2 * per + win, 0.0);
    for (size_t n = 0; n < 3; ++n)
      for (size_t j = 0; j < irf.density.size(); ++j) h[n * per + j] += irf.density[j];
    const auto y = convolve_exponential(h, kBinNs / kSubBins, tau);
    double tail[kBins], dtail[kBins];
    pulse_tail_bins(irf, tau, tail, dtail);
    Irf single = irf;
    single.period_ns = 0;
    for (int k = 0; k < kBins; ++k) {
      double full = 0;
      for (int s = 0; s < kSubBins; ++s) full += y[2 * per + size_t(k) * kSubBins + s];
      // single-pulse part from the window grid
      const auto y1 = convolve_exponential(single.density, kBinNs / kSubBins, tau);
      double one = 0;
      for (int s = 0; s < kSubBins; ++s) one += y1[size_t(k) * kSubBins + s];
      // The long grid holds pulses 1 and 2 periods back; Σ_{n>=3} = e^(−2P/τ)·Σ_{n>=1}.
      const double tail12 = tail[k] * (1 - std::exp(-2 * 12.6 / tau));
      EXPECT_NEAR(one + tail12, full, 1e-13 + 1e-7 * full) << "tau " << tau << " bin " << k;
    }
  }
}

TEST(CrlbModel, AnalyticJacobianMatchesCentralDifferences) {
  for (const Irf& irf : test_irfs()) {
    for (auto th0 : {std::array<double, 5>{0.4, 2.5, 0.6, 3000, 2}, std::array<double, 5>{0.08, 1.1, 0.3, 500, 0.1},
                     std::array<double, 5>{1.5, 4.0, 0.9, 1e5, 30}}) {
      double lam[kBins], J[kBins * kNumParams];
      model_counts(irf, th0.data(), lam, J);
      for (int i = 0; i < kNumParams; ++i) {
        const double h = 1e-6 * std::max(1.0, std::fabs(th0[i]));
        auto tp = th0, tm = th0;
        tp[i] += h;
        tm[i] -= h;
        double lp[kBins], lm[kBins];
        model_counts(irf, tp.data(), lp, nullptr);
        model_counts(irf, tm.data(), lm, nullptr);
        double scale = 0;
        for (int k = 0; k < kBins; ++k) scale = std::max(scale, std::fabs(J[k * kNumParams + i]));
        for (int k = 0; k < kBins; ++k)
          ASSERT_NEAR(J[k * kNumParams + i], (lp[k] - lm[k]) / (2 * h), 1e-6 * scale + 1e-9)
              << irf.source << " param " << i << " bin " << k;
      }
    }
  }
}

TEST(CrlbModel, FisherMatchesFiniteDifferenceFisher) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const double th[5] = {0.5, 2.8, 0.55, 2000, 0.5};
  const auto I = fisher_information(irf, th);
  // The Fisher information from a central-difference Jacobian.
  double lam[kBins], Jfd[kBins * kNumParams];
  model_counts(irf, th, lam, nullptr);
  for (int i = 0; i < kNumParams; ++i) {
    const double h = 1e-5 * std::max(1.0, std::fabs(th[i]));
    double tp[5], tm[5], lp[kBins], lm[kBins];
    std::copy(th, th + 5, tp);
    std::copy(th, th + 5, tm);
    tp[i] += h;
    tm[i] -= h;
    model_counts(irf, tp, lp, nullptr);
    model_counts(irf, tm, lm, nullptr);
    for (int k = 0; k < kBins; ++k) Jfd[k * kNumParams + i] = (lp[k] - lm[k]) / (2 * h);
  }
  for (int i = 0; i < kNumParams; ++i)
    for (int j = 0; j < kNumParams; ++j) {
      double fd = 0;
      for (int k = 0; k < kBins; ++k) fd += Jfd[k * kNumParams + i] * Jfd[k * kNumParams + j] / lam[k];
      EXPECT_NEAR(I[i * kNumParams + j], fd, 1e-5 * std::fabs(fd) + 1e-9) << i << "," << j;
    }
}

TEST(CrlbModel, MatchesTheSimulatorsExpectedCounts) {
  // An IRF that is well under way at the window start (peak 0.15 ns): the pad before the window
  // matters.
  for (auto [fwhm, peak] : {std::pair{0.5, 0.15}, std::pair{0.3, 0.05}, std::pair{0.6, 2.0}}) {
    SampleParams p;
    p.tau1 = 0.3;
    p.tau2 = 2.7;
    p.amplitude = 0.4;
    p.irf_fwhm = fwhm;
    p.irf_peak = peak;
    const auto shape = expected_histogram(p, {});
    const double th[5] = {p.tau1, p.tau2, p.amplitude, 1.0, 0.0};
    double lam[kBins];
    model_counts(Irf::gaussian(fwhm, peak), th, lam, nullptr);
    for (int k = 0; k < kBins; ++k) ASSERT_NEAR(lam[k], shape[k], 1e-12) << fwhm << " " << peak << " bin " << k;
  }
  SampleParams p;
  p.tau1 = 0.4;
  p.tau2 = 2.2;
  p.amplitude = 0.7;
  p.photons = 5000;
  p.background = 0.03;
  p.irf_fwhm = 0.35;
  p.irf_peak = 1.1;
  const auto shape = expected_histogram(p, {});
  const double th[5] = {p.tau1, p.tau2, p.amplitude, p.photons * (1 - p.background), p.photons * p.background / kBins};
  double lam[kBins];
  model_counts(Irf::gaussian(p.irf_fwhm, p.irf_peak), th, lam, nullptr);
  for (int k = 0; k < kBins; ++k)
    EXPECT_NEAR(lam[k], p.photons * ((1 - p.background) * shape[k] + p.background / kBins), 1e-9 * p.photons);
}

TEST(CrlbBound, ScalesWithPhotonsAndNamesBadInput) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const CrlbResult a = crlb(irf, 0.5, 2.5, 0.5, 1000, 0.01);
  const CrlbResult b = crlb(irf, 0.5, 2.5, 0.5, 100000, 0.01);
  EXPECT_FALSE(a.singular);
  EXPECT_NEAR(a.sd_tau1 / b.sd_tau1, 10.0, 1e-6);
  EXPECT_NEAR(a.sd_tau_int / b.sd_tau_int, 10.0, 1e-6);
  EXPECT_LT(a.sd_tau_mean, a.sd_tau2);
  const CrlbResult s = crlb(irf, 0.5, 2.5, 0.5, 1000, 0.0);
  EXPECT_FALSE(s.singular);
  EXPECT_THROW(crlb(irf, -1, 2, 0.5, 100, 0), Error);
  EXPECT_THROW(crlb(irf, 1, 2, 0.5, 100, 1.0), Error);
}

}  // namespace
}  // namespace flimgru
