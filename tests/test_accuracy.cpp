// The measuring instrument of issue 17: the Cramér–Rao bound with the IRF known and unknown
// (closed-form mono-exponential limit, the documented figures, IRF unknown >= IRF known, τ1 = τ2),
// the per-band RMS error ÷ bound table (every sample counted once, an efficient estimator scores 1)
// and the fit's mono/bi model selection; `eval --backend fit` and `crlb --irf-unknown` end to end.
#include <cmath>
#include <random>

#include <Eigen/Dense>

#include "accuracy.hpp"
#include "crlb.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "metrics.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

// Köllner & Wolfrum (1992): F = σ_τ·√N/τ of a mono-exponential decay recorded in k bins over
// [0, T), N photons in the window (their count carrying no information on τ), r = T/τ.
double kollner_wolfrum_F(double tau, double T, int k) {
  const double r = T / tau;
  return k / r * std::sqrt(1 - std::exp(-r)) /
         std::sqrt(std::exp(r / k) * (1 - std::exp(-r)) / std::pow(std::exp(r / k) - 1, 2) - double(k) * k / (std::exp(r) - 1));
}

TEST(CrlbBound, MonoExponentialMatchesTheClosedFormOfKollnerAndWolfrum) {
  // An IRF narrower than a sub-bin (11.25 ps), centred in the first sub-bin of bin 10: the decay
  // starts there and is recorded in the remaining 125 bins (T = 11.25 ns). θ = (τ, S), a = 1, B = 0.
  const double delta = kBinNs / kSubBins;
  const Irf irf = Irf::gaussian(1e-4, 10 * kBinNs + delta / 2);
  for (double tau : {0.5, 1.0, 2.0, 4.0}) {
    const double N = 1e4, th[kNumParams] = {tau, tau, 1.0, N, 0.0};
    const auto I = fisher_information(irf, th);
    Eigen::Matrix2d M;
    M << I[kTau1 * kNumParams + kTau1], I[kTau1 * kNumParams + kSignal], I[kSignal * kNumParams + kTau1],
        I[kSignal * kNumParams + kSignal];
    const double F = std::sqrt(M.inverse()(0, 0)) * std::sqrt(N) / tau;
    // The IRF's sub-bin (the decay starts uniformly within its 11.25 ps) shifts F by O(δ/τ)².
    EXPECT_NEAR(F, kollner_wolfrum_F(tau, 125 * kBinNs, 125), 2e-3 * F) << "tau " << tau;
  }
}

TEST(CrlbBound, ReproducesTheDocumentedFigures) {
  // docs/fit.md, "Cramér–Rao lower bound" (computed before the IRF-unknown extension; the table
  // rounds these, as printed by `flimgru crlb --photons 1000` and `flimgru crlb --tau1 0.35 --tau2
  // 1.8 --a 0.77 --background 0.02 --irf-fwhm 0.23 --irf-peak 1.05 --photons 200`).
  const CrlbResult r = crlb(Irf::gaussian(0.3, 1.0), 0.5, 2.5, 0.5, 1000, 0.01);
  EXPECT_NEAR(r.sd_tau1, 0.1964, 5e-5);
  EXPECT_NEAR(r.sd_tau2, 0.2140, 5e-5);
  EXPECT_NEAR(r.sd_a, 0.07737, 5e-6);
  EXPECT_NEAR(r.sd_tau_mean, 0.1622, 5e-5);
  EXPECT_NEAR(r.sd_tau_int, 0.1115, 5e-5);
  const CrlbResult h = crlb(Irf::gaussian(0.23, 1.05), 0.35, 1.8, 0.77, 200, 0.02);
  EXPECT_NEAR(h.sd_tau1, 0.1297, 5e-5);
  EXPECT_NEAR(h.sd_tau2, 0.4173, 5e-5);
  EXPECT_NEAR(h.sd_a, 0.09059, 5e-6);
  EXPECT_NEAR(h.sd_tau_mean, 0.1220, 5e-5);
  EXPECT_NEAR(h.sd_tau_int, 0.1677, 5e-5);
}

