// image: FLIM image → binned TPSFs → lifetimes (nn or fit) → pixels.csv, maps, summary (image.hpp).
#include "image.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>

#include "backend.hpp"
#include "dataset.hpp"
#include "device_link.hpp"
#include "error.hpp"
#include "events.hpp"
#include "files.hpp"
#include "fit.hpp"
#include "photon_moment.hpp"
#include "frontend_core.hpp"
#include "frontend_device.hpp"
#include "irf_input.hpp"
#include "lifetimes.hpp"
#include "png_maps.hpp"
#include "preprocess.hpp"
#include "progress.hpp"
#include "ptu.hpp"
#include "quantizer.hpp"
#include "simulator.hpp"
#include "version.hpp"

namespace flimgru {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Tpsfs {
  int height = 0, width = 0;
  std::vector<float> counts;    // [H*W][kBins] on the model grid
  std::vector<double> photons;  // every photon of the pixel
  nlohmann::json facts;
  double read_seconds = 0;
  double period_ns = 0;  // laser period (PTU), 0 if unknown
  std::vector<int> saturated;   // --frontend: 1 where a bin of the pixel's histogram saturated, else empty
  std::vector<int> incomplete;  // --frontend: 1 where a line of the pixel's row lost photons, else empty
};

Tpsfs load_ptu(const ImageOptions& o) {
  Tpsfs t;
  const auto t0 = Clock::now();
  PtuOptions po;
  po.bin = o.bin;
  po.separate_frames = o.frame >= 0;
  po.pixel_rule = o.integer_pixel_rule ? PixelRule::kInteger : PixelRule::kFloat;
  const PtuImage img = read_ptu(o.input, po);
  t.read_seconds = since(t0);
  t.facts = img.facts();
  t.facts["decode_seconds"] = t.read_seconds;
  t.facts["records_per_second"] = double(img.records) / std::max(t.read_seconds, 1e-9);
  if (o.frame >= img.frames)
    throw file_error(o.input, "--frame " + std::to_string(o.frame) + " but the file holds " +
                                  std::to_string(img.frames) + " frames");
  const GridMapping m = make_grid_mapping(o.input, img.micro_bin_ns, img.header.sync_period_ns, img.micro_bins,
                                          o.window_start_ns);
  t.height = img.height;
  t.width = img.width;
  t.period_ns = img.header.sync_period_ns;
  const size_t n = size_t(t.height) * t.width, stride = img.pixel_stride();
  t.counts.resize(n * kBins);
  t.photons.resize(n);
  const size_t base = o.frame >= 0 ? size_t(o.frame) * n : 0;
  std::vector<uint32_t> src(stride);
  double in_window = 0;
  uint64_t all = 0;
  for (size_t p = 0; p < n; ++p) {
    const uint64_t s = img.pixel_photons(base + p);
    t.photons[p] = double(s);
    all += s;
    img.histogram(base + p, src.data());
    in_window += resample_to_grid(m, src.data(), &t.counts[p * kBins]);
  }
  t.facts["grid"] = {{"bins", kBins},
                     {"bin_ns", kBinNs},
                     {"window_start_ns", o.window_start_ns},
                     {"window_end_ns", o.window_start_ns + kBins * kBinNs},
                     {"alignment", "window start at the given micro-time (default 0 = the laser sync)"},
                     {"source_bin_ns", img.micro_bin_ns},
                     {"source_bins", img.micro_bins},
                     {"resampling", "overlap-weighted shares, kept fractional"},
                     {"photons_in_window", in_window},
                     {"photons_outside_window", double(all) - in_window}};
  t.facts["frame"] = o.frame >= 0 ? nlohmann::json(o.frame) : nlohmann::json("all (summed)");
  t.facts["pixel_rule"] = o.integer_pixel_rule ? "integer: floor(dt * PixX / duration)" : "float";
  return t;
}

Tpsfs load_npy(const ImageOptions& o) {
  Tpsfs t;
  const auto t0 = Clock::now();
  const TpsfInput in = load_tpsf_input(o.input);
  if (in.image_shape.size() != 2)
    throw file_error(o.input, "is a list of histograms; `image` needs an image cube [H,W," + std::to_string(kBins) + "]");
  const int H = int(in.image_shape[0]), W = int(in.image_shape[1]), k = o.bin;
  t.height = (H + k - 1) / k;
  t.width = (W + k - 1) / k;
  const size_t n = size_t(t.height) * t.width;
  t.counts.assign(n * kBins, 0.f);
  t.photons.assign(n, 0.0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const size_t p = size_t(y / k) * t.width + size_t(x / k);
      const float* src = &in.counts[(size_t(y) * W + x) * kBins];
      for (int b = 0; b < kBins; ++b) t.counts[p * kBins + b] += src[b];
      t.photons[p] += in.photons[size_t(y) * W + x];
    }
  t.read_seconds = since(t0);
  t.facts = {{"format", "npy"}, {"shape", {H, W, kBins}}, {"read_seconds", t.read_seconds}};
  return t;
}

std::pair<double, double> percentile_range(const std::vector<double>& v, double plo, double phi) {
  std::vector<double> f;
  for (double x : v)
    if (std::isfinite(x)) f.push_back(x);
  if (f.empty()) return {0, 1};
  std::sort(f.begin(), f.end());
  auto at = [&](double p) { return f[size_t(std::lround(p * double(f.size() - 1)))]; };
  double lo = at(plo), hi = at(phi);
  if (!(hi > lo)) hi = lo + 0.1;
  return {lo, hi};
}

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

constexpr const char* kNoIrfRule = "the network's whole decay first moment (docs/numerics.md 7a): no IRF";

// The IRF of τI from the photons (and of an IRF-conditioned network's input): --irf, or else the
// Gaussian fitted to `summed()` (`what`: whose summed decay) with the laser period `period_ns`;
// nullopt, with the reason in `json`, when that fit fails (too few photons). `json` says which.
std::optional<Irf> photon_irf(const ImageOptions& o, const std::vector<double>& irf_counts,
                              const std::function<std::vector<double>()>& summed, double period_ns,
                              const std::string& what, nlohmann::json& json) {
  std::optional<Irf> irf;
  if (!irf_counts.empty()) {
    irf = Irf::from_grid(irf_counts, o.irf_file);
    json = {{"source", o.irf_file}};
  } else {
    try {
      irf = estimate_irf(summed(), period_ns).irf;
      json = {{"source", "estimated from the " + what + "'s summed decay (Gaussian)"}, {"fwhm_ns", irf->fwhm_ns},
              {"peak_ns", irf->peak_ns}};
    } catch (const Error& e) {
      json = {{"source", "none"}, {"reason", e.what()}};
    }
  }
  if (irf) irf->period_ns = period_ns;
  return irf;
}

// PTU through the photon front end and the core (--frontend): the chip's results of frame
// `o.frame` (0 if not given) as the image; photons are those the front end counted into each
// pixel's histogram; lifetimes from each summary for pixels with enough photons, and τI from
// the photons' moments the chip sums (docs/numerics.md §7b) with the IRF: irf_counts (--irf),
// or the Gaussian fitted to the file's summed decay (the host histograms it once, for this only;
// if that fit fails τI stays the network's). irf_json says which.
Tpsfs load_frontend(const ImageOptions& o, FrontendCoreEngine& chip, const std::vector<int8_t>& irf_q,
                    const std::vector<double>& irf_counts, std::vector<Lifetimes>& lt, nlohmann::json& irf_json) {
  Tpsfs t;
  const auto t0 = Clock::now();
  const EventStream ev = events_from_ptu(o.input);
  FrontendConfig c = frontend_config(ev.header, o.bin, o.window_start_ns);
  c.line_buffer = chip.line_buffer();
  const auto file_decay = [&]() {  // the host's histograms of the file, only for this sum
    ImageOptions all = o;
    all.frame = -1;
    const Tpsfs host = load_ptu(all);
    return summed_decay(host.counts.data(), host.photons.size());
  };
  const std::optional<Irf> irf = photon_irf(o, irf_counts, file_decay,
                                            o.period_ns >= 0 ? o.period_ns : ev.header.sync_period_ns, "file", irf_json);
  if (irf) c.pre_rise_bins = irf->pre_rise_bins();
  std::atomic<size_t> done{0};
  ChipRun run;
  {
    ProgressBar bar("flimgru image (front end, " + chip.describe().value("engine", std::string()) + ")",
                    ev.events.size(), done, o.progress && ev.events.size() >= 100000 && o.device.empty());
    run = chip.run(c, ev.events, irf_q, &done);
  }
  t.read_seconds = since(t0);
  const int frame = std::max(o.frame, 0);
  t.height = c.height();
  t.width = c.width();
  t.period_ns = ev.header.sync_period_ns;
  const size_t n = size_t(t.height) * t.width;
  t.photons.assign(n, 0.0);
  t.saturated.assign(n, 0);
  t.incomplete.assign(n, 0);
  lt.assign(n, kNoLifetimes);
  std::vector<uint64_t> per_frame;
  for (const ChipPixel& p : run.pixels) {
    if (size_t(p.frame) >= per_frame.size()) per_frame.resize(size_t(p.frame) + 1, 0);
    per_frame[size_t(p.frame)] += p.photons;
    if (p.frame != frame) continue;
    const size_t i = size_t(p.row) * t.width + size_t(p.col);
    t.photons[i] = p.photons;
    t.saturated[i] = p.saturated;
    t.incomplete[i] = p.incomplete;
    if (!has_lifetimes(p.photons, o.min_photons)) continue;
    lt[i] = lifetimes_from_summary(p.summary);
    if (irf)
      lt[i] = with_photon_tau_int(
          *irf, photon_sums_from_running(p.moments.a, p.moments.b, p.moments.c, p.moments.p, c.pre_rise_bins), lt[i]);
  }
  if (size_t(frame) >= per_frame.size())
    throw file_error(o.input, "--frame " + std::to_string(frame) + " but the photon front end imaged " +
                                  std::to_string(per_frame.size()) + " frames");
  const PtuHeader& h = ev.header;
  t.facts = {{"format", "PTU"},
             {"record_type_name", h.record_type_name},
             {"pix_x", h.pix_x},
             {"pix_y", h.pix_y},
             {"bidirect", h.bidirect},
             {"sync_period_ns", h.sync_period_ns},
             {"micro_time_resolution_ns", h.micro_bin_ns},
             {"records", ev.records},
             {"overflows", ev.overflows}};
  t.facts["frame"] = frame;
  t.facts["pixel_rule"] = "integer: floor(dt * PixX / duration) (the photon front end)";
  t.facts["frontend"] = {{"engine", chip.describe()},
                         {"counters", run.counters.json()},
                         {"photons_per_frame", per_frame},
                         {"micro_mul", c.micro_mul},
                         {"window_offset", c.window_offset},
                         {"count_bits", c.count_bits},
                         {"line_buffer", c.line_buffer},
                         {"seconds", t.read_seconds}};
  if (run.cycles > 0) t.facts["frontend"]["cycles"] = run.cycles;
  t.facts["frontend"]["pixels_saturated"] = std::count(t.saturated.begin(), t.saturated.end(), 1);
  t.facts["frontend"]["pixels_incomplete"] = std::count(t.incomplete.begin(), t.incomplete.end(), 1);
  return t;
}

// components (fit only, else empty): the model that won per pixel, 1 or 2 (0: no lifetimes);
// t.saturated, t.incomplete (--frontend only): the pixel's flags as the last columns.
void write_pixels_csv(const std::string& path, const Tpsfs& t, const std::vector<Lifetimes>& lt,
                      const std::vector<int>& components) {
  write_file(path, [&](std::ostream& f) {
    f << "row,col,photons," << kLifetimeCsvColumns << (components.empty() ? "" : ",fit_components")
      << (t.saturated.empty() ? "" : ",saturated,incomplete") << "\n";
    char buf[64];
    for (int y = 0; y < t.height; ++y)
      for (int x = 0; x < t.width; ++x) {
        const size_t p = size_t(y) * t.width + x;
        f.write(buf, std::snprintf(buf, sizeof buf, "%d,%d,%.0f,", y, x, t.photons[p]));
        write_lifetime_csv_fields(f, lt[p]);
        if (!components.empty()) {
          if (components[p] > 0) f << ',' << components[p];
          else f << ",nan";
        }
        if (!t.saturated.empty()) f << ',' << t.saturated[p] << ',' << t.incomplete[p];
        f << '\n';
      }
  });
}

}  // namespace

