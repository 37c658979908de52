// Tests of the virtual board with the REAL core (boards/board_top.v + rtl/core/flimgru_board_core.v,
// FLIMGRU_VBOARD_LANES lanes x FLIMGRU_VBOARD_MAC_ROWS rows, the default model's ROM set built by
// `flimgru quantize`): simulated TPSFs through the UART link, every summary bit-exact against the
// integer model (run_int_model + summarize), with corrupt frames in between that are reported and
// never desynchronize; and `flimgru infer --device PTY` end to end, its CSV byte-identical to the
// int8 backend's; a host that outruns the board gets BUSY for exactly the frames without room; with
// the photon front end (FLIMGRU_VBOARD_PHOTONS), `flimgru image scan.ptu --device PTY` equal to the
// front end's int8 reference.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "board_process.hpp"
#include "board_reference.hpp"
#include "npy.hpp"
#include "ptu_writer.hpp"
#include "test_helpers.hpp"
#include "virtual_board.hpp"

using namespace flimgru;
using flimgru::link::encode_tpsf;
using flimgru::link::encode_status_request;
using flimgru::link::frame_bytes;
using flimgru::link::Frame;
using flimgru::link::cobs_encode;
using flimgru::link::StreamDecoder;
using flimgru::link::ParseStatus;
using flimgru::link::kTypeResult;
using flimgru::link::kTypeError;
using flimgru::link::kTypeStatus;
using flimgru::link::kTypeTpsf;
using flimgru::link::decode_result;
using flimgru::link::decode_error;
using flimgru::link::decode_status;
using flimgru::link::Summary;
using flimgru::link::ErrorReport;
using flimgru::link::Status;
using flimgru::link::summarize;
using flimgru::sim::VirtualBoard;
namespace fs = std::filesystem;
using flimgru::test::slurp;

namespace {

using flimgru::sim::expected_summary;
using flimgru::sim::quantized;
using flimgru::sim::simulated_counts;
using flimgru::sim::Tpsf;

const QuantModel& model() { return flimgru::sim::board_model(); }

std::vector<uint8_t> wire(const std::vector<uint8_t>& fb) {
  std::vector<uint8_t> w = {0};
  auto c = cobs_encode(fb);
  w.insert(w.end(), c.begin(), c.end());
  w.push_back(0);
  return w;
}

struct Bench {
  VirtualBoard board;
  StreamDecoder dec;
  std::vector<std::pair<uint8_t, Summary>> results;
  std::vector<ErrorReport> errors;
  std::vector<Status> statuses;
  int undecodable = 0;

  void pump() {
    auto bytes = board.uart().take_received();
    dec.feed(bytes.data(), bytes.size());
    StreamDecoder::Event e;
    while (dec.pop(e)) {
      if (e.status != ParseStatus::kOk) {
        ++undecodable;
        continue;
      }
      if (e.frame.type == kTypeResult) results.push_back({e.frame.seq, decode_result(e.frame)});
      else if (e.frame.type == kTypeError) errors.push_back(decode_error(e.frame));
      else if (e.frame.type == kTypeStatus) statuses.push_back(decode_status(e.frame));
      else ++undecodable;
    }
  }
  bool wait_for(size_t r, size_t e, size_t s, uint64_t max_cycles) {
    return board.run_until([&] {
      pump();
      return results.size() >= r && errors.size() >= e && statuses.size() >= s;
    }, max_cycles);
  }
};

}  // namespace

TEST(RealBoard, StatusReportsTheCoreConfiguration) {
  Bench b;
  b.board.uart().send(encode_status_request(3));
  ASSERT_TRUE(b.wait_for(0, 0, 1, 200000));
  EXPECT_EQ(b.statuses[0].id, "FLGR");
  EXPECT_EQ(b.statuses[0].lanes, FLIMGRU_VBOARD_LANES);
  EXPECT_EQ(b.statuses[0].mac_rows, FLIMGRU_VBOARD_MAC_ROWS);
  EXPECT_EQ(model().hidden, 32);
}

