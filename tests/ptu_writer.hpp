// A small PTU writer for the tests: synthetic T3 images with known per-pixel photon counts and a
// known decay, at a micro-time bin width and laser period of our choosing.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "simulator.hpp"

namespace flimgru::test {

struct PtuTagW {
  std::string name;
  int32_t idx;
  uint32_t type;
  int64_t ival;
  double dval;
  std::string sval;
};

inline void put_tag(std::string& out, const PtuTagW& t) {
  char ident[32] = {0};
  std::strncpy(ident, t.name.c_str(), 31);
  out.append(ident, 32);
  out.append(reinterpret_cast<const char*>(&t.idx), 4);
  out.append(reinterpret_cast<const char*>(&t.type), 4);
  if (t.type == 0x4001FFFF || t.type == 0x2001FFFF || t.type == 0xFFFFFFFF || t.type == 0x4002FFFF) {
    std::string s = t.sval;
    s.resize((s.size() + 8) / 8 * 8, '\0');  // NUL-terminated, padded to 8
    const int64_t len = int64_t(s.size());
    out.append(reinterpret_cast<const char*>(&len), 8);
    out += s;
  } else if (t.type == 0x20000008 || t.type == 0x21000008) {
    out.append(reinterpret_cast<const char*>(&t.dval), 8);
  } else {
    out.append(reinterpret_cast<const char*>(&t.ival), 8);
  }
}

struct SynthPtu {
  uint32_t record_type = 0x00010303;  // PicoHarp T3
  int pix_x = 16, pix_y = 8, frames = 2;
  double res_ns = 0.05, period_ns = 20.0;
  int line_syncs = 64;     // sync periods per line (a multiple of pix_x)
  int gap_syncs = 7;       // between a line's stop and the next line's start
  double tau_ns = 1.5, t0_ns = 1.0, irf_sigma_ns = 0.1;
  bool bidirect = false;
  bool frame_markers = true, line_markers = true, image_tags = true;
  int channels = 1;
  uint64_t seed = 3;
  int photons(int frame, int y, int x) const { return 1 + (3 * x + 5 * y + frame) % 7; }
};

// Returns the file bytes; `truth` (if given) receives the summed photons per pixel [y][x].
inline std::string make_ptu(const SynthPtu& s, std::vector<uint64_t>* truth = nullptr) {
  const bool pico = s.record_type == 0x00010303;
  const bool v1 = s.record_type == 0x00010304;
  std::string out("PQTTTR\0\0" "00.0.1\0\0", 16);
  std::vector<PtuTagW> tags = {
      {"File_GUID", -1, 0x4001FFFF, 0, 0, "{synthetic}"},
      {"File_CreatingTime", -1, 0x21000008, 0, 44000.5, ""},
      {"Fast_Load_End", -1, 0xFFFF0008, 0, 0, ""},
      {"HW_Type", -1, 0x4001FFFF, 0, 0, pico ? "PicoHarp" : "HydraHarp"},
      {"File_Comment", -1, 0x4002FFFF, 0, 0, std::string("h\0i\0\0\0", 6)},
      {"Some_Array", -1, 0x2001FFFF, 0, 0, std::string(24, '\1')},
      {"Some_Blob", -1, 0xFFFFFFFF, 0, 0, std::string(13, '\2')},
      {"Some_Bits", -1, 0x11000008, 5, 0, ""},
      {"Some_Color", -1, 0x12000008, 7, 0, ""},
      {"HWMarkers_Enabled", 0, 0x00000008, -1, 0, ""},
      {"TTResult_SyncRate", -1, 0x10000008, int64_t(std::llround(1e9 / s.period_ns)), 0, ""},
      {"MeasDesc_GlobalResolution", -1, 0x20000008, 0, s.period_ns * 1e-9, ""},
      {"MeasDesc_Resolution", -1, 0x20000008, 0, s.res_ns * 1e-9, ""},
      {"TTResultFormat_TTTRRecType", -1, 0x10000008, int64_t(s.record_type), 0, ""},
      {"TTResultFormat_BitsPerRecord", -1, 0x10000008, 32, 0, ""},
  };
  if (s.image_tags) {
    tags.push_back({"ImgHdr_PixX", -1, 0x10000008, s.pix_x, 0, ""});
    tags.push_back({"ImgHdr_PixY", -1, 0x10000008, s.pix_y, 0, ""});
    tags.push_back({"ImgHdr_LineStart", -1, 0x10000008, 1, 0, ""});
    tags.push_back({"ImgHdr_LineStop", -1, 0x10000008, 2, 0, ""});
    tags.push_back({"ImgHdr_Frame", -1, 0x10000008, 3, 0, ""});
    tags.push_back({"ImgHdr_BiDirect", -1, 0x00000008, s.bidirect ? -1 : 0, 0, ""});
  }
  // Records.
  std::vector<uint32_t> rec;
  const uint64_t wrap = pico ? 65536 : 1024;
  uint64_t base = 0;
  auto advance = [&](uint64_t t) {
    while (t - base >= wrap) {
      if (pico) {
        rec.push_back(0xF0000000u);
        base += wrap;
      } else if (v1) {
        rec.push_back(0x80000000u | (63u << 25));
        base += wrap;
      } else {
        const uint64_t k = std::min<uint64_t>((t - base) / wrap, 1023);
        rec.push_back(0x80000000u | (63u << 25) | uint32_t(k));
        base += k * wrap;
      }
    }
  };
  auto marker = [&](uint64_t t, uint32_t bits) {
    advance(t);
    const uint32_t ns = uint32_t(t - base);
    rec.push_back(pico ? (0xF0000000u | (bits << 16) | ns) : (0x80000000u | (bits << 25) | ns));
  };
  auto photon = [&](uint64_t t, uint32_t dtime, uint32_t ch) {
    advance(t);
    const uint32_t ns = uint32_t(t - base);
    rec.push_back(pico ? ((ch << 28) | (dtime << 16) | ns) : ((ch << 25) | (dtime << 10) | ns));
  };
  Rng rng(s.seed);
  const int bins = int(std::ceil(s.period_ns / s.res_ns - 1e-9));
  if (truth) truth->assign(size_t(s.pix_x) * s.pix_y, 0);
  uint64_t t = 5;
  const int per_px = s.line_syncs / s.pix_x;
  for (int f = 0; f < s.frames; ++f) {
    for (int y = 0; y < s.pix_y; ++y) {
      if (s.line_markers) marker(t, 1);
      struct P { uint64_t t; uint32_t d, ch; };
      std::vector<P> ps;
      for (int x = 0; x < s.pix_x; ++x) {
        const int xpos = (s.bidirect && (y & 1)) ? s.pix_x - 1 - x : x;
        const int n = s.photons(f, y, x);
        if (truth) (*truth)[size_t(y) * s.pix_x + x] += uint64_t(n);
        for (int i = 0; i < n; ++i) {
          const uint64_t tp = t + uint64_t(xpos * per_px) + uint64_t(rng.uniform() * per_px);
          // micro-time: Gaussian IRF (Box-Muller) + exponential, wrapped into the period
          const double g = std::sqrt(-2 * std::log(1 - rng.uniform())) * std::cos(6.283185307179586 * rng.uniform());
          double mt = s.t0_ns + s.irf_sigma_ns * g - s.tau_ns * std::log(1 - rng.uniform());
          mt = std::fmod(mt, s.period_ns);
          if (mt < 0) mt += s.period_ns;
          const uint32_t d = std::min<uint32_t>(uint32_t(mt / s.res_ns), uint32_t(bins - 1));
          ps.push_back({tp, d, uint32_t(rng.next() % uint64_t(s.channels))});
        }
      }
      std::stable_sort(ps.begin(), ps.end(), [](const P& a, const P& b) { return a.t < b.t; });
      for (const P& p : ps) photon(p.t, p.d, p.ch);
      t += uint64_t(s.line_syncs);
      if (s.line_markers) marker(t, 2);
      t += uint64_t(s.gap_syncs);
    }
    if (s.frame_markers) marker(t, 4);
    t += 3;
  }
  tags.push_back({"TTResult_NumberOfRecords", -1, 0x10000008, int64_t(rec.size()), 0, ""});
  tags.push_back({"Header_End", -1, 0xFFFF0008, 0, 0, ""});
  for (const auto& tg : tags) put_tag(out, tg);
  out.append(reinterpret_cast<const char*>(rec.data()), rec.size() * 4);
  return out;
}

}  // namespace flimgru::test
