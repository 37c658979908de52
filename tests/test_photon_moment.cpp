// photon_moment: τI from the photons' first moment, window-corrected by a model's components —
// exact on noiseless decays with the right components, second order in wrong ones, at the
// Cramér–Rao bound on Poisson data where the components alone are not; the centre of mass.
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "crlb.hpp"
#include "frontend_core.hpp"
#include "fit.hpp"
#include "photon_moment.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

// λ of θ = (τ1, τ2, a, S, B) as floats, as a histogram of counts.
std::vector<float> expected_counts(const Irf& irf, const std::array<double, 5>& th) {
  double lam[kBins];
  model_counts(irf, th.data(), lam, nullptr);
  return std::vector<float>(lam, lam + kBins);
}

Lifetimes components(double tau1, double tau2, double a) {
  return Lifetimes{tau1, tau2, a, tau_mean(tau1, tau2, a), tau_int(tau1, tau2, a)};
}

// n pixels of 20,000 photons (τ1 0.5, τ2 2.5 ns, a 0.5, background 1 %, Gaussian IRF fwhm at
// peak): the RMS error of `estimate`'s τI over them.
template <class Estimate>
double rms_tau_int_error(double fwhm, double peak, uint64_t seed, size_t n, Estimate estimate) {
  SimConfig cfg;
  cfg.photons = Range::fixed(20000);
  cfg.tau1 = Range::fixed(0.5);
  cfg.tau2 = Range::fixed(2.5);
  cfg.amplitude = Range::fixed(0.5);
  cfg.background = Range::fixed(0.01);
  cfg.irf_fwhm = Range::fixed(fwhm);
  cfg.irf_peak = Range::fixed(peak);
  cfg.seed = seed;
  const Dataset ds = simulate(cfg, n, 2);
  const double truth = tau_int(0.5, 2.5, 0.5);
  double se = 0;
  for (size_t i = 0; i < ds.n; ++i) {
    const std::vector<float> c(ds.counts.begin() + i * kBins, ds.counts.begin() + (i + 1) * kBins);
    const double e = estimate(c.data()) - truth;
    se += e * e;
  }
  return std::sqrt(se / ds.n);
}

TEST(PhotonTauInt, ExactOnNoiselessDecaysWithTheirOwnComponents) {
  // With the background, a decay that the window cuts (τ2 = 6 ns) and a laser period's tails.
  for (const Irf& irf : {Irf::gaussian(0.3, 1.0), Irf::gaussian(0.5, 1.6, 12.5), Irf::gaussian(0.2, 0.5)}) {
    for (auto th : {std::array<double, 5>{0.4, 2.5, 0.6, 1e6, 30}, std::array<double, 5>{1.0, 6.0, 0.3, 1e6, 0},
                    std::array<double, 5>{2.0, 2.0, 1.0, 1e6, 100}}) {
      const auto c = expected_counts(irf, th);
      const Lifetimes l = with_photon_tau_int(irf, c.data(), components(th[0], th[1], th[2]));
      EXPECT_NEAR(l.tau_int_ns, tau_int(th[0], th[1], th[2]), 2e-6) << irf.peak_ns << " " << th[1];
      EXPECT_EQ(l.tau1_ns, th[0]);  // only τI changes
      EXPECT_EQ(l.tau_mean_ns, tau_mean(th[0], th[1], th[2]));
    }
  }
}

TEST(PhotonTauInt, WrongComponentsEnterOnlyThroughWhatTheWindowCutsOff) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const std::array<double, 5> th{0.5, 2.5, 0.5, 1e7, 10};
  const double truth = tau_int(th[0], th[1], th[2]);
  const auto c = expected_counts(irf, th);
  // Components that are off as a network's are at high counts (τI 0.2–0.4 ns off).
  for (const Lifetimes& net : {components(0.6, 2.8, 0.55), components(0.4, 2.2, 0.4), components(1.9, 1.9, 1.0)}) {
    const double before = std::fabs(net.tau_int_ns - truth);
    const double after = std::fabs(with_photon_tau_int(irf, c.data(), net).tau_int_ns - truth);
    EXPECT_GT(before, 0.09);
    EXPECT_LT(after, before / 4) << net.tau1_ns << " " << net.tau2_ns << " " << net.a;
  }
}