// 36 simulated TPSFs in batches of 6 good frames with a bad-CRC, a truncated and a garbage chunk
// between them: every summary bit-exact, every bad frame reported, results in order.
TEST(RealBoard, SimulatedTpsfsBitExactWithCorruptFrames) {
  const std::vector<Tpsf> px = quantized(simulated_counts(36, 77));
  Bench b;
  std::mt19937 rng(5);
  std::vector<std::pair<uint8_t, size_t>> sent;  // seq, pixel
  size_t want_errors = 0;
  uint8_t seq = 0;
  for (size_t p = 0; p < px.size(); p += 6) {
    for (size_t i = p; i < p + 6 && i < px.size(); ++i) {
      b.board.uart().send(encode_tpsf(seq, px[i].data()));
      sent.push_back({seq++, i});
      switch (i % 6) {
        case 1: {  // bad CRC
          auto fb = frame_bytes(Frame{kTypeTpsf, seq++, std::vector<uint8_t>(px[i].begin(), px[i].end())});
          fb[4 + rng() % kBins] ^= uint8_t(1u << (rng() % 8));
          b.board.uart().send(wire(fb));
          ++want_errors;
          break;
        }
        case 3: {  // truncated: the sender stopped early, the next frame's delimiter closes it
          auto w = encode_tpsf(seq++, px[(i + 1) % px.size()].data());
          w.resize(10 + rng() % 100);
          b.board.uart().send(w);
          ++want_errors;
          break;
        }
        case 4:  // garbage between frames (no delimiter inside)
          b.board.uart().send({0x00, 0x37, 0x99, 0xF1, 0x01, 0x05, 0x42, 0xAB, 0x00});
          ++want_errors;
          break;
        default:
          break;
      }
    }
    // Per TPSF: the link (about 1500 bits) and the core (batch_cycles / Lanes); generous.
    ASSERT_TRUE(b.wait_for(sent.size(), want_errors, 0, 6 * 200000 + 400000))
        << b.results.size() << " results, " << b.errors.size() << " errors";
  }
  b.board.uart().send(encode_status_request(seq));
  ASSERT_TRUE(b.wait_for(sent.size(), want_errors, 1, 400000));
  b.board.run(50000);
  b.pump();
  ASSERT_EQ(b.results.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(b.results[i].first, sent[i].first) << "result " << i;
    const Summary want = expected_summary(px[sent[i].second]);
    const Summary& got = b.results[i].second;
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(got[c].sum, want[c].sum) << "pixel " << sent[i].second << " channel " << c;
      EXPECT_EQ(got[c].y0, want[c].y0) << "pixel " << sent[i].second << " channel " << c;
    }
    EXPECT_EQ(got.cum, want.cum) << "pixel " << sent[i].second;
  }
  EXPECT_EQ(b.errors.size(), want_errors);
  ASSERT_EQ(b.statuses.size(), 1u);
  EXPECT_EQ(b.statuses[0].bad_frames, want_errors);
  EXPECT_EQ(b.statuses[0].good_frames, sent.size() + 1);
  EXPECT_EQ(b.statuses[0].in_flight, 0);
  EXPECT_EQ(b.undecodable, 0);
}

