// flimgru report: docs/results.md from evaluation JSON files (flimgru eval --out), so the
// tables are generated, never typed by hand.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accuracy.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "files.hpp"
#include "precision.hpp"

namespace flimgru::cli {

namespace {

std::string fmt(double v, int digits = 4) {
  if (!std::isfinite(v)) return "—";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

double num(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

// pixels.csv of an image output: (row, col) -> column values.
std::map<std::pair<int, int>, std::map<std::string, double>> read_pixels(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw file_error(path, "cannot open");
  std::string line;
  std::getline(f, line);
  std::vector<std::string> cols;
  for (std::stringstream ss(line); std::getline(ss, line, ',');) cols.push_back(line);
  std::map<std::pair<int, int>, std::map<std::string, double>> px;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::map<std::string, double> row;
    for (const auto& c : cols) {
      std::string v;
      std::getline(ss, v, ',');
      row[c] = std::strtod(v.c_str(), nullptr);
    }
    px[{int(row["row"]), int(row["col"])}] = row;
  }
  return px;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

std::string image_section(const std::vector<std::string>& dirs, const std::string& out_md) {
  namespace fs = std::filesystem;
  std::ostringstream md;
  md << "\n## Real data: the hazelnut slices\n\n"
     << "Lifetime maps (intensity-weighted lifetime, brightness ∝ photons) of the same binned TPSFs; "
        "the per-pixel differences are to the first column's method.\n\n|";
  std::vector<nlohmann::json> sums;
  for (const auto& d : dirs) {
    std::ifstream f(d + "/summary.json");
    if (!f) throw file_error(d + "/summary.json", "cannot open");
    sums.push_back(nlohmann::json::parse(f));
    const auto& s = sums.back();
    const bool nn = s.contains("model") && s["model"].is_object() && s["model"].contains("backend");
    md << " " << s.value("method", "?") << (nn ? " (" + s["model"]["backend"].get<std::string>() + ")" : "") << " |";
  }
  md << "\n|";
  for (size_t i = 0; i < dirs.size(); ++i) md << "---|";
  md << "\n|";
  const fs::path img_dir = fs::path(out_md).parent_path() / "img";
  fs::create_directories(img_dir);
  for (size_t i = 0; i < dirs.size(); ++i) {
    const std::string name = fs::path(dirs[i]).filename().string() + "_tau_int.png";
    fs::copy_file(dirs[i] + "/tau_int_intensity.png", img_dir / name, fs::copy_options::overwrite_existing);
    md << " ![" << name << "](img/" << name << ") |";
  }
  md << "\n\n| method | file | binned pixels with lifetimes | median τ_int (ns) | median τm (ns) | median τ_int − first (ns) | "
        "median abs(τ_int − first) (ns) | seconds |\n|---|---|---|---|---|---|---|---|\n";
  const auto first = read_pixels(dirs[0] + "/pixels.csv");
  for (size_t i = 0; i < dirs.size(); ++i) {
    const auto px = read_pixels(dirs[i] + "/pixels.csv");
    std::vector<double> d, ad;
    for (const auto& [k, row] : px) {
      auto it = first.find(k);
      const double a = row.at("tau_int_ns");
      if (it == first.end() || !std::isfinite(a) || !std::isfinite(it->second.at("tau_int_ns"))) continue;
      d.push_back(a - it->second.at("tau_int_ns"));
      ad.push_back(std::fabs(d.back()));
    }
    const auto& s = sums[i];
    md << "| " << s.value("method", "?") << " | " << fs::path(s["input"].is_string() ? s["input"].get<std::string>() : "").filename().string()
       << " | " << s.value("pixels_estimated", 0) << " | " << fmt(num(s["median"]["tau_int_ns"]), 3) << " | "
       << fmt(num(s["median"]["tau_mean_ns"]), 3) << " | " << fmt(median_of(d), 3) << " | " << fmt(median_of(ad), 3)
       << " | " << fmt(num(s["seconds"]["total"]), 2) << " |\n";
  }
  return md.str();
}

}  // namespace

void add_report(CLI::App& app) {
  struct Opts {
    std::vector<std::string> evals;
    std::string out, title = "Results";
    std::vector<std::string> images;  // image output directories (flimgru image -o), compared to the first
    std::vector<std::string> precision;  // flimgru precision --out JSONs: precision-vs-CRLB sections
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("report", "Write the results tables (markdown) from flimgru eval --out JSON files");
  c->add_option("evals", o->evals, "Evaluation JSON files, one per model")->required();
  c->add_option("-o,--out", o->out, "Markdown file to write")->required();
  c->add_option("--title", o->title, "Heading of the page");
  c->add_option("--images", o->images, "flimgru image output directories: a section comparing them (medians, "
                                        "per-pixel median difference to the first, time taken)")->delimiter(',');
  c->add_option("--precision", o->precision, "flimgru precision --out JSON files: append for each the section "
                                             "comparing the estimators' bias and sd with the Cramer-Rao bound")
      ->delimiter(',');
  c->callback([o]() {
    std::vector<nlohmann::json> evals;
    for (const auto& p : o->evals) {
      std::ifstream f(p);
      if (!f) throw file_error(p, "cannot open");
      try {
        evals.push_back(nlohmann::json::parse(f));
      } catch (const std::exception& e) {
        throw file_error(p, std::string("not valid JSON: ") + e.what());
      }
      if (!evals.back().contains("results")) throw file_error(p, "has no \"results\": not a flimgru eval report");
    }
    std::ostringstream md;
    md << "# " << o->title << "\n\n"
       << "Generated by `flimgru report` from `flimgru eval` JSON files; do not edit by hand.\n\n";
    std::set<std::string> sets;
    for (auto& e : evals)
      sets.insert(e.value("data", "?") + " (" + std::to_string(e.value("samples", 0)) + " TPSFs, seed " +
                  (e.contains("data_seed") ? e["data_seed"].dump() : "?") + ")");
    md << "Test set: ";
    for (auto& s : sets) md << "`" << s << "` ";
    md << "\n\n## Whole-decay channel\n\n"
       << "| model | precision | parameters | bytes | RMSE | R² | L2 | DTW |\n|---|---|---|---|---|---|---|---|\n";
    // Models evaluated on different test sets name theirs.
    auto rows = [&](auto&& fn) {
      for (auto& e : evals) {
        std::string name = e.value("name", std::string("?"));
        if (sets.size() > 1) name += " (" + std::filesystem::path(e.value("data", "?")).filename().string() + ")";
        for (auto& [backend, r] : e["results"].items()) fn(name, backend, r);
      }
    };
    rows([&](const std::string& name, const std::string& b, const nlohmann::json& r) {
      const auto& d = r["channels"]["decay"];
      md << "| " << name << " | " << b << " | " << r["model"].value("parameters", 0) << " | "
         << r["model"].value("bytes", 0) << " | " << fmt(num(d["rmse"])) << " | " << fmt(num(d["r2"])) << " | "
         << fmt(num(d["l2"])) << " | " << fmt(num(d["dtw"]), 3) << " |\n";
    });
    // Whole-decay RMSE / R² per photon-count band (flimgru eval's "by_photons"), bands of the first report.
    nlohmann::json bands;
    for (auto& e : evals)
      for (auto& [backend, r] : e["results"].items())
        if (bands.is_null() && r.contains("by_photons")) bands = r["by_photons"];
    if (!bands.is_null()) {
      auto band_name = [](const nlohmann::json& b) {
        const std::string lo = fmt(num(b["photons_min"]), 0);
        return b.contains("photons_max") ? lo + "–" + fmt(num(b["photons_max"]), 0) : "≥ " + lo;
      };
      // One table per quantity: a row per model and precision, a column per band.
      auto band_table = [&](const std::string& title, const std::string& intro,
                            const std::function<std::string(const nlohmann::json&)>& cell) {
        md << "\n## " << title << "\n\n" << intro << "\n\n| model | precision";
        for (auto& b : bands) md << " | " << band_name(b);
        md << " |\n|---|---";
        for (size_t k = 0; k < bands.size(); ++k) md << "|---";
        md << "|\n| | samples";
        for (auto& b : bands) md << " | " << b.value("samples", 0);
        md << " |\n";
        rows([&](const std::string& name, const std::string& b, const nlohmann::json& r) {
          if (!r.contains("by_photons")) return;
          md << "| " << name << " | " << b;
          for (auto& band : r["by_photons"]) md << " | " << cell(band);
          md << " |\n";
        });
      };
      band_table("Whole decay by photon count (RMSE / R²)",
                 "The same test set split by the photons in each histogram (log-uniform from 200 to 50,000): "
                 "how much of the error is the shot noise of dim pixels.",
                 [](const nlohmann::json& band) {
                   return fmt(num(band["channels"]["decay"]["rmse"])) + " / " +
                          fmt(num(band["channels"]["decay"]["r2"]), 3);
                 });
      band_table("Intensity-weighted lifetime τI by photon count (bias / MAE, ns)",
                 "The lifetime most FLIM analyses report, per band of the same split.",
                 [](const nlohmann::json& band) {
                   const nlohmann::json e = band["lifetimes"].value("tau_int_ns", nlohmann::json::object());
                   return fmt(num(e.value("bias", nlohmann::json())), 3) + " / " +
                          fmt(num(e.value("mae", nlohmann::json())), 3);
                 });
    }
    md << "\n## Per channel (RMSE / R² per sample, averaged / R² pooled over all bins)\n\n"
       << "R² per sample is the paper's figure; for the τ1 and τ2 parts it is dominated by samples whose "
          "component is nearly absent (a constant channel), so the pooled R² is shown too.\n\n"
       << "| model | precision | decay | τ1 part | τ2 part |\n|---|---|---|---|---|\n";
    rows([&](const std::string& name, const std::string& b, const nlohmann::json& r) {
      md << "| " << name << " | " << b;
      for (const char* ch : {"decay", "tau1_part", "tau2_part"})
        md << " | " << fmt(num(r["channels"][ch]["rmse"])) << " / " << fmt(num(r["channels"][ch]["r2"])) << " / "
           << fmt(num(r["channels"][ch].value("r2_pooled", nlohmann::json()))); 
      md << " |\n";
    });
    md << "\n## Lifetimes (bias / MAE)\n\n"
       << "τ1 is scored where its amplitude fraction a ≥ 0.1, τ2 where 1 − a ≥ 0.1 (elsewhere a component "
          "is not identifiable); τm = a·τ1 + (1 − a)·τ2 (amplitude-weighted), τI = (a·τ1² + (1 − a)·τ2²) / τm "
          "(intensity-weighted).\n\n"
       << "| model | precision | τ1 (ns) | τ2 (ns) | a | τm (ns) | τI (ns) | inference TPSF/s |\n"
          "|---|---|---|---|---|---|---|---|\n";
    rows([&](const std::string& name, const std::string& b, const nlohmann::json& r) {
      md << "| " << name << " | " << b;
      for (const char* q : {"tau1_ns", "tau2_ns", "a", "tau_mean_ns", "tau_int_ns"})
      {  // an eval JSON from before τI was scored has no tau_int_ns: its cell stays empty
        const nlohmann::json e = r["lifetimes"].value(q, nlohmann::json::object());
        md << " | " << fmt(num(e.value("bias", nlohmann::json())), 3) << " / "
           << fmt(num(e.value("mae", nlohmann::json())), 3);
      }
      md << " | " << fmt(num(r["tpsf_per_second"]), 0) << " |\n";
    });
    bool any_agreement = false;
    for (auto& e : evals) any_agreement |= e.contains("agreement");
    if (any_agreement) {
      md << "\n## Integer vs float model (same checkpoint, all channels)\n\n| model | comparison | RMSE | max abs |\n|---|---|---|---|\n";
      for (auto& e : evals)
        if (e.contains("agreement"))
          for (auto& [k, v] : e["agreement"].items())
            md << "| " << e.value("name", std::string("?")) << " | " << k << " | " << fmt(num(v["rmse"]), 5) << " | "
               << fmt(num(v["max_abs"]), 4) << " |\n";
    }
    md << crlb_markdown(evals);
    if (!o->images.empty()) md << image_section(o->images, o->out);
    for (const auto& path : o->precision) {
      std::ifstream f(path);
      if (!f) throw file_error(path, "cannot open");
      nlohmann::json p;
      try {
        p = nlohmann::json::parse(f);
      } catch (const std::exception& e) {
        throw file_error(path, std::string("not valid JSON: ") + e.what());
      }
      try {
        md << precision_markdown(p);
      } catch (const Error& e) {
        throw file_error(path, e.what());
      }
    }
    write_file(o->out, md.str());
    std::cout << "wrote " << o->out << " (" << evals.size() << " evaluations)\n";
  });
}

}  // namespace flimgru::cli
