// ptu: PTU header parsing, T3 record decoding into images, micro-time resampling (ptu.hpp).
#include "ptu.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "error.hpp"
#include "files.hpp"
#include "ptu_records.hpp"
#include "tpsf.hpp"

namespace flimgru {

namespace {

// Tag types of the PTU header.
constexpr uint32_t tyEmpty8 = 0xFFFF0008;
constexpr uint32_t tyBool8 = 0x00000008;
constexpr uint32_t tyInt8 = 0x10000008;
constexpr uint32_t tyBitSet64 = 0x11000008;
constexpr uint32_t tyColor8 = 0x12000008;
constexpr uint32_t tyFloat8 = 0x20000008;
constexpr uint32_t tyTDateTime = 0x21000008;
constexpr uint32_t tyFloat8Array = 0x2001FFFF;
constexpr uint32_t tyAnsiString = 0x4001FFFF;
constexpr uint32_t tyWideString = 0x4002FFFF;
constexpr uint32_t tyBinaryBlob = 0xFFFFFFFF;

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string record_type_name(uint32_t rt) {
  switch (rt) {
    case rtPicoHarpT3: return "PicoHarp 300 T3";
    case rtHydraHarpT3: return "HydraHarp V1 T3";
    case rtHydraHarp2T3: return "HydraHarp V2 T3";
    case rtTimeHarp260NT3: return "TimeHarp 260 N T3";
    case rtTimeHarp260PT3: return "TimeHarp 260 P T3";
    case rtMultiHarpT3: return "MultiHarp T3";
    default: return "";
  }
}

struct LineSeg {
  size_t begin, end;  // records strictly between the start and stop markers
  uint64_t t_start, t_stop;  // sync counts of the markers
  uint64_t ovf_base;         // overflow time base at the start marker
  int frame, line;
};

// Pass 1: markers and overflows only (photon records are skipped with one test each).
template <class F>
void scan_markers(const PtuHeader& h, const uint32_t* rec, size_t n, PtuImage& img,
                  std::vector<LineSeg>& segs) {
  const uint32_t start_bit = 1u << (h.line_start - 1), stop_bit = 1u << (h.line_stop - 1);
  const uint32_t frame_bit = h.frame > 0 ? 1u << (h.frame - 1) : 0u;
  uint64_t ovf = 0;
  bool in_line = false;
  LineSeg cur{};
  int frame = 0, line = 0;
  uint64_t specials = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rec[i];
    if (!F::special(r)) continue;
    ++specials;
    const uint64_t inc = F::overflow(r);
    if (inc) {
      ovf += inc;
      ++img.overflows;
      continue;
    }
    const uint32_t bits = F::marker_bits(r);
    if (!bits) continue;  // (sync records of other formats)
    ++img.markers;
    const uint64_t t = ovf + F::nsync(r);
    if ((bits & stop_bit) && in_line) {
      cur.end = i;
      cur.t_stop = t;
      in_line = false;
      if (cur.t_stop > cur.t_start && cur.line < h.pix_y) segs.push_back(cur);
      ++line;
    }
    if (bits & frame_bit) {
      if (line > 0) {
        ++frame;
        line = 0;
      }
      in_line = false;
    }
    if (bits & start_bit) {
      if (line >= h.pix_y) {  // a new frame without a frame marker
        ++frame;
        line = 0;
      }
      in_line = true;
      cur = LineSeg{i + 1, i + 1, t, t, ovf, frame, line};
    }
  }
  img.records = n;
  img.photons = n - specials;
  img.frames_seen = frame + (line > 0 ? 1 : 0);
}

// Pass 2: fn(column, dtime) for each photon of one line, column = cols[x] (binned, reversed on
// odd bidirectional lines) with x = floor((t - t_start) · PixX / (t_stop - t_start)), computed
// as one multiply by the line's reciprocal and clamped to the line.
// With PixelRule::kInteger, x = integer_pixel(dt, t_stop − t_start, PixX) instead.
template <class F, class Fn>
inline void for_line_photons(const uint32_t* rec, const LineSeg& s, const uint32_t* cols, int pix_x,
                             PixelRule rule, Fn&& fn) {
  uint64_t ovf = s.ovf_base;
  const int64_t duration = int64_t(s.t_stop - s.t_start);
  const double scale = double(pix_x) / double(duration);
  const int64_t last = pix_x - 1;
  for (size_t i = s.begin; i < s.end; ++i) {
    const uint32_t r = rec[i];
    if (F::special(r)) {
      ovf += F::overflow(r);
      continue;
    }
    const int64_t dt_sync = int64_t(ovf + F::nsync(r)) - int64_t(s.t_start);
    int64_t x;
    if (rule == PixelRule::kInteger) {
      x = integer_pixel(dt_sync, duration, pix_x);
    } else {
      x = int64_t(double(dt_sync) * scale);
      x = std::min(std::max<int64_t>(x, 0), last);
    }
    fn(cols[x], F::dtime(r));
  }
}

template <class F>
void decode_records(const PtuHeader& h, const uint32_t* rec, size_t n, const PtuOptions& opt,
                    PtuImage& img) {
  std::vector<LineSeg> segs;
  segs.reserve(size_t(h.pix_y) * 8);
  scan_markers<F>(h, rec, n, img, segs);
  if (img.markers == 0 || segs.empty())
    throw file_error(h.path, "no line markers in the records (expected marker " +
                                 std::to_string(h.line_start) + " for line start and " +
                                 std::to_string(h.line_stop) + " for line stop): not an image");
  img.lines = segs.size();

  // Micro-time: combine `combine` dtime units per histogram bin so that at most
  // opt.max_micro_bins bins cover the period; dtime values at or beyond the period go to the
  // last bin (index micro_bins).
  const double period_units = h.sync_period_ns / h.micro_bin_ns;
  const int64_t units = int64_t(std::ceil(period_units - 1e-9));
  int combine = 1;
  while ((units + combine - 1) / combine > opt.max_micro_bins) ++combine;
  img.combine = combine;
  img.micro_bins = int((units + combine - 1) / combine);
  img.micro_bin_ns = h.micro_bin_ns * combine;
  std::vector<uint16_t> dt_lut(size_t(1) << F::kDtimeBits);
  for (size_t d = 0; d < dt_lut.size(); ++d)
    dt_lut[d] = uint16_t(int64_t(d) < units ? int64_t(d) / combine : img.micro_bins);

  img.bin = opt.bin;
  img.height = (h.pix_y + opt.bin - 1) / opt.bin;
  img.width = (h.pix_x + opt.bin - 1) / opt.bin;
  img.frames = opt.separate_frames ? std::max(1, img.frames_seen) : 1;
  const size_t frame_pixels = size_t(img.height) * img.width;
  std::vector<uint32_t> col_off(size_t(h.pix_x));
  for (int x = 0; x < h.pix_x; ++x) col_off[x] = uint32_t(x / opt.bin);
  std::vector<uint32_t> col_off_rev(col_off.rbegin(), col_off.rend());
  auto row_of = [&](const LineSeg& s) {
    return (size_t(opt.separate_frames ? s.frame : 0) * img.height + size_t(s.line / opt.bin)) * img.width;
  };
  auto cols_of = [&](const LineSeg& s) {
    return (h.bidirect && (s.line & 1)) ? col_off_rev.data() : col_off.data();
  };

  // Counting sort of the imaged photons by pixel. Pass 2 computes each photon's column once,
  // counts it (into first[p + 1]) and keeps the column (16 bits) in record order; after the
  // prefix sums, pass 3 walks the same records and places each photon's micro-time bin at
  // first[p]++ (which leaves first[p] at the old first[p + 1]: shifted back by one at the end).
  // Nothing of size pixels × micro-time bins is allocated, zeroed or touched.
  if (img.width > 65536)
    throw file_error(h.path, "images wider than 65536 (binned) pixels are not supported (ImgHdr_PixX " +
                                 std::to_string(h.pix_x) + ")");
  std::vector<uint64_t>& first = img.first;
  first.assign(size_t(img.frames) * frame_pixels + 1, 0);
  std::vector<uint16_t, NoInitAllocator<uint16_t>> col_of(img.photons);
  uint16_t* col = col_of.data();
  size_t k = 0;
  for (const LineSeg& s : segs) {
    uint64_t* cnt = first.data() + 1 + row_of(s);
    for_line_photons<F>(rec, s, cols_of(s), h.pix_x, opt.pixel_rule, [&](uint32_t c, uint32_t) {
      ++cnt[c];
      col[k++] = uint16_t(c);
    });
  }
  for (size_t p = 1; p < first.size(); ++p) first[p] += first[p - 1];
  const uint64_t imaged = first.back();
  img.bins.resize(imaged);
  uint16_t* out = img.bins.data();
  const uint16_t* lut = dt_lut.data();
  const uint16_t beyond_bin = uint16_t(img.micro_bins);
  uint64_t beyond = 0;
  k = 0;
  for (const LineSeg& s : segs) {
    uint64_t* cur = first.data() + row_of(s);
    for (size_t i = s.begin; i < s.end; ++i) {
      const uint32_t r = rec[i];
      if (F::special(r)) continue;
      const uint16_t b = lut[F::dtime(r)];
      beyond += b == beyond_bin;
      out[cur[col[k++]]++] = b;
    }
  }
  for (size_t p = first.size() - 1; p > 0; --p) first[p] = first[p - 1];
  first[0] = 0;
  img.photons_imaged = imaged;
  img.photons_outside_lines = img.photons - imaged;
  img.photons_beyond_period = beyond;
}

}  // namespace

