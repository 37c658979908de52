// events: the neutral on-chip event format of the photon front end (docs/architecture.md, "The
// photon front end") and the converter from PicoQuant T3 records (PicoHarp, HydraHarp, TimeHarp
// 260, MultiHarp) to it. A time tagger, a TDC or the host link drives the same stream.
//
// One event = 51 bits, {kind[50:48], macro[47:16], micro[15:0]}:
//   kind   3 bits   EventKind below
//   macro 32 bits   sync count (laser periods since the start of the acquisition, modulo 2^32)
//                   of photons and markers
//   micro 16 bits   micro-time of a photon in the instrument's units (0 for the other kinds)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ptu.hpp"

namespace flimgru {

enum class EventKind : uint8_t {
  kPhoton = 0,
  kLineStart = 1,
  kLineStop = 2,
  kFrame = 3,
  kTruncatedRecord = 4,  // the source lost or cut a record (counted by the front end)
  kUnknownRecord = 5,    // a record the source could not decode (counted by the front end)
  kFlush = 6,            // end of acquisition: the open line is dropped, the open row read out
};
constexpr int kEventKindBits = 3, kEventMacroBits = 32, kEventMicroBits = 16;
constexpr int kEventBits = kEventKindBits + kEventMacroBits + kEventMicroBits;  // 51

struct Event {
  EventKind kind = EventKind::kPhoton;
  uint32_t macro = 0;
  uint16_t micro = 0;
  bool operator==(const Event& o) const { return kind == o.kind && macro == o.macro && micro == o.micro; }
};

uint64_t pack_event(const Event& e);
// Throws Error on a kind code of 7 (no such kind).
Event unpack_event(uint64_t word);

struct EventStream {
  PtuHeader header;
  std::vector<Event> events;  // in record order, closed by one kFlush
  uint64_t records = 0;       // records read
  uint64_t overflows = 0;     // overflow records (folded into the macro-time)
  uint64_t other_markers = 0; // marker records without a line-start, line-stop or frame bit
};

// The converter: one photon event per photon record (macro = overflows + nsync, modulo 2^32,
// micro = dtime); per marker record the events of its line-stop, frame and line-start bits in
// that order (the order ptu.cpp applies them); overflow records advance the macro-time and
// emit nothing; a special record that is neither overflow nor marker becomes kUnknownRecord; a
// cut final record, or fewer records than the header announces, one kTruncatedRecord; then
// kFlush. The records are decoded by ref/io/ptu_records.hpp, as in read_ptu. Throws Error
// naming the file when the header is not a T3 image (as read_ptu does).
EventStream events_from_ptu(const std::string& path);
EventStream events_from_ptu_bytes(const std::string& path, const uint8_t* data, size_t size);

}  // namespace flimgru
