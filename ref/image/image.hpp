// image: a FLIM image (PTU file or .npy cube [H,W,135]) to per-pixel lifetimes, maps and a
// summary (what `flimgru image FILE -o DIR` does).
//
// Input → binned TPSFs on the model grid (PTU: decode, k × k binning, micro-time resampling with
// the window at micro-time `window_start_ns`; .npy: k × k sums of the cube) → lifetimes by the
// network (`nn`, any backend) or by the maximum-likelihood fit (`fit`, fit.hpp) → DIR with
//   pixels.csv   row,col,photons,tau1_ns,tau2_ns,a,tau_mean_ns,tau_int_ns (one row per binned
//                pixel; photons = every photon of the pixel, also those outside the window;
//                lifetimes NaN below --min-photons); with --method fit also fit_components, the
//                model that won the selection (1 mono-, 2 bi-exponential; fit.hpp); with
//                --frontend also saturated (1: a bin of the pixel hit the count limit) and
//                incomplete (1: a line of the pixel's row lost photons: line buffer full, or
//                a line dropped for its duration)
//   tau1.png, tau2.png, tau_mean.png, tau_int.png   lifetime maps with colour bar (ns)
//   intensity.png                                   photons per binned pixel (grey, "ph",
//                                                   scale 0 … 99th percentile)
//   tau_int_intensity.png                           τ_int colour, brightness ∝ photons (full
//                                                   at the 95th percentile of the photons)
//   summary.json                                    input facts, photons, timings, method/model
// DIR is written as DIR.tmp and renamed; an existing DIR is replaced only if it holds a
// summary.json (an earlier output), else it is an error. On any error nothing is left behind.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifetimes.hpp"

namespace flimgru {

struct ImageOptions {
  std::string input, out_dir;
  int bin = 1;
  std::string method = "fit";     // "nn" or "fit"
  std::string backend = "int8";   // for nn: any backend of make_backend (float, int8, int16, rtl)
  std::string model;              // for nn: checkpoint or ROM set (empty: the default model)
  double min_photons = kDefaultMinPhotons;  // pixels with fewer photons get NaN lifetimes (lifetimes.hpp)
  std::string irf_file;           // measured IRF (135 values on the grid), else estimated: for fit,
                                  // and for nn with an IRF-conditioned model (input width 2), whose
                                  // IRF input is then the Gaussian estimate_irf() fits to the image's
                                  // summed decay (summary.json "model"."irf" says which)
  double window_start_ns = 0;     // PTU: micro-time at which the 135 × 90 ps window starts
  int frame = -1;                 // PTU: -1 = all frames summed, else only this frame (0-based)
  bool frontend = false;          // PTU, nn: through the photon front end and the core as the chip
                                  // runs them (frontend_core.hpp; backend int8 = the C++ twin, rtl =
                                  // the verilated RTL): integer pixel rule, integer pre-processing,
                                  // one frame (`frame`, default 0) is the image
  std::string device;             // PTU, nn: the photon front end and the core on a board at this
                                  // serial port (frontend_device.hpp), as `frontend` runs them; the
                                  // board runs the int8 model it was built with (backend int8, no model)
  unsigned baud = 3000000;        // device: the link's baud rate
  double timeout_s = 0;           // device: silence before resending (0: from the board's status)
  bool integer_pixel_rule = false; // PTU: the photon front end's exact integer pixel rule
                                  // (PixelRule::kInteger, docs/numerics.md §10) instead of the float one
  double period_ns = 0;           // fit: laser period for the decay tails of earlier pulses;
                                  // 0 = a single pulse (as the simulator), -1 = the PTU's sync period
  std::vector<double> tau_range; // {lo, hi} ns: one colour scale for every lifetime map (empty:
                                  // each map from its 2nd to 98th percentile)
  int threads = 2;
  bool progress = true;           // progress bar on stderr for images of >= 2048 pixels
};

// Runs the whole pipeline and returns the summary (also written to DIR/summary.json).
nlohmann::json run_image(const ImageOptions& opt);

}  // namespace flimgru
