// simulator: bi-exponential decay * IRF (exact piecewise-constant convolution), Poisson photon
// counts with uniform background, SFD targets and labels; multithreaded and seed-deterministic.
#include "simulator.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "error.hpp"
#include "parallel.hpp"

namespace flimgru {

namespace {

void check_range(const Range& r, const char* name, double min_lo, bool lo_open, double max_hi) {
  bool ok = std::isfinite(r.lo) && std::isfinite(r.hi) && r.lo <= r.hi &&
            (lo_open ? r.lo > min_lo : r.lo >= min_lo) && r.hi <= max_hi;
  if (!ok) {
    std::ostringstream os;
    os << "simulator config: " << name << " range [" << r.lo << ", " << r.hi
       << "] is invalid (need " << min_lo << (lo_open ? " < " : " <= ") << "min <= max <= "
       << max_hi << ")";
    throw Error(os.str());
  }
}

nlohmann::json range_json(const Range& r) { return nlohmann::json::array({r.lo, r.hi}); }

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t splitmix_next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Start of the simulation grid before the window (ns, <= 0), in whole bins, so that the
// Gaussian IRF is represented down to 10 sigma before its peak.
int gaussian_pad_bins(double fwhm, double peak) {
  double sigma = fwhm / (2.0 * std::sqrt(2.0 * std::log(2.0)));
  double need = 10.0 * sigma - peak;
  return need > 0 ? static_cast<int>(std::ceil(need / kBinNs)) : 0;
}

}  // namespace

void SimConfig::validate() const {
  const double inf = std::numeric_limits<double>::max();
  check_range(photons, "photons", 0.0, true, inf);
  check_range(tau1, "tau1", 0.0, true, inf);
  check_range(tau2, "tau2", 0.0, true, inf);
  check_range(amplitude, "amplitude", 0.0, false, 1.0);
  check_range(background, "background", 0.0, false, 0.999);
  if (measured_irf.empty()) {
    check_range(irf_fwhm, "irf-fwhm", 0.0, true, inf);
    check_range(irf_peak, "irf-peak", -inf, false, inf);
  } else {
    std::string src = measured_irf_source.empty() ? "measured IRF" : measured_irf_source;
    if (measured_irf.size() != static_cast<size_t>(kBins))
      throw file_error(src, std::to_string(measured_irf.size()) + " values but an IRF needs " +
                                std::to_string(kBins));
    double sum = 0;
    for (double v : measured_irf) {
      if (!std::isfinite(v) || v < 0) throw file_error(src, "IRF values must be finite and >= 0");
      sum += v;
    }
    if (sum <= 0) throw file_error(src, "IRF is all zeros");
  }
}

nlohmann::json SimConfig::to_json() const {
  nlohmann::json j;
  j["photons"] = range_json(photons);
  j["photons_distribution"] = "log-uniform";
  j["tau1_ns"] = range_json(tau1);
  j["tau2_ns"] = range_json(tau2);
  j["amplitude"] = range_json(amplitude);
  j["background_fraction"] = range_json(background);
  if (measured_irf.empty()) {
    j["irf"] = "gaussian";
    j["irf_fwhm_ns"] = range_json(irf_fwhm);
    j["irf_peak_ns"] = range_json(irf_peak);
  } else {
    j["irf"] = "measured";
    j["irf_file"] = measured_irf_source;
    j["irf_counts"] = measured_irf;
  }
  j["sub_bins"] = kSubBins;
  return j;
}

uint64_t splitmix64(uint64_t seed, uint64_t index) {
  uint64_t state = seed ^ (index * 0xD1B54A32D192ED03ULL);
  splitmix_next(state);
  state += index;
  return splitmix_next(state);
}

Rng::Rng(uint64_t seed) {
  uint64_t st = seed;
  for (auto& s : s_) s = splitmix_next(st);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

uint32_t Rng::poisson(double lambda) {
  if (!(lambda >= 0)) throw Error("poisson: negative or NaN mean");
  if (lambda < 10) {  // multiplication method
    const double limit = std::exp(-lambda);
    double p = 1.0;
    uint32_t k = 0;
    for (;;) {
      p *= uniform();
      if (p <= limit) return k;
      ++k;
    }
  }
  // PTRS: Hörmann (1993), transformed rejection with squeeze (as in NumPy).
  const double slam = std::sqrt(lambda), loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = uniform() - 0.5;
    const double v = uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<uint32_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -lambda + k * loglam - std::lgamma(k + 1))
      return static_cast<uint32_t>(k);
  }
}