PtuHeader parse_ptu_header(const std::string& path, const uint8_t* data, size_t size) {
  PtuHeader h;
  h.path = path;
  if (size < 16) throw file_error(path, "truncated header: " + std::to_string(size) + " bytes, not a PTU file");
  if (std::memcmp(data, "PQTTTR\0\0", 8) != 0) {
    if (std::memcmp(data, "PQHISTO", 7) == 0)
      throw file_error(path, "is a PicoQuant histogram file (PQHISTO), not a PTU time-tagged file");
    throw file_error(path, "wrong magic: not a PicoQuant PTU file (expected \"PQTTTR\")");
  }
  h.version = std::string(reinterpret_cast<const char*>(data + 8), strnlen(reinterpret_cast<const char*>(data + 8), 8));
  size_t off = 16;
  bool ended = false;
  auto get_int = [&](const char* name, int64_t dflt) -> int64_t {
    auto it = h.tags.find(name);
    return it != h.tags.end() && it->is_number() ? it->get<int64_t>() : dflt;
  };
  while (off + 48 <= size) {
    char ident[33] = {0};
    std::memcpy(ident, data + off, 32);
    const int32_t idx = load<int32_t>(data + off + 32);
    const uint32_t type = load<uint32_t>(data + off + 36);
    const uint8_t* val = data + off + 40;
    off += 48;
    std::string key = ident;
    if (idx >= 0) key += "[" + std::to_string(idx) + "]";
    nlohmann::json v;
    switch (type) {
      case tyEmpty8: v = nullptr; break;
      case tyBool8: v = load<int64_t>(val) != 0; break;
      case tyInt8: v = load<int64_t>(val); break;
      case tyBitSet64: case tyColor8: v = load<uint64_t>(val); break;
      case tyFloat8: case tyTDateTime: v = load<double>(val); break;
      case tyFloat8Array: case tyAnsiString: case tyWideString: case tyBinaryBlob: {
        const uint64_t len = load<uint64_t>(val);
        if (len > size - off)
          throw file_error(path, "truncated header: tag " + key + " announces " + std::to_string(len) +
                                     " bytes but only " + std::to_string(size - off) + " remain");
        if (type == tyAnsiString) {
          const char* s = reinterpret_cast<const char*>(data + off);
          v = std::string(s, strnlen(s, len));
        } else if (type == tyWideString) {
          std::string s;  // UTF-16LE, kept as ASCII (other characters as '?')
          for (uint64_t k = 0; k + 1 < len; k += 2) {
            const uint16_t c = load<uint16_t>(data + off + k);
            if (c == 0) break;
            s += c < 128 ? char(c) : '?';
          }
          v = s;
        } else {
          v = "<" + std::to_string(len) + " bytes>";
        }
        off += len;
        break;
      }
      default:
        throw file_error(path, "unknown tag type " + hex32(type) + " of tag " + key + " at byte " +
                                   std::to_string(off - 48));
    }
    if (key == "Header_End") {
      ended = true;
      break;
    }
    h.tags[key] = v;
  }
  if (!ended) throw file_error(path, "truncated header: no Header_End tag");
  h.data_offset = off;

  if (!h.tags.contains("TTResultFormat_TTTRRecType"))
    throw file_error(path, "header has no TTResultFormat_TTTRRecType tag");
  h.record_type = uint32_t(get_int("TTResultFormat_TTTRRecType", 0));
  h.record_type_name = record_type_name(h.record_type);
  if (h.record_type_name.empty()) {
    if (((h.record_type >> 8) & 0xFF) == 0x02)
      throw file_error(path, "is a T2 file (record type " + hex32(h.record_type) +
                                 "): T2 records carry no micro-time, FLIM images need T3 records");
    throw file_error(path, "unsupported record type " + hex32(h.record_type) +
                               " (supported: PicoHarp 300, HydraHarp, TimeHarp 260, MultiHarp T3)");
  }
  const int64_t bits = get_int("TTResultFormat_BitsPerRecord", 32);
  if (bits != 32) throw file_error(path, "unsupported record size of " + std::to_string(bits) + " bits");
  h.num_records = get_int("TTResult_NumberOfRecords", -1);
  if (h.tags.contains("TTResult_SyncRate")) h.sync_rate_hz = h.tags["TTResult_SyncRate"].get<double>();
  if (h.tags.contains("MeasDesc_GlobalResolution") && h.tags["MeasDesc_GlobalResolution"].is_number())
    h.sync_period_ns = h.tags["MeasDesc_GlobalResolution"].get<double>() * 1e9;
  else if (h.sync_rate_hz > 0)
    h.sync_period_ns = 1e9 / h.sync_rate_hz;
  if (h.tags.contains("MeasDesc_Resolution") && h.tags["MeasDesc_Resolution"].is_number())
    h.micro_bin_ns = h.tags["MeasDesc_Resolution"].get<double>() * 1e9;
  h.pix_x = int(get_int("ImgHdr_PixX", 0));
  h.pix_y = int(get_int("ImgHdr_PixY", 0));
  h.line_start = int(get_int("ImgHdr_LineStart", 0));
  h.line_stop = int(get_int("ImgHdr_LineStop", 0));
  h.frame = int(get_int("ImgHdr_Frame", 0));
  if (h.tags.contains("ImgHdr_BiDirect")) {
    const auto& b = h.tags["ImgHdr_BiDirect"];
    h.bidirect = b.is_boolean() ? b.get<bool>() : (b.is_number() && b.get<int64_t>() != 0);
  }
  return h;
}

