// synthetic_streams: event streams of known content for the benches of the photon front end
// (flimgru_chip_bench, flimgru_photon_board_bench).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "events.hpp"
#include "frontend.hpp"
#include "tpsf.hpp"

namespace flimgru::sim {

struct Stream {
  std::string name;
  FrontendConfig config;
  std::vector<Event> events;
};

// A bright image of pix_x × pix_y scan pixels binned 8 × 8: per line, every scan pixel's
// `per_scan_pixel` photons at macro-times spread over its share of the line, micro-times from a
// Gaussian IRF (0.1 ns sigma at 1 ns) convolved with the binned pixel's lifetime (0.5 … 3 ns over
// the binned pixels); micro-time unit 90 ps; one frame, then a flush.
inline Stream bright_image(int pix_x, int pix_y, int per_scan_pixel) {
  Stream s;
  FrontendConfig& c = s.config;
  c.pix_x = pix_x;
  c.pix_y = pix_y;
  c.bin_shift = 3;
  c.micro_mul = 1u << kMicroMulFrac;  // micro-time unit = 90 ps
  s.name = "bright synthetic, " + std::to_string(pix_x) + " x " + std::to_string(pix_y) + " bin 8";
  const int cols = c.width(), pixels = c.width() * c.height();
  const uint32_t line_syncs = uint32_t(pix_x) * 40, gap = 100;
  std::mt19937_64 rng(2026);
  std::normal_distribution<double> irf(1.0, 0.1);
  std::uniform_real_distribution<double> u(0, 1);
  uint32_t t = 1000;
  for (int y = 0; y < c.pix_y; ++y) {
    s.events.push_back({EventKind::kLineStart, t, 0});
    std::vector<Event> line;
    for (int x = 0; x < c.pix_x; ++x) {
      const int px = (y >> 3) * cols + (x >> 3);
      const double tau = 0.5 + 2.5 * px / std::max(1, pixels - 1);
      for (int k = 0; k < per_scan_pixel; ++k) {
        const uint32_t dt = uint32_t((x + u(rng)) * line_syncs / c.pix_x);
        const double ns = irf(rng) - tau * std::log(1.0 - u(rng));
        const int micro = int(ns / kBinNs);
        if (micro < 0 || micro > 1000) continue;
        line.push_back({EventKind::kPhoton, t + dt, uint16_t(micro)});
      }
    }
    std::stable_sort(line.begin(), line.end(), [](const Event& a, const Event& b) { return a.macro < b.macro; });
    s.events.insert(s.events.end(), line.begin(), line.end());
    t += line_syncs;
    s.events.push_back({EventKind::kLineStop, t, 0});
    t += gap;
  }
  s.events.push_back({EventKind::kFrame, t, 0});
  s.events.push_back({EventKind::kFlush, t, 0});
  return s;
}

}  // namespace flimgru::sim
