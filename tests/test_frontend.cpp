// The photon front end's C++ twin (ref/frontend/): the event format, the T3 converter, pixel
// assignment against the PTU reader (on synthetic files and the hazelnut files), micro-time
// mapping, saturation, bad-input counters, and the integer pre-processing (numerics §8).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "error.hpp"
#include "frontend.hpp"
#include "frontend_streams.hpp"
#include "preprocess.hpp"
#include "ptu.hpp"
#include "ptu_writer.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

const std::string kHazel = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut";

// A configuration that maps every micro-time into bin 0 (M = 1): the histograms' sums are then
// the photons per pixel of the PTU reader.
FrontendConfig all_in_bin0(const PtuHeader& h, int bin_shift) {
  FrontendConfig c;
  c.pix_x = h.pix_x;
  c.pix_y = h.pix_y;
  c.bidirect = h.bidirect;
  c.bin_shift = bin_shift;
  c.micro_mul = 1;
  c.count_bits = 16;
  c.line_buffer = 1 << 20;
  return c;
}

// Photons per binned pixel summed over frames: [height][width].
std::vector<uint64_t> summed_photons(const FrontendRun& r, const FrontendConfig& c) {
  std::vector<uint64_t> s(size_t(c.height()) * c.width(), 0);
  for (const auto& p : r.pixels) s[size_t(p.row) * c.width() + p.col] += p.photons;
  return s;
}

std::vector<uint64_t> reader_photons(const PtuImage& img) {
  std::vector<uint64_t> s(size_t(img.height) * img.width);
  for (size_t p = 0; p < s.size(); ++p) s[p] = img.pixel_photons(p);
  return s;
}

TEST(FrontendEvents, PackUnpackRoundTrip) {
  for (const Event e : {Event{EventKind::kPhoton, 0xFFFFFFFFu, 0xFFFF}, Event{EventKind::kFlush, 1, 0},
                        Event{EventKind::kLineStop, 0x12345678u, 0}}) {
    const uint64_t w = pack_event(e);
    EXPECT_LT(w, uint64_t(1) << kEventBits);
    EXPECT_EQ(unpack_event(w), e);
  }
  EXPECT_THROW(unpack_event(uint64_t(7) << 48), Error);
}

// The converter and the twin's line logic reproduce read_ptu (integer pixel rule) pixel by pixel
// on synthetic files of every record format, bidirectional or not, binned.
TEST(FrontendEvents, SyntheticPtuEqualsReader) {
  for (uint32_t rt : {0x00010303u, 0x00010304u, 0x01010304u, 0x00010307u})
    for (bool bidi : {false, true})
      for (int shift : {0, 1}) {
        test::SynthPtu s;
        s.record_type = rt;
        s.bidirect = bidi;
        s.frames = 3;
        const std::string bytes = make_ptu(s);
        const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
        const EventStream ev = events_from_ptu_bytes("synthetic.ptu", data, bytes.size());
        PtuOptions po;
        po.bin = 1 << shift;
        po.pixel_rule = PixelRule::kInteger;
        const PtuImage img = decode_ptu("synthetic.ptu", data, bytes.size(), po);
        EXPECT_EQ(ev.records, img.records);
        EXPECT_EQ(ev.overflows, img.overflows);
        const FrontendConfig c = all_in_bin0(ev.header, shift);
        const FrontendRun r = run_frontend(c, ev.events);
        EXPECT_EQ(r.counters.photons, img.photons);
        EXPECT_EQ(r.counters.photons_imaged, img.photons_imaged) << std::hex << rt;
        EXPECT_EQ(r.counters.lines_imaged, img.lines);
        EXPECT_EQ(r.counters.frames, uint64_t(img.frames_seen));
        EXPECT_EQ(summed_photons(r, c), reader_photons(img)) << std::hex << rt << " bidi " << bidi;
        EXPECT_EQ(r.pixels.size(), size_t(s.frames) * c.height() * c.width());
      }
}

