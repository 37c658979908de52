// Tests of the virtual board with the REAL core running the IRF-conditioned model (IN_DIM 2,
// FLIMGRU_VBOARD_IRF_MODEL, 2 lanes x 16 rows): the status reports input width 2; an IRF frame
// loads the instrument's IRF once (answered by STATUS) and every later pixel's summary is
// bit-exact against the integer model reading that IRF; a new IRF applies to the pixels after it;
// and `flimgru infer --device PTY --irf FILE` equals the int8 backend with the same --irf, byte
// for byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "board_process.hpp"
#include "board_reference.hpp"
#include "irf_input.hpp"
#include "npy.hpp"
#include "test_helpers.hpp"
#include "virtual_board.hpp"

using namespace flimgru;
using flimgru::link::decode_error;
using flimgru::link::decode_result;
using flimgru::link::decode_status;
using flimgru::link::encode_irf;
using flimgru::link::encode_status_request;
using flimgru::link::encode_tpsf;
using flimgru::link::ErrorReport;
using flimgru::link::kTypeError;
using flimgru::link::kTypeResult;
using flimgru::link::kTypeStatus;
using flimgru::link::ParseStatus;
using flimgru::link::Status;
using flimgru::link::StreamDecoder;
using flimgru::link::Summary;
using flimgru::sim::expected_summary;
using flimgru::sim::quantized;
using flimgru::sim::simulated_counts;
using flimgru::sim::Tpsf;
using flimgru::sim::VirtualBoard;
namespace fs = std::filesystem;
using flimgru::test::slurp;

namespace {

// The IRF bins the host sends: a Gaussian IRF input (irf_input.hpp) quantized like x (i_q).
Tpsf irf_q(double fwhm_ns, double peak_ns) {
  const IrfInput in = gaussian_irf_input(fwhm_ns, peak_ns);
  int32_t q[kBins];
  quantize_input(sim::board_model().fmt, in.data(), q);
  Tpsf out;
  for (int k = 0; k < kBins; ++k) out[k] = static_cast<int8_t>(q[k]);
  return out;
}

struct Bench {
  VirtualBoard board;
  StreamDecoder dec;
  std::vector<std::pair<uint8_t, Summary>> results;
  std::vector<ErrorReport> errors;
  std::vector<std::pair<uint8_t, Status>> statuses;

  void pump() {
    auto bytes = board.uart().take_received();
    dec.feed(bytes.data(), bytes.size());
    StreamDecoder::Event e;
    while (dec.pop(e)) {
      ASSERT_EQ(e.status, ParseStatus::kOk);
      if (e.frame.type == kTypeResult) results.push_back({e.frame.seq, decode_result(e.frame)});
      else if (e.frame.type == kTypeError) errors.push_back(decode_error(e.frame));
      else if (e.frame.type == kTypeStatus) statuses.push_back({e.frame.seq, decode_status(e.frame)});
    }
  }
  bool wait_for(size_t r, size_t s, uint64_t max_cycles) {
    return board.run_until([&] {
      pump();
      return results.size() >= r && statuses.size() >= s;
    }, max_cycles);
  }
};

}  // namespace

TEST(IrfBoard, StatusReportsInputWidthTwo) {
  Bench b;
  b.board.uart().send(encode_status_request(9));
  ASSERT_TRUE(b.wait_for(0, 1, 200000));
  EXPECT_EQ(b.statuses[0].second.id, "FLGR");
  EXPECT_EQ(b.statuses[0].second.in_dim, 2);
  EXPECT_EQ(sim::board_model().input_width, 2);
}

