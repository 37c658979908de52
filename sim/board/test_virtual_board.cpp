// Tests of the board shell (boards/board_top.v with the stand-in core) through its UART, in
// process (VirtualBoard + UartModel) and end to end through the pty of flimgru_virtual_board.
// Checks: every good frame gets exactly one correct result, in order, echoing its seq; every bad
// frame (bad CRC, truncated, garbage, UART framing error, unknown type, bad length, bad magic) gets
// one error report naming it; the link never loses step.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "device_link.hpp"
#include "link_protocol.hpp"
#include "serial_port.hpp"
#include "board_process.hpp"
#include "virtual_board.hpp"

using namespace flimgru::link;
using flimgru::sim::VirtualBoard;

namespace {

using Tpsf = std::array<int8_t, kBins>;

// What standin_core computes: y_c[t] = (c+1) x[t].
Summary standin_expected(const Tpsf& x) {
  std::vector<std::array<int16_t, 3>> y(kBins);
  for (int t = 0; t < kBins; ++t)
    for (int c = 0; c < 3; ++c) y[t][c] = static_cast<int16_t>((c + 1) * x[t]);
  return summarize(y);
}

Tpsf random_tpsf(std::mt19937& rng) {
  Tpsf x;
  for (auto& v : x) v = static_cast<int8_t>(rng() % 5 == 0 ? 0 : static_cast<int>(rng() % 256) - 128);
  return x;
}

struct Received {
  std::vector<std::pair<uint8_t, Summary>> results;
  std::vector<ErrorReport> errors;
  std::vector<Status> statuses;
  std::vector<uint8_t> status_seqs;  // the seq each status frame echoes
  int undecodable = 0;
};

// The board plus the host-side decoder.
struct Bench {
  VirtualBoard board;
  StreamDecoder dec;
  Received rx;

  void pump() {
    auto bytes = board.uart().take_received();
    dec.feed(bytes.data(), bytes.size());
    StreamDecoder::Event e;
    while (dec.pop(e)) {
      if (e.status != ParseStatus::kOk) {
        ++rx.undecodable;
        continue;
      }
      if (e.frame.type == kTypeResult) rx.results.push_back({e.frame.seq, decode_result(e.frame)});
      else if (e.frame.type == kTypeError) rx.errors.push_back(decode_error(e.frame));
      else if (e.frame.type == kTypeStatus) {
        rx.statuses.push_back(decode_status(e.frame));
        rx.status_seqs.push_back(e.frame.seq);
      } else {
        ++rx.undecodable;
      }
    }
  }
  // Runs until results/errors/statuses reach the counts (or a generous time-out).
  bool wait_for(size_t results, size_t errors, size_t statuses = 0) {
    uint64_t budget = (board.uart().queued() + 64 * (results + errors + statuses) + 400) *
                      10ull * flimgru::sim::kSimClksPerBit * 2 + 20000;
    return board.run_until(
        [&] {
          pump();
          return rx.results.size() >= results && rx.errors.size() >= errors &&
                 rx.statuses.size() >= statuses;
        },
        budget);
  }
  // Runs a while longer and checks that nothing else arrives.
  void settle() {
    board.run(20000);
    pump();
  }
};

}  // namespace

TEST(VirtualBoard, StatusRequest) {
  Bench b;
  b.board.uart().send(encode_status_request(5));
  ASSERT_TRUE(b.wait_for(0, 0, 1));
  const Status& s = b.rx.statuses.at(0);
  EXPECT_EQ(s.id, "FLGR");
  EXPECT_EQ(s.version, kVersion);
  EXPECT_EQ(s.clk_mhz, flimgru::sim::kSimClkHz / 1000000);
  EXPECT_EQ(s.baud_100k, flimgru::sim::kSimBaud / 100000);
  EXPECT_EQ(s.buffer_pixels, 2048 / kBins);
  EXPECT_EQ(s.seq_depth, 32);
  EXPECT_EQ(s.good_frames, 1);  // the request itself
  EXPECT_EQ(s.bad_frames, 0);
  EXPECT_EQ(s.in_dim, 1);       // the stand-in's model reads no IRF
  EXPECT_EQ(b.rx.undecodable, 0);
}

