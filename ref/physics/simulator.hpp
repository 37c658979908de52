// simulator: synthetic FLIM decay histograms (TPSFs) from a bi-exponential decay convolved
// exactly with a Gaussian or measured IRF, plus Poisson photon noise and uniform background,
// together with the training targets (the 3-channel SFD) and labels.
//
// Physics of one sample (times in ns, window [0, kBins·kBinNs)):
//   d(t) = a·e^(-t/τ1) + (1-a)·e^(-t/τ2) for t >= 0
//   y = IRF * d, integrated over each bin; p = y / Σ_window y
//   λ_k = N·((1-b)·p_k + b/kBins),  counts_k ~ Poisson(λ_k)
// The IRF is piecewise constant on sub-bins of width δ = kBinNs/kSubBins; the convolution of
// that representation with each exponential is exact (see convolve_exponential).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataset.hpp"
#include "tpsf.hpp"

namespace flimgru {

constexpr int kSubBins = 8;  // IRF sub-bins per histogram bin

// A closed interval to draw from; lo == hi fixes the value.
struct Range {
  double lo = 0, hi = 0;
  static Range fixed(double v) { return {v, v}; }
  bool is_fixed() const { return lo == hi; }
};

struct SimConfig {
  Range photons{200, 50000};  // total expected counts N, log-uniform
  Range tau1{0.05, 3.0};      // ns, uniform; tau1/tau2 are swapped so that tau2 >= tau1
  Range tau2{0.05, 3.0};      // ns, uniform
  Range amplitude{0.0, 1.0};  // a, uniform
  Range background{0.0, 0.05};  // b, uniform
  Range irf_fwhm{0.15, 0.6};  // ns, uniform (Gaussian IRF only)
  Range irf_peak{0.5, 2.0};   // ns after window start, uniform (Gaussian IRF only)
  std::vector<double> measured_irf;  // empty: Gaussian IRF; else kBins counts on the TPSF grid
  std::string measured_irf_source;   // where measured_irf came from (for meta.json)
  uint64_t seed = 1;

  void validate() const;  // throws Error on empty/negative/inverted ranges
  nlohmann::json to_json() const;
};

// The drawn parameters of one sample.
struct SampleParams {
  double tau1 = 1, tau2 = 2, amplitude = 0.5;
  double photons = 1000, background = 0;
  double irf_fwhm = 0.3, irf_peak = 1.0;  // ignored with a measured IRF
};

struct Sample {
  SampleParams params;
  std::array<double, kBins> expected{};  // λ_k, the noise-free expected counts
  std::array<uint32_t, kBins> counts{};
  std::array<float, kBins * kChannels> sfd{};  // bin-major, then channel
  std::array<float, kLabelCols> labels{};
};

// --- building blocks (public for the tests) ---

// splitmix64 of (seed, index): the seed of sample `index`'s own generator.
uint64_t splitmix64(uint64_t seed, uint64_t index);

// xoshiro256** generator with a portable uniform and Poisson sampler.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  double uniform();                        // [0, 1), 53 bits
  double uniform(double lo, double hi);    // lo + (hi-lo)·uniform()
  uint32_t poisson(double lambda);         // multiplication method below 10, PTRS above

 private:
  uint64_t s_[4];
};

// Exact convolution of a piecewise-constant input (density h[m] on sub-bin m of width delta)
// with e^(-t/tau), t >= 0: returns Y[m] = ∫ over sub-bin m of (h * e^(-·/tau))(t) dt.
std::vector<double> convolve_exponential(const std::vector<double>& h, double delta, double tau);

// Gaussian IRF density on sub-bins of width delta starting at t0 (ns): the Gaussian probability
// of each sub-bin (erf differences) divided by delta. n_sub sub-bins.
std::vector<double> gaussian_irf_density(double fwhm, double peak, double t0, double delta,
                                         size_t n_sub);

// Expected normalized histogram p (sums to 1 over the window) for the decay parameters of
// `params` and either a Gaussian IRF (measured_irf empty) or a measured IRF of kBins counts.
std::array<double, kBins> expected_histogram(const SampleParams& params,
                                             const std::vector<double>& measured_irf);

// The 3-channel SFD at bin starts t_k = k·kBinNs (bin-major, then channel).
std::array<float, kBins * kChannels> sfd_targets(double tau1, double tau2, double amplitude);

// Draw sample `index` of the data set defined by `cfg` (deterministic in cfg.seed and index).
Sample simulate_one(const SimConfig& cfg, uint64_t index);

// Draw samples 0..n-1 with `threads` threads (result independent of `threads`).
Dataset simulate(const SimConfig& cfg, size_t n, int threads);

// Read a measured IRF: text, one number per line (blank lines and '#' comments allowed),
// exactly kBins finite non-negative values, not all zero. Errors name the file and line.
std::vector<double> read_irf_file(const std::string& path);

}  // namespace flimgru
