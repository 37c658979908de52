// precision: see precision.hpp.
#include "precision.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "backend.hpp"
#include "crlb.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "photon_moment.hpp"
#include "irf_input.hpp"
#include "lifetimes.hpp"
#include "preprocess.hpp"
#include "simulator.hpp"

namespace flimgru {

namespace {

const char* const kQuantities[2] = {"tau_mean_ns", "tau_int_ns"};

// bias, σ (sample, n − 1) and F of the finite values of v against the true value.
nlohmann::json stats(const std::vector<double>& v, double truth, double photons) {
  double s = 0;
  size_t n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  const double mean = n ? s / n : NAN;
  double ss = 0;
  for (double x : v)
    if (std::isfinite(x)) ss += (x - mean) * (x - mean);
  const double sd = n > 1 ? std::sqrt(ss / (n - 1)) : NAN;
  auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
  return {{"n", n},
          {"n_invalid", v.size() - n},
          {"mean", num(mean)},
          {"bias", num(mean - truth)},
          {"sd", num(sd)},
          {"F", num(sd * std::sqrt(photons) / truth)}};
}

double jnum(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

std::string fmt(double v, int digits) {
  if (!std::isfinite(v)) return "—";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string fmt_count(double n) {
  char b[64];
  std::snprintf(b, sizeof b, "%.0f", n);
  return b;
}

// A network method: "float", "int8", "int16", optionally with "-photons" (τI from the photons
// with the study's IRF, photon_moment.hpp).
constexpr const char* kPhotonsSuffix = "-photons";
bool with_photons(const std::string& m) {
  return m.size() > 8 && m.compare(m.size() - 8, 8, kPhotonsSuffix) == 0;
}
std::string network_of(const std::string& m) { return with_photons(m) ? m.substr(0, m.size() - 8) : m; }
bool is_network(const std::string& m) {
  const std::string b = network_of(m);
  return b == "float" || b == "int8" || b == "int16";
}

std::string method_label(const std::string& m) {
  if (with_photons(m)) return network_of(m) + " network, τI from the photons";
  if (m == "float") return "float network";
  if (m == "int8") return "int8 network";
  if (m == "fit") return "ML fit";
  if (m == "com") return "CoM";
  return m;
}

}  // namespace

void PrecisionConfig::validate() const {
  if (photons.empty()) throw Error("precision: no photon counts");
  for (double n : photons)
    if (!(n > 0)) throw Error("precision: photon count " + std::to_string(n) + " is not positive");
  if (pixels < 2) throw Error("precision: need at least 2 pixels per photon count");
  if (!(tau1 > 0) || !(tau2 > 0)) throw Error("precision: lifetimes must be positive");
  if (tau1 == tau2) throw Error("precision: tau1 == tau2 (the bound is singular)");
  if (!(a >= 0 && a <= 1)) throw Error("precision: a must be in [0, 1]");
  if (!(background >= 0 && background < 1)) throw Error("precision: background fraction must be in [0, 1)");
  if (!(irf_fwhm > 0)) throw Error("precision: IRF FWHM must be positive");
  for (const auto& m : methods)
    if (!is_network(m) && m != "fit" && m != "com")
      throw Error("precision: unknown method '" + m + "' (float, int8, int16, each also with -photons, fit, com)");
}

nlohmann::json precision_study(const PrecisionConfig& cfg) {
  cfg.validate();
  const auto t0 = std::chrono::steady_clock::now();
  // The simulator orders τ1 <= τ2 (and then a is the fraction of the shorter one).
  double t1 = cfg.tau1, t2 = cfg.tau2, a = cfg.a;
  if (t1 > t2) std::swap(t1, t2), a = 1 - a;
  const double true_q[2] = {tau_mean(t1, t2, a), tau_int(t1, t2, a)};
  const Irf irf = Irf::gaussian(cfg.irf_fwhm, cfg.irf_peak);

  std::map<std::string, std::unique_ptr<Backend>> nets;
  nlohmann::json models = nlohmann::json::object();
  for (const auto& m : cfg.methods)
    if (is_network(m) && !nets.count(network_of(m))) {
      nets[network_of(m)] = make_backend(network_of(m), cfg.model, cfg.threads);
      models[network_of(m)] = nets[network_of(m)]->describe();
    }

  // The model as given, the default one relative to the source tree (docs/results.md is committed).
  std::string model_name = cfg.model.empty() ? default_model_path() : cfg.model;
  const std::string src = std::string(FLIMGRU_SOURCE_DIR) + "/";
  if (model_name.rfind(src, 0) == 0) model_name = model_name.substr(src.size());
  nlohmann::json rows = nlohmann::json::array();
  for (size_t ci = 0; ci < cfg.photons.size(); ++ci) {
    const double N = cfg.photons[ci];
    SimConfig sc;
    sc.photons = Range::fixed(N);
    sc.tau1 = Range::fixed(t1);
    sc.tau2 = Range::fixed(t2);
    sc.amplitude = Range::fixed(a);
    sc.background = Range::fixed(cfg.background);
    sc.irf_fwhm = Range::fixed(cfg.irf_fwhm);
    sc.irf_peak = Range::fixed(cfg.irf_peak);
    sc.seed = cfg.seed + ci;
    const Dataset ds = simulate(sc, cfg.pixels, cfg.threads);
    const size_t M = ds.n;
    std::vector<float> counts(ds.counts.begin(), ds.counts.end());

    nlohmann::json row;
    row["photons"] = N;
    row["pixels"] = M;
    row["seed"] = sc.seed;
    const CrlbResult b = crlb(irf, t1, t2, a, N, cfg.background);
    const double bsd[2] = {b.sd_tau_mean, b.sd_tau_int};
    for (int q = 0; q < 2; ++q)
      row["crlb"][kQuantities[q]] = {{"sd", bsd[q]}, {"F", bsd[q] * std::sqrt(N) / true_q[q]}};
    row["crlb"]["singular"] = b.singular;

    std::vector<float> x;
    for (const auto& m : cfg.methods) {
      std::vector<double> est[2];
      est[0].assign(M, NAN);
      est[1].assign(M, NAN);
      bool has_mean = true;
      if (is_network(m)) {
        if (x.empty()) x = preprocess_batch(counts.data(), M);
        std::vector<float> y(M * kBins * kChannels);
        // an IRF-conditioned network is given the study's IRF (irf_input.hpp)
        const IrfInput irf_in = gaussian_irf_input(cfg.irf_fwhm, cfg.irf_peak);
        run_backend(*nets.at(network_of(m)), x.data(), irf_in.data(), 0, y.data(), M);
        for (size_t i = 0; i < M; ++i) {
          Lifetimes l = lifetimes_from_sfd(&y[i * kBins * kChannels]);
          if (with_photons(m)) l = with_photon_tau_int(irf, &counts[i * kBins], l);
          est[0][i] = l.tau_mean_ns;
          est[1][i] = l.tau_int_ns;
        }
      } else if (m == "fit") {
        const std::vector<double> sum = summed_decay(counts.data(), M);
        std::vector<float> sumf(sum.begin(), sum.end());
        const FitResult g = fit_pixel(irf, sumf.data(), FitStart{}, FitModel::bi);
        const FitStart start{g.ok ? g.tau1 : 0.5, g.ok ? g.tau2 : 2.5, g.ok ? g.a : 0.5};
        const auto fits = fit_pixels(irf, counts.data(), M, start, 1.0, cfg.threads);
        for (size_t i = 0; i < M; ++i)
          if (fits[i].ok) est[0][i] = fits[i].tau_mean, est[1][i] = fits[i].tau_int;
        row["fit_start"] = {{"tau1", start.tau1}, {"tau2", start.tau2}, {"a", start.a}};
      } else if (m == "com") {
        has_mean = false;
        for (size_t i = 0; i < M; ++i) est[1][i] = com_lifetime(irf, &counts[i * kBins]);
      }
      for (int q = 0; q < 2; ++q)
        if (q == 1 || has_mean) row["methods"][m][kQuantities[q]] = stats(est[q], true_q[q], N);
    }
    if (row["methods"].contains("int8")) {
      const double r = jnum(row["methods"]["int8"]["tau_int_ns"]["sd"]) / b.sd_tau_int;
      row["ratio_int8_crlb_tau_int"] = std::isfinite(r) ? nlohmann::json(r) : nlohmann::json();
    }
    rows.push_back(row);
  }
  return {{"config",
           {{"photons", cfg.photons},
            {"pixels", cfg.pixels},
            {"tau1_ns", t1},
            {"tau2_ns", t2},
            {"a", a},
            {"background_fraction", cfg.background},
            {"irf", irf.to_json()},
            {"model", model_name},
            {"methods", cfg.methods},
            {"seed", cfg.seed}}},
          {"models", models},
          {"truth", {{"tau_mean_ns", true_q[0]}, {"tau_int_ns", true_q[1]}}},
          {"rows", rows},
          {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
}

std::string precision_markdown(const nlohmann::json& s, double factor) {
  if (!s.contains("rows") || !s.contains("config") || !s.contains("truth"))
    throw Error("not a flimgru precision report (needs config, truth and rows)");
  const auto& c = s["config"];
  std::vector<std::string> methods = c["methods"].get<std::vector<std::string>>();
  std::ostringstream md;
  md << "\n## Precision against the Cramér–Rao bound (fixed parameters; networks: "
     << std::filesystem::path(c.value("model", std::string("?"))).parent_path().filename().string() << ")\n\n"
     << "Generated by `flimgru precision` (`flimgru report --precision`). For each photon count N, "
     << c.value("pixels", 0) << " pixels simulated with τ1 = " << fmt(jnum(c["tau1_ns"]), 3)
     << " ns, τ2 = " << fmt(jnum(c["tau2_ns"]), 3) << " ns, a = " << fmt(jnum(c["a"]), 3)
     << ", background fraction " << fmt(jnum(c["background_fraction"]), 3) << ", Gaussian IRF FWHM "
     << fmt(jnum(c["irf"].value("fwhm_ns", nlohmann::json())), 3) << " ns at "
     << fmt(jnum(c["irf"].value("peak_ns", nlohmann::json())), 3)
     << " ns (true τm = " << fmt(jnum(s["truth"]["tau_mean_ns"]), 4)
     << " ns, τI = " << fmt(jnum(s["truth"]["tau_int_ns"]), 4)
     << " ns). Cells are bias / σ in ns; F = σ·√N/τ in the bound's column. The fit holds the true "
        "Gaussian IRF fixed; the centre of mass (CoM) estimates τI only; \"τI from the photons\": the "
        "network with the true IRF given, τI by docs/numerics.md §7b. Networks: `"
     << c.value("model", std::string("?")) << "`.\n";
  const char* names[2] = {"τm (amplitude-weighted)", "τI (intensity-weighted)"};
  for (int q = 0; q < 2; ++q) {
    const std::string key = kQuantities[q];
    std::vector<std::string> cols;
    for (const auto& m : methods)
      if (q == 1 || m != "com") cols.push_back(m);
    md << "\n### " << names[q] << "\n\n| N |";
    for (const auto& m : cols) md << " " << method_label(m) << " |";
    md << " CRLB σ | CRLB F |";
    if (q == 1) md << " σ_int8 / σ_CRLB |";
    md << "\n|---|";
    for (size_t i = 0; i < cols.size() + 2 + (q == 1); ++i) md << "---|";
    md << "\n";
    for (const auto& r : s["rows"]) {
      md << "| " << fmt_count(jnum(r["photons"])) << " |";
      for (const auto& m : cols) {
        const auto& st = r["methods"].contains(m) ? r["methods"][m].value(key, nlohmann::json::object())
                                                  : nlohmann::json::object();
        md << " " << fmt(jnum(st.value("bias", nlohmann::json())), 4) << " / "
           << fmt(jnum(st.value("sd", nlohmann::json())), 4);
        if (st.value("n_invalid", 0) > 0) md << " (" << st.value("n_invalid", 0) << " invalid)";
        md << " |";
      }
      md << " " << fmt(jnum(r["crlb"][key]["sd"]), 4) << " | " << fmt(jnum(r["crlb"][key]["F"]), 2) << " |";
      if (q == 1) md << " " << fmt(jnum(r.value("ratio_int8_crlb_tau_int", nlohmann::json())), 2) << " |";
      md << "\n";
    }
  }
  // The computed verdict on int8 vs the bound on τI.
  std::vector<std::string> within, outside;
  double worst = 0;
  for (const auto& r : s["rows"]) {
    const double ratio = jnum(r.value("ratio_int8_crlb_tau_int", nlohmann::json()));
    if (!std::isfinite(ratio)) continue;
    (ratio <= factor ? within : outside).push_back(fmt_count(jnum(r["photons"])));
    if (ratio > factor) worst = std::max(worst, ratio);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string o;
    for (size_t i = 0; i < v.size(); ++i) o += (i ? (i + 1 == v.size() ? " and " : ", ") : "") + v[i];
    return o;
  };
  const std::string f = fmt(factor, 1);
  md << "\n";
  if (within.empty() && outside.empty())
    md << "No int8 network results: the ratio to the bound was not computed.\n";
  else if (outside.empty())
    md << "The int8 network's σ on τI is within " << f << "× the Cramér–Rao bound at every photon count measured ("
       << list(within) << ").\n";
  else if (within.empty())
    md << "The int8 network's σ on τI is not within " << f << "× the Cramér–Rao bound at any photon count measured ("
       << list(outside) << "; up to " << fmt(worst, 2) << "×).\n";
  else
    md << "The int8 network's σ on τI is within " << f << "× the Cramér–Rao bound at N = " << list(within)
       << " photons and not at N = " << list(outside) << " (up to " << fmt(worst, 2) << "× the bound there).\n";
  // The bound is for unbiased estimators: say where a bias larger than the bound's σ makes σ alone flatter.
  std::vector<std::string> biased;
  for (const auto& r : s["rows"]) {
    if (!r["methods"].contains("int8")) continue;
    const double bias = jnum(r["methods"]["int8"]["tau_int_ns"].value("bias", nlohmann::json()));
    if (std::isfinite(bias) && std::fabs(bias) > jnum(r["crlb"]["tau_int_ns"]["sd"]))
      biased.push_back(fmt_count(jnum(r["photons"])));
  }
  md << "This compares σ only; the bound holds for unbiased estimators, so a biased estimator (e.g. the CoM, "
        "or a network pulled towards its training prior at low counts) can have σ below it.";
  if (!biased.empty())
    md << " The int8 network's |bias| on τI exceeds the bound's σ at N = " << list(biased) << ".";
  md << "\n";
  return md.str();
}

}  // namespace flimgru
