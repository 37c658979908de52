// flimgru infer: TPSFs in (data set or .npy), lifetimes out (CSV or .npy), one row per pixel:
// tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,photons. Only pixels with at least --min-photons photons
// (lifetimes.hpp: has_lifetimes) go through the model; the others get NaN lifetimes. With the
// instrument's IRF (--irf FILE) τI comes from the photons (photon_moment.hpp), whatever the model;
// an IRF-conditioned model (input width 2) also reads that IRF beside every TPSF, and is what the
// software backends run when the IRF is measured (a file, labels) and no --model (model_for_run).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "backend.hpp"
#include "cli.hpp"
#include "dataset.hpp"
#include "device_link.hpp"
#include "error.hpp"
#include "files.hpp"
#include "irf_input.hpp"
#include "lifetimes.hpp"
#include "fit.hpp"
#include "npy.hpp"
#include "parallel.hpp"
#include "photon_moment.hpp"
#include "accuracy.hpp"
#include "preprocess.hpp"
#include "quantizer.hpp"
#include "version.hpp"

namespace flimgru::cli {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Fixed formatting so that backends that agree bit for bit write identical bytes.
// Written whole or not at all (files.hpp).
void write_csv(const std::string& path, const std::vector<Lifetimes>& rows, const std::vector<double>& photons) {
  write_file(path, [&](std::ostream& f) {
    f << kLifetimeCsvColumns << ",photons\n";
    char buf[64];
    for (size_t i = 0; i < rows.size(); ++i) {
      write_lifetime_csv_fields(f, rows[i]);
      f.write(buf, std::snprintf(buf, sizeof buf, ",%.0f\n", photons[i]));
    }
  });
}

}  // namespace

