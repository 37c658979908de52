// frontend: the C++ twin of rtl/frontend/ (frontend.hpp).
#include "frontend.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "error.hpp"
#include "preprocess.hpp"

namespace flimgru {

void check_frontend_config(const FrontendConfig& c) {
  std::ostringstream os;
  if (c.pix_x < 1 || c.pix_x > 4096 || c.pix_y < 1 || c.pix_y > 65535)
    os << "image of " << c.pix_x << " × " << c.pix_y << " pixels (1 … 4096 × 1 … 65535)";
  else if (c.bin_shift < 0 || c.bin_shift > 6)
    os << "binning 2^" << c.bin_shift << " (1 … 64)";
  else if (c.micro_mul < 1 || c.micro_mul >= (1u << 17))
    os << "micro-time multiplier " << c.micro_mul << " (1 … 2^17 − 1)";
  else if (c.window_offset < 0 || c.window_offset >= (int64_t(1) << 31))
    os << "window offset " << c.window_offset << " (0 … 2^31 − 1)";
  else if (c.count_bits < 2 || c.count_bits > 16)
    os << "count width " << c.count_bits << " bits (2 … 16)";
  else if (c.line_buffer < 1 || c.duration_bits < 1 || c.duration_bits > 31)
    os << "line buffer " << c.line_buffer << ", duration width " << c.duration_bits;
  else if (c.pre_rise_bins < 0 || c.pre_rise_bins > kBins)
    os << "pre-rise bins " << c.pre_rise_bins << " (0 … " << kBins << ")";
  if (!os.str().empty()) throw Error("photon front end: unsupported configuration: " + os.str());
}

FrontendConfig frontend_config(const PtuHeader& h, int bin, double window_start_ns) {
  FrontendConfig c;
  c.pix_x = h.pix_x;
  c.pix_y = h.pix_y;
  c.bidirect = h.bidirect;
  int shift = 0;
  while ((1 << shift) < bin) ++shift;
  if (bin < 1 || (1 << shift) != bin)
    throw file_error(h.path, "the photon front end bins by a power of two, not " + std::to_string(bin));
  c.bin_shift = shift;
  // the same checks as make_grid_mapping: the window must lie in the measured period
  make_grid_mapping(h.path, h.micro_bin_ns, h.sync_period_ns, 1, window_start_ns);
  c.micro_mul = uint32_t(std::llround(std::ldexp(h.micro_bin_ns / kBinNs, kMicroMulFrac)));
  c.window_offset = std::llround(std::ldexp(window_start_ns / kBinNs, kWindowFrac));
  check_frontend_config(c);
  return c;
}

int map_micro(uint16_t micro, uint8_t dither, const FrontendConfig& c) {
  const int64_t a = ((int64_t(micro) << kDitherBits) | dither) * int64_t(c.micro_mul) - c.window_offset;
  if (a < 0 || a >= (int64_t(kBins) << kWindowFrac)) return -1;
  return int(a >> kWindowFrac);
}

int pixel_of(uint32_t dt, uint32_t duration, int line, const FrontendConfig& c, bool* past_image) {
  *past_image = dt >= duration;
  int64_t x = integer_pixel(int64_t(dt), int64_t(duration), c.pix_x);
  if (c.bidirect && (line & 1)) x = c.pix_x - 1 - x;
  return int(x >> c.bin_shift);
}

nlohmann::json FrontendCounters::json() const {
  return {{"events", events},
          {"photons", photons},
          {"photons_imaged", photons_imaged},
          {"photons_outside_lines", photons_outside_lines},
          {"photons_outside_window", photons_outside_window},
          {"photons_line_overflow", photons_line_overflow},
          {"photons_bad_line", photons_bad_line},
          {"photons_past_image", photons_past_image},
          {"photons_saturated", photons_saturated},
          {"lines_imaged", lines_imaged},
          {"lines_too_long", lines_too_long},
          {"lines_zero_duration", lines_zero_duration},
          {"stops_before_start", stops_before_start},
          {"truncated_records", truncated_records},
          {"unknown_records", unknown_records},
          {"frames", frames},
          {"rows_out", rows_out}};
}

bool FrontendCounters::operator==(const FrontendCounters& o) const { return json() == o.json(); }

FrontendCounters frontend_counters_from_words(const std::array<uint32_t, kFrontendCounters>& words) {
  FrontendCounters n;
  uint64_t* field[kFrontendCounters] = {
      &n.events, &n.photons, &n.photons_imaged, &n.photons_outside_lines, &n.photons_outside_window,
      &n.photons_line_overflow, &n.photons_bad_line, &n.photons_past_image, &n.photons_saturated,
      &n.lines_imaged, &n.lines_too_long, &n.lines_zero_duration, &n.stops_before_start,
      &n.truncated_records, &n.unknown_records, &n.frames, &n.rows_out};
  for (int i = 0; i < kFrontendCounters; ++i) *field[i] = words[size_t(i)];
  return n;
}

Frontend::Frontend(const FrontendConfig& c) : c_(c) {
  check_frontend_config(c_);
  hist_.assign(size_t(c_.width()) * kBins, 0);
  line_photons_.reserve(size_t(c_.line_buffer));
}

void Frontend::drop_open_line() {
  if (in_line_) n_.photons_outside_lines += line_photons_.size();
  line_photons_.clear();
  in_line_ = false;
}

void Frontend::close_row() {
  if (!row_open_) return;
  const uint32_t top = (1u << c_.count_bits) - 1;
  for (int col = 0; col < c_.width(); ++col) {
    FrontendPixel p;
    p.frame = row_frame_;
    p.row = row_;
    p.col = col;
    p.incomplete = row_incomplete_;
    uint32_t* h = &hist_[size_t(col) * kBins];
    for (int k = 0; k < kBins; ++k) {
      p.counts[k] = h[k];
      p.photons += h[k];
      p.saturated = p.saturated || h[k] == top;
      h[k] = 0;
    }
    p.x_q = preprocess_counts_int(p.counts.data());
    out_.push_back(p);
  }
  ++n_.rows_out;
  row_open_ = false;
}

void Frontend::open_row(bool lost) {
  const int row = line_ >> c_.bin_shift;
  if (row_open_ && (row_frame_ != frame_ || row_ != row)) close_row();
  if (!row_open_) row_incomplete_ = false;
  row_open_ = true;
  row_frame_ = frame_;
  row_ = row;
  row_incomplete_ = row_incomplete_ || lost;
}

void Frontend::close_row_if_last() {
  if (((line_ + 1) & (c_.bin() - 1)) == 0 || line_ + 1 == c_.pix_y) close_row();
}

void Frontend::image_line(uint32_t duration) {
  open_row(line_lost_);
  const uint32_t top = (1u << c_.count_bits) - 1;
  for (const Photon& p : line_photons_) {
    bool past = false;
    const int col = pixel_of(p.dt, duration, line_, c_, &past);
    n_.photons_past_image += past;
    uint32_t& h = hist_[size_t(col) * kBins + p.bin];
    if (h == top) ++n_.photons_saturated;
    else ++h;
  }
  n_.photons_imaged += line_photons_.size();
  ++n_.lines_imaged;
  line_photons_.clear();
  close_row_if_last();
}

void Frontend::push(const Event& e) {
  ++n_.events;
  switch (e.kind) {
    case EventKind::kPhoton: {
      ++n_.photons;
      lfsr_ = dither_next(lfsr_);
      if (!in_line_) {
        ++n_.photons_outside_lines;
        break;
      }
      const int b = map_micro(e.micro, uint8_t(lfsr_), c_);
      if (b < 0) ++n_.photons_outside_window;
      else if (int(line_photons_.size()) >= c_.line_buffer) ++n_.photons_line_overflow, line_lost_ = true;
      else line_photons_.push_back({uint32_t(e.macro - t_start_), uint8_t(b)});
      break;
    }
    case EventKind::kLineStop: {
      if (!in_line_) {
        ++n_.stops_before_start;
        break;
      }
      in_line_ = false;
      const uint32_t duration = e.macro - t_start_;
      if (duration == 0 || duration >= (uint64_t(1) << c_.duration_bits)) {
        ++(duration == 0 ? n_.lines_zero_duration : n_.lines_too_long);
        n_.photons_bad_line += line_photons_.size();
        line_photons_.clear();
        open_row(true);
        close_row_if_last();
      } else {
        image_line(duration);
      }
      ++line_;
      break;
    }
    case EventKind::kFrame:
      drop_open_line();
      if (line_ > 0) {
        ++frame_;
        ++n_.frames;
        line_ = 0;
      }
      close_row();
      break;
    case EventKind::kLineStart:
      drop_open_line();
      if (line_ >= c_.pix_y) {
        ++frame_;
        ++n_.frames;
        line_ = 0;
      }
      in_line_ = true;
      line_lost_ = false;
      t_start_ = e.macro;
      break;
    case EventKind::kTruncatedRecord: ++n_.truncated_records; break;
    case EventKind::kUnknownRecord: ++n_.unknown_records; break;
    case EventKind::kFlush:
      drop_open_line();
      close_row();
      break;
  }
}

FrontendRun run_frontend(const FrontendConfig& c, const std::vector<Event>& events) {
  Frontend f(c);
  for (const Event& e : events) f.push(e);
  return {std::move(f.pixels()), f.counters()};
}

}  // namespace flimgru