TEST(PhotonTauInt, FewPhotonsLeaveTheNetworkAnswerManyReplaceIt) {
  // The weight w = σ_net² / (σ_net² + σ_c²): the same decay shape at 200 and 10⁶ photons.
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const Lifetimes net = components(0.6, 2.8, 0.55);
  const double truth = tau_int(0.5, 2.5, 0.5);
  const auto dim = expected_counts(irf, {0.5, 2.5, 0.5, 200, 0});
  const auto bright = expected_counts(irf, {0.5, 2.5, 0.5, 1e6, 0});
  const double shift_dim = with_photon_tau_int(irf, dim.data(), net).tau_int_ns - net.tau_int_ns;
  const double shift_bright = with_photon_tau_int(irf, bright.data(), net).tau_int_ns - net.tau_int_ns;
  EXPECT_NEAR(shift_bright, truth - net.tau_int_ns, 0.02);
  EXPECT_LT(std::fabs(shift_dim), 0.5 * std::fabs(shift_bright));
  EXPECT_GT(std::fabs(shift_dim), 0.0);
}

TEST(PhotonTauInt, AtTheBoundOnPoissonDataWhereTheComponentsAreNot) {
  // 400 pixels of 20,000 photons; the "network" answers with a fixed error of 0.2 ns on τ2 and
  // 0.05 on a (a τI error of several σ); the photons bring τI back to the bound.
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const double truth = tau_int(0.5, 2.5, 0.5);
  const Lifetimes net = components(0.5, 2.7, 0.45);
  const double rms = rms_tau_int_error(0.3, 1.0, 99, 400, [&](const float* c) {
    return with_photon_tau_int(irf, c, net).tau_int_ns;
  });
  const double sd = crlb(irf, 0.5, 2.5, 0.5, 20000, 0.01, false).sd_tau_int;
  EXPECT_GT(std::fabs(net.tau_int_ns - truth), 4 * sd);
  EXPECT_LT(rms, 1.3 * sd) << "rms " << rms << " bound " << sd;
}

// No IRF known: each pixel's own Gaussian IRF, fitted with the (wrong) components' shape, then
// the photons; at the bound with the IRF unknown.
TEST(PhotonTauInt, WithoutAnIrfEachPixelFitsItsOwn) {
  const Irf truth_irf = Irf::gaussian(0.35, 1.3);
  const auto clean = expected_counts(truth_irf, {0.5, 2.5, 0.5, 1e6, 20});
  const auto own = estimate_pixel_irf(clean.data(), 0.5, 2.5, 0.5);
  ASSERT_TRUE(own.has_value());
  EXPECT_NEAR(own->fwhm_ns, 0.35, 1e-3);
  EXPECT_NEAR(own->peak_ns, 1.3, 1e-3);
  const std::vector<float> zero(kBins, 0.f);
  EXPECT_FALSE(estimate_pixel_irf(zero.data(), 0.5, 2.5, 0.5).has_value());

  const double truth = tau_int(0.5, 2.5, 0.5);
  const Lifetimes net = components(0.5, 2.7, 0.45);
  const double rms = rms_tau_int_error(0.35, 1.3, 98, 200, [&](const float* c) {
    return with_photon_tau_int_own_irf(c, net).tau_int_ns;
  });
  const double sd = crlb(truth_irf, 0.5, 2.5, 0.5, 20000, 0.01, true).sd_tau_int;
  EXPECT_GT(std::fabs(net.tau_int_ns - truth), 3 * sd);
  EXPECT_LT(rms, 1.3 * sd) << "rms " << rms << " bound (IRF unknown) " << sd;
}

TEST(PhotonTauInt, PixelsWithoutAnswerOrSignalKeepTheirs) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const auto c = expected_counts(irf, {0.5, 2.5, 0.5, 1000, 0});
  const Lifetimes none = with_photon_tau_int(irf, c.data(), kNoLifetimes);
  EXPECT_TRUE(std::isnan(none.tau_int_ns));
  const std::vector<float> zero(kBins, 0.f), flat(kBins, 5.f);
  const Lifetimes net = components(0.6, 2.8, 0.55);
  EXPECT_EQ(with_photon_tau_int(irf, zero.data(), net).tau_int_ns, net.tau_int_ns);
  EXPECT_EQ(with_photon_tau_int(irf, flat.data(), net).tau_int_ns, net.tau_int_ns);  // all background
  // Far from the components (a decay of 25 ns): finite, inside [0, kTauMaxNs].
  const auto slow = expected_counts(irf, {25, 25, 1, 1e6, 0});
  const double t = with_photon_tau_int(irf, slow.data(), components(0.1, 0.2, 0.5)).tau_int_ns;
  EXPECT_TRUE(std::isfinite(t));
  EXPECT_GE(t, 0.0);
  EXPECT_LE(t, kTauMaxNs);
}

