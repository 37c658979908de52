// Tests of the host side of the board link: CRC and COBS known answers, frame round trips,
// corrupt frames detected, summary packing; the photon front end's frames (docs/protocol.md §7)
// byte by byte, and their refusals.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "error.hpp"
#include "link_protocol.hpp"

using namespace flimgru::link;

namespace {
std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> decode_one(const std::vector<uint8_t>& wire, ParseStatus* st, Frame* f) {
  StreamDecoder d;
  d.feed(wire.data(), wire.size());
  StreamDecoder::Event e;
  EXPECT_TRUE(d.pop(e));
  *st = e.status;
  *f = e.frame;
  EXPECT_FALSE(d.pop(e));
  return {};
}
}  // namespace

TEST(LinkCrc, KnownAnswers) {
  auto v = bytes("123456789");
  EXPECT_EQ(crc16(v.data(), v.size()), 0x29B1);  // the catalogue check value of CRC-16/CCITT-FALSE
  EXPECT_EQ(crc16(nullptr, 0), 0xFFFF);
  auto a = bytes("A");
  EXPECT_EQ(crc16(a.data(), a.size()), 0xB915);
}

TEST(LinkCrc, ResidueOfMessageWithCrcIsZero) {
  std::mt19937 rng(1);
  for (int n = 0; n < 50; ++n) {
    std::vector<uint8_t> m(n);
    for (auto& b : m) b = static_cast<uint8_t>(rng());
    uint16_t c = crc16(m.data(), m.size());
    m.push_back(c >> 8);
    m.push_back(c & 0xFF);
    EXPECT_EQ(crc16(m.data(), m.size()), 0) << "n=" << n;
  }
}

