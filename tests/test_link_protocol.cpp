// Tests of the host side of the board link: CRC and COBS known answers, frame round trips,
// corrupt frames detected, summary packing.
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

// A version-3 status carries the model's input width; one of another version (another length)
// decodes to its id and version, so that the host can name the version the board speaks.
TEST(LinkFrame, StatusOfThisAndOtherVersions) {
  std::vector<uint8_t> p = {'F', 'L', 'G', 'R', kVersion, 3, 6, 16, 60, 30, 15, 32, 7, 0, 1, 0, 0, 2, 2};
  ASSERT_EQ(p.size(), kLenStatus);
  const Status s = decode_status(Frame{kTypeStatus, 1, p});
  EXPECT_EQ(s.id, "FLGR");
  EXPECT_EQ(s.lanes, 6);
  EXPECT_EQ(s.good_frames, 7);
  EXPECT_EQ(s.in_flight, 2);
  EXPECT_EQ(s.in_dim, 2);
  std::vector<uint8_t> v2(p.begin(), p.end() - 1);
  v2[4] = 2;
  const Status old = decode_status(Frame{kTypeStatus, 1, v2});
  EXPECT_EQ(old.id, "FLGR");
  EXPECT_EQ(old.version, 2);
  p.pop_back();  // this version with a wrong length is malformed
  EXPECT_THROW(decode_status(Frame{kTypeStatus, 1, p}), flimgru::Error);
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
  EXPECT_THROW(decode_status(e), flimgru::Error);
}