// The chip's running sums (frontend_core.v, its twin chip_moments) give the host's sums exactly,
// so τI from the photons is the same number from the chip's moments as from the histogram.
// Where the stretched components would put most of their photons after the window (a 15 ns
// decay), their "correction" is an extrapolation: the network's τI stays. A network answer with a
// spurious slow component (0.8 % of the amplitude at 28 ns, most of the intensity; seen on
// test20k) starts from the network's own τI, not the components': it lands near the truth.
TEST(PhotonTauInt, ComponentsMostlyPastTheWindowAreNotExtrapolated) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  const auto slow = expected_counts(irf, {15, 15, 1, 1e5, 2});
  Lifetimes net = components(10, 10, 1);
  EXPECT_EQ(with_photon_tau_int(irf, slow.data(), net).tau_int_ns, 10.0);

  const auto c = expected_counts(irf, {0.235, 2.74, 0.971, 1e4, 2});
  net = components(0.186, 27.9, 0.992);
  const double truth = tau_int(0.235, 2.74, 0.971);
  EXPECT_GT(net.tau_int_ns - truth, 10.0);
  net.tau_int_ns = 0.69;  // the network's own (its whole decay's first moment)
  EXPECT_LT(std::fabs(with_photon_tau_int(irf, c.data(), net).tau_int_ns - truth), 0.2);
}

TEST(PhotonTauInt, TheChipsRunningSumsGiveTheHostsSumsExactly) {
  Rng rng(7);
  const Irf irf = Irf::gaussian(0.3, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    std::array<uint32_t, kBins> counts{};
    std::vector<float> f(kBins);
    for (int k = 0; k < kBins; ++k) {
      counts[k] = trial == 0 ? 65535u : trial == 1 ? (k == 134 ? 1u : 0u) : uint32_t(rng.poisson(trial * 10.0));
      f[k] = float(counts[k]);
    }
    const int nb = trial % 3 == 0 ? irf.pre_rise_bins() : int(rng.uniform(0, kBins + 1));
    const ChipMoments m = chip_moments(counts, nb);
    const PhotonSums chip = photon_sums_from_running(m.a, m.b, m.c, m.p, nb), host = photon_sums(f.data(), nb);
    EXPECT_EQ(chip.s0, host.s0) << trial;
    EXPECT_EQ(chip.s1, host.s1) << trial;
    EXPECT_EQ(chip.s2, host.s2) << trial;
    EXPECT_EQ(chip.pre, host.pre) << trial;
    EXPECT_LT(m.a, 1u << 24);  // the widths of m_moments_o
    EXPECT_LT(m.b, uint64_t(1) << 32);
    EXPECT_LT(m.c, uint64_t(1) << 40);
    if (nb == irf.pre_rise_bins()) {
      const Lifetimes net = components(0.6, 2.8, 0.55);
      EXPECT_EQ(with_photon_tau_int(irf, chip, net).tau_int_ns, with_photon_tau_int(irf, f.data(), net).tau_int_ns);
    }
  }
}

TEST(PhotonTauInt, CentreOfMassEstimatesTheIntensityWeightedLifetime) {
  const Irf irf = Irf::gaussian(0.3, 1.0);
  for (auto th : {std::array<double, 5>{0.5, 2.0, 0.5, 1e6, 50}, std::array<double, 5>{1.0, 1.0, 1.0, 1e6, 0}}) {
    const auto c = expected_counts(irf, th);
    const double ti = tau_int(th[0], th[1], th[2]);
    EXPECT_NEAR(com_lifetime(irf, c.data()), ti, 0.03 * ti);
  }
}

}  // namespace
}  // namespace flimgru
