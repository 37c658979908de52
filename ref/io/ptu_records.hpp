// ptu_records: the 32-bit T3 record formats of PicoQuant instruments (photons, overflows and
// markers), shared by the PTU image reader (ptu.cpp) and the on-chip event converter
// (ref/frontend/events.cpp). One struct per format, all static members:
//   special(r)      an overflow or marker record (not a photon)
//   overflow(r)     for a special record: the sync-counter increment it carries (0 if none)
//   marker_bits(r)  for a special record: the marker bits 1..15 (0 if none)
//   nsync(r)        sync counter (photons and markers), dtime(r) micro-time (photons)
#pragma once
#include <cstdint>

namespace flimgru {

constexpr uint32_t rtPicoHarpT3 = 0x00010303;
constexpr uint32_t rtHydraHarpT3 = 0x00010304;
constexpr uint32_t rtHydraHarp2T3 = 0x01010304;
constexpr uint32_t rtTimeHarp260NT3 = 0x00010305;
constexpr uint32_t rtTimeHarp260PT3 = 0x00010306;
constexpr uint32_t rtMultiHarpT3 = 0x00010307;

// PicoHarp 300 T3: nsync 16 | dtime 12 | channel 4 (15 = special).
struct PicoHarpT3 {
  static constexpr int kDtimeBits = 12;
  static bool special(uint32_t r) { return (r >> 28) == 15; }
  // For special records: overflow increment (0 if a marker) and marker bits. As in PicoQuant's
  // reference code, a special record with no marker bit (bits 16..19) set is an overflow.
  static uint64_t overflow(uint32_t r) { return ((r >> 16) & 0xF) == 0 ? 65536u : 0u; }
  static uint32_t marker_bits(uint32_t r) { return (r >> 16) & 0xF; }
  static uint32_t nsync(uint32_t r) { return r & 0xFFFF; }
  static uint32_t dtime(uint32_t r) { return (r >> 16) & 0xFFF; }
};

// HydraHarp V1 (V2 = false) and V2, TimeHarp 260, MultiHarp T3 (V2 = true):
// nsync 10 | dtime 15 | channel 6 | special 1. Channel 63 of a special record is an overflow
// (V2: carrying a count of overflows), channels 1..15 are markers.
template <bool V2>
struct HydraHarpT3 {
  static constexpr int kDtimeBits = 15;
  static bool special(uint32_t r) { return (r >> 31) != 0; }
  static uint64_t overflow(uint32_t r) {
    if (((r >> 25) & 0x3F) != 63) return 0;
    const uint32_t n = r & 0x3FF;
    return V2 ? 1024u * (n == 0 ? 1u : n) : 1024u;
  }
  static uint32_t marker_bits(uint32_t r) {
    const uint32_t c = (r >> 25) & 0x3F;
    return c >= 1 && c <= 15 ? c : 0;
  }
  static uint32_t nsync(uint32_t r) { return r & 0x3FF; }
  static uint32_t dtime(uint32_t r) { return (r >> 10) & 0x7FFF; }
};

// Calls fn(Format{}) with the format struct of a supported T3 record type (parse_ptu_header has
// refused every other type).
template <class Fn>
decltype(auto) with_t3_format(uint32_t record_type, Fn&& fn) {
  switch (record_type) {
    case rtPicoHarpT3: return fn(PicoHarpT3{});
    case rtHydraHarpT3: return fn(HydraHarpT3<false>{});
    default: return fn(HydraHarpT3<true>{});
  }
}

}  // namespace flimgru