void PtuImage::histogram(size_t p, uint32_t* out) const {
  std::fill(out, out + pixel_stride(), 0u);
  for (uint64_t i = first[p], e = first[p + 1]; i < e; ++i) ++out[bins[i]];
}

std::vector<uint32_t> PtuImage::dense_counts() const {
  std::vector<uint32_t> c(pixels() * pixel_stride());
  for (size_t p = 0; p < pixels(); ++p) histogram(p, c.data() + p * pixel_stride());
  return c;
}

nlohmann::json PtuImage::facts() const {
  nlohmann::json j;
  j["format"] = "PTU";
  j["record_type"] = hex32(header.record_type);
  j["record_type_name"] = header.record_type_name;
  for (const char* t : {"HW_Type", "CreatorSW_Name", "CreatorSW_Version", "File_CreatingTime"})
    if (header.tags.contains(t)) j[t] = header.tags[t];
  j["sync_rate_hz"] = header.sync_rate_hz;
  j["sync_period_ns"] = header.sync_period_ns;
  j["micro_time_resolution_ns"] = header.micro_bin_ns;
  j["pix_x"] = header.pix_x;
  j["pix_y"] = header.pix_y;
  j["bidirect"] = header.bidirect;
  j["markers_line_start_stop_frame"] = {header.line_start, header.line_stop, header.frame};
  j["frames_seen"] = frames_seen;
  j["frames_kept_apart"] = frames;
  j["records"] = records;
  j["photons"] = photons;
  j["overflows"] = overflows;
  j["markers"] = markers;
  j["lines"] = lines;
  j["photons_imaged"] = photons_imaged;
  j["photons_outside_lines"] = photons_outside_lines;
  j["photons_beyond_period"] = photons_beyond_period;
  j["histogram_bins"] = micro_bins;
  j["histogram_bin_ns"] = micro_bin_ns;
  j["dtime_units_per_bin"] = combine;
  return j;
}

