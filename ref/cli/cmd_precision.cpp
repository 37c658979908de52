// flimgru precision: bias and σ of τm and τI from the networks, the fit and the centre of mass at
// fixed decay parameters, for several photon counts, next to the Cramér–Rao bound (precision.hpp).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "error.hpp"
#include "files.hpp"
#include "precision.hpp"
#include "version.hpp"

namespace flimgru::cli {

void add_precision(CLI::App& app) {
  struct Opts {
    PrecisionConfig cfg;
    std::string out;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand(
      "precision",
      "Precision study at fixed parameters: bias, sd and F-value of the amplitude- and intensity-weighted "
      "lifetimes from the float and int8 networks, the ML fit (true IRF fixed) and the centre of mass, "
      "per photon count, next to the Cramer-Rao bound");
  c->add_option("--photons", o->cfg.photons, "Expected photons per pixel (one or more)")->delimiter(',');
  c->add_option("-M,--pixels", o->cfg.pixels, "Simulated pixels per photon count")->check(CLI::Range(2, 100000000));
  c->add_option("--tau1", o->cfg.tau1, "Shorter lifetime (ns)")->check(CLI::PositiveNumber);
  c->add_option("--tau2", o->cfg.tau2, "Longer lifetime (ns)")->check(CLI::PositiveNumber);
  c->add_option("--a", o->cfg.a, "Amplitude fraction of tau1")->check(CLI::Range(0.0, 1.0));
  c->add_option("--background", o->cfg.background, "Background fraction of the photons")->check(CLI::Range(0.0, 0.999));
  c->add_option("--irf-fwhm", o->cfg.irf_fwhm, "Gaussian IRF FWHM (ns)")->check(CLI::PositiveNumber);
  c->add_option("--irf-peak", o->cfg.irf_peak, "Gaussian IRF peak after the window start (ns)");
  c->add_option("--model", o->cfg.model, "Checkpoint (.safetensors) or ROM set of the networks (default: shipped model)");
  c->add_option("--methods", o->cfg.methods,
                "Estimators: float, int8, int16 (each also with -photons: tau_int from the photons with the true IRF), "
                "fit, com")->delimiter(',');
  c->add_option("--seed", o->cfg.seed, "Simulation seed (photon count i uses seed + i)");
  add_threads_option(c, o->cfg.threads);
  c->add_option("-o,--out", o->out, "Write the JSON report to this file");
  c->add_flag("--json", o->json, "Print the JSON report");
  c->callback([o]() {
    if (!o->out.empty()) check_file_writable(o->out);  // before the study, not after it
    nlohmann::json r = precision_study(o->cfg);
    r[kVersionKey] = version_string();
    if (!o->out.empty()) write_file(o->out, r.dump(2) + "\n");
    if (o->json) {
      std::cout << r.dump(2) << "\n";
      return;
    }
    auto v = [](const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; };
    std::printf("tau_int (ns): true %.4f, %zu pixels per count\n%8s", v(r["truth"]["tau_int_ns"]), o->cfg.pixels, "N");
    for (const auto& m : o->cfg.methods) std::printf(" %18s", (m + " bias/sd").c_str());
    // The ratio to the bound is the int8 network's (the hardware's), printed when it was run.
    const bool int8 = std::find(o->cfg.methods.begin(), o->cfg.methods.end(), "int8") != o->cfg.methods.end();
    std::printf(" %9s%s\n", "crlb_sd", int8 ? " int8/lb" : "");
    for (const auto& row : r["rows"]) {
      std::printf("%8.0f", v(row["photons"]));
      for (const auto& m : o->cfg.methods) {
        const auto& s = row["methods"][m]["tau_int_ns"];
        std::printf("   %7.4f/%-8.4f", v(s["bias"]), v(s["sd"]));
      }
      std::printf(" %9.4f", v(row["crlb"]["tau_int_ns"]["sd"]));
      if (int8) std::printf(" %7.2f", v(row.value("ratio_int8_crlb_tau_int", nlohmann::json())));
      std::printf("\n");
    }
    if (!o->out.empty()) std::printf("wrote %s (%.1f s)\n", o->out.c_str(), v(r["seconds"]));
  });
}

}  // namespace flimgru::cli