std::vector<double> convolve_exponential(const std::vector<double>& h, double delta, double tau) {
  // Source sub-bin j, target sub-bin m = j + d:
  //   d = 0:  ∫_0^δ ∫_0^t e^(-(t-s)/τ) ds dt = τδ − τ²(1−q)
  //   d >= 1: τ²(1−q)²/q · q^d,  q = e^(−δ/τ)
  // Y_m = h_m·K0 + τ²(1−q)²·T_m with T_m = Σ_{j<m} h_j q^(m−j−1) = q·T_{m−1} + h_{m−1}
  // (the 1/q folded into T so that tiny τ cannot divide by zero).
  const double one_minus_q = -std::expm1(-delta / tau);
  const double q = 1.0 - one_minus_q;
  const double k0 = tau * delta - tau * tau * one_minus_q;
  const double c = tau * tau * one_minus_q * one_minus_q;
  std::vector<double> y(h.size());
  double t = 0;
  for (size_t m = 0; m < h.size(); ++m) {
    if (m > 0) t = q * t + h[m - 1];
    y[m] = h[m] * k0 + c * t;
  }
  return y;
}

std::vector<double> gaussian_irf_density(double fwhm, double peak, double t0, double delta,
                                         size_t n_sub) {
  const double sigma = fwhm / (2.0 * std::sqrt(2.0 * std::log(2.0)));
  const double scale = 1.0 / (sigma * std::sqrt(2.0));
  // Each edge e gets the tail mass on its far side from the peak, via erfc (which keeps relative
  // precision far out in the tails): P(T < e) left of the peak, P(T > e) right of it.
  std::vector<double> tail(n_sub + 1);
  for (size_t m = 0; m <= n_sub; ++m) {
    const double e = t0 + static_cast<double>(m) * delta;
    const double x = std::fabs(e - peak) * scale;
    tail[m] = x > 10.0 ? 0.0 : 0.5 * std::erfc(x);  // erfc(10) = 2e-45: skip the costly call
  }
  std::vector<double> h(n_sub);
  for (size_t m = 0; m < n_sub; ++m) {
    const double a = t0 + static_cast<double>(m) * delta;
    const double b = t0 + static_cast<double>(m + 1) * delta;
    double p;
    if (b <= peak) p = tail[m + 1] - tail[m];       // both edges left of the peak
    else if (a >= peak) p = tail[m] - tail[m + 1];  // both edges right of the peak
    else p = 1.0 - tail[m] - tail[m + 1];           // the sub-bin holds the peak
    h[m] = std::max(p, 0.0) / delta;
  }
  return h;
}

std::array<double, kBins> expected_histogram(const SampleParams& params,
                                             const std::vector<double>& measured_irf) {
  const double delta = kBinNs / kSubBins;
  int pad = 0;
  std::vector<double> h;
  if (measured_irf.empty()) {
    pad = gaussian_pad_bins(params.irf_fwhm, params.irf_peak);
    h = gaussian_irf_density(params.irf_fwhm, params.irf_peak, -pad * kBinNs, delta,
                             static_cast<size_t>((pad + kBins) * kSubBins));
  } else {
    if (measured_irf.size() != static_cast<size_t>(kBins))
      throw Error("measured IRF: " + std::to_string(measured_irf.size()) + " values, need " +
                  std::to_string(kBins));
    h.resize(static_cast<size_t>(kBins * kSubBins));
    for (int k = 0; k < kBins; ++k)
      for (int s = 0; s < kSubBins; ++s) h[k * kSubBins + s] = measured_irf[k] / kBinNs;
  }
  const std::vector<double> y1 = convolve_exponential(h, delta, params.tau1);
  const std::vector<double> y2 = convolve_exponential(h, delta, params.tau2);
  std::array<double, kBins> p{};
  double total = 0;
  for (int k = 0; k < kBins; ++k) {
    double acc = 0;
    for (int s = 0; s < kSubBins; ++s) {
      const size_t m = static_cast<size_t>((pad + k) * kSubBins + s);
      acc += params.amplitude * y1[m] + (1.0 - params.amplitude) * y2[m];
    }
    p[k] = acc;
    total += acc;
  }
  if (!(total > 0)) throw Error("simulator: convolved decay has no signal inside the window");
  for (double& v : p) v /= total;
  return p;
}

std::array<float, kBins * kChannels> sfd_targets(double tau1, double tau2, double amplitude) {
  std::array<float, kBins * kChannels> out{};
  for (int k = 0; k < kBins; ++k) {
    const double t = k * kBinNs;
    const float c1 = static_cast<float>(amplitude * std::exp(-t / tau1));
    const float c2 = static_cast<float>((1.0 - amplitude) * std::exp(-t / tau2));
    out[k * kChannels + 0] = c1 + c2;  // computed in float so that ch1 + ch2 == ch0 exactly
    out[k * kChannels + 1] = c1;
    out[k * kChannels + 2] = c2;
  }
  return out;
}