TEST(LinkCobs, KnownAnswers) {
  using V = std::vector<uint8_t>;
  EXPECT_EQ(cobs_encode(V{0x00}), (V{0x01, 0x01}));
  EXPECT_EQ(cobs_encode(V{0x00, 0x00}), (V{0x01, 0x01, 0x01}));
  EXPECT_EQ(cobs_encode(V{0x11, 0x22, 0x00, 0x33}), (V{0x03, 0x11, 0x22, 0x02, 0x33}));
  EXPECT_EQ(cobs_encode(V{0x11, 0x22, 0x33, 0x44}), (V{0x05, 0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(cobs_encode(V{0x11, 0x00, 0x00, 0x00}), (V{0x02, 0x11, 0x01, 0x01, 0x01}));
  V in254, out254 = {0xFF};
  for (int i = 1; i <= 254; ++i) {
    in254.push_back(i);
    out254.push_back(i);
  }
  EXPECT_EQ(cobs_encode(in254), out254);
  V in255 = {0x00};
  in255.insert(in255.end(), in254.begin(), in254.end());
  V out255 = {0x01};
  out255.insert(out255.end(), out254.begin(), out254.end());
  EXPECT_EQ(cobs_encode(in255), out255);
}

TEST(LinkCobs, RoundTripRandom) {
  std::mt19937 rng(2);
  for (int n = 0; n < 600; n += 7) {
    std::vector<uint8_t> m(n), back;
    for (auto& b : m) b = (rng() % 4 == 0) ? 0 : static_cast<uint8_t>(rng());
    auto enc = cobs_encode(m);
    for (uint8_t b : enc) ASSERT_NE(b, 0);
    ASSERT_TRUE(cobs_decode(enc, back));
    EXPECT_EQ(back, m) << "n=" << n;
  }
  std::vector<uint8_t> out;
  EXPECT_FALSE(cobs_decode({0x05, 0x11, 0x22}, out));  // block runs past the end
}

TEST(LinkFrame, TpsfRoundTrip) {
  int8_t x[kBins];
  for (int i = 0; i < kBins; ++i) x[i] = static_cast<int8_t>(i * 37 - 100);  // includes 0
  auto wire = encode_tpsf(42, x);
  EXPECT_EQ(wire.front(), 0);
  EXPECT_EQ(wire.back(), 0);
  for (size_t i = 1; i + 1 < wire.size(); ++i) ASSERT_NE(wire[i], 0);
  EXPECT_LE(wire.size(), 4u + kBins + 2 + 2 + 2);  // + COBS overhead + delimiters
  ParseStatus st;
  Frame f;
  decode_one(wire, &st, &f);
  ASSERT_EQ(st, ParseStatus::kOk);
  EXPECT_EQ(f.type, kTypeTpsf);
  EXPECT_EQ(f.seq, 42);
  ASSERT_EQ(f.payload.size(), size_t(kBins));
  for (int i = 0; i < kBins; ++i) EXPECT_EQ(static_cast<int8_t>(f.payload[i]), x[i]);
}

TEST(LinkFrame, IrfRoundTrip) {
  int8_t q[kBins];
  for (int i = 0; i < kBins; ++i) q[i] = static_cast<int8_t>((i * 29) % 128);  // includes 0
  ParseStatus st;
  Frame f;
  decode_one(encode_irf(7, q), &st, &f);
  ASSERT_EQ(st, ParseStatus::kOk);
  EXPECT_EQ(f.type, kTypeIrf);
  EXPECT_EQ(f.seq, 7);
  ASSERT_EQ(f.payload.size(), size_t(kBins));
  for (int i = 0; i < kBins; ++i) EXPECT_EQ(static_cast<int8_t>(f.payload[i]), q[i]);
}

// A version-4 status carries the model's input width (byte 18) and the photon front end (bytes
// 19-23); one of another version (another length) decodes to its id and version, so that the host
// can name the version the board speaks.
TEST(LinkFrame, StatusOfThisAndOtherVersions) {
  std::vector<uint8_t> p = {'F', 'L', 'G', 'R', kVersion, 3, 6, 16, 60, 30, 15, 32, 7, 0, 1, 0, 0, 2, 2,
                            1, 12, 0x40, 0x01, 11};
  ASSERT_EQ(p.size(), kLenStatus);
  const Status s = decode_status(Frame{kTypeStatus, 1, p});
  EXPECT_EQ(s.id, "FLGR");
  EXPECT_EQ(s.lanes, 6);
  EXPECT_EQ(s.good_frames, 7);
  EXPECT_EQ(s.in_flight, 2);
  EXPECT_EQ(s.in_dim, 2);
  EXPECT_TRUE(s.frontend);
  EXPECT_EQ(s.frontend_xw, 12);
  EXPECT_EQ(s.frontend_max_cols, 0x140);  // little-endian
  EXPECT_EQ(s.frontend_line_depth_log2, 11);
  p[19] = 0;  // no front end
  EXPECT_FALSE(decode_status(Frame{kTypeStatus, 1, p}).frontend);
  std::vector<uint8_t> v3(p.begin(), p.begin() + 19);
  v3[4] = 3;
  const Status old = decode_status(Frame{kTypeStatus, 1, v3});
  EXPECT_EQ(old.id, "FLGR");
  EXPECT_EQ(old.version, 3);
  v3[4] = kVersion;  // this version with a wrong length is malformed
  EXPECT_THROW(decode_status(Frame{kTypeStatus, 1, v3}), flimgru::Error);
}

TEST(LinkFrame, CorruptFramesDetected) {
  int8_t x[kBins] = {};
  for (int i = 0; i < kBins; ++i) x[i] = static_cast<int8_t>(i);
  const auto good = frame_bytes(Frame{kTypeTpsf, 7, std::vector<uint8_t>(x, x + kBins)});
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {  // every single-bit error is caught by the CRC
    auto bad = good;
    size_t bit = rng() % (bad.size() * 8);
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Frame f;
    ParseStatus st = parse_frame(bad, f);
    EXPECT_NE(st, ParseStatus::kOk) << "bit " << bit;
  }
  auto trunc = good;
  trunc.resize(trunc.size() - 5);
  Frame f;
  EXPECT_EQ(parse_frame(trunc, f), ParseStatus::kBadLength);
  EXPECT_EQ(parse_frame({kMagic, 1}, f), ParseStatus::kTooShort);
  auto magic = good;
  magic[0] = 0x55;
  EXPECT_EQ(parse_frame(magic, f), ParseStatus::kBadMagic);
  auto crc = good;
  crc[10] ^= 0x80;
  EXPECT_EQ(parse_frame(crc, f), ParseStatus::kBadCrc);
}

TEST(LinkFrame, StreamResyncsAfterGarbage) {
  StreamDecoder d;
  std::vector<uint8_t> junk = {0x12, 0x34, 0x00, 0x99, 0xF1, 0x05};
  d.feed(junk.data(), junk.size());
  auto w = encode_status_request(9);
  d.feed(w.data(), w.size());
  StreamDecoder::Event e;
  ASSERT_TRUE(d.pop(e));
  EXPECT_NE(e.status, ParseStatus::kOk);       // 12 34
  ASSERT_TRUE(d.pop(e));
  EXPECT_NE(e.status, ParseStatus::kOk);       // 99 F1 05 (ended by the frame's leading 0x00)
  ASSERT_TRUE(d.pop(e));
  ASSERT_EQ(e.status, ParseStatus::kOk);
  EXPECT_EQ(e.frame.type, kTypeStatusReq);
  EXPECT_EQ(e.frame.seq, 9);
  EXPECT_FALSE(d.pop(e));
}

TEST(LinkSummary, PackUnpack) {
  Summary s;
  s[0] = {-(1 << 23), -32768};
  s[1] = {(1 << 23) - 1, 32767};
  s[2] = {-1, 0x1234};
  auto p = pack_summary(s);
  EXPECT_EQ(p[0], 0x00);  // channel 0 sum, low byte first
  EXPECT_EQ(p[2], 0x80);
  EXPECT_EQ(p[3], 0x00);  // channel 0 y0 = 0x8000
  EXPECT_EQ(p[4], 0x80);
  Summary back = unpack_summary(p.data());
  for (int c = 0; c < 3; ++c) EXPECT_EQ(back[c], s[c]) << "channel " << c;
  // cum in bytes 15..18, little-endian, signed: its extremes
  for (int32_t cum : {0, -1, 0x12345678, -(1 << 29), (1 << 29) - 1}) {
    s.cum = cum;
    p = pack_summary(s);
    EXPECT_EQ(p[15], uint8_t(cum)) << cum;
    EXPECT_EQ(p[18], uint8_t(uint32_t(cum) >> 24)) << cum;
    EXPECT_EQ(unpack_summary(p.data()), s) << cum;
  }

  std::vector<std::array<int16_t, 3>> y(kBins);
  for (int t = 0; t < kBins; ++t) y[t] = {int16_t(t), int16_t(-t), int16_t(32767)};
  Summary z = summarize(y);
  EXPECT_EQ(z[0].sum, 134 * 135 / 2);
  EXPECT_EQ(z[1].sum, -134 * 135 / 2);
  EXPECT_EQ(z[2].sum, 32767 * 135);  // fits 24 bits: 135 * 32767 < 2^23
  EXPECT_EQ(z[2].y0, 32767);
  // cum = sum_{t<134} P_t = sum_j (134 - j) y0[j]; the step moment sum_t t y0[t] follows exactly
  int64_t cum = 0, moment = 0;
  for (int j = 0; j < kBins; ++j) {
    cum += int64_t(134 - j) * y[j][0];
    moment += int64_t(j) * y[j][0];
  }
  EXPECT_EQ(z.cum, cum);
  EXPECT_EQ(step_moment0(z), moment);
  // the largest |cum| (every y0 at -32768) fits its 32 bits with room: -32768 * 9045 > -2^29
  for (auto& r : y) r[0] = -32768;
  EXPECT_EQ(summarize(y).cum, -32768 * 9045);
  EXPECT_EQ(step_moment0(summarize(y)), -32768LL * (134 * 135 / 2));
}

TEST(LinkFrame, ResultErrorStatusDecode) {
  Summary s;
  s[1] = {1000, -5};
  auto packed = pack_summary(s);
  Frame r{kTypeResult, 3, std::vector<uint8_t>(packed.begin(), packed.end())};
  EXPECT_EQ(decode_result(r)[1], s[1]);
  Frame e{kTypeError, 8, {kErrCrc, 1, kTypeTpsf, 141}};
  ErrorReport er = decode_error(e);
  EXPECT_EQ(er.code, kErrCrc);
  EXPECT_TRUE(er.seq_valid);
  EXPECT_EQ(er.seq, 8);
  EXPECT_EQ(error_name(er.code), "crc");
  EXPECT_EQ(error_name(kErrOrder), "order");
  EXPECT_THROW(decode_status(e), flimgru::Error);
}

namespace {
// The one good frame of `wire`.
Frame decoded(const std::vector<uint8_t>& wire) {
  ParseStatus st;
  Frame f;
  decode_one(wire, &st, &f);
  EXPECT_EQ(st, ParseStatus::kOk);
  return f;
}

// A payload of `len` bytes: `head`, then zeros.
std::vector<uint8_t> padded(std::vector<uint8_t> head, size_t len) {
  head.resize(len, 0);
  return head;
}
}  // namespace

TEST(LinkPhoton, ConfigBytes) {
  PhotonConfigFields c;
  c.pix_x = 0x0201;
  c.pix_y = 0x0403;
  c.bidirect = true;
  c.bin_shift = 2;
  c.micro_mul = 0x1ABCD;
  c.window_offset = 0x7A5B3C2D;
  c.pre_rise_bins = 12;
  const Frame f = decoded(encode_photon_config(0x33, c));
  EXPECT_EQ(f.type, kTypePhotonConfig);
  EXPECT_EQ(f.seq, 0x33);
  EXPECT_EQ(f.payload, padded({0x01, 0x02, 0x03, 0x04, 0x01, 0x02, 0xCD, 0xAB, 0x01, 0x2D, 0x3C, 0x5B, 0x7A, 12},
                              size_t(kBins)));
  c.bidirect = false;
  EXPECT_EQ(decoded(encode_photon_config(0, c)).payload[4], 0);
}

TEST(LinkPhoton, ConfigFieldsOutsideTheirWireRangeRefused) {
  PhotonConfigFields good;
  good.pix_x = 65535;
  good.pix_y = 65535;
  good.bin_shift = 255;
  good.micro_mul = (1u << 17) - 1;
  good.window_offset = (int64_t(1) << 31) - 1;
  good.pre_rise_bins = 255;
  EXPECT_NO_THROW(encode_photon_config(0, good));
  const std::vector<std::pair<std::string, void (*)(PhotonConfigFields&)>> bad = {
      {"pix_x", [](PhotonConfigFields& c) { c.pix_x = 0; }},
      {"pix_x", [](PhotonConfigFields& c) { c.pix_x = 65536; }},
      {"pix_y", [](PhotonConfigFields& c) { c.pix_y = 0; }},
      {"pix_y", [](PhotonConfigFields& c) { c.pix_y = 65536; }},
      {"bin_shift", [](PhotonConfigFields& c) { c.bin_shift = 256; }},
      {"bin_shift", [](PhotonConfigFields& c) { c.bin_shift = -1; }},
      {"micro_mul", [](PhotonConfigFields& c) { c.micro_mul = 1u << 17; }},
      {"window_offset", [](PhotonConfigFields& c) { c.window_offset = int64_t(1) << 31; }},
      {"window_offset", [](PhotonConfigFields& c) { c.window_offset = -1; }},
      {"pre_rise_bins", [](PhotonConfigFields& c) { c.pre_rise_bins = 256; }},
      {"pre_rise_bins", [](PhotonConfigFields& c) { c.pre_rise_bins = -1; }},
  };
  for (const auto& [field, spoil] : bad) {
    PhotonConfigFields c = good;
    spoil(c);
    try {
      encode_photon_config(0, c);
      ADD_FAILURE() << field << ": no error";
    } catch (const flimgru::Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
}

TEST(LinkPhoton, EventsBytes) {
  // one flush event {kind 6, macro 0x12345678, micro 0x9ABC}
  const uint64_t flush = (uint64_t(6) << 48) | (uint64_t(0x12345678) << 16) | 0x9ABC;
  Frame f = decoded(encode_events(0x80, &flush, 1));
  EXPECT_EQ(f.type, kTypeEvents);
  EXPECT_EQ(f.seq, 0x80);
  EXPECT_EQ(f.payload, padded({1, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12, 0x06}, size_t(kBins)));

  // 19 events: event i in bytes 1 + 7i ... 7 + 7i, little-endian; the widest word last
  std::vector<uint64_t> w(kEventsPerFrame);
  for (int i = 0; i < kEventsPerFrame; ++i) w[i] = (uint64_t(i % 7) << 48) | (uint64_t(0x01010101u * i) << 16) | (i + 1);
  w.back() = (uint64_t(1) << kEventWordBits) - 1;
  f = decoded(encode_events(0xFF, w.data(), w.size()));
  ASSERT_EQ(f.payload.size(), size_t(kBins));
  EXPECT_EQ(f.payload[0], kEventsPerFrame);
  for (int i = 0; i + 1 < kEventsPerFrame; ++i) {
    const uint8_t* e = &f.payload[1 + kEventBytes * i];
    EXPECT_EQ(e[0], uint8_t(i + 1)) << i;
    EXPECT_EQ(e[1], 0) << i;
    for (int k = 2; k < 6; ++k) EXPECT_EQ(e[k], uint8_t(i)) << i << " byte " << k;
    EXPECT_EQ(e[6], uint8_t(i % 7)) << i;
  }
  const std::vector<uint8_t> last(f.payload.begin() + 1 + kEventBytes * 18, f.payload.begin() + 1 + kEventBytes * 19);
  EXPECT_EQ(last, (std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07}));
  EXPECT_EQ(f.payload[134], 0);  // the pad byte
}

TEST(LinkPhoton, EventsRefused) {
  std::vector<uint64_t> w(kEventsPerFrame + 1, 0);
  EXPECT_THROW(encode_events(0, w.data(), 0), flimgru::Error);
  EXPECT_THROW(encode_events(0, w.data(), kEventsPerFrame + 1), flimgru::Error);
  EXPECT_NO_THROW(encode_events(0, w.data(), kEventsPerFrame));
  w[3] = uint64_t(1) << kEventWordBits;  // a 52-bit word
  EXPECT_THROW(encode_events(0, w.data(), 4), flimgru::Error);
}

TEST(LinkPhoton, StatusRequest) {
  const Frame f = decoded(encode_photon_status_request(0x5A));
  EXPECT_EQ(f.type, kTypePhotonStatusReq);
  EXPECT_EQ(f.seq, 0x5A);
  EXPECT_TRUE(f.payload.empty());
}

TEST(LinkPhoton, PixelBytes) {
  Summary s;
  s[0] = {-123456, 1000};
  s[1] = {77, -2};
  s[2] = {(1 << 23) - 1, -32768};
  s.cum = -987654;
  const auto packed = pack_summary(s);
  std::vector<uint8_t> p = {0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x0C, 0x0B, 0x0A, 0x03};
  p.insert(p.end(), packed.begin(), packed.end());
  for (uint8_t b : {0x56, 0x34, 0x12,                    // A = 0x123456
                    0xEF, 0xCD, 0xAB, 0x89,              // B = 0x89ABCDEF
                    0x76, 0x98, 0xBA, 0xDC, 0xFE,        // C = 0xFEDCBA9876
                    0x21, 0x43, 0x65})                   // P = 0x654321
    p.push_back(b);
  ASSERT_EQ(p.size(), kLenPixel);
  Frame f = decoded(encode_frame(Frame{kTypePixel, 9, p}));
  const PixelReport r = decode_pixel(f);
  EXPECT_EQ(r.frame, 0x0102);
  EXPECT_EQ(r.row, 0x0304);
  EXPECT_EQ(r.col, 0x0506);
  EXPECT_EQ(r.photons, 0x0A0B0Cu);
  EXPECT_TRUE(r.saturated);
  EXPECT_TRUE(r.incomplete);
  EXPECT_EQ(r.summary, s);
  EXPECT_EQ(r.a, 0x123456u);
  EXPECT_EQ(r.b, 0x89ABCDEFu);
  EXPECT_EQ(r.c, 0xFEDCBA9876u);
  EXPECT_EQ(r.p, 0x654321u);
  f.payload[9] = 0x02;
  EXPECT_FALSE(decode_pixel(f).saturated);
  EXPECT_TRUE(decode_pixel(f).incomplete);
  f.payload[9] = 0x01;
  EXPECT_TRUE(decode_pixel(f).saturated);
  EXPECT_FALSE(decode_pixel(f).incomplete);
}

TEST(LinkPhoton, PhotonStatusBytes) {
  std::vector<uint8_t> p;
  for (int i = 0; i < kPhotonCounters; ++i)
    for (uint8_t b : {uint8_t(i), uint8_t(0xC0), uint8_t(0xB0), uint8_t(0xA0)}) p.push_back(b);  // 0xA0B0C0ii
  for (uint8_t b : {0x45, 0x23, 0x01, 0x00}) p.push_back(b);  // pixels_in 0x12345
  p.push_back(0x01);
  ASSERT_EQ(p.size(), kLenPhotonStatus);
  Frame f = decoded(encode_frame(Frame{kTypePhotonStatus, 4, p}));
  PhotonStatus s = decode_photon_status(f);
  for (int i = 0; i < kPhotonCounters; ++i) EXPECT_EQ(s.counters[i], 0xA0B0C000u + i) << i;
  EXPECT_EQ(s.pixels_in, 0x12345u);
  EXPECT_TRUE(s.idle);
  f.payload[72] = 0xFE;  // idle is bit 0 alone
  EXPECT_FALSE(decode_photon_status(f).idle);
}

TEST(LinkPhoton, WrongTypeOrLengthRefused) {
  EXPECT_THROW(decode_pixel(Frame{kTypePixel, 0, std::vector<uint8_t>(kLenPixel - 1)}), flimgru::Error);
  EXPECT_THROW(decode_pixel(Frame{kTypePixel, 0, std::vector<uint8_t>(kLenPixel + 1)}), flimgru::Error);
  EXPECT_THROW(decode_pixel(Frame{kTypeResult, 0, std::vector<uint8_t>(kLenPixel)}), flimgru::Error);
  EXPECT_THROW(decode_photon_status(Frame{kTypePhotonStatus, 0, std::vector<uint8_t>(kLenPhotonStatus - 1)}),
               flimgru::Error);
  EXPECT_THROW(decode_photon_status(Frame{kTypeStatus, 0, std::vector<uint8_t>(kLenPhotonStatus)}), flimgru::Error);
  EXPECT_NO_THROW(decode_photon_status(Frame{kTypePhotonStatus, 0, std::vector<uint8_t>(kLenPhotonStatus)}));
}
