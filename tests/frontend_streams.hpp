// Synthetic event streams for the photon front end's tests (tests/test_frontend.cpp, the RTL
// test sim/frontend/): frames of lines with known photons per pixel, a bidirectional scan, a
// bright pixel that saturates, empty lines and pixels, a marker storm and every bad input.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "events.hpp"
#include "frontend.hpp"
#include "simulator.hpp"

namespace flimgru::test {

struct SynthEvents {
  int pix_x = 16, pix_y = 8, frames = 2;
  int line_syncs = 200;      // sync periods per line
  int gap_syncs = 9;
  int micro_units = 4000;    // micro-times drawn in 0 … micro_units − 1
  bool bidirect = false;
  int bright = 0;            // photons of the bright pixel (1, 2) of every frame, one micro-time
  bool empty_lines = true;   // lines 3 and 5 carry no photons
  int marker_storm = 0;      // empty start/stop pairs between frames
  bool bad_input = false;    // stop before start, zero and over-long lines, bad records, huge micro-times
  uint64_t seed = 7;
  int photons(int f, int y, int x) const {
    if (empty_lines && (y == 3 || y == 5)) return 0;
    return (x + 2 * y + f) % 5 == 0 ? 0 : 1 + (7 * x + 3 * y + f) % 9;
  }
};

inline std::vector<Event> make_event_stream(const SynthEvents& s) {
  std::vector<Event> ev;
  Rng rng(s.seed);
  uint32_t t = 0xFFFFF000u;  // the macro-time wraps around 2^32 in the first frame
  auto push = [&](EventKind k, uint32_t macro, uint16_t micro = 0) { ev.push_back({k, macro, micro}); };
  if (s.bad_input) {
    push(EventKind::kLineStop, t);  // stop before start
    push(EventKind::kPhoton, t, 100);  // outside lines
    push(EventKind::kUnknownRecord, t);
  }
  const int per_px = s.line_syncs / s.pix_x;
  for (int f = 0; f < s.frames; ++f) {
    for (int y = 0; y < s.pix_y; ++y) {
      push(EventKind::kLineStart, t);
      struct P { uint32_t dt; uint16_t micro; };
      std::vector<P> ps;
      for (int x = 0; x < s.pix_x; ++x) {
        const int xpos = (s.bidirect && (y & 1)) ? s.pix_x - 1 - x : x;
        int n = s.photons(f, y, x);
        if (s.bright && y == 1 && x == 2) n = s.bright;
        for (int i = 0; i < n; ++i) {
          const uint32_t dt = uint32_t(xpos * per_px) + uint32_t(rng.next() % uint64_t(per_px));
          uint16_t m = uint16_t(rng.next() % uint64_t(s.micro_units));
          if (s.bright && y == 1 && x == 2) m = uint16_t(s.micro_units / 4);
          ps.push_back({dt, m});
        }
      }
      std::sort(ps.begin(), ps.end(), [](const P& a, const P& b) { return a.dt < b.dt; });
      for (const P& p : ps) push(EventKind::kPhoton, t + p.dt, p.micro);
      if (s.bad_input && y == 2) push(EventKind::kPhoton, t + uint32_t(s.line_syncs), 7);  // at the stop: past the image
      if (s.bad_input && y == 4) push(EventKind::kPhoton, t + 1, 65535);  // beyond the window
      t += uint32_t(s.line_syncs);
      push(EventKind::kLineStop, t);
      t += uint32_t(s.gap_syncs);
    }
    push(EventKind::kFrame, t);
    for (int m = 0; m < s.marker_storm; ++m) {
      push(EventKind::kLineStart, t + uint32_t(m));
      push(EventKind::kLineStop, t + uint32_t(m) + 1);
    }
    if (s.marker_storm) push(EventKind::kFrame, t + uint32_t(s.marker_storm) + 1);
    t += uint32_t(s.marker_storm) + 3;
    if (s.bad_input) {
      push(EventKind::kLineStart, t);
      push(EventKind::kPhoton, t, 10);
      push(EventKind::kLineStop, t);  // zero duration
      push(EventKind::kLineStart, t + 1);
      push(EventKind::kPhoton, t + 2, 10);
      push(EventKind::kLineStop, t + 1 + (1u << 25));  // too long
      push(EventKind::kFrame, t + 2 + (1u << 25));
      push(EventKind::kTruncatedRecord, t + 3 + (1u << 25));
      t += 4 + (1u << 25);
    }
  }
  push(EventKind::kLineStart, t);       // an unterminated line: dropped at the flush
  push(EventKind::kPhoton, t + 1, 50);
  push(EventKind::kFlush, t + 2);
  return ev;
}

// The front end's configuration for a synthetic stream: its image and scan direction, micro units
// 0 … 4000 onto bins 0 … 250 (some outside the window), unbinned.
inline FrontendConfig synth_config(const SynthEvents& s, int count_bits = 16, int line_buffer = 4096) {
  FrontendConfig c;
  c.pix_x = s.pix_x;
  c.pix_y = s.pix_y;
  c.bidirect = s.bidirect;
  c.micro_mul = 1u << 12;
  c.count_bits = count_bits;
  c.line_buffer = line_buffer;
  return c;
}

// The events of a real stream from the one after its `first`-th line stop up to its `last`-th
// line stop (counted from 1), closed by a flush: a slice of lines `first` … `last` − 1.
inline std::vector<Event> line_slice(const std::vector<Event>& all, int first, int last) {
  std::vector<Event> ev;
  int stops = 0;
  for (const Event& e : all) {
    if (stops >= first) ev.push_back(e);
    if (e.kind == EventKind::kLineStop && ++stops == last) break;
  }
  ev.push_back({EventKind::kFlush, ev.empty() ? 0u : ev.back().macro, 0});
  return ev;
}

}  // namespace flimgru::test
