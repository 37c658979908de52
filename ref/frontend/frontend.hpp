// frontend: the C++ twin of the photon front end (rtl/frontend/), bit for bit: events in
// (events.hpp), per-pixel histograms on the model grid and the integer pre-processing out
// (docs/numerics.md §8 integer form, §10 the front end). One function or class per RTL block:
//   map_micro        event_micro_map.v   micro-time → model bin (dither of dither_next)
//   LineAssembler    line_assembler.v    line markers → lines of buffered photons
//   pixel_of         pixel_divider.v     x = floor(dt · PixX / duration), bidirectional, binning
//   Frontend         frontend_top.v      the whole: rows of binned pixels, saturating counts,
//                                        bad-input counters, pixels out (frontend_norm.v)
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "events.hpp"
#include "tpsf.hpp"

namespace flimgru {

constexpr int kMicroMulFrac = 16;    // M = round(2^16 · micro-time unit / 90 ps)
constexpr int kDitherBits = 8;       // sub-unit dither of the micro-time
constexpr int kWindowFrac = kMicroMulFrac + kDitherBits;  // O in units of 90 ps / 2^24
constexpr uint16_t kDitherSeed = 0xACE1;

struct FrontendConfig {
  int pix_x = 0, pix_y = 0;   // image size in scan pixels (ImgHdr_PixX, ImgHdr_PixY)
  bool bidirect = false;      // odd lines run right to left
  int bin_shift = 0;          // k × k binning, k = 2^bin_shift
  uint32_t micro_mul = 0;     // M (17 bits: micro-time units of at most 2 × 90 ps)
  int64_t window_offset = 0;  // O = round(2^24 · window start / 90 ps) (31 bits)
  int count_bits = 16;        // histogram counts saturate at 2^count_bits − 1
  int line_buffer = 4096;     // photons of one line held until its stop marker
  int duration_bits = 24;     // a line lasts less than 2^duration_bits sync periods
  int pre_rise_bins = 0;      // frontend_core: the IRF's bins before its rise, whose counts the
                              // photon moments sum separately (docs/numerics.md §7b; 0 … 135)
  int bin() const { return 1 << bin_shift; }
  int width() const { return (pix_x + bin() - 1) >> bin_shift; }
  int height() const { return (pix_y + bin() - 1) >> bin_shift; }
};

// The configuration of a PTU file's instrument: M and O from its micro-time resolution and
// `window_start_ns`. Throws Error naming the file (as make_grid_mapping does) on a resolution
// coarser than 2 × 90 ps, a window beyond the sync period, a non-power-of-two `bin`, an image
// wider than 4096 pixels.
FrontendConfig frontend_config(const PtuHeader& h, int bin = 1, double window_start_ns = 0);
// Throws Error on a configuration the front end cannot run (the ranges above).
void check_frontend_config(const FrontendConfig& c);

// The dither generator: a 16-bit Galois LFSR (x^16 + x^14 + x^13 + x^11 + 1), advanced once per
// photon event; the dither is the low 8 bits of the new state.
inline uint16_t dither_next(uint16_t s) { return uint16_t((s >> 1) ^ ((s & 1u) ? 0xB400u : 0u)); }

// The model bin of a photon: a = ((micro · 2^8 + dither) · M) − O; bin = a >> 24 if
// 0 ≤ a < 135 · 2^24, otherwise −1 (outside the window).
int map_micro(uint16_t micro, uint8_t dither, const FrontendConfig& c);

// The binned column of a photon dt sync periods after its line's start in a line of `duration`
// sync periods (0 < duration < 2^duration_bits): x = integer_pixel(dt, duration, PixX) (ptu.hpp),
// reversed on odd lines of a bidirectional scan, then x >> bin_shift. *past_image is set when
// dt ≥ duration (x clamped to the last pixel).
int pixel_of(uint32_t dt, uint32_t duration, int line, const FrontendConfig& c, bool* past_image);

struct FrontendCounters {
  uint64_t events = 0, photons = 0;
  uint64_t photons_imaged = 0;         // counted into a pixel's histogram (saturated or not)
  uint64_t photons_outside_lines = 0;  // no open line, or their line never stopped
  uint64_t photons_outside_window = 0; // micro-time outside the 135 × 90 ps window
  uint64_t photons_line_overflow = 0;  // beyond the line buffer
  uint64_t photons_bad_line = 0;       // in lines dropped for their duration
  uint64_t photons_past_image = 0;     // dt ≥ duration: imaged into the line's last pixel
  uint64_t photons_saturated = 0;      // imaged into a bin already at its maximum (lost)
  uint64_t lines_imaged = 0;
  uint64_t lines_too_long = 0;         // duration ≥ 2^duration_bits
  uint64_t lines_zero_duration = 0;    // stop at the start's sync count
  uint64_t stops_before_start = 0;     // a line stop without an open line
  uint64_t truncated_records = 0, unknown_records = 0;
  uint64_t frames = 0;                 // frames closed (frame marker or PixY lines)
  uint64_t rows_out = 0;               // rows of binned pixels read out
  nlohmann::json json() const;
  bool operator==(const FrontendCounters& o) const;
};
// The counters as the chip reports them: 32 bits each, in the order of json() and of
// rtl/frontend/frontend_params.vh (Cnt*, NumCounters).
constexpr int kFrontendCounters = 17;
FrontendCounters frontend_counters_from_words(const std::array<uint32_t, kFrontendCounters>& words);

// One binned pixel as the front end emits it.
struct FrontendPixel {
  int frame = 0, row = 0, col = 0;
  uint32_t photons = 0;     // Σ_k counts[k]
  bool saturated = false;   // a bin reached 2^count_bits − 1
  bool incomplete = false;  // a line of its row lost photons: beyond the line buffer, or a line
                            // dropped for its duration (too long, zero)
  std::array<uint32_t, kBins> counts{};
  std::array<int32_t, kBins> x_q{};  // preprocess_counts_int(counts)
};

// The front end, one event at a time, in stream order. Rows of binned pixels are emitted when
// they are complete: after the stop of their last line, when a line of another row is imaged,
// at a frame marker and at kFlush. A line dropped for its duration opens its row like a line
// without photons and flags it incomplete (so a row of bad lines is emitted, flagged). Line bookkeeping is ptu.cpp's (scan_markers): line numbers
// count from 0 after a frame marker that follows a line, a start at line PixY opens the next
// frame, a new start or a frame marker drops an open line.
class Frontend {
 public:
  explicit Frontend(const FrontendConfig& c);
  void push(const Event& e);
  const FrontendConfig& config() const { return c_; }
  const FrontendCounters& counters() const { return n_; }
  std::vector<FrontendPixel>& pixels() { return out_; }

 private:
  struct Photon {
    uint32_t dt;
    uint8_t bin;
  };
  void drop_open_line();
  void open_row(bool lost);
  void image_line(uint32_t duration);
  void close_row_if_last();
  void close_row();
  FrontendConfig c_;
  FrontendCounters n_;
  uint16_t lfsr_ = kDitherSeed;
  bool in_line_ = false, line_lost_ = false;
  uint32_t t_start_ = 0;
  int frame_ = 0, line_ = 0;
  std::vector<Photon> line_photons_;
  bool row_open_ = false, row_incomplete_ = false;
  int row_frame_ = 0, row_ = 0;
  std::vector<uint32_t> hist_;  // [width][kBins]
  std::vector<FrontendPixel> out_;
};

struct FrontendRun {
  std::vector<FrontendPixel> pixels;
  FrontendCounters counters;
};
FrontendRun run_frontend(const FrontendConfig& c, const std::vector<Event>& events);

}  // namespace flimgru