Sample simulate_one(const SimConfig& cfg, uint64_t index) {
  Rng rng(splitmix64(cfg.seed, index));
  Sample s;
  SampleParams& p = s.params;
  // Fixed draw order (every draw is made even for fixed ranges, so fixing one parameter does
  // not change the others).
  p.tau1 = rng.uniform(cfg.tau1.lo, cfg.tau1.hi);
  p.tau2 = rng.uniform(cfg.tau2.lo, cfg.tau2.hi);
  if (p.tau2 < p.tau1) std::swap(p.tau1, p.tau2);
  p.amplitude = rng.uniform(cfg.amplitude.lo, cfg.amplitude.hi);
  p.photons = std::exp(rng.uniform(std::log(cfg.photons.lo), std::log(cfg.photons.hi)));
  if (cfg.photons.is_fixed()) p.photons = cfg.photons.lo;  // exact, not exp(log(v))
  p.background = rng.uniform(cfg.background.lo, cfg.background.hi);
  const double fwhm = rng.uniform(cfg.irf_fwhm.lo, cfg.irf_fwhm.hi);
  const double peak = rng.uniform(cfg.irf_peak.lo, cfg.irf_peak.hi);
  const bool measured = !cfg.measured_irf.empty();
  p.irf_fwhm = measured ? std::nan("") : fwhm;
  p.irf_peak = measured ? std::nan("") : peak;

  const std::array<double, kBins> shape = expected_histogram(p, cfg.measured_irf);
  uint64_t total = 0;
  for (int k = 0; k < kBins; ++k) {
    s.expected[k] = p.photons * ((1.0 - p.background) * shape[k] + p.background / kBins);
    s.counts[k] = rng.poisson(s.expected[k]);
    total += s.counts[k];
  }
  s.sfd = sfd_targets(p.tau1, p.tau2, p.amplitude);
  s.labels[kLabelTau1] = static_cast<float>(p.tau1);
  s.labels[kLabelTau2] = static_cast<float>(p.tau2);
  s.labels[kLabelAmp] = static_cast<float>(p.amplitude);
  s.labels[kLabelPhotons] = static_cast<float>(total);
  s.labels[kLabelBackground] = static_cast<float>(p.background);
  s.labels[kLabelIrfFwhm] = static_cast<float>(p.irf_fwhm);
  s.labels[kLabelIrfPeak] = static_cast<float>(p.irf_peak);
  return s;
}

Dataset simulate(const SimConfig& cfg, size_t n, int threads) {
  cfg.validate();
  Dataset ds;
  ds.n = n;
  ds.counts.resize(n * kBins);
  ds.sfd.resize(n * kBins * kChannels);
  ds.labels.resize(n * kLabelCols);

  parallel_blocks(n, threads, 256, [&](size_t start, size_t end) {
    for (size_t i = start; i < end; ++i) {
      const Sample s = simulate_one(cfg, i);
      std::copy(s.counts.begin(), s.counts.end(), ds.counts.begin() + i * kBins);
      std::copy(s.sfd.begin(), s.sfd.end(), ds.sfd.begin() + i * kBins * kChannels);
      std::copy(s.labels.begin(), s.labels.end(), ds.labels.begin() + i * kLabelCols);
    }
  });

  nlohmann::json meta;
  meta["format"] = "flimgru-dataset";
  meta["format_version"] = 1;
  meta["n"] = n;
  meta["bins"] = kBins;
  meta["bin_ns"] = kBinNs;
  meta["channels"] = kChannels;
  meta["seed"] = cfg.seed;
  meta["label_columns"] = std::vector<std::string>(kLabelNames.begin(), kLabelNames.end());
  meta["config"] = cfg.to_json();
  ds.meta = meta;
  return ds;
}

std::vector<double> read_irf_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw file_error(path, "cannot open IRF file");
  std::vector<double> values;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    const std::string token = line.substr(first, last - first + 1);
    const std::string where = "line " + std::to_string(line_no) + ": ";
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || *end != '\0' || errno == ERANGE)
      throw file_error(path, where + "'" + token + "' is not one number");
    if (!std::isfinite(v)) throw file_error(path, where + "value is not finite");
    if (v < 0) throw file_error(path, where + "negative count " + token);
    values.push_back(v);
    if (values.size() > static_cast<size_t>(kBins))
      throw file_error(path, where + "more than " + std::to_string(kBins) + " values");
  }
  if (values.size() != static_cast<size_t>(kBins))
    throw file_error(path, std::to_string(values.size()) + " values but an IRF needs " +
                               std::to_string(kBins) + " (one per line)");
  bool any = false;
  for (double v : values) any = any || v > 0;
  if (!any) throw file_error(path, "IRF is all zeros");
  return values;
}

}  // namespace flimgru