// Integer pixel rule vs the reader's floating one on the hazelnut files (photons that move to
// another pixel), and the twin equal to the reader with the integer rule.
TEST(FrontendHazelnut, PixelRuleDifferenceAndTwin) {
  for (const char* name : {"hazelnut_z1.ptu", "hazelnut_z10.ptu"}) {
    const std::string f = kHazel + "/" + name;
    if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " absent";
    PtuOptions fl, in;
    in.pixel_rule = PixelRule::kInteger;
    const PtuImage a = read_ptu(f, fl), b = read_ptu(f, in);
    const auto pa = reader_photons(a), pb = reader_photons(b);
    uint64_t moved = 0, pixels = 0;
    for (size_t p = 0; p < pa.size(); ++p) {
      moved += pa[p] > pb[p] ? pa[p] - pb[p] : 0;
      pixels += pa[p] != pb[p];
    }
    std::printf("[ pixel rule ] %s: %llu of %llu imaged photons in another pixel with the integer rule "
                "(%llu of %zu pixels differ)\n",
                name, (unsigned long long)moved, (unsigned long long)a.photons_imaged, (unsigned long long)pixels,
                pa.size());
    EXPECT_EQ(a.photons_imaged, b.photons_imaged);
    EXPECT_LE(double(moved), 1e-3 * double(a.photons_imaged));
    const EventStream ev = events_from_ptu(f);
    const FrontendConfig c = all_in_bin0(ev.header, 0);
    const FrontendRun r = run_frontend(c, ev.events);
    EXPECT_EQ(summed_photons(r, c), pb) << name;
    EXPECT_EQ(r.counters.photons_imaged, b.photons_imaged);
    EXPECT_EQ(r.counters.photons, b.photons);
  }
}

// Micro-time → model bin: an exact ratio maps without dither effect; the window offset shifts;
// a non-integer ratio (the hazelnut's 96.97 ps) spreads photons by the bins' overlap.
TEST(FrontendMicro, MappingRule) {
  FrontendConfig c;
  c.pix_x = c.pix_y = 1;
  c.micro_mul = 1u << 15;  // 45 ps units: two per model bin
  for (int d : {0, 255})
    for (int m = 0; m < 300; ++m) EXPECT_EQ(map_micro(uint16_t(m), uint8_t(d), c), m < 270 ? m / 2 : -1);
  c.window_offset = int64_t(10) << kWindowFrac;  // window starts at 10 bins = 900 ps
  EXPECT_EQ(map_micro(19, 255, c), -1);
  EXPECT_EQ(map_micro(20, 0, c), 0);
  EXPECT_EQ(map_micro(289, 255, c), 134);  // 144.5 − 10 bins
  EXPECT_EQ(map_micro(290, 0, c), -1);     // 145 − 10 = 135: past the window
  // 96.97 ps units: each unit's photons land in the model bins it overlaps, in proportion.
  c.window_offset = 0;
  c.micro_mul = uint32_t(std::llround(std::ldexp(0.09697 / kBinNs, kMicroMulFrac)));
  std::vector<int> hits(kBins, 0);
  uint16_t s = kDitherSeed;
  const int per_unit = 4000, units = 120;
  for (int u = 0; u < units; ++u)
    for (int i = 0; i < per_unit; ++i) {
      s = dither_next(s);
      const int b = map_micro(uint16_t(u), uint8_t(s), c);
      ASSERT_GE(b, 0);
      ++hits[b];
    }
  const double expect = per_unit * kBinNs / 0.09697;  // photons per model bin of a flat decay
  for (int k = 1; k < int(units * 0.09697 / kBinNs) - 1; ++k)
    EXPECT_NEAR(hits[k], expect, 6 * std::sqrt(expect) + 0.01 * expect) << "bin " << k;
}

// The dither generator has the full period 2^16 − 1.
TEST(FrontendMicro, DitherPeriod) {
  uint16_t s = kDitherSeed;
  int n = 0;
  do {
    s = dither_next(s);
    ++n;
  } while (s != kDitherSeed && n < 70000);
  EXPECT_EQ(n, 65535);
}

