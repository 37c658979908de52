// events: packing of the on-chip event word and the T3 record converter (events.hpp).
#include "events.hpp"

#include <cstring>
#include <fstream>

#include "error.hpp"
#include "files.hpp"
#include "ptu_records.hpp"

namespace flimgru {

uint64_t pack_event(const Event& e) {
  return (uint64_t(e.kind) << (kEventMacroBits + kEventMicroBits)) | (uint64_t(e.macro) << kEventMicroBits) |
         uint64_t(e.micro);
}

Event unpack_event(uint64_t word) {
  const uint32_t kind = uint32_t(word >> (kEventMacroBits + kEventMicroBits)) & 7u;
  if (kind > uint32_t(EventKind::kFlush)) throw Error("event word with kind code " + std::to_string(kind));
  return Event{EventKind(kind), uint32_t(word >> kEventMicroBits), uint16_t(word)};
}

namespace {

template <class F>
void convert_records(const PtuHeader& h, const uint32_t* rec, size_t n, EventStream& out) {
  const uint32_t start_bit = 1u << (h.line_start - 1), stop_bit = 1u << (h.line_stop - 1);
  const uint32_t frame_bit = h.frame > 0 ? 1u << (h.frame - 1) : 0u;
  uint64_t ovf = 0;
  out.events.reserve(out.events.size() + n + 2);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rec[i];
    if (!F::special(r)) {
      out.events.push_back({EventKind::kPhoton, uint32_t(ovf + F::nsync(r)), uint16_t(F::dtime(r))});
      continue;
    }
    const uint64_t inc = F::overflow(r);
    if (inc) {
      ovf += inc;
      ++out.overflows;
      continue;
    }
    const uint32_t bits = F::marker_bits(r);
    if (!bits) {
      out.events.push_back({EventKind::kUnknownRecord, uint32_t(ovf), 0});
      continue;
    }
    const uint32_t t = uint32_t(ovf + F::nsync(r));
    if (!(bits & (start_bit | stop_bit | frame_bit))) ++out.other_markers;
    if (bits & stop_bit) out.events.push_back({EventKind::kLineStop, t, 0});
    if (bits & frame_bit) out.events.push_back({EventKind::kFrame, t, 0});
    if (bits & start_bit) out.events.push_back({EventKind::kLineStart, t, 0});
  }
  out.records = n;
}

}  // namespace

EventStream events_from_ptu_bytes(const std::string& path, const uint8_t* data, size_t size) {
  EventStream s;
  s.header = parse_ptu_header(path, data, size);
  const PtuHeader& h = s.header;
  check_image_header(path, h);
  const size_t body = size - h.data_offset;
  size_t n = body / 4;
  const bool truncated = body % 4 != 0 || (h.num_records >= 0 && size_t(h.num_records) > n);
  if (h.num_records >= 0 && size_t(h.num_records) < n) n = size_t(h.num_records);
  std::vector<uint32_t> rec(n);
  std::memcpy(rec.data(), data + h.data_offset, n * 4);
  with_t3_format(h.record_type, [&](auto format) { convert_records<decltype(format)>(h, rec.data(), n, s); });
  const uint32_t last_macro = s.events.empty() ? 0u : s.events.back().macro;
  if (truncated) s.events.push_back({EventKind::kTruncatedRecord, last_macro, 0});
  s.events.push_back({EventKind::kFlush, last_macro, 0});
  return s;
}

EventStream events_from_ptu(const std::string& path) {
  uint64_t size = 0;
  std::ifstream f = open_for_reading(path, &size);
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  if (!f.read(reinterpret_cast<char*>(buf.data()), std::streamsize(size))) throw file_error(path, "read failed");
  return events_from_ptu_bytes(path, buf.data(), buf.size());
}

}  // namespace flimgru
