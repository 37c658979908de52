// fit: the baseline lifetime estimators on the model grid (135 bins of 90 ps):
//   * per-pixel maximum-likelihood fit (Poisson deviance, Ceres) of a bi-exponential decay
//     convolved with a fixed IRF plus a constant background;
//   * the IRF, estimated once per image from the summed decay (below) or read from a file.
// (The moment estimates of τI from the photons are in photon_moment.hpp.)
//
// The decay model is the simulator's (simulator.hpp), parameterized as
//   λ_k(θ) = S · p_k(τ1, τ2, a) + B,   θ = (τ1, τ2, a, S, B)
// with p the bi-exponential a·e^(−t/τ1) + (1−a)·e^(−t/τ2) convolved exactly with the IRF and
// normalized to 1 over the window, S the decay photons in the window and B the background per
// bin. A simulated sample with N photons and background fraction b has S = N(1−b), B = N·b/135.
// Derivatives ∂λ/∂θ are analytic (the exact piecewise-constant convolution differentiated in τ).
//
// IRF estimate (--method fit without --irf): a Gaussian IRF (FWHM, peak) is fitted together with
// a bi-exponential and background to the decay summed over the whole image (millions of counts),
// by the same likelihood; the Gaussian is then held fixed for every pixel. A measured IRF file
// (135 values on the model grid, docs/formats.md) is used as given, piecewise constant per bin.
#pragma once
#include <array>
#include <atomic>

#include "lifetimes.hpp"
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpsf.hpp"

namespace flimgru {

// An IRF as a density on sub-bins of kBinNs/kSubBins starting pad_bins bins before the window.
struct Irf {
  std::vector<double> density;  // integrates to 1 over its support
  int pad_bins = 0;
  double fwhm_ns = 0, peak_ns = 0;  // for Gaussian IRFs (0 otherwise)
  // Laser period (ns). 0: a single excitation pulse, as the simulator. > 0: periodic excitation,
  // the decay tails of all earlier pulses (n = 1, 2, ... periods before) are added, exactly for
  // this IRF representation; needs period >= the window end (135 × 90 ps).
  double period_ns = 0;
  std::string source;

  static Irf gaussian(double fwhm_ns, double peak_ns, double period_ns = 0);  // as the simulator's
  static Irf from_grid(const std::vector<double>& counts, const std::string& source);  // 135 values
  double centroid_ns() const;  // mean time after the window start
  int pre_rise_bins() const;   // whole bins before the IRF reaches 0.1 % of its mass (>= 0)
  nlohmann::json to_json() const;
};

enum { kTau1 = 0, kTau2 = 1, kAmp = 2, kSignal = 3, kBackground = 4, kNumParams = 5 };

// λ [kBins] and, if jac is not null, ∂λ/∂θ [kBins][kNumParams] (row-major).
void model_counts(const Irf& irf, const double* theta, double* lambda, double* jac);

// ∂λ/∂(FWHM, peak) [kBins][2] (row-major) of a Gaussian IRF (irf.fwhm_ns, irf.peak_ns, irf.period_ns),
// analytic: the decay bins are linear in the IRF's sub-bin density, whose derivatives are
// Gaussian densities at the sub-bin edges. Used by the image-sum and per-pixel IRF fits
// (estimate_irf, estimate_pixel_irf) and the IRF-unknown Cramér–Rao bound (crlb.hpp).
void gaussian_irf_jacobian(const Irf& irf, const double* theta, double* jac);


struct FitResult {
  double tau1 = NAN, tau2 = NAN, a = NAN, signal = NAN, background = NAN;
  double tau_mean = NAN, tau_int = NAN;
  double deviance = NAN;   // Poisson deviance at the optimum
  int iterations = 0;
  bool ok = false;
  int components = 2;      // the model that won the selection: 1 mono-, 2 bi-exponential (fit_pixel)
  bool at_bound = false;   // a lifetime of the answer sits at a bound of FitBounds
};

struct FitStart {
  double tau1 = 0.5, tau2 = 2.5, a = 0.5;
};

// Bounds (docs/fit.md): τ in [kFitTauMinNs, fit_tau_max(period)], a in [0, 1], S >= 0, B >= 1e-6.
// τ_max is tied to what the histogram can show: kTauMaxNs (30 ns, 2.5 windows of 135 × 90 ps, the
// library's lifetime range) for a single pulse; with a laser period P also <= P, since a decay
// much slower than the pulses come is a constant there, the background.
constexpr double kFitTauMinNs = 0.02;
double fit_tau_max(double period_ns);

// Model selection (docs/fit.md): `select` fits both models and keeps the bi-exponential answer
// only if it is not at a bound (FitResult::at_bound) and lowers the deviance by more than
// fit_selection_threshold(photons) = 2 ln(photons) (BIC, 2 more parameters, the photons as the
// sample size); else the mono-exponential one (τ1 = τ2 = τm = τI = τ, a = 1, components = 1).
enum class FitModel { select, mono, bi };
extern const char* const kFitModelSelection;  // the rule in words, for reports
double fit_selection_threshold(double photons);

// τ1 <= τ2 on return (swapped with a -> 1 − a if needed). The bi-exponential fit starts from
// `start` (split about its τm if it is itself mono-exponential), the mono one from its τI.
FitResult fit_pixel(const Irf& irf, const float* counts, const FitStart& start, FitModel model = FitModel::select);

// Fits n pixels [n][kBins] with `threads` threads; `done` (if given) counts finished pixels.
// Pixels with fewer than min_photons counts are skipped (ok = false).
std::vector<FitResult> fit_pixels(const Irf& irf, const float* counts, size_t n, const FitStart& start,
                                  double min_photons, int threads, std::atomic<size_t>* done = nullptr);

struct IrfEstimate {
  Irf irf;
  FitResult fit;  // the bi-exponential fitted to the summed decay with it
};
// Gaussian IRF + bi-exponential + background fitted to a decay with many counts (the image sum);
// period_ns as in Irf (the returned IRF carries it).
IrfEstimate estimate_irf(const std::vector<double>& summed, double period_ns = 0);
// The decay summed over n histograms [n][kBins]: what estimate_irf reads.
std::vector<double> summed_decay(const float* counts, size_t n);

// The Gaussian IRF of one pixel when no IRF is known (τI from the photons, photon_moment.hpp):
// fitted by the same likelihood together with a decay of fixed shape (τ1, τ2, a: a network's
// answer) stretched in time by a free factor, the signal and the background; nullopt when the
// pixel has no photons or the fit fails.
std::optional<Irf> estimate_pixel_irf(const float* counts, double tau1, double tau2, double a, double period_ns = 0);

// The window bins of the tails of all earlier pulses, Σ_{n>=1} (IRF * e^(−t/τ))(t + n·P), and
// their τ-derivative (zeros when irf.period_ns is 0). Public for the tests.
void pulse_tail_bins(const Irf& irf, double tau, double* tail, double* dtail);

}  // namespace flimgru