// A host faster than the board: 40 TPSF frames back to back, with no wait for answers, while
// the core takes several frame times a pixel. The payload buffer fills and the board answers the
// frames it has no room for with ERROR BUSY (seq valid, the frame's own seq); every frame is
// answered exactly once, by a RESULT (bit-exact, in order) or by BUSY; the BUSY ones, sent again
// once the board has drained, all get their RESULT, and nothing stays in flight.
TEST(RealBoard, BusyWhenTheHostOutrunsTheBoard) {
  constexpr size_t kFrames = 40;
  const std::vector<Tpsf> px = quantized(simulated_counts(kFrames, 313));
  Bench b;
  for (size_t i = 0; i < kFrames; ++i) b.board.uart().send(encode_tpsf(uint8_t(i), px[i].data()));
  // one answer per frame; the core needs far less than 200,000 cycles a pixel
  ASSERT_TRUE(b.board.run_until([&] {
    b.pump();
    return b.results.size() + b.errors.size() >= kFrames;
  }, kFrames * 200000)) << b.results.size() << " results, " << b.errors.size() << " errors";
  b.board.run(100000);
  b.pump();
  std::vector<int> answers(kFrames, 0);
  std::vector<size_t> busy;
  for (const ErrorReport& e : b.errors) {
    ASSERT_EQ(e.code, flimgru::link::kErrBusy) << "an error other than BUSY";
    ASSERT_TRUE(e.seq_valid);
    ASSERT_LT(e.seq, kFrames);
    ++answers[e.seq];
    busy.push_back(e.seq);
  }
  size_t last = 0;
  for (size_t k = 0; k < b.results.size(); ++k) {
    const uint8_t seq = b.results[k].first;
    ASSERT_LT(seq, kFrames);
    if (k) {
      EXPECT_GT(seq, last) << "results out of order";
    }
    last = seq;
    ++answers[seq];
    EXPECT_EQ(b.results[k].second, expected_summary(px[seq])) << "pixel " << int(seq);
  }
  for (size_t i = 0; i < kFrames; ++i) EXPECT_EQ(answers[i], 1) << "frame " << i;
  EXPECT_GT(busy.size(), 0u) << "the board kept up: no BUSY to test";
  EXPECT_GT(b.results.size(), 0u);

  const size_t accepted = b.results.size();
  for (size_t i : busy) b.board.uart().send(encode_tpsf(uint8_t(i), px[i].data()));
  ASSERT_TRUE(b.wait_for(kFrames, busy.size(), 0, busy.size() * 200000 + 400000));
  b.board.uart().send(encode_status_request(200));
  ASSERT_TRUE(b.wait_for(kFrames, busy.size(), 1, 400000));
  EXPECT_EQ(b.errors.size(), busy.size()) << "BUSY again after the board drained";
  for (size_t k = accepted; k < b.results.size(); ++k) {
    const uint8_t seq = b.results[k].first;
    EXPECT_EQ(seq, busy[k - accepted]);
    EXPECT_EQ(b.results[k].second, expected_summary(px[seq])) << "pixel " << int(seq);
  }
  EXPECT_EQ(b.statuses[0].in_flight, 0);
  EXPECT_EQ(b.undecodable, 0);
  std::printf("[ busy ] %zu frames back to back: %zu answered by RESULT, %zu by BUSY (all resent)\n",
              kFrames, accepted, busy.size());
}

#if defined(FLIMGRU_VIRTUAL_BOARD_EXE) && defined(FLIMGRU_EXE)
// flimgru infer --device on the virtual board's pty (an image of 6 x 5 simulated pixels): the CSV
// equals the int8 backend's, byte for byte. corrupt_every > 0: the virtual board flips a bit of
// every Nth byte from the host, so frames fail their CRC and the host must resend them.
void infer_on_virtual_board(unsigned corrupt_every) {
  const fs::path dir = fs::temp_directory_path() /
                       ("flimgru_real_board_" + std::to_string(getpid()) + "_" + std::to_string(corrupt_every));
  fs::create_directories(dir);
  const std::vector<float> counts = simulated_counts(30, 91);
  write_npy((dir / "img.npy").string(), {6, 5, kBins}, counts.data());

  const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE,
                           {"--quiet", "--cycles", "2000000000", "--corrupt-every", std::to_string(corrupt_every)});
  const std::string& path = board.pty();
  ASSERT_FALSE(path.empty()) << "the virtual board printed no pty path";

  const std::string img = (dir / "img.npy").string(), dev = (dir / "dev.csv").string(),
                    ref = (dir / "int8.csv").string(), log = (dir / "dev.log").string(),
                    js = (dir / "dev.json").string();
  const std::string model = FLIMGRU_VBOARD_MODEL;
  const std::string cmd_dev = std::string(FLIMGRU_EXE) + " infer " + img + " -o " + dev + " --device " + path +
                              " --timeout " FLIMGRU_VBOARD_HOST_TIMEOUT " --json > " + js + " 2> " + log;
  const std::string cmd_ref = std::string(FLIMGRU_EXE) + " infer " + img + " -o " + ref + " --backend int8 --model " +
                              model + " > /dev/null";
  EXPECT_EQ(std::system(cmd_dev.c_str()), 0) << slurp(log);
  EXPECT_EQ(std::system(cmd_ref.c_str()), 0);
  const std::string a = slurp(dev), r = slurp(ref);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, r);
  const auto j = nlohmann::json::parse(slurp(js));
  std::printf("infer --device (corrupt every %u bytes): %s TPSF/s, %s resent, %s error frames\n", corrupt_every,
              j["tpsf_per_second"].dump().c_str(), j["model"]["retransmits"].dump().c_str(),
              j["model"]["error_frames"].dump().c_str());
  if (corrupt_every) {
    EXPECT_GT(j["model"]["retransmits"].get<int>(), 0);
  } else {
    EXPECT_EQ(j["model"]["retransmits"].get<int>(), 0);
  }

  fs::remove_all(dir);
}

