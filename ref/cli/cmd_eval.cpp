// flimgru eval: accuracy of one or more backends (and of the fit) on a simulated data set
// (metrics.hpp), and their RMS error against the Cramér–Rao bound per photon band (accuracy.hpp).
// An IRF-conditioned model (input width 2) is given each sample's own IRF (irf_input.hpp:
// dataset_irf_inputs, from the labels or the set's measured IRF). An estimator that knows the IRF
// (an IRF-conditioned model; any model with --irf-given) takes τI from the photons
// (photon_moment.hpp), as `infer --irf` and `image` do; --tau-int chooses another rule.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>

#include "accuracy.hpp"
#include "backend.hpp"
#include "parallel.hpp"
#include "photon_moment.hpp"
#include "cli.hpp"
#include "files.hpp"
#include "dataset.hpp"
#include "error.hpp"
#include "irf_input.hpp"
#include "metrics.hpp"
#include "preprocess.hpp"
#include "simulator.hpp"
#include "version.hpp"

namespace flimgru::cli {

namespace {

// Photon-count bands of the breakdown (actual counts of the histogram): [edge_k, edge_k+1).
constexpr std::array<double, 7> kPhotonEdges{0, 500, 1000, 2000, 5000, 10000, HUGE_VAL};
constexpr int kBands = int(kPhotonEdges.size()) - 1;

int photon_band(double photons) {
  int k = 0;
  while (k + 1 < kBands && photons >= kPhotonEdges[k + 1]) ++k;
  return k;
}

// The estimates of one backend on the set: SFDs [n][kBins][kChannels] and lifetimes per sample.
struct Estimates {
  std::vector<float> y;
  std::vector<Lifetimes> lt;
  nlohmann::json model;
  double seconds = 0;
  std::string irf_input;  // how an IRF-conditioned model was given the IRF (empty: width 1)
};

// How a network's τI is scored: `moment` the whole decay's first moment (lifetimes.hpp, the rule
// without an IRF), `components` the component rule (component_tau_int, for comparison), `photons`
// the photons' first moment with the IRF (photon_moment.hpp), `auto` photons when the estimator
// knows an IRF, else moment. The IRF: each sample's own (labels) for an IRF-conditioned model or
// with --irf-given; with --irf-estimated the one Gaussian IRF fitted to the whole set's summed
// decay (as `image` estimates an image's), for every sample and as an IRF-conditioned model's input;
// with --irf-gaussian one Gaussian given by the user, used the same way (how a model copes with an
// IRF that is close but not each sample's own);
// with --irf-pixel each pixel's own, fitted with the network's decay shape (no IRF from outside).
struct TauIntRule {
  std::string rule = "auto";
  bool irf_given = false, irf_estimated = false, irf_pixel = false;
  std::vector<double> irf_gaussian;  // FWHM, peak (ns): one IRF for every sample
  std::optional<Irf> estimated;      // the one IRF for every sample: fitted or --irf-gaussian
  std::string resolve(bool reads_irf) const {
    return rule != "auto" ? rule : reads_irf || irf_given || estimated || irf_pixel ? "photons" : "moment";
  }
  Irf irf_of(const Dataset& ds, size_t i) const { return estimated ? *estimated : sample_irf(ds, i); }
};
const std::map<std::string, const char*> kTauIntRuleText = {
    {"moment", "the whole decay's first moment (lifetimes.hpp)"},
    {"components", "component rule: tau_int of tau1, tau2, a (not the first moment)"},
    {"photons", kPhotonTauIntRule}};

// τI of every estimate by `rule` (resolved); counts [n][kBins].
void apply_tau_int_rule(const std::string& rule, const TauIntRule& how, const Dataset& ds,
                        const std::vector<float>& counts, std::vector<Lifetimes>& lt, int threads) {
  if (rule == "components")
    for (Lifetimes& l : lt) l.tau_int_ns = component_tau_int(l);
  if (rule == "photons")
    parallel_for(ds.n, threads, [&](int, size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i)
        lt[i] = how.irf_pixel ? with_photon_tau_int_own_irf(&counts[i * kBins], lt[i])
                              : with_photon_tau_int(how.irf_of(ds, i), &counts[i * kBins], lt[i]);
    });
}

// `irf`: the per-sample IRF inputs [n][kBins], made on first use by an IRF-conditioned model.
Estimates run_backend(const std::string& name, const std::string& model, const Dataset& ds,
                      const std::string& data_dir, const std::vector<float>& counts, const std::vector<float>& x,
                      std::vector<float>& irf, int threads, const TauIntRule& tau_int) {
  Estimates r;
  const size_t n = ds.n;
  r.y.assign(n * kBins * kChannels, 0);
  r.lt.assign(n, kNoLifetimes);
  const auto t0 = std::chrono::steady_clock::now();
  if (name == "fit" || name == "fit-bi") {
    // The maximum-likelihood fit with each sample's true IRF; its SFD is the fitted decay's.
    const bool select = name == "fit";
    const std::vector<FitResult> fits = fit_samples(ds, threads, select ? FitModel::select : FitModel::bi);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int64_t mono = 0, bi = 0, failed = 0, at_bound = 0;
    for (size_t i = 0; i < n; ++i) {
      const FitResult& f = fits[i];
      if (!f.ok) {
        ++failed;
        continue;
      }
      (f.components == 1 ? mono : bi)++;
      at_bound += f.at_bound;
      r.lt[i] = Lifetimes{f.tau1, f.tau2, f.a, f.tau_mean, f.tau_int};
      const auto sfd = sfd_targets(f.tau1, f.tau2, f.a);
      std::copy(sfd.begin(), sfd.end(), r.y.begin() + i * kBins * kChannels);
    }
    r.model = {{"method", "maximum-likelihood fit (fit.hpp), each sample's true IRF given"},
               {"model_selection", select ? kFitModelSelection : "none: always bi-exponential"},
               {"mono", mono}, {"bi", bi}, {"failed", failed}, {"at_bound", at_bound}};
    return r;
  }
  if (name == "labels") {
    // The data set's own noiseless SFDs through the extraction: the extraction's error alone.
    r.y = ds.sfd;
    for (size_t i = 0; i < n; ++i) r.lt[i] = lifetimes_from_sfd(&r.y[i * kBins * kChannels]);
    const std::string rule = tau_int.resolve(false);
    apply_tau_int_rule(rule, tau_int, ds, counts, r.lt, threads);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.model = {{"method", "the data set's SFD labels through the lifetime extraction (lifetimes.hpp)"},
               {"tau_int", kTauIntRuleText.at(rule)}};
    return r;
  }
  auto b = make_backend(name, model, threads);
  const bool with_irf = b->input_width() != 1;
  if (with_irf && irf.empty()) {
    if (tau_int.estimated) {
      const IrfInput one = gaussian_irf_input(tau_int.estimated->fwhm_ns, tau_int.estimated->peak_ns);
      for (size_t i = 0; i < n; ++i) irf.insert(irf.end(), one.begin(), one.end());
    } else {
      irf = dataset_irf_inputs(ds, nullptr, data_dir);
    }
  }
  flimgru::run_backend(*b, x.data(), with_irf ? irf.data() : nullptr, kBins, r.y.data(), n);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (size_t i = 0; i < n; ++i) r.lt[i] = lifetimes_from_sfd(&r.y[i * kBins * kChannels]);
  const std::string rule = tau_int.resolve(with_irf);
  apply_tau_int_rule(rule, tau_int, ds, counts, r.lt, threads);
  r.model = b->describe();
  r.model["tau_int"] = kTauIntRuleText.at(rule);
  if (with_irf)
    r.irf_input = !tau_int.irf_gaussian.empty() ? "the Gaussian IRF of --irf-gaussian, for every sample"
                  : tau_int.estimated ? "the Gaussian IRF fitted to the set's summed decay, for every sample"
                                    : "per sample: its labels' Gaussian IRF (or the set's measured IRF)";
  return r;
}

// Metrics over the whole set, per photon-count band under "by_photons", and the RMS error ÷ CRLB
// tables (accuracy.hpp) under "crlb".
nlohmann::json evaluate(const Estimates& e, const Dataset& ds, const std::vector<SampleBound>& known,
                        const std::vector<SampleBound>& unknown, int threads) {
  const size_t n = ds.n;
  using Accs = std::array<MetricsAccumulator, kBands + 1>;  // [0]: all samples, [1 + k]: band k
  std::vector<Accs> acc(size_t(parallel_chunks(n, threads)));
  parallel_for(n, threads, [&](int chunk, size_t begin, size_t end) {
    Accs a;
    for (size_t i = begin; i < end; ++i) {
      const float* lab = &ds.labels[i * kLabelCols];
      const SampleTruth truth{lab[kLabelTau1], lab[kLabelTau2], lab[kLabelAmp]};
      const float* pred = &e.y[i * kBins * kChannels];
      const float* sfd = &ds.sfd[i * kBins * kChannels];
      a[0].add(pred, sfd, truth, &e.lt[i]);
      a[1 + photon_band(lab[kLabelPhotons])].add(pred, sfd, truth, &e.lt[i]);
    }
    acc[size_t(chunk)] = a;
  });
  Accs all;
  for (auto& a : acc)
    for (int k = 0; k <= kBands; ++k) all[k].merge(a[k]);
  nlohmann::json j = all[0].result();
  j["model"] = e.model;
  j["inference_seconds"] = e.seconds;
  j["tpsf_per_second"] = n / e.seconds;
  j["by_photons"] = nlohmann::json::array();
  for (int k = 0; k < kBands; ++k) {
    if (all[1 + k].count() == 0) continue;
    nlohmann::json band = all[1 + k].result();
    band["photons_min"] = kPhotonEdges[k];
    if (std::isfinite(kPhotonEdges[k + 1])) band["photons_max"] = kPhotonEdges[k + 1];
    j["by_photons"].push_back(band);
  }
  j["crlb"]["irf_known"] = crlb_table(ds, e.lt, known);
  j["crlb"]["irf_unknown"] = crlb_table(ds, e.lt, unknown);
  return j;
}

// The printed summary of the "crlb" tables: a line per bound, backend and quantity.
void print_crlb(const nlohmann::json& report) {
  const char* names[kNumQuantities] = {"tau_mean", "tau_int", "tau1", "tau2", "a"};
  auto v = [](const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; };
  for (const char* kind : {"irf_unknown", "irf_known"}) {
    std::printf("RMS error / CRLB (bias / CRLB) [n], bound with the IRF %s; bands < 1k | 1k-5k | >= 5k photons:\n",
                std::string(kind) == "irf_known" ? "known" : "unknown (FWHM and peak estimated too)");
    for (auto& [name, r] : report["results"].items()) {
      const auto& t = r["crlb"][kind];
      if (t.contains("unavailable")) {
        std::printf("  %-6s not available: %s\n", name.c_str(), t["unavailable"].get<std::string>().c_str());
        continue;
      }
      for (int q = 0; q < kNumQuantities; ++q) {
        std::printf("  %-6s %-8s", name.c_str(), names[q]);
        for (const auto& b : t["bands"]) {
          const auto& s = b["quantities"][kQuantityNames[q]];
          std::printf("  %5.2f (%+5.2f) [%5lld]", v(s["ratio"]), v(s["bias_ratio"]), (long long)s["n"].get<int64_t>());
        }
        std::printf("\n");
      }
    }
  }
}

}  // namespace

