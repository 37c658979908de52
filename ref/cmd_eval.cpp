// flimgru eval: accuracy of one or more backends on a simulated data set (metrics.hpp). An
// IRF-conditioned model (input width 2) is given each sample's own IRF (irf_input.hpp:
// dataset_irf_inputs, from the labels or the set's measured IRF).
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "backend.hpp"
#include "parallel.hpp"
#include "cli.hpp"
#include "files.hpp"
#include "dataset.hpp"
#include "irf_input.hpp"
#include "metrics.hpp"
#include "preprocess.hpp"

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

// Metrics over the whole set, and per photon-count band under "by_photons".
nlohmann::json evaluate(Backend& b, const Dataset& ds, const std::vector<float>& x, const float* irf,
                        std::vector<float>& y, int threads) {
  const size_t n = ds.n;
  y.assign(n * kBins * kChannels, 0);
  const auto t0 = std::chrono::steady_clock::now();
  run_backend(b, x.data(), irf, kBins, y.data(), n);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  using Accs = std::array<MetricsAccumulator, kBands + 1>;  // [0]: all samples, [1 + k]: band k
  std::vector<Accs> acc(size_t(parallel_chunks(n, threads)));
  parallel_for(n, threads, [&](int chunk, size_t begin, size_t end) {
    Accs a;
    for (size_t i = begin; i < end; ++i) {
      const float* lab = &ds.labels[i * kLabelCols];
      const SampleTruth truth{lab[kLabelTau1], lab[kLabelTau2], lab[kLabelAmp]};
      const float* pred = &y[i * kBins * kChannels];
      const float* sfd = &ds.sfd[i * kBins * kChannels];
      a[0].add(pred, sfd, truth);
      a[1 + photon_band(lab[kLabelPhotons])].add(pred, sfd, truth);
    }
    acc[size_t(chunk)] = a;
  });
  Accs all;
  for (auto& a : acc)
    for (int k = 0; k <= kBands; ++k) all[k].merge(a[k]);
  nlohmann::json j = all[0].result();
  j["model"] = b.describe();
  j["inference_seconds"] = secs;
  j["tpsf_per_second"] = n / secs;
  j["by_photons"] = nlohmann::json::array();
  for (int k = 0; k < kBands; ++k) {
    if (all[1 + k].count() == 0) continue;
    nlohmann::json band = all[1 + k].result();
    band["photons_min"] = kPhotonEdges[k];
    if (std::isfinite(kPhotonEdges[k + 1])) band["photons_max"] = kPhotonEdges[k + 1];
    j["by_photons"].push_back(band);
  }
  return j;
}

}  // namespace

void add_eval(CLI::App& app) {
  struct Opts {
    std::string data, model, out, name;
    std::vector<std::string> backends{"float", "int8"};
    size_t limit = 0;
    int threads = 2;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("eval",
                               "Evaluate backends on a simulated data set: per-channel RMSE, R², L2, DTW and "
                               "lifetime errors against the ground truth, and int-vs-float agreement");
  c->add_option("--data", o->data, "Data set directory (flimgru simulate -o)")->required();
  c->add_option("--model", o->model, "Checkpoint (.safetensors) or ROM set directory (default: shipped model)");
  c->add_option("--backend", o->backends, "Backends to evaluate: float, int8, int16")->delimiter(',');
  c->add_option("--limit", o->limit, "Evaluate only the first N samples");
  c->add_option("--threads", o->threads, "Worker threads")->check(CLI::Range(1, 64));
  c->add_option("--out", o->out, "Also write the JSON report to this file");
  c->add_option("--name", o->name, "Label of the model in the report (flimgru report uses it)");
  c->add_flag("--json", o->json, "Print the report as JSON");
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
    const std::vector<float> x = preprocess_batch(counts.data(), ds.n);
    nlohmann::json report = {{"data", o->data}, {"samples", ds.n}, {"name", o->name}};
    if (ds.meta.contains("seed")) report["data_seed"] = ds.meta["seed"];
    std::map<std::string, std::vector<float>> outputs;
    std::vector<float> irf;  // per-sample IRF inputs, made when a model reads them
    for (const auto& name : o->backends) {
      auto b = make_backend(name, o->model, o->threads);
      if (b->input_width() != 1 && irf.empty()) irf = dataset_irf_inputs(ds, nullptr, o->data);
      report["results"][name] = evaluate(*b, ds, x, b->input_width() != 1 ? irf.data() : nullptr,
                                         outputs[name], o->threads);
      if (b->input_width() != 1) report["results"][name]["irf_input"] = "per sample: its labels' Gaussian IRF (or the set's measured IRF)";
    }
    // Agreement of each integer backend with the float one, on the whole-decay channel.
    if (outputs.count("float"))
      for (auto& [name, y] : outputs) {
        if (name == "float") continue;
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
    if (report.contains("agreement"))
      for (auto& [k, v] : report["agreement"].items())
        std::cout << "  " << k << ": RMSE " << v["rmse"].get<double>() << ", max " << v["max_abs"].get<double>() << "\n";
  });
}

}  // namespace flimgru::cli
