// link_protocol: see link_protocol.hpp and docs/protocol.md.
#include "link_protocol.hpp"

#include "error.hpp"

namespace flimgru::link {

std::string error_name(uint8_t code) {
  switch (code) {
    case kErrCrc: return "crc";
    case kErrTruncated: return "truncated";
    case kErrMagic: return "bad magic";
    case kErrType: return "unknown type";
    case kErrLength: return "bad length";
    case kErrFraming: return "uart framing";
    case kErrBusy: return "busy";
    case kErrTooLong: return "too long";
    case kErrOrder: return "order";
    default: return "error " + std::to_string(code);
  }
}

std::string parse_status_name(ParseStatus s) {
  switch (s) {
    case ParseStatus::kOk: return "ok";
    case ParseStatus::kBadCobs: return "bad COBS";
    case ParseStatus::kTooShort: return "too short";
    case ParseStatus::kBadMagic: return "bad magic";
    case ParseStatus::kBadLength: return "bad length";
    case ParseStatus::kBadCrc: return "bad CRC";
  }
  return "?";
}

uint16_t crc16(const uint8_t* data, size_t n, uint16_t crc) {
  for (size_t i = 0; i < n; ++i) {
    crc ^= static_cast<uint16_t>(data[i]) << 8;
    for (int b = 0; b < 8; ++b) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                                     : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

std::vector<uint8_t> cobs_encode(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out;
  out.reserve(in.size() + in.size() / 254 + 2);
  size_t code_pos = out.size();
  out.push_back(0);
  uint8_t code = 1;
  for (size_t i = 0; i < in.size(); ++i) {
    uint8_t b = in[i];
    if (b == 0) {
      out[code_pos] = code;
      code_pos = out.size();
      out.push_back(0);
      code = 1;
    } else {
      out.push_back(b);
      if (++code == 0xFF && i + 1 < in.size()) {  // a full block; no empty block at the end
        out[code_pos] = code;
        code_pos = out.size();
        out.push_back(0);
        code = 1;
      }
    }
  }
  out[code_pos] = code;
  return out;
}

bool cobs_decode(const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    uint8_t code = in[i++];
    if (code == 0) return false;
    for (uint8_t k = 1; k < code; ++k) {
      if (i >= in.size() || in[i] == 0) return false;
      out.push_back(in[i++]);
    }
    if (code != 0xFF && i < in.size()) out.push_back(0);
  }
  return true;
}

std::vector<uint8_t> frame_bytes(const Frame& f) {
  if (f.payload.size() > 255) throw Error("link: payload longer than 255 bytes");
  std::vector<uint8_t> b;
  b.reserve(kHeaderBytes + f.payload.size() + kCrcBytes);
  b.push_back(kMagic);
  b.push_back(f.type);
  b.push_back(f.seq);
  b.push_back(static_cast<uint8_t>(f.payload.size()));
  for (uint8_t v : f.payload) b.push_back(v);
  uint16_t c = crc16(b.data(), b.size());
  b.push_back(static_cast<uint8_t>(c >> 8));
  b.push_back(static_cast<uint8_t>(c & 0xFF));
  return b;
}

std::vector<uint8_t> encode_frame(const Frame& f) {
  std::vector<uint8_t> w = {0};
  std::vector<uint8_t> c = cobs_encode(frame_bytes(f));
  w.insert(w.end(), c.begin(), c.end());
  w.push_back(0);
  return w;
}

static std::vector<uint8_t> encode_bins(uint8_t type, uint8_t seq, const int8_t* q) {
  Frame f;
  f.type = type;
  f.seq = seq;
  f.payload.resize(kBins);
  for (int i = 0; i < kBins; ++i) f.payload[i] = static_cast<uint8_t>(q[i]);
  return encode_frame(f);
}

std::vector<uint8_t> encode_tpsf(uint8_t seq, const int8_t* x_q) { return encode_bins(kTypeTpsf, seq, x_q); }

std::vector<uint8_t> encode_irf(uint8_t seq, const int8_t* irf_q) { return encode_bins(kTypeIrf, seq, irf_q); }

static std::vector<uint8_t> encode_empty(uint8_t type, uint8_t seq) {
  Frame f;
  f.type = type;
  f.seq = seq;
  return encode_frame(f);
}

std::vector<uint8_t> encode_status_request(uint8_t seq) { return encode_empty(kTypeStatusReq, seq); }

std::vector<uint8_t> encode_photon_status_request(uint8_t seq) { return encode_empty(kTypePhotonStatusReq, seq); }

// `bytes` bytes of v, little-endian, from payload[at].
static void put_le(std::vector<uint8_t>& payload, size_t at, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) payload[at + k] = static_cast<uint8_t>(v >> (8 * k));
}

static uint64_t get_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v |= static_cast<uint64_t>(p[k]) << (8 * k);
  return v;
}