TEST(CrlbBound, IrfUnknownIsNeverBelowIrfKnown) {
  int strictly_above = 0;
  for (double fwhm : {0.15, 0.3, 0.6})
    for (double peak : {0.5, 1.0, 2.0})
      for (auto p : {std::array<double, 3>{0.05, 3.0, 0.5}, std::array<double, 3>{0.5, 2.5, 0.5},
                     std::array<double, 3>{1.0, 1.3, 0.7}, std::array<double, 3>{0.3, 2.0, 0.95}})
        for (double b : {0.0, 0.03}) {
          const Irf irf = Irf::gaussian(fwhm, peak);
          const CrlbResult k = crlb(irf, p[0], p[1], p[2], 3000, b);
          const CrlbResult u = crlb(irf, p[0], p[1], p[2], 3000, b, true);
          ASSERT_TRUE(u.irf_unknown);
          const double ks[] = {k.sd_tau1, k.sd_tau2, k.sd_a, k.sd_tau_mean, k.sd_tau_int};
          const double us[] = {u.sd_tau1, u.sd_tau2, u.sd_a, u.sd_tau_mean, u.sd_tau_int};
          for (int i = 0; i < 5; ++i) {
            ASSERT_TRUE(std::isfinite(ks[i])) << i;
            EXPECT_GE(us[i], ks[i] * (1 - 1e-9)) << "param " << i << " fwhm " << fwhm << " peak " << peak;
            strictly_above += us[i] > ks[i] * 1.01;
          }
          EXPECT_GT(u.sd_irf_fwhm, 0);
          EXPECT_GT(u.sd_irf_peak, 0);
        }
  EXPECT_GT(strictly_above, 0);  // the two unknowns do cost precision somewhere
}

TEST(CrlbBound, IrfJacobianAgreesWithAPlainCentralDifference) {
  // The analytic derivative against a five-point stencil (truncation O((h/σ)⁴) ≈ 1e-12 relative
  // at the narrowest IRF here, rounding ≈ 1e-13 / h), on a single pulse and with earlier pulses.
  for (const Irf& irf : {Irf::gaussian(0.15, 0.5), Irf::gaussian(0.4, 1.3), Irf::gaussian(0.3, 1.0, 12.5),
                         Irf::gaussian(1.2, -0.4), Irf::gaussian(0.25, 11.0)}) {
    const double th[kNumParams] = {0.3, 2.2, 0.6, 5000, 1.0};
    double J[kBins * 2];
    gaussian_irf_jacobian(irf, th, J);
    for (int i = 0; i < 2; ++i) {
      const double h = 1e-4, steps[4] = {h, -h, 2 * h, -2 * h};
      double l[4][kBins];
      for (int s = 0; s < 4; ++s) {
        double g[2] = {irf.fwhm_ns, irf.peak_ns};
        g[i] += steps[s];
        model_counts(Irf::gaussian(g[0], g[1], irf.period_ns), th, l[s], nullptr);
      }
      double scale = 0;
      for (int k = 0; k < kBins; ++k) scale = std::max(scale, std::fabs(J[k * 2 + i]));
      ASSERT_GT(scale, 0);
      for (int k = 0; k < kBins; ++k)
        ASSERT_NEAR(J[k * 2 + i], (8 * (l[0][k] - l[1][k]) - (l[2][k] - l[3][k])) / (12 * h), 1e-7 * scale)
            << "fwhm " << irf.fwhm_ns << " peak " << irf.peak_ns << " param " << i << " bin " << k;
    }
  }
  double th[kNumParams] = {0.5, 2, 0.5, 1000, 0}, J[kBins * 2];
  EXPECT_THROW(gaussian_irf_jacobian(Irf::from_grid(std::vector<double>(kBins, 1.0), "flat"), th, J), Error);
  EXPECT_THROW(crlb(Irf::from_grid(std::vector<double>(kBins, 1.0), "flat"), 0.5, 2, 0.5, 1000, 0, true), Error);
}

TEST(CrlbBound, EqualLifetimesKeepTheMonoExponentialBoundOfTheMeans) {
  // τ1 == τ2: a and the split are not identifiable (infinite bounds), τm = τI = τ is, with the
  // bound of the mono-exponential model (τ, S, B).
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const double tau = 1.2, N = 2000, b = 0.02;
  const CrlbResult r = crlb(irf, tau, tau, 0.4, N, b);
  EXPECT_TRUE(r.singular);
  EXPECT_TRUE(std::isinf(r.sd_tau1));
  EXPECT_TRUE(std::isinf(r.sd_a));
  const double th[kNumParams] = {tau, tau, 1.0, N * (1 - b), N * b / kBins};
  const auto I = fisher_information(irf, th);
  const int idx[3] = {kTau1, kSignal, kBackground};
  Eigen::Matrix3d M;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) M(i, j) = I[idx[i] * kNumParams + idx[j]];
  const double mono = std::sqrt(M.inverse()(0, 0));
  EXPECT_NEAR(r.sd_tau_mean, mono, 1e-6 * mono);
  EXPECT_NEAR(r.sd_tau_int, mono, 1e-6 * mono);
  EXPECT_TRUE(r.to_json()["sd_a"].is_null());  // infinite is written as null, not inf
}

SimConfig fixed_config(double t1, double t2, double a, double photons, uint64_t seed) {
  SimConfig c;
  c.tau1 = Range::fixed(t1);
  c.tau2 = Range::fixed(t2);
  c.amplitude = Range::fixed(a);
  c.photons = Range::fixed(photons);
  c.background = Range::fixed(0.01);
  c.irf_fwhm = Range::fixed(0.3);
  c.irf_peak = Range::fixed(1.0);
  c.seed = seed;
  return c;
}

