// ptu: PicoQuant PTU files (PQTTTR, T3 records) into FLIM images, and the resampling of the
// instrument's micro-time bins onto flimgru's grid (135 bins of 90 ps).
//
// Supported record types (TTResultFormat_TTTRRecType):
//   0x00010303 PicoHarp 300 T3      32 bits: nsync 16 | dtime 12 | channel 4 (15 = special)
//   0x00010304 HydraHarp V1 T3      32 bits: nsync 10 | dtime 15 | channel 6 | special 1
//   0x01010304 HydraHarp V2 T3      (as V1; overflow records carry a count of overflows)
//   0x00010305 TimeHarp 260 N T3    (as HydraHarp V2)
//   0x00010306 TimeHarp 260 P T3    (as HydraHarp V2)
//   0x00010307 MultiHarp T3         (as HydraHarp V2)
// T2 files (no micro-time) and the other file kinds are refused.
//
// The image is built the way SymPhoTime does: the header tags ImgHdr_LineStart, ImgHdr_LineStop
// and ImgHdr_Frame name marker numbers n (1..4, bit 1 << (n-1) of a marker record); ImgHdr_PixX,
// ImgHdr_PixY give the pixels; ImgHdr_BiDirect (if present and true) reverses every odd line.
// A photon between a line's start and stop markers falls into pixel
//   x = floor((t - t_start) * PixX / (t_stop - t_start))   (t in sync periods, clamped)
// of line `line` of the current frame. Lines are counted from 0 after each frame marker; a frame
// marker that follows at least one line closes the frame (SymPhoTime writes it after the frame),
// and a line that would be line PixY of a frame opens the next frame (files without frame
// markers). Photons outside lines, in unterminated lines or lines beyond PixY are counted but
// not imaged. Frames are summed, or kept apart with PtuOptions::separate_frames.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace flimgru {

struct PtuHeader {
  std::string path;
  std::string version;             // "00.0.1"
  nlohmann::json tags;             // every tag: "Name" or "Name[idx]" -> value (strings decoded,
                                   // arrays and blobs as "<N bytes>")
  uint32_t record_type = 0;
  std::string record_type_name;    // "PicoHarp 300 T3", ...
  int64_t num_records = 0;         // TTResult_NumberOfRecords
  double sync_rate_hz = 0;         // TTResult_SyncRate
  double sync_period_ns = 0;       // MeasDesc_GlobalResolution (or 1/sync rate)
  double micro_bin_ns = 0;         // MeasDesc_Resolution: the width of one dtime unit
  int pix_x = 0, pix_y = 0;        // ImgHdr_PixX / ImgHdr_PixY (0 if absent)
  int line_start = 0, line_stop = 0, frame = 0;  // marker numbers (0 if absent)
  bool bidirect = false;
  size_t data_offset = 0;          // byte offset of the first record
};

// Parses the tagged header. Throws Error naming the file on: cannot open, wrong magic, truncated
// header (no Header_End), unknown tag type, string/array lengths running past the end,
// unsupported record type (T2 files named as such), bits per record other than 32.
PtuHeader parse_ptu_header(const std::string& path, const uint8_t* data, size_t size);
// Throws a file_error naming path unless the header describes an image (PixX, PixY and the
// line start/stop markers given, marker numbers 1..15, start != stop).
void check_image_header(const std::string& path, const PtuHeader& h);

// The pixel of a photon dt sync periods after its line's start marker, the line lasting
// `duration` sync periods (stop − start > 0), PixX pixels:
//   kFloat    x = int64(double(dt) · (double(PixX) / double(duration))), as SymPhoTime-style
//             readers compute it (the default of read_ptu);
//   kInteger  x = floor(dt · PixX / duration) in exact integer arithmetic (the rule of the
//             on-chip front end, docs/numerics.md §10);
// both clamped to 0 … PixX − 1. They differ only where dt · PixX / duration lies within a
// double's rounding of an integer (measured on the hazelnut files: tests/test_frontend.cpp).
enum class PixelRule { kFloat, kInteger };

inline int64_t integer_pixel(int64_t dt, int64_t duration, int pix_x) {
  const int64_t x = dt <= 0 ? 0 : dt * int64_t(pix_x) / duration;
  return x < pix_x ? x : int64_t(pix_x) - 1;
}

struct PtuOptions {
  PixelRule pixel_rule = PixelRule::kFloat;
  int bin = 1;                  // spatial binning k × k (edge pixels may hold fewer source pixels)
  bool separate_frames = false; // keep frames apart instead of summing
  int max_micro_bins = 4096;    // finer instruments are combined by an integer factor (below);
                                // at most 65534 (bins are held as 16-bit indices)
};

// std::allocator that leaves new elements uninitialized (for buffers written in full anyway).
template <class T>
struct NoInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  NoInitAllocator() = default;
  template <class U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
  template <class U, class... A>
  void construct(U* p, A&&... a) { ::new (static_cast<void*>(p)) U(std::forward<A>(a)...); }
};

