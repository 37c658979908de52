// accuracy: per-sample Cramér–Rao bounds of a simulated set, the per-band RMS error ÷ bound table
// and its markdown (accuracy.hpp).
#include "accuracy.hpp"

#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "crlb.hpp"
#include "error.hpp"
#include "metrics.hpp"
#include "parallel.hpp"

namespace flimgru {

const std::array<const char*, kNumQuantities> kQuantityNames = {"tau_mean_ns", "tau_int_ns", "tau1_ns", "tau2_ns",
                                                                 "a"};

int crlb_band(double photons) {
  int k = 0;
  while (k + 1 < kCrlbBands && photons >= kCrlbBandEdges[k + 1]) ++k;
  return k;
}

std::array<double, kNumQuantities> quantities(const Lifetimes& l) {
  return {l.tau_mean_ns, l.tau_int_ns, l.tau1_ns, l.tau2_ns, l.a};
}

std::array<double, kNumQuantities> true_quantities(const float* lab) {
  const double t1 = lab[kLabelTau1], t2 = lab[kLabelTau2], a = lab[kLabelAmp];
  return {tau_mean(t1, t2, a), tau_int(t1, t2, a), t1, t2, a};
}

Irf sample_irf(const Dataset& ds, size_t i) {
  const float* lab = &ds.labels[i * kLabelCols];
  if (std::isfinite(lab[kLabelIrfFwhm]) && std::isfinite(lab[kLabelIrfPeak]))
    return Irf::gaussian(lab[kLabelIrfFwhm], lab[kLabelIrfPeak]);
  if (ds.meta.contains("config") && ds.meta["config"].contains("irf_counts"))
    return Irf::from_grid(ds.meta["config"]["irf_counts"].get<std::vector<double>>(), "the data set's measured IRF");
  throw Error("sample " + std::to_string(i) + ": no Gaussian IRF in its labels and no measured IRF in meta.json");
}

std::vector<SampleBound> sample_bounds(const Dataset& ds, bool irf_unknown, int threads) {
  std::vector<SampleBound> out(ds.n);
  parallel_for(ds.n, threads, [&](int, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const float* lab = &ds.labels[i * kLabelCols];
      SampleBound& sb = out[i];
      const bool gaussian = std::isfinite(lab[kLabelIrfFwhm]) && std::isfinite(lab[kLabelIrfPeak]);
      if (irf_unknown && !gaussian) {
        sb.reason = "measured IRF: no Gaussian width and position to treat as unknown";
        continue;
      }
      if (!(lab[kLabelPhotons] > 0)) {
        sb.reason = "no photons";
        continue;
      }
      const CrlbResult r = crlb(sample_irf(ds, i), lab[kLabelTau1], lab[kLabelTau2], lab[kLabelAmp],
                                lab[kLabelPhotons], lab[kLabelBackground], irf_unknown);
      sb.sd = {r.sd_tau_mean, r.sd_tau_int, r.sd_tau1, r.sd_tau2, r.sd_a};
    }
  });
  return out;
}

std::vector<FitResult> fit_samples(const Dataset& ds, int threads, FitModel model) {
  std::vector<FitResult> out(ds.n);
  std::vector<float> c(ds.n * kBins);
  for (size_t i = 0; i < c.size(); ++i) c[i] = float(ds.counts[i]);
  parallel_blocks(ds.n, threads, 16, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = fit_pixel(sample_irf(ds, i), &c[i * kBins], FitStart{}, model);
  });
  return out;
}

