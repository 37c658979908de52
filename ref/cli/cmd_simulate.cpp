// cmd_simulate: the `flimgru simulate` subcommand, writes a simulated data set directory.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "dataset.hpp"
#include "files.hpp"
#include "parallel.hpp"
#include "simulator.hpp"
#include "version.hpp"

namespace flimgru::cli {

namespace {

struct SimulateOptions {
  size_t count = 10000;
  std::string out;
  int threads = 0;
  bool json = false;
  std::string irf_file;
  double tau_min = 0.05, tau_max = 3.0;
  SimConfig cfg;
};

void run_simulate(const SimulateOptions& o) {
  SimConfig cfg = o.cfg;
  cfg.tau1 = cfg.tau2 = Range{o.tau_min, o.tau_max};
  if (!o.irf_file.empty()) {
    cfg.measured_irf = read_irf_file(o.irf_file);
    cfg.measured_irf_source = o.irf_file;
  }
  cfg.validate();
  check_dir_replaceable(o.out, "meta.json");  // refuse an unrelated DIR before the simulation
  int threads = o.threads;
  if (threads <= 0) threads = default_threads();
  const auto t0 = std::chrono::steady_clock::now();
  const Dataset ds = simulate(cfg, o.count, threads);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  save_dataset(o.out, ds);
  const double rate = seconds > 0 ? static_cast<double>(o.count) / seconds : 0.0;
  if (o.json) {
    nlohmann::json j{{"count", o.count}, {"seconds", seconds}, {"tpsf_per_s", rate},
                     {"threads", threads}, {"seed", cfg.seed}, {"out", o.out}, {kVersionKey, version_string()}};
    std::cout << j.dump() << "\n";
  } else {
    std::printf("simulated %zu TPSFs in %.3f s (%.0f TPSF/s, %d threads) -> %s\n", o.count,
                seconds, rate, threads, o.out.c_str());
  }
}

}  // namespace

void add_simulate(CLI::App& app) {
  auto opt = std::make_shared<SimulateOptions>();
  CLI::App* sub = app.add_subcommand(
      "simulate",
      "Simulate FLIM decay histograms (TPSFs) with their SFD targets and labels.\n"
      "Each TPSF: d(t) = a·exp(-t/tau1) + (1-a)·exp(-t/tau2), convolved exactly with a Gaussian\n"
      "IRF (or the measured IRF of --irf), 135 bins of 0.09 ns, N photons (log-uniform)\n"
      "with a uniform background fraction b, Poisson noise. tau1/tau2 are drawn independently\n"
      "and swapped so tau2 >= tau1. Setting min = max fixes a parameter. The output directory\n"
      "holds counts.npy, sfd.npy, labels.npy and meta.json (docs/formats.md). The result depends\n"
      "only on --seed and --count, not on --threads.");
  SimConfig& c = opt->cfg;
  sub->add_option("-n,--count", opt->count, "Number of TPSFs")->capture_default_str();
  sub->add_option("--seed", c.seed, "Random seed")->capture_default_str();
  sub->add_option("-o,--out", opt->out, "Output data set directory (replaced atomically)")
      ->required();
  add_threads_option(sub, opt->threads);
  sub->add_option("--photons-min", c.photons.lo, "Min total counts N")->capture_default_str();
  sub->add_option("--photons-max", c.photons.hi, "Max total counts N")->capture_default_str();
  sub->add_option("--tau-min", opt->tau_min, "Min lifetime, ns (both tau1 and tau2)")
      ->capture_default_str();
  sub->add_option("--tau-max", opt->tau_max, "Max lifetime, ns (both tau1 and tau2)")
      ->capture_default_str();
  sub->add_option("--amp-min", c.amplitude.lo, "Min amplitude fraction a of tau1")
      ->capture_default_str();
  sub->add_option("--amp-max", c.amplitude.hi, "Max amplitude fraction a of tau1")
      ->capture_default_str();
  sub->add_option("--bg-min", c.background.lo, "Min background fraction")->capture_default_str();
  sub->add_option("--bg-max", c.background.hi, "Max background fraction")->capture_default_str();
  sub->add_option("--irf-fwhm-min", c.irf_fwhm.lo, "Min Gaussian IRF FWHM, ns")
      ->capture_default_str();
  sub->add_option("--irf-fwhm-max", c.irf_fwhm.hi, "Max Gaussian IRF FWHM, ns")
      ->capture_default_str();
  sub->add_option("--irf-peak-min", c.irf_peak.lo, "Min IRF peak time after window start, ns")
      ->capture_default_str();
  sub->add_option("--irf-peak-max", c.irf_peak.hi, "Max IRF peak time after window start, ns")
      ->capture_default_str();
  sub->add_option("--irf", opt->irf_file, "Measured IRF instead of the Gaussian: text, 135 counts, one per line")
      ->check(CLI::ExistingFile);
  // The old name, kept for scripts: hidden from --help (the flag is --irf in simulate, crlb, image).
  sub->add_option("--irf-file", opt->irf_file, "Deprecated name of --irf")->check(CLI::ExistingFile)->group("");
  sub->add_flag("--json", opt->json, "Print count, seconds and TPSF/s as JSON");
  sub->callback([opt]() { run_simulate(*opt); });
}

}  // namespace flimgru::cli