void add_infer(CLI::App& app) {
  struct Opts {
    std::string input, out, model, backend = "int8";
    int threads = 2;
    bool json = false;
    std::string device, irf;
    unsigned baud = 3000000;
    double timeout = 0;
    int retries = 8;
    double min_photons = kDefaultMinPhotons;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("infer",
                               "Lifetimes per pixel: reads TPSFs (a data set directory or a .npy of shape "
                               "[N,135] or [H,W,135]) and writes tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,photons "
                               "per pixel");
  c->add_option("input", o->input, "Data set directory or .npy file of photon-count histograms")->required();
  c->add_option("-o,--out", o->out, "Output: .csv (header tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns,photons) or "
                                    ".npy ([pixels,6] or [H,W,6] float32, the same columns)")->required();
  c->add_option("--min-photons", o->min_photons, "Pixels with fewer photons (sum of the histogram) get no "
                                                 "lifetimes (NaN); the others finite ones in [0, 30] ns "
                                                 "(docs/formats.md)")
      ->check(CLI::Range(0.0, 1e18))->capture_default_str();
  c->add_option("--model", o->model, "Checkpoint (.safetensors) or ROM set directory (default: the shipped model "
                                    "weights/default; with --irf FILE or labels and a float/int8/int16 backend "
                                    "the IRF-conditioned weights/default-irf)");
  c->add_option("--backend", o->backend,
                "float, int8, int16, or rtl (the verilated core compiled for the default model's ROM set; "
                "identical output to int8)")
      ->check(backend_validator());
  c->add_option("--irf", o->irf, "The instrument's IRF: 135 values on the model grid, one a line, as "
                                 "`simulate --irf` reads (docs/formats.md). tau_int then comes from the photons "
                                 "(docs/numerics.md 7b); an IRF-conditioned model (input width 2) reads it too "
                                 "and requires it. 'estimate': the Gaussian IRF fitted to the summed decay of "
                                 "all pixels (one instrument, as image estimates it); 'pixel': each pixel's own "
                                 "Gaussian IRF fitted with the network's decay shape (no IRF known; a width-1 "
                                 "model; ~ 750 pixels/s a core); 'labels' with a simulated data set: each "
                                 "sample's own IRF from its labels");
  add_threads_option(c, o->threads);
  c->add_flag("--json", o->json, "Print figures (pixels, seconds, TPSF/s) as JSON");
  c->add_option("--device", o->device, "Run on a flimgru board: its serial port (/dev/ttyUSB0, or the pty of "
                                       "the virtual board); the board runs the int8 model it was built with");
  add_device_link_options(c, o->baud, o->timeout);
  c->add_option("--retries", o->retries, "Retransmissions of one pixel on --device before giving up")
      ->check(CLI::Range(0, 1000));
  c->callback([o]() {
    if (!ends_with(o->out, ".csv") && !ends_with(o->out, ".npy"))
      throw Error(o->out + ": output name must end in .csv or .npy");
    const TpsfInput in = load_tpsf_input(o->input);
    // Only the pixels with enough photons go through the model; the others keep kNoLifetimes.
    std::vector<size_t> idx;
    for (size_t i = 0; i < in.pixels; ++i)
      if (has_lifetimes(in.photons[i], o->min_photons)) idx.push_back(i);
    const size_t m = idx.size();
    std::vector<float> sel(m * kBins);
    for (size_t j = 0; j < m; ++j) std::copy_n(&in.counts[idx[j] * kBins], kBins, &sel[j * kBins]);
    const std::vector<float> x = preprocess_batch(sel.data(), m);
    std::vector<Lifetimes> rows(in.pixels, kNoLifetimes);
    // The IRF of pixel i for τI from the photons: the file's for all, or each sample's own (labels).
    // One IRF for all: a file's, or (estimate) the Gaussian fitted to the summed decay of all
    // pixels, as `image` estimates an image's.
    std::optional<Dataset> labelled;
    std::optional<Irf> file_irf;
    IrfInput one_input{};  // the one IRF as an IRF-conditioned model's input
    nlohmann::json irf_json = o->irf;
    const bool own_irf = o->irf == "pixel";  // each pixel's own IRF, fitted with the network's shape
    if (o->irf == "labels") {
      labelled = load_dataset(o->input);
    } else if (own_irf) {
      irf_json = {{"source", "fitted to each pixel with the network's decay shape (Gaussian)"}};
    } else if (o->irf == "estimate") {
      try {
        file_irf = estimate_irf(summed_decay(in.counts.data(), in.pixels)).irf;
      } catch (const Error& e) {
        throw file_error(o->input, std::string("--irf estimate: ") + e.what());
      }
      one_input = gaussian_irf_input(file_irf->fwhm_ns, file_irf->peak_ns);
      irf_json = {{"source", "estimated from the summed decay (Gaussian)"}, {"fwhm_ns", file_irf->fwhm_ns},
                  {"peak_ns", file_irf->peak_ns}};
    } else if (!o->irf.empty()) {
      file_irf = Irf::from_grid(read_irf_file(o->irf), o->irf);
      one_input = load_irf_input(o->irf);
    }
    double secs = 0;
    nlohmann::json model;
    if (!o->device.empty()) {
      // The board: x_q (numerics §8) over the link, lifetimes from the summaries' integer sums
      // (equal to lifetimes_from_sfd of the int8 backend's SFD: the dequantized sums are exact).
      if (o->backend != "int8") throw Error("--device runs the int8 model on the board: use --backend int8");
      const QuantFormat fmt = QuantFormat::int8();
      DeviceOptions d;
      if (!o->irf.empty() && !own_irf) {  // i_q by the rule of x_q (numerics §2), loaded once into the board
        if (o->irf == "labels")
          throw Error("--irf labels with --device: the board holds one IRF; give the instrument's IRF file");
        std::vector<int32_t> q(kBins);
        quantize_input(fmt, one_input.data(), q.data());
        d.irf_q.assign(q.begin(), q.end());
      }
      std::vector<int8_t> xq(m * kBins);
      std::vector<int32_t> q(kBins);
      for (size_t j = 0; j < m; ++j) {
        quantize_input(fmt, x.data() + j * kBins, q.data());
        for (int k = 0; k < kBins; ++k) xq[j * kBins + k] = int8_t(q[k]);
      }
      d.path = o->device;
      d.baud = o->baud;
      d.timeout_s = o->timeout;
      d.max_retries = o->retries;
      DeviceStats st;
      const std::vector<link::Summary> sums = run_on_device(d, xq.data(), m, &st);
      for (size_t j = 0; j < m; ++j) rows[idx[j]] = lifetimes_from_summary(sums[j]);
      secs = st.seconds;
      model = {{"backend", "device"}, {"device", o->device}, {"baud", o->baud}, {"board_id", st.status.board_id},
               {"lanes", st.status.lanes}, {"mac_rows", st.status.mac_rows}, {"clk_mhz", st.status.clk_mhz},
               {"retransmits", st.retransmits}, {"error_frames", st.error_frames}, {"timeouts", st.timeouts},
               {"in_dim", st.status.in_dim}};
      if (!o->irf.empty()) model["irf"] = irf_json;
    } else {
      // With a measured IRF (a file, or each sample's own: labels) and no --model, a software backend
      // runs the IRF-conditioned default. Not with an estimated IRF: fed the Gaussian fitted to the
      // summed decay, that model's τm is further from the bound than the width-1 default's
      // (docs/results.md), so 'estimate' and 'pixel' keep the default.
      const bool irf_measured = !o->irf.empty() && !own_irf && o->irf != "estimate";
      auto backend = make_backend(o->backend, model_for_run(o->backend, o->model, irf_measured), o->threads);
      std::vector<float> irf;  // one IRF input for all (stride 0), or one per selected pixel
      size_t irf_stride = 0;
      if (!o->irf.empty()) {
        if (backend->input_width() == 1) {
          // The model reads no IRF: it serves τI from the photons only.
        } else if (own_irf) {
          throw Error("--irf pixel: the model " + backend->describe().value("model", o->model) +
                      " is IRF-conditioned and reads one IRF: give a file, 'estimate' or 'labels'");
        } else if (o->irf == "labels") {  // a simulated set: every sample's own IRF (irf_input.hpp)
          irf = dataset_irf_inputs(*labelled, &idx, o->input);
          irf_stride = kBins;
        } else {
          irf.assign(one_input.begin(), one_input.end());
        }
      }
      check_irf_given(*backend, !o->irf.empty());
      std::vector<float> y(m * kBins * kChannels);
      const auto t0 = std::chrono::steady_clock::now();
      if (m > 0) run_backend(*backend, x.data(), irf.empty() ? nullptr : irf.data(), irf_stride, y.data(), m);
      secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (size_t j = 0; j < m; ++j) rows[idx[j]] = lifetimes_from_sfd(&y[j * kBins * kChannels]);
      model = backend->describe();
      if (!o->irf.empty()) model["irf"] = irf_json;
    }
    if (!o->irf.empty()) {  // τI from the photons (photon_moment.hpp)
      parallel_for(m, o->threads, [&](int, size_t begin, size_t end) {
        for (size_t j = begin; j < end; ++j) {
          const size_t i = idx[j];
          const float* c = &in.counts[i * kBins];
          rows[i] = own_irf ? with_photon_tau_int_own_irf(c, rows[i])
                            : with_photon_tau_int(labelled ? sample_irf(*labelled, i) : *file_irf, c, rows[i]);
        }
      });
      model["tau_int"] = kPhotonTauIntRule;
    }
    if (ends_with(o->out, ".csv")) {
      write_csv(o->out, rows, in.photons);
    } else {
      std::vector<float> flat;
      for (size_t i = 0; i < in.pixels; ++i) {
        const Lifetimes& r = rows[i];
        for (double v : {r.tau1_ns, r.tau2_ns, r.a, r.tau_mean_ns, r.tau_int_ns, in.photons[i]})
          flat.push_back(float(v));
      }
      std::vector<int64_t> shape = in.image_shape;
      shape.push_back(6);
      write_npy(o->out, shape, flat.data());
    }
    const double rate = m / std::max(secs, 1e-9);  // TPSFs through the model per second
    nlohmann::json j = {{"input", o->input}, {"out", o->out}, {"pixels", in.pixels}, {"pixels_estimated", m},
                        {"min_photons", o->min_photons}, {"seconds", secs}, {"tpsf_per_second", rate},
                        {"model", model}};
    j[kVersionKey] = version_string();
    if (o->json) std::cout << j.dump(2) << "\n";
    else
      std::cout << "wrote " << in.pixels << " pixels (" << m << " with lifetimes) to " << o->out << " ("
                << (o->device.empty() ? o->backend : o->device) << ", " << std::lround(rate) << " TPSF/s)\n";
  });
}

}  // namespace flimgru::cli