void check_image_header(const std::string& path, const PtuHeader& h) {
  if (h.line_start <= 0 || h.line_stop <= 0 || h.pix_x <= 0 || h.pix_y <= 0)
    throw file_error(path, "not an image: the header lacks ImgHdr_PixX/PixY/LineStart/LineStop "
                           "(a point measurement?)");
  if (h.line_start > 15 || h.line_stop > 15 || h.frame > 15 || h.line_start == h.line_stop)
    throw file_error(path, "invalid image marker numbers (line start " + std::to_string(h.line_start) +
                               ", line stop " + std::to_string(h.line_stop) + ", frame " +
                               std::to_string(h.frame) + ")");
}

PtuImage decode_ptu(const std::string& path, const uint8_t* data, size_t size, const PtuOptions& opt) {
  if (opt.bin < 1) throw Error("spatial binning must be >= 1");
  if (opt.max_micro_bins < 1 || opt.max_micro_bins > 65534)
    throw Error("max_micro_bins must be in 1..65534 (micro-time bins are 16-bit indices)");
  PtuImage img;
  img.header = parse_ptu_header(path, data, size);
  const PtuHeader& h = img.header;
  check_image_header(path, h);
  if (!(h.micro_bin_ns > 0)) throw file_error(path, "header has no valid MeasDesc_Resolution (micro-time bin width)");
  if (!(h.sync_period_ns > 0))
    throw file_error(path, "header has no valid MeasDesc_GlobalResolution or TTResult_SyncRate (laser period)");
  const size_t body = size - h.data_offset;
  if (body % 4 != 0)
    throw file_error(path, "truncated records: " + std::to_string(body) + " bytes of records is not a multiple of 4");
  size_t n = body / 4;
  if (h.num_records >= 0) {
    if (size_t(h.num_records) > n)
      throw file_error(path, "truncated records: the header announces " + std::to_string(h.num_records) +
                                 " records but the file holds " + std::to_string(n));
    n = size_t(h.num_records);
  }
  // Records are 4-byte aligned in the vector read_ptu fills (the header is a multiple of 8 bytes).
  std::vector<uint32_t> copy;
  const uint32_t* rec = reinterpret_cast<const uint32_t*>(data + h.data_offset);
  if (reinterpret_cast<uintptr_t>(rec) % alignof(uint32_t) != 0) {
    copy.resize(n);
    std::memcpy(copy.data(), data + h.data_offset, n * 4);
    rec = copy.data();
  }
  with_t3_format(h.record_type, [&](auto format) {
    decode_records<decltype(format)>(h, rec, n, opt, img);
  });
  return img;
}

