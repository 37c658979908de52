// flimgru crlb: Cramér–Rao lower bounds of τ1, τ2, a and the mean lifetimes for one TPSF on the
// model grid (crlb.hpp), for one or more photon counts; the IRF known, or (--irf-unknown) the
// Gaussian IRF's FWHM and peak estimated too.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "crlb.hpp"
#include "version.hpp"
#include "error.hpp"
#include "simulator.hpp"

namespace flimgru::cli {

void add_crlb(CLI::App& app) {
  struct Opts {
    double tau1 = 0.5, tau2 = 2.5, a = 0.5, background = 0.01, fwhm = 0.3, peak = 1.0, period = 0;
    std::vector<double> photons{100, 1000, 10000, 100000};
    std::string irf;
    bool json = false, irf_unknown = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("crlb",
                               "Cramer-Rao lower bounds (standard deviations) of tau1, tau2, a and the amplitude- "
                               "and intensity-weighted lifetimes for a bi-exponential TPSF on the 135 x 90 ps grid");
  c->add_option("--tau1", o->tau1, "Shorter lifetime (ns)")->check(CLI::PositiveNumber);
  c->add_option("--tau2", o->tau2, "Longer lifetime (ns)")->check(CLI::PositiveNumber);
  c->add_option("--a", o->a, "Amplitude fraction of tau1")->check(CLI::Range(0.0, 1.0));
  c->add_option("--photons", o->photons, "Expected photons per TPSF (one or more)")->delimiter(',');
  c->add_option("--background", o->background, "Background fraction b of the photons (uniform over the bins)")
      ->check(CLI::Range(0.0, 0.999));
  c->add_option("--irf-fwhm", o->fwhm, "Gaussian IRF FWHM (ns)")->check(CLI::PositiveNumber);
  c->add_option("--irf-peak", o->peak, "Gaussian IRF peak after the window start (ns)");
  c->add_option("--irf", o->irf, "Measured IRF file (135 values on the grid) instead of the Gaussian");
  c->add_option("--period", o->period, "Laser period (ns): include the tails of earlier pulses (0: one pulse)")
      ->check(CLI::Range(0.0, 1e9));
  c->add_flag("--irf-unknown", o->irf_unknown,
             "The bound with the Gaussian IRF's FWHM and peak as unknowns too (nuisance parameters; "
             "default: the IRF is known exactly)");
  c->add_flag("--json", o->json, "Print the bounds as JSON");
  c->callback([o]() {
    if (o->irf_unknown && !o->irf.empty())
      throw Error("--irf-unknown needs the Gaussian IRF (--irf-fwhm, --irf-peak): a measured --irf file has "
                  "no width and position to estimate");
    Irf irf = o->irf.empty() ? Irf::gaussian(o->fwhm, o->peak) : Irf::from_grid(read_irf_file(o->irf), o->irf);
    if (o->period > 0 && o->period < kBins * kBinNs)
      throw Error("--period " + std::to_string(o->period) + " ns is shorter than the 135 x 90 ps window");
    irf.period_ns = o->period;
    nlohmann::json rows = nlohmann::json::array();
    if (!o->json)
      std::printf("tau1 %.3g ns, tau2 %.3g ns, a %.3g, background %.3g, IRF %s (%s)\n%10s %10s %10s %10s %12s %12s%s\n",
                  o->tau1, o->tau2, o->a, o->background,
                  o->irf.empty() ? ("Gaussian FWHM " + std::to_string(o->fwhm) + " ns at " + std::to_string(o->peak) + " ns").c_str()
                                 : o->irf.c_str(),
                  o->irf_unknown ? "unknown: FWHM and peak estimated too" : "known",
                  "photons", "sd_tau1", "sd_tau2", "sd_a", "sd_tau_mean", "sd_tau_int",
                  o->irf_unknown ? "  sd_irf_fwhm  sd_irf_peak" : "");
    for (double n : o->photons) {
      const CrlbResult r = crlb(irf, o->tau1, o->tau2, o->a, n, o->background, o->irf_unknown);
      nlohmann::json j = r.to_json();
      j["photons"] = n;
      j["background_fraction"] = o->background;
      rows.push_back(j);
      if (!o->json)
      {
        std::printf("%10.0f %10.4g %10.4g %10.4g %12.4g %12.4g", n, r.sd_tau1, r.sd_tau2, r.sd_a, r.sd_tau_mean,
                    r.sd_tau_int);
        if (o->irf_unknown) std::printf(" %12.4g %12.4g", r.sd_irf_fwhm, r.sd_irf_peak);
        std::printf("\n");
      }
    }
    if (o->json)
      std::cout << nlohmann::json{{"irf", irf.to_json()}, {"bounds", rows}, {kVersionKey, version_string()}}.dump(2)
                << "\n";
  });
}

}  // namespace flimgru::cli