TEST(FitSelection, MonoOnAMonoDecayBiOnAClearlyBiDecay) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const size_t n = 20;
  // Mono-exponential, 50,000 photons: the bi-exponential fit only fits noise (or runs to a bound).
  const Dataset mono = simulate(fixed_config(1.5, 1.5, 1.0, 50000, 5), n, 2);
  const Dataset bi = simulate(fixed_config(0.4, 2.5, 0.5, 50000, 6), n, 2);
  std::vector<float> cm(mono.counts.begin(), mono.counts.end()), cb(bi.counts.begin(), bi.counts.end());
  const auto fm = fit_pixels(irf, cm.data(), n, FitStart{}, 1, 2);
  const auto fb = fit_pixels(irf, cb.data(), n, FitStart{}, 1, 2);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(fm[i].ok && fb[i].ok) << i;
    EXPECT_EQ(fm[i].components, 1) << "mono pixel " << i;
    EXPECT_FALSE(fm[i].at_bound);
    EXPECT_EQ(fm[i].a, 1.0);
    EXPECT_EQ(fm[i].tau_mean, fm[i].tau_int);
    EXPECT_NEAR(fm[i].tau1, 1.5, 0.03);
    EXPECT_EQ(fb[i].components, 2) << "bi pixel " << i;
    EXPECT_FALSE(fb[i].at_bound);
    EXPECT_NEAR(fb[i].tau_int, tau_int(0.4, 2.5, 0.5), 0.05);
  }
  // Forced either way the answers are the two models'.
  const FitResult only_bi = fit_pixel(irf, cm.data(), FitStart{}, FitModel::bi);
  EXPECT_EQ(only_bi.components, 2);
  EXPECT_LE(only_bi.deviance, fm[0].deviance + 1e-6);  // nested: bi never fits worse
  EXPECT_EQ(fit_pixel(irf, cb.data(), FitStart{}, FitModel::mono).components, 1);
}

TEST(FitSelection, BoundsAreTiedToTheWindowAndThePeriod) {
  EXPECT_EQ(fit_tau_max(0), kTauMaxNs);
  EXPECT_EQ(fit_tau_max(12.5), 12.5);
  EXPECT_EQ(fit_tau_max(100), kTauMaxNs);
  // A nearly flat decay (τ = 25 ns) with a 12.5 ns period: the answer is at the bound, and says so.
  Irf irf = Irf::gaussian(0.3, 1.0, 12.5);
  const double th[kNumParams] = {25, 25, 1, 20000, 5};
  double lam[kBins];
  model_counts(irf, th, lam, nullptr);
  std::vector<float> c(lam, lam + kBins);
  const FitResult r = fit_pixel(irf, c.data(), FitStart{});
  EXPECT_LE(r.tau2, 12.5);
  EXPECT_TRUE(r.at_bound);
}

// A small general-protocol set with a spread of photon counts over all three bands.
Dataset mixed_set(size_t n, uint64_t seed) {
  SimConfig c;
  c.photons = {150, 20000};
  c.seed = seed;
  return simulate(c, n, 2);
}

std::vector<Lifetimes> truth_lifetimes(const Dataset& ds) {
  std::vector<Lifetimes> v(ds.n);
  for (size_t i = 0; i < ds.n; ++i) {
    const auto q = true_quantities(&ds.labels[i * kLabelCols]);
    v[i] = Lifetimes{q[kQTau1], q[kQTau2], q[kQAmp], q[kQTauMean], q[kQTauInt]};
  }
  return v;
}

TEST(CrlbTable, EverySampleIsCountedOnceAndEveryExclusionIsCounted) {
  const Dataset ds = mixed_set(400, 3);
  std::vector<Lifetimes> est = truth_lifetimes(ds);
  for (size_t i = 0; i < ds.n; i += 7) est[i] = kNoLifetimes;  // some estimators give no answer
  const auto bounds = sample_bounds(ds, false, 2);
  const nlohmann::json t = crlb_table(ds, est, bounds);
  ASSERT_EQ(t["bands"].size(), size_t(kCrlbBands));
  int64_t total = 0;
  for (const auto& b : t["bands"]) {
    const int64_t s = b["samples"];
    EXPECT_GT(s, 0);
    total += s;
    for (const char* q : kQuantityNames) {
      const auto& r = b["quantities"][q];
      EXPECT_EQ(r["n"].get<int64_t>() + r["excluded_amplitude"].get<int64_t>() + r["excluded_bound"].get<int64_t>() +
                    r["undefined"].get<int64_t>(),
                s)
          << q;
      if (r["n"].get<int64_t>() > 0) {
        EXPECT_EQ(r["ratio"].get<double>(), 0.0) << q;  // the truth has no error
      }
    }
  }
  EXPECT_EQ(total, int64_t(ds.n));
  // The band of each sample by its actual photons; an edge belongs to the band above it.
  EXPECT_EQ(crlb_band(999.9), 0);
  EXPECT_EQ(crlb_band(1000), 1);
  EXPECT_EQ(crlb_band(5000), 2);
  EXPECT_EQ(crlb_band(0), 0);
}