namespace {

struct Acc {
  int64_t n = 0, excluded_amplitude = 0, excluded_bound = 0, undefined = 0;
  double se = 0, se2 = 0, sb2 = 0, sz2 = 0;
};

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

nlohmann::json crlb_table(const Dataset& ds, const std::vector<Lifetimes>& est, const std::vector<SampleBound>& bounds) {
  if (est.size() != ds.n || bounds.size() != ds.n) throw Error("crlb_table: estimates, bounds and samples differ in number");
  // The set's spread of each true quantity (over the samples where it is identifiable).
  std::array<double, kNumQuantities> informative{};
  for (int q = 0; q < kNumQuantities; ++q) {
    double s = 0, s2 = 0;
    int64_t m = 0;
    for (size_t i = 0; i < ds.n; ++i) {
      const float* lab = &ds.labels[i * kLabelCols];
      if ((q == kQTau1 && lab[kLabelAmp] < kMinAmplitude) || (q == kQTau2 && 1 - lab[kLabelAmp] < kMinAmplitude)) continue;
      const double v = true_quantities(lab)[q];
      s += v, s2 += v * v, ++m;
    }
    informative[q] = m > 1 ? std::sqrt(std::max(0.0, (s2 - s * s / m) / (m - 1))) : NAN;
  }
  std::array<std::array<Acc, kNumQuantities>, kCrlbBands> acc{};
  std::array<int64_t, kCrlbBands> samples{};
  std::string unavailable;
  for (size_t i = 0; i < ds.n; ++i) {
    const float* lab = &ds.labels[i * kLabelCols];
    const int band = crlb_band(lab[kLabelPhotons]);
    ++samples[band];
    const auto truth = true_quantities(lab);
    const auto e = quantities(est[i]);
    for (int q = 0; q < kNumQuantities; ++q) {
      Acc& A = acc[band][q];
      if ((q == kQTau1 && lab[kLabelAmp] < kMinAmplitude) || (q == kQTau2 && 1 - lab[kLabelAmp] < kMinAmplitude)) {
        ++A.excluded_amplitude;
        continue;
      }
      const double sd = bounds[i].sd[q];
      if (!bounds[i].reason.empty()) unavailable = bounds[i].reason;
      if (!(sd <= informative[q])) {  // NaN (not computed), infinite, or wider than the set's spread
        ++A.excluded_bound;
        continue;
      }
      if (!std::isfinite(e[q])) {
        ++A.undefined;
        continue;
      }
      const double err = e[q] - truth[q];
      ++A.n;
      A.se += err;
      A.se2 += err * err;
      A.sb2 += sd * sd;
      A.sz2 += sd > 0 ? err * err / (sd * sd) : 0;
    }
  }
  nlohmann::json j;
  j["bands"] = nlohmann::json::array();
  for (int b = 0; b < kCrlbBands; ++b) {
    nlohmann::json band = {{"photons_min", kCrlbBandEdges[b]}, {"samples", samples[b]}};
    if (std::isfinite(kCrlbBandEdges[b + 1])) band["photons_max"] = kCrlbBandEdges[b + 1];
    for (int q = 0; q < kNumQuantities; ++q) {
      const Acc& A = acc[b][q];
      const double n = A.n ? double(A.n) : NAN;
      const double rms_e = std::sqrt(A.se2 / n), rms_b = std::sqrt(A.sb2 / n), bias = A.se / n;
      band["quantities"][kQuantityNames[q]] = {
          {"n", A.n}, {"ratio", num(rms_e / rms_b)}, {"bias_ratio", num(bias / rms_b)}, {"rms_error", num(rms_e)},
          {"bias", num(bias)}, {"rms_bound", num(rms_b)}, {"rms_normalised", num(std::sqrt(A.sz2 / n))},
          {"excluded_amplitude", A.excluded_amplitude}, {"excluded_bound", A.excluded_bound},
          {"undefined", A.undefined}};
    }
    j["bands"].push_back(band);
  }
  for (int q = 0; q < kNumQuantities; ++q) j["informative_sd"][kQuantityNames[q]] = num(informative[q]);
  if (!unavailable.empty()) j["unavailable"] = unavailable;
  return j;
}

namespace {

std::string fmt(double v, int digits, bool sign = false) {
  if (!std::isfinite(v)) return "—";
  char b[64];
  std::snprintf(b, sizeof b, sign ? "%+.*f" : "%.*f", digits, v);
  return b;
}

double jnum(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

std::string band_label(const nlohmann::json& b) {
  const double lo = jnum(b["photons_min"]);
  auto k = [](double v) { return fmt(v / 1000, 0) + "k"; };
  if (!b.contains("photons_max")) return "≥ " + k(lo);
  return lo > 0 ? k(lo) + "–" + k(jnum(b["photons_max"])) : "< " + k(jnum(b["photons_max"]));
}

}  // namespace

std::string crlb_markdown(const std::vector<nlohmann::json>& evals) {
  struct Row {
    std::string model, set, backend;
    const nlohmann::json* crlb;
  };
  std::vector<Row> rows;
  for (const auto& e : evals) {
    if (!e.contains("results")) continue;
    const std::string set = std::filesystem::path(e.value("data", std::string("?"))).filename().string();
    for (const auto& [backend, r] : e["results"].items())
      if (r.contains("crlb")) rows.push_back({e.value("name", std::string("?")), set, backend, &r["crlb"]});
  }
  if (rows.empty()) return "";
  std::ostringstream md;
  md << "\n## RMS error ÷ Cramér–Rao bound by photon band\n\n"
     << "Generated by `flimgru eval` (its \"crlb\" tables; definitions in docs/fit.md, \"Accuracy against the "
        "bound\"). Per sample the bound is computed from its own true parameters; per band and quantity, "
        "ratio = RMS(error) / RMS(bound σ) and bias = mean(error) / RMS(bound σ) over the scored samples (n): "
        "1.00 is an efficient unbiased estimator, below 1 an estimator that beats the bound through bias "
        "(a network's prior). The fit is the maximum-likelihood fit with each sample's true IRF given "
        "(`fit`: with the mono/bi model selection; `fit-bi`: always bi-exponential), so its rows under the "
        "IRF-unknown bound are not like for like. A width-1 network is not told the IRF (its τI is its "
        "whole decay's first moment, docs/numerics.md §7a) except in the rows \"IRF given\" (each sample's "
        "own) and \"IRF estimated\" (one Gaussian fitted to the set's summed decay); an IRF-conditioned "
        "model is always given it; with an IRF, τI comes from the photons (§7b). Reproduce with "
        "`make results` (or `scripts/make-results.sh MODEL... fit irf-given`); one model: `flimgru eval "
        "--data build/data/test20k --model weights/MODEL/model.safetensors --backend float,int8 "
        "[--irf-given]`; the fit: `flimgru eval --data build/data/test20k --backend fit,fit-bi`.\n";
  const char* names[kNumQuantities] = {"τm", "τI", "τ1", "τ2", "a"};
  for (const char* kind : {"irf_unknown", "irf_known"}) {
    md << "\n### " << (std::string(kind) == "irf_unknown"
                           ? "Bound with the IRF unknown (its FWHM and peak estimated too)"
                           : "Bound with the IRF known")
       << "\n";
    for (int q = 0; q < kNumQuantities; ++q) {
      const nlohmann::json* first = nullptr;
      for (const auto& r : rows)
        if (r.crlb->contains(kind) && (*r.crlb)[kind].contains("bands")) {
          first = &(*r.crlb)[kind]["bands"];
          break;
        }
      if (!first) continue;
      md << "\n" << names[q] << ": ratio / bias / n\n\n| model | set | precision |";
      for (const auto& b : *first) md << " " << band_label(b) << " |";
      md << "\n|---|---|---|";
      for (size_t k = 0; k < first->size(); ++k) md << "---|";
      md << "\n";
      for (const auto& r : rows) {
        if (!r.crlb->contains(kind) || !(*r.crlb)[kind].contains("bands")) continue;
        md << "| " << r.model << " | " << r.set << " | " << r.backend << " |";
        for (const auto& b : (*r.crlb)[kind]["bands"]) {
          const auto& s = b["quantities"][kQuantityNames[q]];
          md << " " << fmt(jnum(s["ratio"]), 2) << " / " << fmt(jnum(s["bias_ratio"]), 2, true) << " / "
             << s.value("n", 0) << " |";
        }
        md << "\n";
      }
    }
  }
  return md.str();
}

}  // namespace flimgru
