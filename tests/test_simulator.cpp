// test_simulator: the FLIM simulator against brute-force physics and photon statistics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <unistd.h>

#include "error.hpp"
#include "simulator.hpp"

using namespace flimgru;
using ::testing::HasSubstr;

namespace {

constexpr double kDelta = kBinNs / kSubBins;

// Brute force: bin integrals of (h * e^(-t/tau)) for a piecewise-constant density h on sub-bins
// of width kDelta starting at t0 = -pad_bins·kBinNs. The inner integral over each source sub-bin
// is done in closed form and summed directly over all earlier sub-bins (no recursion); the outer
// integral over t uses the midpoint rule with `steps` points per bin.
std::vector<double> brute_force_bins(const std::vector<double>& h, double tau, int steps) {
  const size_t m_count = h.size();
  // A[m] = Σ_{j<m} h_j ∫_{s_j}^{s_j+δ} e^(-(t_m - s)/τ) ds, summed directly (O(M²)).
  std::vector<double> a(m_count, 0.0);
  const double cell = tau * (1.0 - std::exp(-kDelta / tau));  // ∫ over one cell ending at t_m
  for (size_t m = 0; m < m_count; ++m) {
    double acc = 0;
    for (size_t j = 0; j < m; ++j) acc += h[j] * cell * std::exp(-double(m - 1 - j) * kDelta / tau);
    a[m] = acc;
  }
  const int per_sub = steps / kSubBins;
  const double dt = kDelta / per_sub;
  std::vector<double> bins(m_count / kSubBins, 0.0);
  for (size_t m = 0; m < m_count; ++m) {
    double acc = 0;
    for (int i = 0; i < per_sub; ++i) {
      const double u = (i + 0.5) * dt;  // time since the start of sub-bin m
      acc += a[m] * std::exp(-u / tau) + h[m] * tau * (1.0 - std::exp(-u / tau));
    }
    bins[m / kSubBins] += acc * dt;
  }
  return bins;
}

SimConfig fixed_config(double tau1, double tau2, double amp, double photons, double bg,
                       double fwhm, double peak) {
  SimConfig c;
  c.tau1 = Range::fixed(tau1);
  c.tau2 = Range::fixed(tau2);
  c.amplitude = Range::fixed(amp);
  c.photons = Range::fixed(photons);
  c.background = Range::fixed(bg);
  c.irf_fwhm = Range::fixed(fwhm);
  c.irf_peak = Range::fixed(peak);
  c.seed = 12345;
  return c;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("flimgru_sim_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

}  // namespace

TEST(Simulator, RecursionMatchesBruteForceConvolutionOfSubBins) {
  // An irregular piecewise-constant input: every sub-bin differs, including jumps.
  std::vector<double> h(40 * kSubBins);
  for (size_t m = 0; m < h.size(); ++m) h[m] = 1.0 + std::sin(0.37 * m) + (m % 7 == 0 ? 3.0 : 0);
  for (double tau : {0.05, 0.4, 3.0}) {
    const std::vector<double> y = convolve_exponential(h, kDelta, tau);
    std::vector<double> bins(40, 0.0);
    for (size_t m = 0; m < y.size(); ++m) bins[m / kSubBins] += y[m];
    const std::vector<double> ref = brute_force_bins(h, tau, 2000);
    for (size_t k = 0; k < bins.size(); ++k)
      EXPECT_NEAR(bins[k], ref[k], 1e-6 * ref[k]) << "tau " << tau << " bin " << k;
  }
}

TEST(Simulator, ExpectedHistogramMatchesBruteForceGaussianIrf) {
  // The whole pipeline (padding before the window, binning, mixing, normalization) against a
  // brute force on a grid that starts 40 bins (3.6 ns) before the window.
  const int pad = 40;
  struct Case { double tau1, tau2, amp, fwhm, peak; };
  for (const Case c : {Case{0.05, 3.0, 0.7, 0.6, 0.5}, Case{0.8, 2.1, 0.3, 0.15, 2.0}}) {
    SampleParams p;
    p.tau1 = c.tau1; p.tau2 = c.tau2; p.amplitude = c.amp; p.irf_fwhm = c.fwhm; p.irf_peak = c.peak;
    const auto got = expected_histogram(p, {});
    const std::vector<double> h = gaussian_irf_density(c.fwhm, c.peak, -pad * kBinNs, kDelta,
                                                       (pad + kBins) * kSubBins);
    const auto r1 = brute_force_bins(h, c.tau1, 2000);
    const auto r2 = brute_force_bins(h, c.tau2, 2000);
    std::vector<double> ref(kBins);
    double total = 0;
    for (int k = 0; k < kBins; ++k) {
      ref[k] = c.amp * r1[pad + k] + (1 - c.amp) * r2[pad + k];
      total += ref[k];
    }
    double sum = 0;
    for (int k = 0; k < kBins; ++k) {
      EXPECT_NEAR(got[k], ref[k] / total, 1e-6 * ref[k] / total + 1e-15) << "bin " << k;
      sum += got[k];
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

TEST(Simulator, SubBinGaussianIsCloseToTheExactExponentiallyModifiedGaussian) {
  // The piecewise-constant IRF is an approximation of the Gaussian; its effect is small.
  const double tau = 0.5, fwhm = 0.15, peak = 1.0;
  const double sigma = fwhm / (2 * std::sqrt(2 * std::log(2.0)));
  SampleParams p;
  p.tau1 = p.tau2 = tau; p.amplitude = 1; p.irf_fwhm = fwhm; p.irf_peak = peak;
  const auto got = expected_histogram(p, {});
  std::vector<double> exact(kBins);
  double total = 0;
  for (int k = 0; k < kBins; ++k) {
    double acc = 0;
    const int steps = 200;
    for (int i = 0; i < steps; ++i) {
      const double t = (k + (i + 0.5) / steps) * kBinNs;
      const double x = (t - peak) / sigma - sigma / tau;
      acc += std::exp(-(t - peak) / tau + sigma * sigma / (2 * tau * tau)) * 0.5 *
             std::erfc(-x / std::sqrt(2.0));
    }
    exact[k] = acc;
    total += acc;
  }
  double peak_value = *std::max_element(got.begin(), got.end());
  for (int k = 0; k < kBins; ++k) EXPECT_NEAR(got[k], exact[k] / total, 1e-3 * peak_value);
}

TEST(Simulator, GaussianIrfDensityIntegratesToOneAroundThePeak) {
  const auto h = gaussian_irf_density(0.3, 1.0, 0.0, kDelta, kBins * kSubBins);
  double sum = 0, mean = 0;
  for (size_t m = 0; m < h.size(); ++m) {
    sum += h[m] * kDelta;
    mean += h[m] * kDelta * (m + 0.5) * kDelta;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(mean, 1.0, 1e-9);
  for (double v : h) EXPECT_GE(v, 0.0);
}

TEST(Simulator, MeanPhotonCountMatchesWithinPoissonError) {
  const double n_photons = 2000;
  const SimConfig cfg = fixed_config(0.4, 2.5, 0.5, n_photons, 0.03, 0.3, 1.0);
  const size_t n = 4000;
  const Dataset ds = simulate(cfg, n, 2);
  double mean = 0, m2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double total = ds.labels[i * kLabelCols + kLabelPhotons];
    double sum = 0;
    for (int k = 0; k < kBins; ++k) sum += ds.counts[i * kBins + k];
    ASSERT_EQ(total, sum);  // the label is the actual total count
    mean += total;
    m2 += total * total;
  }
  mean /= n;
  const double var = m2 / n - mean * mean;
  EXPECT_NEAR(mean, n_photons, 4 * std::sqrt(n_photons / n));
  // The total is Poisson(N): variance N, estimated to ±sqrt(2/n) relative.
  EXPECT_NEAR(var / n_photons, 1.0, 5 * std::sqrt(2.0 / n));
}

TEST(Simulator, PerBinVarianceEqualsMean) {
  const SimConfig cfg = fixed_config(0.6, 1.8, 0.4, 5000, 0.02, 0.25, 1.2);
  const size_t n = 4000;
  const Dataset ds = simulate(cfg, n, 2);
  const Sample ref = simulate_one(cfg, 0);
  int checked = 0;
  for (int k = 0; k < kBins; ++k) {
    const double lambda = ref.expected[k];
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; ++i) {
      const double c = ds.counts[i * kBins + k];
      mean += c;
      m2 += c * c;
    }
    mean /= n;
    const double var = (m2 - n * mean * mean) / (n - 1);
    EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / n)) << "bin " << k;
    if (lambda > 5) {
      EXPECT_NEAR(var / lambda, 1.0, 5 * std::sqrt((2.0 + 1.0 / lambda) / n)) << "bin " << k;
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(Simulator, PoissonSamplerMomentsForSmallAndLargeMeans) {
  Rng rng(99);
  for (double lambda : {0.0, 0.3, 4.0, 9.9, 10.0, 37.5, 2000.0}) {
    const int n = 40000;
    double mean = 0, m2 = 0;
    for (int i = 0; i < n; ++i) {
      const double c = rng.poisson(lambda);
      mean += c;
      m2 += c * c;
    }
    mean /= n;
    const double var = m2 / n - mean * mean;
    EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / n) + 1e-12) << lambda;
    if (lambda > 0) {
      EXPECT_NEAR(var / lambda, 1.0, 5 * std::sqrt((2.0 + 1.0 / lambda) / n)) << lambda;
    }
  }
}

TEST(Simulator, BackgroundLevelIsUniformFractionOfCounts) {
  const double n_photons = 10000, bg = 0.05;
  // IRF peak at 2 ns with sigma 0.064 ns: bins 0-9 (0-0.9 ns) hold only background.
  const SimConfig cfg = fixed_config(0.5, 1.5, 0.5, n_photons, bg, 0.15, 2.0);
  const Sample s = simulate_one(cfg, 7);
  const double level = n_photons * bg / kBins;
  for (int k = 0; k < 10; ++k) EXPECT_NEAR(s.expected[k], level, 1e-9 * level);
  EXPECT_NEAR(std::accumulate(s.expected.begin(), s.expected.end(), 0.0), n_photons, 1e-6);
  // Late bins: background plus the decay tail, never below the background.
  for (int k = 0; k < kBins; ++k) EXPECT_GE(s.expected[k], level * (1 - 1e-12));

  const size_t n = 3000;
  const Dataset ds = simulate(cfg, n, 2);
  double mean = 0;
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < 10; ++k) mean += ds.counts[i * kBins + k];
  mean /= n * 10.0;
  EXPECT_NEAR(mean, level, 5 * std::sqrt(level / (n * 10.0)));
}

TEST(Simulator, DeterministicBySeedAndIndependentOfThreads) {
  SimConfig cfg;
  cfg.seed = 77;
  const Dataset a = simulate(cfg, 700, 1);
  const Dataset b = simulate(cfg, 700, 2);
  const Dataset c = simulate(cfg, 700, 3);
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.counts, c.counts);
  EXPECT_EQ(a.sfd, c.sfd);
  EXPECT_EQ(a.labels.size(), c.labels.size());
  for (size_t i = 0; i < a.labels.size(); ++i)  // NaN-free for the Gaussian IRF
    EXPECT_EQ(a.labels[i], c.labels[i]);
  EXPECT_EQ(a.meta, c.meta);
  // Sample i of the set is simulate_one(cfg, i).
  const Sample s = simulate_one(cfg, 513);
  EXPECT_TRUE(std::equal(s.counts.begin(), s.counts.end(), a.counts.begin() + 513 * kBins));
  // A different seed gives different data.
  cfg.seed = 78;
  const Dataset d = simulate(cfg, 700, 2);
  EXPECT_NE(a.counts, d.counts);
  EXPECT_NE(splitmix64(1, 0), splitmix64(1, 1));
  EXPECT_NE(splitmix64(1, 0), splitmix64(2, 0));
}

TEST(Simulator, SfdChannelsSumAndStartAtTheAmplitudes) {
  SimConfig cfg;
  cfg.seed = 5;
  const size_t n = 200;
  const Dataset ds = simulate(cfg, n, 2);
  for (size_t i = 0; i < n; ++i) {
    const float* lab = &ds.labels[i * kLabelCols];
    const float* sfd = &ds.sfd[i * kBins * kChannels];
    const double tau1 = lab[kLabelTau1], tau2 = lab[kLabelTau2], a = lab[kLabelAmp];
    ASSERT_LE(tau1, tau2);
    EXPECT_NEAR(sfd[1], a, 1e-7);  // the label a is float, the SFD was computed from double a
    EXPECT_NEAR(sfd[2], 1 - a, 2e-7);
    EXPECT_NEAR(sfd[0], 1.0f, 1e-6f);
    for (int k = 0; k < kBins; ++k) {
      const float* b = sfd + k * kChannels;
      EXPECT_EQ(b[1] + b[2], b[0]);
      EXPECT_NEAR(b[1], a * std::exp(-k * kBinNs / tau1), 1e-6);
      EXPECT_NEAR(b[2], (1 - a) * std::exp(-k * kBinNs / tau2), 1e-6);
    }
  }
}

TEST(Simulator, ParametersStayInTheirRanges) {
  SimConfig cfg;
  cfg.seed = 11;
  const size_t n = 3000;
  const Dataset ds = simulate(cfg, n, 2);
  size_t below_median = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* l = &ds.labels[i * kLabelCols];
    EXPECT_GE(l[kLabelTau1], 0.05f);
    EXPECT_LE(l[kLabelTau2], 3.0f);
    EXPECT_LE(l[kLabelTau1], l[kLabelTau2]);
    EXPECT_GE(l[kLabelAmp], 0.0f);
    EXPECT_LE(l[kLabelAmp], 1.0f);
    EXPECT_GE(l[kLabelBackground], 0.0f);
    EXPECT_LE(l[kLabelBackground], 0.05f);
    EXPECT_GE(l[kLabelIrfFwhm], 0.15f);
    EXPECT_LE(l[kLabelIrfFwhm], 0.6f);
    EXPECT_GE(l[kLabelIrfPeak], 0.5f);
    EXPECT_LE(l[kLabelIrfPeak], 2.0f);
    // Photons: log-uniform in [200, 50000] plus Poisson noise.
    EXPECT_GT(l[kLabelPhotons], 100.0f);
    EXPECT_LT(l[kLabelPhotons], 52000.0f);
    if (l[kLabelPhotons] < std::sqrt(200.0 * 50000.0)) ++below_median;
  }
  EXPECT_NEAR(double(below_median) / n, 0.5, 0.05);
}