static void check_wire_range(const char* field, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi)
    throw Error(std::string("link: PHOTON_CONFIG ") + field + " " + std::to_string(v) + " outside its wire range " +
                std::to_string(lo) + " ... " + std::to_string(hi));
}

std::vector<uint8_t> encode_photon_config(uint8_t seq, const PhotonConfigFields& c) {
  check_wire_range("pix_x", c.pix_x, 1, 0xFFFF);
  check_wire_range("pix_y", c.pix_y, 1, 0xFFFF);
  check_wire_range("bin_shift", c.bin_shift, 0, 0xFF);
  check_wire_range("micro_mul", c.micro_mul, 0, (int64_t(1) << 17) - 1);
  check_wire_range("window_offset", c.window_offset, 0, (int64_t(1) << 31) - 1);
  check_wire_range("pre_rise_bins", c.pre_rise_bins, 0, 0xFF);
  Frame f;
  f.type = kTypePhotonConfig;
  f.seq = seq;
  f.payload.assign(kBins, 0);
  put_le(f.payload, 0, uint64_t(c.pix_x), 2);
  put_le(f.payload, 2, uint64_t(c.pix_y), 2);
  f.payload[4] = c.bidirect ? 1 : 0;
  f.payload[5] = static_cast<uint8_t>(c.bin_shift);
  put_le(f.payload, 6, c.micro_mul, 3);
  put_le(f.payload, 9, uint64_t(c.window_offset), 4);
  f.payload[13] = static_cast<uint8_t>(c.pre_rise_bins);
  return encode_frame(f);
}

std::vector<uint8_t> encode_events(uint8_t seq, const uint64_t* words, size_t n) {
  if (n < 1 || n > size_t(kEventsPerFrame))
    throw Error("link: an EVENTS frame carries 1 ... " + std::to_string(kEventsPerFrame) + " events, not " +
                std::to_string(n));
  Frame f;
  f.type = kTypeEvents;
  f.seq = seq;
  f.payload.assign(kBins, 0);
  f.payload[0] = static_cast<uint8_t>(n);
  for (size_t i = 0; i < n; ++i) {
    if (words[i] >> kEventWordBits)
      throw Error("link: event " + std::to_string(i) + " of an EVENTS frame is wider than " +
                  std::to_string(kEventWordBits) + " bits");
    put_le(f.payload, 1 + kEventBytes * i, words[i], kEventBytes);
  }
  return encode_frame(f);
}

ParseStatus parse_frame(const std::vector<uint8_t>& b, Frame& out) {
  if (b.size() < kHeaderBytes + kCrcBytes) return ParseStatus::kTooShort;
  if (b[0] != kMagic) return ParseStatus::kBadMagic;
  if (b.size() != kHeaderBytes + b[3] + kCrcBytes) return ParseStatus::kBadLength;
  if (crc16(b.data(), b.size()) != 0) return ParseStatus::kBadCrc;
  out.type = b[1];
  out.seq = b[2];
  out.payload.assign(b.begin() + kHeaderBytes, b.end() - kCrcBytes);
  return ParseStatus::kOk;
}

std::array<uint8_t, kLenResult> pack_summary(const Summary& s) {
  std::array<uint8_t, kLenResult> out{};
  for (int c = 0; c < 3; ++c) {
    uint64_t field = (static_cast<uint64_t>(static_cast<uint32_t>(s[c].sum)) & 0xFFFFFFu) |
                     (static_cast<uint64_t>(static_cast<uint16_t>(s[c].y0)) << 24);
    for (int k = 0; k < 5; ++k) out[5 * c + k] = static_cast<uint8_t>(field >> (8 * k));
  }
  for (int k = 0; k < 4; ++k) out[15 + k] = static_cast<uint8_t>(static_cast<uint32_t>(s.cum) >> (8 * k));
  return out;
}

Summary unpack_summary(const uint8_t* p) {
  Summary s;
  for (int c = 0; c < 3; ++c) {
    uint64_t field = 0;
    for (int k = 0; k < 5; ++k) field |= static_cast<uint64_t>(p[5 * c + k]) << (8 * k);
    uint32_t sum24 = static_cast<uint32_t>(field & 0xFFFFFFu);
    s[c].sum = static_cast<int32_t>(sum24 << 8) >> 8;  // sign-extend 24 -> 32
    s[c].y0 = static_cast<int16_t>(static_cast<uint16_t>(field >> 24));
  }
  uint32_t cum = 0;
  for (int k = 0; k < 4; ++k) cum |= static_cast<uint32_t>(p[15 + k]) << (8 * k);
  s.cum = static_cast<int32_t>(cum);
  return s;
}