nlohmann::json run_image(const ImageOptions& o) {
  const auto t_start = Clock::now();
  if (o.bin < 1) throw Error("--bin must be >= 1");
  if (o.method != "nn" && o.method != "fit") throw Error("--method must be nn or fit");
  if (o.out_dir.empty()) throw Error("no output directory given");
  std::string out = o.out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  check_dir_replaceable(out, "summary.json");  // an earlier `flimgru image` output, or nothing
  if (!fs::exists(o.input)) throw file_error(o.input, "no such file");

  const bool is_ptu = ends_with(o.input, ".ptu") || ends_with(o.input, ".PTU");
  std::unique_ptr<FrontendCoreEngine> chip;  // --frontend, --device: the photon front end and the core
  std::unique_ptr<Backend> backend;          // fail early on a bad model, before the slow part
  if (o.frontend || !o.device.empty()) {
    const std::string flag = o.device.empty() ? "--frontend" : "--device";
    if (!is_ptu) throw file_error(o.input, flag + " reads time-tagged records: a PTU file, not an image cube");
    if (o.method != "nn") throw Error(flag + " runs the network (--method nn); the fit needs the histograms");
    if (o.device.empty()) {
      chip = make_frontend_core(o.backend, o.model, o.threads);
    } else {
      if (o.backend != "int8" || !o.model.empty())
        throw Error("--device runs the int8 model the board was built with: no --backend or --model");
      DeviceOptions d;
      d.path = o.device;
      d.baud = o.baud;
      d.timeout_s = o.timeout_s;
      d.progress = o.progress;
      chip = std::make_unique<DeviceFrontendCore>(d);
    }
  } else if (o.method == "nn") {
    // With a measured IRF (--irf FILE) and no --model, a software backend runs the IRF-conditioned
    // default (backend.hpp: model_for_run); an estimated IRF keeps the width-1 default, which
    // needs no IRF where the image's summed decay cannot be fitted.
    backend = make_backend(o.backend, model_for_run(o.backend, o.model, !o.irf_file.empty()), o.threads);
  }
  const nlohmann::json nn_model = backend ? backend->describe() : nlohmann::json();
  const int nn_width = chip ? chip->input_width() : backend ? backend->input_width() : 1;
  const bool nn_irf = o.method == "nn" && nn_width != 1;  // an IRF-conditioned network
  std::vector<double> irf_counts;
  if (!o.irf_file.empty()) irf_counts = read_irf_file(o.irf_file);
  std::vector<int8_t> chip_irf_q;  // the IRF the chip is loaded with (i_q, numerics §2)
  if (chip && nn_irf) {
    if (irf_counts.empty())
      throw Error("--frontend with an IRF-conditioned model needs --irf FILE (the chip keeps no histograms to "
                  "estimate the IRF from)");
    const IrfInput in = irf_input_from_bins(irf_counts, o.irf_file);
    std::vector<int32_t> q(kBins);
    quantize_input(QuantFormat::int8(), in.data(), q.data());
    chip_irf_q.assign(q.begin(), q.end());
  }

  std::vector<Lifetimes> lt;
  nlohmann::json chip_irf;  // --frontend: the IRF of τI from the photons
  Tpsfs t = chip ? load_frontend(o, *chip, chip_irf_q, irf_counts, lt, chip_irf) : is_ptu ? load_ptu(o) : load_npy(o);
  const size_t n = size_t(t.height) * t.width;
  if (!chip) lt.assign(n, kNoLifetimes);
  std::vector<double> com(n, NAN);
  std::vector<int> components;  // fit: 1 (mono) or 2 (bi) per pixel with lifetimes, else 0
  nlohmann::json model;
  std::atomic<size_t> done{0};
  const bool show = o.progress && n >= 2048;
  size_t estimated = 0;
  const auto t_est = Clock::now();
  // The laser period of the fit model (and of the IRF estimate): --period, or the PTU's sync.
  auto laser_period = [&]() {
    const double period = o.period_ns >= 0 ? o.period_ns : t.period_ns;
    if (o.period_ns < 0 && !(t.period_ns > 0))
      throw file_error(o.input, "--period sync needs a PTU file (the laser period is not known)");
    if (period > 0 && period < kBins * kBinNs)
      throw Error("--period " + std::to_string(period) + " ns is shorter than the 135 x 90 ps window");
    return period;
  };
  auto image_decay = [&]() { return summed_decay(t.counts.data(), n); };
  if (chip) {
    model = chip->describe();  // after the run (a board's retransmissions)
    model["irf"] = chip_irf;
    model["tau_int"] = chip_irf.value("source", "none") == "none"
                           ? kNoIrfRule
                           : std::string(kPhotonTauIntRule) + ", from the chip's photon moments";
    for (const Lifetimes& l : lt) estimated += !std::isnan(l.tau_int_ns);
  } else if (o.method == "nn") {
    model = nn_model;
    // The IRF: --irf, or else the Gaussian IRF fitted to the whole image. An IRF-conditioned
    // network reads it; every network's τI comes from the photons with it (photon_moment.hpp).
    // Without --irf, an image whose summed decay cannot be fitted (too few photons) keeps the
    // network's τI for a width-1 network (summary.json says why); an IRF-conditioned one needs it.
    const std::optional<Irf> irf = photon_irf(o, irf_counts, image_decay, laser_period(), "image", model["irf"]);
    if (nn_irf && !irf) throw Error("cannot run an IRF-conditioned network: " + model["irf"].value("reason", ""));
    IrfInput irf_in{};
    if (nn_irf)
      irf_in = irf_counts.empty() ? gaussian_irf_input(irf->fwhm_ns, irf->peak_ns)
                                  : irf_input_from_bins(irf_counts, o.irf_file);
    model["tau_int"] = irf ? kPhotonTauIntRule : kNoIrfRule;
    // Only the pixels with enough photons go through the network.
    std::vector<size_t> idx;
    for (size_t i = 0; i < n; ++i)
      if (has_lifetimes(t.photons[i], o.min_photons)) idx.push_back(i);
    const size_t m = idx.size();
    std::vector<float> sel(m * kBins);
    for (size_t j = 0; j < m; ++j)
      std::copy_n(&t.counts[idx[j] * kBins], kBins, &sel[j * kBins]);
    const std::vector<float> x = preprocess_batch(sel.data(), m);
    std::vector<float> y(m * kBins * kChannels);
    ProgressBar bar("flimgru image (nn)", m, done, show && m >= 2048);
    const size_t chunk = 1024;
    for (size_t b = 0; b < m; b += chunk) {
      const size_t c = std::min(chunk, m - b);
      run_backend(*backend, &x[b * kBins], nn_irf ? irf_in.data() : nullptr, 0, &y[b * kBins * kChannels], c);
      done += c;
    }
    bar.finish();
    for (size_t j = 0; j < m; ++j) {
      const size_t i = idx[j];
      lt[i] = lifetimes_from_sfd(&y[j * kBins * kChannels]);
      if (irf) lt[i] = with_photon_tau_int(*irf, &t.counts[i * kBins], lt[i]);
      ++estimated;
    }
  } else {
    const std::vector<double> summed = image_decay();
    Irf irf;
    FitResult global;
    const double period = laser_period();
    if (!irf_counts.empty()) {
      irf = Irf::from_grid(irf_counts, o.irf_file);
      irf.period_ns = period;
      std::vector<float> s(summed.begin(), summed.end());
      global = fit_pixel(irf, s.data(), FitStart{}, FitModel::bi);
    } else {
      const IrfEstimate e = estimate_irf(summed, period);
      irf = e.irf;
      global = e.fit;
    }
    const FitStart start{global.ok ? global.tau1 : 0.5, global.ok ? global.tau2 : 2.5, global.ok ? global.a : 0.5};
    std::vector<FitResult> fits;
    {
      ProgressBar bar("flimgru image (fit)", n, done, show);
      fits = fit_pixels(irf, t.counts.data(), n, start, std::max(o.min_photons, 1.0), o.threads, &done);
    }
    components.assign(n, 0);
    size_t mono = 0, at_bound = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!fits[i].ok || !has_lifetimes(t.photons[i], o.min_photons)) continue;
      lt[i] = Lifetimes{fits[i].tau1, fits[i].tau2, fits[i].a, fits[i].tau_mean, fits[i].tau_int};
      components[i] = fits[i].components;
      mono += fits[i].components == 1;
      at_bound += fits[i].at_bound;
      com[i] = com_lifetime(irf, &t.counts[i * kBins]);
      ++estimated;
    }
    model = {{"method", "maximum-likelihood fit (Poisson deviance, Ceres)"},
             {"model", "mono- or bi-exponential * IRF + constant background"},
             {"model_selection", kFitModelSelection},
             {"pixels_mono", mono},
             {"pixels_bi", estimated - mono},
             {"pixels_at_bound", at_bound},
             {"irf", irf.to_json()},
             {"summed_decay_fit",
              {{"tau1_ns", global.tau1}, {"tau2_ns", global.tau2}, {"a", global.a},
               {"tau_int_ns", global.tau_int}, {"deviance", global.deviance}}},
             {"median_tau_com_ns", median(com)}};
  }
  const double est_secs = since(t_est);

  // Maps and files, into a temporary beside DIR, then swapped in (files.hpp).
  nlohmann::json summary;
  write_dir(out, "summary.json", [&](const std::string& tmp) {
    write_pixels_csv(tmp + "/pixels.csv", t, lt, components);
    auto col = [&](auto get) {
      std::vector<double> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = get(i);
      return v;
    };
    nlohmann::json scales;
    auto map = [&](const std::string& name, std::vector<double> v, const std::string& unit, bool gray,
                   std::vector<double> bright, std::pair<double, double> range) {
      MapSpec m;
      m.height = t.height;
      m.width = t.width;
      m.values = std::move(v);
      m.lo = range.first;
      m.hi = range.second;
      m.unit = unit;
      m.gray = gray;
      m.brightness = std::move(bright);
      write_map_png(tmp + "/" + name, m);
      scales[name] = {range.first, range.second, unit};
    };
    const auto v1 = col([&](size_t i) { return lt[i].tau1_ns; });
    const auto v2 = col([&](size_t i) { return lt[i].tau2_ns; });
    const auto vm = col([&](size_t i) { return lt[i].tau_mean_ns; });
    const auto ti = col([&](size_t i) { return lt[i].tau_int_ns; });
    auto scale = [&](const std::vector<double>& v) {
      return o.tau_range.size() == 2 ? std::make_pair(o.tau_range[0], o.tau_range[1])
                                       : percentile_range(v, 0.02, 0.98);
    };
    map("tau1.png", v1, "ns", false, {}, scale(v1));
    map("tau2.png", v2, "ns", false, {}, scale(v2));
    map("tau_mean.png", vm, "ns", false, {}, scale(vm));
    const auto ti_range = scale(ti);
    map("tau_int.png", ti, "ns", false, {}, ti_range);
    const double pmax = std::max(1.0, percentile_range(t.photons, 0.0, 0.99).second);
    map("intensity.png", t.photons, "ph", true, {}, {0.0, pmax});
    const double p95 = std::max(1.0, percentile_range(t.photons, 0.0, 0.95).second);
    const auto bright = col([&](size_t i) { return t.photons[i] / p95; });
    map("tau_int_intensity.png", ti, "ns", false, bright, ti_range);

    double photons = 0;
    for (double p : t.photons) photons += p;
    summary["input"] = o.input;
    summary["file"] = t.facts;
    summary["image"] = {{"height", t.height}, {"width", t.width}, {"bin", o.bin}, {"pixels", n}};
    summary["photons"] = photons;
    summary["min_photons"] = o.min_photons;
    summary["pixels_estimated"] = estimated;
    summary["method"] = o.method;
    summary["model"] = model;
    summary["median"] = {{"tau1_ns", median(v1)}, {"tau2_ns", median(v2)}, {"tau_mean_ns", median(vm)},
                         {"tau_int_ns", median(ti)}, {"photons", median(t.photons)}};
    summary["map_scales"] = scales;
    summary["seconds"] = {{"read", t.read_seconds}, {"lifetimes", est_secs}, {"total", since(t_start)}};
    summary["pixels_per_second"] = double(n) / std::max(est_secs, 1e-9);
    summary["threads"] = o.threads;
    summary[kVersionKey] = version_string();
    write_file(tmp + "/summary.json", summary.dump(2) + "\n");
  });
  return summary;
}

}  // namespace flimgru