TEST(Simulator, MeasuredIrfInOneBinGivesExponentialTail) {
  std::vector<double> irf(kBins, 0.0);
  irf[20] = 500;
  SampleParams p;
  p.tau1 = p.tau2 = 0.7;
  p.amplitude = 1;
  const auto h = expected_histogram(p, irf);
  for (int k = 0; k < 20; ++k) EXPECT_EQ(h[k], 0.0);
  for (int k = 21; k + 1 < kBins; ++k)
    EXPECT_NEAR(h[k + 1] / h[k], std::exp(-kBinNs / 0.7), 1e-12) << k;

  SimConfig cfg;
  cfg.measured_irf = irf;
  const Sample s = simulate_one(cfg, 3);
  EXPECT_TRUE(std::isnan(s.labels[kLabelIrfFwhm]));
  EXPECT_TRUE(std::isnan(s.labels[kLabelIrfPeak]));
}

TEST(Simulator, ReadIrfFileAcceptsValidAndNamesFileAndLineOnErrors) {
  const std::string path = temp_path("irf.txt");
  auto write = [&](const std::vector<std::string>& lines) {
    std::ofstream out(path);
    for (const auto& l : lines) out << l << "\n";
  };
  std::vector<std::string> good = {"# measured IRF", ""};
  for (int k = 0; k < kBins; ++k) good.push_back(std::to_string(k == 30 ? 1000 : k % 3));
  write(good);
  const auto irf = read_irf_file(path);
  ASSERT_EQ(irf.size(), size_t(kBins));
  EXPECT_EQ(irf[30], 1000.0);
  EXPECT_EQ(irf[4], 1.0);

  auto expect_error = [&](std::vector<std::string> lines, const std::string& what) {
    write(lines);
    try {
      read_irf_file(path);
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(path));
      EXPECT_THAT(e.what(), HasSubstr(what));
    }
  };
  auto bad = good;
  bad[10] = "-3";  // file line 11
  expect_error(bad, "line 11");
  bad = good;
  bad[12] = "nan";
  expect_error(bad, "line 13");
  bad = good;
  bad[12] = "1 2";
  expect_error(bad, "line 13");
  bad = good;
  bad.pop_back();
  expect_error(bad, "134 values");
  bad = good;
  bad.push_back("4");
  expect_error(bad, "more than 135");
  std::vector<std::string> zeros(kBins, "0");
  expect_error(zeros, "all zeros");
  std::remove(path.c_str());
  EXPECT_THROW(read_irf_file(path), Error);
}

TEST(Simulator, InvalidConfigIsRejected) {
  SimConfig cfg;
  cfg.tau1 = Range{0.0, 1.0};
  EXPECT_THROW(cfg.validate(), Error);
  cfg = SimConfig{};
  cfg.photons = Range{500, 100};
  EXPECT_THROW(simulate(cfg, 10, 1), Error);
  cfg = SimConfig{};
  cfg.measured_irf.assign(10, 1.0);
  cfg.measured_irf_source = "irf.txt";
  try {
    cfg.validate();
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("irf.txt"));
  }
}