struct PtuImage {
  PtuHeader header;
  int frames = 1;        // frames held (1 when summed)
  int frames_seen = 0;   // frames found in the records
  int height = 0, width = 0;  // binned image size: ceil(PixY / bin), ceil(PixX / bin)
  int bin = 1;
  // Micro-time histogram per pixel: `micro_bins` bins of `micro_bin_ns` (= combine × the
  // instrument's dtime unit) from micro-time 0, plus one last bin (index micro_bins) for photons
  // whose micro-time lies at or beyond the sync period: pixel_stride() = micro_bins + 1 bins.
  int micro_bins = 0;
  int combine = 1;
  double micro_bin_ns = 0;
  // The histograms in sparse form (a counting sort of the imaged photons by pixel): the
  // micro-time bins of the photons of pixel p = (frame · height + y) · width + x are
  // bins[first[p] .. first[p + 1]), in record order. Two bytes per imaged photon whatever the
  // image size or binning, and no counter that can overflow: a 256 × 256 image with ~10 photons
  // per pixel takes 1.5 MB instead of a 35 MB cube that is mostly zeros. histogram() expands
  // one pixel, dense_counts() the whole image.
  std::vector<uint64_t> first;                            // [frames · height · width + 1]
  std::vector<uint16_t, NoInitAllocator<uint16_t>> bins;  // [photons_imaged]
  // Facts about the records.
  uint64_t records = 0, photons = 0, overflows = 0, markers = 0;
  uint64_t lines = 0;                  // complete lines (start + stop) imaged
  uint64_t photons_imaged = 0;         // photons that fell into a pixel
  uint64_t photons_outside_lines = 0;  // all other photons
  uint64_t photons_beyond_period = 0;  // imaged photons with micro-time >= sync period
  size_t pixel_stride() const { return size_t(micro_bins) + 1; }
  size_t pixels() const { return first.empty() ? 0 : first.size() - 1; }  // frames · height · width
  uint64_t pixel_photons(size_t p) const { return first[p + 1] - first[p]; }
  // out[pixel_stride()] = the micro-time histogram of pixel p (overwritten).
  void histogram(size_t p, uint32_t* out) const;
  // [frames][height][width][pixel_stride()] counts (large: for small images and tests).
  std::vector<uint32_t> dense_counts() const;
  nlohmann::json facts() const;
};

// Reads the whole file and decodes it. Throws Error naming the file and the problem (truncated
// records, an image without line markers or without ImgHdr_* tags, ...).
PtuImage read_ptu(const std::string& path, const PtuOptions& opt = {});
// The same on a file already in memory (used by read_ptu and the throughput benchmark).
PtuImage decode_ptu(const std::string& path, const uint8_t* data, size_t size, const PtuOptions& opt);

// --- resampling onto the model grid ---------------------------------------------------------
//
// Source bin j covers micro-times [j·w, (j+1)·w) ∩ [0, period). The model window starts at
// micro-time `window_start_ns` (default 0: the window is aligned with the laser sync, as the
// micro-time is) and spans kBins × kBinNs. Each source bin's photons are shared among the
// target bins in proportion to the overlap of the intervals (weights of a source bin sum to 1
// when it lies inside the window), so the total is conserved exactly: in-window share +
// outside-window photons = all photons. resample_to_grid keeps the shares fractional (what
// `flimgru image` uses: no rounding noise is added); resample_to_grid_rounded rounds them
// cumulatively (out_k = round(C_k) − round(C_{k−1}), C the running sum) into integer counts,
// each within one photon of its share, the total = the rounded in-window share. Photons of the
// period outside the window are reported, not moved.
struct GridMapping {
  double src_bin_ns = 0, period_ns = 0, window_start_ns = 0;
  int src_bins = 0;
  // For each source bin: first target bin and the weights of consecutive target bins.
  std::vector<int> first;
  std::vector<std::vector<double>> weights;
};

// Throws Error (naming `source`) when the instrument cannot be mapped onto the grid: unknown or
// non-positive bin width or period, micro-time bins wider than 2 × kBinNs, a window that starts
// before 0 or ends beyond the sync period (part of the grid would never be measured).
GridMapping make_grid_mapping(const std::string& source, double src_bin_ns, double period_ns,
                              int src_bins, double window_start_ns = 0);

// src [src_bins] counts -> dst [kBins] fractional counts. Returns the photons placed in the
// window (the rest of sum(src) lies outside it).
double resample_to_grid(const GridMapping& m, const uint32_t* src, float* dst);
// The same rounded into integer counts (cumulative rounding); returns their total.
uint64_t resample_to_grid_rounded(const GridMapping& m, const uint32_t* src, float* dst);

}  // namespace flimgru