Summary summarize(const std::vector<std::array<int16_t, 3>>& y) {
  Summary s;
  for (size_t t = 0; t < y.size(); ++t)
    for (int c = 0; c < 3; ++c) {
      s[c].sum += y[t][c];
      if (t == 0) s[c].y0 = y[t][c];
    }
  int64_t running = 0;  // P_t
  for (size_t t = 0; t + 1 < y.size(); ++t) {
    running += y[t][0];
    s.cum += static_cast<int32_t>(running);
  }
  return s;
}

int64_t step_moment0(const Summary& s) { return int64_t(kBins - 1) * s[0].sum - s.cum; }

static void expect(const Frame& f, uint8_t type, size_t len, const char* what) {
  if (f.type != type || f.payload.size() != len)
    throw Error(std::string("link: not a ") + what + " frame (type " + std::to_string(f.type) +
                ", " + std::to_string(f.payload.size()) + " bytes)");
}

Summary decode_result(const Frame& f) {
  expect(f, kTypeResult, kLenResult, "result");
  return unpack_summary(f.payload.data());
}

ErrorReport decode_error(const Frame& f) {
  expect(f, kTypeError, kLenError, "error");
  ErrorReport e;
  e.seq = f.seq;
  e.code = f.payload[0];
  e.seq_valid = (f.payload[1] & 1) != 0;
  e.type = f.payload[2];
  e.length = f.payload[3];
  return e;
}

Status decode_status(const Frame& f) {
  if (f.type == kTypeStatus && f.payload.size() >= 5 && f.payload[4] != kVersion) {
    Status other;  // another protocol version: its id and version, for the host's message
    other.id.assign(reinterpret_cast<const char*>(f.payload.data()), 4);
    other.version = f.payload[4];
    return other;
  }
  expect(f, kTypeStatus, kLenStatus, "status");
  const uint8_t* p = f.payload.data();
  Status s;
  s.id.assign(reinterpret_cast<const char*>(p), 4);
  s.version = p[4];
  s.board_id = p[5];
  s.lanes = p[6];
  s.mac_rows = p[7];
  s.clk_mhz = p[8];
  s.baud_100k = p[9];
  s.buffer_pixels = p[10];
  s.seq_depth = p[11];
  s.good_frames = static_cast<uint16_t>(p[12] | (p[13] << 8));
  s.bad_frames = static_cast<uint16_t>(p[14] | (p[15] << 8));
  s.dropped_responses = p[16];
  s.in_flight = p[17];
  s.in_dim = p[18];
  s.frontend = p[19] != 0;
  s.frontend_xw = p[20];
  s.frontend_max_cols = static_cast<uint16_t>(p[21] | (p[22] << 8));
  s.frontend_line_depth_log2 = p[23];
  return s;
}

PixelReport decode_pixel(const Frame& f) {
  expect(f, kTypePixel, kLenPixel, "pixel");
  const uint8_t* p = f.payload.data();
  PixelReport r;
  r.frame = static_cast<uint16_t>(get_le(p, 2));
  r.row = static_cast<uint16_t>(get_le(p + 2, 2));
  r.col = static_cast<uint16_t>(get_le(p + 4, 2));
  r.photons = static_cast<uint32_t>(get_le(p + 6, 3));
  r.saturated = (p[9] & 1) != 0;
  r.incomplete = (p[9] & 2) != 0;
  r.summary = unpack_summary(p + 10);
  // the moments {P[23:0], C[39:0], B[31:0], A[23:0]}, A in the low bytes
  r.a = get_le(p + 29, 3);
  r.b = get_le(p + 32, 4);
  r.c = get_le(p + 36, 5);
  r.p = get_le(p + 41, 3);
  return r;
}

PhotonStatus decode_photon_status(const Frame& f) {
  expect(f, kTypePhotonStatus, kLenPhotonStatus, "photon status");
  const uint8_t* p = f.payload.data();
  PhotonStatus s;
  for (int i = 0; i < kPhotonCounters; ++i) s.counters[i] = static_cast<uint32_t>(get_le(p + 4 * i, 4));
  s.pixels_in = static_cast<uint32_t>(get_le(p + 4 * kPhotonCounters, 4));
  s.idle = (p[4 * kPhotonCounters + 4] & 1) != 0;
  return s;
}

void StreamDecoder::feed(uint8_t byte) {
  if (byte != 0) {
    if (chunk_.size() < 4096) chunk_.push_back(byte);
    return;
  }
  if (chunk_.empty()) return;
  Event e;
  std::vector<uint8_t> dec;
  if (!cobs_decode(chunk_, dec)) e.status = ParseStatus::kBadCobs;
  else e.status = parse_frame(dec, e.frame);
  events_.push_back(std::move(e));
  chunk_.clear();
}

bool StreamDecoder::pop(Event& e) {
  if (events_.empty()) return false;
  e = std::move(events_.front());
  events_.pop_front();
  return true;
}

}  // namespace flimgru::link