// An IRF frame goes through the payload buffer in order with the pixels and is answered by a
// STATUS frame with its seq (no RESULT); a corrupt one by an ERROR naming it. The stand-in core
// takes the IRF and drops it, so the pixels' results are unchanged and in order.
TEST(VirtualBoard, IrfFrameAnsweredByStatus) {
  Bench b;
  std::mt19937 rng(23);
  const Tpsf p1 = random_tpsf(rng), p2 = random_tpsf(rng), irf = random_tpsf(rng);
  b.board.uart().send(encode_tpsf(1, p1.data()));
  b.board.uart().send(encode_irf(50, irf.data()));
  b.board.uart().send(encode_tpsf(2, p2.data()));
  auto bad = frame_bytes(Frame{kTypeIrf, 51, std::vector<uint8_t>(irf.begin(), irf.end())});
  bad[20] ^= 0x04;
  std::vector<uint8_t> w = {0};
  const auto c = cobs_encode(bad);
  w.insert(w.end(), c.begin(), c.end());
  w.push_back(0);
  b.board.uart().send(w);
  ASSERT_TRUE(b.wait_for(2, 1, 1));
  b.settle();
  ASSERT_EQ(b.rx.results.size(), 2u);
  EXPECT_EQ(b.rx.results[0].first, 1);
  EXPECT_EQ(b.rx.results[0].second, standin_expected(p1));
  EXPECT_EQ(b.rx.results[1].first, 2);
  EXPECT_EQ(b.rx.results[1].second, standin_expected(p2));
  ASSERT_EQ(b.rx.statuses.size(), 1u);
  EXPECT_EQ(b.rx.status_seqs[0], 50);
  ASSERT_EQ(b.rx.errors.size(), 1u);
  EXPECT_EQ(b.rx.errors[0].code, kErrCrc);
  EXPECT_TRUE(b.rx.errors[0].seq_valid);
  EXPECT_EQ(b.rx.errors[0].seq, 51);
  EXPECT_EQ(b.rx.errors[0].type, kTypeIrf);
  EXPECT_EQ(b.rx.undecodable, 0);
}

TEST(VirtualBoard, GoodFramesAnsweredInOrder) {
  Bench b;
  std::mt19937 rng(11);
  std::vector<Tpsf> sent;
  for (int i = 0; i < 12; ++i) {
    sent.push_back(random_tpsf(rng));
    b.board.uart().send(encode_tpsf(static_cast<uint8_t>(200 + i), sent.back().data()));
  }
  ASSERT_TRUE(b.wait_for(sent.size(), 0));
  b.settle();
  ASSERT_EQ(b.rx.results.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(b.rx.results[i].first, static_cast<uint8_t>(200 + i)) << "result " << i;
    EXPECT_EQ(b.rx.results[i].second, standin_expected(sent[i])) << "result " << i;
  }
  EXPECT_TRUE(b.rx.errors.empty());
  EXPECT_EQ(b.rx.undecodable, 0);
}