void add_eval(CLI::App& app) {
  struct Opts {
    std::string data, model, out, name;
    std::string preprocess = "float";
    std::vector<std::string> backends{"float", "int8"};
    size_t limit = 0;
    int threads = 2;
    bool json = false;
    TauIntRule tau_int;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("eval",
                               "Evaluate backends on a simulated data set: per-channel RMSE, R², L2, DTW and "
                               "lifetime errors against the ground truth, and int-vs-float agreement");
  c->add_option("--data", o->data, "Data set directory (flimgru simulate -o)")->required();
  c->add_option("--model", o->model, "Checkpoint (.safetensors) or ROM set directory (default: the shipped model "
                                    "weights/default; with --irf-given the IRF-conditioned weights/default-irf, "
                                    "as infer runs it)");
  c->add_option("--backend", o->backends,
                "Backends to evaluate: float, int8, int16, fit (the maximum-likelihood fit with the mono/bi model "
                "selection, each sample's true IRF given), fit-bi (the same, always bi-exponential) or labels (the set's own "
                "noiseless SFDs through the lifetime extraction)")->delimiter(',');
  c->add_option("--limit", o->limit, "Evaluate only the first N samples");
  c->add_option("--preprocess", o->preprocess,
                "Pre-processing of the counts (docs/numerics.md §8): float (the host's) or integer (the "
                "on-chip front end's; the inputs x_q that differ from the float form are counted)")
      ->check(CLI::IsMember({"float", "integer"}));
  add_threads_option(c, o->threads);
  c->add_option("-o,--out", o->out, "Also write the JSON report to this file");
  c->add_option("--name", o->name, "Label of the model in the report (flimgru report uses it)");
  c->add_flag("--json", o->json, "Print the report as JSON");
  c->add_flag("--irf-given", o->tau_int.irf_given,
              "Every network knows each sample's IRF (an IRF-conditioned model always does): tau_int from the "
              "photons (docs/numerics.md 7b), as infer --irf and image give it");
  c->add_flag("--irf-estimated", o->tau_int.irf_estimated,
              "As --irf-given, with one Gaussian IRF fitted to the whole set's summed decay (as image estimates an "
              "image's): for sets of one instrument")
      ->excludes("--irf-given");
  c->add_option("--irf-gaussian", o->tau_int.irf_gaussian,
                "As --irf-estimated, with the one Gaussian IRF given: FWHM,PEAK in ns (e.g. a set's mean instrument)")
      ->expected(2)
      ->delimiter(',')
      ->excludes("--irf-given")
      ->excludes("--irf-estimated");
  c->add_flag("--irf-pixel", o->tau_int.irf_pixel,
              "No IRF: each pixel's own Gaussian IRF fitted with the network's decay shape, then tau_int from the "
              "photons (as infer --irf pixel; for a width-1 model)")
      ->excludes("--irf-given")
      ->excludes("--irf-estimated")
      ->excludes("--irf-gaussian");
  c->add_option("--tau-int", o->tau_int.rule,
                "How the networks' tau_int is scored: auto (photons when the IRF is known, else moment), moment "
                "(the whole decay's first moment, 7a), photons (7b) or components (tau1, tau2, a): for comparison")
      ->check(CLI::IsMember({"auto", "moment", "photons", "components"}));
  c->callback([o]() {
    if (!o->out.empty()) check_file_writable(o->out);  // before the evaluation, not after it
    Dataset ds = load_dataset(o->data);
    if (o->limit && o->limit < ds.n) {
      ds.n = o->limit;
      ds.counts.resize(ds.n * kBins);
      ds.sfd.resize(ds.n * kBins * kChannels);
      ds.labels.resize(ds.n * kLabelCols);
    }
    std::vector<float> counts(ds.counts.begin(), ds.counts.end());
    std::vector<float> x = preprocess_batch(counts.data(), ds.n);
    nlohmann::json report = {{"data", o->data}, {"samples", ds.n}, {"name", o->name}};
    report["preprocess"] = {{"form", o->preprocess}};
    if (o->preprocess == "integer") {
      // x = x_q / 2^7 reproduces x_q exactly in the int8 backends' input quantization.
      uint64_t differ = 0, samples_differ = 0;
      for (size_t i = 0; i < ds.n; ++i) {
        const auto q = preprocess_counts_int(ds.counts.data() + i * kBins);
        bool any = false;
        for (int k = 0; k < kBins; ++k) {
          float& xk = x[i * kBins + k];
          const bool d = quantize_value(xk, 7, 8) != q[k];
          differ += d;
          any = any || d;
          xk = float(q[k]) / 128.f;
        }
        samples_differ += any;
      }
      report["preprocess"]["inputs_xq_differing_from_float"] = differ;
      report["preprocess"]["inputs_xq"] = uint64_t(ds.n) * kBins;
      report["preprocess"]["tpsfs_differing_from_float"] = samples_differ;
      if (!o->json)
        std::cout << "integer pre-processing: " << differ << " of " << ds.n * kBins << " inputs x_q (in "
                  << samples_differ << " of " << ds.n << " TPSFs) differ from the float form\n";
    }
    report[kVersionKey] = version_string();
    if (ds.meta.contains("seed")) report["data_seed"] = ds.meta["seed"];
    report["irf_given"] = o->tau_int.irf_given;
    report["irf_pixel"] = o->tau_int.irf_pixel;
    if (o->tau_int.irf_estimated) {
      o->tau_int.estimated = estimate_irf(summed_decay(counts.data(), ds.n)).irf;
      report["irf_estimated"] = {{"fwhm_ns", o->tau_int.estimated->fwhm_ns}, {"peak_ns", o->tau_int.estimated->peak_ns}};
    }
    if (!o->tau_int.irf_gaussian.empty()) {
      const double fwhm = o->tau_int.irf_gaussian[0], peak = o->tau_int.irf_gaussian[1];
      if (!(fwhm > 0 && fwhm <= 3) || !(peak >= -1 && peak <= kBins * kBinNs))
        throw Error("--irf-gaussian: need 0 < FWHM <= 3 ns and -1 ns <= PEAK <= the window end (12.15 ns)");
      o->tau_int.estimated = Irf::gaussian(fwhm, peak);
      report["irf_gaussian"] = {{"fwhm_ns", fwhm}, {"peak_ns", peak}};
    }
    // The bound of every sample, once for all backends.
    const std::vector<SampleBound> known = sample_bounds(ds, false, o->threads);
    const std::vector<SampleBound> unknown = sample_bounds(ds, true, o->threads);
    std::map<std::string, std::vector<float>> outputs;
    std::vector<float> irf;  // per-sample IRF inputs, made when a model reads them
    for (const auto& name : o->backends) {
      // --irf-given and no --model: the IRF-conditioned default, as `infer --irf labels` runs it.
      const std::string model = model_for_run(name, o->model, o->tau_int.irf_given);
      Estimates e = run_backend(name, model, ds, o->data, counts, x, irf, o->threads, o->tau_int);
      report["results"][name] = evaluate(e, ds, known, unknown, o->threads);
      if (!e.irf_input.empty()) report["results"][name]["irf_input"] = e.irf_input;
      outputs[name] = std::move(e.y);
    }
    // Agreement of each integer backend with the float one, on the whole-decay channel.
    if (outputs.count("float"))
      for (auto& [name, y] : outputs) {
        if (name == "float" || name == "fit" || name == "fit-bi" || name == "labels") continue;
        double se = 0, mx = 0;
        const auto& f = outputs["float"];
        for (size_t i = 0; i < y.size(); ++i) {
          const double d = double(y[i]) - f[i];
          se += d * d;
          mx = std::max(mx, std::fabs(d));
        }
        report["agreement"][name + "_vs_float"] = {{"rmse", std::sqrt(se / y.size())}, {"max_abs", mx}};
      }
    if (!o->out.empty()) write_file(o->out, report.dump(2) + "\n");
    if (o->json) {
      std::cout << report.dump(2) << "\n";
      return;
    }
    std::cout << "eval on " << ds.n << " TPSFs of " << o->data << " (whole-decay channel):\n";
    for (auto& [name, r] : report["results"].items()) {
      const auto& d = r["channels"]["decay"];
      std::cout << "  " << std::setw(6) << name << "  RMSE " << std::setprecision(4) << d["rmse"].get<double>()
                << "  R² " << d["r2"].get<double>() << "  L2 " << d["l2"].get<double>() << "  DTW "
                << d["dtw"].get<double>() << "  tau_mean MAE " << r["lifetimes"]["tau_mean_ns"]["mae"].get<double>()
                << " ns  tau_int MAE " << r["lifetimes"]["tau_int_ns"]["mae"].get<double>() << " ns  (" << std::setprecision(6) << r["tpsf_per_second"].get<double>() << " TPSF/s)\n";
    }
    print_crlb(report);
    if (report.contains("agreement"))
      for (auto& [k, v] : report["agreement"].items())
        std::cout << "  " << k << ": RMSE " << v["rmse"].get<double>() << ", max " << v["max_abs"].get<double>() << "\n";
  });
}

}  // namespace flimgru::cli
