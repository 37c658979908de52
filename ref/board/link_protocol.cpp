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

std::vector<uint8_t> encode_status_request(uint8_t seq) {
  Frame f;
  f.type = kTypeStatusReq;
  f.seq = seq;
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