TEST(VirtualBoard, CorruptFramesReportedAndLinkKeepsStep) {
  Bench b;
  std::mt19937 rng(12);
  std::vector<std::pair<uint8_t, Tpsf>> good;
  auto send_good = [&](uint8_t seq) {
    Tpsf x = random_tpsf(rng);
    good.push_back({seq, x});
    b.board.uart().send(encode_tpsf(seq, x.data()));
  };
  auto frame_with = [&](uint8_t type, uint8_t seq, size_t len) {
    Frame f{type, seq, std::vector<uint8_t>(len, 0x11)};
    return frame_bytes(f);
  };
  auto wire = [](const std::vector<uint8_t>& fb) {
    std::vector<uint8_t> w = {0};
    auto c = cobs_encode(fb);
    w.insert(w.end(), c.begin(), c.end());
    w.push_back(0);
    return w;
  };

  send_good(1);
  {  // bad CRC: one payload bit flipped after the CRC was computed
    Tpsf x = random_tpsf(rng);
    auto fb = frame_bytes(Frame{kTypeTpsf, 2, std::vector<uint8_t>(x.begin(), x.end())});
    fb[50] ^= 0x04;
    b.board.uart().send(wire(fb));
  }
  send_good(3);
  b.board.uart().send({0x37, 0x99, 0xF1, 0x01, 0x05, 0x42, 0xAB});  // garbage, no 0x00
  send_good(4);
  {  // truncated: the sender stopped 30 bytes early (no closing delimiter)
    Tpsf x = random_tpsf(rng);
    auto w = encode_tpsf(5, x.data());
    w.resize(w.size() - 30);
    b.board.uart().send(w);
  }
  send_good(6);
  {  // a UART framing error (stop bit 0) inside the payload
    Tpsf x = random_tpsf(rng);
    auto w = encode_tpsf(7, x.data());
    for (size_t i = 0; i < w.size(); ++i) {
      if (i == 60) b.board.uart().send_bad_stop(w[i]);
      else b.board.uart().send({w[i]});
    }
  }
  send_good(8);
  b.board.uart().send(wire(frame_with(0x33, 9, 4)));          // unknown type
  send_good(10);
  b.board.uart().send(wire(frame_with(kTypeTpsf, 11, 100)));  // TPSF with 100 bins
  send_good(12);
  {  // bad magic
    auto fb = frame_with(kTypeStatusReq, 13, 0);
    fb[0] = 0xF2;
    b.board.uart().send(wire(fb));
  }
  send_good(14);
  b.board.uart().send(encode_status_request(15));

  const std::vector<std::pair<uint8_t, uint8_t>> want_err = {
      {2, kErrCrc}, {0, 0}, {5, kErrTruncated}, {7, kErrFraming},
      {9, kErrType}, {11, kErrLength}, {13, kErrMagic}};
  ASSERT_TRUE(b.wait_for(good.size(), want_err.size(), 1))
      << b.rx.results.size() << " results, " << b.rx.errors.size() << " errors";
  b.settle();

  ASSERT_EQ(b.rx.results.size(), good.size());
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_EQ(b.rx.results[i].first, good[i].first) << "result " << i;
    EXPECT_EQ(b.rx.results[i].second, standin_expected(good[i].second)) << "result " << i;
  }
  ASSERT_EQ(b.rx.errors.size(), want_err.size());
  for (size_t i = 0; i < want_err.size(); ++i) {
    if (want_err[i].second == 0) {  // the garbage: any code, but never a seq (protocol.md §2)
      EXPECT_FALSE(b.rx.errors[i].seq_valid) << "error " << i << " (garbage)";
      continue;
    }
    EXPECT_EQ(b.rx.errors[i].code, want_err[i].second)
        << "error " << i << ": got " << error_name(b.rx.errors[i].code);
    // seq valid = the header checked out (magic, type, len): not for MAGIC / TYPE / LENGTH errors
    const uint8_t c = want_err[i].second;
    const bool hdr_ok = c != kErrMagic && c != kErrType && c != kErrLength;
    EXPECT_EQ(b.rx.errors[i].seq_valid, hdr_ok) << "error " << i;
    if (hdr_ok) EXPECT_EQ(b.rx.errors[i].seq, want_err[i].first) << "error " << i;
  }
  ASSERT_EQ(b.rx.statuses.size(), 1u);
  EXPECT_EQ(b.rx.statuses[0].good_frames, good.size() + 1);
  EXPECT_EQ(b.rx.statuses[0].bad_frames, want_err.size());
  EXPECT_EQ(b.rx.statuses[0].dropped_responses, 0);
  EXPECT_EQ(b.rx.undecodable, 0);
}