PtuImage read_ptu(const std::string& path, const PtuOptions& opt) {
  uint64_t size = 0;
  std::ifstream f = open_for_reading(path, &size);
  std::vector<uint64_t> buf((size_t(size) + 7) / 8);  // 8-byte aligned storage
  if (!f.read(reinterpret_cast<char*>(buf.data()), std::streamsize(size))) throw file_error(path, "read failed");
  return decode_ptu(path, reinterpret_cast<const uint8_t*>(buf.data()), size_t(size), opt);
}

GridMapping make_grid_mapping(const std::string& source, double src_bin_ns, double period_ns,
                              int src_bins, double window_start_ns) {
  const double window_ns = kBins * kBinNs;
  std::ostringstream os;
  if (!(src_bin_ns > 0) || !(period_ns > 0) || src_bins <= 0)
    throw file_error(source, "cannot map onto the model grid: unknown micro-time bin width or laser period");
  if (src_bin_ns > 2 * kBinNs) {
    os << "cannot map onto the model grid: micro-time bins of " << src_bin_ns << " ns are coarser than 2 × "
       << kBinNs << " ns, the decay would be smeared over the grid";
    throw file_error(source, os.str());
  }
  if (window_start_ns < 0 || !std::isfinite(window_start_ns)) {
    os << "cannot map onto the model grid: window start " << window_start_ns << " ns is before micro-time 0";
    throw file_error(source, os.str());
  }
  if (window_start_ns + window_ns > period_ns + 1e-9) {
    os << "cannot map onto the model grid: the window of " << kBins << " × " << kBinNs << " ns starting at "
       << window_start_ns << " ns ends at " << window_start_ns + window_ns << " ns, beyond the laser period of "
       << period_ns << " ns (the end of the grid would never be measured)";
    throw file_error(source, os.str());
  }
  GridMapping m;
  m.src_bin_ns = src_bin_ns;
  m.period_ns = period_ns;
  m.window_start_ns = window_start_ns;
  m.src_bins = src_bins;
  m.first.resize(size_t(src_bins));
  m.weights.resize(size_t(src_bins));
  for (int j = 0; j < src_bins; ++j) {
    const double a = j * src_bin_ns, b = std::min((j + 1) * src_bin_ns, period_ns);
    const double width = b - a;
    m.first[j] = 0;
    if (!(width > 0)) continue;
    const double ta = a - window_start_ns, tb = b - window_start_ns;  // window time
    const int k0 = std::max(0, int(std::floor(ta / kBinNs)));
    const int k1 = std::min(kBins - 1, int(std::ceil(tb / kBinNs)) - 1);
    m.first[j] = k0;
    for (int k = k0; k <= k1; ++k) {
      const double lo = std::max(ta, k * kBinNs), hi = std::min(tb, (k + 1) * kBinNs);
      m.weights[j].push_back(hi > lo ? (hi - lo) / width : 0.0);
    }
  }
  return m;
}

namespace {
void shares(const GridMapping& m, const uint32_t* src, double* frac) {
  for (int k = 0; k < kBins; ++k) frac[k] = 0;
  for (int j = 0; j < m.src_bins; ++j) {
    if (!src[j]) continue;
    const auto& w = m.weights[j];
    for (size_t q = 0; q < w.size(); ++q) frac[m.first[j] + q] += src[j] * w[q];
  }
}
}  // namespace

double resample_to_grid(const GridMapping& m, const uint32_t* src, float* dst) {
  double frac[kBins];
  shares(m, src, frac);
  double total = 0;
  for (int k = 0; k < kBins; ++k) {
    dst[k] = float(frac[k]);
    total += frac[k];
  }
  return total;
}

uint64_t resample_to_grid_rounded(const GridMapping& m, const uint32_t* src, float* dst) {
  double frac[kBins];
  shares(m, src, frac);
  double cum = 0;
  int64_t prev = 0;
  for (int k = 0; k < kBins; ++k) {
    cum += frac[k];
    const int64_t r = int64_t(std::floor(cum + 0.5));
    dst[k] = float(r - prev);
    prev = r;
  }
  return uint64_t(prev);
}

}  // namespace flimgru
