// flimgru image: a FLIM image (PTU file or .npy cube) to per-pixel lifetimes, maps and a summary.
#include <iostream>

#include "cli.hpp"
#include "error.hpp"
#include "image.hpp"

namespace flimgru::cli {

void add_image(CLI::App& app) {
  auto o = std::make_shared<ImageOptions>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* c = app.add_subcommand(
      "image",
      "Lifetime image: reads a PicoQuant .ptu (T3) file or a .npy cube [H,W,135], bins k x k, maps the "
      "micro-time onto the 135 x 90 ps grid and writes DIR/pixels.csv, PNG maps and DIR/summary.json");
  c->add_option("input", o->input, "PTU file (.ptu) or .npy image cube [H,W,135]")->required();
  c->add_option("-o,--out", o->out_dir, "Output directory (written as DIR.tmp, then renamed)")->required();
  c->add_option("--bin", o->bin, "Spatial binning k: k x k pixels per TPSF")->check(CLI::Range(1, 4096));
  auto* method = c->add_option("--method", o->method, "nn (the network) or fit (maximum-likelihood fit, the "
                                                      "baseline; the default without --device)")
                     ->check(CLI::IsMember({"nn", "fit"}));
  c->add_option("--backend", o->backend,
                "For nn: float, int8, int16, or rtl (the verilated core compiled for the default model; "
                "identical output to int8), as for `flimgru infer`")
      ->check(backend_validator());
  c->add_option("--model", o->model, "For nn: checkpoint (.safetensors) or ROM set directory (default: the "
                                    "shipped model weights/default; with --irf FILE and a float/int8/int16 "
                                    "backend the IRF-conditioned weights/default-irf)");
  c->add_option("--tau-range", o->tau_range, "LO,HI: one lifetime colour scale (ns) for every map, e.g. to "
                                             "compare methods side by side (default: percentiles per map)")
      ->delimiter(',')->expected(2);
  c->add_option("--min-photons", o->min_photons, "Pixels with fewer photons get no lifetimes (NaN); the others "
                                                 "finite ones in [0, 30] ns (docs/formats.md)")
      ->check(CLI::Range(0.0, 1e18))->capture_default_str();
  c->add_option("--irf", o->irf_file, "Measured IRF (135 values on the model grid, see docs/formats.md), for the fit, "
                                      "for nn's tau_int from the photons and as the input of an IRF-conditioned "
                                      "model; default: a Gaussian IRF estimated from the image's summed decay");
  c->add_option("--window-start", o->window_start_ns,
                "PTU: micro-time (ns) where the 135 x 90 ps window starts (default 0, the laser sync)");
  auto rule = std::make_shared<std::string>("float");
  c->add_option("--pixel-rule", *rule,
                "PTU: float (x = dt * (PixX / duration) in double, the default) or integer (x = floor(dt * PixX / "
                "duration) exactly, the photon front end's rule, docs/numerics.md section 10)")
      ->check(CLI::IsMember({"float", "integer"}));
  c->add_flag("--frontend", o->frontend,
              "PTU with --method nn: through the photon front end and the core as the chip runs them (integer "
              "pixel rule and pre-processing, docs/numerics.md sections 8 and 10); --backend int8 is their C++ "
              "twin, rtl the verilated RTL (identical pixels.csv); one frame is the image (--frame, default 0)");
  c->add_option("--device", o->device,
                "PTU: the photon front end and the core on a flimgru board with the front end: its serial port "
                "(/dev/ttyUSB0, or the pty of the virtual board); the events go over the link (docs/protocol.md "
                "section 7) and the board's pixels give what --frontend --backend int8 gives; --method nn, the "
                "model the board was built with");
  add_device_link_options(c, o->baud, o->timeout_s);
  c->add_option("--frame", o->frame, "PTU: use only this frame (0-based; default: all frames summed)")
      ->check(CLI::Range(0, 1 << 30));
  auto period = std::make_shared<std::string>("0");
  c->add_option("--period", *period,
                "For fit: laser period (ns) to include the decay tails of earlier pulses, or 'sync' for the PTU "
                "header's sync period; 0 (default) = a single pulse, as the simulator");
  add_threads_option(c, o->threads);
  c->add_flag("--quiet", *quiet, "No progress bar");
  c->add_flag("--json", *json, "Print the summary as JSON");
  c->callback([o, json, quiet, period, rule, method]() {
    o->progress = !*quiet;
    if (!o->device.empty() && method->count() == 0) o->method = "nn";  // the board runs the network
    o->integer_pixel_rule = *rule == "integer";
    if (*period == "sync") {
      o->period_ns = -1;
    } else {
      try {
        size_t used = 0;
        o->period_ns = std::stod(*period, &used);
        if (used != period->size() || !(o->period_ns >= 0)) throw std::invalid_argument("");
      } catch (const std::logic_error&) {
        throw Error("--period must be a number of ns >= 0 or 'sync', not '" + *period + "'");
      }
    }
    const nlohmann::json s = run_image(*o);
    if (*json) {
      std::cout << s.dump(2) << "\n";
    } else {
      std::cout << "wrote " << s["image"]["height"] << "x" << s["image"]["width"] << " pixels ("
                << s["pixels_estimated"] << " with lifetimes, method " << o->method << ", median tau_int "
                << s["median"]["tau_int_ns"] << " ns) to " << o->out_dir << "\n";
    }
  });
}

}  // namespace flimgru::cli