// The link errors of docs/protocol.md §2-3 that need more than a flipped bit: a frame whose type
// byte is 0x00 (COBS-encoded: TYPE, no seq), a raw 0x00 on the wire inside a TPSF frame (it
// splits the frame: TRUNCATED for the head, with its seq; MAGIC for the tail, without), bytes
// after the CRC (TOO_LONG, with the seq: the header checked out), a line break inside a frame
// (FRAMING with the seq; where the break ends, at most one more report without a seq). Every
// good frame around them is answered exactly once, with the right result, in order.
TEST(VirtualBoard, ZeroBytesTooLongAndLineBreak) {
  Bench b;
  std::vector<std::pair<uint8_t, Tpsf>> good;
  auto tpsf_of = [](int v) {
    Tpsf x;
    for (int t = 0; t < kBins; ++t) x[t] = static_cast<int8_t>(v + t % 7);
    return x;
  };
  auto send_good = [&](uint8_t seq) {
    good.push_back({seq, tpsf_of(seq)});
    b.board.uart().send(encode_tpsf(seq, good.back().second.data()));
  };
  auto wire = [](const std::vector<uint8_t>& fb) {
    std::vector<uint8_t> w = {0};
    auto c = cobs_encode(fb);
    w.insert(w.end(), c.begin(), c.end());
    w.push_back(0);
    return w;
  };

  send_good(1);
  b.board.uart().send(wire(frame_bytes(Frame{0x00, 2, std::vector<uint8_t>(4, 0x11)})));
  send_good(3);
  {  // a raw 0x00 at wire byte 40 (inside the payload's COBS block)
    const Tpsf x = tpsf_of(4);
    auto w = encode_tpsf(4, x.data());
    w.insert(w.begin() + 40, 0x00);
    b.board.uart().send(w);
  }
  send_good(5);
  {  // a status request with 3 bytes after its CRC
    auto fb = frame_bytes(Frame{kTypeStatusReq, 6, {}});
    fb.insert(fb.end(), {0x11, 0x22, 0x33});
    b.board.uart().send(wire(fb));
  }
  send_good(7);
  {  // a TPSF frame cut by a break of 3 byte times after 60 bytes
    const Tpsf x = tpsf_of(8);
    auto w = encode_tpsf(8, x.data());
    w.resize(60);
    b.board.uart().send(w);
    b.board.uart().send_break(30, 20);  // then two byte times of idle line (§3)
  }
  send_good(9);
  b.board.uart().send(encode_status_request(10));

  const size_t min_errors = 5;  // type 0, split (2), TOO_LONG, break
  const bool all_answered = b.wait_for(good.size(), min_errors, 1);
  b.settle();
  std::string got;
  for (const auto& r : b.rx.results) got += " result " + std::to_string(r.first);
  for (const auto& r : b.rx.errors)
    got += " " + error_name(r.code) + (r.seq_valid ? " " + std::to_string(r.seq) : "");
  ASSERT_TRUE(all_answered) << got;
  ASSERT_EQ(b.rx.results.size(), good.size()) << got;
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_EQ(b.rx.results[i].first, good[i].first) << "result " << i;
    EXPECT_EQ(b.rx.results[i].second, standin_expected(good[i].second)) << "result " << i;
  }
  const auto& e = b.rx.errors;
  ASSERT_GE(e.size(), min_errors);
  ASSERT_LE(e.size(), min_errors + 1);
  EXPECT_EQ(e[0].code, kErrType);  // type 0x00
  EXPECT_FALSE(e[0].seq_valid);
  EXPECT_EQ(e[0].type, 0x00);
  EXPECT_EQ(e[1].code, kErrTruncated);  // the head of the split frame: its header checked out
  EXPECT_TRUE(e[1].seq_valid);
  EXPECT_EQ(e[1].seq, 4);
  EXPECT_EQ(e[1].type, kTypeTpsf);
  EXPECT_EQ(e[2].code, kErrMagic);  // its tail: garbage
  EXPECT_FALSE(e[2].seq_valid);
  EXPECT_EQ(e[3].code, kErrTooLong);
  EXPECT_TRUE(e[3].seq_valid);
  EXPECT_EQ(e[3].seq, 6);
  EXPECT_EQ(e[3].length, 4 + 2 + 3);
  EXPECT_EQ(e[4].code, kErrFraming);  // the frame the break cut, with the seq to resend
  EXPECT_TRUE(e[4].seq_valid);
  EXPECT_EQ(e[4].seq, 8);
  if (e.size() > min_errors) {
    EXPECT_FALSE(e[5].seq_valid) << error_name(e[5].code);
  }
  ASSERT_EQ(b.rx.statuses.size(), 1u);
  EXPECT_EQ(b.rx.statuses[0].good_frames, good.size() + 1);
  EXPECT_EQ(b.rx.statuses[0].bad_frames, e.size());
  EXPECT_EQ(b.rx.statuses[0].dropped_responses, 0);
  EXPECT_EQ(b.rx.undecodable, 0);
}