// Synthetic streams with every bad input: the counters name each kind, and every photon is
// accounted for exactly once.
TEST(FrontendCounters, BadInputCountedAndConserved) {
  test::SynthEvents s;
  s.bad_input = true;
  s.marker_storm = 50;
  s.bright = 300;  // beyond the line buffer and the 4-bit counts
  FrontendConfig c;
  c.pix_x = s.pix_x;
  c.pix_y = s.pix_y;
  c.micro_mul = 1u << 10;  // bin = micro / 64: the stream's micro-times below 4000 all in the window
  c.count_bits = 4;  // saturates at 15: the bright pixel's photons in one bin
  c.line_buffer = 256;  // the other lines hold at most 16 × 9 photons
  const auto ev = test::make_event_stream(s);
  const FrontendRun r = run_frontend(c, ev);
  const FrontendCounters& n = r.counters;
  EXPECT_EQ(n.events, ev.size());
  EXPECT_EQ(n.stops_before_start, 1u);
  EXPECT_EQ(n.unknown_records, 1u);
  EXPECT_EQ(n.truncated_records, uint64_t(s.frames));
  EXPECT_EQ(n.lines_zero_duration, uint64_t(s.frames));
  EXPECT_EQ(n.lines_too_long, uint64_t(s.frames));
  EXPECT_EQ(n.photons_bad_line, 2u * s.frames);
  EXPECT_EQ(n.photons_past_image, uint64_t(s.frames));
  EXPECT_EQ(n.photons_outside_window, uint64_t(s.frames));
  EXPECT_GT(n.photons_line_overflow, 0u);
  EXPECT_GT(n.photons_saturated, 0u);
  EXPECT_EQ(n.photons, n.photons_imaged + n.photons_outside_lines + n.photons_outside_window +
                           n.photons_line_overflow + n.photons_bad_line);
  uint64_t in_hist = 0;
  bool any_saturated = false;
  for (const auto& p : r.pixels) {
    in_hist += p.photons;
    any_saturated = any_saturated || p.saturated;
    for (uint32_t v : p.counts) EXPECT_LE(v, 15u);
    EXPECT_EQ(p.x_q, preprocess_counts_int(p.counts.data()));
  }
  EXPECT_TRUE(any_saturated);
  EXPECT_EQ(in_hist + n.photons_saturated, n.photons_imaged);
  // rows: the image's rows per frame, plus the marker storm's empty lines (one row of line 8+ …
  // a new frame each PixY lines)
  EXPECT_GE(n.rows_out, uint64_t(s.frames * s.pix_y));
}

// Bidirectional scan: a photon at the start of an odd line lands in the last column.
TEST(FrontendPixels, BidirectionalAndBinning) {
  FrontendConfig c;
  c.pix_x = 8;
  c.pix_y = 4;
  c.bidirect = true;
  c.bin_shift = 1;
  c.micro_mul = 1;
  std::vector<Event> ev;
  for (int y = 0; y < 4; ++y) {
    const uint32_t t = 1000u * y;
    ev.push_back({EventKind::kLineStart, t, 0});
    ev.push_back({EventKind::kPhoton, t + 1, 0});   // x = 0 (odd lines: 7)
    ev.push_back({EventKind::kPhoton, t + 99, 0});  // x = 7 (odd lines: 0)
    ev.push_back({EventKind::kPhoton, t + 37, 0});  // x = floor(37·8/100) = 2 (odd: 5)
    ev.push_back({EventKind::kLineStop, t + 100, 0});
  }
  ev.push_back({EventKind::kFlush, 4000, 0});
  const FrontendRun r = run_frontend(c, ev);
  ASSERT_EQ(r.pixels.size(), 8u);  // 2 rows × 4 columns
  for (const auto& p : r.pixels) {
    // per line pair: x = 0, 7, 2 (even line) and 7, 0, 5 (odd line) → columns 0, 3, 1 and 3, 0, 2
    const uint32_t expect = p.col == 0 || p.col == 3 ? 2 : 1;
    EXPECT_EQ(p.photons, expect) << p.row << "," << p.col;
  }
}

// Integer pre-processing: the float form's x_q except where float rounding decides a tie.
TEST(FrontendPreprocess, IntegerEqualsFloatOnRandomCounts) {
  Rng rng(11);
  int differ = 0, total = 0;
  for (int i = 0; i < 20000; ++i) {
    std::array<uint32_t, kBins> c{};
    std::array<float, kBins> f{};
    const int scale = 1 + int(rng.next() % 3000);
    for (int k = 0; k < kBins; ++k) {
      const double shape = k < 20 ? 0.02 : std::exp(-(k - 20) / 30.0);
      c[k] = uint32_t(rng.uniform() * scale * shape * 2);
      f[k] = float(c[k]);
    }
    const auto qi = preprocess_counts_int(c.data());
    const auto qf = quantize_input(preprocess_tpsf(f.data()), 7, 8);
    for (int k = 0; k < kBins; ++k) {
      ++total;
      if (qi[k] != qf[k]) {
        ++differ;
        EXPECT_EQ(std::abs(qi[k] - qf[k]), 1);
      }
    }
  }
  EXPECT_LE(differ, total / 10000);
  // exact cases: a flat decay is all zeros, the peak is 127, half the peak above the baseline 64
  std::array<uint32_t, kBins> flat;
  flat.fill(17);
  for (int32_t q : preprocess_counts_int(flat.data())) EXPECT_EQ(q, 0);
  std::array<uint32_t, kBins> c{};
  c.fill(10);
  c[40] = 210;
  c[41] = 110;
  const auto q = preprocess_counts_int(c.data());
  EXPECT_EQ(q[40], 127);
  EXPECT_EQ(q[41], 64);
  EXPECT_EQ(q[0], 0);
}

}  // namespace
}  // namespace flimgru