TEST(RealBoard, InferDeviceMatchesInt8Backend) { infer_on_virtual_board(0); }
TEST(RealBoard, InferDeviceResendsCorruptFrames) { infer_on_virtual_board(311); }
#endif

#if FLIMGRU_VBOARD_PHOTONS && defined(FLIMGRU_VIRTUAL_BOARD_EXE) && defined(FLIMGRU_EXE)
// flimgru image --device on the virtual board's pty: the PTU file's records stream to the board's
// photon front end in EVENTS frames, its PIXEL frames make the same pixels.csv as the front end's
// reference (`--frontend --backend int8`), byte for byte; the TPSF path works beside it (the
// other tests of this file run on the same board). corrupt_every > 0: frames from the host fail
// their CRC and the host goes back and resends, in order.
void image_on_virtual_board(unsigned corrupt_every) {
  const fs::path dir = fs::temp_directory_path() /
                       ("flimgru_photon_board_" + std::to_string(getpid()) + "_" + std::to_string(corrupt_every));
  fs::create_directories(dir);
  test::SynthPtu s;
  s.pix_x = 16;
  s.pix_y = 8;
  s.frames = 3;
  s.res_ns = 0.045;
  s.tau_ns = 2.2;
  s.bidirect = true;
  const std::string ptu = (dir / "small.ptu").string();
  {
    std::ofstream f(ptu, std::ios::binary);
    const std::string bytes = test::make_ptu(s);
    f.write(bytes.data(), std::streamsize(bytes.size()));
  }
  const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE,
                           {"--quiet", "--cycles", "4000000000", "--corrupt-every", std::to_string(corrupt_every)});
  ASSERT_FALSE(board.pty().empty()) << "the virtual board printed no pty path";
  const std::string common = " --frame 1 --bin 2 --min-photons 1 --quiet";
  const std::string dev = (dir / "dev").string(), ref = (dir / "int8").string(), log = (dir / "dev.log").string();
  const std::string cmd_dev = std::string(FLIMGRU_EXE) + " image " + ptu + " -o " + dev + " --device " + board.pty() +
                              " --timeout " FLIMGRU_VBOARD_HOST_TIMEOUT + common + " 2> " + log;
  const std::string cmd_ref = std::string(FLIMGRU_EXE) + " image " + ptu + " -o " + ref +
                              " --method nn --frontend --backend int8 --model " FLIMGRU_VBOARD_MODEL + common +
                              " 2> /dev/null";
  ASSERT_EQ(std::system(cmd_dev.c_str()), 0) << slurp(log);
  ASSERT_EQ(std::system(cmd_ref.c_str()), 0);
  const std::string a = slurp(dev + "/pixels.csv"), r = slurp(ref + "/pixels.csv");
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 1 + 4 * 8);
  EXPECT_EQ(a.find("nan"), std::string::npos) << a;
  EXPECT_TRUE(a == r) << "board and int8 pixels.csv differ:\n" << a << "\n" << r;
  const auto j = nlohmann::json::parse(slurp(dev + "/summary.json"));
  const auto jr = nlohmann::json::parse(slurp(ref + "/summary.json"));
  // the board's counters of the acquisition equal the reference's
  EXPECT_EQ(j["file"]["frontend"]["counters"], jr["file"]["frontend"]["counters"]) << j.dump(2);
  // BUSY is the board's flow control (its core is slower than the link here), ORDER the frames
  // sent after a refused one; any other error report comes from a corrupted frame
  const int errors = j["model"]["error_frames"].get<int>(), busy = j["model"]["busy_frames"].get<int>(),
            order = j["model"]["order_frames"].get<int>();
  std::printf("image --device (corrupt every %u bytes): %d EVENTS frames resent, %d error frames (%d BUSY, %d ORDER)\n",
              corrupt_every, j["model"]["retransmits"].get<int>(), errors, busy, order);
  if (corrupt_every) {
    EXPECT_GT(errors - busy - order, 0);
  } else {
    EXPECT_EQ(errors, busy + order);
  }
  fs::remove_all(dir);
}

TEST(PhotonBoard, ImageDeviceMatchesFrontendInt8) { image_on_virtual_board(0); }
TEST(PhotonBoard, ImageDeviceResendsCorruptFrames) { image_on_virtual_board(997); }
#endif