TEST(VirtualBoard, RandomCorruptionNeverDesynchronizes) {
  Bench b;
  std::mt19937 rng(13);
  std::vector<std::pair<uint8_t, Tpsf>> good;
  std::vector<uint8_t> bad_seqs;
  for (int i = 0; i < 40; ++i) {
    uint8_t seq = static_cast<uint8_t>(i);
    Tpsf x = random_tpsf(rng);
    auto w = encode_tpsf(seq, x.data());
    switch (rng() % 4) {
      case 0: {  // flip one bit of one byte between the delimiters (keep it non-zero)
        size_t k = 1 + rng() % (w.size() - 2);
        uint8_t flipped = w[k] ^ static_cast<uint8_t>(1u << (rng() % 8));
        if (flipped == 0) flipped = w[k] ^ 0x80;
        // a flipped COBS code byte can shorten the seq-carrying header: accept any seq then
        w[k] = flipped;
        bad_seqs.push_back(k > 4 ? seq : 0xFF);
        break;
      }
      case 1:  // truncated somewhere after the header
        w.resize(8 + rng() % (w.size() - 10));
        bad_seqs.push_back(seq);
        break;
      default:
        good.push_back({seq, x});
        break;
    }
    b.board.uart().send(w);
  }
  b.board.uart().send({0x00});  // ends a truncated last frame
  ASSERT_TRUE(b.wait_for(good.size(), bad_seqs.size()))
      << b.rx.results.size() << " results, " << b.rx.errors.size() << " errors";
  b.settle();
  ASSERT_EQ(b.rx.results.size(), good.size());
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_EQ(b.rx.results[i].first, good[i].first) << "result " << i;
    EXPECT_EQ(b.rx.results[i].second, standin_expected(good[i].second)) << "result " << i;
  }
  ASSERT_EQ(b.rx.errors.size(), bad_seqs.size());
  for (size_t i = 0; i < bad_seqs.size(); ++i)
    if (bad_seqs[i] != 0xFF && b.rx.errors[i].seq_valid) {
      EXPECT_EQ(b.rx.errors[i].seq, bad_seqs[i]) << "error " << i;
    }
  EXPECT_EQ(b.rx.undecodable, 0);
}

TEST(VirtualBoard, LedsShowHeartbeatAndError) {
  Bench b;
  uint32_t before = b.board.leds();
  b.board.run(flimgru::sim::kSimClkHz / 2 + 10);  // half a second: the heartbeat toggles
  EXPECT_NE(b.board.leds() & 1u, before & 1u);
  b.board.uart().send({0x00, 0x05, 0x01, 0x02, 0x00});  // a bad frame lights the error LED
  ASSERT_TRUE(b.wait_for(0, 1));
  EXPECT_NE(b.board.leds() & 4u, 0u);
}

