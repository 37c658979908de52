// accuracy: an estimator's lifetimes on a simulated data set measured against the Cramér–Rao
// bound of the same samples, per photon band — the table behind `flimgru eval` ("crlb") and the
// "RMS error ÷ CRLB" section of docs/results.md (docs/fit.md, "Accuracy against the bound").
//
// For every sample the bound is computed from its own true parameters (labels: τ1, τ2, a, photons,
// background fraction, Gaussian IRF FWHM and peak; simulator.hpp), with the IRF known (crlb()) and
// with the IRF unknown (its FWHM and peak as two more nuisance parameters). The photon count N of
// the bound is the sample's actual count (the label): the bound conditional on the observed
// total, which is what the shape parameters' information is (Poisson counts given their total
// are multinomial; S, the only parameter the total informs, is a nuisance parameter).
//
// Per band (actual photons < 1,000, 1,000–5,000, ≥ 5,000: every sample in exactly one) and per
// quantity q (τm, τI, τ1, τ2, a), over the scored samples i of the band:
//   ratio      = RMS_i(q̂_i − q_i) / RMS_i(σ_i)   (σ_i the bound's standard deviation of q for i)
//   bias_ratio = mean_i(q̂_i − q_i) / RMS_i(σ_i)
// For an efficient unbiased estimator E[(q̂_i − q_i)²] = σ_i², so the ratio estimates 1; below 1
// the estimator beats the bound through bias (the prior of a trained network, a model choice).
// RMS ÷ RMS, not RMS_i(e_i/σ_i): it compares the error a user sees in the band (in ns) with the
// least an unbiased estimator could have on the same pixels, and it does not let the pixels with
// the smallest σ (short lifetimes at the top of a band, where a fixed floor of a few ps is many σ)
// dominate; RMS_i(e_i/σ_i) is reported too ("rms_normalised") as the per-pixel view.
// Scored samples: τ1 where a ≥ kMinAmplitude, τ2 where 1 − a ≥ kMinAmplitude (metrics.hpp: else
// the component is not identifiable), and only where the bound is informative: finite and
// σ_i ≤ the standard deviation of q over the whole set (where the data say less about q than the
// set's own spread, no unbiased estimator competes with guessing the set's mean, and such σ_i —
// up to infinite at τ1 = τ2 — would swamp RMS(σ) of a band). Estimates that are not finite are
// counted ("undefined") and left out. Every exclusion is counted per band and quantity.
#pragma once
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fit.hpp"
#include "lifetimes.hpp"
#include "simulator.hpp"

namespace flimgru {

// Photon bands of the table (actual counts): [edge_k, edge_k+1).
constexpr std::array<double, 4> kCrlbBandEdges{0, 1000, 5000, HUGE_VAL};
constexpr int kCrlbBands = int(kCrlbBandEdges.size()) - 1;
int crlb_band(double photons);

enum { kQTauMean, kQTauInt, kQTau1, kQTau2, kQAmp, kNumQuantities };
extern const std::array<const char*, kNumQuantities> kQuantityNames;  // "tau_mean_ns", ... (JSON keys)

std::array<double, kNumQuantities> quantities(const Lifetimes& l);
// The true values from a labels row (kLabelCols floats).
std::array<double, kNumQuantities> true_quantities(const float* labels);

// The bound's σ of each quantity for one sample (NaN with `reason` where it cannot be computed).
struct SampleBound {
  std::array<double, kNumQuantities> sd{kNaN, kNaN, kNaN, kNaN, kNaN};
  std::string reason;  // empty when computed (σ may still be +inf: not identifiable)
};

// The IRF of sample i: the Gaussian of its labels, or the data set's measured IRF (meta.json
// config.irf_counts). Throws if neither is there.
Irf sample_irf(const Dataset& ds, size_t i);

// The bound of every sample of ds, IRF known or unknown (a measured IRF has no width and position
// to estimate: NaN with that reason), over `threads` threads.
std::vector<SampleBound> sample_bounds(const Dataset& ds, bool irf_unknown, int threads);

// The maximum-likelihood fit (fit_pixel; `model` select: with the mono/bi model selection) of
// every sample with its own true IRF given (sample_irf), over `threads` threads.
std::vector<FitResult> fit_samples(const Dataset& ds, int threads, FitModel model = FitModel::select);

// The table (layout in docs/formats.md, "eval report"): {bands: [{photons_min, photons_max?,
// samples, quantities: {<q>: {n, ratio, bias_ratio, rms_error, bias, rms_bound, rms_normalised,
// excluded_amplitude, excluded_bound, undefined}}}], informative_sd: {<q>: sd of the truth}}.
// est[i] the estimate of sample i (NaN where it gave none).
nlohmann::json crlb_table(const Dataset& ds, const std::vector<Lifetimes>& est, const std::vector<SampleBound>& bounds);

// The markdown section of docs/results.md from eval reports (flimgru eval --out) that hold a
// "crlb" table: per bound (IRF unknown, IRF known) and quantity, a row per model and precision,
// ratio / bias ratio / samples per band.
std::string crlb_markdown(const std::vector<nlohmann::json>& evals);

}  // namespace flimgru