// IRF A, 8 pixels, IRF B, the same 8 pixels again: every summary equals the integer model's with
// the IRF loaded before it; the IRF changes the answers (the model reads it).
TEST(IrfBoard, IrfLoadedOnceThenPixelsBitExact) {
  const std::vector<Tpsf> px = quantized(simulated_counts(8, 404));
  const Tpsf irf_a = irf_q(0.3, 1.0), irf_b = irf_q(0.6, 2.2);
  Bench b;
  b.board.uart().send(encode_irf(100, irf_a.data()));
  ASSERT_TRUE(b.wait_for(0, 1, 400000));
  EXPECT_EQ(b.statuses[0].first, 100);  // the IRF frame's acknowledgement
  for (size_t i = 0; i < px.size(); ++i) b.board.uart().send(encode_tpsf(uint8_t(i), px[i].data()));
  ASSERT_TRUE(b.wait_for(px.size(), 1, px.size() * 200000 + 400000));
  b.board.uart().send(encode_irf(101, irf_b.data()));
  for (size_t i = 0; i < px.size(); ++i) b.board.uart().send(encode_tpsf(uint8_t(20 + i), px[i].data()));
  ASSERT_TRUE(b.wait_for(2 * px.size(), 2, px.size() * 200000 + 400000));
  b.board.run(50000);
  b.pump();
  EXPECT_TRUE(b.errors.empty());
  ASSERT_EQ(b.results.size(), 2 * px.size());
  ASSERT_EQ(b.statuses.size(), 2u);
  EXPECT_EQ(b.statuses[1].first, 101);
  int differ = 0;
  for (size_t i = 0; i < px.size(); ++i) {
    const Summary want_a = expected_summary(px[i], &irf_a), want_b = expected_summary(px[i], &irf_b);
    EXPECT_EQ(b.results[i].first, uint8_t(i));
    EXPECT_EQ(b.results[i].second, want_a) << "pixel " << i << " with IRF A";
    EXPECT_EQ(b.results[px.size() + i].first, uint8_t(20 + i));
    EXPECT_EQ(b.results[px.size() + i].second, want_b) << "pixel " << i << " with IRF B";
    differ += !(want_a == want_b);
  }
  EXPECT_GT(differ, 0) << "the IRF changed no answer";
}

#if defined(FLIMGRU_VIRTUAL_BOARD_EXE) && defined(FLIMGRU_EXE)
// flimgru infer --device --irf on the IRF board's pty: the CSV equals the int8 backend's with the
// same model and IRF file; without --irf the host refuses the board with a message.
TEST(IrfBoard, InferDeviceWithIrfMatchesInt8Backend) {
  const flimgru::test::TempDir tmp;
  const fs::path& dir = tmp.path;
  const std::vector<float> counts = simulated_counts(12, 505);
  write_npy((dir / "img.npy").string(), {4, 3, kBins}, counts.data());
  {
    std::ofstream f(dir / "irf.txt");  // a measured-IRF file: 135 counts, one a line
    const IrfInput g = gaussian_irf_input(0.4, 1.2);
    for (int k = 0; k < kBins; ++k) f << 1000.0 * g[k] << "\n";
  }
  const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE, {"--quiet", "--cycles", "2000000000"});
  ASSERT_FALSE(board.pty().empty()) << "the virtual board printed no pty path";
  const std::string img = (dir / "img.npy").string(), irf = (dir / "irf.txt").string(),
                    dev = (dir / "dev.csv").string(), ref = (dir / "int8.csv").string(),
                    log = (dir / "dev.log").string();
  const std::string exe = FLIMGRU_EXE;
  const std::string cmd_dev = exe + " infer " + img + " -o " + dev + " --device " + board.pty() + " --irf " +
                              irf + " --timeout " FLIMGRU_VBOARD_HOST_TIMEOUT " > /dev/null 2> " + log;
  const std::string cmd_ref = exe + " infer " + img + " -o " + ref + " --backend int8 --model " +
                              FLIMGRU_VBOARD_MODEL + " --irf " + irf + " > /dev/null";
  EXPECT_EQ(std::system(cmd_dev.c_str()), 0) << slurp(log);
  EXPECT_EQ(std::system(cmd_ref.c_str()), 0);
  const std::string a = slurp(dev), r = slurp(ref);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, r);

  const std::string no_irf = dir / "no_irf.csv";
  const std::string cmd_no = exe + " infer " + img + " -o " + no_irf + " --device " + board.pty() +
                             " --timeout " FLIMGRU_VBOARD_HOST_TIMEOUT " > /dev/null 2> " + log;
  EXPECT_NE(std::system(cmd_no.c_str()), 0);
  EXPECT_NE(slurp(log).find("IRF-conditioned"), std::string::npos) << slurp(log);
  EXPECT_FALSE(fs::exists(no_irf));
}
#endif