// The x-unique regression (scripts/rtl-verify.sh x-unique 1 2 3) runs every RTL test from the
// random initial values of FLIMGRU_X_SEED: the seeds must really give different register contents
// (or the three runs are one run three times), and one seed the same contents every time (so a
// failing seed replays). Observed before any clock edge: the LEDs (low bits of the good-frame
// counter, the error-LED timer, busy, the heartbeat register) and the UART tx register.
TEST(VirtualBoard, InitialValuesFollowTheXSeed) {
#ifndef FLIMGRU_X_UNIQUE
  GTEST_SKIP() << "needs the x-unique build (scripts/rtl-verify.sh x-unique)";
#else
  const char* outer = std::getenv("FLIMGRU_X_SEED");
  const std::string saved = outer ? outer : "";
  auto power_up = [](const char* seed) {
    setenv("FLIMGRU_X_SEED", seed, 1);
    VirtualBoard b(VirtualBoard::Start::kPowerUp);
    return (b.leds() << 1) | static_cast<uint32_t>(b.tx_pin());
  };
  const uint32_t s1 = power_up("1"), s2 = power_up("2"), s3 = power_up("3");
  const uint32_t s1_again = power_up("1");
  if (outer) setenv("FLIMGRU_X_SEED", saved.c_str(), 1);
  else unsetenv("FLIMGRU_X_SEED");
  std::printf("initial LEDs and tx register: seed 1 0x%03x, seed 2 0x%03x, seed 3 0x%03x\n", s1, s2, s3);
  EXPECT_NE(s1, s2);
  EXPECT_NE(s1, s3);
  EXPECT_NE(s2, s3);
  EXPECT_EQ(s1, s1_again);
  // and from any of them the board comes out of reset and works
  Bench b;
  b.board.uart().send(encode_status_request(1));
  ASSERT_TRUE(b.wait_for(0, 0, 1));
  EXPECT_EQ(b.rx.statuses.at(0).good_frames, 1);
#endif
}

#ifdef FLIMGRU_VIRTUAL_BOARD_EXE
TEST(VirtualBoard, EndToEndThroughPty) {
  const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE, {"--quiet", "--cycles", "200000000"});
  const std::string& path = board.pty();
  ASSERT_FALSE(path.empty()) << "the virtual board printed no pty path";
  {
    flimgru::SerialPort port(path, 3000000);
    std::mt19937 rng(14);
    std::vector<Tpsf> sent;
    std::vector<uint8_t> bytes = encode_status_request(1);
    for (int i = 0; i < 4; ++i) {
      sent.push_back(random_tpsf(rng));
      auto w = encode_tpsf(static_cast<uint8_t>(10 + i), sent.back().data());
      bytes.insert(bytes.end(), w.begin(), w.end());
    }
    port.write_all(bytes);
    StreamDecoder dec;
    std::vector<Frame> frames;
    uint8_t buf[256];
    for (int tries = 0; tries < 300 && frames.size() < 5; ++tries) {
      size_t n = port.read_some(buf, sizeof buf, 100);
      dec.feed(buf, n);
      StreamDecoder::Event e;
      while (dec.pop(e)) {
        ASSERT_EQ(e.status, ParseStatus::kOk);
        frames.push_back(e.frame);
      }
    }
    ASSERT_EQ(frames.size(), 5u);
    EXPECT_EQ(decode_status(frames[0]).id, "FLGR");
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(frames[1 + i].seq, 10 + i);
      EXPECT_EQ(decode_result(frames[1 + i]), standin_expected(sent[i]));
    }
  }
}

// A response lost on the line (docs/protocol.md §4): the board's frames are the STATUS the host
// asks for first, then one RESULT per TPSF; the last RESULT (frame 13 of 12 pixels) never reaches
// the host, so nothing follows it: the host times out, asks for the status, resends the pixel,
// and every pixel is answered exactly once with its right result.
TEST(VirtualBoard, DroppedResponseRecovered) {
  const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE,
                           {"--quiet", "--cycles", "400000000", "--drop-frame", "13"});
  ASSERT_FALSE(board.pty().empty()) << "the virtual board printed no pty path";
  std::mt19937 rng(15);
  std::vector<Tpsf> px(12);
  std::vector<int8_t> flat;
  for (auto& x : px) {
    x = random_tpsf(rng);
    flat.insert(flat.end(), x.begin(), x.end());
  }
  flimgru::DeviceOptions o;
  o.path = board.pty();
  o.timeout_s = 0.5;  // the virtual board runs slower than real time
  o.progress = false;
  flimgru::DeviceStats st;
  const auto sums = flimgru::run_on_device(o, flat.data(), px.size(), &st);
  ASSERT_EQ(sums.size(), px.size());
  for (size_t i = 0; i < px.size(); ++i) EXPECT_EQ(sums[i], standin_expected(px[i])) << "pixel " << i;
  EXPECT_EQ(st.timeouts, 1u);
  EXPECT_EQ(st.retransmits, 1u);
  EXPECT_EQ(st.error_frames, 0u);
}
#endif