TEST(CrlbTable, AnEfficientUnbiasedEstimatorScoresOne) {
  // Estimates drawn as truth + N(0, σ_i²) of each sample's own bound: ratio ≈ 1, bias ≈ 0.
  const Dataset ds = mixed_set(3000, 4);
  const auto bounds = sample_bounds(ds, false, 2);
  std::vector<Lifetimes> est = truth_lifetimes(ds);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> z;
  for (size_t i = 0; i < ds.n; ++i) {
    auto add = [&](double& v, int q) { v += std::isfinite(bounds[i].sd[q]) ? z(rng) * bounds[i].sd[q] : 0; };
    add(est[i].tau_mean_ns, kQTauMean);
    add(est[i].tau_int_ns, kQTauInt);
    add(est[i].tau1_ns, kQTau1);
    add(est[i].tau2_ns, kQTau2);
    add(est[i].a, kQAmp);
  }
  const nlohmann::json t = crlb_table(ds, est, bounds);
  for (const auto& b : t["bands"])
    for (const char* q : kQuantityNames) {
      const auto& r = b["quantities"][q];
      const double n = r["n"].get<double>();
      ASSERT_GT(n, 50) << q;
      // RMS of n draws: relative sd ≈ 1/√(2n) for equal σ, more for unequal ones.
      EXPECT_NEAR(r["ratio"].get<double>(), 1.0, 5 / std::sqrt(2 * n)) << q << " band " << b["photons_min"];
      EXPECT_NEAR(r["bias_ratio"].get<double>(), 0.0, 5 / std::sqrt(n)) << q;
      EXPECT_NEAR(r["rms_normalised"].get<double>(), 1.0, 5 / std::sqrt(2 * n)) << q;
    }
}

TEST(CrlbTable, IrfUnknownNeedsAGaussianIrf) {
  SimConfig c;
  c.measured_irf = std::vector<double>(kBins, 0.0);
  for (int k = 10; k < 16; ++k) c.measured_irf[k] = 1;
  c.seed = 2;
  const Dataset ds = simulate(c, 50, 1);
  const auto u = sample_bounds(ds, true, 1);
  EXPECT_FALSE(u[0].reason.empty());
  EXPECT_TRUE(crlb_table(ds, truth_lifetimes(ds), u).contains("unavailable"));
  const auto k = sample_bounds(ds, false, 1);  // the measured IRF from meta.json
  EXPECT_TRUE(k[0].reason.empty());
  EXPECT_TRUE(std::isfinite(k[0].sd[kQTauInt]));
}

TEST(CrlbCli, EvalScoresTheFitAndCrlbTakesTheIrfAsUnknown) {
  test::TempDir d;
  test::run_cli({"simulate", "-n", "60", "--seed", "5", "-o", d / "data"});
  test::run_cli({"eval", "--data", d / "data", "--backend", "int8,fit", "--out", d / "e.json"});
  const auto j = nlohmann::json::parse(test::slurp(d / "e.json"));
  for (const char* b : {"int8", "fit"})
    for (const char* kind : {"irf_known", "irf_unknown"}) {
      const auto& bands = j["results"][b]["crlb"][kind]["bands"];
      ASSERT_EQ(bands.size(), size_t(kCrlbBands)) << b << " " << kind;
      int64_t n = 0;
      for (const auto& band : bands) n += band["samples"].get<int64_t>();
      EXPECT_EQ(n, 60);
    }
  const auto& fit = j["results"]["fit"]["model"];
  EXPECT_EQ(fit["mono"].get<int64_t>() + fit["bi"].get<int64_t>() + fit["failed"].get<int64_t>(), 60);
  EXPECT_EQ(fit["at_bound"], 0);
  EXPECT_FALSE(j.contains("agreement") && j["agreement"].contains("fit_vs_float"));
  test::run_cli({"report", d / "e.json", "-o", d / "r.md"});
  EXPECT_NE(test::slurp(d / "r.md").find("RMS error ÷ Cramér–Rao bound by photon band"), std::string::npos);
  EXPECT_ERROR_MENTIONS(test::run_cli({"crlb", "--irf-unknown", "--irf", d / "data/meta.json"}), "--irf-unknown",
                        "Gaussian");
}

}  // namespace
}  // namespace flimgru
